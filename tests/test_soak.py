"""Soak tests (issue 12): thousands of plan/execute/free cycles with GPU memory and host RSS flat.

- 10,000 cycles (``NVMATH_SOAK_CYCLES``) of a stateful :class:`nvmath.fft.FFT` and of a
  :class:`nvmath.linalg.advanced.Matmul` on CuPy operands: construct, plan, execute, free. After a
  warm-up, the GPU memory in use (``cudaMemGetInfo``, with CuPy's pool emptied) and the process's
  resident set size must not grow by more than a few MiB; results are checked against NumPy in
  float64 every few hundred cycles on fresh data.
- Many threads, each with its own objects, stream and data, executing concurrently with
  ``reset_operand(s)`` on fresh data: every result correct.

GPU only (``gpu``) and long (``slow``). ``NVMATH_SOAK_REPORT=path.json`` writes the figures
(memory at start and end). Run on the GPU host::

    NVMATH_SOAK_REPORT=soak.json python -m pytest -p no:cacheprovider tests/test_soak.py -m "gpu and slow" -s
"""

from __future__ import annotations

import gc
import json
import os
import threading
import time

import numpy as np
import pytest

pytestmark = [pytest.mark.gpu, pytest.mark.slow]

CYCLES = int(os.environ.get("NVMATH_SOAK_CYCLES", "10000"))
WARMUP = 200
CHECK_EVERY = 500
GPU_SLACK = 16 * 2**20  # bytes of GPU memory growth allowed over the whole run
RSS_SLACK = 48 * 2**20  # bytes of host RSS growth allowed over the whole run
THREADS = 8
THREAD_ITERATIONS = 300
REPORT: dict = {}


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _gpu_used(cupy) -> int:
    cupy.cuda.runtime.deviceSynchronize()
    gc.collect()
    cupy.get_default_memory_pool().free_all_blocks()
    cupy.get_default_pinned_memory_pool().free_all_blocks()
    free, total = cupy.cuda.runtime.memGetInfo()  # cudaMemGetInfo
    return total - free


def _relerr(got, want) -> float:
    got = np.asarray(got).astype(np.result_type(want.dtype, np.float64))
    return float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300))


def _soak(name: str, cycle, check, cupy) -> None:
    """Run ``cycle(i)`` CYCLES times after a warm-up; memory flat; ``check(i)`` every CHECK_EVERY cycles."""
    for i in range(WARMUP):
        cycle(i)
    gpu_start, rss_start = _gpu_used(cupy), _rss()
    samples = []
    start = time.perf_counter()
    for i in range(CYCLES):
        cycle(i)
        if i % CHECK_EVERY == 0:
            check(i)
            samples.append((i, _gpu_used(cupy) - gpu_start, _rss() - rss_start))
    elapsed = time.perf_counter() - start
    gpu_end, rss_end = _gpu_used(cupy), _rss()
    REPORT[name] = {
        "cycles": CYCLES,
        "seconds": round(elapsed, 2),
        "gpu_used_start_MiB": round(gpu_start / 2**20, 2),
        "gpu_used_end_MiB": round(gpu_end / 2**20, 2),
        "rss_start_MiB": round(rss_start / 2**20, 2),
        "rss_end_MiB": round(rss_end / 2**20, 2),
        "samples_growth_MiB": [(i, round(g / 2**20, 2), round(r / 2**20, 2)) for i, g, r in samples],
    }
    print(f"\n{name}: {json.dumps(REPORT[name])}")
    assert gpu_end - gpu_start <= GPU_SLACK, f"GPU memory grew by {(gpu_end - gpu_start) / 2**20:.1f} MiB"
    assert rss_end - rss_start <= RSS_SLACK, f"host RSS grew by {(rss_end - rss_start) / 2**20:.1f} MiB"


@pytest.fixture(scope="module")
def cupy():
    return pytest.importorskip("cupy")


def test_soak_stateful_fft_plan_execute_free(cupy):
    import nvmath

    rng = np.random.default_rng()
    shape = (64, 256)
    host = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
    x = cupy.asarray(host)
    last = {}

    def cycle(i):
        f = nvmath.fft.FFT(x, axes=(-1,))
        f.plan()
        last["y"] = f.execute()
        f.free()

    def check(i):
        fresh = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
        x[...] = cupy.asarray(fresh)
        cycle(i)
        err = _relerr(cupy.asnumpy(last["y"]), np.fft.fft(fresh.astype(np.complex128), axis=-1))
        assert err < 1e-5, f"cycle {i}: relative error {err:.2e}"

    _soak("stateful FFT c64 64x256", cycle, check, cupy)


def test_soak_host_matmul_plan_execute_free(cupy):
    from nvmath.linalg.advanced import Matmul

    rng = np.random.default_rng()
    a_host = rng.standard_normal((64, 48)).astype(np.float32)
    b_host = rng.standard_normal((48, 32)).astype(np.float32)
    a, b = cupy.asarray(a_host), cupy.asarray(b_host)
    last = {}

    def cycle(i):
        mm = Matmul(a, b)
        mm.plan()
        last["d"] = mm.execute()
        mm.free()

    def check(i):
        fa = rng.standard_normal(a.shape).astype(np.float32)
        fb = rng.standard_normal(b.shape).astype(np.float32)
        a[...], b[...] = cupy.asarray(fa), cupy.asarray(fb)
        cycle(i)
        err = _relerr(cupy.asnumpy(last["d"]), fa.astype(np.float64) @ fb.astype(np.float64))
        assert err < 1e-4, f"cycle {i}: relative error {err:.2e}"

    _soak("Matmul f32 64x48x32", cycle, check, cupy)


def _threads(worker) -> None:
    errors: list[BaseException] = []

    def run(t):
        try:
            worker(t)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    assert not [t for t in threads if t.is_alive()], "a thread did not finish"
    assert not errors, errors[0]


def test_threads_each_with_their_own_fft(cupy):
    import nvmath

    def worker(t):
        rng = np.random.default_rng(t)
        shape = (16 + t, 128 + 8 * t)
        stream = cupy.cuda.Stream(non_blocking=True)
        with stream:
            first = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
            x = cupy.asarray(first)
            with nvmath.fft.FFT(x, axes=(-1,), stream=stream) as f:
                f.plan(stream=stream)
                for i in range(THREAD_ITERATIONS):
                    host = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex64)
                    f.reset_operand(cupy.asarray(host), stream=stream)
                    y = f.execute(stream=stream)
                    stream.synchronize()
                    err = _relerr(cupy.asnumpy(y), np.fft.fft(host.astype(np.complex128), axis=-1))
                    assert err < 1e-5, f"thread {t} iteration {i}: relative error {err:.2e}"

    _threads(worker)


def test_threads_each_with_their_own_matmul(cupy):
    from nvmath.linalg.advanced import Matmul

    def worker(t):
        rng = np.random.default_rng(100 + t)
        m, k, n = 32 + 4 * t, 40, 24 + 2 * t
        stream = cupy.cuda.Stream(non_blocking=True)
        with stream:
            a = cupy.asarray(rng.standard_normal((m, k)).astype(np.float32))
            b = cupy.asarray(rng.standard_normal((k, n)).astype(np.float32))
            with Matmul(a, b, stream=stream) as mm:
                mm.plan(stream=stream)
                for i in range(THREAD_ITERATIONS):
                    fa = rng.standard_normal((m, k)).astype(np.float32)
                    fb = rng.standard_normal((k, n)).astype(np.float32)
                    mm.reset_operands(a=cupy.asarray(fa), b=cupy.asarray(fb), stream=stream)
                    d = mm.execute(stream=stream)
                    stream.synchronize()
                    err = _relerr(cupy.asnumpy(d), fa.astype(np.float64) @ fb.astype(np.float64))
                    assert err < 1e-4, f"thread {t} iteration {i}: relative error {err:.2e}"

    _threads(worker)


def teardown_module(module):
    path = os.environ.get("NVMATH_SOAK_REPORT")
    if path and REPORT:
        with open(path, "w") as f:
            json.dump(REPORT, f, indent=2)
