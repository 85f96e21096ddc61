"""nvmath.device: NVIDIA device math libraries (cuFFTDx, cuBLASDx) callable inside Numba CUDA kernels.

- :class:`FFT`: a cuFFTDx FFT described in Python, executed inside ``@cuda.jit`` kernels with
  ``fft.execute(...)``; its traits (``storage_size``, ``value_type``, ``block_dim``, ...) are
  compile-time constants there.
- :class:`Matmul`: a cuBLASDx block GEMM, ``MM.execute(...)`` in kernels (shared-memory
  pointers, runtime leading dimensions, or tensors); the tensor API :func:`make_tensor`,
  :func:`copy`, :func:`copy_wait`, :func:`clear`, :func:`axpby`, :func:`make_fragment_like`, and
  register accumulators (``MM.suggest_accumulator()``).
- :func:`current_device_sm`: the current GPU's compute capability, e.g. 90.
- :func:`load_aligned` / :func:`store_aligned`: whole-element (8- or 16-byte) accesses to
  complex arrays, which memory-bound kernels need; :func:`prefetch_l2` asks L2 for bytes that
  a later block will load.
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

import importlib

# Public name -> the module that defines it. Loaded on first use, so that importing a
# submodule (e.g. the code-generation worker's nvmath.device.lto.fft) does not import Numba.
_EXPORTS = {
    "FFT": "nvmath.device.fft",
    "Dim3": "nvmath.device.common",
    "simulator_enabled": "nvmath.device.common",
    "current_device_sm": "nvmath.device.common",
    "float16x2": "nvmath.device.vector_types",
    "float16x4": "nvmath.device.vector_types",
    "float32x2": "nvmath.device.vector_types",
    "float64x2": "nvmath.device.vector_types",
    "to_complex": "nvmath.device.vector_types",
    "load_aligned": "nvmath.device.aligned_access",
    "store_aligned": "nvmath.device.aligned_access",
    "prefetch_l2": "nvmath.device.aligned_access",
    "Matmul": "nvmath.device.matmul",
    "Layout": "nvmath.device.matmul",
    "LeadingDimension": "nvmath.device.matmul",
    "Arrangement": "nvmath.device.matmul",
    "Alignment": "nvmath.device.matmul",
    "Precision": "nvmath.device.matmul",
    "make_tensor": "nvmath.device.tensors",
    "copy": "nvmath.device.tensors",
    "copy_wait": "nvmath.device.tensors",
    "clear": "nvmath.device.tensors",
    "axpby": "nvmath.device.tensors",
    "make_fragment_like": "nvmath.device.tensors",
    "DevicePipeline": "nvmath.device.matmul_pipeline",
    "TilePipeline": "nvmath.device.matmul_pipeline",
    "suggest_device_pipeline": "nvmath.device.matmul_pipeline",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nvmath.device' has no attribute {name!r}")
    from nvmath.device.registration import register_numba_extensions

    register_numba_extensions()
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
