"""The disk cache: hits, misses, corruption, concurrency, unwritable locations."""

import hashlib
import multiprocessing
import os
import warnings

import pytest

from nvmath.compile import cache as cache_module
from nvmath.compile.cache import CacheWarning, DiskCache, cached


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv("NVMATH_CACHE_DIR", str(root))
    monkeypatch.delenv("NVMATH_DISABLE_CACHE", raising=False)
    return root


def _entry_files(root):
    return [p for p in root.rglob("*.entry") if not p.name.startswith(".tmp-")]


def test_miss_then_hit(cache_dir):
    calls = []
    payload = os.urandom(1000)

    def build():
        calls.append(1)
        return payload

    assert cached("test", {"a": 1}, build) == payload
    assert cached("test", {"a": 1}, build) == payload
    assert len(calls) == 1
    assert cached("test", {"a": 2}, build) == payload
    assert len(calls) == 2
    files = _entry_files(cache_dir)
    assert len(files) == 2
    assert oct(cache_dir.stat().st_mode & 0o777) == oct(0o700)


def test_entry_is_bytes_plus_json_header(cache_dir):
    payload = os.urandom(64)
    cached("test", {"x": "y"}, lambda: payload, description="header check")
    (path,) = _entry_files(cache_dir)
    raw = path.read_bytes()
    assert raw.startswith(cache_module.MAGIC)
    import json

    header_line, _, body = raw[len(cache_module.MAGIC) :].partition(b"\n")
    header = json.loads(header_line)
    assert body == payload
    assert header["sha256"] == hashlib.sha256(payload).hexdigest()
    assert header["description"] == "header check"


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_corrupt_entry_is_rebuilt(cache_dir, damage):
    payload = os.urandom(4096)
    cached("test", {"k": damage}, lambda: payload)
    (path,) = _entry_files(cache_dir)
    raw = bytearray(path.read_bytes())
    if damage == "truncate":
        raw = raw[:-100]
    elif damage == "flip":
        raw[-10] ^= 0xFF  # payload changed, checksum in header no longer matches
    else:
        raw = bytearray(b"not a cache entry at all")
    path.write_bytes(bytes(raw))

    rebuilt = []
    result = cached("test", {"k": damage}, lambda: rebuilt.append(1) or payload)
    assert result == payload
    assert rebuilt == [1]
    assert cached("test", {"k": damage}, lambda: pytest.fail("should be a hit now")) == payload


def _concurrent_writer(root, index, barrier):
    os.environ["NVMATH_CACHE_DIR"] = root
    from nvmath.compile.cache import cached

    payload = hashlib.sha256(b"same").digest() * 20000  # 640 KB, same for every process
    barrier.wait()
    for _ in range(5):
        assert cached("concurrent", {"same": True}, lambda: payload) == payload


def test_concurrent_writers(cache_dir):
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(6)
    procs = [context.Process(target=_concurrent_writer, args=(str(cache_dir), i, barrier)) for i in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * 6
    files = _entry_files(cache_dir)
    assert len(files) == 1
    assert not [p for p in cache_dir.rglob(".tmp-*")], "temporary files left behind"
    expected = hashlib.sha256(b"same").digest() * 20000
    assert cached("concurrent", {"same": True}, lambda: pytest.fail("should hit")) == expected


def test_unwritable_location_warns_and_builds(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache directory cannot be created below a file")
    monkeypatch.setenv("NVMATH_CACHE_DIR", str(blocker / "cache"))
    calls = []
    with pytest.warns(CacheWarning, match="cannot write"):
        assert cached("test", {"n": 1}, lambda: calls.append(1) or b"x") == b"x"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once only
        assert cached("test", {"n": 1}, lambda: calls.append(1) or b"x") == b"x"
    assert calls == [1, 1]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory(cache_dir):
    cache_dir.mkdir(mode=0o500)
    try:
        with pytest.warns(CacheWarning):
            assert cached("test", {"ro": 1}, lambda: b"built") == b"built"
    finally:
        cache_dir.chmod(0o700)


def test_read_only_directory_permission_error(cache_dir, monkeypatch):
    """Root ignores directory modes, so also check the path a PermissionError takes."""

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(cache_dir))

    monkeypatch.setattr(cache_module.tempfile, "mkstemp", refuse)
    with pytest.warns(CacheWarning, match="Permission denied"):
        assert cached("test", {"ro": 2}, lambda: b"built") == b"built"
    assert _entry_files(cache_dir) == []


def test_disable_cache(cache_dir, monkeypatch):
    monkeypatch.setenv("NVMATH_DISABLE_CACHE", "1")
    calls = []
    for _ in range(2):
        assert cached("test", {"d": 1}, lambda: calls.append(1) or b"z") == b"z"
    assert calls == [1, 1]
    assert not cache_dir.exists()


def test_info_and_clear(tmp_path):
    disk = DiskCache(tmp_path / "c")
    assert disk.info()["entries"] == 0
    assert disk.put("a", "0" * 64, b"1")
    assert disk.put("b", "1" * 64, b"22")
    info = disk.info()
    assert info["entries"] == 2 and set(info["kinds"]) == {"a", "b"}
    assert disk.clear() == 2
    assert disk.info()["entries"] == 0


def test_key_depends_on_parts_and_kind():
    from nvmath.compile.cache import make_key

    assert make_key("k", {"a": 1}) == make_key("k", {"a": 1})
    assert make_key("k", {"a": 1}) != make_key("k", {"a": 2})
    assert make_key("k", {"a": 1}) != make_key("j", {"a": 1})
    assert make_key("k", {"b": b"\x00"}) != make_key("k", {"b": b"\x01"})
