"""The compile cache as a security boundary: each attack of issue 12 as a CPU test.

Entries in the cache are code that runs on the GPU, so nothing another user (or a stray file)
put there may be loaded: unsafe directories, forged or moved headers, symlinks, FIFOs, path
traversal. Also the size cap (LRU eviction, ``cache prune``) and build-once locking across
threads and processes, including a lock holder that dies.
"""

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import warnings

import pytest

from nvmath.compile import cache as cache_module
from nvmath.compile.cache import MAGIC, CacheWarning, DiskCache, cached, make_key

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def root(monkeypatch):
    """A fresh private cache directory, removed (whatever its mode) after the test."""
    base = tempfile.mkdtemp(prefix="nvmath-cachesec-")
    path = os.path.join(base, "cache")
    monkeypatch.setenv("NVMATH_CACHE_DIR", path)
    monkeypatch.delenv("NVMATH_DISABLE_CACHE", raising=False)
    monkeypatch.delenv("NVMATH_CACHE_MAX_BYTES", raising=False)
    monkeypatch.delenv("NVMATH_CACHE_LOCK_TIMEOUT", raising=False)
    yield path
    for directory, dirs, _ in os.walk(base):
        for d in dirs:
            full = os.path.join(directory, d)
            if not os.path.islink(full):
                os.chmod(full, 0o700)
    shutil.rmtree(base)
    assert not os.path.exists(base)


def _entry_path(root, kind, parts):
    key = make_key(kind, parts)
    return os.path.join(root, cache_module.FORMAT_DIR, kind, key[:2], key + ".entry"), key


def _forge(kind, key, payload, overrides=None):
    header = {
        "kind": kind,
        "key": key,
        "description": "forged",
        "sha256": hashlib.sha256(payload).hexdigest(),
        "size": len(payload),
        "created": time.time(),
        "meta": {},
    }
    header.update(overrides or {})
    return MAGIC + json.dumps(header).encode() + b"\n" + payload


def _counting_build(payload):
    calls = []

    def build():
        calls.append(1)
        return payload

    return build, calls


# --------------------------------------------------------------------------------------------
# Unsafe directories: not used, one warning naming the path and the fix, work done uncached
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["root", "format-dir", "kind-dir"])
def test_directory_writable_by_others_is_not_used(root, where):
    planted = os.urandom(256)
    path, _ = _entry_path(root, "sec", {"n": 1})
    cached("sec", {"n": 1}, lambda: planted)  # a valid entry...
    target = {"root": root, "format-dir": os.path.join(root, "v1"), "kind-dir": os.path.join(root, "v1", "sec")}[where]
    os.chmod(target, 0o777)  # ...in a directory anyone could have written it to
    fresh = os.urandom(256)
    build, calls = _counting_build(fresh)
    with pytest.warns(CacheWarning) as record:
        assert cached("sec", {"n": 1}, build) == fresh
    assert calls == [1], "the entry in an unsafe directory was loaded"
    (warning,) = record
    message = str(warning.message)
    assert target in message and "writable by group or others" in message and f"chmod 700 {target}" in message
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one warning only
        assert cached("sec", {"n": 1}, build) == fresh
        assert cached("sec", {"n": 2}, build) == fresh
    assert calls == [1, 1, 1]
    with open(path, "rb") as f:
        assert f.read().endswith(planted), "the unsafe directory was written to"
    if where != "kind-dir":  # usable() checks the directories every kind shares
        assert DiskCache(root).usable() is not None


def test_directory_owned_by_someone_else_is_not_used(root, monkeypatch):
    cached("sec", {"own": 1}, lambda: b"planted")
    if os.geteuid() == 0:  # a real foreign owner
        os.chown(root, 65534, 65534)
    else:
        real = os.geteuid()
        monkeypatch.setattr(cache_module, "_uid", lambda: real + 1)
    build, calls = _counting_build(b"fresh")
    with pytest.warns(CacheWarning, match=r"owned by uid \d+, not by you") as record:
        assert cached("sec", {"own": 1}, build) == b"fresh"
    assert root in str(record[0].message) and "NVMATH_CACHE_DIR" in str(record[0].message)
    assert calls == [1]


def test_symlinked_root_to_foreign_directory_is_not_used(root, tmp_path_factory):
    os.makedirs(os.path.dirname(root), exist_ok=True)
    foreign = tempfile.mkdtemp(prefix="nvmath-foreign-")
    try:
        os.chmod(foreign, 0o777)  # e.g. a directory an attacker made in /tmp
        os.symlink(foreign, root)
        build, calls = _counting_build(b"fresh")
        with pytest.warns(CacheWarning, match="writable by group or others"):
            assert cached("sec", {"link": 1}, build) == b"fresh"
        assert os.listdir(foreign) == [], "wrote into the foreign directory"
    finally:
        shutil.rmtree(foreign)


def test_cache_info_reports_unsafe_directory(root):
    cached("sec", {"i": 1}, lambda: b"x")
    os.chmod(root, 0o757)
    out = _run_cli(["cache", "info"], root)
    assert "not used" in out and "writable by group or others" in out and "chmod 700" in out


# --------------------------------------------------------------------------------------------
# Headers: key and kind must match the request; wrong JSON shape is corrupt
# --------------------------------------------------------------------------------------------


def test_entry_copied_under_another_key_is_rebuilt(root):
    a_path, _ = _entry_path(root, "sec", {"which": "a"})
    b_path, b_key = _entry_path(root, "sec", {"which": "b"})
    cached("sec", {"which": "a"}, lambda: b"payload of a")
    cached("sec", {"which": "b"}, lambda: b"payload of b")
    shutil.copyfile(a_path, b_path)  # a self-consistent entry (checksum fine) under the wrong name
    build, calls = _counting_build(b"payload of b")
    assert cached("sec", {"which": "b"}, build) == b"payload of b"
    assert calls == [1]
    header = json.loads(open(b_path, "rb").read()[len(MAGIC) :].partition(b"\n")[0])
    assert header["key"] == b_key and header["kind"] == "sec"


def test_entry_moved_under_another_kind_is_rebuilt(root):
    key = "ab" + "0" * 62
    disk = DiskCache(root)
    assert disk.put("cubin", key, b"a cubin")
    os.makedirs(os.path.join(root, "v1", "ltoir", "ab"), mode=0o700)
    shutil.copyfile(
        os.path.join(root, "v1", "cubin", "ab", key + ".entry"), os.path.join(root, "v1", "ltoir", "ab", key + ".entry")
    )
    assert disk.get("ltoir", key) is None
    assert not os.path.exists(os.path.join(root, "v1", "ltoir", "ab", key + ".entry")), "mismatched entry kept"
    assert disk.get("cubin", key) == b"a cubin"


BAD_HEADERS = {
    "list": b"[1, 2, 3]",
    "string": b'"hello"',
    "missing size": None,
    "size is a string": {"size": "5"},
    "size is a bool": {"size": True},
    "negative size": {"size": -1},
    "sha256 not hex": {"sha256": "z" * 64},
    "sha256 wrong length": {"sha256": "ab"},
    "kind with traversal": {"kind": "../sec"},
    "key not a string": {"key": 12345678},
    "description not a string": {"description": ["x"]},
    "meta not a dict": {"meta": "x"},
    "not json": b"{not json",
    "no newline": b"",
}


@pytest.mark.parametrize("case", sorted(BAD_HEADERS))
def test_header_of_wrong_shape_is_corrupt(root, case):
    payload = b"p" * 100
    path, key = _entry_path(root, "sec", {"shape": case})
    cached("sec", {"shape": case}, lambda: payload)
    bad = BAD_HEADERS[case]
    if case == "missing size":
        header = json.loads(_forge("sec", key, payload)[len(MAGIC) :].partition(b"\n")[0])
        del header["size"]
        raw = MAGIC + json.dumps(header).encode() + b"\n" + payload
    elif case == "no newline":
        raw = MAGIC + b"x" * (70 * 1024)
    elif isinstance(bad, bytes):
        raw = MAGIC + bad + b"\n" + payload
    else:
        raw = _forge("sec", key, payload, bad)
    with open(path, "wb") as f:
        f.write(raw)
    build, calls = _counting_build(payload)
    assert cached("sec", {"shape": case}, build) == payload
    assert calls == [1]
    assert cached("sec", {"shape": case}, lambda: pytest.fail("rebuilt entry should hit")) == payload
    info = DiskCache(root).info()  # never trips over a bad header
    assert info["entries"] == 1


# --------------------------------------------------------------------------------------------
# Only regular files: no symlinks out of the cache, no blocking on FIFOs or devices
# --------------------------------------------------------------------------------------------


def test_symlinked_entry_is_not_followed(root, tmp_path):
    path, key = _entry_path(root, "sec", {"s": 1})
    cached("sec", {"s": 1}, lambda: b"genuine")
    outside = tmp_path / "evil.entry"
    forged = _forge("sec", key, b"attacker code")  # a perfectly valid entry, outside the cache
    outside.write_bytes(forged)
    os.unlink(path)
    os.symlink(outside, path)
    build, calls = _counting_build(b"genuine")
    assert cached("sec", {"s": 1}, build) == b"genuine"
    assert calls == [1]
    assert outside.read_bytes() == forged, "the symlink target was modified"
    assert not os.path.islink(path)


def test_symlinked_directory_is_not_followed(root, tmp_path):
    path, key = _entry_path(root, "sec", {"d": 1})
    cached("sec", {"d": 1}, lambda: b"genuine")
    outside = tmp_path / "shard"
    outside.mkdir(mode=0o700)
    forged = _forge("sec", key, b"attacker code")
    (outside / os.path.basename(path)).write_bytes(forged)
    shard = os.path.dirname(path)
    shutil.rmtree(shard)
    os.symlink(outside, shard)
    build, calls = _counting_build(b"genuine")
    assert cached("sec", {"d": 1}, build) == b"genuine"
    assert calls == [1]
    assert (outside / os.path.basename(path)).read_bytes() == forged, "the directory outside was modified"
    assert not os.path.islink(shard), "the symlinked directory was not replaced by a real one"


def test_symlink_to_device_is_not_read(root):
    path, _ = _entry_path(root, "sec", {"dev": 1})
    cached("sec", {"dev": 1}, lambda: b"genuine")
    os.unlink(path)
    os.symlink("/dev/zero", path)  # would be an endless read if followed
    assert _within(10, lambda: cached("sec", {"dev": 1}, lambda: b"genuine")) == b"genuine"


def test_fifo_entry_does_not_block_a_compile(root):
    path, _ = _entry_path(root, "sec", {"fifo": 1})
    cached("sec", {"fifo": 1}, lambda: b"genuine")
    os.unlink(path)
    os.mkfifo(path)  # opening this for reading without O_NONBLOCK waits for a writer forever
    build, calls = _counting_build(b"genuine")
    assert _within(10, lambda: cached("sec", {"fifo": 1}, build)) == b"genuine"
    assert calls == [1]
    assert stat.S_ISREG(os.lstat(path).st_mode)


def test_fifo_does_not_block_cache_info_or_prune(root):
    path, _ = _entry_path(root, "sec", {"fifo": 2})
    cached("sec", {"fifo": 2}, lambda: b"genuine")
    cached("sec", {"fifo": 3}, lambda: b"genuine too")
    os.unlink(path)
    os.mkfifo(path)
    os.mkfifo(os.path.join(root, "v1", "sec", "stray.entry"))
    os.symlink("/dev/zero", os.path.join(root, "v1", "zero.entry"))
    out = _run_cli(["cache", "info"], root)
    assert "entries: 1," in out and "sec: 1 entries" in out
    out = _run_cli(["cache", "prune"], root)
    assert "3 non-regular files" in out
    assert not os.path.exists(path) and not os.path.lexists(os.path.join(root, "v1", "zero.entry"))


def _within(seconds, fn):
    """Run ``fn`` in a thread; fail (instead of hanging the test run) if it takes longer than ``seconds``."""
    result = {}

    def target():
        try:
            result["value"] = fn()
        except BaseException as exc:  # re-raised below
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        # unblock a FIFO reader so the daemon thread can end
        pytest.fail(f"blocked for more than {seconds} s")
    if "error" in result:
        raise result["error"]
    return result["value"]


def _run_cli(args, root, **env):
    result = subprocess.run(
        [sys.executable, "-m", "nvmath", *args],
        cwd=REPO,
        env={**os.environ, "NVMATH_CACHE_DIR": root, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


# --------------------------------------------------------------------------------------------
# kind and every path component are validated
# --------------------------------------------------------------------------------------------

BAD_KINDS = ["", ".", "..", "../evil", "a/b", "/abs", ".hidden", "a\x00b", "a b", "x" * 65, "ü", None, 5, b"cubin"]


@pytest.mark.parametrize("kind", BAD_KINDS, ids=repr)
def test_bad_kind_is_refused(root, kind):
    with pytest.raises(ValueError, match="Argument 'kind'"):
        cached(kind, {"k": 1}, lambda: pytest.fail("must not build"))
    with pytest.raises(ValueError, match="Argument 'kind'"):
        DiskCache(root).put(kind, "0" * 64, b"x")
    assert not os.path.exists(os.path.dirname(root)) or not any(
        ".." in p or "evil" in p for p in os.listdir(os.path.dirname(root))
    )


@pytest.mark.parametrize("key", ["", "short", "../../../../etc/passwd", "a/b" * 10, "0" * 129, "x.y" * 10, None])
def test_bad_key_is_refused(root, key):
    disk = DiskCache(root)
    with pytest.raises(ValueError, match="Argument 'key'"):
        disk.put("sec", key, b"x")
    with pytest.raises(ValueError, match="Argument 'key'"):
        disk.get("sec", key)


# --------------------------------------------------------------------------------------------
# Size cap with least-recently-used eviction; cache prune
# --------------------------------------------------------------------------------------------


def _keys(n):
    return [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]


def test_lru_eviction_keeps_recently_used(root, monkeypatch):
    disk = DiskCache(root)
    keys = _keys(5)
    payloads = [os.urandom(1000) for _ in keys]
    for i, (key, payload) in enumerate(zip(keys[:4], payloads, strict=False)):
        assert disk.put("lru", key, payload)
        path = os.path.join(root, "v1", "lru", key[:2], key + ".entry")
        os.utime(path, (1000.0 + i, 1000.0 + i))  # entry i last used at t = 1000 + i
    assert disk.get("lru", keys[0]) == payloads[0]  # a read makes entry 0 the most recently used
    entry_size = os.path.getsize(os.path.join(root, "v1", "lru", keys[0][:2], keys[0] + ".entry"))
    monkeypatch.setenv("NVMATH_CACHE_MAX_BYTES", str(4 * entry_size + entry_size // 2))
    assert disk.put("lru", keys[4], payloads[4])  # 5 entries > cap: the least recently used goes
    present = [disk.get("lru", k) is not None for k in keys]
    assert present == [True, False, True, True, True]


def test_entry_larger_than_cap_is_not_stored(root, monkeypatch):
    monkeypatch.setenv("NVMATH_CACHE_MAX_BYTES", "1K")
    build, calls = _counting_build(os.urandom(5000))
    first = cached("big", {"b": 1}, build)
    assert cached("big", {"b": 1}, build) == first
    assert calls == [1, 1]
    assert DiskCache(root).info()["entries"] == 0


@pytest.mark.parametrize("value", ["abc", "-5", "0", "1.5G", "12 parsecs"])
def test_bad_max_bytes_is_a_clear_error(root, monkeypatch, value):
    monkeypatch.setenv("NVMATH_CACHE_MAX_BYTES", value)
    with pytest.raises(ValueError, match="NVMATH_CACHE_MAX_BYTES"):
        cached("sec", {"m": value}, lambda: b"x")


def test_size_units():
    assert cache_module.parse_size("1K") == 1024
    assert cache_module.parse_size("3m") == 3 * 1024**2
    assert cache_module.parse_size("2GiB") == 2 * 1024**3
    assert cache_module.parse_size("12345") == 12345


def test_cache_info_shows_cap_and_prune_evicts(root):
    disk = DiskCache(root)
    for i, key in enumerate(_keys(6)):
        disk.put("prune", key, os.urandom(2000))
        os.utime(os.path.join(root, "v1", "prune", key[:2], key + ".entry"), (2000.0 + i, 2000.0 + i))
    # leftovers a dead writer could leave
    old_tmp = os.path.join(root, "v1", "prune", ".tmp-dead.entry")
    with open(old_tmp, "wb") as f:
        f.write(b"half")
    os.utime(old_tmp, (1.0, 1.0))
    corrupt = os.path.join(root, "v1", "prune", "00", "0" * 64 + ".entry")
    os.makedirs(os.path.dirname(corrupt), mode=0o700, exist_ok=True)
    with open(corrupt, "wb") as f:
        f.write(b"garbage")
    out = _run_cli(["cache", "info"], root, NVMATH_CACHE_MAX_BYTES="3M")
    assert "size cap: 3.0 MiB (3145728 bytes)" in out and "entries: 6," in out
    default = _run_cli(["cache", "info"], root)
    assert f"({cache_module.DEFAULT_MAX_BYTES} bytes)" in default
    entry_size = os.path.getsize(os.path.join(root, "v1", "prune", _keys(1)[0][:2], _keys(1)[0] + ".entry"))
    out = _run_cli(["cache", "prune", "--max-bytes", str(3 * entry_size)], root)
    assert "3 least recently used entries evicted" in out and "1 corrupt" in out and "1 leftover" in out
    left = {path.name[:64] for path, _ in disk.entries()}
    assert left == {k for k in _keys(6)[3:]}
    assert not os.path.exists(old_tmp) and not os.path.exists(corrupt)


def test_bad_prune_argument(root):
    result = subprocess.run(
        [sys.executable, "-m", "nvmath", "cache", "prune", "--max-bytes", "lots"],
        cwd=REPO,
        env={**os.environ, "NVMATH_CACHE_DIR": root},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--max-bytes = 'lots'" in result.stderr


# --------------------------------------------------------------------------------------------
# Build once across threads and processes; waiters read; a dead holder's lock is taken over
# --------------------------------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {repo!r})
    os.environ["NVMATH_CACHE_DIR"] = {root!r}
    from nvmath.compile.cache import cached

    def build():
        with open({log!r}, "a") as f:
            f.write("built by %d\\n" % os.getpid())
        time.sleep({sleep})
        return b"shared payload" * 1000

    mode = {mode!r}
    if mode == "hold":  # take the build lock, say so, then wait to be killed
        from nvmath.compile.cache import get_cache, make_key
        key = make_key("lock", {{"same": True}})
        with get_cache().build_lock("lock", key) as held:
            print("held" if held else "not held", flush=True)
            time.sleep(120)
    else:
        sys.stdin.readline()  # start together
        assert cached("lock", {{"same": True}}, build) == b"shared payload" * 1000
        print("ok", flush=True)
    """
)


def _child(root, log, mode, sleep=0.0):
    code = _CHILD.format(repo=REPO, root=root, log=str(log), mode=mode, sleep=sleep)
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=tempfile.gettempdir(),
    )


def test_processes_and_threads_build_once(root, tmp_path):
    log = tmp_path / "builds.log"
    procs = [_child(root, log, "build", sleep=1.0) for _ in range(4)]
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()

    def build():
        with open(log, "a") as f:
            f.write("built by a thread\n")
        time.sleep(1.0)
        return b"shared payload" * 1000

    results = []
    threads = [threading.Thread(target=lambda: results.append(cached("lock", {"same": True}, build))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4 and all(o.strip() == "ok" for o in outs)
    assert results == [b"shared payload" * 1000] * 4
    assert len(log.read_text().splitlines()) == 1, log.read_text()
    assert not [name for _, _, names in os.walk(root) for name in names if name.endswith(".lock")], "lock left behind"


def test_waiter_reads_what_the_holder_built(root, tmp_path):
    log = tmp_path / "builds.log"
    holder = _child(root, log, "build", sleep=2.0)
    holder.stdin.write("go\n")
    holder.stdin.flush()
    deadline = time.time() + 60
    while not log.exists() and time.time() < deadline:  # the holder is building now
        time.sleep(0.02)
    start = time.monotonic()
    result = cached("lock", {"same": True}, lambda: pytest.fail("the waiter built it too"))
    assert result == b"shared payload" * 1000
    assert time.monotonic() - start > 0.5  # it did wait
    assert holder.communicate(timeout=60)[0].strip() == "ok"


def test_dead_lock_holder_is_taken_over(root, tmp_path):
    holder = _child(root, tmp_path / "unused.log", "hold")
    try:
        assert holder.stdout.readline().strip() == "held"
        os.kill(holder.pid, signal.SIGKILL)  # dies holding the lock; its lock file stays behind
        holder.wait(30)
        assert [n for _, _, names in os.walk(root) for n in names if n.endswith(".lock")], "expected a leftover lock"
        start = time.monotonic()
        build, calls = _counting_build(b"taken over")
        assert cached("lock", {"same": True}, build) == b"taken over"
        assert calls == [1] and time.monotonic() - start < 10
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_live_lock_holder_times_out(root, tmp_path, monkeypatch):
    holder = _child(root, tmp_path / "unused.log", "hold")
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("NVMATH_CACHE_LOCK_TIMEOUT", "0.5")
        start = time.monotonic()
        build, calls = _counting_build(b"built after the timeout")
        assert cached("lock", {"same": True}, build) == b"built after the timeout"
        elapsed = time.monotonic() - start
        assert calls == [1] and 0.5 <= elapsed < 10
    finally:
        holder.kill()
        holder.wait()


def test_symlinked_lock_file_is_not_followed(root, tmp_path):
    key = make_key("lock", {"sym": 1})
    shard = os.path.join(root, "v1", "lock", key[:2])
    os.makedirs(shard, mode=0o700)
    for d in (root, os.path.join(root, "v1"), os.path.join(root, "v1", "lock")):
        os.chmod(d, 0o700)
    victim = tmp_path / "victim"
    victim.write_text("do not touch")
    os.symlink(victim, os.path.join(shard, key + ".lock"))
    assert cached("lock", {"sym": 1}, lambda: b"ok") == b"ok"
    assert victim.read_text() == "do not touch"


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_bad_lock_timeout(root, monkeypatch, value):
    monkeypatch.setenv("NVMATH_CACHE_LOCK_TIMEOUT", value)
    with pytest.raises(ValueError, match="NVMATH_CACHE_LOCK_TIMEOUT"):
        cached("sec", {"t": value}, lambda: b"x")


def test_build_returning_non_bytes(root):
    with pytest.raises(TypeError, match="not bytes"):
        cached("sec", {"nb": 1}, lambda: "a str")
    with pytest.raises(TypeError, match="Argument 'build'"):
        cached("sec", {"nb": 2}, b"not callable")
