"""Numba types (and their data models) for nvmath device objects.

- :class:`FFTType`: the type of an :class:`nvmath.device.FFT` used in a kernel. It is keyed by
  the FFT's description, so every trait is known at compile time and folds to a constant.
- Vector types ``float16x2``, ``float16x4``, ``float32x2``, ``float64x2`` (structs of
  float16/float32/float64 with ``.x .y [.z .w]``).
- :class:`VectorClassType`: the type of a vector *class* used in a kernel: callable (the
  constructor) and a dtype, so ``cuda.local.array(n, float16x4)`` and
  ``cuda.shared.array(0, float32x2)`` work.

Typing lives in :mod:`nvmath.device.numba_typing`, lowering in
:mod:`nvmath.device.numba_lowering`.

Example:
    >>> from nvmath.device import float16x4
    >>> from nvmath.device.numba_types import vector_numba_type
    >>> vector_numba_type(float16x4).attr_names
    ('x', 'y', 'z', 'w')
"""

from __future__ import annotations

import functools

from numba.cuda import types
from numba.cuda.datamodel import models
from numba.cuda.extending import register_model
from numba.cuda.vector_types import make_vector_type

from nvmath.device import vector_types as vt
from nvmath.device.lto.fft import FFTDescription, FFTTraits

__all__ = ["FFTType", "VectorClassType", "vector_numba_type"]


class FFTType(types.Type):
    """Numba type of an :class:`nvmath.device.FFT` (one type per description).

    Attributes:
        description: the FFT's :class:`~nvmath.device.lto.fft.FFTDescription`.
        traits: its :class:`~nvmath.device.lto.fft.FFTTraits`.
    """

    def __init__(self, description: FFTDescription, traits: FFTTraits, precision) -> None:
        self.description = description
        self.traits = traits
        self.precision = precision
        d = description
        name = (
            f"nvmath.FFT({d.fft_type}, size={d.size}, {d.precision}, {d.direction}, {d.execution}, "
            f"sm={d.sm}, ept={d.elements_per_thread}, fpb={d.ffts_per_block}, "
            f"layout={d.complex_layout}, mode={d.real_mode})"
        )
        super().__init__(name=name)

    @property
    def key(self):
        return self.description


register_model(FFTType)(models.OpaqueModel)

_NUMBA_BASE = {"float16": types.float16, "float32": types.float32, "float64": types.float64}


@functools.cache
def vector_numba_type(vector_class: type[vt.VectorBase]):
    """The Numba type of ``vector_class`` instances (created once, with model and attributes).

    Example:
        >>> from nvmath.device import float32x2
        >>> vector_numba_type(float32x2).name
        'float32x2'
    """
    base = _NUMBA_BASE[vector_class.base_dtype.name]
    attrs = ("x", "y", "z", "w")[: vector_class.length]
    return make_vector_type(vector_class.__name__, base, attrs, vector_class)


class VectorClassType(types.Function, types.DTypeSpec):
    """Numba type of a vector class (e.g. ``float16x4``) referenced in a kernel.

    It is a function type (calling it constructs a vector; the overloads come from
    ``template``) and a dtype specification (``dtype`` is the vector's Numba type), so the
    class itself can be passed where Numba expects a dtype.

    Args:
        template: the constructor's typing template (its ``key`` is the vector class).
        instance_type: the Numba type of the vectors, from :func:`vector_numba_type`.

    Example:
        >>> ty = VectorClassType(template, vector_numba_type(float16x4))  # doctest: +SKIP
        >>> ty.dtype, ty  # doctest: +SKIP
        (float16x4, class(float16x4))
    """

    def __init__(self, template, instance_type) -> None:
        self.instance_type = instance_type
        super().__init__(template)
        self.name = f"class({instance_type})"  # in error messages; identity is the key

    @property
    def dtype(self):
        """The Numba type of the vectors (what ``cuda.local.array`` allocates)."""
        return self.instance_type

    def augment(self, other):
        """Merge with another registration of the same class (keeps the vector type)."""
        if isinstance(other, VectorClassType) and other.typing_key == self.typing_key:
            return VectorClassType(self.templates + other.templates, self.instance_type)
        return None
