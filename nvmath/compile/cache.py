"""The persistent on-disk cache for generated code (LTO-IR) and linked cubins.

Code in the cache runs on the GPU, so the cache is a security boundary:

- Each entry is one file: a magic line, a JSON header (kind, key, a readable description, the
  SHA-256 and size of the payload, the toolchain versions) and the raw payload bytes. Nothing is
  pickled. An entry whose header does not match the request (kind, key), whose header is not of
  the expected JSON shape, or whose checksum or size does not match is deleted and rebuilt, never
  loaded.
- The cache directory (and each directory inside it) must be owned by the user and not writable
  by group or others; otherwise one :class:`CacheWarning` names the path and the fix and the
  work is done uncached. Directories are created with mode 0700.
- Only regular files are read: every directory and entry is opened with ``O_NOFOLLOW`` (no
  symlinks out of the cache) and ``O_NONBLOCK`` and checked with ``fstat`` (a FIFO or device
  never blocks a compile or ``python -m nvmath cache info``).
- ``kind`` and the key are validated before they become path components (no traversal).
- Size cap: ``$NVMATH_CACHE_MAX_BYTES`` (default 2 GiB; suffixes K, M, G accepted); after each
  write the least recently used entries are evicted. ``python -m nvmath cache prune`` does the
  same on demand and removes leftovers (temporary files, stale locks, corrupt entries).
- Entries are written to a temporary file and renamed into place, so readers never see half an
  entry. Processes and threads asking for the same missing entry build it once: the builder
  holds a lock file (``flock``; the kernel releases it when its holder dies, so a dead holder's
  lock is taken over at once), the others wait up to ``$NVMATH_CACHE_LOCK_TIMEOUT`` seconds
  (default 300) and then read the entry, or build it themselves after the timeout.

Location: ``$NVMATH_CACHE_DIR``, else ``$XDG_CACHE_HOME/nvmath``, else ``~/.cache/nvmath``.
``NVMATH_DISABLE_CACHE=1`` turns the cache off. A cache directory that cannot be written gives
one warning and the work is done without caching.

Example:
    >>> from nvmath.compile import cached
    >>> data = cached("example", {"n": 1}, lambda: b"payload")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import re
import stat
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no cross-process build lock (writes stay atomic)
    fcntl = None

from nvmath._logging import get_logger, log_duration

MAGIC = b"NVMATH-CACHE-1\n"
FORMAT_DIR = "v1"
_SUFFIX = ".entry"
_LOCK_SUFFIX = ".lock"
_TMP_PREFIX = ".tmp-"
DEFAULT_MAX_BYTES = 2 * 1024**3
DEFAULT_LOCK_TIMEOUT = 300.0
_MAX_HEADER = 64 * 1024
_STALE_SECONDS = 3600.0  # temporary files older than this are leftovers of a dead writer

_KIND_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")
_KEY_RE = re.compile(r"[A-Za-z0-9_-]{8,128}\Z")
_HEX64_RE = re.compile(r"[0-9a-f]{64}\Z")
_SIZE_RE = re.compile(r"\s*(\d+)\s*([KMGT]?)(I?B)?\s*\Z", re.IGNORECASE)

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)

_log = get_logger()


class CacheWarning(UserWarning):
    """The cache could not be used; the work was done without it."""


class _Unusable(Exception):
    """A cache directory failed a safety check; the message says which and how to fix it."""


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


def parse_size(text: str, name: str = "NVMATH_CACHE_MAX_BYTES") -> int:
    """Return the byte count of ``text``: an integer with an optional K, M, G or T suffix (powers of 1024).

    Raises:
        ValueError: ``text`` is not such a number, or is zero.

    Example:
        >>> parse_size("512M")
        536870912
    """
    match = _SIZE_RE.match(str(text))
    if not match or int(match.group(1)) <= 0:
        raise ValueError(
            f"{name} = {text!r} is not a positive byte count: use an integer with an optional K, M, G or T "
            "suffix, e.g. 2G (set NVMATH_DISABLE_CACHE=1 to turn the cache off)."
        )
    power = "KMGT".find(match.group(2).upper()) + 1 if match.group(2) else 0
    return int(match.group(1)) * 1024**power


def max_bytes() -> int:
    """Return the size cap of the cache: ``$NVMATH_CACHE_MAX_BYTES``, else 2 GiB.

    Example:
        >>> max_bytes() > 0
        True
    """
    text = os.environ.get("NVMATH_CACHE_MAX_BYTES", "").strip()
    return parse_size(text) if text else DEFAULT_MAX_BYTES


def lock_timeout() -> float:
    """Return how long a process waits for another one building the same entry (``$NVMATH_CACHE_LOCK_TIMEOUT``).

    Example:
        >>> lock_timeout() >= 0
        True
    """
    text = os.environ.get("NVMATH_CACHE_LOCK_TIMEOUT", "").strip()
    if not text:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also NaN
        raise ValueError(f"NVMATH_CACHE_LOCK_TIMEOUT = {text!r} must be a number of seconds >= 0.")
    return value


def check_kind(kind) -> str:
    """Return ``kind`` if it is a safe entry kind (letters, digits, ``.``, ``_``, ``-``; at most 64), else raise.

    Example:
        >>> check_kind("cubin")
        'cubin'
    """
    if not isinstance(kind, str) or not _KIND_RE.match(kind):
        raise ValueError(
            f"Argument 'kind' = {kind!r} is not a valid cache entry kind: use 1 to 64 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit (it becomes a directory name)."
        )
    return kind


def check_key(key) -> str:
    """Return ``key`` if it is a safe entry key (8 to 128 letters, digits, ``_``, ``-``), else raise.

    Example:
        >>> check_key("0123abcd" * 8) == "0123abcd" * 8
        True
    """
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise ValueError(
            f"Argument 'key' = {key!r} is not a valid cache key: use 8 to 128 letters, digits, '_' or '-' "
            "(make_key returns one)."
        )
    return key


def _uid() -> int:
    return os.geteuid()


def _fix_hint(path: str) -> str:
    return (
        f"fix: `chmod 700 {path}` if it is yours (or remove it), or set NVMATH_CACHE_DIR to a directory "
        "only you can write"
    )


def _check_private(fd: int, path: str) -> None:
    st = os.fstat(fd)
    if st.st_uid != _uid():
        raise _Unusable(
            f"the cache directory {path} is owned by uid {st.st_uid}, not by you (uid {_uid()}); "
            f"compiling without caching ({_fix_hint(path)})"
        )
    if st.st_mode & 0o022:
        raise _Unusable(
            f"the cache directory {path} is writable by group or others (mode {stat.filemode(st.st_mode)}); "
            f"compiling without caching ({_fix_hint(path)})"
        )


def _open_subdir(parent_fd: int, name: str, path: str, create: bool) -> int | None:
    """Open directory ``name`` below ``parent_fd`` without following a symlink; None if absent."""
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except FileNotFoundError:
        if not create:
            return None
        try:
            os.mkdir(name, 0o700, dir_fd=parent_fd)
        except FileExistsError:
            pass
        fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR):
            raise
        # a symlink or a file where a directory of ours belongs: never followed
        if not create:
            return None
        os.unlink(name, dir_fd=parent_fd)
        os.mkdir(name, 0o700, dir_fd=parent_fd)
        fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
    try:
        _check_private(fd, path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_regular(dir_fd: int, name: str, limit: int | None = None, *, touch: bool = False) -> bytes | None:
    """The bytes of regular file ``name`` (at most ``limit``), or None when absent.

    Raises ``_NotRegular`` for anything but a regular file owned by the user. ``touch`` marks
    the file as used (its modification time is the LRU clock).
    """
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EACCES, errno.EPERM, errno.EISDIR):
            raise _NotRegular(name) from exc
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != _uid():
            raise _NotRegular(name)
        want = st.st_size if limit is None else min(st.st_size, limit)
        chunks, total = [], 0
        while total < want:
            chunk = os.read(fd, want - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        with contextlib.suppress(OSError):
            if touch:
                os.utime(fd)
        return b"".join(chunks)
    finally:
        os.close(fd)


class _NotRegular(Exception):
    pass


def _parse_header(raw: bytes) -> tuple[dict, int] | None:
    """The header of an entry and where its payload starts; None unless the header has the expected shape."""
    if not raw.startswith(MAGIC):
        return None
    end = raw.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_HEADER)
    if end < 0:
        return None
    try:
        header = json.loads(raw[len(MAGIC) : end])
    except ValueError:
        return None
    if not _header_shape_ok(header):
        return None
    return header, end + 1


def _header_shape_ok(header) -> bool:
    if not isinstance(header, dict):
        return False
    kind, key, size, digest = header.get("kind"), header.get("key"), header.get("size"), header.get("sha256")
    return (
        isinstance(kind, str)
        and _KIND_RE.match(kind) is not None
        and isinstance(key, str)
        and _KEY_RE.match(key) is not None
        and isinstance(size, int)
        and not isinstance(size, bool)
        and size >= 0
        and isinstance(digest, str)
        and _HEX64_RE.match(digest) is not None
        and isinstance(header.get("description", ""), str)
        and isinstance(header.get("meta", {}), dict)
        and isinstance(header.get("created", 0), (int, float))
    )


def _decode(raw: bytes, kind: str, key: str) -> bytes | None:
    parsed = _parse_header(raw)
    if parsed is None:
        return None
    header, start = parsed
    if header["kind"] != kind or header["key"] != key:
        return None
    payload = raw[start:]
    if len(payload) != header["size"] or hashlib.sha256(payload).hexdigest() != header["sha256"]:
        return None
    return payload


class DiskCache:
    """A directory of cache entries, addressed by ``(kind, key)``.

    Args:
        root: the cache directory; created (mode 0700) on the first write.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     cache = DiskCache(tmp)
        ...     cache.put("demo", "0123abcd" * 8, b"abc", description="demo entry")
        ...     cache.get("demo", "0123abcd" * 8)
        True
        b'abc'
    """

    def __init__(self, root: str | os.PathLike) -> None:
        if not isinstance(root, (str, os.PathLike)) or not str(root):
            raise TypeError(
                f"Argument 'root' = {_short(root)} must be a directory path (str or os.PathLike), "
                f"not {type(root).__name__}."
            )
        self.root = Path(root)
        self._warned = False

    # -- paths and directories ---------------------------------------------------------------

    def _parts(self, kind: str, key: str) -> tuple[list[str], str]:
        check_kind(kind)
        check_key(key)
        return [FORMAT_DIR, kind, key[:2]], key + _SUFFIX

    def _open_root(self, create: bool) -> int | None:
        root = str(self.root)
        if create and not self.root.is_dir():
            os.makedirs(root, mode=0o700, exist_ok=True)
        try:
            fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
        except (FileNotFoundError, NotADirectoryError):
            if create:
                raise
            return None
        try:
            _check_private(fd, root)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _open_dir(self, parts: list[str], create: bool) -> int | None:
        """The fd of ``root/parts...`` after the safety checks of every level; None when absent."""
        fd = self._open_root(create)
        path = str(self.root)
        for name in parts:
            if fd is None:
                break
            path = os.path.join(path, name)
            try:
                child = _open_subdir(fd, name, path, create)
            finally:
                os.close(fd)
            fd = child
        return fd

    @contextlib.contextmanager
    def _dir(self, parts: list[str], create: bool) -> Iterator[int | None]:
        fd = self._open_dir(parts, create)
        try:
            yield fd
        finally:
            if fd is not None:
                os.close(fd)

    def usable(self) -> str | None:
        """Return None if the cache directory passes the safety checks (or does not exist yet), else why not.

        Example:
            >>> DiskCache("/nonexistent-nvmath-cache").usable() is None
            True
        """
        try:
            with self._dir([FORMAT_DIR], create=False):
                return None
        except _Unusable as exc:
            return str(exc)
        except OSError as exc:
            return f"cannot open the cache directory {self.root} ({exc})"

    # -- entries -------------------------------------------------------------------------------

    def get(self, kind: str, key: str) -> bytes | None:
        """Return the payload stored under ``(kind, key)``, or None if absent, corrupt or not trusted.

        Raises:
            ValueError: ``kind`` or ``key`` is not a safe path component.
        """
        parts, name = self._parts(kind, key)
        try:
            with self._dir(parts, create=False) as dfd:
                if dfd is None:
                    return None
                try:
                    raw = _read_regular(dfd, name, touch=True)
                except _NotRegular:
                    raw = b""
                if raw is None:
                    return None
                payload = _decode(raw, kind, key)
                if payload is None:
                    _log.warning(
                        "nvmath cache: entry %s is corrupt or not trusted; it will be rebuilt", self._show(parts, name)
                    )
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=dfd)
                return payload
        except _Unusable as exc:
            self._warn(str(exc))
        except OSError as exc:
            self._warn(f"cannot read the cache entry {self._show(parts, name)} ({exc}); compiling without caching")
        return None

    def put(self, kind: str, key: str, payload: bytes, *, description: str = "", meta: dict | None = None) -> bool:
        """Store ``payload`` atomically, then evict the least recently used entries above the size cap.

        Return False (after one warning) if the cache is not usable or not writable, or if the
        payload alone is larger than the cap.

        Raises:
            ValueError: ``kind`` or ``key`` is not a safe path component.
        """
        parts, name = self._parts(kind, key)
        if not isinstance(payload, bytes):
            raise TypeError(f"Argument 'payload' = {_short(payload)} must be bytes, not {type(payload).__name__}.")
        _check_description_meta(description, meta)
        cap = max_bytes()
        header = {
            "kind": kind,
            "key": key,
            "description": str(description),
            "sha256": hashlib.sha256(payload).hexdigest(),
            "size": len(payload),
            "created": time.time(),
            "meta": meta or {},
        }
        blob = MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + payload
        if len(blob) > cap:
            _log.info(
                "nvmath cache: %s %s (%d bytes) is larger than the cap (%d bytes); not stored",
                kind,
                key[:16],
                len(blob),
                cap,
            )
            return False
        try:
            with self._dir(parts, create=True) as dfd:
                directory = os.path.join(str(self.root), *parts)
                fd, tmp = tempfile.mkstemp(dir=directory, prefix=_TMP_PREFIX, suffix=_SUFFIX)
                try:
                    with os.fdopen(fd, "wb") as f:
                        f.write(blob)
                    os.replace(os.path.basename(tmp), name, src_dir_fd=dfd, dst_dir_fd=dfd)
                except BaseException:
                    _unlink_quietly(tmp)
                    raise
        except _Unusable as exc:
            self._warn(str(exc))
            return False
        except OSError as exc:
            self._warn(f"cannot write to the cache directory {self.root} ({exc}); compiling without caching")
            return False
        self.evict(cap, keep=self._show(parts, name))
        return True

    def _show(self, parts: list[str], name: str) -> str:
        return os.path.join(str(self.root), *parts, name)

    # -- build lock ------------------------------------------------------------------------

    @contextlib.contextmanager
    def build_lock(self, kind: str, key: str, timeout: float | None = None) -> Iterator[bool]:
        """Hold the lock of ``(kind, key)`` while building it; yield whether the lock is held.

        Waits up to ``timeout`` seconds (default :func:`lock_timeout`) for another process or
        thread building the same entry; a lock whose holder died is free at once (``flock``).
        Yields False, without waiting further, when no lock can be had (timeout, cache unusable,
        no ``fcntl``): the caller then builds anyway.

        Example:
            >>> import tempfile
            >>> with tempfile.TemporaryDirectory() as tmp:
            ...     with DiskCache(tmp).build_lock("demo", "0123abcd" * 8) as held:
            ...         held
            True
        """
        parts, _ = self._parts(kind, key)
        name = key + _LOCK_SUFFIX
        timeout = lock_timeout() if timeout is None else _check_seconds("timeout", timeout)
        dfd = fd = None
        if fcntl is not None:
            try:
                dfd = self._open_dir(parts, create=True)
                fd = self._acquire(dfd, name, timeout)
            except (_Unusable, OSError) as exc:
                _log.debug("nvmath cache: no build lock for %s %s (%s)", kind, key[:16], exc)
        if fd is None:
            if dfd is not None:
                os.close(dfd)
            yield False
            return
        try:
            yield True
        finally:
            with contextlib.suppress(OSError):  # unlink while holding: waiters then retry on a fresh file
                os.unlink(name, dir_fd=dfd)
            os.close(fd)
            os.close(dfd)

    def _acquire(self, dfd: int, name: str, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        delay = 0.01
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        while True:
            try:
                fd = os.open(name, flags, 0o600, dir_fd=dfd)
            except OSError as exc:
                if exc.errno == errno.ELOOP:  # a symlink in place of the lock: remove it, never follow it
                    os.unlink(name, dir_fd=dfd)
                    continue
                raise
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                os.close(fd)
                os.unlink(name, dir_fd=dfd)
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    _log.warning(
                        "nvmath cache: waited %.0f s for another process building %s; building it here "
                        "(NVMATH_CACHE_LOCK_TIMEOUT)",
                        timeout,
                        name,
                    )
                    return None
                time.sleep(delay)
                delay = min(delay * 1.5, 0.25)
                continue
            try:  # the holder unlinks the file before releasing it: a lock on an unlinked file is stale
                current = os.stat(name, dir_fd=dfd, follow_symlinks=False)
            except FileNotFoundError:
                current = None
            if current is not None and (current.st_ino, current.st_dev) == (st.st_ino, st.st_dev):
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
                    os.write(fd, f"{os.getpid()}\n".encode())
                return fd
            os.close(fd)

    # -- listing, eviction, maintenance ----------------------------------------------------

    def _walk(self) -> Iterator[tuple[str, os.stat_result]]:
        """``(path, lstat)`` of every file below the format directory, never following symlinks."""
        base = self.root / FORMAT_DIR
        if self.usable() is not None:
            return
        stack = [str(base)]
        while stack:
            directory = stack.pop()
            try:
                with os.scandir(directory) as it:
                    items = list(it)
            except OSError:
                continue
            for item in items:
                try:
                    st = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    stack.append(item.path)
                else:
                    yield item.path, st

    def entries(self) -> list[tuple[Path, dict]]:
        """Return ``(path, header)`` for every entry whose header is well formed (regular files only).

        Example:
            >>> DiskCache("/nonexistent-nvmath-cache").entries()
            []
        """
        found = []
        for path, st in sorted(self._walk()):
            name = os.path.basename(path)
            if not stat.S_ISREG(st.st_mode) or not name.endswith(_SUFFIX) or name.startswith(_TMP_PREFIX):
                continue
            header = _read_header(path)
            if header is not None:
                found.append((Path(path), header))
        return found

    def info(self) -> dict:
        """Return the location, the size cap, the number of entries and bytes, per kind and in total.

        Example:
            >>> DiskCache("/nonexistent-nvmath-cache").info()["entries"]
            0
        """
        kinds: dict[str, dict[str, int]] = {}
        for path, header in self.entries():
            k = kinds.setdefault(header["kind"], {"entries": 0, "bytes": 0})
            k["entries"] += 1
            with contextlib.suppress(OSError):
                k["bytes"] += path.stat(follow_symlinks=False).st_size
        try:
            cap: int | str = max_bytes()
        except ValueError as exc:
            cap = str(exc)
        return {
            "location": str(self.root),
            "enabled": cache_enabled(),
            "problem": self.usable(),
            "max_bytes": cap,
            "entries": sum(k["entries"] for k in kinds.values()),
            "bytes": sum(k["bytes"] for k in kinds.values()),
            "kinds": kinds,
        }

    def evict(self, limit: int | None = None, *, keep: str | None = None) -> list[str]:
        """Delete the least recently used entries until the entries take at most ``limit`` bytes.

        ``limit`` defaults to :func:`max_bytes`; ``keep`` (a path) is never evicted. A read
        counts as a use. Return the paths removed.

        Example:
            >>> DiskCache("/nonexistent-nvmath-cache").evict(1)
            []
        """
        limit = max_bytes() if limit is None else _check_limit(limit)
        files = [
            (st.st_mtime, st.st_size, path)
            for path, st in self._walk()
            if stat.S_ISREG(st.st_mode)
            and path.endswith(_SUFFIX)
            and not os.path.basename(path).startswith(_TMP_PREFIX)
        ]
        total = sum(size for _, size, _ in files)
        removed = []
        for _, size, path in sorted(files):
            if total <= limit:
                break
            if path == keep:
                continue
            if _unlink_quietly(path):
                removed.append(path)
                total -= size
        if removed:
            _log.info("nvmath cache: evicted %d least recently used entries (cap %d bytes)", len(removed), limit)
        return removed

    def prune(self, limit: int | None = None) -> dict:
        """Evict down to the size cap and remove leftovers: corrupt entries, symlinks, FIFOs and other
        non-regular files, temporary files of dead writers and unheld locks.

        Return the counts removed per category.

        Example:
            >>> DiskCache("/nonexistent-nvmath-cache").prune()["evicted"]
            0
        """
        if limit is not None:
            _check_limit(limit)
        counts = {"corrupt": 0, "not_regular": 0, "leftovers": 0, "evicted": 0}
        now = time.time()
        for path, st in list(self._walk()):
            name = os.path.basename(path)
            if not stat.S_ISREG(st.st_mode):
                counts["not_regular"] += _unlink_quietly(path)
            elif name.startswith(_TMP_PREFIX):
                if now - st.st_mtime > _STALE_SECONDS:
                    counts["leftovers"] += _unlink_quietly(path)
            elif name.endswith(_LOCK_SUFFIX):
                counts["leftovers"] += _remove_unheld_lock(path)
            elif not name.endswith(_SUFFIX) or not _entry_intact(path):
                counts["corrupt"] += _unlink_quietly(path)
        counts["evicted"] = len(self.evict(limit))
        return counts

    def clear(self) -> int:
        """Delete every entry (and leftover temporary file); return how many entries were removed."""
        removed = 0
        for path, st in list(self._walk()):
            name = os.path.basename(path)
            is_entry = stat.S_ISREG(st.st_mode) and name.endswith(_SUFFIX) and not name.startswith(_TMP_PREFIX)
            if _unlink_quietly(path):
                removed += is_entry
        return removed

    def _warn(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            warnings.warn(f"nvmath cache: {message}", CacheWarning, stacklevel=4)
        _log.debug("nvmath cache: %s", message)


def _check_limit(limit) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise ValueError(f"Argument 'limit' = {_short(limit)} must be a byte count (an integer >= 0) or None.")
    return limit


def _check_seconds(name: str, value) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0:
        raise ValueError(f"Argument '{name}' = {_short(value)} must be a number of seconds >= 0 (or None).")
    return float(value)


def _check_description_meta(description, meta) -> None:
    if not isinstance(description, str):
        raise TypeError(
            f"Argument 'description' = {_short(description)} must be a str, not {type(description).__name__}."
        )
    if meta is not None and not isinstance(meta, dict):
        raise TypeError(f"Argument 'meta' = {_short(meta)} must be a dict or None, not {type(meta).__name__}.")


def _read_header(path: str | os.PathLike) -> dict | None:
    directory, name = os.path.split(str(path))
    try:
        dfd = os.open(directory, _DIR_FLAGS)
    except OSError:
        return None
    try:
        head = _read_regular(dfd, name, limit=len(MAGIC) + _MAX_HEADER + 1)
    except (_NotRegular, OSError):
        return None
    finally:
        os.close(dfd)
    parsed = _parse_header(head or b"")
    return parsed[0] if parsed else None


def _entry_intact(path: str) -> bool:
    directory, name = os.path.split(path)
    try:
        dfd = os.open(directory, _DIR_FLAGS)
    except OSError:
        return False
    try:
        raw = _read_regular(dfd, name, limit=None)
    except (_NotRegular, OSError):
        return False
    finally:
        os.close(dfd)
    parsed = _parse_header(raw or b"")
    if parsed is None:
        return False
    header = parsed[0]
    if name != header["key"] + _SUFFIX or os.path.basename(os.path.dirname(directory)) != header["kind"]:
        return False
    return _decode(raw, header["kind"], header["key"]) is not None


def _remove_unheld_lock(path: str) -> int:
    if fcntl is None:
        return 0
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return 0
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return 0  # held by a live builder
    try:
        return _unlink_quietly(path)
    finally:
        os.close(fd)


def _unlink_quietly(path) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0


def make_key(kind: str, key_parts: dict) -> str:
    """Return the SHA-256 key of ``key_parts`` together with the kind and the toolchain versions.

    Example:
        >>> len(make_key("ltoir", {"source": "x"}))  # doctest: +SKIP
        64
    """
    from nvmath.compile.toolchain import fingerprint

    check_kind(kind)
    if not isinstance(key_parts, dict):
        raise TypeError(f"Argument 'key_parts' = {_short(key_parts)} must be a dict, not {type(key_parts).__name__}.")
    document = {"kind": kind, "parts": key_parts, "toolchain": fingerprint()}
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=_json_default).encode()).hexdigest()


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _json_default(value):
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, (tuple, set, frozenset)):
        return list(value)
    raise TypeError(
        f"Argument 'key_parts': {_short(value)} of type {type(value).__name__} is not JSON-serialisable "
        "(use str, int, float, bool, None, bytes, lists, tuples and dicts)."
    )


_default_cache: DiskCache | None = None
_default_lock = threading.Lock()


def get_cache() -> DiskCache:
    """Return the cache at :func:`default_cache_dir` (re-read if ``NVMATH_CACHE_DIR`` changed).

    Example:
        >>> get_cache().root == default_cache_dir()
        True
    """
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
        check_kind(kind)
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

    Several processes or threads asking for the same missing entry build it once: one builds
    under a lock, the others wait and then read it.

    Args:
        kind: a short name for the kind of entry (``"nvrtc-ltoir"``, ``"cubin"``, ...): letters,
            digits, ``.``, ``_``, ``-``.
        key_parts: everything the result depends on (JSON-serialisable; bytes are hashed).
            The toolchain versions are added automatically.
        build: makes the bytes on a miss (and always when the cache is disabled).
        description: what is built, for logs and ``python -m nvmath cache info``.
        meta: extra JSON metadata stored in the entry's header.
        logger: overrides the package logger.

    Raises:
        ValueError: ``kind`` is not a valid kind.
        TypeError: ``build`` is not callable, returns something other than bytes, or
            ``key_parts`` is not JSON-serialisable.

    Example:
        >>> cached("demo", {"value": 42}, lambda: b"forty-two", description="demo")  # doctest: +SKIP
        b'forty-two'
    """
    check_kind(kind)
    if not callable(build):
        raise TypeError(f"Argument 'build' = {_short(build)} must be a callable returning bytes.")
    _check_description_meta(description, meta)
    if not isinstance(key_parts, dict):
        raise TypeError(f"Argument 'key_parts' = {_short(key_parts)} must be a dict, not {type(key_parts).__name__}.")
    log = get_logger(logger)
    what = f"{kind} {description}".strip()
    if not cache_enabled():
        with log_duration(log, f"building {what} (cache disabled)"):
            return _as_bytes(build())
    key = make_key(kind, key_parts)
    disk = get_cache()
    payload = disk.get(kind, key)
    if payload is not None:
        log.debug("cache hit: %s (%s)", what, key[:16])
        return payload
    with disk.build_lock(kind, key) as held:
        if held:  # another process or thread may have built it while we waited
            payload = disk.get(kind, key)
            if payload is not None:
                log.debug("cache hit after waiting: %s (%s)", what, key[:16])
                return payload
        with log_duration(log, f"building {what}"):
            payload = _as_bytes(build())
        disk.put(kind, key, payload, description=description, meta=meta)
    return payload


def _as_bytes(payload) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, (bytearray, memoryview)):
        return bytes(payload)
    raise TypeError(
        f"Argument 'build' returned {type(payload).__name__}, not bytes: it must return the bytes to cache."
    )
