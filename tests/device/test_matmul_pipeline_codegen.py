"""cuBLASDx pipelines (the Hopper wgmma path) without a GPU: traits, errors, and a tiled GEMM kernel
linked to an sm_90a cubin whose SASS is fully inlined (no CALL, no local memory) and uses HGMMA.

One pipeline description (bf16 -> fp32, 128x128x32 tiles, 1024^3) is shared by the tests: its
traits cost one libmathdx compile and its kernel-side functions one more (tens of seconds cold,
then the disk cache).
"""

import re

import numpy as np
import pytest
from numba import cuda, types
from numba.core.errors import TypingError

from nvmath.device import Matmul, make_tensor
from nvmath.device.extern import compile_kernel
from nvmath.device.lto.matmul_pipeline import GlobalMatrix
from nvmath.device.matmul_pipeline import DevicePipeline, pipeline_description

pytestmark = pytest.mark.slow

M = N = K = 1024
TILE = (128, 128, 32)


@pytest.fixture(scope="module")
def mm_bf16():
    return Matmul(
        TILE,
        ("bfloat16", "bfloat16", np.float32),
        sm=90,
        block_size=128,
        arrangement=("row_major", "col_major", "row_major"),
        alignment=(16, 16, 16),
        static_block_dim=True,
        with_pipeline=True,
        enable_input_streaming=True,
    )


def global_a():
    return GlobalMatrix("R_16BF", (M, K), (K, 1))  # row-major A


def global_b():
    return GlobalMatrix("R_16BF", (K, N), (1, K))  # column-major B


@pytest.fixture(scope="module")
def dp(mm_bf16):
    return DevicePipeline.for_compilation(mm_bf16, 0, global_a(), global_b())


def tiled_gemm_kernel(MM, ldc):
    tm, tn, _ = MM.size

    def kernel(c, dp):
        smem = cuda.shared.array(0, np.uint8, alignment=1024)
        bx, by = cuda.blockIdx.x, cuda.blockIdx.y
        tile = dp.get_tile(smem, bx, by)
        acc = tile.suggest_accumulator()
        tile.execute(acc)
        acc.store(make_tensor(c[bx * tm * ldc + by * tn :], MM.get_layout_gmem_c(ldc)))
        acc.destroy()
        tile.destroy()

    return kernel


def test_pipeline_traits_are_consistent(dp, mm_bf16):
    traits = dp.traits
    assert tuple(dp.block_dim) == tuple(mm_bf16.block_dim)
    assert traits.storage_bytes > 0 and traits.tile_storage_bytes > 0
    assert traits.accumulator_storage_bytes >= 4 * TILE[0] * TILE[1] // mm_bf16.block_size
    stage = (TILE[0] * TILE[2] + TILE[2] * TILE[1]) * 2  # one k-stage of A and B tiles, bf16
    assert stage <= traits.buffer_size <= 232448  # at least one stage; within the H100/H200 opt-in limit
    assert traits.buffer_alignment in (128, 256, 512, 1024)
    assert tuple(dp.grid_dim) == (M // TILE[0], N // TILE[1], 1)


def test_tiled_gemm_kernel_links_to_sm90a_with_hgmma_fully_inlined(dp, mm_bf16):
    compiled = compile_kernel(tiled_gemm_kernel(mm_bf16, N), [types.float32[::1], dp.numba_type], cc=(9, 0))
    assert compiled.sass_counts() == {"CALL": 0, "LDL": 0, "STL": 0}
    sass = compiled.sass()
    assert re.search(r"\bHGMMA\.", sass), "no wgmma (HGMMA) in the SASS: cuBLASDx fell back to older MMA"


def test_kernel_without_state_cannot_be_launched(dp):
    with pytest.raises(RuntimeError, match="no device state"):
        _ = dp.pointer


def test_execute_with_wrong_accumulator_is_a_typing_error(dp, mm_bf16):
    def kernel(c, dp):
        smem = cuda.shared.array(0, np.uint8, alignment=1024)
        tile = dp.get_tile(smem, 0, 0)
        tile.execute(mm_bf16.suggest_accumulator())

    with pytest.raises(TypingError, match="accumulator"):
        compile_kernel(kernel, [types.float32[::1], dp.numba_type], cc=(9, 0))


def test_get_tile_needs_a_shared_array_and_integer_indices(dp):
    def kernel(c, dp):
        smem = cuda.shared.array(0, np.uint8, alignment=1024)
        dp.get_tile(smem, 0.5, 0)

    with pytest.raises(TypingError, match="argument 1 must be an integer"):
        compile_kernel(kernel, [types.float32[::1], dp.numba_type], cc=(9, 0))


@pytest.mark.parametrize(
    "a, b, message",
    [
        (GlobalMatrix("R_16BF", (M, K), (K, 1)), GlobalMatrix("R_16BF", (K + 32, N), (1, K + 32)), "do not fit"),
        (GlobalMatrix("R_16BF", (M + 64, K), (K, 1)), GlobalMatrix("R_16BF", (K, N), (1, K)), "not a multiple"),
    ],
)
def test_shapes_that_do_not_fit_the_tile_are_value_errors(mm_bf16, a, b, message):
    with pytest.raises(ValueError, match=message):
        pipeline_description(mm_bf16, 0, a, b)


def test_depth_is_checked(mm_bf16):
    with pytest.raises(ValueError, match="'depth' = -1"):
        pipeline_description(mm_bf16, -1, global_a(), global_b())
    with pytest.raises(ValueError, match="more than the 32 k-tiles"):
        pipeline_description(mm_bf16, 33, global_a(), global_b())


def test_a_matmul_without_pipeline_is_refused():
    mm = Matmul((32, 32, 32), np.float32, sm=90, block_size=128)
    with pytest.raises(ValueError, match="with_pipeline=True"):
        pipeline_description(mm, 0, GlobalMatrix("R_32F", (64, 64), (64, 1)), GlobalMatrix("R_32F", (64, 64), (1, 64)))


def test_helper_kernels_that_make_the_device_pipeline_link_without_a_gpu(dp):
    from nvmath.device.matmul_pipeline import helper_cubin

    cubin = helper_cubin(dp.description)
    assert cubin[:4] == b"\x7fELF"
    for name in ("nvmath_pipeline_device_create", "nvmath_pipeline_device_destroy"):
        assert name.encode() in cubin


def test_persistent_kernel_moving_its_tile_with_reset_tile_links(dp, mm_bf16):
    tm, tn, _ = mm_bf16.size
    tiles_n = N // tn

    def kernel(c, dp):
        smem = cuda.shared.array(0, np.uint8, alignment=1024)
        first = cuda.blockIdx.x
        tile = dp.get_tile(smem, first // tiles_n, first % tiles_n)
        t = first
        while t < (M // tm) * tiles_n:  # (a range with a run-time step divides: a CALL in SASS)
            if t != first:
                dp.reset_tile(tile, t // tiles_n, t % tiles_n)
            acc = tile.suggest_accumulator()
            tile.execute(acc)
            i, j = t // tiles_n, t % tiles_n
            acc.store(make_tensor(c[i * tm * N + j * tn :], mm_bf16.get_layout_gmem_c(N)))
            acc.destroy()
            t += cuda.gridDim.x
        tile.destroy()

    compiled = compile_kernel(kernel, [types.float32[::1], dp.numba_type], cc=(9, 0))
    assert compiled.sass_counts() == {"CALL": 0, "LDL": 0, "STL": 0}
    assert re.search(r"\bHGMMA\.", compiled.sass())


class FakeGPUArray:
    """Just a CUDA array interface: enough for the checks made before any GPU work."""

    def __init__(self, shape, typestr, pointer=0x10000, strides=None):
        self.__cuda_array_interface__ = {
            "shape": shape,
            "typestr": typestr,
            "data": (pointer, False),
            "strides": strides,
            "version": 3,
        }


@pytest.mark.parametrize(
    "a, message",
    [
        (FakeGPUArray((M, K), "<f4"), "element type float32: this Matmul needs bfloat16 or uint16 or int16"),
        (FakeGPUArray((M, K), "<u2", pointer=0x10002), "not 16-byte aligned"),
        (FakeGPUArray((M, K, 1), "<u2"), "needs a 2-D matrix"),
        ("not an array", "is not a GPU array"),
    ],
)
def test_bad_operands_are_value_errors_before_any_gpu_work(mm_bf16, a, message):
    from nvmath.device.matmul_pipeline import suggest_device_pipeline

    b = FakeGPUArray((K, N), "<u2", strides=(2, 2 * K))
    with pytest.raises(ValueError, match=message):
        suggest_device_pipeline(mm_bf16, 0, a, b)
