"""Host FFT benchmark: nvmath.fft against CuPy, PyTorch and a bare cuFFT call, one process.

1. Throughput: batched 1024-point C2C fp32, 1 GiB (131072 x 1024): stateful ``FFT.execute`` vs
   ``torch.fft.fft`` and ``cupy.fft.fft`` (CUDA events, medians). Target: <= 1.02x torch.
2. Small-call latency: one 64-point C2C transform including synchronisation (host clock):
   stateful execute vs a bare ``cufftXtExec`` + ``cuStreamSynchronize`` through
   ``nvmath.bindings.cufft`` (target <= +3 us), torch (<= torch), CuPy; stateless ``fft`` with no
   cache (<= 200 us) and through ``PlanCache`` (<= 20 us).
3. Fused convolution: FFT with a multiply epilog, 4096 x 1024 c64 (target <= 0.079 ms) vs CuPy
   unfused ``cupy.fft.fft(x) * filter``; ``compile_epilog`` cold (<= 1 s) and warm (<= 0.1 s).

Run: ``python -m benchmarks host_fft``
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import tempfile
import time

from benchmarks.timing import Timing, print_table, profile_calls, time_gpu, time_host


def _multiply(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset]


def _throughput(cupy, torch):
    import nvmath
    from nvmath.host.streams import cupy_stream

    batch, n = 131072, 1024  # 1 GiB of complex64
    x = (cupy.random.standard_normal((batch, n), dtype=cupy.float32) * (1 + 1j)).astype(cupy.complex64)
    rows = []
    with nvmath.fft.FFT(x, axes=(-1,)) as f:
        f.plan()
        rows.append(("nvmath FFT.execute", time_gpu(lambda: f.execute(), warmup=5, repeat=30)))
    rows.append(("cupy.fft.fft", time_gpu(lambda: cupy.fft.fft(x, axis=-1), warmup=5, repeat=30)))
    if torch is not None:
        t = torch.as_tensor(x, device="cuda")
        stream = cupy_stream(torch.cuda.current_stream().cuda_stream, torch.cuda.current_device())
        rows.append(("torch.fft.fft", time_gpu(lambda: torch.fft.fft(t, dim=-1), warmup=5, repeat=30, stream=stream)))
    print_table("C2C fp32 1024-pt x 131072 (1 GiB), CUDA events", rows, baseline="torch.fft.fft" if torch else None)
    return rows


def _bare_cufft_64(cupy):
    """A plan made and executed through the 1:1 binding: the floor for one small call."""
    from cuda.bindings import driver

    from nvmath.bindings import cufft

    x = cupy.ones(64, cupy.complex64)
    y = cupy.empty_like(x)
    stream = cupy.cuda.Stream(non_blocking=True)
    plan = cufft.create()
    cufft.xt_make_plan_many(plan, 1, [64], [64], 1, 64, 4, [64], 1, 64, 4, 1, 4)
    cufft.set_stream(plan, stream.ptr)
    fn = cufft.exec_function()
    args = (ctypes.c_int(plan), ctypes.c_void_p(x.data.ptr), ctypes.c_void_p(y.data.ptr), ctypes.c_int(-1))
    cu_stream = driver.CUstream(stream.ptr)
    sync = driver.cuStreamSynchronize

    def call():
        fn(*args)
        sync(cu_stream)

    timing = time_host(call, warmup=200, repeat=3000)
    cufft.destroy(plan)
    return timing, stream


def _latency(cupy, torch):
    import nvmath

    rows = []
    bare, stream = _bare_cufft_64(cupy)
    rows.append(("bare cufftXtExec + sync", bare))
    x = cupy.ones(64, cupy.complex64)
    with nvmath.fft.FFT(x, stream=stream, options={"blocking": True}) as f:
        f.plan()
        rows.append(("nvmath FFT.execute (blocking)", time_host(lambda: f.execute(), warmup=200, repeat=3000)))
    if torch is not None:
        t = torch.ones(64, dtype=torch.complex64, device="cuda")

        torch_stream = torch.cuda.current_stream()

        def torch_call():  # waits for its stream, like the others (not the whole device)
            torch.fft.fft(t)
            torch_stream.synchronize()

        rows.append(("torch.fft.fft + sync", time_host(torch_call, warmup=200, repeat=3000)))
        tf = torch.ones(64, dtype=torch.complex64, device="cuda")
        with nvmath.fft.FFT(tf, options={"blocking": True}) as g:
            g.plan()
            rows.append(
                ("nvmath FFT.execute torch (blocking)", time_host(lambda: g.execute(), warmup=200, repeat=3000))
            )

    def cupy_call():
        cupy.fft.fft(x)
        cupy.cuda.get_current_stream().synchronize()

    rows.append(("cupy.fft.fft + sync", time_host(cupy_call, warmup=200, repeat=3000)))
    opts = {"blocking": True}
    rows.append(
        (
            "nvmath.fft.fft stateless (no cache)",
            time_host(lambda: nvmath.fft.fft(x, options=opts), warmup=20, repeat=300),
        )
    )
    from nvmath.bindings import cufft

    def bare_plan():  # what any stateless call pays to cuFFT: create, plan, destroy
        plan = cufft.create()
        cufft.set_auto_allocation(plan, False)
        cufft.xt_make_plan_many(plan, 1, [64], [64], 1, 64, 4, [64], 1, 64, 4, 1, 4)
        cufft.destroy(plan)

    rows.append(("bare cuFFT create+plan+destroy", time_host(bare_plan, warmup=20, repeat=300)))
    cache = nvmath.fft.PlanCache()
    rows.append(("nvmath PlanCache.fft", time_host(lambda: cache.fft(x, options=opts), warmup=200, repeat=3000)))
    rows.append(
        (
            "nvmath PlanCache.fft, bare's stream",
            time_host(lambda: cache.fft(x, options=opts, stream=stream.ptr), warmup=200, repeat=3000),
        )
    )
    cache.clear()
    print_table("C2C fp32 64-pt, one call incl. sync, host clock", rows, baseline="bare cufftXtExec + sync")
    return rows


_COMPILE_EPILOG_SCRIPT = """
import sys, time
import numba.cuda  # imported before timing: the compile, not the import, is measured
import nvmath.fft
from benchmarks.host_fft import _multiply
start = time.perf_counter()
nvmath.fft.compile_epilog(_multiply, "complex64", "complex64", compute_capability=int(sys.argv[1]))
print(time.perf_counter() - start)
"""


def _compile_epilog_in_new_process(cache_dir: str, compute_capability: int) -> float:
    """Seconds that ``compile_epilog`` takes in a fresh process using cache ``cache_dir``."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    pythonpath = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, NVMATH_CACHE_DIR=cache_dir, PYTHONPATH=pythonpath)
    result = subprocess.run(
        [sys.executable, "-c", _COMPILE_EPILOG_SCRIPT, str(compute_capability)],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(result.stdout.strip().splitlines()[-1])


def _epilog(cupy):
    import nvmath

    # cold: a new process with an empty cache; warm: a new process reading that cache.
    cold_dir = tempfile.mkdtemp(prefix="nvmath-bench-cache-")
    cc = int(cupy.cuda.Device().compute_capability)
    cold = _compile_epilog_in_new_process(cold_dir, cc)
    warm = _compile_epilog_in_new_process(cold_dir, cc)
    ltoir = nvmath.fft.compile_epilog(_multiply, "complex64", "complex64")
    x = (cupy.random.standard_normal((4096, 1024), dtype=cupy.float32) * (1 + 1j)).astype(cupy.complex64)
    filt = (cupy.random.standard_normal((4096, 1024), dtype=cupy.float32) * (1 - 1j)).astype(cupy.complex64)
    start = time.perf_counter()
    f = nvmath.fft.FFT(x, axes=(-1,))
    f.plan(epilog={"ltoir": ltoir, "data": filt})
    plan_s = time.perf_counter() - start
    fused = time_gpu(lambda: f.execute(), warmup=10, repeat=100)
    check = float(cupy.abs(f.execute() - cupy.fft.fft(x, axis=-1) * filt).max())
    f.free()
    unfused = time_gpu(lambda: cupy.fft.fft(x, axis=-1) * filt, warmup=10, repeat=100)
    rows = [("nvmath fused epilog", fused), ("cupy fft * filter", unfused)]
    print_table("FFT + pointwise multiply, 4096 x 1024 c64, CUDA events", rows, baseline="cupy fft * filter")
    print(f"  max |fused - unfused| = {check:.3e}; plan with epilog {plan_s:.3f} s")
    print(f"  compile_epilog in a new process: cold cache {cold:.3f} s, warm cache {warm * 1e3:.2f} ms")
    return rows, cold, warm


def profile(calls: int = 2000) -> None:
    """cProfile the small-call paths (stateless, plan cache, stateful torch): where the time goes."""

    import cupy

    import nvmath

    x = cupy.ones(64, cupy.complex64)
    cache = nvmath.fft.PlanCache()
    opts = {"blocking": True}
    cases = {
        "stateless": lambda: nvmath.fft.fft(x, options=opts),
        "plan cache": lambda: cache.fft(x, options=opts),
    }
    try:
        import torch

        t = torch.ones(64, dtype=torch.complex64, device="cuda")
        g = nvmath.fft.FFT(t, options=opts)
        g.plan()
        cases["stateful torch"] = lambda: g.execute()
    except ImportError:
        pass
    profile_calls(cases, calls)


def main() -> None:
    """Run the three host FFT benchmarks and print tables of medians and ratios."""
    try:
        import cupy
    except ImportError:
        print("host_fft: CuPy is needed for the benchmark timings; skipped.")
        return
    try:
        import torch

        if not torch.cuda.is_available():
            torch = None
    except ImportError:
        torch = None
    print(f"device: {cupy.cuda.runtime.getDeviceProperties(0)['name'].decode()}")
    from nvmath.bindings import cufft

    print(f"cuFFT {cufft.get_version()}")
    for section in (_latency, _epilog, _throughput):
        try:
            section(cupy, torch) if section is not _epilog else section(cupy)
        except Exception as exc:  # report and go on with the other sections
            print(f"\n{section.__name__} failed: {type(exc).__name__}: {exc}")


__all__ = ["Timing", "main"]

if __name__ == "__main__":
    main()
