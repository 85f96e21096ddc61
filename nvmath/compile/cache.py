"""The persistent on-disk cache for generated code (LTO-IR) and linked cubins.

Each entry is one file: a magic line, a JSON header (kind, a readable description, the
SHA-256 and size of the payload, the toolchain versions) and the raw payload bytes. Nothing
is pickled. Entries are written to a temporary file and renamed into place, so readers never
see half an entry and two processes building the same entry both succeed. An entry whose
checksum or size does not match is deleted and rebuilt, never trusted.

Location: ``$NVMATH_CACHE_DIR``, else ``$XDG_CACHE_HOME/nvmath``, else ``~/.cache/nvmath``;
created readable by the user only. ``NVMATH_DISABLE_CACHE=1`` turns the cache off. A cache
directory that cannot be written gives one warning and the work is done without caching.

Example:
    >>> from nvmath.compile import cached
    >>> data = cached("example", {"n": 1}, lambda: b"payload")  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

from nvmath._logging import get_logger, log_duration

MAGIC = b"NVMATH-CACHE-1\n"
FORMAT_DIR = "v1"
_SUFFIX = ".entry"

_log = get_logger()


class CacheWarning(UserWarning):
    """The cache could not be used; the work was done without it."""


def cache_enabled() -> bool:
    """Return False when ``NVMATH_DISABLE_CACHE`` is set to a true value (``1``, ``true``, ``yes``)."""
    return os.environ.get("NVMATH_DISABLE_CACHE", "").strip().lower() not in ("1", "true", "yes", "on")


def default_cache_dir() -> Path:
    """Return the cache location: ``$NVMATH_CACHE_DIR``, else the user's cache directory.

    Example:
        >>> default_cache_dir().name  # doctest: +SKIP
        'nvmath'
    """
    explicit = os.environ.get("NVMATH_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nvmath"


class DiskCache:
    """A directory of cache entries, addressed by ``(kind, key)``.

    Args:
        root: the cache directory; created (mode 0700) on the first write.

    Example:
        >>> cache = DiskCache("/tmp/nvmath-doc-cache")
        >>> cache.put("demo", "k" * 64, b"abc", description="demo entry")
        True
        >>> cache.get("demo", "k" * 64)
        b'abc'
    """

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self._warned = False

    def _path(self, kind: str, key: str) -> Path:
        return self.root / FORMAT_DIR / kind / key[:2] / (key + _SUFFIX)

    def get(self, kind: str, key: str) -> bytes | None:
        """Return the payload stored under ``(kind, key)``, or None if absent or corrupt."""
        path = self._path(kind, key)
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            self._warn(f"cannot read cache entry {path}: {exc}")
            return None
        payload = _decode(raw)
        if payload is None:
            _log.warning("nvmath cache: entry %s is truncated or corrupt; it will be rebuilt", path)
            try:
                path.unlink()
            except OSError:
                pass
        return payload

    def put(self, kind: str, key: str, payload: bytes, *, description: str = "", meta: dict | None = None) -> bool:
        """Store ``payload`` atomically. Return False (after one warning) if the cache is not writable."""
        path = self._path(kind, key)
        header = {
            "kind": kind,
            "key": key,
            "description": description,
            "sha256": hashlib.sha256(payload).hexdigest(),
            "size": len(payload),
            "created": time.time(),
            "meta": meta or {},
        }
        blob = MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + payload
        try:
            _make_private_dirs(self.root)
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=_SUFFIX)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(blob)
                os.replace(tmp, path)
            except BaseException:
                _unlink_quietly(tmp)
                raise
        except OSError as exc:
            self._warn(f"cannot write to the cache directory {self.root} ({exc}); compiling without caching")
            return False
        return True

    def entries(self) -> list[tuple[Path, dict]]:
        """Return ``(path, header)`` for every readable entry."""
        found = []
        base = self.root / FORMAT_DIR
        if not base.is_dir():
            return found
        for path in sorted(base.rglob("*" + _SUFFIX)):
            if path.name.startswith(".tmp-"):
                continue
            header = _read_header(path)
            if header is not None:
                found.append((path, header))
        return found

    def info(self) -> dict:
        """Return the location, the number of entries and bytes, per kind and in total.

        Example:
            >>> DiskCache("/nonexistent-nvmath-cache").info()["entries"]
            0
        """
        kinds: dict[str, dict[str, int]] = {}
        for path, header in self.entries():
            k = kinds.setdefault(header.get("kind", "?"), {"entries": 0, "bytes": 0})
            k["entries"] += 1
            k["bytes"] += path.stat().st_size
        return {
            "location": str(self.root),
            "enabled": cache_enabled(),
            "entries": sum(k["entries"] for k in kinds.values()),
            "bytes": sum(k["bytes"] for k in kinds.values()),
            "kinds": kinds,
        }

    def clear(self) -> int:
        """Delete every entry (and leftover temporary file); return how many entries were removed."""
        removed = 0
        base = self.root / FORMAT_DIR
        if not base.is_dir():
            return 0
        for path in base.rglob("*" + _SUFFIX):
            removed += not path.name.startswith(".tmp-")
            _unlink_quietly(path)
        return removed

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            warnings.warn(f"nvmath cache: {message}", CacheWarning, stacklevel=4)
        _log.debug("nvmath cache: %s", message)


def _decode(raw: bytes) -> bytes | None:
    if not raw.startswith(MAGIC):
        return None
    end = raw.find(b"\n", len(MAGIC))
    if end < 0:
        return None
    try:
        header = json.loads(raw[len(MAGIC) : end])
    except ValueError:
        return None
    payload = raw[end + 1 :]
    if len(payload) != header.get("size") or hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        return None
    return payload


def _read_header(path: Path) -> dict | None:
    try:
        with open(path, "rb") as f:
            head = f.read(64 * 1024)
    except OSError:
        return None
    if not head.startswith(MAGIC):
        return None
    end = head.find(b"\n", len(MAGIC))
    try:
        return json.loads(head[len(MAGIC) : end])
    except ValueError:
        return None


def _make_private_dirs(root: Path) -> None:
    if not root.is_dir():
        root.mkdir(mode=0o700, parents=True, exist_ok=True)


def _unlink_quietly(path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def make_key(kind: str, key_parts: dict) -> str:
    """Return the SHA-256 key of ``key_parts`` together with the kind and the toolchain versions.

    Example:
        >>> len(make_key("ltoir", {"source": "x"}))  # doctest: +SKIP
        64
    """
    from nvmath.compile.toolchain import fingerprint

    document = {"kind": kind, "parts": key_parts, "toolchain": fingerprint()}
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=_json_default).encode()).hexdigest()


def _json_default(value):
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(f"cache key part {value!r} of type {type(value).__name__} is not JSON-serialisable")


_default_cache: DiskCache | None = None
_default_lock = threading.Lock()


def get_cache() -> DiskCache:
    """Return the cache at :func:`default_cache_dir` (re-read if ``NVMATH_CACHE_DIR`` changed)."""
    global _default_cache
    root = default_cache_dir()
    with _default_lock:
        if _default_cache is None or _default_cache.root != root:
            _default_cache = DiskCache(root)
        return _default_cache


def lookup(kind: str, key_parts: dict) -> bytes | None:
    """Return the entry :func:`cached` would return for ``key_parts`` if the disk cache holds it, else None.

    Never builds anything; None also when the cache is disabled.

    Example:
        >>> lookup("demo", {"value": 42})  # doctest: +SKIP
        b'forty-two'
    """
    if not cache_enabled():
        return None
    return get_cache().get(kind, make_key(kind, key_parts))


def cached(
    kind: str,
    key_parts: dict,
    build: Callable[[], bytes],
    *,
    description: str = "",
    meta: dict | None = None,
    logger: logging.Logger | None = None,
) -> bytes:
    """Return the bytes that ``build()`` makes for ``key_parts``, from the disk cache when present.

    Args:
        kind: a short name for the kind of entry (``"nvrtc-ltoir"``, ``"cubin"``, ...).
        key_parts: everything the result depends on (JSON-serialisable; bytes are hashed).
            The toolchain versions are added automatically.
        build: makes the bytes on a miss (and always when the cache is disabled).
        description: what is built, for logs and ``python -m nvmath cache info``.
        meta: extra JSON metadata stored in the entry's header.
        logger: overrides the package logger.

    Example:
        >>> cached("demo", {"value": 42}, lambda: b"forty-two", description="demo")  # doctest: +SKIP
        b'forty-two'
    """
    log = get_logger(logger)
    what = f"{kind} {description}".strip()
    if not cache_enabled():
        with log_duration(log, f"building {what} (cache disabled)"):
            return build()
    key = make_key(kind, key_parts)
    payload = get_cache().get(kind, key)
    if payload is not None:
        log.debug("cache hit: %s (%s)", what, key[:16])
        return payload
    with log_duration(log, f"building {what}"):
        payload = build()
    if not isinstance(payload, bytes):
        payload = bytes(payload)
    get_cache().put(kind, key, payload, description=description, meta=meta)
    return payload
