"""A 2-D FFT in one kernel: each block transforms one 32x32 image (rows, then columns).

The rows' results go through shared memory (a transpose) to become the columns' input, so
the image crosses global memory once each way.

Run: ``python examples/kernels/fft_2d.py``
"""

import _common
import numpy as np
from numba import cuda

from nvmath.device import FFT

N = 32
fft = FFT(N, np.float32, "c2c", "Block", direction="forward", elements_per_thread=4, ffts_per_block=N,
          sm=_common.sm())
SMEM_BYTES = max(fft.shared_memory_size, N * N * 8)


@cuda.jit
def kernel(images):
    thread_data = cuda.local.array(fft.storage_size, fft.value_type)
    smem = cuda.shared.array(0, fft.value_type)  # FFT workspace, and the transpose buffer in between
    image = cuda.blockIdx.x
    line = cuda.threadIdx.y  # a row in the first pass, a column in the second
    for i in range(fft.elements_per_thread):
        thread_data[i] = images[image, line, cuda.threadIdx.x + i * fft.stride]
    fft.execute(thread_data, smem)  # rows
    cuda.syncthreads()
    for i in range(fft.elements_per_thread):
        smem[line * N + cuda.threadIdx.x + i * fft.stride] = thread_data[i]
    cuda.syncthreads()
    for i in range(fft.elements_per_thread):
        thread_data[i] = smem[(cuda.threadIdx.x + i * fft.stride) * N + line]
    cuda.syncthreads()
    fft.execute(thread_data, smem)  # columns
    for i in range(fft.elements_per_thread):
        images[image, cuda.threadIdx.x + i * fft.stride, line] = thread_data[i]


def main():
    batch = 2 if not _common.ON_GPU else 65536
    rng = np.random.default_rng()
    x = (rng.standard_normal((batch, N, N)) + 1j * rng.standard_normal((batch, N, N))).astype(np.complex64)
    d = cuda.to_device(x)
    launch = kernel[batch, fft.block_dim, 0, SMEM_BYTES]
    launch(d)
    _common.check("2-D FFT", d.copy_to_host(), np.fft.fft2(x.astype(np.complex128)), 1e-5)
    if _common.ON_GPU:
        import cupy

        c = cupy.asarray(x)
        _common.compare_with_cupy(f"{batch} x {N}x{N} c2c fp32 2-D FFT", lambda: launch(d),
                                  lambda: cupy.fft.fft2(c))


if __name__ == "__main__":
    main()
