"""Device memory for nvmath's host APIs: the allocator protocol and the default allocators.

Workspace (and, for host operands, the device copies of the operand and result) comes from
``options.allocator`` when given, else from the operand package's own pool: CuPy's memory
pool for CuPy arrays, PyTorch's caching allocator for tensors, and ``cuda.core``'s
stream-ordered device memory resource for NumPy arrays and CPU tensors.

A user allocator is any object with ``memalloc(size) -> MemoryPointer`` (see
:class:`BaseCUDAMemoryManager`). It is called with the target device current. Memory is
released by :meth:`MemoryPointer.free` (directly or when the pointer is garbage collected);
nvmath synchronizes the stream it used before releasing memory from a user allocator, so the
allocator need not be stream-ordered.

Example:
    >>> import nvmath
    >>> class Recorder:
    ...     def __init__(self):
    ...         self.sizes = []
    ...     def memalloc(self, size):
    ...         self.sizes.append(size)
    ...         return nvmath.MemoryPointer(0, size, finalizer=None)
    >>> isinstance(Recorder(), nvmath.BaseCUDAMemoryManager)
    True
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = [
    "BaseCUDAMemoryManager",
    "CudaCoreMemoryManager",
    "CupyMemoryManager",
    "MemoryPointer",
    "TorchMemoryManager",
    "allocate",
    "default_memory_manager",
]


class MemoryPointer:
    """Owning handle of a block of device memory.

    Args:
        device_ptr: the device address (int).
        size: the size in bytes.
        finalizer: called once, with no arguments, to release the memory (None: nothing to do).

    Example:
        >>> freed = []
        >>> p = MemoryPointer(0x1000, 256, finalizer=lambda: freed.append(True))
        >>> p.free(); p.free(); freed
        [True]
    """

    __slots__ = ("device_ptr", "size", "_finalizer", "_owner")

    def __init__(self, device_ptr: int, size: int, finalizer: Callable[[], None] | None = None):
        self._finalizer = None  # first: __del__ of a refused pointer must find it
        self.device_ptr = _nonnegative_int("device_ptr", device_ptr, "a device address")
        self.size = _nonnegative_int("size", size, "a size in bytes")
        if finalizer is not None and not callable(finalizer):
            raise TypeError(
                f"Argument 'finalizer' = {_short(finalizer)} must be callable (with no arguments) or None, not "
                f"{type(finalizer).__name__}."
            )
        self._finalizer = finalizer
        self._owner = None  # keeps a package buffer alive (CuPy MemoryPointer, tensor, Buffer)

    def free(self) -> None:
        """Release the memory now (idempotent)."""
        finalizer, self._finalizer = self._finalizer, None
        self._owner = None
        if finalizer is not None:
            finalizer()

    def __del__(self):
        try:
            self.free()
        except Exception:  # never raise from a finalizer during interpreter shutdown
            pass

    def __repr__(self) -> str:
        return f"MemoryPointer(device_ptr={self.device_ptr:#x}, size={self.size})"


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _nonnegative_int(name: str, value, what: str) -> int:
    """``value`` as an int if it is an integer (not bool, float or str) >= 0, else raise naming ``name``."""
    if value.__class__ is not int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(
                f"Argument {name!r} = {_short(value)} must be an int >= 0 ({what}), not {type(value).__name__}."
            )
        value = int(value)
    if value < 0:
        raise ValueError(f"Argument {name!r} = {value} must be an int >= 0 ({what}).")
    return value


def _check_device_id(device_id) -> int:
    if isinstance(device_id, bool) or not isinstance(device_id, int):
        raise TypeError(
            f"Argument 'device_id' = {_short(device_id)} must be an int >= 0 (a CUDA device ordinal), not "
            f"{type(device_id).__name__}."
        )
    if device_id < 0:
        raise ValueError(f"Argument 'device_id' = {device_id} must be an int >= 0 (a CUDA device ordinal).")
    return device_id


@runtime_checkable
class BaseCUDAMemoryManager(Protocol):
    """What ``options.allocator`` must provide: ``memalloc(size) -> MemoryPointer``.

    ``memalloc`` is called with the target device current; the returned memory must stay
    valid until :meth:`MemoryPointer.free` is called. An allocator may also define
    ``memalloc_async(size, stream)`` (stream as an int handle): nvmath then prefers it, and
    frees the memory without synchronizing first.

    Example:
        >>> class Mine:
        ...     def memalloc(self, size):
        ...         return MemoryPointer(0, size)
        >>> isinstance(Mine(), BaseCUDAMemoryManager)
        True
    """

    def memalloc(self, size: int) -> MemoryPointer:
        """Allocate ``size`` bytes on the current device."""
        ...


def _wrap(ptr: int, size: int, owner) -> MemoryPointer:
    pointer = MemoryPointer(ptr, size, finalizer=None)
    pointer._owner = owner
    return pointer


class CupyMemoryManager:
    """Allocate from CuPy's memory pool (the default for CuPy operands).

    Example:
        >>> CupyMemoryManager(0).memalloc_async(1024, 0)  # doctest: +SKIP
        MemoryPointer(device_ptr=0x..., size=1024)
    """

    def __init__(self, device_id: int):
        self.device_id = _check_device_id(device_id)

    def memalloc(self, size: int) -> MemoryPointer:
        import cupy

        with cupy.cuda.Device(self.device_id):
            block = cupy.cuda.alloc(size)
        return _wrap(block.ptr, size, block)

    def memalloc_async(self, size: int, stream: int) -> MemoryPointer:
        import cupy

        from nvmath.host.streams import package_stream

        with package_stream("cupy", stream, self.device_id):
            block = cupy.cuda.alloc(size)
        return _wrap(block.ptr, size, block)


class TorchMemoryManager:
    """Allocate from PyTorch's caching allocator (the default for CUDA tensors).

    Example:
        >>> TorchMemoryManager(0).memalloc_async(1024, 0)  # doctest: +SKIP
        MemoryPointer(device_ptr=0x..., size=1024)
    """

    def __init__(self, device_id: int):
        self.device_id = _check_device_id(device_id)

    def memalloc(self, size: int) -> MemoryPointer:
        import torch

        block = torch.empty(size, dtype=torch.uint8, device=f"cuda:{self.device_id}")
        return _wrap(block.data_ptr(), size, block)

    def memalloc_async(self, size: int, stream: int) -> MemoryPointer:
        import torch

        from nvmath.host.streams import package_stream

        with package_stream("torch", stream, self.device_id):
            block = torch.empty(size, dtype=torch.uint8, device=torch.device("cuda", self.device_id))
        return _wrap(block.data_ptr(), size, block)


class CudaCoreMemoryManager:
    """Allocate from ``cuda.core``'s stream-ordered device memory resource (host operands).

    Example:
        >>> CudaCoreMemoryManager(0).memalloc_async(1024, 0)  # doctest: +SKIP
        MemoryPointer(device_ptr=0x..., size=1024)
    """

    def __init__(self, device_id: int):
        self.device_id = _check_device_id(device_id)

    def memalloc(self, size: int) -> MemoryPointer:
        from nvmath.host.devices import core_device

        device = core_device(self.device_id)
        buffer = device.allocate(max(size, 1), stream=device.default_stream)
        return _wrap(int(buffer.handle), size, buffer)

    def memalloc_async(self, size: int, stream: int) -> MemoryPointer:
        from cuda.core import Stream

        from nvmath.host.devices import core_device

        cuda_stream = Stream.from_handle(stream)
        buffer = core_device(self.device_id).allocate(max(size, 1), stream=cuda_stream)
        pointer = MemoryPointer(int(buffer.handle), size, finalizer=lambda: buffer.close(cuda_stream))
        return pointer


#: The ``package`` values of :func:`default_memory_manager`: ``"numpy"`` and ``"cuda"`` mean ``"host"``.
PACKAGES = ("cupy", "torch", "host", "numpy", "cuda")


def default_memory_manager(package: str, device_id: int):
    """The allocator nvmath uses for ``package`` (``"cupy"``, ``"torch"`` or ``"host"``, also
    spelt ``"numpy"`` or ``"cuda"``: cuda.core's memory resource), one shared object per
    package and device.

    Raises:
        ValueError / TypeError: ``package`` not one of :data:`PACKAGES`, ``device_id`` not an int >= 0.

    Example:
        >>> type(default_memory_manager("host", 0)).__name__
        'CudaCoreMemoryManager'
    """
    if package.__class__ is not str:
        raise TypeError(
            f"Argument 'package' = {_short(package)} must be a str, one of {', '.join(repr(p) for p in PACKAGES)}."
        )
    if package not in PACKAGES:
        raise ValueError(
            f"Argument 'package' = {_short(package)} is not supported: allowed values are "
            f"{', '.join(repr(p) for p in PACKAGES)}."
        )
    return _default_memory_manager("host" if package in ("numpy", "cuda") else package, _check_device_id(device_id))


@functools.cache
def _default_memory_manager(package: str, device_id: int):
    if package == "cupy":
        return CupyMemoryManager(device_id)
    if package == "torch":
        return TorchMemoryManager(device_id)
    return CudaCoreMemoryManager(device_id)


def allocate(manager, size: int, stream: int) -> tuple[MemoryPointer, bool]:
    """Allocate ``size`` bytes from ``manager`` for use on ``stream``.

    Returns the pointer and whether it is stream-ordered (if not, the caller synchronizes the
    stream before freeing it).

    Example:
        >>> allocate(default_memory_manager("host", 0), 1024, 0)  # doctest: +SKIP
        (MemoryPointer(device_ptr=0x..., size=1024), True)
    """
    memalloc_async = getattr(manager, "memalloc_async", None)
    memalloc = memalloc_async or getattr(manager, "memalloc", None)
    if not callable(memalloc):
        raise TypeError(
            f"Argument 'manager' = {_short(manager)} is not an allocator: it needs a method memalloc(size) -> "
            "MemoryPointer (see nvmath.BaseCUDAMemoryManager)."
        )
    size = _nonnegative_int("size", size, "bytes to allocate")
    if memalloc_async is not None:
        pointer = memalloc_async(size, stream)
        ordered = True
    else:
        pointer = memalloc(size)
        ordered = False
    if not isinstance(pointer, MemoryPointer):
        raise TypeError(
            f"The allocator {manager!r} returned {type(pointer).__name__} from memalloc: it must return "
            "an nvmath.MemoryPointer."
        )
    return pointer, ordered
