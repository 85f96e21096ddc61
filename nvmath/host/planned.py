"""What every planned host object (``nvmath.fft.FFT``, ``nvmath.linalg.advanced.Matmul``) holds.

Each piece is a small object the planned class keeps as an attribute (composition, no base
class):

- :class:`PlanStream`: the stream the object runs on, resolved from what the user passes
  (int, CuPy, PyTorch or cuda.core stream; None: the operand package's current stream), and
  switched safely (the old stream is synchronized first, since queued work may still use
  the object's memory);
- :class:`Workspace`: device scratch memory from the object's allocator, ordered on its
  stream, allocated when first needed and released on request;
- :class:`ResultPool`: new result arrays of the operand's package for the planned layout,
  with the CuPy result reused when the caller holds no reference to it any more;
- :class:`Lifetime`: freed or not, and the use-after-free error.

Example:
    >>> from nvmath.host.planned import Lifetime
    >>> life = Lifetime("Demo")
    >>> life.check()
    >>> life.end()
    True
    >>> life.check()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nvmath.host.planned.PlanFreedError: This Demo object has been freed (...): create a new Demo.
"""

from __future__ import annotations

import sys

from nvmath.host import streams
from nvmath.host.memory import allocate
from nvmath.host.operands import result_factory

__all__ = ["Freeable", "Lifetime", "PlanFreedError", "PlanStream", "ResultPool", "Workspace"]


class PlanFreedError(RuntimeError):
    """A planned object was used after ``free()`` (or the end of its ``with`` block)."""


class Lifetime:
    """Whether a planned object is alive, and the error for using it after :meth:`end`.

    Args:
        what: the class name, for the message (e.g. ``"FFT"``).
        error: the exception class raised by :meth:`check` (a :class:`PlanFreedError`).

    Example:
        >>> Lifetime("FFT").freed
        False
    """

    __slots__ = ("what", "error", "freed")

    def __init__(self, what: str, error: type[PlanFreedError] = PlanFreedError) -> None:
        self.what = what
        self.error = error
        self.freed = False

    def check(self) -> None:
        """Raise :attr:`error` if the object was freed."""
        if self.freed:
            raise self.error(
                f"This {self.what} object has been freed (free() or the end of its with-block): "
                f"create a new {self.what}."
            )

    def end(self) -> bool:
        """Mark the object freed; True the first time (free() is idempotent)."""
        if self.freed:
            return False
        self.freed = True
        return True

    @staticmethod
    def finalizing() -> bool:
        """Whether the interpreter is shutting down (``__del__`` then frees nothing)."""
        return sys is None or sys.is_finalizing()


class Freeable:
    """``with`` support and freeing on garbage collection for a planned object with ``free()`` and ``_life``.

    ``FFT`` and ``Matmul`` inherit these three methods and nothing else: ``free()`` and the
    :class:`Lifetime` in ``self._life`` are their own.

    Example:
        >>> with nvmath.fft.FFT(x) as f:  # doctest: +SKIP
        ...     f.plan()
    """

    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.free()

    def __del__(self):
        try:
            if not self._life.freed and not Lifetime.finalizing():
                self.free()
        except Exception:  # never raise from a finalizer (e.g. a constructor that failed early)
            pass


class PlanStream:
    """The stream a planned object runs on.

    Args:
        stream: what the user passed (see :func:`nvmath.host.streams.stream_handle`).
        package: whose current stream None means (``"cupy"``, ``"torch"`` or ``"host"``).
        device_id: the device the object runs on.

    Example:
        >>> s = PlanStream(0, package="host", device_id=0)
        >>> s.handle
        0
    """

    __slots__ = ("package", "device_id", "handle")

    def __init__(self, stream, *, package: str, device_id: int) -> None:
        self.package = package
        self.device_id = device_id
        self.handle = streams.stream_handle(stream, package=package, device_id=device_id)

    def resolve(self, stream) -> int:
        """The handle ``stream`` stands for on this object's device (None: the package's current)."""
        return streams.stream_handle(stream, package=self.package, device_id=self.device_id)

    def switch(self, stream) -> bool:
        """Run on ``stream`` from now on; True if it differs from the current one.

        The current stream is synchronized first: work queued there may still use the
        object's buffers.
        """
        handle = self.resolve(stream)
        if handle == self.handle:
            return False
        streams.synchronize(self.handle)
        self.handle = handle
        return True

    def synchronize(self) -> None:
        """Wait for the work queued on the stream."""
        streams.synchronize(self.handle)


class Workspace:
    """Device scratch memory of a planned object, from its allocator, ordered on its stream.

    Args:
        allocator: a :class:`nvmath.BaseCUDAMemoryManager`.

    Example:
        >>> ws = Workspace(allocator)  # doctest: +SKIP
        >>> pointer = ws.ensure(1 << 20, stream_handle)  # doctest: +SKIP
        >>> ws.release(stream_handle)  # doctest: +SKIP
    """

    __slots__ = ("allocator", "size", "_block", "_stream")

    def __init__(self, allocator) -> None:
        self.allocator = allocator
        self.size = 0  # the size the plan needs (0: none)
        self._block = None  # (MemoryPointer, stream-ordered?)
        self._stream = 0

    @property
    def allocated(self) -> bool:
        """Whether memory is held now."""
        return self._block is not None

    @property
    def pointer(self) -> int:
        """The device address of the memory held (0 when none)."""
        return self._block[0].device_ptr if self._block is not None else 0

    def ensure(self, size: int, stream: int) -> int:
        """Hold at least ``size`` bytes (allocated on ``stream`` if needed); return the address (0 for 0 bytes)."""
        self.size = size
        if self._block is not None and self._block[0].size >= size:
            return self._block[0].device_ptr
        self.release(stream)
        if size <= 0:
            return 0
        self._block = allocate(self.allocator, size, stream)
        self._stream = stream
        return self._block[0].device_ptr

    def release(self, stream: int) -> None:
        """Give the memory back; synchronize ``stream`` first unless the memory is stream-ordered on it."""
        block, self._block = self._block, None
        if block is not None:
            pointer, ordered = block
            if not ordered or self._stream != stream:
                streams.synchronize(stream)
            pointer.free()


class ResultPool:
    """New result arrays of one package, shape, dense strides and dtype, for one stream.

    Args:
        package: ``"cupy"`` or ``"torch"``.
        shape, strides, dtype, device_id: the result arrays to make (strides in elements).
        reuse: keep the last two results and hand one back when nobody else references it
            (CuPy: its pool would give the same block back anyway, without the allocation cost).

    Example:
        >>> pool = ResultPool("cupy", (4, 8), (8, 1), "float32", 0, reuse=True)  # doctest: +SKIP
        >>> pool.new(stream_handle).shape  # doctest: +SKIP
        (4, 8)
    """

    __slots__ = ("package", "shape", "strides", "dtype", "device_id", "reuse", "_spares", "_factory", "_stream")

    def __init__(self, package: str, shape, strides, dtype: str, device_id: int, *, reuse: bool) -> None:
        self.package = package
        self.shape = tuple(shape)
        self.strides = tuple(strides)
        self.dtype = dtype
        self.device_id = device_id
        self.reuse = reuse
        self._spares: list = []
        self._factory = None
        self._stream = None

    def new(self, stream: int):
        """A result array allocated for use on ``stream``."""
        if stream != self._stream:
            self._spares, self._factory, self._stream = [], None, stream
        if self.reuse:
            for spare in self._spares:
                # references: the list, the loop variable, getrefcount's argument
                if sys.getrefcount(spare) == 3:
                    return spare
        if self._factory is None:
            self._factory = result_factory(self.package, self.shape, self.strides, self.dtype, self.device_id, stream)
        result = self._factory()
        if self.reuse:
            if len(self._spares) >= 2:
                self._spares.pop(0)
            self._spares.append(result)
        return result

    def clear(self) -> None:
        """Forget the kept results (e.g. when the object is freed)."""
        self._spares, self._factory, self._stream = [], None, None
