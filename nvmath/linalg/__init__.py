"""``nvmath.linalg``: linear algebra on NumPy, CuPy and PyTorch arrays.

- :mod:`nvmath.linalg.advanced`: matrix multiplication through cuBLASLt (``matmul``, ``Matmul``,
  fused epilogs, FP8, autotuning, a plan cache), with nvmath-python 1.0's names.

The submodule loads on first use.

Example:
    >>> import nvmath
    >>> nvmath.linalg.advanced.MatmulEpilog.RELU_BIAS.name
    'RELU_BIAS'
"""

from __future__ import annotations

import importlib

__all__ = ["advanced"]


def __getattr__(name: str):
    if name == "advanced":
        return importlib.import_module("nvmath.linalg.advanced")
    raise AttributeError(f"module 'nvmath.linalg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "advanced"])
