"""What every device library (cuFFTDx, cuBLASDx) shares: block dimensions, the simulator
switch, the target compute capability and precision names.

Nothing here imports Numba's CUDA target or libmathdx at module level, so the descriptor
modules (:mod:`nvmath.device.fft`, :mod:`nvmath.device.matmul`) and the Numba modules can
all import it without an import circle.

Example:
    >>> from nvmath.device.common import Dim3, normalize_sm
    >>> Dim3(128, 1, 1).x
    128
    >>> normalize_sm(90, library="cuBLASDx", min_sm=70)
    90
"""

from __future__ import annotations

import collections
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["Dim3", "current_device_sm", "normalize_precision", "normalize_sm", "simulator_enabled"]

Dim3 = collections.namedtuple("Dim3", ["x", "y", "z"])
Dim3.__doc__ = """Block dimensions ``(x, y, z)``; usable as a launch configuration.

Example:
    >>> Dim3(64, 2, 1).y
    2
"""

#: The compute capability the simulator describes descriptors for when ``sm`` is not given.
SIMULATOR_SM = 90


def simulator_enabled() -> bool:
    """Whether Numba's CUDA simulator is on (``NUMBA_ENABLE_CUDASIM=1``, read when numba starts).

    Example:
        >>> simulator_enabled() in (True, False)
        True
    """
    from numba import config

    return bool(getattr(config, "ENABLE_CUDASIM", 0))


def current_device_sm() -> int:
    """The compute capability of the current CUDA device as an integer, e.g. ``90`` for an H100/H200.

    Raises:
        nvmath._gpu.NoGPUError: no CUDA GPU is usable; the message says to pass ``sm=``
            explicitly (descriptors for another GPU can be described and compiled without one).

    Example:
        >>> current_device_sm()  # doctest: +SKIP
        90
    """
    from nvmath._gpu import NoGPUError

    if simulator_enabled():
        return SIMULATOR_SM
    from numba import cuda

    try:
        available = cuda.is_available()
        device = cuda.get_current_device() if available else None
    except Exception as exc:  # the driver is missing or broken
        raise NoGPUError(
            f"No CUDA GPU is usable ({exc}); pass sm=<compute capability>, e.g. sm=90, to describe a "
            "descriptor for a GPU that is not here."
        ) from exc
    if device is None:
        raise NoGPUError(
            "No CUDA GPU is visible, so the default sm (the current device's) is unknown: pass "
            "sm=<compute capability>, e.g. sm=90, or run with NUMBA_ENABLE_CUDASIM=1 for the simulator."
        )
    major, minor = device.compute_capability
    return major * 10 + minor


def normalize_sm(sm: Any, *, library: str, min_sm: int) -> int:
    """``sm`` (None, ``90``, ``(9, 0)``, ``'sm_90'``) as an integer compute capability.

    None means the current device's (:func:`current_device_sm`; 90 in the simulator).

    Raises:
        ValueError: ``sm`` is not a compute capability, or is older than ``min_sm``, which
            ``library`` needs.

    Example:
        >>> normalize_sm("sm_90", library="cuFFTDx", min_sm=70)
        90
    """
    if sm is None:
        return current_device_sm()
    from nvmath.compile import normalize_cc

    try:
        major, minor = normalize_cc(sm)
    except (TypeError, ValueError):
        raise ValueError(
            f"Argument 'sm' = {sm!r} is not a compute capability: pass e.g. 90, (9, 0) or 'sm_90'."
        ) from None
    value = major * 10 + minor
    if value < min_sm:
        raise ValueError(
            f"Argument 'sm' = {sm!r} is not supported: {library} needs compute capability "
            f"{min_sm // 10}.{min_sm % 10} or newer."
        )
    return value


def _dtype_name(value: Any) -> str | None:
    """The NumPy name of a dtype-like ``value`` (``numpy.float16`` -> ``'float16'``), else None."""
    try:
        return np.dtype(value).name
    except TypeError:  # e.g. 'tf32', or 'bfloat16' while ml_dtypes is not imported
        return value if isinstance(value, str) else None


def normalize_precision(value: Any, allowed: Mapping[str, str], argument: str = "precision") -> str:
    """Map a precision given as a NumPy type, dtype or name to its short library name.

    Args:
        value: e.g. ``numpy.float32``, ``numpy.dtype('float16')``, ``ml_dtypes.bfloat16`` or a
            name such as ``'bfloat16'`` or ``'tf32'``.
        allowed: ``{numpy-style name: short name}``, e.g. ``{"float32": "f32"}``.
        argument: the argument's name, for the error message.

    Raises:
        ValueError: ``value`` is not one of ``allowed`` (None included: nothing is defaulted).

    Example:
        >>> normalize_precision(np.float16, {"float16": "f16", "float32": "f32"})
        'f16'
    """
    name = _dtype_name(value) if value is not None else None
    if name not in allowed:
        choices = ", ".join(allowed)
        raise ValueError(f"Argument {argument!r} = {value!r} is not supported: allowed values are {choices}.")
    return allowed[name]
