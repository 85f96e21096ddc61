"""Real FFTs: r2c (``size`` reals -> ``size // 2 + 1`` complex) then c2r back, in one kernel.

Real data lives in the register array viewed as reals (``thread_data.view(np.float32)``).
Both transforms are unnormalized, so the round trip returns ``size * x``.

Run: ``python examples/kernels/real_fft.py``
"""

import _common
import numpy as np
from numba import cuda

from nvmath.device import FFT

r2c = FFT(256, np.float32, "r2c", "Block", ffts_per_block=2, sm=_common.sm())
c2r = FFT(256, np.float32, "c2r", "Block", ffts_per_block=2, elements_per_thread=r2c.elements_per_thread,
          sm=_common.sm())


@cuda.jit
def kernel(signal, spectrum, roundtrip):
    thread_data = cuda.local.array(r2c.storage_size, r2c.value_type)
    real = thread_data.view(np.float32)
    smem = cuda.shared.array(0, r2c.value_type)
    row = cuda.blockIdx.x * r2c.ffts_per_block + cuda.threadIdx.y
    for i in range(r2c.input_elements_per_thread):
        real[i] = signal[row, cuda.threadIdx.x + i * r2c.stride]
    r2c.execute(thread_data, smem)
    for i in range(r2c.output_elements_per_thread):
        k = cuda.threadIdx.x + i * r2c.stride
        if k < r2c.output_length:
            spectrum[row, k] = thread_data[i]
    c2r.execute(thread_data, smem)
    for i in range(c2r.output_elements_per_thread):
        roundtrip[row, cuda.threadIdx.x + i * c2r.stride] = real[i]


def main():
    batch = r2c.ffts_per_block * (2 if not _common.ON_GPU else 65536)
    x = np.random.default_rng().standard_normal((batch, r2c.size)).astype(np.float32)
    spectrum = cuda.to_device(np.full((batch, r2c.output_length), np.nan, np.complex64))
    roundtrip = cuda.to_device(np.full_like(x, np.nan))
    signal = cuda.to_device(x)
    launch = kernel[batch // r2c.ffts_per_block, r2c.block_dim, 0, max(r2c.shared_memory_size, c2r.shared_memory_size)]
    launch(signal, spectrum, roundtrip)
    _common.check("r2c", spectrum.copy_to_host(), np.fft.rfft(x.astype(np.float64), axis=-1), 1e-5)
    _common.check("c2r(r2c(x)) / size", roundtrip.copy_to_host() / r2c.size, x.astype(np.float64), 1e-5)
    if _common.ON_GPU:
        import cupy

        c = cupy.asarray(x)
        _common.compare_with_cupy(f"{batch} x 256-point rfft + irfft, fp32",
                                  lambda: launch(signal, spectrum, roundtrip),
                                  lambda: cupy.fft.irfft(cupy.fft.rfft(c, axis=-1), n=r2c.size, axis=-1))


if __name__ == "__main__":
    main()
