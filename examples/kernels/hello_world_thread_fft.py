"""Hello world: every thread computes one 16-point FFT in registers (Thread execution).

Run: ``python examples/kernels/hello_world_thread_fft.py`` (GPU, or the simulator without one).
"""

import _common
import numpy as np
from numba import cuda

from nvmath.device import FFT

fft = FFT(16, np.float32, "c2c", "Thread", direction="forward", sm=_common.sm())


@cuda.jit
def kernel(data):
    thread_data = cuda.local.array(fft.storage_size, fft.value_type)
    row = cuda.grid(1)
    if row < data.shape[0]:
        for i in range(fft.size):
            thread_data[i] = data[row, i]
        fft.execute(thread_data)
        for i in range(fft.size):
            data[row, i] = thread_data[i]


def main(batch=64 if not _common.ON_GPU else 1 << 20):
    rng = np.random.default_rng()
    x = (rng.standard_normal((batch, fft.size)) + 1j * rng.standard_normal((batch, fft.size))).astype(np.complex64)
    d = cuda.to_device(x)
    launch = kernel[(batch + 127) // 128, 128]
    launch(d)
    _common.check("thread FFT", d.copy_to_host(), np.fft.fft(x.astype(np.complex128), axis=-1), 1e-5)
    if _common.ON_GPU:
        import cupy

        c = cupy.asarray(x)
        _common.compare_with_cupy(f"{batch} x 16-point c2c fp32 FFT", lambda: launch(c),
                                  lambda: cupy.fft.fft(c, axis=-1))


if __name__ == "__main__":
    main()
