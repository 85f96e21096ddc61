"""``nvmath.device.Matmul``: a cuBLASDx GEMM callable inside Numba CUDA kernels.

The object describes one block-wide GEMM ``C = alpha * A @ B + beta * C`` (sizes,
precisions, real or complex, arrangements, leading dimensions, alignment, block shape).
Its traits come from libmathdx at construction (one compile, seconds, then the disk cache).
Kernels that use it (as a global or closure variable) call ``MM.execute(...)`` and the tensor
API (:func:`nvmath.device.make_tensor`, :func:`~nvmath.device.copy`, ...); the cuBLASDx code
is generated in the background while Numba compiles such a kernel, cached on disk, and fully
inlined by the link step.

With ``NUMBA_ENABLE_CUDASIM=1`` the same kernels run on the CPU with a NumPy reference.

Example:
    >>> import numpy as np
    >>> from nvmath.device import Matmul
    >>> MM = Matmul((32, 16, 64), np.float32, "real", sm=90, block_size=64)  # doctest: +SKIP
    >>> MM.block_dim, MM.leading_dimension  # doctest: +SKIP
    (Dim3(x=64, y=1, z=1), LeadingDimension(a=64, b=64, c=32))
"""

from __future__ import annotations

import collections
import functools
import math
import os
import re
from typing import Any

import numpy as np

from nvmath._validation import check_choice
from nvmath.bindings import mathdx
from nvmath.device.common import Dim3, normalize_precision, normalize_sm, simulator_enabled
from nvmath.device.lto import matmul as backend
from nvmath.device.lto.matmul import MatmulDescription, MatmulTraits, TensorSpec

__all__ = ["Alignment", "Arrangement", "Layout", "LeadingDimension", "Matmul", "Precision"]

LeadingDimension = collections.namedtuple("LeadingDimension", ["a", "b", "c"])
LeadingDimension.__doc__ = """Leading dimensions ``(a, b, c)`` in elements.

Example:
    >>> LeadingDimension(64, 64, 32).c
    32
"""
Arrangement = collections.namedtuple("Arrangement", ["a", "b", "c"])
Arrangement.__doc__ = """Arrangements ``(a, b, c)``, each ``'row_major'`` or ``'col_major'``.

Example:
    >>> Arrangement("row_major", "col_major", "col_major").a
    'row_major'
"""
Alignment = collections.namedtuple("Alignment", ["a", "b", "c"])
Alignment.__doc__ = """Alignments ``(a, b, c)`` in bytes.

Example:
    >>> Alignment(16, 16, 16).b
    16
"""
Precision = collections.namedtuple("Precision", ["a", "b", "c"])
Precision.__doc__ = """Precisions ``(a, b, c)`` as given (NumPy types or names such as ``'tf32'``).

Example:
    >>> Precision(np.float16, np.float16, np.float32).c
    <class 'numpy.float32'>
"""

_PRECISIONS = {
    "float16": "f16",
    "bfloat16": "bf16",
    "tf32": "tf32",
    "float32": "f32",
    "float64": "f64",
    "float8_e4m3fn": "f8_e4m3",
    "float8_e4m3": "f8_e4m3",
    "float8_e5m2": "f8_e5m2",
    "int8": "i8",
    "int16": "i16",
    "int32": "i32",
    "int64": "i64",
    "uint8": "u8",
    "uint16": "u16",
    "uint32": "u32",
    "uint64": "u64",
}
_ELEMENT_BYTES = {"f16": 2, "bf16": 2, "tf32": 4, "f32": 4, "f64": 8, "f8_e4m3": 1, "f8_e5m2": 1}
_ELEMENT_BYTES.update({"i8": 1, "i16": 2, "i32": 4, "i64": 8, "u8": 1, "u16": 2, "u32": 4, "u64": 8})
_DATA_TYPES = ("real", "complex")
_EXECUTIONS = ("Block", "Thread", "Warp")
# cuBLASDx 0.7.1 (libmathdx 0.4.1) runs GEMM with Block execution only: Thread execution is for
# TRSM, and libmathdx refuses Warp for cuBLASDx descriptors (a bare COMMONDX_INVALID_VALUE).
_GEMM_EXECUTIONS = ("Block",)
# cuBLASDx's accumulator (C) precisions: int32_t, uint32_t, int64_t, uint64_t, __half, float, double.
_ACCUMULATORS = ("i32", "u32", "i64", "u64", "f16", "f32", "f64")
_INTEGRAL = ("i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64")
_SHORT_NAMES = {short: name for name, short in reversed(_PRECISIONS.items())}
_DEFAULT_ARRANGEMENT = ("row_major", "col_major", "col_major")
_MAX_REASON = 200
_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!i\.e)\.\s")
_ARRANGEMENTS = ("row_major", "col_major")
_MIN_SM = 70
_MAX_THREADS_PER_BLOCK = 1024
_WARP = 32

# Words of cuBLASDx's static_assert messages -> the argument they are about.
_ARGUMENT_OF_MESSAGE = (
    ("block dim", "block_dim"),
    ("blockdim", "block_dim"),
    ("leading dimension", "leading_dimension"),
    ("ld", "leading_dimension"),
    ("align", "alignment"),
    ("execution", "execution"),
    ("arrangement", "arrangement"),
    ("pipeline", "with_pipeline"),
    ("precision", "precision"),
    ("type", "precision"),
)


def _triple(name: str, value, check) -> tuple:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 3:
        raise ValueError(f"Argument {name!r} = {value!r} is not supported: pass a sequence of 3 values (a, b, c).")
    return tuple(check(f"{name}[{i}]", v) for i, v in enumerate(value))


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"Argument {name!r} = {value!r} is not supported: allowed values are positive ints.")
    return int(value)


def _precisions(precision) -> tuple[tuple[str, str, str], tuple]:
    """``(short names, as given)`` for one precision or a triple ``(a, b, c)``."""
    if isinstance(precision, (tuple, list)):
        if len(precision) != 3:
            raise ValueError(
                f"Argument 'precision' = {precision!r} is not supported: pass one precision or a triple (a, b, c)."
            )
        given = tuple(precision)
    else:
        given = (precision,) * 3
    names = tuple(normalize_precision(p, _PRECISIONS, f"precision[{i}]") for i, p in enumerate(given))
    return names, given


def _check_execution(execution: str, block_size, block_dim) -> None:
    """Refuse executions cuBLASDx has no GEMM for, before any libmathdx call."""
    check_choice("execution", execution, _EXECUTIONS)
    if execution in _GEMM_EXECUTIONS:
        return
    block = "" if block_size is None and block_dim is None else " (and a block shape makes no sense without Block)"
    reason = "Thread execution exists only for TRSM" if execution == "Thread" else "libmathdx 0.4.1 refuses Warp"
    raise ValueError(
        f"Argument 'execution' = {execution!r} is not supported for GEMM: cuBLASDx 0.7.1 has Block execution only "
        f"({reason}); pass execution='Block'{block}."
    )


def _check_accumulator(names: tuple[str, str, str], precision) -> None:
    """Refuse C precisions cuBLASDx cannot accumulate in, and integer accumulators narrower than 4x the inputs."""
    a, b, c = names
    integral = [p in _INTEGRAL for p in names]
    if any(integral) and not all(integral):
        raise ValueError(
            f"Argument 'precision' = {precision!r} is not supported: cuBLASDx cannot mix integer and floating-point "
            f"precisions in one GEMM (A, B and C all integer, e.g. (int8, int8, int32), or all floating-point)."
        )
    if c not in _ACCUMULATORS:
        example = "(int8, int8, int32)" if c in _INTEGRAL else "(a, b, numpy.float32)"
        allowed = ", ".join(_SHORT_NAMES[p] for p in _ACCUMULATORS)
        raise ValueError(
            f"Argument 'precision' = {precision!r} is not supported: C (the accumulator) is {_SHORT_NAMES[c]}; "
            f"cuBLASDx accumulates in {allowed} only. Pass a triple (a, b, c), e.g. {example}."
        )
    if c in _INTEGRAL:
        widest = max(_ELEMENT_BYTES[a], _ELEMENT_BYTES[b])
        if _ELEMENT_BYTES[c] < 4 * widest:
            raise ValueError(
                f"Argument 'precision' = {precision!r} is not supported: an integer C must be at least 4 times as "
                f"wide as A and B ({4 * widest} bytes), e.g. (int8, int8, int32)."
            )


def _check_leading_dimension(size: tuple[int, int, int], leading_dimension: tuple, arrangement) -> None:
    """Each leading dimension must cover its matrix as stored: the row length (row-major) or column length."""
    m, n, k = size
    arrangement = arrangement or _DEFAULT_ARRANGEMENT
    shapes = {"a": (m, k), "b": (k, n), "c": (m, n)}
    for i, (matrix, order) in enumerate(zip("abc", arrangement, strict=True)):
        rows, cols = shapes[matrix]
        least = cols if order == "row_major" else rows
        if leading_dimension[i] < least:
            raise ValueError(
                f"Argument 'leading_dimension' = {leading_dimension!r} is not supported: ld{matrix} = "
                f"{leading_dimension[i]} must be at least {least} ({matrix.upper()} is {rows}x{cols}, {order})."
            )


def _short_reason(text: str) -> str:
    """The first sentence of a libmathdx / cuBLASDx message, at most ``_MAX_REASON`` characters.

    Example:
        >>> _short_reason("Integer C must be wider, e.g. int32; Accumulator precision must be one of ...")
        'Integer C must be wider, e.g. int32'
        >>> _short_reason("LDA must be greater than K. See the docs.")
        'LDA must be greater than K'
    """
    first = _SENTENCE_END.split(text.strip().split("; ")[0])[0].strip().rstrip(".")
    return first if len(first) <= _MAX_REASON else first[: _MAX_REASON - 3].rstrip() + "..."


def _argument_of(message: str) -> str | None:
    lowered = message.lower()
    for word, argument in _ARGUMENT_OF_MESSAGE:
        if word in lowered.replace("_", " ").split() or (len(word) > 3 and word in lowered):
            return argument
    return None


def rejected(desc: MatmulDescription, exc: mathdx.MathdxError, given: dict) -> ValueError:
    """A ValueError naming the argument cuBLASDx rejects, its value and cuBLASDx's own reasons.

    Args:
        desc: the description tried.
        exc: libmathdx's error.
        given: ``{argument: value as the user gave it}``, for the message.

    Example:
        >>> err = mathdx.MathdxError(3, "cublasdxGetTraitInt64s", 'static assertion failed with "Provided block '
        ...                          'dimension is invalid"')
        >>> d = MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90, block_dim=(7, 1, 1))
        >>> str(rejected(d, err, {"block_dim": (7, 1, 1)}))[:41]
        "Argument 'block_dim' = (7, 1, 1) is not s"
    """
    messages = backend.description_errors(exc)
    if not messages:
        detail = (exc.detail or str(exc)).strip().splitlines()
        reason = _short_reason(detail[-1] if detail else str(exc))
        named = {k: v for k, v in given.items() if v is not None}
        return ValueError(f"cuBLASDx rejects the GEMM {desc.describe()}: {reason}. Arguments given: {named}.")
    argument = next((a for a in map(_argument_of, messages) if a is not None), None)
    reason = _short_reason(messages[0])
    if argument is None or argument not in given:
        named = {k: v for k, v in given.items() if v is not None}
        return ValueError(f"cuBLASDx rejects the GEMM {desc.describe()}: {reason}. Arguments given: {named}.")
    return ValueError(
        f"Argument {argument!r} = {given[argument]!r} is not supported by cuBLASDx for {desc.describe()}: {reason}."
    )


class Layout:
    """A cuBLASDx memory layout of one matrix, from ``MM.get_layout_*`` / ``MM.suggest_layout_*``.

    On the host it tells how much memory the layout needs (for
    :meth:`Matmul.get_shared_storage_size`); in kernels the same calls make layouts that
    :func:`nvmath.device.make_tensor` combines with an array.

    Attributes:
        matmul: the :class:`Matmul` it belongs to.
        kind: the libmathdx tensor kind (``"smem_a"``, ``"suggested_smem_b"``, ``"gmem_c"``,
            ``"suggested_rmem_c"`` ...).
        leading_dimension: the runtime leading dimension of a global-memory layout (None: the
            description's).

    Example:
        >>> MM.suggest_layout_smem_a().storage_bytes  # doctest: +SKIP
        8192
    """

    def __init__(self, matmul: Matmul, kind: str, leading_dimension: int | None = None) -> None:
        self.matmul = matmul
        self.kind = kind
        self.leading_dimension = leading_dimension

    @property
    def spec(self) -> TensorSpec:
        """The libmathdx tensor type."""
        return TensorSpec(self.kind)

    @property
    def storage_bytes(self) -> int:
        """Bytes of memory a tensor of this layout views (shared and register layouts)."""
        if self.kind.startswith("gmem"):
            raise ValueError(f"A global-memory layout ({self.kind}) has no fixed storage size.")
        return self.matmul.tensor_traits(self.spec).storage_bytes

    @property
    def alignment(self) -> int:
        """Required alignment in bytes."""
        return self.matmul.tensor_traits(self.spec).alignment

    @property
    def size(self) -> int:
        """Elements of the tensor (for a register layout: this thread's)."""
        return self.matmul.tensor_traits(self.spec).logical_size

    def __repr__(self) -> str:
        ld = "" if self.leading_dimension is None else f", ld={self.leading_dimension}"
        return f"Layout({self.kind}{ld})"


class Matmul:
    """A cuBLASDx GEMM ``C = alpha * op(A) @ B + beta * C`` for use inside ``@cuda.jit`` kernels.

    Args:
        size: ``(m, n, k)``: A is m x k, B is k x n, C is m x n.
        precision: one precision for A, B and C, or a triple ``(a, b, c)``: ``numpy.float16``,
            ``'bfloat16'`` (or ``ml_dtypes.bfloat16``), ``'tf32'``, ``numpy.float32``,
            ``numpy.float64``, ``'float8_e4m3fn'`` / ``'float8_e5m2'`` (``ml_dtypes``), integer
            types such as ``numpy.int8`` with ``numpy.int32`` for C — as cuBLASDx supports them
            on ``sm``.
        data_type: ``'real'`` or ``'complex'``.
        sm: compute capability, e.g. ``90``; default the current device. An explicit value
            allows describing and compiling GEMMs without a GPU.
        block_size: threads of a 1-D block (an int, or ``'suggested'``); not with ``block_dim``.
        block_dim: the block shape ``(x, y, z)`` (a :class:`Dim3` or triple, or ``'suggested'``);
            None and ``'suggested'`` take cuBLASDx's suggestion.
        leading_dimension: ``(lda, ldb, ldc)`` in elements, ``'suggested'`` (padded to avoid
            shared-memory bank conflicts) or None (the arrangements' defaults).
        arrangement: ``(a, b, c)``, each ``'row_major'`` or ``'col_major'``; None: cuBLASDx's
            default (row, col, col).
        alignment: ``(a, b, c)`` in bytes (multiples of the element sizes, at most 16); None:
            the element sizes.
        execution: ``'Block'``. ``'Thread'`` and ``'Warp'`` are refused up front: cuBLASDx 0.7.1
            has Thread execution for TRSM only, and libmathdx 0.4.1 has no Warp GEMM.
        static_block_dim: promise to launch with exactly ``block_dim`` (cuBLASDx can then
            specialize).
        with_pipeline: build for the pipeline API (the Hopper wgmma path).
        enable_input_streaming: cuBLASDx's input streaming (needed with ``with_pipeline`` for wgmma).

    Raises:
        ValueError: an argument is invalid or cuBLASDx rejects the combination; the message
            names the argument, its value and cuBLASDx's reason.
        nvmath._gpu.NoGPUError: ``sm`` is None and no GPU is visible.

    Traits (also compile-time constants in kernels): ``size``, ``a_dim``, ``b_dim``,
    ``c_dim``, ``a_size``, ``b_size``, ``c_size``, ``a_value_type``, ``b_value_type``,
    ``c_value_type``, ``leading_dimension``, ``block_dim``, ``block_size``,
    ``max_threads_per_block``, ``alignment``, ``arrangement``, ``precision``.

    In a kernel (``MM`` a global or closure variable): ``MM.execute(alpha, a, b, beta, c)``
    with shared arrays holding A, B and C in the default layouts (``a_size`` elements ...);
    ``MM.execute(alpha, a, lda, b, ldb, beta, c, ldc)`` with leading dimensions known at run
    time; the tensor API and register accumulators (see :mod:`nvmath.device`). Launch with
    ``kernel[grid, MM.block_dim]`` (all threads of the block take part).

    Example:
        >>> MM = Matmul((32, 16, 64), np.float32, "real", sm=90, block_size=64)  # doctest: +SKIP
        >>> MM.a_dim, MM.a_size, MM.arrangement.a  # doctest: +SKIP
        ((32, 64), 2048, 'row_major')
    """

    def __init__(
        self,
        size,
        precision: Any,
        data_type: str = "real",
        *,
        sm: int | tuple[int, int] | str | None = None,
        block_size: int | str | None = None,
        block_dim=None,
        leading_dimension=None,
        arrangement=None,
        alignment=None,
        execution: str = "Block",
        static_block_dim: bool = False,
        with_pipeline: bool = False,
        enable_input_streaming: bool = False,
    ) -> None:
        from nvmath.device.registration import register_numba_extensions

        register_numba_extensions()
        size = _triple("size", size, _positive_int)
        names, given_precision = _precisions(precision)
        _check_accumulator(names, precision)
        check_choice("data_type", data_type, _DATA_TYPES)
        _check_execution(execution, block_size, block_dim)
        for flag_name, flag in (
            ("static_block_dim", static_block_dim),
            ("with_pipeline", with_pipeline),
            ("enable_input_streaming", enable_input_streaming),
        ):
            if not isinstance(flag, bool):
                raise ValueError(f"Argument {flag_name!r} = {flag!r} is not supported: allowed values are True, False.")
        if arrangement is not None:
            arrangement = _triple("arrangement", arrangement, lambda n, v: check_choice(n, v, _ARRANGEMENTS))
        if alignment is not None:
            alignment = _triple("alignment", alignment, _positive_int)
            for i, (value, name) in enumerate(zip(alignment, names, strict=True)):
                element = _ELEMENT_BYTES[name] * (2 if data_type == "complex" else 1)
                if value > 16 or value % element:
                    raise ValueError(
                        f"Argument 'alignment' = {alignment!r} is not supported: alignment[{i}] = {value} must be a "
                        f"multiple of the element size ({element} bytes) and at most 16."
                    )
        block = self._check_block(block_size, block_dim)
        ld_suggested = isinstance(leading_dimension, str)
        if ld_suggested:
            check_choice("leading_dimension", leading_dimension, ("suggested",))
            leading_dimension = None
        elif leading_dimension is not None:
            leading_dimension = _triple("leading_dimension", leading_dimension, _positive_int)
            _check_leading_dimension(size, leading_dimension, arrangement)
        sm_value = normalize_sm(sm, library="cuBLASDx", min_sm=_MIN_SM)

        desc = MatmulDescription(
            size=size,
            precision=names,
            data_type=data_type,
            sm=sm_value,
            execution=execution,
            block_dim=block,
            leading_dimension=leading_dimension,
            arrangement=arrangement,
            alignment=alignment,
            static_block_dim=static_block_dim,
            with_pipeline=with_pipeline,
            enable_input_streaming=enable_input_streaming,
        )
        given = {
            "size": size,
            "precision": precision,
            "data_type": data_type,
            "execution": execution,
            "block_dim": block_dim if block_dim is not None else block_size,
            "leading_dimension": leading_dimension,
            "arrangement": arrangement,
            "alignment": alignment,
            "with_pipeline": with_pipeline,
        }
        if not ld_suggested:
            _speculate(desc)
        traits = _traits_or_error(desc, given)
        if ld_suggested:  # the suggested values are cuBLASDx's own: no second compile
            desc = desc.replace(leading_dimension=traits.suggested_leading_dimension)
            traits = _replace_traits(traits, leading_dimension=traits.suggested_leading_dimension)
        # desc.block_dim stays None when cuBLASDx suggests it: the code is the same, and the
        # speculative code generation started above is keyed by the description as given.
        self._description = desc
        self._traits = traits
        self._precision = Precision(*given_precision)

    @staticmethod
    def _check_block(block_size, block_dim) -> tuple[int, int, int] | None:
        if block_size is not None and block_dim is not None:
            raise ValueError(
                f"Arguments 'block_size' = {block_size!r} and 'block_dim' = {block_dim!r} are both given: pass one."
            )
        if block_size is not None:
            if block_size == "suggested":
                return None
            size = _positive_int("block_size", block_size)
            if size > _MAX_THREADS_PER_BLOCK:
                raise ValueError(
                    f"Argument 'block_size' = {block_size!r} is not supported: at most {_MAX_THREADS_PER_BLOCK}."
                )
            return (size, 1, 1)
        if block_dim is None or block_dim == "suggested":
            return None
        dims = _triple("block_dim", block_dim, _positive_int)
        if math.prod(dims) > _MAX_THREADS_PER_BLOCK:
            raise ValueError(
                f"Argument 'block_dim' = {block_dim!r} is not supported: {math.prod(dims)} threads; at most "
                f"{_MAX_THREADS_PER_BLOCK} are allowed."
            )
        return dims

    # ---- description and traits -----------------------------------------------------------

    @property
    def description(self) -> MatmulDescription:
        """The normalized description (hashable): what code generation is keyed by."""
        return self._description

    @property
    def traits(self) -> MatmulTraits:
        """All libmathdx traits of this GEMM."""
        return self._traits

    @property
    def size(self) -> tuple[int, int, int]:
        """``(m, n, k)``."""
        return self._description.size

    @property
    def precision(self) -> Precision:
        """The precisions of A, B and C as given."""
        return self._precision

    @property
    def data_type(self) -> str:
        """``'real'`` or ``'complex'``."""
        return self._description.data_type

    @property
    def execution(self) -> str:
        """``'Block'`` (the only GEMM execution of cuBLASDx 0.7.1)."""
        return self._description.execution

    @property
    def sm(self) -> int:
        """Target compute capability as an integer, e.g. 90."""
        return self._description.sm

    @property
    def static_block_dim(self) -> bool:
        """Whether the kernel promises to launch with exactly ``block_dim``."""
        return self._description.static_block_dim

    @property
    def with_pipeline(self) -> bool:
        """Whether this GEMM is built for the pipeline API."""
        return self._description.with_pipeline

    @property
    def enable_input_streaming(self) -> bool:
        """Whether cuBLASDx's input streaming is on."""
        return self._description.enable_input_streaming

    @property
    def block_dim(self) -> Dim3:
        """The block shape to launch with."""
        return Dim3(*self._traits.block_dim)

    @property
    def block_size(self) -> int:
        """Threads per block (``x * y * z`` of ``block_dim``)."""
        return self._traits.block_size

    @property
    def max_threads_per_block(self) -> int:
        """cuBLASDx's ``max_threads_per_block`` (the launch bound of kernels using this GEMM)."""
        return self._traits.max_threads_per_block

    @property
    def leading_dimension(self) -> LeadingDimension:
        """``(lda, ldb, ldc)`` of the default shared-memory layouts, in elements."""
        return LeadingDimension(*self._traits.leading_dimension)

    @property
    def suggested_leading_dimension(self) -> LeadingDimension:
        """cuBLASDx's suggested (padded) leading dimensions for this GEMM."""
        return LeadingDimension(*self._traits.suggested_leading_dimension)

    @property
    def arrangement(self) -> Arrangement:
        """The arrangements of A, B and C."""
        return Arrangement(*self._traits.arrangement)

    @property
    def alignment(self) -> Alignment:
        """The alignments of A, B and C in bytes."""
        return Alignment(*self._traits.alignment)

    @property
    def a_dim(self) -> tuple[int, int]:
        """``(m, k)``: rows and columns of A."""
        m, _, k = self.size
        return (m, k)

    @property
    def b_dim(self) -> tuple[int, int]:
        """``(k, n)``: rows and columns of B."""
        _, n, k = self.size
        return (k, n)

    @property
    def c_dim(self) -> tuple[int, int]:
        """``(m, n)``: rows and columns of C."""
        m, n, _ = self.size
        return (m, n)

    def _matrix_size(self, matrix: str, ld: int) -> int:
        rows, cols = {"a": self.a_dim, "b": self.b_dim, "c": self.c_dim}[matrix]
        arrangement = getattr(self.arrangement, matrix)
        return ld * (cols if arrangement == "col_major" else rows)

    @property
    def a_size(self) -> int:
        """Elements of A in the default shared-memory layout (with its leading dimension)."""
        return self._matrix_size("a", self.leading_dimension.a)

    @property
    def b_size(self) -> int:
        """Elements of B in the default shared-memory layout."""
        return self._matrix_size("b", self.leading_dimension.b)

    @property
    def c_size(self) -> int:
        """Elements of C in the default shared-memory layout."""
        return self._matrix_size("c", self.leading_dimension.c)

    @property
    def a_value_type(self):
        """Element type of A (in kernels a Numba type; in the simulator a NumPy dtype)."""
        return _element_type(self._traits.value_types[0])

    @property
    def b_value_type(self):
        """Element type of B."""
        return _element_type(self._traits.value_types[1])

    @property
    def c_value_type(self):
        """Element type of C."""
        return _element_type(self._traits.value_types[2])

    def element_bytes(self, matrix: str) -> int:
        """Bytes per element of ``matrix`` (``'a'``, ``'b'`` or ``'c'``).

        Example:
            >>> MM.element_bytes("c")  # doctest: +SKIP
            4
        """
        index = "abc".index(check_choice("matrix", matrix, ("a", "b", "c")))
        name = self._description.precision[index]
        return _ELEMENT_BYTES[name] * (2 if self.data_type == "complex" else 1)

    # ---- layouts and shared memory -------------------------------------------------------------

    def tensor_traits(self, spec: TensorSpec):
        """The libmathdx traits of one tensor type (the first call compiles, seconds; then cached).

        Example:
            >>> MM.tensor_traits(TensorSpec("suggested_rmem_c")).logical_size  # doctest: +SKIP
            4
        """
        extra = () if spec in backend.STANDARD_TENSORS else (spec,)
        return backend.query_tensor_traits(self._description, extra)[spec]

    def get_layout_gmem_a(self, leading_dimension: int | None = None) -> Layout:
        """The global-memory layout of A (row or column major, ``leading_dimension`` elements apart).

        Example:
            >>> MM.get_layout_gmem_a(1024)  # doctest: +SKIP
            Layout(gmem_a, ld=1024)
        """
        return Layout(self, "gmem_a", leading_dimension)

    def get_layout_gmem_b(self, leading_dimension: int | None = None) -> Layout:
        """The global-memory layout of B."""
        return Layout(self, "gmem_b", leading_dimension)

    def get_layout_gmem_c(self, leading_dimension: int | None = None) -> Layout:
        """The global-memory layout of C."""
        return Layout(self, "gmem_c", leading_dimension)

    def get_layout_smem_a(self) -> Layout:
        """The plain shared-memory layout of A (its arrangement and leading dimension)."""
        return Layout(self, "smem_a")

    def get_layout_smem_b(self) -> Layout:
        """The plain shared-memory layout of B."""
        return Layout(self, "smem_b")

    def get_layout_smem_c(self) -> Layout:
        """The plain shared-memory layout of C."""
        return Layout(self, "smem_c")

    def suggest_layout_smem_a(self) -> Layout:
        """cuBLASDx's suggested shared-memory layout of A (possibly swizzled: fastest for ``execute``)."""
        return Layout(self, "suggested_smem_a")

    def suggest_layout_smem_b(self) -> Layout:
        """cuBLASDx's suggested shared-memory layout of B."""
        return Layout(self, "suggested_smem_b")

    def suggest_layout_smem_c(self) -> Layout:
        """cuBLASDx's suggested shared-memory layout of C."""
        return Layout(self, "suggested_smem_c")

    def suggest_layout_rmem_c(self) -> Layout:
        """The register partition of C that ``suggest_accumulator()`` uses."""
        return Layout(self, "suggested_rmem_c")

    def get_layout_rmem_c(self) -> Layout:
        """The register partition of C that ``get_accumulator()`` uses."""
        return Layout(self, "rmem_c")

    def _matrix_bytes(self, matrix: str, what) -> tuple[int, int]:
        """``(bytes, alignment)`` of ``matrix`` for ``what``: None, a leading dimension, or a Layout."""
        alignment = getattr(self.alignment, matrix)
        if what is None:
            return self._matrix_size(matrix, getattr(self.leading_dimension, matrix)) * self.element_bytes(
                matrix
            ), alignment
        if isinstance(what, Layout):
            if what.matmul is not self and what.matmul != self:
                raise ValueError(f"The layout {what!r} belongs to another Matmul.")
            if what.kind not in (f"smem_{matrix}", f"suggested_smem_{matrix}"):
                raise ValueError(f"The layout {what!r} is not a shared-memory layout of {matrix.upper()}.")
            return what.storage_bytes, max(alignment, what.alignment)
        ld = _positive_int(f"ld{matrix}", what)
        rows, cols = {"a": self.a_dim, "b": self.b_dim, "c": self.c_dim}[matrix]
        minimum = rows if getattr(self.arrangement, matrix) == "col_major" else cols
        if ld < minimum:
            raise ValueError(
                f"Argument 'ld{matrix}' = {ld} is too small: the {getattr(self.arrangement, matrix)} "
                f"{matrix.upper()} ({rows} x {cols}) needs at least {minimum}."
            )
        return self._matrix_size(matrix, ld) * self.element_bytes(matrix), alignment

    def get_shared_storage_size(self, a=None, b=None, c=None) -> int:
        """Bytes of shared memory for A, B and C, one after the other, each aligned.

        Args:
            a, b, c: each None (the default layout), a leading dimension (int), or a
                shared-memory :class:`Layout` of that matrix (``MM.suggest_layout_smem_a()``).

        Example:
            >>> MM.get_shared_storage_size()  # doctest: +SKIP
            14336
        """
        return self._storage((("a", a), ("b", b), ("c", c)))

    def get_shared_storage_size_ab(self, a=None, b=None) -> int:
        """Bytes of shared memory for A and B only (C kept in registers), each aligned.

        Example:
            >>> MM.get_shared_storage_size_ab(MM.suggest_layout_smem_a(), MM.suggest_layout_smem_b())  # doctest: +SKIP
            12288
        """
        return self._storage((("a", a), ("b", b)))

    def _storage(self, parts) -> int:
        offset = 0
        for matrix, what in parts:
            nbytes, alignment = self._matrix_bytes(matrix, what)
            offset = -(-offset // alignment) * alignment + nbytes
        return offset

    # ---- knobs ------------------------------------------------------------------------------

    def valid(self, *knobs: str) -> list:
        """List valid values of ``knobs`` for this GEMM (its size, precision, type, sm ...).

        Args:
            knobs: ``'block_dim'`` (the only knob): 1-D blocks of whole warps that cuBLASDx
                accepts (32 to 1024 threads; with ``with_pipeline``, 128 to 512 in whole
                warpgroups, what the wgmma path needs).

        Example:
            >>> MM.valid("block_dim")[:2]  # doctest: +SKIP
            [(Dim3(x=32, y=1, z=1),), (Dim3(x=64, y=1, z=1),)]
        """
        if not knobs:
            raise ValueError("valid() needs at least one knob: 'block_dim'.")
        for knob in knobs:
            check_choice("knobs", knob, ("block_dim",))
        if self.with_pipeline:
            sizes = range(128, 513, 128)
        else:
            sizes = range(_WARP, _MAX_THREADS_PER_BLOCK + 1, _WARP)
        return [tuple(Dim3(size, 1, 1) for _ in knobs) for size in sizes]

    # ---- execution ----------------------------------------------------------------------------

    def execute(self, *args) -> None:
        """Run the GEMM inside a kernel (see the class docstring for the argument forms).

        Only meaningful inside ``@cuda.jit`` kernels and under the CUDA simulator.

        Example:
            >>> MM.execute(1.0, smem_a, smem_b, 0.0, smem_c)  # doctest: +SKIP
        """
        return _in_kernel(self, "execute", *args)

    def suggest_accumulator(self):
        """A register accumulator of C in cuBLASDx's suggested partition (inside kernels).

        Example:
            >>> acc = MM.suggest_accumulator()  # doctest: +SKIP
            >>> MM.execute(smem_a_tensor, smem_b_tensor, acc)  # doctest: +SKIP
        """
        return _in_kernel(self, "suggest_accumulator")

    def get_accumulator(self):
        """A register accumulator of C in the partition of ``get_layout_rmem_c()`` (inside kernels).

        Example:
            >>> acc = MM.get_accumulator()  # doctest: +SKIP
        """
        return _in_kernel(self, "get_accumulator")

    def suggest_device_pipeline(self, depth: int, a, b, *, stream=None):
        """A cuBLASDx device pipeline of this tile GEMM over global ``a`` (m x k) and ``b`` (k x n).

        Needs ``with_pipeline=True`` (and, for wgmma on sm_90a, ``enable_input_streaming=True``,
        16-byte alignment and 128/256/512 threads). See
        :func:`nvmath.device.matmul_pipeline.suggest_device_pipeline`.

        Example:
            >>> dp = MM.suggest_device_pipeline(0, a, b)  # doctest: +SKIP
        """
        from nvmath.device.matmul_pipeline import suggest_device_pipeline

        return suggest_device_pipeline(self, depth, a, b, stream=stream)

    def __repr__(self) -> str:
        d = self._description
        return (
            f"Matmul(size={d.size}, precision={d.precision}, data_type={d.data_type!r}, sm={d.sm}, "
            f"block_dim={tuple(self.block_dim)}, leading_dimension={tuple(self.leading_dimension)}, "
            f"arrangement={tuple(self.arrangement)}, execution={d.execution!r})"
        )

    def __eq__(self, other) -> bool:
        return isinstance(other, Matmul) and other._description == self._description

    def __hash__(self) -> int:
        return hash(self._description)


def _speculate(desc: MatmulDescription) -> None:
    """Start the traits query, the tensor traits and the shared-memory ``execute`` code in the background.

    Most kernels call ``MM.execute(alpha, a, b, beta, c)``; generating its code (seconds) while
    the traits are queried and the kernel is typed takes it off the first launch's critical
    path. The traits take the in-process slot, so the code goes to a worker process. Set
    ``NVMATH_CODEGEN_SPECULATE=0`` to generate only what kernels use; the simulator generates none.
    """
    backend.prefetch_traits(desc)
    if simulator_enabled():  # the simulator runs kernels with NumPy: no code to generate
        return
    if os.environ.get("NVMATH_CODEGEN_SPECULATE", "1") == "0":
        return
    # The tensor traits (layouts, fragment sizes: one more compile) are needed as soon as a
    # kernel that uses the tensor API is typed; asking now overlaps them with the traits.
    backend.prefetch_tensor_traits(desc)
    if desc.execution == "Block" and not desc.with_pipeline:
        backend.prefetch(backend.ExecuteCode(desc, "smem"))


def _in_kernel(mm: Matmul, method: str, *args):
    """Run ``MM.method(*args)`` in the simulator; outside kernels it is an error."""
    if simulator_enabled():
        from nvmath.device import simulator_matmul

        return getattr(simulator_matmul, method)(mm, *args)
    raise RuntimeError(
        f"Matmul.{method}() runs inside @cuda.jit kernels only (or under NUMBA_ENABLE_CUDASIM=1); "
        "for matrix products of host arrays use nvmath.linalg.advanced.matmul."
    )


def _traits_or_error(desc: MatmulDescription, given: dict) -> MatmulTraits:
    try:
        return backend.query_traits(desc)
    except mathdx.MathdxError as exc:
        raise rejected(desc, exc, given) from None


def _replace_traits(traits: MatmulTraits, **changes) -> MatmulTraits:
    import dataclasses

    return dataclasses.replace(traits, **changes)


@functools.cache
def _element_type(value_type_name: str):
    """A libmathdx value type name -> the kernel-side type (Numba) or, in the simulator, a NumPy dtype."""
    from nvmath.device import element_types

    value_type = mathdx.CommondxValueType[value_type_name]
    if simulator_enabled():
        return element_types.numpy_type(value_type)
    return element_types.numba_type(value_type)
