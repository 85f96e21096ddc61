"""nvmath: NVIDIA math libraries from Python.

- :mod:`nvmath.device`: cuFFTDx inside Numba CUDA kernels (fused kernels written in Python).
- :mod:`nvmath.fft`: cuFFT for NumPy, CuPy and PyTorch arrays, with Python callbacks.
- :mod:`nvmath.compile`: the shared compile pipeline (NVRTC, Numba, nvJitLink) and its disk cache.
- :mod:`nvmath.bindings`: thin 1:1 bindings of the C libraries used.

Submodules load on first use, so ``import nvmath`` is cheap.

Example:
    >>> import nvmath
    >>> nvmath.__version__
    '0.1.0'
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = ("bindings", "compile", "device", "fft", "host", "linalg", "memory")
_MEMORY_NAMES = ("BaseCUDAMemoryManager", "MemoryPointer")


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"nvmath.{name}")
    if name in _MEMORY_NAMES:
        return getattr(importlib.import_module("nvmath.memory"), name)
    raise AttributeError(f"module 'nvmath' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES, *_MEMORY_NAMES])
