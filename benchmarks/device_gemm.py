"""Device GEMM benchmark: the GEMM kernel examples (nvmath.device.Matmul) against torch / CuPy, same process.

1. Throughput (CUDA events, warm-up, medians, ratio to the peer):
   - 2^16 batched fp16 32 x 32 x 32 GEMMs (examples/kernels/gemm_batched.py) vs ``torch.bmm``;
   - the same fused with bias + ReLU (gemm_bias_relu.py) vs torch unfused
     (``torch.relu(torch.bmm(a, b) + bias[:, None])``);
   - complex64 GEMM + 64-point FFT of the rows in one kernel (gemm_fft.py) vs CuPy
     ``einsum`` + ``fft``.
   Every kernel's result is checked against NumPy first.
2. First-launch latency in new processes, with an empty disk cache (``NVMATH_CACHE_DIR`` a
   fresh directory: cold) and then with the cache that run filled (warm): the simple
   shared-memory GEMM (32 x 16 x 64 fp32, gemm_simple.py) and the tensor-API + register
   accumulator kernel (gemm_tensor_accumulator.py). The time runs from before the ``Matmul`` is
   constructed (its traits query is part of the cost) to the end of the first launch.

Run: ``python -m benchmarks device_gemm``
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "kernels"
WARMUP_S = 1.0

_FIRST_LAUNCH = r"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import numpy as np
from numba import cuda
import cupy
import nvmath.device
which = sys.argv[2]
t1 = time.perf_counter()
if which == "smem":
    import gemm_simple as ex
    MM = ex.make_matmul()
    kernel = ex.make_kernel(MM)
    a, b, c = (cupy.zeros(2 * n, np.float32) for n in (MM.a_size, MM.b_size, MM.c_size))
    kernel[2, MM.block_dim](a, b, c, np.float32(1), np.float32(0))
else:
    import gemm_tensor_accumulator as ex
    MM = ex.make_matmul()
    kernel = ex.make_kernel(MM)
    a, b, c, d = (cupy.zeros(2 * n, np.float32) for n in (MM.a_size, MM.b_size, MM.c_size, MM.c_size))
    kernel[2, MM.block_dim, 0, 4 * sum(ex.smem_elements(MM))](a, b, c, d, np.float32(1), np.float32(0))
cuda.synchronize()
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_launch_s": t2 - t1}))
"""

FIRST_LAUNCH_KERNELS = {
    "smem": "simple smem GEMM 32x16x64 fp32",
    "tensor": "tensor API + accumulator 64x64x64 fp32",
}


def _examples():
    """Import the example modules (their ``_common`` sits next to them)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    return {name: importlib.import_module(name) for name in ("gemm_batched", "gemm_bias_relu", "gemm_fft")}


def throughput() -> None:
    """Time the three fused/batched kernels against their peers and print one table each."""
    import cupy
    import numpy as np
    import torch
    from numba import cuda

    from benchmarks.timing import print_table, time_gpu

    ex = _examples()
    batched, bias_relu, gemm_fft = ex["gemm_batched"], ex["gemm_bias_relu"], ex["gemm_fft"]
    rng = np.random.default_rng()
    timing = dict(warmup=10, repeat=200, warmup_s=WARMUP_S)

    # batched GEMM and GEMM + bias + ReLU: the same fp16 operands for nvmath and torch
    MM = batched.make_matmul()
    batch, per_block = batched.BATCH, batched.PER_BLOCK
    m, n, _ = MM.size
    a, b = batched.make_problem(batch, rng)
    bias = rng.uniform(-1, 1, m).astype(np.float16)
    ta, tb, tbias = (torch.from_numpy(x).cuda() for x in (a, b, bias))
    tc = torch.full((batch, m, n), float("nan"), dtype=torch.float16, device="cuda")
    da, db, dbias, dc = (cuda.as_cuda_array(t.view(-1)) for t in (ta, tb, tbias, tc))
    grid, smem = batch // per_block, batched.shared_memory_bytes(MM)

    gemm = batched.make_kernel(MM)[grid, MM.block_dim, 0, smem]
    gemm(da, db, dc)
    batched.check("batched GEMM", tc.cpu().numpy(), a, b)
    out = torch.empty_like(tc)
    rows = [
        ("nvmath batched kernel", time_gpu(lambda: gemm(da, db, dc), **timing)),
        ("torch.bmm", time_gpu(lambda: torch.bmm(ta, tb, out=out), **timing)),
    ]
    print_table(f"{batch} x {MM.size} fp16 batched GEMM ({per_block} per block), medians", rows, baseline="torch.bmm")

    tc.fill_(float("nan"))
    fused = bias_relu.make_kernel(MM)[grid, MM.block_dim, 0, bias_relu.shared_memory_bytes(MM)]
    fused(da, db, dbias, dc)
    ref = bias_relu.reference(a, b, bias)
    err = np.linalg.norm(tc.cpu().numpy().astype(np.float64) - ref) / np.linalg.norm(ref)
    assert err < 1e-2, f"GEMM + bias + ReLU: relative error {err}"
    rows = [
        ("nvmath fused kernel", time_gpu(lambda: fused(da, db, dbias, dc), **timing)),
        ("torch bmm + add + relu", time_gpu(lambda: torch.relu(torch.bmm(ta, tb) + tbias[:, None]), **timing)),
    ]
    print_table(f"{batch} x {MM.size} fp16 GEMM + bias + ReLU, medians", rows, baseline="torch bmm + add + relu")

    # GEMM + FFT in one kernel vs CuPy einsum + fft
    MMf, fft = gemm_fft.make_descriptors()
    fbatch = 1 << 14
    M, N, K = MMf.size
    fa = (rng.uniform(-1, 1, (fbatch, M, K)) + 1j * rng.uniform(-1, 1, (fbatch, M, K))).astype(np.complex64)
    fb = (rng.uniform(-1, 1, (fbatch, K, N)) + 1j * rng.uniform(-1, 1, (fbatch, K, N))).astype(np.complex64)
    ca, cb = cupy.asarray(fa), cupy.asarray(fb)
    cy = cupy.full((fbatch, M, N), np.nan, np.complex64)
    fused_fft = gemm_fft.make_kernel(MMf, fft)[fbatch, fft.block_dim, 0, 8 * gemm_fft.smem_offsets(MMf, fft)[2]]
    fused_fft(ca.ravel(), cb.ravel(), cy.ravel())
    check_rows = np.r_[0:16, fbatch - 16 : fbatch]
    ref = np.fft.fft(fa[check_rows].astype(np.complex128) @ fb[check_rows], axis=-1)
    err = np.linalg.norm(cupy.asnumpy(cy)[check_rows] - ref) / np.linalg.norm(ref)
    assert err < 1e-5, f"GEMM + FFT: relative error {err}"
    flat = ca.ravel(), cb.ravel(), cy.ravel()
    rows = [
        ("nvmath GEMM+FFT kernel", time_gpu(lambda: fused_fft(*flat), **timing)),
        ("CuPy einsum + fft", time_gpu(lambda: cupy.fft.fft(cupy.einsum("bij,bjk->bik", ca, cb), axis=-1), **timing)),
    ]
    print_table(
        f"{fbatch} x ({M}x{K} @ {K}x{N} complex64 + {N}-point FFT of the rows), medians",
        rows,
        baseline="CuPy einsum + fft",
    )


def _first_launch(env: dict, which: str) -> dict | None:
    """One first launch in a new process; its times, or None (after printing why) if it failed."""
    result = subprocess.run(
        [sys.executable, "-c", _FIRST_LAUNCH, str(EXAMPLES), which],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        print(f"  FAILED ({which})\n{result.stderr[-3000:]}")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def compile_latency(repeat: int = 3) -> None:
    """Print first-launch times (Matmul construction + kernel compile + first run) cold and warm, new processes.

    Each of ``repeat`` rounds starts from an empty cache directory (cold), then runs again with
    what that run stored (warm). Medians are printed in a table last.
    """
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    print("\nfirst launch in a new process (Matmul construction + compile + run), cold / warm disk cache:")
    samples = {(which, state): [] for which in FIRST_LAUNCH_KERNELS for state in ("cold", "warm")}
    for which, label in FIRST_LAUNCH_KERNELS.items():
        for _ in range(repeat):
            with tempfile.TemporaryDirectory(prefix="nvmath-bench-cache-") as cache:
                env = dict(os.environ, NVMATH_CACHE_DIR=cache, PYTHONPATH=pythonpath)
                for state in ("cold", "warm"):
                    times = _first_launch(env, which)
                    if times is None:
                        continue
                    samples[(which, state)].append(times["first_launch_s"])
                    print(
                        f"  {label:<40} {state}: {times['first_launch_s']:7.3f} s "
                        f"(imports {times['import_s']:.3f} s before it)"
                    )
    width = max(map(len, FIRST_LAUNCH_KERNELS.values()))
    print(f"\n  {'kernel':<{width}}  {'cold (s)':>9}  {'warm (s)':>9}  runs")
    for which, label in FIRST_LAUNCH_KERNELS.items():
        cold, warm = samples[(which, "cold")], samples[(which, "warm")]
        cold_s = f"{statistics.median(cold):9.3f}" if cold else f"{'failed':>9}"
        warm_s = f"{statistics.median(warm):9.3f}" if warm else f"{'failed':>9}"
        print(f"  {label:<{width}}  {cold_s}  {warm_s}  {len(cold)}/{len(warm)}")


def main() -> None:
    """Run the throughput comparisons, then the first-launch latencies (skipped without a GPU)."""
    from nvmath._gpu import gpu_count, no_gpu_reason

    if gpu_count() == 0:
        print(f"device_gemm: skipped, needs a CUDA GPU ({no_gpu_reason()})")
        return
    throughput()
    compile_latency()


if __name__ == "__main__":
    main()
