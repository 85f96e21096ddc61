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

__all__ = ["numba_type", "numpy_type", "vector_class"]

# libmathdx value type -> NumPy scalar type or nvmath vector class.
_ELEMENTS = {
    V.R_16F: np.float16,
    V.R_16F2: vt.float16x2,
    V.C_16F: vt.float16x2,
    V.C_16F2: vt.float16x4,
    V.R_32F: np.float32,
    V.C_32F: np.complex64,
    V.R_64F: np.float64,
    V.C_64F: np.complex128,
}


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

    Example:
        >>> numpy_type(V.R_16F2).names
        ('x', 'y')
    """
    vec = vector_class(value_type)
    return vt.numpy_dtype(vec) if vec is not None else np.dtype(_element(value_type))


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

    return {
        np.float16: types.float16,
        np.float32: types.float32,
        np.float64: types.float64,
        np.complex64: types.complex64,
        np.complex128: types.complex128,
    }[_element(value_type)]
