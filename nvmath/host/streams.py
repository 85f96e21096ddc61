"""One stream helper for every host API: turn what a user passes as ``stream=`` into a handle.

Accepted: ``None`` (the operand package's current stream on the operand's device; for host
operands a per-device stream nvmath creates once), an ``int`` ``cudaStream_t`` handle, a CuPy
stream, a PyTorch CUDA stream, a ``cuda.core`` ``Stream``, or any object with the
``__cuda_stream__`` protocol. The caller's current device and stream are never changed.

Example:
    >>> from nvmath.host.streams import stream_handle
    >>> stream_handle(0, package="host", device_id=0)
    0
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from nvmath._gpu import check_driver, cuda_driver

if TYPE_CHECKING:
    import cupy

__all__ = [
    "cupy_stream",
    "current_stream_handle",
    "describe_stream",
    "package_stream",
    "stream_handle",
    "synchronize",
    "torch_current_stream_function",
    "torch_stream",
]

ALLOWED = "None, an int cudaStream_t handle, a cupy.cuda.Stream, a torch.cuda.Stream or a cuda.core Stream"


def stream_handle(stream, *, package: str, device_id: int) -> int:
    """Return the ``cudaStream_t`` (as an int) that ``stream`` stands for.

    Args:
        stream: see the module docstring for the accepted kinds.
        package: whose current stream ``None`` means: ``"cupy"``, ``"torch"`` (GPU operands) or
            ``"host"`` (NumPy arrays and CPU tensors: a stream nvmath creates once per device).
        device_id: the device the work runs on, used when ``stream`` is None.

    Raises:
        TypeError: for any other kind of object, naming ``stream`` and what is allowed.

    Example:
        >>> stream_handle(12345, package="cupy", device_id=0)
        12345
    """
    if stream is None:
        return current_stream_handle(package, device_id)
    if isinstance(stream, bool):
        raise TypeError(f"Argument 'stream' = {stream!r} is not a stream: allowed are {ALLOWED}.")
    if isinstance(stream, int):
        if stream < 0:
            raise ValueError(f"Argument 'stream' = {stream!r} is not a valid cudaStream_t handle (negative).")
        return stream
    protocol = getattr(stream, "__cuda_stream__", None)
    if protocol is not None:  # cuda.core Stream and other objects following the protocol
        _version, handle = protocol()
        return int(handle)
    module = type(stream).__module__ or ""
    if module.startswith("cupy"):
        return int(stream.ptr)
    if module.startswith("torch"):
        return int(stream.cuda_stream)
    raise TypeError(f"Argument 'stream' = {stream!r} is not a stream: allowed are {ALLOWED}.")


def current_stream_handle(package: str, device_id: int) -> int:
    """The current stream of ``package`` on ``device_id`` (a private nvmath stream for host packages).

    Example:
        >>> current_stream_handle("cupy", 0)  # doctest: +SKIP
        0
    """
    if package == "cupy":
        return _cupy_current_stream_function()(device_id).ptr
    if package == "torch":
        return int(torch_current_stream_function()(device_id))
    return _host_stream(device_id)


@functools.cache
def _cupy_current_stream_function():
    import cupy

    return cupy.cuda.get_current_stream


@functools.cache
def torch_current_stream_function():
    """``f(device_index) -> int``: the handle of PyTorch's current stream on a device.

    ``torch._C._cuda_getCurrentRawStream`` (what PyTorch's own compiled code calls) takes
    ~0.2 us; the public ``torch.cuda.current_stream(d).cuda_stream`` builds a Stream object
    (several us), so it is only the fallback.

    Example:
        >>> torch_current_stream_function()(0)  # doctest: +SKIP
        0
    """
    import torch

    raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)
    if raw is not None:
        return raw
    return lambda device_index: torch.cuda.current_stream(device_index).cuda_stream


@functools.cache
def _host_stream_object(device_id: int):
    from nvmath.host.devices import core_device, device_scope

    device = core_device(device_id)
    with device_scope(device_id):
        return device.create_stream()


def torch_stream(handle: int, device):
    """A ``torch.cuda.Stream`` wrapping the CUDA stream ``handle`` on ``device``, faithfully.

    ``torch.cuda.ExternalStream(0)`` silently returns a fresh pooled stream instead of the
    NULL stream (pytorch/pytorch#182960), so work queued "on stream 0" through it races with
    work on the real stream 0; ``torch.cuda.get_stream_from_external`` (PyTorch >= 2.7) wraps
    every handle, 0 included.

    Example:
        >>> with torch.cuda.stream(torch_stream(0, 0)):  # doctest: +SKIP
        ...     y = x * 2
    """
    import torch

    get_stream = getattr(torch.cuda, "get_stream_from_external", None)
    if get_stream is not None:
        return get_stream(handle, device)
    if handle == 0:
        return torch.cuda.default_stream(device)
    return torch.cuda.ExternalStream(handle, device=device)


def package_stream(package: str, handle: int, device_id: int):
    """A context in which ``package`` (``"cupy"`` or ``"torch"``) allocates from its pool and
    queues work on stream ``handle`` of device ``device_id``; the package's current device and
    stream are restored on exit. The object can be entered again (not nested): build it once
    for a hot path.

    Example:
        >>> with package_stream("cupy", stream_ptr, 0):  # doctest: +SKIP
        ...     y = cupy.empty(8)
    """
    if package == "cupy":
        return _CupyStream(handle, device_id)
    if package == "torch":
        import torch

        return torch.cuda.stream(torch_stream(handle, torch.device("cuda", device_id)))
    raise ValueError(f"package_stream needs 'cupy' or 'torch', not {package!r}.")


class _StreamHandle:
    """A raw ``cudaStream_t`` with the ``__cuda_stream__`` protocol (version 0)."""

    __slots__ = ("handle",)

    def __init__(self, handle: int):
        self.handle = handle

    def __cuda_stream__(self) -> tuple[int, int]:
        return (0, self.handle)


def cupy_stream(handle: int, device_id: int) -> cupy.cuda.Stream:
    """A ``cupy.cuda.Stream`` for the CUDA stream ``handle`` of device ``device_id`` (not owned).

    CuPy >= 14 wraps foreign streams with ``Stream.from_external`` (the ``__cuda_stream__``
    protocol; ``ExternalStream`` is deprecated there); older CuPy with ``ExternalStream``.

    Example:
        >>> s = cupy_stream(torch.cuda.current_stream().cuda_stream, 0)  # doctest: +SKIP
    """
    import cupy

    from_external = getattr(cupy.cuda.Stream, "from_external", None)
    if from_external is None:
        return cupy.cuda.ExternalStream(handle, device_id)
    with cupy.cuda.Device(device_id):
        return from_external(_StreamHandle(handle))


class _CupyStream:
    """CuPy's device and stream contexts for one (device, stream handle), reusable."""

    __slots__ = ("_device", "_stream")

    def __init__(self, handle: int, device_id: int):
        import cupy

        self._device = cupy.cuda.Device(device_id)
        self._stream = cupy_stream(handle, device_id)

    def __enter__(self) -> None:
        self._device.__enter__()
        try:
            self._stream.__enter__()
        except BaseException:
            self._device.__exit__(None, None, None)
            raise

    def __exit__(self, *exc_info) -> None:
        try:
            self._stream.__exit__(*exc_info)
        finally:
            self._device.__exit__(*exc_info)


def _host_stream(device_id: int) -> int:
    return int(_host_stream_object(device_id).handle)


def synchronize(handle: int) -> None:
    """Block the calling thread until all work queued on stream ``handle`` is done.

    Example:
        >>> synchronize(0)  # doctest: +SKIP
    """
    driver = cuda_driver()
    (err,) = driver.cuStreamSynchronize(driver.CUstream(handle))
    check_driver(err, "cuStreamSynchronize")


def describe_stream(handle: int) -> str:
    """A short text for logs.

    Example:
        >>> describe_stream(0)
        'stream 0x0'
    """
    return f"stream {handle:#x}"
