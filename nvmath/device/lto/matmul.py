"""cuBLASDx descriptor -> traits, tensor traits and LTO-IR, through libmathdx.

Everything here works without a GPU and without Numba (the code-generation worker imports
this module). Unlike cuFFTDx, every cuBLASDx query compiles: the traits of a description
(about 3-5 s), the traits of its tensors (about 6 s), the pointer-API ``execute`` (6-9 s) and
each tensor-API device function (4-9 s). So all of them are *requests* run by
:mod:`nvmath.device.lto.mathdx`: cached on disk, shared in memory, started in the
background, in parallel worker processes:

- :class:`TraitsRequest` -> :class:`MatmulTraits` (JSON);
- :class:`TensorTraitsRequest` -> ``{tensor kind: TensorTraits}`` (JSON), one compile for all;
- :class:`ExecuteCode` -> the pointer-API ``execute`` (``'smem'`` or ``'smem_dynamic_ld'``);
- :class:`FunctionCode` -> one tensor-API device function (copy, execute, clear, ...).

Every generated function gets a stable symbol of ours (``nvmath_cublasdx_...``), so the cache
key, the symbol and the code always agree. Opaque tensors cross the C ABI *by value* as
identified structs: ``{ i8* }`` for shared-memory and register tensors, ``{ i8*, [1 x i64] }``
for global-memory tensors (data pointer and leading dimension); see
:mod:`nvmath.device.numba_lowering_matmul`.

Example:
    >>> from nvmath.device.lto.matmul import MatmulDescription
    >>> d = MatmulDescription((32, 16, 64), ("f32", "f32", "f32"), "real", 90)
    >>> d.size, d.execution
    ((32, 16, 64), 'Block')
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Iterator

from nvmath.bindings import mathdx
from nvmath.device.lto import mathdx as dx

__all__ = [
    "CODEGEN_REQUESTS",
    "CopyWaitCode",
    "ExecuteCode",
    "FunctionCode",
    "MatmulDescription",
    "MatmulTraits",
    "TensorSpec",
    "TensorTraits",
    "TensorTraitsRequest",
    "TraitsRequest",
    "description_errors",
    "descriptor",
    "query_tensor_traits",
    "query_traits",
]

P = mathdx.CommondxPrecision
PRECISIONS = {
    "f8_e5m2": P.F8_E5M2,
    "f8_e4m3": P.F8_E4M3,
    "bf16": P.BF16,
    "f16": P.F16,
    "tf32": P.TF32,
    "f32": P.F32,
    "f64": P.F64,
    "i8": P.I8,
    "i16": P.I16,
    "i32": P.I32,
    "i64": P.I64,
    "u8": P.UI8,
    "u16": P.UI16,
    "u32": P.UI32,
    "u64": P.UI64,
}
DATA_TYPES = {"real": mathdx.CublasdxType.REAL, "complex": mathdx.CublasdxType.COMPLEX}
EXECUTIONS = {
    "Block": mathdx.CommondxExecution.BLOCK,
    "Thread": mathdx.CommondxExecution.THREAD,
    "Warp": mathdx.CommondxExecution.WARP,
}
ARRANGEMENTS = {"col_major": mathdx.CublasdxArrangement.COL_MAJOR, "row_major": mathdx.CublasdxArrangement.ROW_MAJOR}
ARRANGEMENT_NAMES = {int(v): k for k, v in ARRANGEMENTS.items()}
APIS = {
    "smem": mathdx.CublasdxApi.SMEM,
    "smem_dynamic_ld": mathdx.CublasdxApi.SMEM_DYNAMIC_LD,
    "tensors": mathdx.CublasdxApi.TENSORS,
}
T = mathdx.CublasdxTensorType
TENSOR_KINDS = {
    "smem_a": T.SMEM_A,
    "smem_b": T.SMEM_B,
    "smem_c": T.SMEM_C,
    "suggested_smem_a": T.SUGGESTED_SMEM_A,
    "suggested_smem_b": T.SUGGESTED_SMEM_B,
    "suggested_smem_c": T.SUGGESTED_SMEM_C,
    "suggested_rmem_c": T.SUGGESTED_RMEM_C,
    "rmem_c": T.RMEM_C,
    "gmem_a": T.GMEM_A,
    "gmem_b": T.GMEM_B,
    "gmem_c": T.GMEM_C,
}
FUNCTIONS = {
    "execute": mathdx.CublasdxDeviceFunctionType.EXECUTE,
    "copy": mathdx.CublasdxDeviceFunctionType.COPY,
    "copy_wait": mathdx.CublasdxDeviceFunctionType.COPY_WAIT,
    "clear": mathdx.CublasdxDeviceFunctionType.CLEAR,
    "axpby": mathdx.CublasdxDeviceFunctionType.AXPBY,
    "map_idx2crd": mathdx.CublasdxDeviceFunctionType.MAP_IDX2CRD,
    "map_idx2crd_partitioner": mathdx.CublasdxDeviceFunctionType.MAP_IDX2CRD_PARTITIONER,
    "is_thread_active": mathdx.CublasdxDeviceFunctionType.IS_THREAD_ACTIVE,
    "is_predicated": mathdx.CublasdxDeviceFunctionType.IS_PREDICATED,
    "is_index_in_bounds": mathdx.CublasdxDeviceFunctionType.IS_INDEX_IN_BOUNDS,
}


@dataclasses.dataclass(frozen=True)
class MatmulDescription:
    """A complete, normalized cuBLASDx GEMM description (hashable; the key of every query).

    Attributes:
        size: ``(m, n, k)``.
        precision: ``(a, b, c)`` precision names of :data:`PRECISIONS` (``"f16"``, ``"bf16"``, ...).
        data_type: ``"real"`` or ``"complex"``.
        sm: compute capability as an integer, e.g. ``90``.
        execution: ``"Block"`` (or ``"Warp"``; ``"Thread"`` is refused by cuBLASDx 0.7 for GEMM).
        block_dim: ``(x, y, z)``, or None for the library's suggestion.
        leading_dimension: ``(lda, ldb, ldc)``, or None for the arrangement's defaults.
        arrangement: ``(a, b, c)`` of ``"row_major"`` / ``"col_major"``, or None for cuBLASDx's
            default (row, col, col).
        alignment: ``(a, b, c)`` in bytes, or None for the defaults (the element sizes).
        static_block_dim: cuBLASDx's ``StaticBlockDim`` (the kernel launches with exactly ``block_dim``).
        with_pipeline: cuBLASDx's ``WithPipeline`` (the Hopper wgmma path of the pipeline API).
        enable_input_streaming: cuBLASDx's ``EnableInputStreaming``.

    Example:
        >>> MatmulDescription((8, 8, 8), ("f16", "f16", "f32"), "real", 90).precision
        ('f16', 'f16', 'f32')
    """

    size: tuple[int, int, int]
    precision: tuple[str, str, str]
    data_type: str
    sm: int
    execution: str = "Block"
    block_dim: tuple[int, int, int] | None = None
    leading_dimension: tuple[int, int, int] | None = None
    arrangement: tuple[str, str, str] | None = None
    alignment: tuple[int, int, int] | None = None
    static_block_dim: bool = False
    with_pipeline: bool = False
    enable_input_streaming: bool = False

    def replace(self, **changes) -> MatmulDescription:
        """Return a copy with ``changes`` applied.

        Example:
            >>> MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90).replace(block_dim=(64, 1, 1)).block_dim
            (64, 1, 1)
        """
        return dataclasses.replace(self, **changes)

    def key(self) -> dict:
        """The description as a JSON-serialisable dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_key(cls, key: dict) -> MatmulDescription:
        """The description :meth:`key` returned."""
        values = dict(key)
        for name in ("size", "precision", "block_dim", "leading_dimension", "arrangement", "alignment"):
            if values.get(name) is not None:
                values[name] = tuple(values[name])
        return cls(**values)

    @property
    def arch_specific(self) -> bool:
        """Whether the code targets the arch-specific feature set (``sm_90a``: wgmma for pipelines)."""
        return self.with_pipeline and self.sm == 90

    def describe(self) -> str:
        """A short text for logs and messages."""
        m, n, k = self.size
        return f"{m}x{n}x{k} {'/'.join(self.precision)} {self.data_type} {self.execution} sm_{self.sm}" + (
            "a" if self.arch_specific else ""
        )


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


@contextlib.contextmanager
def descriptor(desc: MatmulDescription, api: str = "smem", symbol: str | None = None) -> Iterator[int]:
    """Create a libmathdx cuBLASDx descriptor for ``desc`` (destroyed on exit).

    Raises:
        nvmath.bindings.mathdx.MathdxError: libmathdx refused an operator value.

    Example:
        >>> d = MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90)
        >>> with descriptor(d) as h:
        ...     h != 0
        True
    """
    with dx.descriptor(mathdx.cublasdx_create_descriptor, mathdx.cublasdx_destroy_descriptor) as h:
        _set_operators(h, desc, api)
        if symbol is not None:
            mathdx.cublasdx_set_option_str(h, mathdx.CommondxOption.SYMBOL_NAME, symbol)
        yield h


def _set_operators(h: int, desc: MatmulDescription, api: str) -> None:
    op = mathdx.CublasdxOperatorType
    mathdx.cublasdx_set_operator_int64(h, op.FUNCTION, mathdx.CublasdxFunction.MM)
    mathdx.cublasdx_set_operator_int64s(h, op.SIZE, list(desc.size))
    mathdx.cublasdx_set_operator_int64(h, op.TYPE, DATA_TYPES[desc.data_type])
    mathdx.cublasdx_set_operator_int64s(h, op.PRECISION, [PRECISIONS[p] for p in desc.precision])
    mathdx.cublasdx_set_operator_int64(h, op.SM, desc.sm * 10)
    mathdx.cublasdx_set_operator_int64(h, op.EXECUTION, EXECUTIONS[desc.execution])
    mathdx.cublasdx_set_operator_int64(h, op.API, APIS[api])
    if desc.arrangement is not None:
        mathdx.cublasdx_set_operator_int64s(h, op.ARRANGEMENT, [ARRANGEMENTS[a] for a in desc.arrangement])
    if desc.block_dim is not None:
        mathdx.cublasdx_set_operator_int64s(h, op.BLOCK_DIM, list(desc.block_dim))
    if desc.leading_dimension is not None:
        mathdx.cublasdx_set_operator_int64s(h, op.LEADING_DIMENSION, list(desc.leading_dimension))
    if desc.alignment is not None:
        mathdx.cublasdx_set_operator_int64s(h, op.ALIGNMENT, list(desc.alignment))
    if desc.static_block_dim:
        mathdx.cublasdx_set_operator_int64(h, op.STATIC_BLOCK_DIM, 1)
    if desc.with_pipeline:
        mathdx.cublasdx_set_operator_int64(h, op.WITH_PIPELINE, 1)
    if desc.enable_input_streaming:
        mathdx.cublasdx_set_operator_int64(h, op.ENABLE_INPUT_STREAMING, 1)


def _target_sm(code: int, desc: MatmulDescription) -> None:
    if desc.arch_specific:
        modifier = mathdx.CommondxArchModifier.ARCH_SPECIFIC
        mathdx.commondx_set_code_option_int64s(code, mathdx.CommondxOption.TARGET_SM, [desc.sm * 10, modifier])


_STATIC_ASSERT = re.compile(r'static assertion failed with "([^"]*)"')


def description_errors(exc: mathdx.MathdxError) -> list[str]:
    """The distinct ``static_assert`` messages of cuBLASDx in a failed compile (in order), if any.

    Example:
        >>> description_errors(mathdx.MathdxError(3, "f", 'x static assertion failed with "bad LDA" y'))
        ['bad LDA']
    """
    return list(dict.fromkeys(_STATIC_ASSERT.findall(exc.detail or "")))


# --------------------------------------------------------------------------------------------
# Traits of a description (one compile)
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class MatmulTraits:
    """What libmathdx reports about a description (``CUBLASDX_TRAIT_*``).

    ``value_types`` are :class:`~nvmath.bindings.mathdx.CommondxValueType` names (A, B, C);
    ``block_dim`` is the description's (or the suggested one when it has none); the
    ``suggested_*`` values are cuBLASDx's suggestions for this description.

    Example:
        >>> MatmulTraits(("R_32F",) * 3, (64, 1, 1), (64, 64, 32), (68, 68, 36), (64, 1, 1),
        ...              ("row_major", "col_major", "col_major"), (4, 4, 4), 64).block_size
        64
    """

    value_types: tuple[str, str, str]
    block_dim: tuple[int, int, int]
    leading_dimension: tuple[int, int, int]
    suggested_leading_dimension: tuple[int, int, int]
    suggested_block_dim: tuple[int, int, int]
    arrangement: tuple[str, str, str]
    alignment: tuple[int, int, int]
    max_threads_per_block: int

    @property
    def block_size(self) -> int:
        """Threads in ``block_dim`` (``CUBLASDX_TRAIT_BLOCK_SIZE`` fails in libmathdx 0.4.1)."""
        x, y, z = self.block_dim
        return x * y * z

    def to_json(self) -> bytes:
        """The traits as JSON bytes (what the disk cache stores)."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> MatmulTraits:
        """Traits from :meth:`to_json` bytes."""
        values = json.loads(data)
        return cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in values.items()})


@dataclasses.dataclass(frozen=True)
class TraitsRequest:
    """The request for the traits of one description (one NVRTC compile inside libmathdx).

    Example:
        >>> d = MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90)
        >>> TraitsRequest.from_key(TraitsRequest(d).key()) == TraitsRequest(d)
        True
    """

    description: MatmulDescription

    cache_kind = "mathdx-cublasdx-traits"

    def key(self) -> dict:
        """The request as a JSON-serialisable dict."""
        return {"description": self.description.key()}

    @classmethod
    def from_key(cls, key: dict) -> TraitsRequest:
        """The request that :meth:`key` describes."""
        return cls(MatmulDescription.from_key(key["description"]))

    def build(self) -> bytes:
        """Compile and query the traits (seconds); raises MathdxError if cuBLASDx rejects the description."""
        t = mathdx.CublasdxTraitType
        desc = self.description
        with descriptor(desc) as h:
            suggested_block_dim = mathdx.cublasdx_get_trait_int64s(h, t.SUGGESTED_BLOCK_DIM, 3)
            block_dim = mathdx.cublasdx_get_trait_int64s(h, t.BLOCK_DIM, 3) if desc.block_dim else suggested_block_dim
            traits = MatmulTraits(
                value_types=tuple(v.name for v in mathdx.cublasdx_get_trait_commondx_data_types(h, t.VALUE_TYPE, 3)),
                block_dim=tuple(block_dim),
                leading_dimension=tuple(mathdx.cublasdx_get_trait_int64s(h, t.LEADING_DIMENSION, 3)),
                suggested_leading_dimension=tuple(
                    mathdx.cublasdx_get_trait_int64s(h, t.SUGGESTED_LEADING_DIMENSION, 3)
                ),
                suggested_block_dim=tuple(suggested_block_dim),
                arrangement=tuple(ARRANGEMENT_NAMES[a] for a in mathdx.cublasdx_get_trait_int64s(h, t.ARRANGEMENT, 3)),
                alignment=tuple(mathdx.cublasdx_get_trait_int64s(h, t.ALIGNMENT, 3)),
                max_threads_per_block=mathdx.cublasdx_get_trait_int64(h, t.MAX_THREADS_PER_BLOCK),
            )
        return traits.to_json()

    def describe(self) -> str:
        """A short text for logs."""
        return f"cuBLASDx traits {self.description.describe()}"


@functools.lru_cache(maxsize=1024)
def query_traits(desc: MatmulDescription) -> MatmulTraits:
    """The traits of ``desc`` (a compile on the first query, then the disk cache).

    Raises:
        nvmath.bindings.mathdx.MathdxError: cuBLASDx rejects the description
            (:func:`description_errors` extracts its messages).

    Example:
        >>> d = MatmulDescription((32, 16, 64), ("f32",) * 3, "real", 90)
        >>> query_traits(d).leading_dimension  # doctest: +SKIP
        (64, 64, 32)
    """
    return MatmulTraits.from_json(dx.generate(TraitsRequest(desc)))


def prefetch_traits(desc: MatmulDescription) -> None:
    """Start querying the traits of ``desc`` in the background (see :func:`nvmath.device.lto.mathdx.prefetch`).

    Example:
        >>> prefetch_traits(MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90))  # doctest: +SKIP
    """
    dx.prefetch(TraitsRequest(desc))


# --------------------------------------------------------------------------------------------
# Tensors: specifications and traits (one compile for all of a description's tensors)
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TensorSpec:
    """One opaque tensor type of a description: a kind of :data:`TENSOR_KINDS`, maybe retyped.

    Attributes:
        kind: e.g. ``"gmem_a"``, ``"suggested_smem_a"``, ``"suggested_rmem_c"``.
        value_type: None for the description's own element type, else a
            :class:`~nvmath.bindings.mathdx.CommondxValueType` name: the same layout (or register
            partition) over another element type (``cublasdxMakeTensorLike``), as
            ``make_fragment_like(tensor, dtype)`` makes.

    Example:
        >>> TensorSpec("suggested_rmem_c", "R_16F").memory_space
        'rmem'
    """

    kind: str
    value_type: str | None = None

    @property
    def memory_space(self) -> str:
        """``"gmem"``, ``"smem"`` or ``"rmem"``."""
        return self.kind.removeprefix("suggested_").split("_")[0]

    @property
    def matrix(self) -> str:
        """``"a"``, ``"b"`` or ``"c"``."""
        return self.kind[-1]

    def key(self) -> list:
        """The spec as a JSON-serialisable list."""
        return [self.kind, self.value_type]


def _create_tensor(h: int, spec: TensorSpec) -> list[int]:
    """The tensor handles made for ``spec`` (the last one is the tensor; all must be destroyed)."""
    base = mathdx.cublasdx_create_tensor(h, TENSOR_KINDS[spec.kind])
    if spec.value_type is None:
        return [base]
    return [base, mathdx.cublasdx_make_tensor_like(base, mathdx.CommondxValueType[spec.value_type])]


@dataclasses.dataclass(frozen=True)
class TensorTraits:
    """What libmathdx reports about one opaque tensor type (``CUBLASDX_TENSOR_TRAIT_*``).

    Attributes:
        storage_bytes: bytes of the memory it views (0 for global-memory views).
        alignment: required alignment of that memory in bytes.
        logical_size: elements it holds (for a register fragment: this thread's).
        memory_space: ``"rmem"``, ``"smem"`` or ``"gmem"``.
        opaque_name: libmathdx's name of the type (equal names: interchangeable types).

    Example:
        >>> TensorTraits(16, 4, 4, "rmem", "b067df17").logical_size
        4
    """

    storage_bytes: int
    alignment: int
    logical_size: int
    memory_space: str
    opaque_name: str


_MEMORY_SPACES = {
    int(mathdx.CublasdxMemorySpace.RMEM): "rmem",
    int(mathdx.CublasdxMemorySpace.SMEM): "smem",
    int(mathdx.CublasdxMemorySpace.GMEM): "gmem",
}


@dataclasses.dataclass(frozen=True)
class TensorTraitsRequest:
    """The request for the traits of several tensor types of one description (one compile).

    Example:
        >>> d = MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90, block_dim=(32, 1, 1))
        >>> r = TensorTraitsRequest(d, (TensorSpec("smem_a"),))
        >>> TensorTraitsRequest.from_key(r.key()) == r
        True
    """

    description: MatmulDescription
    tensors: tuple[TensorSpec, ...]

    cache_kind = "mathdx-cublasdx-tensor-traits"

    def key(self) -> dict:
        """The request as a JSON-serialisable dict."""
        return {"description": self.description.key(), "tensors": [t.key() for t in self.tensors]}

    @classmethod
    def from_key(cls, key: dict) -> TensorTraitsRequest:
        """The request that :meth:`key` describes."""
        return cls(MatmulDescription.from_key(key["description"]), tuple(TensorSpec(*t) for t in key["tensors"]))

    def build(self) -> bytes:
        """Compile and query the tensors' traits (seconds)."""
        tt = mathdx.CublasdxTensorTrait
        result = {}
        with descriptor(self.description, api="tensors") as h:
            made = [_create_tensor(h, spec) for spec in self.tensors]
            try:
                mathdx.cublasdx_finalize_tensors([handles[-1] for handles in made])
                for spec, handles in zip(self.tensors, made, strict=True):
                    t = handles[-1]
                    result[json.dumps(spec.key())] = {
                        "storage_bytes": mathdx.cublasdx_get_tensor_trait_int64(t, tt.STORAGE_BYTES),
                        "alignment": mathdx.cublasdx_get_tensor_trait_int64(t, tt.ALIGNMENT_BYTES),
                        "logical_size": mathdx.cublasdx_get_tensor_trait_int64(t, tt.LOGICAL_SIZE),
                        "memory_space": _MEMORY_SPACES[mathdx.cublasdx_get_tensor_trait_int64(t, tt.MEMORY_SPACE)],
                        "opaque_name": mathdx.cublasdx_get_tensor_trait_str(t, tt.OPAQUE_NAME),
                    }
            finally:
                for handles in made:
                    for t in reversed(handles):
                        mathdx.cublasdx_destroy_tensor(t)
        return json.dumps(result, sort_keys=True).encode()

    def describe(self) -> str:
        """A short text for logs."""
        return f"cuBLASDx tensor traits {self.description.describe()} ({len(self.tensors)} tensors)"


#: The tensor types whose traits a description's first tensor query asks for, all in one compile.
STANDARD_TENSORS = tuple(TensorSpec(kind) for kind in TENSOR_KINDS)


def tensor_traits_request(desc: MatmulDescription) -> TensorTraitsRequest:
    """The request for the traits of all :data:`STANDARD_TENSORS` of ``desc``.

    Example:
        >>> len(tensor_traits_request(MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90)).tensors)
        11
    """
    return TensorTraitsRequest(desc, STANDARD_TENSORS)


@functools.lru_cache(maxsize=1024)
def query_tensor_traits(desc: MatmulDescription, extra: tuple[TensorSpec, ...] = ()) -> dict[TensorSpec, TensorTraits]:
    """Traits of the standard tensor types of ``desc`` (and of ``extra`` retyped ones).

    The standard ones come from one request (one compile, then the disk cache); ``extra``
    specs (``make_fragment_like`` types) from a second one.

    Example:
        >>> d = MatmulDescription((32, 16, 64), ("f32",) * 3, "real", 90, block_dim=(128, 1, 1))
        >>> query_tensor_traits(d)[TensorSpec("suggested_smem_a")].storage_bytes  # doctest: +SKIP
        8192
    """
    requests = [tensor_traits_request(desc)]
    extra = tuple(spec for spec in extra if spec not in STANDARD_TENSORS)
    if extra:
        requests.append(TensorTraitsRequest(desc, extra))
    result = {}
    for request in requests:
        values = json.loads(dx.generate(request))
        for spec in request.tensors:
            result[spec] = TensorTraits(**values[json.dumps(spec.key())])
    return result


def prefetch_tensor_traits(desc: MatmulDescription, extra: tuple[TensorSpec, ...] = ()) -> None:
    """Start querying the standard tensor traits of ``desc`` (or of ``extra`` specs) in the background.

    Example:
        >>> prefetch_tensor_traits(MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90))  # doctest: +SKIP
    """
    extra = tuple(spec for spec in extra if spec not in STANDARD_TENSORS)
    dx.prefetch(TensorTraitsRequest(desc, extra) if extra else tensor_traits_request(desc))


# --------------------------------------------------------------------------------------------
# Code: the pointer-API execute, and tensor-API device functions
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ExecuteCode:
    """The request for the pointer-API ``execute`` of a description.

    ``api`` ``"smem"``: ``void f(c* alpha, a* A, b* B, c* beta, c* C)``;
    ``"smem_dynamic_ld"``: ``void f(c* alpha, a* A, unsigned* lda, b* B, unsigned* ldb, c* beta, c* C,
    unsigned* ldc)`` (all pointers; measured in the PTX libmathdx 0.4.1 generates).

    Example:
        >>> d = MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90)
        >>> ExecuteCode(d, "smem").symbol().startswith("nvmath_cublasdx_execute_smem_")
        True
    """

    description: MatmulDescription
    api: str

    cache_kind = "mathdx-cublasdx-ltoir"

    def key(self) -> dict:
        """The request as a JSON-serialisable dict."""
        return {"description": self.description.key(), "api": self.api, "symbol": self.symbol()}

    @classmethod
    def from_key(cls, key: dict) -> ExecuteCode:
        """The request that :meth:`key` describes."""
        return cls(MatmulDescription.from_key(key["description"]), key["api"])

    def symbol(self) -> str:
        """The exported device-function name."""
        return f"nvmath_cublasdx_execute_{self.api}_{_digest(self.description.key(), self.api)}"

    def build(self) -> bytes:
        """Generate the LTO-IR through libmathdx (seconds)."""
        desc = self.description
        with descriptor(desc, api=self.api, symbol=self.symbol()) as h:

            def finalize(code: int) -> None:
                _target_sm(code, desc)
                mathdx.cublasdx_finalize_code(code, h)

            return dx.ltoir_from_code(desc.sm, finalize, self.symbol())

    def describe(self) -> str:
        """A short text for logs."""
        return f"cuBLASDx execute ({self.api}) {self.description.describe()}"


@dataclasses.dataclass(frozen=True)
class FunctionCode:
    """The request for one tensor-API device function of a description.

    Attributes:
        description: the GEMM.
        function: a name of :data:`FUNCTIONS` (``"copy"``, ``"execute"``, ``"clear"``, ...).
        tensors: the tensor types it takes, in libmathdx's order (e.g. source then
            destination for ``copy``).

    Example:
        >>> d = MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90, block_dim=(32, 1, 1))
        >>> f = FunctionCode(d, "copy", (TensorSpec("gmem_a"), TensorSpec("smem_a")))
        >>> f.symbol().startswith("nvmath_cublasdx_copy_")
        True
    """

    description: MatmulDescription
    function: str
    tensors: tuple[TensorSpec, ...]

    cache_kind = "mathdx-cublasdx-ltoir"

    def key(self) -> dict:
        """The request as a JSON-serialisable dict."""
        return {
            "description": self.description.key(),
            "function": self.function,
            "tensors": [t.key() for t in self.tensors],
            "symbol": self.symbol(),
        }

    @classmethod
    def from_key(cls, key: dict) -> FunctionCode:
        """The request that :meth:`key` describes."""
        tensors = tuple(TensorSpec(*t) for t in key["tensors"])
        return cls(MatmulDescription.from_key(key["description"]), key["function"], tensors)

    def symbol(self) -> str:
        """The exported device-function name."""
        digest = _digest(self.description.key(), self.function, [t.key() for t in self.tensors])
        return f"nvmath_cublasdx_{self.function}_{digest}"

    def build(self) -> bytes:
        """Generate the LTO-IR through libmathdx (seconds)."""
        desc = self.description
        with descriptor(desc, api="tensors") as h:
            made = [_create_tensor(h, spec) for spec in self.tensors]
            function = None
            try:
                function = mathdx.cublasdx_create_device_function(
                    h, FUNCTIONS[self.function], [handles[-1] for handles in made]
                )
                mathdx.cublasdx_set_device_function_option_str(
                    function, mathdx.CublasdxDeviceFunctionOption.SYMBOL_NAME, self.symbol()
                )

                def finalize(code: int) -> None:
                    _target_sm(code, desc)
                    mathdx.cublasdx_finalize_device_functions(code, [function])

                return dx.ltoir_from_code(desc.sm, finalize, self.symbol())
            finally:
                if function is not None:
                    mathdx.cublasdx_destroy_device_function(function)
                for handles in made:
                    for t in reversed(handles):
                        mathdx.cublasdx_destroy_tensor(t)

    def describe(self) -> str:
        """A short text for logs."""
        names = ", ".join(t.kind + (f":{t.value_type}" if t.value_type else "") for t in self.tensors)
        return f"cuBLASDx {self.function}({names}) {self.description.describe()}"


@dataclasses.dataclass(frozen=True)
class CopyWaitCode:
    """The request for ``copy_wait`` (the same function for every description; libmathdx's ``LIBMATHDX_NONE``).

    Example:
        >>> CopyWaitCode(90).symbol()
        'nvmath_cublasdx_copy_wait_sm90'
    """

    sm: int

    cache_kind = "mathdx-cublasdx-ltoir"

    def key(self) -> dict:
        """The request as a JSON-serialisable dict."""
        return {"function": "copy_wait", "sm": self.sm, "symbol": self.symbol()}

    @classmethod
    def from_key(cls, key: dict) -> CopyWaitCode:
        """The request that :meth:`key` describes."""
        return cls(key["sm"])

    def symbol(self) -> str:
        """The exported device-function name."""
        return f"nvmath_cublasdx_copy_wait_sm{self.sm}"

    def build(self) -> bytes:
        """Generate the LTO-IR through libmathdx."""
        with dx.LIBMATHDX_LOCK:
            function = mathdx.cublasdx_create_device_function(mathdx.LIBMATHDX_NONE, FUNCTIONS["copy_wait"], [])
            try:
                mathdx.cublasdx_set_device_function_option_str(
                    function, mathdx.CublasdxDeviceFunctionOption.SYMBOL_NAME, self.symbol()
                )
                return dx.ltoir_from_code(
                    self.sm, lambda code: mathdx.cublasdx_finalize_device_functions(code, [function]), self.symbol()
                )
            finally:
                mathdx.cublasdx_destroy_device_function(function)

    def describe(self) -> str:
        """A short text for logs."""
        return f"cuBLASDx copy_wait sm_{self.sm}"


#: The request types a code-generation worker may build from this module.
CODEGEN_REQUESTS = (TraitsRequest, TensorTraitsRequest, ExecuteCode, FunctionCode, CopyWaitCode)


def generate(request: ExecuteCode | FunctionCode | CopyWaitCode) -> tuple[str, bytes]:
    """``(symbol, ltoir)`` of a code request (cached; seconds when generated).

    Example:
        >>> d = MatmulDescription((32, 16, 64), ("f32",) * 3, "real", 90)
        >>> symbol, ltoir = generate(ExecuteCode(d, "smem"))  # doctest: +SKIP
    """
    return request.symbol(), dx.generate(request)


def prefetch(request: ExecuteCode | FunctionCode | CopyWaitCode) -> None:
    """Start generating a code request in the background.

    Example:
        >>> prefetch(ExecuteCode(MatmulDescription((8, 8, 8), ("f32",) * 3, "real", 90), "smem"))  # doctest: +SKIP
    """
    dx.prefetch(request)
