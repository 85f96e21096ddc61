"""cuBLASDx pipelines (the Hopper wgmma path) -> traits and LTO-IR, through libmathdx.

A *device pipeline* streams tiles of two large global matrices A (m x k) and B (k x n)
through shared memory (TMA on sm_90a) into the block-wide GEMM of a
:class:`~nvmath.device.lto.matmul.MatmulDescription` built with ``with_pipeline`` (the tile
``(tm, tn, tk)``); a *tile pipeline* is one block's view of it (its output tile and the
shared-memory stages). libmathdx makes both from a descriptor, the two global tensors (their
shapes and strides are compile-time constants of the code) and a depth (stages; 0: as many as
shared memory holds).

Like everything cuBLASDx, each query compiles, so the work is *requests* run by
:mod:`nvmath.device.lto.mathdx` (disk cache, in-memory futures, background):

- :class:`PipelineTraitsRequest` -> :class:`PipelineTraits` (storage and shared-memory sizes,
  block shape; one compile);
- :class:`PipelineCode` -> one LTO-IR holding a set of the pipeline's device functions (one
  compile for all the functions a kernel needs; the link drops the unused ones).

The device functions and their C ABI (libcublasdx.h 0.4.1; opaque objects are identified
structs ``{ i8* }`` passed by value, as tensors are in :mod:`nvmath.device.lto.matmul`):

============================ =====================================================================
``device_create``            ``create(DP, TA, TB)``: fill the device pipeline's storage (helper kernel)
``device_destroy``           ``destroy(DP)``
``tile_create``              ``create(DP, TP, char* smem, int* idx, int* idy)``: this block's tile
``tile_reset``               ``reset(TP)``
``tile_destroy``             ``destroy(TP)``
``execute``                  ``execute(TP, ACC)``: ``ACC += A_tile_row @ B_tile_column`` over all of k
``accumulator_create``       ``create(TP, ACC)`` (pipelined mode: the tile pipeline makes it)
``accumulator_clear``        ``clear(ACC)``: zero it
``accumulator_finish``       ``finish_accumulation(ACC)``: before reading the results
``accumulator_store``        ``copy(ACC, GC)``: the results into a global tile ``{ i8*, [1 x i64] }``
``accumulator_destroy``      ``destroy(ACC)``
============================ =====================================================================

Example:
    >>> from nvmath.device.lto.matmul import MatmulDescription
    >>> mm = MatmulDescription((128, 128, 32), ("bf16", "bf16", "f32"), "real", 90, block_dim=(128, 1, 1),
    ...                        with_pipeline=True, enable_input_streaming=True)
    >>> p = PipelineDescription(mm, 0, GlobalMatrix("R_16BF", (1024, 1024), (1024, 1)),
    ...                         GlobalMatrix("R_16BF", (1024, 1024), (1, 1024)))
    >>> p.describe()
    '128x128x32 bf16/bf16/f32 real Block sm_90a, A 1024x1024 B 1024x1024, depth max'
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterator

from nvmath.bindings import mathdx
from nvmath.device.lto import mathdx as dx
from nvmath.device.lto import matmul as backend
from nvmath.device.lto.matmul import MatmulDescription

__all__ = [
    "DEVICE_FUNCTIONS",
    "HOST_FUNCTIONS",
    "KERNEL_FUNCTIONS",
    "GlobalMatrix",
    "PipelineCode",
    "PipelineDescription",
    "PipelineTraits",
    "PipelineTraitsRequest",
    "generate",
    "prefetch",
    "query_traits",
]

F = mathdx.CublasdxDeviceFunctionType

# function name -> (libmathdx function, the tensors it takes, the pipelines it takes) by role names.
DEVICE_FUNCTIONS = {
    "device_create": (F.CREATE, (), ("dp",)),
    "device_destroy": (F.DESTROY, (), ("dp",)),
    "tile_create": (F.CREATE, (), ("tp",)),
    "tile_reset": (F.RESET, (), ("tp",)),
    "tile_destroy": (F.DESTROY, (), ("tp",)),
    "execute": (F.EXECUTE, ("acc",), ("tp",)),
    "accumulator_create": (F.CREATE, ("acc",), ("tp",)),
    "accumulator_clear": (F.CLEAR, ("acc",), ()),
    "accumulator_finish": (F.FINISH_ACCUMULATION, ("acc",), ()),
    "accumulator_store": (F.COPY, ("acc", "gmem_c"), ()),
    "accumulator_destroy": (F.DESTROY, ("acc",), ()),
}
#: All the functions of a pipeline, generated together (one compile): what kernels call, and the
#: device pipeline's create/destroy for the helper kernels (the link drops what is unused).
KERNEL_FUNCTIONS = (
    "device_create",
    "device_destroy",
    "tile_create",
    "tile_reset",
    "tile_destroy",
    "execute",
    "accumulator_create",
    "accumulator_clear",
    "accumulator_finish",
    "accumulator_store",
    "accumulator_destroy",
)
#: The functions of the host-side helper kernels (create and destroy the device pipeline).
HOST_FUNCTIONS = ("device_create", "device_destroy")

#: Alignment in bytes given to the global A and B tensors (what TMA and wgmma need).
GLOBAL_ALIGNMENT = 16


@dataclasses.dataclass(frozen=True)
class GlobalMatrix:
    """A global matrix a device pipeline reads: element type, shape and strides (elements).

    Attributes:
        value_type: a :class:`~nvmath.bindings.mathdx.CommondxValueType` name (``"R_16BF"`` ...).
        shape: ``(rows, columns)``: ``(m, k)`` for A, ``(k, n)`` for B.
        strides: element strides of ``shape``'s dimensions (``(k, 1)`` for a row-major A).

    Example:
        >>> GlobalMatrix("R_32F", (64, 32), (32, 1)).shape
        (64, 32)
    """

    value_type: str
    shape: tuple[int, int]
    strides: tuple[int, int]

    def key(self) -> list:
        """The matrix as a JSON-serialisable list."""
        return [self.value_type, list(self.shape), list(self.strides)]

    @classmethod
    def from_key(cls, key: list) -> GlobalMatrix:
        """The matrix :meth:`key` returned."""
        return cls(key[0], tuple(key[1]), tuple(key[2]))


@dataclasses.dataclass(frozen=True)
class PipelineDescription:
    """A complete device pipeline: the tile GEMM, the global A and B, and the depth (hashable).

    Attributes:
        matmul: the tile GEMM (built with ``with_pipeline``).
        depth: pipeline stages; 0 (:data:`~nvmath.bindings.mathdx.LIBMATHDX_MAX_PIPELINE_DEPTH`)
            for as many as shared memory holds.
        a: the global A (m x k).
        b: the global B (k x n).
    """

    matmul: MatmulDescription
    depth: int
    a: GlobalMatrix
    b: GlobalMatrix

    def key(self) -> dict:
        """The description as a JSON-serialisable dict."""
        return {"matmul": self.matmul.key(), "depth": self.depth, "a": self.a.key(), "b": self.b.key()}

    @classmethod
    def from_key(cls, key: dict) -> PipelineDescription:
        """The description :meth:`key` returned."""
        return cls(
            MatmulDescription.from_key(key["matmul"]),
            key["depth"],
            GlobalMatrix.from_key(key["a"]),
            GlobalMatrix.from_key(key["b"]),
        )

    def describe(self) -> str:
        """A short text for logs and messages."""
        (m, k), (_, n) = self.a.shape, self.b.shape
        depth = self.depth or "max"
        return f"{self.matmul.describe()}, A {m}x{k} B {k}x{n}, depth {depth}"


@contextlib.contextmanager
def _handles(desc: PipelineDescription) -> Iterator[dict[str, int]]:
    """All libmathdx objects of a pipeline, finalized: ``{"h", "ga", "gb", "dp", "tp", "acc", "gmem_c"}``."""
    made: dict[str, int] = {}
    pipelines: list[int] = []
    tensors: list[int] = []
    with backend.descriptor(desc.matmul, api="tensors") as h:
        if desc.matmul.arch_specific:  # SM<900, arch_specific>: what selects wgmma in cuBLASDx
            modifier = mathdx.CommondxArchModifier.ARCH_SPECIFIC
            mathdx.cublasdx_set_operator_int64s(h, mathdx.CublasdxOperatorType.SM, [desc.matmul.sm * 10, modifier])
        try:
            for role, matrix in (("ga", desc.a), ("gb", desc.b)):
                t = mathdx.cublasdx_create_tensor_strided(
                    mathdx.CublasdxMemorySpace.GMEM,
                    mathdx.CommondxValueType[matrix.value_type],
                    None,
                    list(matrix.shape),
                    list(matrix.strides),
                )
                tensors.append(t)
                made[role] = t
                mathdx.cublasdx_set_tensor_option_int64(
                    t, mathdx.CublasdxTensorOption.ALIGNMENT_BYTES, GLOBAL_ALIGNMENT
                )
            made["dp"] = mathdx.cublasdx_create_device_pipeline(
                h,
                mathdx.CublasdxDevicePipelineType.SUGGESTED,
                desc.depth,
                mathdx.CublasdxBlockSizeStrategy.FIXED,  # the block is the Matmul's block_dim
                made["ga"],
                made["gb"],
            )
            pipelines.append(made["dp"])
            made["tp"] = mathdx.cublasdx_create_tile_pipeline(h, mathdx.CublasdxTilePipelineType.DEFAULT, made["dp"])
            pipelines.append(made["tp"])
            for role, kind in (("acc", mathdx.CublasdxTensorType.SUGGESTED_ACCUMULATOR_C), ("gmem_c", None)):
                t = mathdx.cublasdx_create_tensor(h, kind if kind is not None else mathdx.CublasdxTensorType.GMEM_C)
                tensors.append(t)
                made[role] = t
            mathdx.cublasdx_finalize(tensors, pipelines)
            made["h"] = h
            yield made
        finally:
            for p in reversed(pipelines):
                mathdx.cublasdx_destroy_pipeline(p)
            for t in reversed(tensors):
                mathdx.cublasdx_destroy_tensor(t)


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# Traits
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PipelineTraits:
    """What libmathdx reports about a pipeline (``CUBLASDX_PIPELINE_TRAIT_*``, accumulator tensor traits).

    Attributes:
        storage_bytes: bytes of the device pipeline's state (global memory, made on the host).
        storage_alignment: its alignment in bytes.
        buffer_size: bytes of dynamic shared memory a block needs (all stages).
        buffer_alignment: alignment of that shared memory in bytes.
        block_dim: the block shape to launch with.
        tile_storage_bytes, tile_storage_alignment: a tile pipeline's state (a block's local memory).
        accumulator_storage_bytes, accumulator_alignment: the accumulator's state (per thread).

    Example:
        >>> PipelineTraits(576, 64, 229600, 128, (128, 1, 1), 120, 8, 544, 16).buffer_size
        229600
    """

    storage_bytes: int
    storage_alignment: int
    buffer_size: int
    buffer_alignment: int
    block_dim: tuple[int, int, int]
    tile_storage_bytes: int
    tile_storage_alignment: int
    accumulator_storage_bytes: int
    accumulator_alignment: int

    def to_json(self) -> bytes:
        """The traits as JSON bytes (what the disk cache stores)."""
        return json.dumps(dataclasses.asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> PipelineTraits:
        """Traits from :meth:`to_json` bytes."""
        values = json.loads(data)
        values["block_dim"] = tuple(values["block_dim"])
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class PipelineTraitsRequest:
    """The request for the traits of one pipeline (one NVRTC compile inside libmathdx, ~15 s).

    Example:
        >>> r = PipelineTraitsRequest(p)  # doctest: +SKIP
        >>> PipelineTraitsRequest.from_key(r.key()) == r  # doctest: +SKIP
        True
    """

    description: PipelineDescription

    cache_kind = "mathdx-cublasdx-pipeline-traits"

    def key(self) -> dict:
        """The request as a JSON-serialisable dict."""
        return {"pipeline": self.description.key()}

    @classmethod
    def from_key(cls, key: dict) -> PipelineTraitsRequest:
        """The request that :meth:`key` describes."""
        return cls(PipelineDescription.from_key(key["pipeline"]))

    def build(self) -> bytes:
        """Compile and query the traits; raises MathdxError if cuBLASDx rejects the pipeline."""
        pt, tt = mathdx.CublasdxPipelineTrait, mathdx.CublasdxTensorTrait
        with _handles(self.description) as made:
            dp, tp, acc = made["dp"], made["tp"], made["acc"]
            traits = PipelineTraits(
                storage_bytes=mathdx.cublasdx_get_pipeline_trait_int64(dp, pt.STORAGE_BYTES),
                storage_alignment=mathdx.cublasdx_get_pipeline_trait_int64(dp, pt.STORAGE_ALIGNMENT_BYTES),
                buffer_size=mathdx.cublasdx_get_pipeline_trait_int64(dp, pt.BUFFER_SIZE),
                buffer_alignment=mathdx.cublasdx_get_pipeline_trait_int64(dp, pt.BUFFER_ALIGNMENT_BYTES),
                block_dim=tuple(mathdx.cublasdx_get_pipeline_trait_int64s(dp, pt.BLOCK_DIM, 3)),
                tile_storage_bytes=mathdx.cublasdx_get_pipeline_trait_int64(tp, pt.STORAGE_BYTES),
                tile_storage_alignment=mathdx.cublasdx_get_pipeline_trait_int64(tp, pt.STORAGE_ALIGNMENT_BYTES),
                accumulator_storage_bytes=mathdx.cublasdx_get_tensor_trait_int64(acc, tt.STORAGE_BYTES),
                accumulator_alignment=mathdx.cublasdx_get_tensor_trait_int64(acc, tt.ALIGNMENT_BYTES),
            )
        return traits.to_json()

    def describe(self) -> str:
        """A short text for logs."""
        return f"cuBLASDx pipeline traits {self.description.describe()}"


@functools.lru_cache(maxsize=256)
def query_traits(desc: PipelineDescription) -> PipelineTraits:
    """The traits of ``desc`` (a compile on the first query, then the disk cache).

    Raises:
        nvmath.bindings.mathdx.MathdxError: cuBLASDx rejects the pipeline.

    Example:
        >>> query_traits(p).buffer_size  # doctest: +SKIP
        229600
    """
    return PipelineTraits.from_json(dx.generate(PipelineTraitsRequest(desc)))


# --------------------------------------------------------------------------------------------
# Code
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PipelineCode:
    """The request for one LTO-IR with the device functions ``functions`` of a pipeline.

    Attributes:
        description: the pipeline.
        functions: names of :data:`DEVICE_FUNCTIONS` (:data:`KERNEL_FUNCTIONS` for kernels,
            :data:`HOST_FUNCTIONS` for the helper kernels).

    Example:
        >>> PipelineCode(p, KERNEL_FUNCTIONS).symbol("execute")  # doctest: +SKIP
        'nvmath_cublasdx_pipeline_execute_...'
    """

    description: PipelineDescription
    functions: tuple[str, ...]

    cache_kind = "mathdx-cublasdx-ltoir"

    def key(self) -> dict:
        """The request as a JSON-serialisable dict."""
        return {
            "pipeline": self.description.key(),
            "functions": list(self.functions),
            "symbols": [self.symbol(f) for f in self.functions],
        }

    @classmethod
    def from_key(cls, key: dict) -> PipelineCode:
        """The request that :meth:`key` describes."""
        return cls(PipelineDescription.from_key(key["pipeline"]), tuple(key["functions"]))

    def symbol(self, function: str) -> str:
        """The exported name of ``function`` in this code."""
        if function not in self.functions:
            raise ValueError(f"Argument 'function' = {function!r} is not in this code: {self.functions}.")
        return f"nvmath_cublasdx_pipeline_{function}_{_digest(self.description.key(), function)}"

    @property
    def arch_specific(self) -> bool:
        """Whether the code targets ``sm_90a`` (wgmma)."""
        return self.description.matmul.arch_specific

    def build(self) -> bytes:
        """Generate the LTO-IR through libmathdx (one compile, tens of seconds)."""
        desc = self.description
        with _handles(desc) as made:
            functions = []
            try:
                for name in self.functions:
                    kind, tensors, pipelines = DEVICE_FUNCTIONS[name]
                    function = mathdx.cublasdx_create_device_function_with_pipelines(
                        made["h"], kind, [made[t] for t in tensors], [made[p] for p in pipelines]
                    )
                    functions.append(function)
                    mathdx.cublasdx_set_device_function_option_str(
                        function, mathdx.CublasdxDeviceFunctionOption.SYMBOL_NAME, self.symbol(name)
                    )

                def finalize(code: int) -> None:
                    backend._target_sm(code, desc.matmul)
                    mathdx.cublasdx_finalize_device_functions(code, functions)

                return dx.ltoir_from_code(desc.matmul.sm, finalize, self.describe())
            finally:
                for function in functions:
                    mathdx.cublasdx_destroy_device_function(function)

    def describe(self) -> str:
        """A short text for logs."""
        return f"cuBLASDx pipeline functions ({', '.join(self.functions)}) {self.description.describe()}"


#: The request types a code-generation worker may build from this module.
CODEGEN_REQUESTS = (PipelineTraitsRequest, PipelineCode)


def generate(request: PipelineCode) -> bytes:
    """The LTO-IR of ``request`` (cached; tens of seconds when generated).

    Example:
        >>> ltoir = generate(PipelineCode(p, KERNEL_FUNCTIONS))  # doctest: +SKIP
    """
    return dx.generate(request)


def prefetch(request: PipelineTraitsRequest | PipelineCode) -> None:
    """Start ``request`` in the background (only where worker processes may build this module's requests).

    Example:
        >>> prefetch(PipelineCode(p, KERNEL_FUNCTIONS))  # doctest: +SKIP
    """
    if __name__ in dx.WORKER_MODULES:
        dx.prefetch(request)
