"""Hello world: every thread computes one 16-point FFT in registers (Thread execution).

A block of ``ROWS`` threads stages its ``ROWS`` rows through shared memory: the block reads and
writes them as one contiguous, coalesced span of global memory, and each thread then takes its
own row from shared memory. Loading a row straight from global memory per thread (128 bytes
per thread, 128 bytes apart across a warp) was 3.7x slower on the H200 (0.270 against
0.108 ms; plain indexing, which splits each complex64 into two 4-byte loads, 0.537 ms).

Run: ``python examples/kernels/hello_world_thread_fft.py`` (GPU, or the simulator without one).
On an H200, 2^20 rows: see docs/PERF_NOTES.md (issue 13) for the time against CuPy.
"""

import _common
import numpy as np
from numba import cuda

from nvmath.device import FFT, load_aligned, store_aligned

fft = FFT(16, np.float32, "c2c", "Thread", direction="forward", sm=_common.sm())
N = fft.size
ROWS = 64  # rows (threads) per block
PITCH = N + 1  # padded shared-memory row: a warp's 8-byte accesses hit distinct banks
TILE = ROWS * PITCH
ROWS_PER_PASS = ROWS // N  # rows the block covers with one coalesced pass of ROWS elements


@cuda.jit
def kernel(data):
    """``data``: the rows as one flat complex64 array (``rows * N`` elements)."""
    thread_data = cuda.local.array(fft.storage_size, fft.value_type)
    tile = cuda.shared.array(TILE, fft.value_type)
    t = cuda.threadIdx.x
    first = cuda.blockIdx.x * (ROWS * N)  # the block's rows: data[first : first + ROWS * N]
    row, col = t // N, t % N  # where element `first + i * ROWS + t` sits: row i * ROWS_PER_PASS + row
    if first + ROWS * N <= data.shape[0]:  # a full block: no bounds checks
        for i in range(N):
            tile[(i * ROWS_PER_PASS + row) * PITCH + col] = load_aligned(data, first + i * ROWS + t)
    else:
        for i in range(N):
            if first + i * ROWS + t < data.shape[0]:
                tile[(i * ROWS_PER_PASS + row) * PITCH + col] = load_aligned(data, first + i * ROWS + t)
    cuda.syncthreads()
    for i in range(N):
        thread_data[i] = tile[t * PITCH + i]
    fft.execute(thread_data)
    for i in range(N):
        tile[t * PITCH + i] = thread_data[i]
    cuda.syncthreads()
    if first + ROWS * N <= data.shape[0]:
        for i in range(N):
            store_aligned(data, first + i * ROWS + t, tile[(i * ROWS_PER_PASS + row) * PITCH + col])
    else:
        for i in range(N):
            if first + i * ROWS + t < data.shape[0]:
                store_aligned(data, first + i * ROWS + t, tile[(i * ROWS_PER_PASS + row) * PITCH + col])


def main(batch=64 + 5 if not _common.ON_GPU else 1 << 20):
    rng = np.random.default_rng()
    x = (rng.standard_normal((batch, N)) + 1j * rng.standard_normal((batch, N))).astype(np.complex64)
    d = cuda.to_device(x.reshape(-1))
    launch = kernel[(batch + ROWS - 1) // ROWS, ROWS]
    launch(d)
    _common.check("thread FFT", d.copy_to_host().reshape(batch, N), np.fft.fft(x.astype(np.complex128), axis=-1), 1e-5)
    if _common.ON_GPU:
        import cupy

        c = cupy.asarray(x)
        # A Numba view made once: typing a CuPy array at every launch costs ~75 us on the host,
        # more than this kernel runs on the GPU.
        view = cuda.as_cuda_array(c.reshape(-1))
        _common.compare_with_cupy(f"{batch} x 16-point c2c fp32 FFT", lambda: launch(view),
                                  lambda: cupy.fft.fft(c, axis=-1))


if __name__ == "__main__":
    main()
