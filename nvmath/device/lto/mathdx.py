"""The library-agnostic half of code generation through libmathdx (cuFFTDx, cuBLASDx).

A library describes each piece of work as a *request*: a frozen dataclass with

- ``cache_kind`` (class attribute): the disk-cache kind of its results;
- ``key() -> dict``: everything the result depends on (JSON-serialisable);
- ``from_key(key) -> request`` (classmethod): the inverse, for worker processes;
- ``build() -> bytes``: do the work through libmathdx in this process (LTO-IR, or JSON for
  trait queries that compile);
- ``describe() -> str``: a short text for logs.

This module runs requests: :func:`generate` returns the bytes (disk cache, then an in-memory
future shared by every caller, else built here); :func:`prefetch` starts the work in the
background so that it overlaps with whatever the caller does next (typing a Numba kernel,
querying traits). The first background request runs in a thread of this process; requests
started while it runs go to worker processes (:mod:`nvmath.device.lto.codegen_worker`),
because libmathdx serves one call at a time within a process (:data:`LIBMATHDX_LOCK`).
``NVMATH_CODEGEN_WORKERS`` (default: the CPU count, 4 to 8) bounds how many run at once; ``0`` turns background
work off (requests are then built when first needed, here).

Workers run ``python -I`` (no current directory, no ``PYTHON*`` variables) with the parent's
``sys.path``, the directory of the parent's ``nvmath`` first, so they import the same code. A
worker that fails is reported once (:class:`CodegenWarning`) and the request is built here.

Example:
    >>> from nvmath.device.lto import mathdx
    >>> mathdx.library_versions()["libmathdx"]
    '0.4.1'
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import importlib
import json
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from nvmath._logging import get_logger
from nvmath.bindings import mathdx

__all__ = [
    "LIBMATHDX_LOCK",
    "CodegenWarning",
    "Request",
    "generate",
    "library_versions",
    "ltoir_from_code",
    "prefetch",
]

# libmathdx calls of this process run one at a time (a descriptor lives under the lock), so a
# background code generation and a trait query never meet inside the library.
LIBMATHDX_LOCK = threading.RLock()

# The modules whose request types a worker process may build (nothing else is imported there).
WORKER_MODULES = ("nvmath.device.lto.fft", "nvmath.device.lto.matmul", "nvmath.device.lto.matmul_pipeline")

# A worker's exit status when libmathdx refused the request (its MathdxError is on stderr as JSON).
LIBRARY_ERROR_EXIT = 3


class CodegenWarning(UserWarning):
    """A code-generation worker process failed; the work was done in this process instead."""


class Request(Protocol):
    """What :func:`generate` and :func:`prefetch` run (see the module docstring)."""

    cache_kind: str

    def key(self) -> dict: ...

    @classmethod
    def from_key(cls, key: dict) -> Request: ...

    def build(self) -> bytes: ...

    def describe(self) -> str: ...


@functools.cache
def library_versions() -> dict[str, str]:
    """The libmathdx version and commit, and the versions of the libraries inside it.

    Every request's cache key includes these (the cache adds the toolchain's own).

    Example:
        >>> sorted(library_versions())
        ['cublasdx', 'cufftdx', 'libmathdx', 'libmathdx_commit']
    """
    return {
        "libmathdx": ".".join(map(str, mathdx.mathdx_get_version_ex())),
        "libmathdx_commit": mathdx.mathdx_get_commit(),
        "cufftdx": ".".join(map(str, mathdx.cufftdx_get_version())),
        "cublasdx": ".".join(map(str, mathdx.cublasdx_get_version())),
    }


def ltoir_from_code(sm: int, finalize: Callable[[int], None], what: str) -> bytes:
    """Create a libmathdx code object for ``sm``, let ``finalize(code)`` fill it, return its one LTO-IR.

    Args:
        sm: compute capability as an integer, e.g. 90 (``TARGET_SM`` is ``sm * 10``).
        finalize: e.g. ``lambda code: mathdx.cufftdx_finalize_code(code, handle)``.
        what: names the code in the error raised if libmathdx returns other than one chunk.

    Example:
        >>> ltoir_from_code(90, lambda code: mathdx.cufftdx_finalize_code(code, h), "fft")  # doctest: +SKIP
        b'...'
    """
    with LIBMATHDX_LOCK:
        code = mathdx.commondx_create_code()
        try:
            mathdx.commondx_set_code_option_int64(code, mathdx.CommondxOption.TARGET_SM, sm * 10)
            finalize(code)
            chunks = mathdx.commondx_get_code_ltoirs(code)
        finally:
            mathdx.commondx_destroy_code(code)
    if len(chunks) != 1:
        raise RuntimeError(f"libmathdx returned {len(chunks)} LTO-IR chunks for {what}; expected 1.")
    return chunks[0]


# --------------------------------------------------------------------------------------------
# Running requests: disk cache, in-memory futures, this process or a worker process
# --------------------------------------------------------------------------------------------


def _cache_key(request: Request) -> dict:
    return {**request.key(), **library_versions()}


def _build_here(request: Request) -> bytes:
    """Build ``request`` in this process; where libmathdx fails for this process, in a clean worker.

    libmathdx 0.4.1's cuBLASDx queries fail in processes that loaded some libraries before it:
    with ``COMMONDX_INTERNAL_ERROR`` and no error text, and (measured on the H200 host, after
    ``import torch``) with compile errors that the same request does not have in a new process.
    A ``python -I`` worker, which imports no more than the binding, builds it; its error, if it
    fails too, is the one raised.
    """
    with LIBMATHDX_LOCK:
        try:
            return request.build()
        except mathdx.MathdxError as exc:
            internal = exc.status == mathdx.CommondxStatusType.INTERNAL_ERROR and not exc.detail
            if not (internal or "torch" in sys.modules):
                raise
            error = exc
    get_logger().info("libmathdx failed in this process; building %s in a clean worker", request.describe())
    try:
        return _build_in_worker(request)
    except mathdx.MathdxError:  # libmathdx refused it in a clean process too: that error
        raise
    except (OSError, RuntimeError):  # no worker either: this process's error is the one to see
        raise error from None


def _cached_build(request: Request, *, in_worker: bool = False) -> bytes:
    """The request's bytes from the disk cache, else built here or in a worker process."""
    from nvmath.compile import cached

    build = (lambda: _build_in_worker_or_here(request)) if in_worker else (lambda: _build_here(request))
    # cached() logs the build at INFO with its duration.
    return cached(request.cache_kind, _cache_key(request), build, description=request.describe(), logger=get_logger())


_futures: dict[Any, concurrent.futures.Future] = {}
_futures_lock = threading.Lock()
_executor: concurrent.futures.ThreadPoolExecutor | None = None
_in_process_slot = threading.Lock()  # held while a background request runs in this process
_worker_warned = False


# A cuBLASDx tensor-API kernel asks for 6-10 functions at once: use the cores there are (4 to 8).
_DEFAULT_WORKERS = min(8, max(4, os.cpu_count() or 4))


def _codegen_workers() -> int:
    try:
        return max(0, int(os.environ.get("NVMATH_CODEGEN_WORKERS", str(_DEFAULT_WORKERS))))
    except ValueError:
        return _DEFAULT_WORKERS


def _run_in_process_slot(request: Request) -> bytes:
    try:
        return _cached_build(request)
    finally:
        _in_process_slot.release()


def worker_path() -> list[str]:
    """The ``sys.path`` a worker process gets: the directory of this ``nvmath`` first, then the
    absolute entries of this process's ``sys.path`` (never the current directory).

    Example:
        >>> import nvmath, os
        >>> worker_path()[0] == os.path.dirname(os.path.dirname(nvmath.__file__))
        True
    """
    import nvmath

    home = os.path.dirname(os.path.dirname(os.path.abspath(nvmath.__file__)))
    rest = [p for p in sys.path if p and os.path.isabs(p) and p != home]
    return [home, *rest]


# Run by ``python -I -c``: the first line of standard input is the request (with the path).
_BOOTSTRAP = (
    "import json, sys; request = json.loads(sys.stdin.buffer.readline()); sys.path[:] = request['path']; "
    "from nvmath.device.lto.codegen_worker import main; sys.exit(main(request))"
)


def _build_in_worker(request: Request) -> bytes:
    """Build ``request`` in a new ``python -I`` process (:mod:`nvmath.device.lto.codegen_worker`)."""
    message = {
        "path": worker_path(),
        "module": type(request).__module__,
        "type": type(request).__name__,
        "key": request.key(),
    }
    result = subprocess.run(
        [sys.executable, "-I", "-c", _BOOTSTRAP],
        input=json.dumps(message).encode() + b"\n",
        capture_output=True,
        check=False,
    )
    if result.returncode == LIBRARY_ERROR_EXIT:  # libmathdx refused the request: the same error here
        error = json.loads(result.stderr.decode(errors="replace").strip().splitlines()[-1])
        raise mathdx.MathdxError(error["status"], error["function"], error["detail"])
    if result.returncode != 0:
        detail = result.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(
            f"the code-generation worker for {request.describe()} exited with {result.returncode}: "
            + (detail[-1] if detail else "no error text")
        )
    return result.stdout


def _build_in_worker_or_here(request: Request) -> bytes:
    global _worker_warned
    try:
        return _build_in_worker(request)
    except mathdx.MathdxError:  # libmathdx refused the request itself: building here would fail the same way
        raise
    except (OSError, RuntimeError) as exc:
        if not _worker_warned:
            _worker_warned = True
            warnings.warn(
                f"nvmath: {exc}; generating in this process instead (slower when several are needed).",
                CodegenWarning,
                stacklevel=2,
            )
        get_logger().info("code-generation worker failed (%s); building %s here", exc, request.describe())
        return _build_here(request)


def _future_key(request: Request) -> tuple:
    return (type(request), json.dumps(request.key(), sort_keys=True))


def prefetch(request: Request) -> None:
    """Start building ``request`` in the background (if it is not cached, started or built yet).

    Example:
        >>> prefetch(FFTCode(description, "register"))  # doctest: +SKIP
    """
    global _executor
    if _codegen_workers() == 0:
        return
    key = _future_key(request)
    with _futures_lock:
        if key in _futures:
            return
    from nvmath.compile.cache import lookup

    cached_data = lookup(request.cache_kind, _cache_key(request))  # a cache hit needs no thread
    with _futures_lock:
        if key in _futures:
            return
        if cached_data is not None:
            done: concurrent.futures.Future = concurrent.futures.Future()
            done.set_result(cached_data)
            _futures[key] = done
            return
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(_codegen_workers(), thread_name_prefix="nvmath-codegen")
        if _in_process_slot.acquire(blocking=False):
            try:
                _futures[key] = _executor.submit(_run_in_process_slot, request)
            except BaseException:
                _in_process_slot.release()
                raise
        else:  # the thread only waits for the worker process
            _futures[key] = _executor.submit(_cached_build, request, in_worker=True)


def generate(request: Request) -> bytes:
    """Return the bytes of ``request``: from memory, from a background build, the disk cache, or built now.

    Example:
        >>> data = generate(FFTCode(description, "register"))  # doctest: +SKIP
    """
    key = _future_key(request)
    with _futures_lock:
        future = _futures.get(key)
        owner = future is None
        if owner:
            future = concurrent.futures.Future()
            _futures[key] = future
    if owner:
        try:
            future.set_result(_cached_build(request))
        except BaseException as exc:
            future.set_exception(exc)
    try:
        return future.result()
    except BaseException:
        with _futures_lock:  # let a later call try again
            if _futures.get(key) is future:
                del _futures[key]
        raise


def forget_generated() -> None:
    """Drop the in-memory results (the disk cache still answers); for tests.

    Example:
        >>> forget_generated()
    """
    with _futures_lock:
        _futures.clear()


@contextlib.contextmanager
def descriptor(create: Callable[[], int], destroy: Callable[[int], None]) -> Iterator[int]:
    """A libmathdx descriptor handle made by ``create()``, alive under the lock, destroyed on exit.

    Example:
        >>> with descriptor(mathdx.cufftdx_create_descriptor, mathdx.cufftdx_destroy_descriptor) as h:
        ...     h != 0
        True
    """
    with LIBMATHDX_LOCK:
        handle = create()
        try:
            yield handle
        finally:
            destroy(handle)


def request_type(module_name: str, type_name: str) -> type:
    """The request class ``type_name`` of library module ``module_name`` (for the worker).

    Only modules of :data:`WORKER_MODULES` and the classes they list in ``CODEGEN_REQUESTS``
    are accepted.

    Raises:
        ValueError: any other module or class.

    Example:
        >>> request_type("nvmath.device.lto.fft", "FFTCode").__name__
        'FFTCode'
    """
    if module_name not in WORKER_MODULES:
        raise ValueError(f"code-generation requests come from {WORKER_MODULES}, not {module_name!r}")
    module = importlib.import_module(module_name)
    for cls in getattr(module, "CODEGEN_REQUESTS", ()):
        if cls.__name__ == type_name:
            return cls
    raise ValueError(f"{module_name} has no code-generation request {type_name!r}")
