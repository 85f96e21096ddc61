"""GEMM + FFT in one kernel: ``Y = fft(A @ B, axis=-1)`` with cuBLASDx and cuFFTDx in the same block.

Per block one problem: A (32 x 32) times B (32 x 64), complex64, then a 64-point FFT of
each of the 32 rows of the product. The GEMM (``nvmath.device.Matmul``, tensor API, register
accumulator) leaves C in shared memory, row ``r`` at ``r * 64``; the FFT
(``nvmath.device.FFT``, 32 FFTs per block) takes row ``threadIdx.y`` into registers (element
``threadIdx.x + i * fft.stride``), transforms it with the shared memory of A and B as its
workspace, and stores it. The GEMM is built with the FFT's block shape, so one launch serves
both; the product never goes to global memory.

Checked against NumPy (complex128); on a GPU timed against CuPy's ``einsum`` + ``fft``
(target: 4x faster); without a GPU it runs in Numba's CUDA simulator.

Run: ``python examples/kernels/gemm_fft.py``
"""

import _common
import numpy as np
from numba import cuda, types

from nvmath.device import FFT, Matmul, copy, copy_wait, make_tensor

M, N, K = 32, 64, 32  # A: M x K, B: K x N; FFTs of length N over the M rows
ROW_MAJOR = ("row_major", "row_major", "row_major")


def make_descriptors(sm=None):
    """``(MM, fft)``: the complex64 GEMM and the forward 64-point FFT (M per block), one block shape."""
    fft = FFT(N, np.float32, "c2c", "Block", direction="forward", ffts_per_block=M, elements_per_thread=8, sm=sm)
    MM = Matmul(
        (M, N, K),
        np.float32,
        "complex",
        sm=sm,
        block_dim=tuple(fft.block_dim),
        arrangement=ROW_MAJOR,
        alignment=(16, 16, 16),
    )
    return MM, fft


def smem_offsets(MM, fft):
    """``(b_offset, c_offset, total)`` in complex64 elements of dynamic shared memory."""
    a = MM.suggest_layout_smem_a().storage_bytes // 8
    b = MM.suggest_layout_smem_b().storage_bytes // 8
    a, b = -(-a // 2) * 2, -(-b // 2) * 2  # 16-byte multiples
    total = max(a + b + MM.c_size, fft.shared_memory_size // 8)
    return a, a + b, total


def make_kernel(MM, fft):
    """``kernel[batch, fft.block_dim, 0, 8 * smem_offsets(MM, fft)[2]](a, b, y)``: flat complex64 arrays."""
    b_offset, c_offset, _ = smem_offsets(MM, fft)
    a_size, b_size = MM.a_size, MM.b_size
    n, ept, stride = fft.size, fft.elements_per_thread, fft.stride

    @cuda.jit
    def kernel(a, b, y):
        smem = cuda.shared.array(0, MM.a_value_type)  # complex64, also the FFT's value_type
        block = cuda.blockIdx.x
        sa = make_tensor(smem[:b_offset], MM.suggest_layout_smem_a())
        sb = make_tensor(smem[b_offset:c_offset], MM.suggest_layout_smem_b())
        copy(make_tensor(a[block * a_size : (block + 1) * a_size], MM.get_layout_gmem_a()), sa)
        copy(make_tensor(b[block * b_size : (block + 1) * b_size], MM.get_layout_gmem_b()), sb)
        copy_wait()
        acc = MM.suggest_accumulator()
        acc.clear()
        MM.execute(sa, sb, acc)
        sc = smem[c_offset : c_offset + MM.c_size]
        acc.partition_and_copy(acc.get_results(), make_tensor(sc, MM.get_layout_smem_c()))
        cuda.syncthreads()
        thread_data = cuda.local.array(fft.storage_size, fft.value_type)
        row = cuda.threadIdx.y  # FFT j of the block is row j of C
        for i in range(ept):
            thread_data[i] = sc[row * n + cuda.threadIdx.x + i * stride]
        cuda.syncthreads()  # every row is in registers: the FFT may reuse the shared memory
        fft.execute(thread_data, smem)
        out = (block * M + row) * n
        for i in range(ept):
            y[out + cuda.threadIdx.x + i * stride] = thread_data[i]

    return kernel


ARGTYPES = [types.complex64[::1]] * 3


def compile_targets(sm=90):
    """``{name: (kernel, argtypes)}`` of this example's kernels (tests compile them for ``sm``)."""
    return {"gemm_fft": (make_kernel(*make_descriptors(sm)), ARGTYPES)}


def main():
    MM, fft = make_descriptors(_common.sm())
    assert MM.leading_dimension.c == N and fft.ffts_per_block == M
    kernel = make_kernel(MM, fft)
    batch = 1 << 14 if _common.ON_GPU else 2
    rng = np.random.default_rng()
    a = _common.random(rng, (batch, M, K), np.complex64, complex_=True)
    b = _common.random(rng, (batch, K, N), np.complex64, complex_=True)
    ref = np.fft.fft(a.astype(np.complex128) @ b, axis=-1)
    d_a, d_b = cuda.to_device(a.ravel()), cuda.to_device(b.ravel())
    d_y = cuda.to_device(np.full(batch * M * N, np.nan, np.complex64))  # poisoned
    launch = kernel[batch, fft.block_dim, 0, 8 * smem_offsets(MM, fft)[2]]
    launch(d_a, d_b, d_y)
    _common.check(
        f"{M}x{N}x{K} complex64 GEMM + {N}-point FFT in one kernel", d_y.copy_to_host().reshape(batch, M, N), ref, 1e-5
    )
    if _common.ON_GPU:
        import cupy

        ca, cb = cupy.asarray(a), cupy.asarray(b)
        _common.compare_with(
            f"{batch} x ({M}x{K} @ {K}x{N} complex64, then FFT of the rows)",
            lambda: launch(d_a, d_b, d_y),
            "CuPy einsum + fft",
            lambda: cupy.fft.fft(cupy.einsum("bij,bjk->bik", ca, cb), axis=-1),
        )


if __name__ == "__main__":
    main()
