"""The one timing helper of the benchmarks: CUDA events between back-to-back calls, medians after warm-up.

Example:
    >>> from benchmarks.timing import time_gpu
    >>> stats = time_gpu(lambda: None, warmup=1, repeat=3)  # doctest: +SKIP
    >>> stats.median_ms  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import statistics
import time
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class Timing:
    """Times of one benchmark case, in milliseconds."""

    median_ms: float
    min_ms: float
    max_ms: float
    repeat: int

    def __str__(self) -> str:
        return f"{self.median_ms:.4f} ms (min {self.min_ms:.4f}, max {self.max_ms:.4f}, n={self.repeat})"


def _summary(samples: list[float]) -> Timing:
    return Timing(statistics.median(samples), min(samples), max(samples), len(samples))


def time_gpu(
    fn: Callable[[], object], *, warmup: int = 10, repeat: int = 50, stream=None, warmup_s: float = 0.0
) -> Timing:
    """Time ``fn`` on the GPU with CUDA events (CuPy) on ``stream`` (default: CuPy's current stream).

    The calls run back to back, with an event recorded between each two; a sample is the GPU
    time between the events around one call. One call is already queued before the first
    event, so the host's launch cost of the next call (tens of microseconds for a Numba kernel)
    overlaps GPU work instead of being counted, as it would be if each sample started on an
    idle GPU. This holds while a call takes longer on the GPU than to launch; shorter calls
    are timed with their launch cost (use :func:`time_host` for calls that synchronise).
    Warm-up runs ``warmup`` calls and, with ``warmup_s``, keeps calling until that many seconds
    of GPU work have passed: clocks ramp up over ~1 s after an idle period, and a kernel near
    the power limit meets the power controller's overshoot (a brief clock drop) in its first
    second.
    """
    import cupy

    stream = stream or cupy.cuda.get_current_stream()
    for _ in range(warmup):
        fn()
    stream.synchronize()
    start = time.perf_counter()
    while time.perf_counter() - start < warmup_s:
        for _ in range(10):
            fn()
        stream.synchronize()
    events = [cupy.cuda.Event() for _ in range(repeat + 1)]
    fn()  # in flight while the first timed call is launched
    events[0].record(stream)
    for event in events[1:]:
        fn()
        event.record(stream)
    events[-1].synchronize()
    return _summary([cupy.cuda.get_elapsed_time(events[i], events[i + 1]) for i in range(repeat)])


def time_host(fn: Callable[[], object], *, warmup: int = 10, repeat: int = 200) -> Timing:
    """Time ``fn`` with the host clock (for small calls that synchronise themselves)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return _summary(samples)


def print_table(title: str, rows: list[tuple[str, Timing]], baseline: str | None = None) -> None:
    """Print ``rows`` (name, timing) with the ratio of each median to the ``baseline`` row's."""
    print(f"\n{title}")
    base = dict(rows).get(baseline) if baseline else None
    width = max(len(name) for name, _ in rows)
    for name, timing in rows:
        ratio = f"  {timing.median_ms / base.median_ms:6.2f}x {baseline}" if base else ""
        print(f"  {name:<{width}}  {timing.median_ms:10.4f} ms{ratio}")


def profile_calls(cases: dict, calls: int, sync: Callable[[], object] = lambda: None) -> None:
    """Print cProfile's top functions (by own time) for each of ``cases`` (name -> function) called ``calls`` times.

    Each function is warmed up with 50 calls first; a case named ``"stateless"`` gets a tenth
    of the calls.

    Example:
        >>> profile_calls({"noop": lambda: None}, 100)  # doctest: +SKIP
    """
    import cProfile
    import pstats

    for name, fn in cases.items():
        for _ in range(50):
            fn()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(calls if name != "stateless" else calls // 10):
            fn()
        profiler.disable()
        sync()
        print(f"\n==== {name}")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
