"""cuBLASDx pipelines on a GPU (sm_90): tiled GEMMs ``C = A @ B`` against NumPy float64.

bf16 and fp16 inputs with fp32 C (wgmma) and fp32 (older MMA path), at 512^3 and
1024 x 768 x 2048; A row-major, B column-major (Numba device arrays; bf16 as uint16 bits),
C row-major, NaN-poisoned before each launch, fresh random data per case. Also a pipeline
made twice over new arrays of the same shapes reuses the compiled kernel. Each precision
costs libmathdx compiles of tens of seconds (cached on disk).
"""

from __future__ import annotations

import functools

import ml_dtypes
import numpy as np
import pytest

pytestmark = pytest.mark.gpu

SHAPES = [(512, 512, 512), (1024, 768, 2048)]
# name -> (A/B precision given to Matmul, host dtype of A/B, tile, block size, relative error bound)
CASES = {
    "bf16": ("bfloat16", ml_dtypes.bfloat16, (128, 128, 64), 128, 1e-3),
    "f16": (np.float16, np.float16, (128, 128, 64), 128, 1e-3),
    "f32": (np.float32, np.float32, (128, 128, 32), 256, 1e-5),
}


@pytest.fixture(scope="module", autouse=True)
def _need_sm90():
    from nvmath._gpu import gpu_count, no_gpu_reason

    if gpu_count() == 0:
        pytest.skip(no_gpu_reason())
    from numba import cuda

    if cuda.get_current_device().compute_capability != (9, 0):
        pytest.skip("the wgmma pipeline path needs an sm_90 GPU")


@functools.cache
def matmul(name: str):
    from nvmath.device import Matmul

    precision, _, tile, block_size, _ = CASES[name]
    return Matmul(
        tile,
        (precision, precision, np.float32),
        sm=90,
        block_size=block_size,
        arrangement=("row_major", "col_major", "row_major"),
        alignment=(16, 16, 16),
        static_block_dim=True,
        with_pipeline=True,
        enable_input_streaming=True,
    )


@functools.cache
def kernel(name: str, ldc: int):
    from numba import cuda

    from nvmath.device import make_tensor

    MM = matmul(name)
    tm, tn, _ = MM.size

    @cuda.jit
    def tiled_gemm(c, dp):
        smem = cuda.shared.array(0, np.uint8, alignment=1024)
        bx, by = cuda.blockIdx.x, cuda.blockIdx.y
        tile = dp.get_tile(smem, bx, by)
        acc = tile.suggest_accumulator()
        tile.execute(acc)
        acc.store(make_tensor(c[bx * tm * ldc + by * tn :], MM.get_layout_gmem_c(ldc)))
        acc.destroy()
        tile.destroy()

    return tiled_gemm


def operands(name: str, m: int, n: int, k: int, seed: int):
    """Host A (row-major), B (column-major) rounded to the input type, and their device copies."""
    from numba import cuda

    host = CASES[name][1]
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((m, k), dtype=np.float32).astype(host)
    b = np.asfortranarray(rng.standard_normal((k, n), dtype=np.float32).astype(host))
    bits = (lambda x: x.view(np.uint16)) if host is ml_dtypes.bfloat16 else (lambda x: x)
    return a, b, cuda.to_device(bits(a)), cuda.to_device(bits(b))


def run(name: str, m: int, n: int, k: int, seed: int = 0):
    from numba import cuda

    from nvmath.device.matmul_pipeline import suggest_device_pipeline

    a, b, da, db = operands(name, m, n, k, seed)
    dp = suggest_device_pipeline(matmul(name), 0, da, db)
    c = cuda.to_device(np.full(m * n, np.nan, dtype=np.float32))
    kern = kernel(name, n)
    kern[tuple(dp.grid_dim), tuple(dp.block_dim), 0, dp.buffer_size](c, dp)
    cuda.synchronize()
    ref = a.astype(np.float64) @ b.astype(np.float64)
    got = c.copy_to_host().reshape(m, n)
    assert np.isfinite(got).all(), "some of C was not written"
    dp.free()
    return np.linalg.norm(got - ref) / np.linalg.norm(ref), kern


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("name", list(CASES))
def test_pipelined_gemm_matches_numpy(name, shape):
    error, _ = run(name, *shape)
    assert error < CASES[name][4], f"{name} {shape}: relative error {error}"


def test_a_new_pipeline_over_same_shaped_arrays_reuses_the_kernel():
    _, kern = run("bf16", 512, 512, 512, seed=1)
    compiled = len(kern.overloads)
    error, kern = run("bf16", 512, 512, 512, seed=2)
    assert error < CASES["bf16"][4]
    assert len(kern.overloads) == compiled
