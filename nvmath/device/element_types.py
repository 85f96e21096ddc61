"""Map libmathdx value types to kernel-side element types (Numba types, NumPy dtypes, vectors).

Example:
    >>> from nvmath.bindings.mathdx import CommondxValueType
    >>> from nvmath.device.element_types import numpy_type
    >>> numpy_type(CommondxValueType.C_32F)
    dtype('complex64')
"""

from __future__ import annotations

import numpy as np

from nvmath.bindings.mathdx import CommondxValueType as V
from nvmath.device import vector_types as vt

__all__ = ["STORAGE_BITS", "numba_type", "numpy_type", "vector_class"]

# libmathdx value type -> NumPy scalar type (or dtype name of ml_dtypes) or nvmath vector class.
_ELEMENTS = {
    V.R_16F: np.float16,
    V.R_16F2: vt.float16x2,
    V.C_16F: vt.float16x2,
    V.C_16F2: vt.float16x4,
    V.R_32F: np.float32,
    V.C_32F: np.complex64,
    V.R_64F: np.float64,
    V.C_64F: np.complex128,
    V.R_32TF: np.float32,  # tf32 is stored as float32
    V.C_32TF: np.complex64,
    V.R_16BF: "bfloat16",
    V.R_8F_E4M3: "float8_e4m3fn",
    V.R_8F_E5M2: "float8_e5m2",
    V.R_8I: np.int8,
    V.R_16I: np.int16,
    V.R_32I: np.int32,
    V.R_64I: np.int64,
    V.R_8UI: np.uint8,
    V.R_16UI: np.uint16,
    V.R_32UI: np.uint32,
    V.R_64UI: np.uint64,
}

# The unsigned integer of the same width: global arrays of these can carry bfloat16 / fp8 bits
# (NumPy, CuPy and Numba have no array type of those).
STORAGE_BITS = {"bfloat16": np.uint16, "float8_e4m3fn": np.uint8, "float8_e5m2": np.uint8}


def _element(value_type: V):
    try:
        return _ELEMENTS[V(value_type)]
    except KeyError:
        raise ValueError(f"libmathdx value type {V(value_type).name} has no kernel-side element type") from None


def vector_class(value_type: V) -> type[vt.VectorBase] | None:
    """The nvmath vector class for ``value_type``, or None for plain scalars/complex numbers.

    Example:
        >>> vector_class(V.C_16F2).__name__
        'float16x4'
    """
    element = _element(value_type)
    return element if isinstance(element, type) and issubclass(element, vt.VectorBase) else None


def numpy_type(value_type: V) -> np.dtype:
    """The NumPy dtype with the layout of ``value_type`` (structured for vector types).

    bfloat16 and fp8 types are ``ml_dtypes``' (a dependency of nvmath).

    Example:
        >>> numpy_type(V.R_16F2).names
        ('x', 'y')
        >>> numpy_type(V.R_16BF).name
        'bfloat16'
    """
    vec = vector_class(value_type)
    if vec is not None:
        return vt.numpy_dtype(vec)
    element = _element(value_type)
    if isinstance(element, str):
        import ml_dtypes

        return np.dtype(getattr(ml_dtypes, element))
    return np.dtype(element)


def numba_type(value_type: V):
    """The Numba type of ``value_type`` elements in kernels (e.g. ``complex64``, ``float16x4``).

    Example:
        >>> numba_type(V.C_64F)
        complex128
    """
    vec = vector_class(value_type)
    if vec is not None:
        from nvmath.device.numba_types import vector_numba_type

        return vector_numba_type(vec)
    from numba.cuda import types

    element = _element(value_type)
    if element == "bfloat16":
        return types.bfloat16
    if isinstance(element, str):  # fp8: numba-cuda's own types
        from numba.cuda._internal import cuda_fp8

        return {"float8_e4m3fn": cuda_fp8._type_fp8_e4m3, "float8_e5m2": cuda_fp8._type_fp8_e5m2}[element]
    from numba.cuda.np.numpy_support import from_dtype

    return from_dtype(np.dtype(element))
