"""cuBLASDx pipelines on the host: :class:`DevicePipeline` (made by :func:`suggest_device_pipeline`).

A device pipeline lets one kernel compute a large GEMM ``C = A @ B`` tile by tile with the
Hopper path of cuBLASDx (TMA loads into a ring of shared-memory stages, wgmma): each block
takes its tile pipeline with ``device_pipeline.get_tile(smem, tile_m_index, tile_n_index)``
and runs ``tile.execute(acc)`` over the whole k dimension. The tile GEMM is a
:class:`~nvmath.device.Matmul` of size ``(tm, tn, tk)`` built with ``with_pipeline=True``
(wgmma also needs ``enable_input_streaming=True``, ``sm=90`` (``sm_90a`` code), alignment 16
and a block of 128, 256 or 512 threads; without them cuBLASDx silently uses older MMA).

The device pipeline is made on the host over the two global arrays (its state, a few hundred
bytes holding TMA descriptors, lives in global memory and is filled by a one-thread helper
kernel linked through :mod:`nvmath.compile`, on the current stream) and passed to the kernel
as an argument. Its shapes and strides are compile-time constants of the code: a new pipeline
over arrays of the same shapes reuses the compiled kernel.

Example:
    >>> import numpy as np
    >>> from nvmath.device import Matmul
    >>> from nvmath.device.matmul_pipeline import suggest_device_pipeline
    >>> MM = Matmul((128, 128, 32), ("bfloat16", "bfloat16", np.float32), sm=90, block_size=128,
    ...             arrangement=("row_major", "col_major", "row_major"), alignment=(16, 16, 16),
    ...             with_pipeline=True, enable_input_streaming=True)  # doctest: +SKIP
    >>> dp = suggest_device_pipeline(MM, 0, a, b)  # doctest: +SKIP
    >>> kernel[(m // 128, n // 128), dp.block_dim, 0, dp.buffer_size](c, dp)  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

from nvmath._logging import get_logger
from nvmath.bindings import mathdx
from nvmath.device.common import Dim3
from nvmath.device.lto import matmul_pipeline as backend
from nvmath.device.lto.matmul_pipeline import GlobalMatrix, PipelineDescription, PipelineTraits

__all__ = ["DevicePipeline", "TilePipeline", "global_matrix", "pipeline_description", "suggest_device_pipeline"]

_WGMMA_BLOCK_SIZES = (128, 256, 512)
_TORCH_NAMES = {"torch.bfloat16": "bfloat16", "torch.float16": "float16", "torch.float32": "float32"}
_BITS_NAMES = {"uint16": ("bfloat16",), "int16": ("bfloat16",), "bfloat16": ("bfloat16",)}
_VALUE_TYPE_NAMES = {"R_16BF": "bfloat16", "R_16F": "float16", "R_32F": "float32", "R_64F": "float64"}


class TilePipeline:
    """A block's tile pipeline, in kernels only: ``tile = device_pipeline.get_tile(smem, i, j)``.

    Methods in kernels: ``tile.execute(acc)`` (``acc += `` the block's row of A tiles times its
    column of B tiles, over all of k), ``tile.suggest_accumulator()`` (the accumulator it
    executes into), ``tile.reset()`` and ``tile.destroy()`` (when the block is done with it).
    On the host this class only tells the sizes.

    Example:
        >>> dp.tile_pipeline.storage_bytes  # doctest: +SKIP
        120
    """

    def __init__(self, traits: PipelineTraits) -> None:
        self._traits = traits

    @property
    def storage_bytes(self) -> int:
        """Bytes of a tile pipeline's state (in the block's local memory)."""
        return self._traits.tile_storage_bytes

    @property
    def storage_alignment(self) -> int:
        """Alignment of that state in bytes."""
        return self._traits.tile_storage_alignment

    def execute(self, accumulator) -> None:
        """``accumulator += A_row @ B_column`` for this block's tile (inside kernels only).

        Example:
            >>> tile.execute(acc)  # doctest: +SKIP
        """
        raise RuntimeError("TilePipeline.execute() runs inside @cuda.jit kernels only.")


class DevicePipeline:
    """A cuBLASDx device pipeline over global A and B (see the module docstring); a kernel argument.

    Made by :func:`suggest_device_pipeline` (with its global state) or, for compiling kernels
    without a GPU, by :meth:`for_compilation` (no state: it cannot be launched with).

    Attributes:
        matmul: the tile :class:`~nvmath.device.Matmul`.
        description: the :class:`~nvmath.device.lto.matmul_pipeline.PipelineDescription`.

    Example:
        >>> dp.buffer_size, dp.block_dim  # doctest: +SKIP
        (229600, Dim3(x=128, y=1, z=1))
    """

    def __init__(self, matmul, description: PipelineDescription, storage=None, operands: tuple = ()) -> None:
        _register_numba_extensions()
        self.matmul = matmul
        self.description = description
        self._storage = storage
        self._operands = operands  # keep A and B alive while the pipeline reads them

    @classmethod
    def for_compilation(cls, matmul, depth: int, a: GlobalMatrix, b: GlobalMatrix) -> DevicePipeline:
        """A pipeline without state, to give a kernel its argument type (e.g. ``compile_kernel``) without a GPU.

        Example:
            >>> dp = DevicePipeline.for_compilation(MM, 0, GlobalMatrix("R_16BF", (1024, 1024), (1024, 1)),
            ...                                     GlobalMatrix("R_16BF", (1024, 1024), (1, 1024)))  # doctest: +SKIP
        """
        return cls(matmul, pipeline_description(matmul, depth, a, b))

    @functools.cached_property
    def traits(self) -> PipelineTraits:
        """All libmathdx traits of the pipeline (a compile on the first query, then the disk cache)."""
        return _traits_or_error(self.description)

    @property
    def depth(self) -> int:
        """Pipeline stages as asked (0: the most that fit in shared memory)."""
        return self.description.depth

    @property
    def storage_bytes(self) -> int:
        """Bytes of the device pipeline's state in global memory."""
        return self.traits.storage_bytes

    @property
    def storage_alignment(self) -> int:
        """Alignment of that state in bytes."""
        return self.traits.storage_alignment

    @property
    def buffer_size(self) -> int:
        """Bytes of dynamic shared memory to launch the kernel with."""
        return self.traits.buffer_size

    @property
    def buffer_alignment(self) -> int:
        """Alignment the shared-memory buffer given to ``get_tile`` needs, in bytes."""
        return self.traits.buffer_alignment

    @property
    def block_dim(self) -> Dim3:
        """The block shape to launch with."""
        return Dim3(*self.traits.block_dim)

    @property
    def tile_pipeline(self) -> TilePipeline:
        """The sizes of the tile pipelines kernels get from it."""
        return TilePipeline(self.traits)

    @property
    def grid_dim(self) -> Dim3:
        """One block per output tile: ``(m // tm, n // tn, 1)``."""
        (m, _), (_, n) = self.description.a.shape, self.description.b.shape
        tm, tn, _ = self.matmul.size
        return Dim3(m // tm, n // tn, 1)

    @property
    def numba_type(self):
        """The Numba type of this pipeline as a kernel argument (for ``compile_kernel`` argument lists).

        Example:
            >>> compile_kernel(kernel, [types.float32[::1], dp.numba_type], cc=(9, 0))  # doctest: +SKIP
        """
        from nvmath.device.numba_pipeline import DevicePipelineType

        return DevicePipelineType(self)

    @property
    def pointer(self) -> int:
        """The device address of the state (what kernels receive).

        Raises:
            RuntimeError: a pipeline from :meth:`for_compilation`, or one that was freed.
        """
        if self._storage is None:
            raise RuntimeError(
                "This DevicePipeline has no device state (made by for_compilation, or freed): "
                "make one with suggest_device_pipeline(MM, depth, a, b) to launch kernels with it."
            )
        return int(self._storage.__cuda_array_interface__["data"][0])

    def get_tile(self, smem, idx, idy) -> TilePipeline:
        """This block's tile pipeline over output tile ``(idx, idy)`` (inside kernels only).

        Args:
            smem: a shared-memory array of at least ``buffer_size`` bytes aligned to
                ``buffer_alignment`` (e.g. ``cuda.shared.array(0, np.uint8, alignment=1024)``).
            idx, idy: the tile's index along m and along n.

        Example:
            >>> tile = dp.get_tile(smem, cuda.blockIdx.x, cuda.blockIdx.y)  # doctest: +SKIP
        """
        raise RuntimeError("DevicePipeline.get_tile() runs inside @cuda.jit kernels only.")

    def reset_tile(self, tile, idx, idy) -> None:
        """Point ``tile`` at another output tile (inside kernels only; see cuBLASDx's reset).

        Example:
            >>> dp.reset_tile(tile, i, j)  # doctest: +SKIP
        """
        raise RuntimeError("DevicePipeline.reset_tile() runs inside @cuda.jit kernels only.")

    def free(self, stream=None) -> None:
        """Destroy the device state (on ``stream``, default the operands' current stream) and release it.

        Example:
            >>> dp.free()  # doctest: +SKIP
        """
        if self._storage is None:
            return
        handle = _stream_for(self._operands[0] if self._operands else None, stream)
        _launch_helper(self.description, "device_destroy", handle, [self.pointer])
        self._storage = None
        self._operands = ()

    def __enter__(self) -> DevicePipeline:
        return self

    def __exit__(self, *exc) -> None:
        self.free()

    def __repr__(self) -> str:
        state = "no state" if self._storage is None else f"state at 0x{self.pointer:x}"
        return f"DevicePipeline({self.description.describe()}, {state})"


def _register_numba_extensions() -> None:
    """Register the kernel-side typing and lowering (nothing to do in the CUDA simulator)."""
    from nvmath.device.common import simulator_enabled

    if not simulator_enabled():
        from nvmath.device import numba_pipeline  # noqa: F401  (importing registers it)


# ---- descriptions --------------------------------------------------------------------------------


def global_matrix(name: str, array: Any, value_type: str, element_bytes: int) -> GlobalMatrix:
    """The :class:`GlobalMatrix` of a 2-D GPU array (CUDA array interface or a torch tensor), checked.

    Raises:
        ValueError: not 2-D, another element type, strides that are not whole elements, or an
            address or leading stride that is not 16-byte aligned; the message names ``name``.

    Example:
        >>> global_matrix("a", a, "R_16BF", 2)  # doctest: +SKIP
        GlobalMatrix(value_type='R_16BF', shape=(1024, 1024), strides=(1024, 1))
    """
    pointer, shape, strides, dtype_name, itemsize = _array_info(name, array)
    expected = _VALUE_TYPE_NAMES.get(value_type, value_type)
    allowed = (expected, *[bits for bits, names in _BITS_NAMES.items() if expected in names])
    if dtype_name not in allowed:
        raise ValueError(f"Argument {name!r} has element type {dtype_name}: this Matmul needs {' or '.join(allowed)}.")
    if itemsize != element_bytes:
        raise ValueError(f"Argument {name!r} has {itemsize}-byte elements: this Matmul needs {element_bytes}.")
    if len(shape) != 2:
        raise ValueError(f"Argument {name!r} has shape {shape}: a device pipeline needs a 2-D matrix.")
    if 1 not in strides:
        raise ValueError(f"Argument {name!r} has strides {strides} (elements): one dimension must be contiguous.")
    leading = max(strides)
    if pointer % backend.GLOBAL_ALIGNMENT or (leading * itemsize) % backend.GLOBAL_ALIGNMENT:
        raise ValueError(
            f"Argument {name!r} (address 0x{pointer:x}, leading stride {leading * itemsize} bytes) is not "
            f"{backend.GLOBAL_ALIGNMENT}-byte aligned, which TMA needs."
        )
    return GlobalMatrix(value_type, tuple(shape), tuple(strides))


def pipeline_description(matmul, depth: int, a: GlobalMatrix, b: GlobalMatrix) -> PipelineDescription:
    """The checked :class:`PipelineDescription` of a tile GEMM ``matmul`` over global ``a`` and ``b``.

    Raises:
        ValueError: ``matmul`` not built ``with_pipeline`` or not Block execution, a bad
            ``depth``, or shapes that do not fit (``a`` m x k, ``b`` k x n, each a multiple of the tile).

    Example:
        >>> pipeline_description(MM, 0, ga, gb).depth  # doctest: +SKIP
        0
    """
    if not matmul.with_pipeline:
        raise ValueError(
            f"Argument 'matmul' = {matmul!r} is not built for pipelines: create it with with_pipeline=True "
            "(and enable_input_streaming=True for wgmma)."
        )
    if matmul.execution != "Block":
        raise ValueError(f"Argument 'matmul' has execution={matmul.execution!r}: pipelines need 'Block'.")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 0:
        raise ValueError(
            f"Argument 'depth' = {depth!r} is not supported: pass a positive int, or 0 "
            f"(LIBMATHDX_MAX_PIPELINE_DEPTH) for as many stages as shared memory holds."
        )
    tm, tn, tk = matmul.size
    (m, k), (kb, n) = a.shape, b.shape
    if k != kb:
        raise ValueError(f"Arguments 'a' ({m} x {k}) and 'b' ({kb} x {n}) do not fit: a's columns must equal b's rows.")
    for name, value, tile in (("m", m, tm), ("n", n, tn), ("k", k, tk)):
        if value % tile:
            raise ValueError(
                f"Arguments 'a' ({m} x {k}) and 'b' ({k} x {n}): {name} = {value} is not a multiple of the "
                f"tile's {name} = {tile} (Matmul size {matmul.size})."
            )
    if depth > k // tk:
        raise ValueError(f"Argument 'depth' = {depth} is more than the {k // tk} k-tiles of this GEMM.")
    _note_fallback(matmul)
    return PipelineDescription(matmul.description, depth, a, b)


def _note_fallback(matmul) -> None:
    reasons = []
    if not matmul.enable_input_streaming:
        reasons.append("enable_input_streaming is False")
    if matmul.sm != 90:
        reasons.append(f"sm is {matmul.sm}, not 90")
    if tuple(matmul.alignment) != (16, 16, 16):
        reasons.append(f"alignment is {tuple(matmul.alignment)}, not (16, 16, 16)")
    if matmul.block_size not in _WGMMA_BLOCK_SIZES:
        reasons.append(f"block size is {matmul.block_size}, not one of {_WGMMA_BLOCK_SIZES}")
    if reasons:
        get_logger().warning("cuBLASDx pipeline without wgmma (older MMA instead): %s.", "; ".join(reasons))


def _traits_or_error(desc: PipelineDescription) -> PipelineTraits:
    try:
        return backend.query_traits(desc)
    except mathdx.MathdxError as exc:
        detail = (exc.detail or str(exc)).strip().splitlines()
        raise ValueError(
            f"cuBLASDx rejects the device pipeline {desc.describe()}: {detail[-1] if detail else exc}"
        ) from None


# ---- GPU side ----------------------------------------------------------------------------------


def suggest_device_pipeline(matmul, depth: int, a, b, *, stream=None) -> DevicePipeline:
    """Make a device pipeline of tile GEMM ``matmul`` over the global matrices ``a`` (m x k) and ``b`` (k x n).

    Args:
        matmul: a :class:`~nvmath.device.Matmul` built with ``with_pipeline=True``.
        depth: shared-memory stages; 0 for as many as fit.
        a, b: 2-D GPU arrays (Numba device arrays, CuPy arrays, torch tensors) of the Matmul's
            A and B element types (bfloat16 also as uint16 bits), 16-byte aligned.
        stream: where the helper kernel runs (an int handle, a CuPy/torch/cuda.core stream);
            default the current stream of ``a``'s package (Numba arrays: the default stream).

    Returns:
        The :class:`DevicePipeline`; pass it to the kernel as an argument.

    Raises:
        ValueError: as :func:`pipeline_description` and :func:`global_matrix`, before any GPU work.

    Example:
        >>> dp = suggest_device_pipeline(MM, 0, a, b)  # doctest: +SKIP
    """
    value_types = matmul.traits.value_types
    ga = global_matrix("a", a, value_types[0], matmul.element_bytes("a"))
    gb = global_matrix("b", b, value_types[1], matmul.element_bytes("b"))
    desc = pipeline_description(matmul, depth, ga, gb)
    traits = _traits_or_error(desc)
    handle = _stream_for(a, stream)
    from numba import cuda

    start = time.perf_counter()
    storage = cuda.device_array(max(traits.storage_bytes, 1), dtype="uint8")
    pipeline = DevicePipeline(matmul, desc, storage, (a, b))
    a_ptr, b_ptr = _array_info("a", a)[0], _array_info("b", b)[0]
    _launch_helper(desc, "device_create", handle, [pipeline.pointer, a_ptr, b_ptr])
    logger = get_logger()
    if logger.isEnabledFor(logging.INFO):
        logger.info("device pipeline %s made in %.3f s", desc.describe(), time.perf_counter() - start)
    return pipeline


def _array_info(name: str, array) -> tuple[int, tuple, tuple, str, int]:
    """``(pointer, shape, element strides, dtype name, itemsize)`` of a GPU array."""
    module = type(array).__module__ or ""
    if module.startswith("torch"):
        if not array.is_cuda:
            raise ValueError(f"Argument {name!r} is a CPU tensor: a device pipeline reads GPU memory.")
        dtype_name = _TORCH_NAMES.get(str(array.dtype), str(array.dtype).removeprefix("torch."))
        return int(array.data_ptr()), tuple(array.shape), tuple(array.stride()), dtype_name, array.element_size()
    interface = getattr(array, "__cuda_array_interface__", None)
    if interface is None:
        raise ValueError(
            f"Argument {name!r} = {type(array).__name__} is not a GPU array: pass a Numba device array, a CuPy "
            "array or a CUDA torch tensor."
        )
    import numpy as np

    dtype = np.dtype(interface["typestr"])
    shape = tuple(interface["shape"])
    if interface.get("strides") is None:
        strides, step = [], 1
        for extent in reversed(shape):
            strides.insert(0, step)
            step *= extent
    else:
        if any(s % dtype.itemsize for s in interface["strides"]):
            raise ValueError(f"Argument {name!r} has strides {interface['strides']} bytes: not whole elements.")
        strides = [s // dtype.itemsize for s in interface["strides"]]
    return int(interface["data"][0]), shape, tuple(strides), getattr(array, "dtype", dtype).name, dtype.itemsize


def _stream_for(array, stream) -> int:
    from nvmath.host.streams import current_stream_handle, stream_handle

    module = (type(array).__module__ or "") if array is not None else ""
    package = "cupy" if module.startswith("cupy") else "torch" if module.startswith("torch") else None
    if stream is not None:
        return stream_handle(stream, package=package or "cupy", device_id=0)
    if package is None:
        return 0  # Numba arrays: the default stream, as Numba launches
    from numba import cuda

    return current_stream_handle(package, cuda.get_current_device().id)


_HELPER_SOURCE = """
struct nvmath_opaque {{ void* ptr; }};
extern "C" __device__ void {create}(nvmath_opaque, nvmath_opaque, nvmath_opaque);
extern "C" __device__ void {destroy}(nvmath_opaque);
extern "C" __global__ void nvmath_pipeline_device_create(void* dp, void* a, void* b) {{
    {create}(nvmath_opaque{{dp}}, nvmath_opaque{{a}}, nvmath_opaque{{b}});
}}
extern "C" __global__ void nvmath_pipeline_device_destroy(void* dp) {{ {destroy}(nvmath_opaque{{dp}}); }}
"""


@functools.lru_cache(maxsize=64)
def helper_cubin(desc: PipelineDescription) -> bytes:
    """The cubin of the helper kernels ``nvmath_pipeline_device_create/destroy`` (nvmath.compile; cached).

    Example:
        >>> cubin = helper_cubin(dp.description)  # doctest: +SKIP
    """
    from nvmath.compile import Code, compile_cpp, link

    request = backend.PipelineCode(desc, backend.KERNEL_FUNCTIONS)  # the same code as kernels link
    source = _HELPER_SOURCE.format(create=request.symbol("device_create"), destroy=request.symbol("device_destroy"))
    cc = (desc.matmul.sm // 10, desc.matmul.sm % 10)
    kernels = compile_cpp(source, cc=cc, name="nvmath_pipeline_helpers.cu")
    functions = Code(backend.generate(request), "ltoir", request.describe(), arch_specific=request.arch_specific)
    return link([kernels, functions], cc=cc)


@functools.lru_cache(maxsize=64)
def _helper_kernels(desc: PipelineDescription):
    from cuda.core import ObjectCode

    module = ObjectCode.from_cubin(helper_cubin(desc), name="nvmath_pipeline_helpers")
    return {name: module.get_kernel(f"nvmath_pipeline_{name}") for name in backend.HOST_FUNCTIONS}


def _launch_helper(desc: PipelineDescription, name: str, stream_handle: int, args: list[int]) -> None:
    from cuda.core import LEGACY_DEFAULT_STREAM, LaunchConfig, Stream, launch

    kernel = _helper_kernels(desc)[name]
    stream = LEGACY_DEFAULT_STREAM if stream_handle == 0 else Stream.from_handle(stream_handle)
    launch(stream, LaunchConfig(grid=1, block=1), kernel, *args)
