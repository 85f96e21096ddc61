"""Whether a CUDA GPU is usable here, and a clear error when one is needed but absent.

Example:
    >>> from nvmath._gpu import gpu_count, require_gpu
    >>> gpu_count() >= 0
    True
"""

from __future__ import annotations

import functools


class NoGPUError(RuntimeError):
    """A CUDA GPU (and driver) is needed but none is visible."""


@functools.cache
def _probe() -> tuple[int, str]:
    try:
        from cuda.bindings import driver

        (err,) = driver.cuInit(0)
        if err != driver.CUresult.CUDA_SUCCESS:
            return 0, f"cuInit failed: {err.name}"
        err, count = driver.cuDeviceGetCount()
        if err != driver.CUresult.CUDA_SUCCESS:
            return 0, f"cuDeviceGetCount failed: {err.name}"
        return count, "" if count else "the driver reports no device"
    except Exception as exc:  # no libcuda: cuda.bindings raises a loader error
        return 0, f"no CUDA driver: {_first_sentence(str(exc))}"


def _first_sentence(text: str, limit: int = 120) -> str:
    """The first sentence of a (loader's) error message, at most ``limit`` characters.

    Example:
        >>> _first_sentence('"cuda" is a driver library. Install the driver.')
        '"cuda" is a driver library'
    """
    lines = text.strip().splitlines()
    first = lines[0] if lines else ""
    end = first.find(". ")
    sentence = (first if end < 0 else first[:end]).rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 3] + "..."


@functools.cache
def cuda_driver():
    """``cuda.bindings.driver``, imported once: an import statement in a hot path costs ~1 us.

    Example:
        >>> cuda_driver().cuInit  # doctest: +SKIP
    """
    from cuda.bindings import driver

    return driver


class CUDADriverError(RuntimeError):
    """A CUDA driver call failed.

    Attributes:
        function: the driver function, e.g. ``"cuStreamSynchronize"``.
        status: the ``CUresult`` name, e.g. ``"CUDA_ERROR_INVALID_HANDLE"``.
    """

    def __init__(self, function: str, status: str) -> None:
        self.function = function
        self.status = status
        super().__init__(f"{function} failed: {status}")


def check_driver(err, function: str) -> None:
    """Raise :class:`CUDADriverError` unless ``err`` (a ``CUresult``) is ``CUDA_SUCCESS``.

    The package's one check of driver return codes.

    Example:
        >>> check_driver(0, "cuInit")
        >>> check_driver(1, "cuMemAlloc")
        Traceback (most recent call last):
        ...
        nvmath._gpu.CUDADriverError: cuMemAlloc failed: 1
    """
    if int(err) != 0:
        raise CUDADriverError(function, getattr(err, "name", str(int(err))))


def gpu_count() -> int:
    """Return how many CUDA devices the driver reports (0 when there is no driver)."""
    return _probe()[0]


def no_gpu_reason() -> str:
    """Return why no GPU is usable ('' when one is)."""
    return _probe()[1]


def require_gpu(what: str) -> None:
    """Raise :class:`NoGPUError` naming ``what`` when no CUDA GPU is usable.

    Example:
        >>> require_gpu("nvmath.fft.fft")  # doctest: +SKIP
        Traceback (most recent call last):
        NoGPUError: nvmath.fft.fft needs a CUDA GPU, but none is usable here (no CUDA driver: ...)
    """
    count, reason = _probe()
    if count == 0:
        raise NoGPUError(
            f"{what} needs a CUDA GPU, but none is usable here ({reason}). "
            "Code generation and linking (nvmath.compile) work without one."
        )
