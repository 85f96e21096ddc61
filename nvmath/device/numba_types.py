"""Numba types (and their data models) for nvmath device objects.

- :class:`DxType`: the base type of device-library objects used in kernels, keyed by their
  description and carrying their compile-time traits as tables; :class:`FFTType` for
  :class:`nvmath.device.FFT`.
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

__all__ = [
    "AccumulatorType",
    "DxType",
    "FFTType",
    "LayoutType",
    "MatmulType",
    "OpaqueTensorType",
    "VectorClassType",
    "vector_numba_type",
]


class DxType(types.Type):
    """Numba type of a device-library descriptor object (an FFT, a Matmul), one type per description.

    The object has no runtime value in kernels: every attribute it offers is a compile-time
    constant found in the tables given here, so the shared typing and lowering
    (:mod:`nvmath.device.numba_typing`, :mod:`nvmath.device.numba_lowering`) serve every
    library; a library adds only its own methods (``execute``, tensors).

    Args:
        name: the type's name in error messages.
        description: the hashable description (the type's key).
        int_traits: ``{attribute: int}``; these type as integer literals, so
            ``cuda.local.array(obj.storage_size, ...)`` works.
        dtype_traits: ``{attribute: Numba type}``; these type as dtypes.
        tuple_traits: ``{attribute: (values, named tuple class or None)}``: tuples of ints.
        not_applicable: ``{attribute: reason}``: attributes that exist but do not apply to
            this description (a TypingError gives the reason).

    Example:
        >>> DxType("demo", ("demo",), {"size": 8}, {}, {}, {}).int_traits["size"]  # doctest: +SKIP
        8
    """

    def __init__(
        self,
        name: str,
        description,
        int_traits: dict[str, int],
        dtype_traits: dict,
        tuple_traits: dict[str, tuple],
        not_applicable: dict[str, str],
    ) -> None:
        self.description = description
        self.int_traits = int_traits
        self.dtype_traits = dtype_traits
        self.tuple_traits = tuple_traits
        self.not_applicable = not_applicable
        super().__init__(name=name)

    @property
    def key(self):
        return self.description


def _fft_int_traits(description: FFTDescription, traits: FFTTraits) -> dict[str, int]:
    values = {
        "size": description.size,
        "sm": description.sm,
        "storage_size": traits.storage_size,
        "stride": traits.stride,
        "elements_per_thread": traits.elements_per_thread,
        "implicit_type_batching": traits.implicit_type_batching,
        "input_length": traits.input_length,
        "output_length": traits.output_length,
        "input_elements_per_thread": traits.input_elements_per_thread,
        "output_elements_per_thread": traits.output_elements_per_thread,
        "ffts_per_block": traits.ffts_per_block,
        "shared_memory_size": traits.shared_memory_size,
    }
    return {name: int(value) for name, value in values.items() if value is not None}


class FFTType(DxType):
    """Numba type of an :class:`nvmath.device.FFT` (one type per description).

    Attributes:
        description: the FFT's :class:`~nvmath.device.lto.fft.FFTDescription`.
        traits: its :class:`~nvmath.device.lto.fft.FFTTraits`.
    """

    def __init__(self, description: FFTDescription, traits: FFTTraits, precision) -> None:
        from nvmath.device.common import Dim3
        from nvmath.device.element_types import numba_type

        self.traits = traits
        self.precision = precision
        d = description
        name = (
            f"nvmath.FFT({d.fft_type}, size={d.size}, {d.precision}, {d.direction}, {d.execution}, "
            f"sm={d.sm}, ept={d.elements_per_thread}, fpb={d.ffts_per_block}, "
            f"layout={d.complex_layout}, mode={d.real_mode})"
        )
        dtypes = {attr: numba_type(getattr(traits, attr)) for attr in ("value_type", "input_type", "output_type")}
        dtypes["precision"] = {"f16": types.float16, "f32": types.float32, "f64": types.float64}[d.precision]
        tuples = {} if traits.block_dim is None else {"block_dim": (tuple(traits.block_dim), Dim3)}
        block_only = ("ffts_per_block", "shared_memory_size", "block_dim")
        not_applicable = {}
        if d.execution == "Thread":
            not_applicable = {attr: f"{attr} does not apply to Thread execution" for attr in block_only}
        super().__init__(name, description, _fft_int_traits(d, traits), dtypes, tuples, not_applicable)


register_model(FFTType)(models.OpaqueModel)  # data models are looked up by exact type

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


# ---- cuBLASDx ---------------------------------------------------------------------------


class MatmulType(DxType):
    """Numba type of an :class:`nvmath.device.Matmul` (one type per description).

    Attributes:
        matmul: the Matmul object (its traits and layouts; not part of the type's identity).
    """

    def __init__(self, matmul) -> None:
        from nvmath.bindings.mathdx import CommondxValueType
        from nvmath.device.common import Dim3
        from nvmath.device.element_types import numba_type
        from nvmath.device.matmul import Alignment, LeadingDimension

        self.matmul = matmul
        d = matmul.description
        m, n, k = d.size
        name = (
            f"nvmath.Matmul({m}x{n}x{k}, {'/'.join(d.precision)}, {d.data_type}, {d.execution}, sm={d.sm}, "
            f"block_dim={tuple(matmul.block_dim)}, ld={tuple(matmul.leading_dimension)}, "
            f"arrangement={tuple(matmul.arrangement)}, alignment={tuple(matmul.alignment)}, "
            f"pipeline={d.with_pipeline})"
        )
        ints = {
            "a_size": matmul.a_size,
            "b_size": matmul.b_size,
            "c_size": matmul.c_size,
            "block_size": matmul.block_size,
            "max_threads_per_block": matmul.max_threads_per_block,
            "sm": d.sm,
        }
        value_types = [numba_type(CommondxValueType[v]) for v in matmul.traits.value_types]
        dtypes = dict(zip(("a_value_type", "b_value_type", "c_value_type"), value_types, strict=True))
        tuples = {
            "size": (d.size, None),
            "block_dim": (tuple(matmul.block_dim), Dim3),
            "leading_dimension": (tuple(matmul.leading_dimension), LeadingDimension),
            "alignment": (tuple(matmul.alignment), Alignment),
            "a_dim": (matmul.a_dim, None),
            "b_dim": (matmul.b_dim, None),
            "c_dim": (matmul.c_dim, None),
        }
        super().__init__(name, d, ints, dtypes, tuples, {})


register_model(MatmulType)(models.OpaqueModel)


class LayoutType(types.Type):
    """Numba type of a cuBLASDx layout made in a kernel (``MM.get_layout_gmem_a(ld)`` ...).

    A global-memory layout carries its leading dimension (an int64, ``-1`` for the
    description's own); other layouts carry nothing.

    Attributes:
        matmul: the Matmul object.
        spec: the libmathdx tensor type (:class:`~nvmath.device.lto.matmul.TensorSpec`).
    """

    def __init__(self, matmul, spec) -> None:
        self.matmul = matmul
        self.spec = spec
        super().__init__(name=f"nvmath.Layout({spec.kind}, {matmul.description.describe()})")

    @property
    def key(self):
        return (self.matmul.description, self.spec)


@register_model(LayoutType)
class _LayoutModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("ld", types.int64)])


class OpaqueTensorType(types.Type):
    """Numba type of a cuBLASDx opaque tensor: an array viewed through a layout.

    Its value is what libmathdx's device functions take by value: the data pointer, plus the
    leading dimension for global-memory tensors.

    Attributes:
        matmul: the Matmul object.
        spec: the libmathdx tensor type.
        dtype: the Numba type of its elements.
    """

    def __init__(self, matmul, spec, dtype) -> None:
        self.matmul = matmul
        self.spec = spec
        self.dtype = dtype
        super().__init__(name=f"nvmath.OpaqueTensor({spec.kind}:{dtype}, {matmul.description.describe()})")

    @property
    def key(self):
        return (self.matmul.description, self.spec, self.dtype)

    @property
    def memory_space(self) -> str:
        """``"gmem"``, ``"smem"`` or ``"rmem"``."""
        return self.spec.memory_space


@register_model(OpaqueTensorType)
class _OpaqueTensorModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        members = [("data", types.CPointer(fe_type.dtype)), ("ld", types.int64)]
        super().__init__(dmm, fe_type, members)


class AccumulatorType(types.Type):
    """Numba type of a register accumulator (``MM.suggest_accumulator()`` / ``MM.get_accumulator()``).

    Its value is a register fragment of C (this thread's part), stored in the kernel's local
    memory, which the compiler keeps in registers once everything is inlined.

    Attributes:
        matmul: the Matmul object.
        spec: the register tensor type of its fragment (``suggested_rmem_c`` or ``rmem_c``).
    """

    def __init__(self, matmul, spec) -> None:
        self.matmul = matmul
        self.spec = spec
        super().__init__(name=f"nvmath.Accumulator({spec.kind}, {matmul.description.describe()})")

    @property
    def key(self):
        return (self.matmul.description, self.spec)

    @property
    def fragment_type(self) -> OpaqueTensorType:
        """The tensor type of its fragment."""
        from nvmath.bindings.mathdx import CommondxValueType
        from nvmath.device.element_types import numba_type

        dtype = numba_type(CommondxValueType[self.matmul.traits.value_types[2]])
        return OpaqueTensorType(self.matmul, self.spec, dtype)


@register_model(AccumulatorType)
class _AccumulatorModel(models.StructModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("fragment", fe_type.fragment_type)])
