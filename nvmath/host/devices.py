"""GPU presence checks and device scoping for the host APIs.

GPU presence comes from :mod:`nvmath._gpu` (the package's one probe). nvmath never changes
the caller's current device: work on another device runs inside :func:`device_scope`, which
makes that device's primary context current and restores the previous context afterwards.
:func:`ensure_gpu` turns "no driver" / "no device" into one clear ``RuntimeError`` before any
library is touched.

Example:
    >>> from nvmath.host.devices import ensure_gpu
    >>> ensure_gpu(0)  # doctest: +SKIP
"""

from __future__ import annotations

import functools

from nvmath._gpu import NoGPUError, check_driver, cuda_driver, gpu_count, require_gpu

__all__ = [
    "NoGPUError",
    "compute_capability",
    "core_device",
    "device_count",
    "device_scope",
    "ensure_gpu",
    "primary_context",
]


def device_count() -> int:
    """The number of CUDA devices (0 without a driver).

    Example:
        >>> device_count() >= 0
        True
    """
    return gpu_count()


def ensure_gpu(device_id: int = 0, what: str = "nvmath") -> None:
    """Raise :class:`NoGPUError` (a ``RuntimeError``) unless CUDA device ``device_id`` is usable.

    Example:
        >>> ensure_gpu(0, "nvmath.fft")  # doctest: +SKIP
    """
    require_gpu(what)
    count = gpu_count()
    if not 0 <= device_id < count:
        raise ValueError(
            f"Argument 'device_id' = {device_id!r} is not a CUDA device: allowed values are 0..{count - 1}."
        )


@functools.cache
def primary_context(device_id: int) -> int:
    """The handle (int) of device ``device_id``'s primary context, retained once per process.

    Example:
        >>> primary_context(0)  # doctest: +SKIP
        94011231
    """
    from cuda.bindings import driver

    err, dev = driver.cuDeviceGet(device_id)
    check_driver(err, "cuDeviceGet")
    err, ctx = driver.cuDevicePrimaryCtxRetain(dev)
    check_driver(err, "cuDevicePrimaryCtxRetain")
    return int(ctx)


class device_scope:
    """Make ``device_id``'s primary context current inside the block, then restore the caller's.

    When that context is already current (the common case) the block costs one
    ``cuCtxGetCurrent``.

    Example:
        >>> with device_scope(1):  # doctest: +SKIP
        ...     pass
    """

    __slots__ = ("_target", "_previous")

    def __init__(self, device_id: int):
        self._target = primary_context(device_id)
        self._previous = None

    def __enter__(self) -> None:
        driver = cuda_driver()
        err, previous = driver.cuCtxGetCurrent()
        check_driver(err, "cuCtxGetCurrent")
        if int(previous) == self._target:
            return
        (err,) = driver.cuCtxSetCurrent(driver.CUcontext(self._target))
        check_driver(err, "cuCtxSetCurrent")
        self._previous = previous

    def __exit__(self, *exc_info) -> None:
        previous, self._previous = self._previous, None
        if previous is not None:
            cuda_driver().cuCtxSetCurrent(previous)


def core_device(device_id: int):
    """``cuda.core.Device(device_id)``, initialised for this thread (``set_current``) without
    changing the caller's context: the previous context is made current again afterwards.

    Example:
        >>> dev = core_device(0)  # doctest: +SKIP
        >>> buffer = dev.allocate(1024, stream=dev.default_stream)  # doctest: +SKIP
    """
    from cuda.core import Device

    with device_scope(device_id):
        device = Device(device_id)
        device.set_current()
    return device


@functools.cache
def compute_capability(device_id: int) -> tuple[int, int]:
    """``(major, minor)`` of device ``device_id``.

    Example:
        >>> compute_capability(0)  # doctest: +SKIP
        (9, 0)
    """
    ensure_gpu(device_id)
    from cuda.core import Device

    cc = Device(device_id).compute_capability
    return int(cc.major), int(cc.minor)
