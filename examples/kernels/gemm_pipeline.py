"""A large GEMM in one Numba kernel with the cuBLASDx pipeline API (TMA + wgmma on Hopper).

``C = A @ B`` for bf16 A (8192 x 8192, row-major) and B (column-major) with fp32 C: each
128 x 128 tile of C is one block, which streams its row of A tiles and column of B tiles
through a ring of shared-memory stages (``dp.buffer_size`` bytes) and accumulates with wgmma.

On a GPU (sm_90): runs, checks a sample of C against NumPy (float64), and prints the time
against ``torch.matmul`` (cuBLASLt). Without a GPU: compiles the kernel to an sm_90a cubin and
shows that it is fully inlined and uses HGMMA (the pipeline API has no simulator reference).

Run: ``python examples/kernels/gemm_pipeline.py [m n k]``.
"""

from __future__ import annotations

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

import numpy as np  # noqa: E402
from numba import cuda  # noqa: E402

from nvmath._gpu import gpu_count  # noqa: E402
from nvmath.device import Matmul, make_tensor  # noqa: E402

# torch dtype names -> the Matmul's A/B precision
PRECISIONS = {"bfloat16": "bfloat16", "float16": np.float16, "float32": np.float32}
# precision -> (tile (tm, tn, tk), block size): one wgmma warpgroup for half types; fp32 has no
# wgmma (older MMA / FFMA), where two warpgroups on a shallower k-tile do better.
CONFIGS = {"bfloat16": ((128, 128, 64), 128), "float16": ((128, 128, 64), 128), "float32": ((128, 128, 32), 256)}


def make_matmul(precision: str = "bfloat16", tile=None, block_size: int | None = None) -> Matmul:
    """The tile GEMM: A row-major, B column-major, C row-major, all that wgmma needs."""
    ab = PRECISIONS[precision]
    tile = tile or CONFIGS[precision][0]
    block_size = block_size or CONFIGS[precision][1]
    return Matmul(
        tile,
        (ab, ab, np.float32),
        sm=90,
        block_size=block_size,
        arrangement=("row_major", "col_major", "row_major"),
        alignment=(16, 16, 16),
        static_block_dim=True,
        with_pipeline=True,
        enable_input_streaming=True,
    )


def tiled_gemm_kernel(MM: Matmul, ldc: int):
    """The kernel ``kernel(c, dp)``: block (i, j) computes tile (i, j) of the row-major C (``ldc`` columns)."""
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


def torch_operands(m: int, n: int, k: int, precision: str, seed: int = 0):
    """Random A (m x k, row-major), B (k x n, column-major) as CUDA torch tensors, and C (m * n fp32, NaN)."""
    import torch

    g = torch.Generator(device="cuda").manual_seed(seed)
    dtype = getattr(torch, precision)
    a = torch.randn(m, k, device="cuda", generator=g).to(dtype)
    b = torch.randn(n, k, device="cuda", generator=g).to(dtype).t()  # column-major k x n
    c = torch.full((m * n,), float("nan"), device="cuda", dtype=torch.float32)
    return a, b, c


def run(m: int, n: int, k: int, precision: str = "bfloat16", tile=None, block_size=None):
    """Build, launch and check the pipelined GEMM; returns ``(launch, MM, dp, (a, b, c))`` for timing."""
    import torch

    from nvmath.device.matmul_pipeline import suggest_device_pipeline

    MM = make_matmul(precision, tile, block_size)
    a, b, c = torch_operands(m, n, k, precision)
    dp = suggest_device_pipeline(MM, 0, a, b)  # 0: as many stages as shared memory holds
    kernel = cuda.jit(tiled_gemm_kernel(MM, n))
    stream = cuda.external_stream(torch.cuda.current_stream().cuda_stream)
    c_view = cuda.as_cuda_array(c)

    def launch():
        kernel[tuple(dp.grid_dim), tuple(dp.block_dim), stream, dp.buffer_size](c_view, dp)

    launch()
    torch.cuda.synchronize()
    rows = torch.randint(0, m, (64,), device="cuda")  # check a sample of rows against NumPy float64
    ref = a[rows].double().cpu().numpy() @ b.double().cpu().numpy()
    got = c.view(m, n)[rows].double().cpu().numpy()
    error = np.linalg.norm(got - ref) / np.linalg.norm(ref)
    print(f"pipelined {precision} GEMM {m}x{n}x{k}: relative error vs NumPy {error:.2e} [GPU]")
    assert error < (1e-5 if precision == "float32" else 1e-3), f"relative error {error}"
    return launch, MM, dp, (a, b, c)


def compare_with_torch(m: int, n: int, k: int, precision: str = "bfloat16", tile=None, block_size=None) -> float:
    """Time the kernel against torch.matmul (cuBLASLt) in the same process; print TFLOP/s; return the ratio."""
    import torch

    from benchmarks.timing import print_table, time_gpu

    launch, MM, dp, (a, b, _) = run(m, n, k, precision, tile, block_size)
    out = torch.empty(m, n, device="cuda", dtype=torch.float32 if precision == "float32" else a.dtype)
    ours = time_gpu(launch, warmup=5, repeat=20, warmup_s=1.0)
    theirs = time_gpu(lambda: torch.matmul(a, b, out=out), warmup=5, repeat=20, warmup_s=1.0)
    flops = 2.0 * m * n * k
    print_table(
        f"{precision} GEMM {m}x{n}x{k}, tile {MM.size}, {MM.block_size} threads, {dp.buffer_size} B smem "
        f"(fp32 C for ours; torch: {out.dtype})",
        [("nvmath.device pipeline kernel", ours), ("torch.matmul (cuBLASLt)", theirs)],
        baseline="torch.matmul (cuBLASLt)",
    )
    for name, t in (("nvmath", ours), ("torch", theirs)):
        print(f"  {name}: {flops / (t.median_ms * 1e-3) / 1e12:.1f} TFLOP/s")
    ratio = theirs.median_ms / ours.median_ms
    print(f"  nvmath / cuBLASLt throughput: {ratio:.1%}")
    return ratio


def compile_only(m: int, n: int, k: int) -> None:
    """Without a GPU: link the kernel for sm_90a and show its SASS counts and HGMMA."""
    from numba import types

    from nvmath.device.extern import compile_kernel
    from nvmath.device.lto.matmul_pipeline import GlobalMatrix
    from nvmath.device.matmul_pipeline import DevicePipeline

    MM = make_matmul("bfloat16")
    dp = DevicePipeline.for_compilation(
        MM, 0, GlobalMatrix("R_16BF", (m, k), (k, 1)), GlobalMatrix("R_16BF", (k, n), (1, k))
    )
    compiled = compile_kernel(tiled_gemm_kernel(MM, n), [types.float32[::1], dp.numba_type], cc=(9, 0))
    hgmma = len(re.findall(r"\bHGMMA\.", compiled.sass()))
    print(f"no GPU: linked for sm_90a; SASS {compiled.sass_counts()}, {hgmma} HGMMA instructions")
    print(f"launch: grid {tuple(dp.grid_dim)}, block {tuple(dp.block_dim)}, {dp.buffer_size} bytes of shared memory")
    assert hgmma > 0 and compiled.sass_counts()["CALL"] == 0


def main(argv=()) -> None:
    m, n, k = (int(v) for v in argv) if len(argv) == 3 else (8192, 8192, 8192)
    if gpu_count() == 0:
        compile_only(m, n, k)
        return
    compare_with_torch(m, n, k, "bfloat16")


if __name__ == "__main__":
    main(sys.argv[1:])
