"""The one timing helper of the benchmarks: CUDA events around a callable, medians after warm-up.

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

    Each sample brackets one call with two events, so host overhead that overlaps GPU work is
    not counted; use :func:`time_host` for calls that include synchronisation. Warm-up runs
    ``warmup`` calls and, with ``warmup_s``, keeps calling until that many seconds of GPU work
    have passed (clocks ramp up over ~1 s after an idle period: short kernels need it).
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
    samples = []
    for _ in range(repeat):
        start, stop = cupy.cuda.Event(), cupy.cuda.Event()
        start.record(stream)
        fn()
        stop.record(stream)
        stop.synchronize()
        samples.append(cupy.cuda.get_elapsed_time(start, stop))
    return _summary(samples)


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
