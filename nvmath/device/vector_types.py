"""Vector types for device code: ``float16x2``, ``float16x4``, ``float32x2``, ``float64x2``.

cuFFTDx stores half-precision complex data two transforms at a time (``float16x4`` holds
``(re0, re1, im0, im1)`` of batches 0 and 1; ``float16x2`` holds ``(x0, x1)``), and
``float32x2`` / ``float64x2`` are the C layout of complex numbers. Inside ``@cuda.jit``
kernels they can be constructed (``float16x4(r0, r1, i0, i1)``, ``float32x2(z)`` from a
complex), read with ``.x/.y/.z/.w`` and converted to a Numba complex with
:func:`to_complex`. Outside kernels (and in the CUDA simulator) they are small tuples, and
:func:`numpy_dtype` gives the matching NumPy structured dtype.

Example:
    >>> from nvmath.device import float16x4, to_complex
    >>> v = float16x4(1.0, 2.0, 3.0, 4.0)
    >>> float(v.x), float(v.w)
    (1.0, 4.0)
"""

from __future__ import annotations

import numpy as np

__all__ = ["VectorBase", "VectorClass", "float16x2", "float16x4", "float32x2", "float64x2", "numpy_dtype", "to_complex"]

_ATTRS = ("x", "y", "z", "w")


class VectorClass(type):
    """Metaclass of the vector types: the classes themselves act as NumPy dtypes.

    ``np.dtype(float16x4)`` (and so ``np.empty(n, float16x4)``, which the CUDA simulator's
    ``cuda.local.array`` calls) is the structured dtype of :func:`numpy_dtype`. These are
    class attributes only; vector instances do not have them.

    Example:
        >>> float16x4.dtype.itemsize, float16x4.itemsize
        (8, 8)
    """

    @property
    def dtype(cls) -> np.dtype:
        """The NumPy structured dtype with this vector's layout."""
        return numpy_dtype(cls)

    @property
    def itemsize(cls) -> int:
        """Size of one vector in bytes."""
        return cls.length * cls.base_dtype.itemsize


class VectorBase(tuple, metaclass=VectorClass):
    """Common base of the vector types: an immutable tuple with ``.x/.y/.z/.w`` accessors."""

    base_dtype: np.dtype = np.dtype(np.float32)
    length: int = 2

    def __new__(cls, *values):
        if len(values) == 1 and isinstance(values[0], (complex, np.complexfloating)) and cls.length == 2:
            values = (values[0].real, values[0].imag)
        if len(values) == 2 and cls.length == 4 and all(isinstance(v, VectorBase) for v in values):
            values = (*values[0], *values[1])
        if len(values) != cls.length:
            raise TypeError(f"{cls.__name__}() takes {cls.length} numbers, got {len(values)}")
        return super().__new__(cls, tuple(cls.base_dtype.type(v) for v in values))

    def __repr__(self) -> str:
        inner = ", ".join(f"{a}={float(v)!r}" for a, v in zip(_ATTRS[: len(self)], self, strict=True))
        return f"{type(self).__name__}({inner})"


def _component(index: int):
    return property(lambda self: self[index], doc=f"Component {_ATTRS[index]}.")


class float16x2(VectorBase):
    """Two float16 values ``(x, y)`` (CUDA ``__half2``).

    Example:
        >>> float(float16x2(1.0, 2.0).y)
        2.0
    """

    base_dtype = np.dtype(np.float16)
    length = 2
    x = _component(0)
    y = _component(1)


class float16x4(VectorBase):
    """Four float16 values ``(x, y, z, w)``: packed half-precision complex of two batches.

    cuFFTDx's ``value_type`` for half precision: ``x, y`` are the real parts of batches 0 and
    1, ``z, w`` their imaginary parts.

    Example:
        >>> v = float16x4(1.0, 2.0, 3.0, 4.0)  # re0, re1, im0, im1
        >>> float(v.z)
        3.0
    """

    base_dtype = np.dtype(np.float16)
    length = 4
    x = _component(0)
    y = _component(1)
    z = _component(2)
    w = _component(3)


class float32x2(VectorBase):
    """Two float32 values ``(x, y)`` (CUDA ``float2``), the layout of complex64.

    Example:
        >>> float(float32x2(1 + 2j).y)
        2.0
    """

    base_dtype = np.dtype(np.float32)
    length = 2
    x = _component(0)
    y = _component(1)


class float64x2(VectorBase):
    """Two float64 values ``(x, y)`` (CUDA ``double2``), the layout of complex128.

    Example:
        >>> float(float64x2(1.0, 2.0).x)
        1.0
    """

    base_dtype = np.dtype(np.float64)
    length = 2
    x = _component(0)
    y = _component(1)


VECTOR_CLASSES = (float16x2, float16x4, float32x2, float64x2)


def numpy_dtype(vector_class: type[VectorBase]) -> np.dtype:
    """Return the NumPy structured dtype with the same layout (fields ``x, y[, z, w]``).

    Elements of such arrays read as ``numpy.record`` (``.x`` works) and accept a vector (a
    tuple) on assignment, so the same kernel code runs in the CUDA simulator.

    Example:
        >>> numpy_dtype(float16x2).itemsize
        4
    """
    fields = [(a, vector_class.base_dtype) for a in _ATTRS[: vector_class.length]]
    return np.dtype((np.record, fields))


def to_complex(v):
    """Return a two-component vector ``(x, y)`` as the complex number ``x + 1j*y``.

    ``float16x2`` and ``float32x2`` give complex64, ``float64x2`` gives complex128. Works in
    kernels, in the simulator and on the host.

    Example:
        >>> to_complex(float32x2(1.0, 2.0))
        np.complex64(1+2j)
    """
    if len(v) != 2:
        raise TypeError(f"to_complex() takes a two-component vector, got {type(v).__name__}")
    kind = np.complex128 if np.asarray(v[0]).dtype == np.float64 else np.complex64
    return kind(complex(float(v[0]), float(v[1])))
