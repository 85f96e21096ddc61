"""Host matmul benchmark: nvmath.linalg.advanced against PyTorch and CuPy, one process.

1. Throughput, bfloat16 8192^3: stateful ``Matmul.execute`` (heuristic first choice, and after
   ``autotune``) vs ``torch.matmul`` (CUDA events, back to back after warm-up; medians, TFLOP/s).
   Target: >= 1.00x torch's TFLOP/s.
2. Throughput, float8_e4m3fn 8192^3 -> bfloat16 with unit scales: ``Matmul.execute`` vs
   ``torch._scaled_mm`` (fast accumulation off and on). Target: >= 1.00x. Skipped below sm_89.
3. Small calls, float32 64 x 64 @ 64 x 64, host time per call incl. stream synchronisation:
   stateful execute (target <= 25 us), stateless ``matmul`` (<= 150 us), ``PlanCache.matmul``
   (<= 30 us), ``torch.matmul`` and ``cupy.matmul``; then the host time per call of the same calls
   without synchronisation (1000 back to back, one sync at the end).
4. Skinny, bfloat16 M=16, N=K=8192: stateful execute vs ``torch.matmul`` per call (CUDA events and
   host time incl. sync). Target: <= 1.05x torch.
5. Fused epilogs, bfloat16 8192^3: ``RELU_BIAS`` and ``GELU_BIAS`` (bias per row) vs torch unfused
   (``torch.relu(a @ b + bias[:, None])``, ``F.gelu(..., approximate='tanh')``). Target: <= 0.85x
   torch (and <= nvmath-python's 1.485 ms for RELU_BIAS on the H200).

The CUDA-event cases of one comparison, and the small-call cases, are timed in two interleaved
rounds (ours, peer, ours, peer) and each keeps its best median, so clock drift hits both sides
alike. The end of the run prints every target with the
measured value and PASS/MISS.

Run: ``python -m benchmarks host_matmul``; where the small-call time goes:
``python -c "from benchmarks.host_matmul import profile; profile()"``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from benchmarks.timing import Timing, print_table, profile_calls, time_gpu, time_host

BIG = 8192


@dataclasses.dataclass
class Target:
    """One target of the issue: ``value`` measured against ``limit`` (``at_least``: value >= limit).

    Example:
        >>> Target("bf16 8192^3 vs torch", 1.02, 1.0, "x", at_least=True).passed
        True
    """

    name: str
    value: float
    limit: float
    unit: str
    at_least: bool = False

    @property
    def passed(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit


TARGETS: list[Target] = []


def _best_of(cases: dict[str, Callable[[], object]], rounds: int = 2, **timing) -> dict[str, Timing]:
    """Time each case ``rounds`` times, interleaved; keep each case's lowest median."""
    best: dict[str, Timing] = {}
    for _ in range(rounds):
        for name, fn in cases.items():
            t = time_gpu(fn, **timing)
            if name not in best or t.median_ms < best[name].median_ms:
                best[name] = t
    return best


def _tflops(m: int, n: int, k: int, timing: Timing) -> float:
    return 2 * m * n * k / (timing.median_ms * 1e-3) / 1e12


def _rel_diff(x, y) -> float:
    x, y = x.float(), y.float()
    return float((x - y).norm() / y.norm())


def _torch_events_stream(torch):
    from nvmath.host.streams import cupy_stream

    return cupy_stream(torch.cuda.current_stream().cuda_stream, torch.cuda.current_device())


# ---------------------------------------------------------------------------------------------
# 1. bf16 throughput
# ---------------------------------------------------------------------------------------------


def _bf16_throughput(cupy, torch) -> None:
    from nvmath.linalg.advanced import Matmul

    stream = _torch_events_stream(torch)
    a = torch.randn(BIG, BIG, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(BIG, BIG, device="cuda", dtype=torch.bfloat16)
    with Matmul(a, b) as mm, Matmul(a, b) as tuned:
        mm.plan()
        tuned.plan(preferences={"limit": 8})
        tuned.autotune(iterations=10)
        diff = _rel_diff(mm.execute(), torch.matmul(a, b))
        times = _best_of(
            {
                "nvmath Matmul.execute": mm.execute,
                "nvmath Matmul.execute (autotuned)": tuned.execute,
                "torch.matmul": lambda: torch.matmul(a, b),
            },
            warmup=10, repeat=50, stream=stream, warmup_s=1.0,
        )  # fmt: skip
        chosen = (mm.algorithms[0].algorithm_id, tuned.algorithms[0].algorithm_id)
    rows = list(times.items())
    print_table(f"bfloat16 {BIG}^3, CUDA events (best median of 2 interleaved rounds)", rows, baseline="torch.matmul")
    peer = _tflops(BIG, BIG, BIG, times["torch.matmul"])
    for name, t in rows:
        print(f"  {name:<36} {_tflops(BIG, BIG, BIG, t):7.1f} TFLOP/s  {_tflops(BIG, BIG, BIG, t) / peer:5.3f}x torch")
    print(f"  algorithm ids: heuristic {chosen[0]}, autotuned {chosen[1]}; |nvmath - torch| / |torch| = {diff:.1e}")
    for name in ("nvmath Matmul.execute", "nvmath Matmul.execute (autotuned)"):
        ratio = times["torch.matmul"].median_ms / times[name].median_ms
        TARGETS.append(Target(f"bf16 8192^3 {name.removeprefix('nvmath ')} TFLOP/s vs torch", ratio, 1.0, "x", True))


# ---------------------------------------------------------------------------------------------
# 2. FP8 throughput
# ---------------------------------------------------------------------------------------------


def _fp8_throughput(cupy, torch) -> None:
    from nvmath.linalg.advanced import Matmul

    if torch.cuda.get_device_capability() < (8, 9):
        print("\nfloat8_e4m3fn: skipped (needs compute capability 8.9 or newer)")
        return
    stream = _torch_events_stream(torch)
    a = torch.randn(BIG, BIG, device="cuda").to(torch.float8_e4m3fn)
    b = torch.randn(BIG, BIG, device="cuda").to(torch.float8_e4m3fn).T  # column-major, as FP8 kernels need
    one = torch.ones((), device="cuda")
    for fast in (False, True):
        options = {"result_type": "bfloat16", "fast_accumulation": fast}
        with Matmul(a, b, quantization_scales={"a": one, "b": one}, options=options) as mm:
            mm.plan()

            def peer(fast=fast):
                return torch._scaled_mm(a, b, one, one, out_dtype=torch.bfloat16, use_fast_accum=fast)

            diff = _rel_diff(mm.execute(), peer())
            times = _best_of({"nvmath Matmul.execute": mm.execute, "torch._scaled_mm": peer}, warmup=10, repeat=50,
                             stream=stream, warmup_s=1.0)  # fmt: skip
        rows = list(times.items())
        title = f"float8_e4m3fn {BIG}^3 -> bfloat16, fast accumulation {'on' if fast else 'off'}, CUDA events"
        print_table(title, rows, baseline="torch._scaled_mm")
        for name, t in rows:
            print(f"  {name:<36} {_tflops(BIG, BIG, BIG, t):7.1f} TFLOP/s")
        print(f"  |nvmath - torch| / |torch| = {diff:.1e}")
        ratio = times["torch._scaled_mm"].median_ms / times["nvmath Matmul.execute"].median_ms
        TARGETS.append(Target(f"fp8 8192^3 -> bf16 (fast accum {'on' if fast else 'off'}) vs torch._scaled_mm",
                              ratio, 1.0, "x", True))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# 3. Small calls: host time
# ---------------------------------------------------------------------------------------------


def _without_sync(fn: Callable[[], object], sync: Callable[[], object], calls: int = 1000, repeat: int = 15) -> Timing:
    """Host time per call of ``calls`` back-to-back calls and one sync (the launch cost, when above the GPU time)."""
    for _ in range(calls // 10):
        fn()
    sync()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        sync()
        samples.append((time.perf_counter() - start) * 1e3 / calls)
    samples.sort()
    return Timing(samples[len(samples) // 2], samples[0], samples[-1], repeat)


def _small_calls(cupy, torch) -> None:
    import nvmath.linalg.advanced as la

    n = 64
    x = cupy.random.standard_normal((n, n), dtype=cupy.float32)
    y = cupy.random.standard_normal((n, n), dtype=cupy.float32)
    cp_stream = cupy.cuda.get_current_stream()
    cases: dict[str, tuple[Callable[[], object], Callable[[], object], int]] = {}  # name: (call, sync, repeat)
    mm = la.Matmul(x, y)
    mm.plan()
    cache = la.PlanCache()
    cases["nvmath Matmul.execute (cupy)"] = (mm.execute, cp_stream.synchronize, 3000)
    cases["nvmath PlanCache.matmul (cupy)"] = (lambda: cache.matmul(x, y), cp_stream.synchronize, 3000)
    cases["nvmath matmul stateless (cupy)"] = (lambda: la.matmul(x, y), cp_stream.synchronize, 300)
    cases["cupy.matmul"] = (lambda: cupy.matmul(x, y), cp_stream.synchronize, 3000)
    plans = [mm]
    if torch is not None:
        tx, ty = torch.as_tensor(x, device="cuda"), torch.as_tensor(y, device="cuda")
        t_stream = torch.cuda.current_stream()
        tm = la.Matmul(tx, ty)
        tm.plan()
        plans.append(tm)
        cases["nvmath Matmul.execute (torch)"] = (tm.execute, t_stream.synchronize, 3000)
        cases["nvmath PlanCache.matmul (torch)"] = (lambda: cache.matmul(tx, ty), t_stream.synchronize, 3000)
        cases["nvmath matmul stateless (torch)"] = (lambda: la.matmul(tx, ty), t_stream.synchronize, 300)
        cases["torch.matmul"] = (lambda: torch.matmul(tx, ty), t_stream.synchronize, 3000)
        expected = torch.matmul(tx, ty)
        assert _rel_diff(tm.execute(), expected) < 1e-5 and _rel_diff(cache.matmul(tx, ty), expected) < 1e-5

    def with_sync(call, sync):
        def fn():
            call()
            sync()

        return fn

    synced = {}
    for _ in range(2):  # interleaved rounds, best median each
        for name, (call, sync, repeat) in cases.items():
            t = time_host(with_sync(call, sync), warmup=repeat // 10, repeat=repeat)
            if name not in synced or t.median_ms < synced[name].median_ms:
                synced[name] = t
    baseline = "torch.matmul" if torch is not None else "cupy.matmul"
    print(f"\nfloat32 {n} x {n} @ {n} x {n}, host time per call incl. sync (best median of 2 rounds)")
    _print_us(synced, baseline)
    unsynced = {name: _without_sync(call, sync, calls=1000 if "stateless" not in name else 200)
                for name, (call, sync, _) in cases.items()}  # fmt: skip
    print(f"\nfloat32 {n} x {n} @ {n} x {n}, host time per call without sync (back to back, one sync at the end)")
    _print_us(unsynced, baseline)
    for suffix in ("(torch)", "(cupy)"):
        for label, limit in (("Matmul.execute", 25), ("matmul stateless", 150), ("PlanCache.matmul", 30)):
            name = f"nvmath {label} {suffix}"
            if name in synced:
                TARGETS.append(Target(f"64x64 fp32 {label} {suffix} per call incl. sync", synced[name].median_ms * 1e3,
                                      limit, "us"))  # fmt: skip
    cache.clear()
    for plan in plans:
        plan.free()


def _print_us(times: dict[str, Timing], baseline: str) -> None:
    width = max(len(name) for name in times)
    base = times.get(baseline)
    for name, t in times.items():
        ratio = f"  {t.median_ms / base.median_ms:6.2f}x {baseline}" if base else ""
        print(f"  {name:<{width}}  {t.median_ms * 1e3:8.1f} us (min {t.min_ms * 1e3:7.1f}){ratio}")


# ---------------------------------------------------------------------------------------------
# 4. Skinny bf16
# ---------------------------------------------------------------------------------------------


def _skinny(cupy, torch) -> None:
    from nvmath.linalg.advanced import Matmul

    m, n, k = 16, BIG, BIG
    stream = _torch_events_stream(torch)
    t_stream = torch.cuda.current_stream()
    a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(k, n, device="cuda", dtype=torch.bfloat16)
    with Matmul(a, b) as mm, Matmul(a, b) as tuned:
        mm.plan()
        tuned.plan(preferences={"limit": 8})
        tuned.autotune(iterations=20)
        diff = _rel_diff(mm.execute(), torch.matmul(a, b))
        cases = {
            "nvmath Matmul.execute": mm.execute,
            "nvmath Matmul.execute (autotuned)": tuned.execute,
            "torch.matmul": lambda: torch.matmul(a, b),
        }
        events = _best_of(cases, warmup=50, repeat=200, stream=stream, warmup_s=0.5)

        def synced(fn):
            def call():
                fn()
                t_stream.synchronize()

            return call

        host = {name: time_host(synced(fn), warmup=100, repeat=1000) for name, fn in cases.items()}
    print_table(f"bfloat16 M={m}, N=K={BIG}, CUDA events back to back", list(events.items()), baseline="torch.matmul")
    print(f"\nbfloat16 M={m}, N=K={BIG}, host time per call incl. sync")
    _print_us(host, "torch.matmul")
    print(f"  |nvmath - torch| / |torch| = {diff:.1e}")
    for name in ("nvmath Matmul.execute", "nvmath Matmul.execute (autotuned)"):
        label = name.removeprefix("nvmath ")
        TARGETS.append(Target(f"M=16 N=K=8192 bf16 {label} vs torch (events)",
                              events[name].median_ms / events["torch.matmul"].median_ms, 1.05, "x"))  # fmt: skip
        TARGETS.append(Target(f"M=16 N=K=8192 bf16 {label} vs torch (host, sync)",
                              host[name].median_ms / host["torch.matmul"].median_ms, 1.05, "x"))  # fmt: skip


# ---------------------------------------------------------------------------------------------
# 5. Fused epilogs
# ---------------------------------------------------------------------------------------------


def _epilogs(cupy, torch) -> None:
    import torch.nn.functional as F  # noqa: N812

    from nvmath.linalg.advanced import Matmul, MatmulEpilog

    stream = _torch_events_stream(torch)
    a = torch.randn(BIG, BIG, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(BIG, BIG, device="cuda", dtype=torch.bfloat16)
    bias = torch.randn(BIG, device="cuda", dtype=torch.bfloat16)  # per row of the result
    col = bias[:, None]
    unfused = {
        MatmulEpilog.RELU_BIAS: ("torch.relu(a @ b + bias)", lambda: torch.relu(a @ b + col)),
        MatmulEpilog.GELU_BIAS: ("torch gelu(a @ b + bias, tanh)", lambda: F.gelu(a @ b + col, approximate="tanh")),
    }
    for epilog, (label, peer) in unfused.items():
        with Matmul(a, b) as mm:
            mm.plan(epilog=epilog, epilog_inputs={"bias": bias})
            diff = _rel_diff(mm.execute(), peer())
            times = _best_of({f"nvmath {epilog.name} (fused)": mm.execute, f"{label} (unfused)": peer}, warmup=10,
                             repeat=50, stream=stream, warmup_s=1.0)  # fmt: skip
        rows = list(times.items())
        print_table(f"bfloat16 {BIG}^3 + {epilog.name}, CUDA events", rows, baseline=f"{label} (unfused)")
        print(f"  |nvmath - torch| / |torch| = {diff:.1e}")
        ours = times[f"nvmath {epilog.name} (fused)"].median_ms
        TARGETS.append(Target(f"{epilog.name} bf16 8192 fused vs torch unfused",
                              ours / times[f"{label} (unfused)"].median_ms, 0.85, "x"))  # fmt: skip
        if epilog == MatmulEpilog.RELU_BIAS:
            TARGETS.append(Target("RELU_BIAS bf16 8192 fused vs nvmath-python's 1.485 ms (H200)", ours, 1.485, "ms"))


# ---------------------------------------------------------------------------------------------


def _print_targets() -> None:
    if not TARGETS:
        return
    print("\nTargets")
    width = max(len(t.name) for t in TARGETS)
    for t in TARGETS:
        op = ">=" if t.at_least else "<="
        print(f"  {t.name:<{width}}  {t.value:9.3f} {t.unit:<2}  target {op} {t.limit:g} {t.unit:<2}  "
              f"{'PASS' if t.passed else 'MISS'}")  # fmt: skip


def profile(calls: int = 2000) -> None:
    """cProfile the small-call paths (64 x 64 fp32: stateful execute, plan cache, stateless): where the host time goes.

    Example:
        >>> from benchmarks.host_matmul import profile
        >>> profile(calls=500)  # doctest: +SKIP
    """

    import cupy

    import nvmath.linalg.advanced as la

    x = cupy.ones((64, 64), cupy.float32)
    mm = la.Matmul(x, x)
    mm.plan()
    cache = la.PlanCache()
    cases = {
        "stateful execute": mm.execute,
        "plan cache": lambda: cache.matmul(x, x),
        "stateless": lambda: la.matmul(x, x),
    }
    try:
        import torch

        t = torch.ones(64, 64, device="cuda")
        tm = la.Matmul(t, t)
        tm.plan()
        cases["stateful execute torch"] = tm.execute
        cases["plan cache torch"] = lambda: cache.matmul(t, t)
    except ImportError:
        pass
    profile_calls(cases, calls, lambda: cupy.cuda.get_current_stream().synchronize())
    cache.clear()


def main() -> None:
    """Run the host matmul benchmarks (us, torch, CuPy in one process) and print tables of medians and ratios.

    Example:
        >>> from benchmarks import host_matmul
        >>> host_matmul.main()  # doctest: +SKIP
    """
    try:
        import cupy
    except ImportError:
        print("host_matmul: CuPy is needed (CUDA events, the cupy.matmul peer); skipped.")
        return
    try:
        import torch

        if not torch.cuda.is_available():
            torch = None
    except ImportError:
        torch = None
    from nvmath._gpu import gpu_count, no_gpu_reason

    if gpu_count() == 0:
        print(f"host_matmul: needs a GPU: {no_gpu_reason()}; skipped.")
        return
    from nvmath.bindings import cublaslt

    props = cupy.cuda.runtime.getDeviceProperties(0)
    print(f"device: {props['name'].decode()} (sm_{props['major']}{props['minor']}, {props['multiProcessorCount']} SMs)")
    print(f"cuBLASLt {cublaslt.get_version()}, CuPy {cupy.__version__}, torch {torch.__version__ if torch else '-'}")
    TARGETS.clear()
    sections = [_small_calls]
    if torch is not None:
        sections += [_skinny, _epilogs, _fp8_throughput, _bf16_throughput]
    else:
        print("torch with CUDA is missing: only the small-call section runs")
    for section in sections:
        try:
            section(cupy, torch)
        except Exception as exc:  # report and go on with the other sections
            print(f"\n{section.__name__} failed: {type(exc).__name__}: {exc}")
    _print_targets()


__all__ = ["Target", "main", "profile"]

if __name__ == "__main__":
    main()
