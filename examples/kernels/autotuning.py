"""Autotuning: sweep the valid (elements_per_thread, ffts_per_block) combinations of the fused
512-point convolution (examples/kernels/fused_convolution.py) and keep the fastest.

``FFT.valid('elements_per_thread', 'ffts_per_block')`` lists what cuFFTDx supports (with its
suggested ffts_per_block for each elements_per_thread); multiples of that are tried too. Each
candidate is checked against NumPy before it is timed. Without a GPU the candidates are only
checked (in the simulator).

Run: ``python examples/kernels/autotuning.py``
"""

import concurrent.futures

import _common
import fused_convolution as conv
import numpy as np

from nvmath.device import FFT

SIZE = 512


def candidates(min_elements_per_thread=1):
    base = FFT(SIZE, np.float32, "c2c", "Block", direction="forward", sm=_common.sm())
    for ept, fpb in base.valid("elements_per_thread", "ffts_per_block"):
        if ept < min_elements_per_thread:
            continue
        for ffts_per_block in sorted({fpb, 2 * fpb}):
            if (SIZE // ept) * ffts_per_block <= 1024:
                yield ept, ffts_per_block


def build(ept, fpb):
    kw = dict(elements_per_thread=ept, ffts_per_block=fpb, sm=_common.sm())
    forward = FFT(SIZE, np.float32, "c2c", "Block", direction="forward", **kw)
    inverse = FFT(SIZE, np.float32, "c2c", "Block", direction="inverse", **kw)
    return (forward, inverse), conv.make_kernel(forward, inverse)


def main():
    batch = 24 if not _common.ON_GPU else (1 << 30) // (SIZE * 8)
    data_h, response, filt_h = conv.make_problem(batch)
    check_rows = np.r_[0:8, batch - 8:batch]
    ref = conv.reference(data_h[check_rows], response)
    if _common.ON_GPU:
        import cupy

        from benchmarks.timing import time_gpu

        data, filt = cupy.asarray(data_h), cupy.asarray(filt_h)
    else:
        data, filt = data_h, filt_h
    # On a GPU, 2 and 4 elements per thread were 1.4-2.9x slower than 8 (H100): skip them there.
    built = {combo: build(*combo) for combo in candidates(8 if _common.ON_GPU else 1)}
    # Generate every candidate's cuFFTDx code up front, concurrently (seconds each otherwise).
    if _common.ON_GPU:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda fft: fft.ltoir(), [f for ffts, _ in built.values() for f in ffts]))
    results = []
    for (ept, fpb), (ffts, kernel) in built.items():
        forward = ffts[0]
        launch = kernel[conv.grid_size(batch, forward), forward.block_dim, 0, forward.shared_memory_size]
        work = data.copy()
        launch(work, filt)
        out = cupy.asnumpy(work) if _common.ON_GPU else work
        _common.check(f"elements_per_thread={ept:2d} ffts_per_block={fpb:2d}", out[check_rows], ref, 1e-5)
        if _common.ON_GPU:
            timing = time_gpu(lambda launch=launch, work=work: launch(work, filt), warmup=3, repeat=20)
            print(f"    median {timing.median_ms:.4f} ms, block_dim {tuple(forward.block_dim)}")
            results.append((timing.median_ms, ept, fpb))
    if results:
        best = min(results)
        print(f"fastest: elements_per_thread={best[1]}, ffts_per_block={best[2]}: {best[0]:.4f} ms")


if __name__ == "__main__":
    main()
