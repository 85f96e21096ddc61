"""Thin 1:1 ctypes bindings of the C libraries nvmath uses.

- :mod:`nvmath.bindings.cufft`: cuFFT (host FFTs).
- :mod:`nvmath.bindings.cublaslt`: cuBLASLt (host matmul); also reachable as
  ``nvmath.bindings.cublasLt``, nvmath-python's name for it.
- :mod:`nvmath.bindings.mathdx`: libmathdx (cuFFTDx / cuBLASDx code generation).
- :mod:`nvmath.bindings.mkl_dfti`: Intel oneMKL DFTI (the CPU FFT execution space;
  ``pip install 'nvmath[cpu]'``).
- :mod:`nvmath.bindings.library_types`: ``cudaDataType``, shared by the above.

Each binding loads its library on first call, so importing one is cheap. The alias is resolved on
first attribute access (``nvmath.bindings.cublasLt`` or ``from nvmath.bindings import cublasLt``);
after that ``import nvmath.bindings.cublasLt`` works too.

Example:
    >>> from nvmath.bindings import cublasLt, cublaslt
    >>> cublasLt is cublaslt
    True
"""

from __future__ import annotations

import importlib
import sys

# nvmath-python's module names -> the modules here.
_ALIASES = {"cublasLt": "cublaslt"}


def __getattr__(name: str):
    target = _ALIASES.get(name)
    if target is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{target}")
    globals()[name] = module
    sys.modules.setdefault(f"{__name__}.{name}", module)
    return module


def __dir__() -> list[str]:
    return sorted([*globals(), *_ALIASES])
