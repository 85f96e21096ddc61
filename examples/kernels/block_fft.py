"""Block FFT: threads of a block cooperate on 512-point FFTs, with the register API
(``fft.execute(thread_data, smem)``) and the shared-memory API (``fft.execute(smem)``).

The register kernel loads and stores whole 8-byte elements (``load_aligned``) and asks L2 for
the rows of the block ``AHEAD`` blocks further on (``prefetch_l2``), so that DRAM keeps
streaming while warps compute. On the H200 (98304 rows, 384 MiB): 0.195 ms against CuPy's
0.197 ms; with plain indexing 0.213 ms, aligned without the prefetch 0.199 ms (docs/PERF_NOTES.md).

Run: ``python examples/kernels/block_fft.py``
"""

import _common
import numpy as np
from numba import cuda

from nvmath.device import FFT, load_aligned, prefetch_l2, store_aligned

fft = FFT(512, np.float32, "c2c", "Block", direction="forward", ffts_per_block="suggested", sm=_common.sm())
AHEAD = 132  # blocks: about one per SM of an H100/H200; 66 and 264 measured the same
ROW_BYTES = fft.size * 8


@cuda.jit
def register_kernel(data):
    thread_data = cuda.local.array(fft.storage_size, fft.value_type)
    smem = cuda.shared.array(0, fft.value_type)
    row = cuda.blockIdx.x * fft.ffts_per_block + cuda.threadIdx.y
    ahead = row + AHEAD * fft.ffts_per_block
    if cuda.threadIdx.x == 0 and ahead < data.shape[0]:
        prefetch_l2(data, (ahead, 0), ROW_BYTES)
    for i in range(fft.elements_per_thread):
        thread_data[i] = load_aligned(data, (row, cuda.threadIdx.x + i * fft.stride))  # element t + i*stride
    fft.execute(thread_data, smem)
    for i in range(fft.elements_per_thread):
        store_aligned(data, (row, cuda.threadIdx.x + i * fft.stride), thread_data[i])


@cuda.jit
def shared_kernel(data):
    smem = cuda.shared.array(0, fft.value_type)
    local_row = cuda.threadIdx.y
    row = cuda.blockIdx.x * fft.ffts_per_block + local_row
    for i in range(fft.elements_per_thread):
        k = cuda.threadIdx.x + i * fft.stride
        smem[local_row * fft.size + k] = data[row, k]
    cuda.syncthreads()
    fft.execute(smem)  # transform j of the block lives at smem[j * size : (j + 1) * size]
    cuda.syncthreads()
    for i in range(fft.elements_per_thread):
        k = cuda.threadIdx.x + i * fft.stride
        data[row, k] = smem[local_row * fft.size + k]


def main():
    batch = fft.ffts_per_block * (2 if not _common.ON_GPU else 32768)
    rng = np.random.default_rng()
    x = (rng.standard_normal((batch, fft.size)) + 1j * rng.standard_normal((batch, fft.size))).astype(np.complex64)
    ref = np.fft.fft(x.astype(np.complex128), axis=-1)
    smem_bytes = max(fft.shared_memory_size, fft.ffts_per_block * fft.size * 8)
    launches = {
        "register API": register_kernel[batch // fft.ffts_per_block, fft.block_dim, 0, fft.shared_memory_size],
        "shared-memory API": shared_kernel[batch // fft.ffts_per_block, fft.block_dim, 0, smem_bytes],
    }
    for name, launch in launches.items():
        d = cuda.to_device(x)
        launch(d)
        _common.check(f"block FFT, {name}", d.copy_to_host(), ref, 1e-5)
    if _common.ON_GPU:
        import cupy

        c = cupy.asarray(x)
        _common.compare_with_cupy(f"{batch} x 512-point c2c fp32 FFT (register API)",
                                  lambda: launches["register API"](c), lambda: cupy.fft.fft(c, axis=-1))


if __name__ == "__main__":
    main()
