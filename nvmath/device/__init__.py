"""nvmath.device: NVIDIA device math libraries (cuFFTDx) callable inside Numba CUDA kernels.

- :class:`FFT`: a cuFFTDx FFT described in Python, executed inside ``@cuda.jit`` kernels with
  ``fft.execute(...)``; its traits (``storage_size``, ``value_type``, ``block_dim``, ...) are
  compile-time constants there.
- :func:`load_aligned` / :func:`store_aligned`: whole-element (8- or 16-byte) accesses to
  complex arrays, which memory-bound kernels need.
- Vector types :class:`float16x2`, :class:`float16x4`, :class:`float32x2`, :class:`float64x2`
  and :func:`to_complex`.

With ``NUMBA_ENABLE_CUDASIM=1`` the same kernels run on the CPU through a reference
implementation (see :mod:`nvmath.device.simulator`).

Example:
    >>> import numpy as np
    >>> from nvmath.device import FFT
    >>> FFT(128, np.float32, "c2c", "Block", direction="forward", sm=90).block_dim
    Dim3(x=16, y=1, z=1)
"""

from nvmath.device.aligned_access import load_aligned, store_aligned
from nvmath.device.fft import FFT, Dim3, simulator_enabled
from nvmath.device.vector_types import float16x2, float16x4, float32x2, float64x2, to_complex

__all__ = [
    "FFT",
    "Dim3",
    "float16x2",
    "float16x4",
    "float32x2",
    "float64x2",
    "load_aligned",
    "store_aligned",
    "to_complex",
]

if not simulator_enabled():
    # Register the Numba typing and lowering of FFT objects and vector types.
    from nvmath.device import numba_lowering as _numba_lowering  # noqa: F401
    from nvmath.device import numba_typing as _numba_typing  # noqa: F401
