"""CPU FFT benchmark: ``nvmath.fft`` with ``execution='cpu'`` (MKL) against scipy.fft and NumPy, one process.

1. Batched 1024-point C2C fp32, 64 MiB (8192 x 1024 complex64): stateful ``FFT.execute`` vs
   ``scipy.fft.fft(workers=-1)`` and ``numpy.fft.fft``. Target: >= 1.0x scipy's speed.
2. 256^3 C2C fp32 (128 MiB): ``FFT.execute`` vs ``scipy.fft.fftn(workers=-1)`` and
   ``numpy.fft.fftn``. Target: >= 1.0x scipy's speed.
3. One 64-point C2C fp32 transform: stateful ``FFT.execute`` vs ``numpy.fft.fft`` (and scipy).
   Target: <= numpy's time.

All rows are host-clock medians after warm-up; every result is checked against NumPy first.
MKL's OpenMP threads spin for a while after each call (``KMP_BLOCKTIME``), so each peer is
timed after a pause, never right after another's calls. Run: ``python -m benchmarks cpu_fft``.
"""

from __future__ import annotations

import os
import time

import numpy as np

from benchmarks.timing import Timing, print_table, time_host

PAUSE_S = 0.5  # longer than MKL's and OpenMP's default spin time (200 ms)


def _timed(fn, *, warmup: int, repeat: int) -> Timing:
    time.sleep(PAUSE_S)
    return time_host(fn, warmup=warmup, repeat=repeat)


def _check(name: str, got, want) -> None:
    err = np.max(np.abs(got - want)) / np.max(np.abs(want))
    if not err < 1e-4:
        raise AssertionError(f"{name}: relative error {err:.2e} against numpy.fft")


def _case(title: str, x: np.ndarray, axes, np_fn, sp_fn, *, warmup: int, repeat: int) -> list[tuple[str, Timing]]:
    import nvmath

    want = np_fn(x)
    rows = []
    with nvmath.fft.FFT(x, axes=axes, execution="cpu") as f:
        start = time.perf_counter()
        f.plan()
        plan_ms = (time.perf_counter() - start) * 1e3
        _check("nvmath", f.execute(), want)
        rows.append(("nvmath FFT.execute (cpu)", _timed(f.execute, warmup=warmup, repeat=repeat)))
    if sp_fn is not None:
        _check("scipy", sp_fn(x), want)
        rows.append(("scipy.fft (workers=-1)", _timed(lambda: sp_fn(x), warmup=warmup, repeat=repeat)))
    rows.append(("numpy.fft", _timed(lambda: np_fn(x), warmup=warmup, repeat=repeat)))
    print_table(f"{title}  (plan {plan_ms:.1f} ms)", rows, baseline="scipy.fft (workers=-1)" if sp_fn else "numpy.fft")
    if sp_fn is not None:
        times = dict(rows)
        speed = times["scipy.fft (workers=-1)"].median_ms / times["nvmath FFT.execute (cpu)"].median_ms
        print(f"  speed vs scipy.fft: {speed:.2f}x")
    return rows


def main() -> None:
    try:
        import scipy.fft as sfft
    except ImportError:  # the [test] extra brings it
        sfft = None
    from nvmath.bindings import mkl_dfti

    print(f"{mkl_dfti.get_version_string()}; MKL threads {mkl_dfti.get_max_threads()}; CPUs {os.cpu_count()}")
    rng = np.random.default_rng(0)

    def data(shape):
        return (rng.standard_normal(shape, np.float32) + 1j * rng.standard_normal(shape, np.float32)).astype(
            np.complex64
        )

    x = data((8192, 1024))
    _case(
        "C2C fp32 1024-pt x 8192 (64 MiB)",
        x,
        (-1,),
        lambda a: np.fft.fft(a, axis=-1),
        (lambda a: sfft.fft(a, axis=-1, workers=-1)) if sfft else None,
        warmup=3,
        repeat=20,
    )
    del x
    x = data((256, 256, 256))
    _case(
        "C2C fp32 256^3 (128 MiB)",
        x,
        None,
        np.fft.fftn,
        (lambda a: sfft.fftn(a, workers=-1)) if sfft else None,
        warmup=2,
        repeat=10,
    )
    del x
    rows = _case(
        "C2C fp32 64-pt, one transform",
        data((64,)),
        None,
        np.fft.fft,
        (lambda a: sfft.fft(a, workers=-1)) if sfft else None,
        warmup=1000,
        repeat=20000,
    )
    timings = dict(rows)
    ratio = timings["nvmath FFT.execute (cpu)"].median_ms / timings["numpy.fft"].median_ms
    print(f"  64-pt: nvmath time / numpy time = {ratio:.2f} (target <= 1.0)")


if __name__ == "__main__":
    main()
