"""``nvmath.fft``: cuFFT for NumPy, CuPy and PyTorch arrays, with callbacks written in Python.

- :func:`fft`, :func:`ifft` (C2C), :func:`rfft` (R2C), :func:`irfft` (C2R): stateless, plan and
  free every call;
- :class:`FFT`: plan once, execute many times; :class:`PlanCache`: an explicit LRU of plans;
- :class:`FFTOptions`, :class:`ExecutionCUDA`, :class:`ExecutionCPU`: options (plain dicts are
  accepted too); ``execution='cpu'`` runs NumPy arrays and CPU tensors on the host through
  Intel oneMKL (``pip install 'nvmath[cpu]'``), with no GPU;
- :class:`FFTDirection`: ``FORWARD`` / ``INVERSE`` for ``direction=``;
- :func:`compile_prolog`, :func:`compile_epilog`, :class:`DeviceCallable`: LTO callbacks.

Inverse transforms are not normalised (cuFFT's convention).

Example:
    >>> import numpy as np
    >>> import nvmath
    >>> x = np.random.rand(4, 64).astype(np.complex64)
    >>> y = nvmath.fft.fft(x, axes=(-1,))  # doctest: +SKIP
    >>> y = nvmath.fft.fft(x, axes=(-1,), execution="cpu")  # doctest: +SKIP
"""

from nvmath.host.fft import FFT, FFTFreedError, fft, ifft, irfft, rfft
from nvmath.host.fft_callbacks import CallbackLTOIR, DeviceCallable, compile_epilog, compile_prolog
from nvmath.host.fft_layout import UnsupportedLayoutError
from nvmath.host.options import ExecutionCPU, ExecutionCUDA, FFTDirection, FFTOptions
from nvmath.host.plan_cache import PlanCache

__all__ = [
    "FFT",
    "CallbackLTOIR",
    "DeviceCallable",
    "ExecutionCPU",
    "ExecutionCUDA",
    "FFTDirection",
    "FFTFreedError",
    "FFTOptions",
    "PlanCache",
    "UnsupportedLayoutError",
    "compile_epilog",
    "compile_prolog",
    "fft",
    "ifft",
    "irfft",
    "rfft",
]
