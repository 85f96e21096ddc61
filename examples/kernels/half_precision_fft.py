"""Half-precision (fp16) block FFT: cuFFTDx packs two transforms per element.

``fft.value_type`` is ``float16x4`` = ``(re0, re1, im0, im1)``: rows ``2j`` and ``2j + 1`` of
the batch travel together (``fft.implicit_type_batching == 2``).

Run: ``python examples/kernels/half_precision_fft.py``
"""

import _common
import numpy as np
from numba import cuda

from nvmath.device import FFT, float16x4

fft = FFT(128, np.float16, "c2c", "Block", direction="forward", ffts_per_block=4, sm=_common.sm())
assert fft.implicit_type_batching == 2


@cuda.jit
def kernel(re, im):
    thread_data = cuda.local.array(fft.storage_size, fft.value_type)
    smem = cuda.shared.array(0, fft.value_type)
    row = 2 * (cuda.blockIdx.x * fft.block_dim.y + cuda.threadIdx.y)  # first of the pair of rows
    for i in range(fft.elements_per_thread):
        k = cuda.threadIdx.x + i * fft.stride
        thread_data[i] = float16x4(re[row, k], re[row + 1, k], im[row, k], im[row + 1, k])
    fft.execute(thread_data, smem)
    for i in range(fft.elements_per_thread):
        k = cuda.threadIdx.x + i * fft.stride
        v = thread_data[i]
        re[row, k], re[row + 1, k], im[row, k], im[row + 1, k] = v.x, v.y, v.z, v.w


def main():
    batch = fft.ffts_per_block * (2 if not _common.ON_GPU else 32768)
    rng = np.random.default_rng()
    x = rng.uniform(-1, 1, (batch, fft.size)) + 1j * rng.uniform(-1, 1, (batch, fft.size))
    re, im = cuda.to_device(x.real.astype(np.float16)), cuda.to_device(x.imag.astype(np.float16))
    launch = kernel[batch // fft.ffts_per_block, fft.block_dim, 0, fft.shared_memory_size]
    launch(re, im)
    result = re.copy_to_host().astype(np.float64) + 1j * im.copy_to_host().astype(np.float64)
    xq = x.real.astype(np.float16).astype(np.float64) + 1j * x.imag.astype(np.float16).astype(np.float64)
    _common.check("fp16 block FFT", result, np.fft.fft(xq, axis=-1), 1e-2)
    if _common.ON_GPU:
        import cupy

        c = cupy.asarray(x.astype(np.complex64))
        _common.compare_with_cupy(f"{batch} x 128-point FFT: nvmath fp16 vs CuPy complex64",
                                  lambda: launch(re, im), lambda: cupy.fft.fft(c, axis=-1))


if __name__ == "__main__":
    main()
