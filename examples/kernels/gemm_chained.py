"""Two chained GEMMs in one kernel: ``D = (A @ B) @ E``, the intermediate never leaving shared memory.

Two descriptors share the block: ``MM1`` computes ``C = A @ B`` into a row-major C, which is
exactly the row-major A operand of ``MM2`` (same leading dimension), so ``MM2.execute`` reads
the shared array ``MM1`` wrote. Both use the same block shape (one launch configuration).

Checked against NumPy (float64); on a GPU timed against two ``cupy.matmul`` calls; without a
GPU it runs in Numba's CUDA simulator.

Run: ``python examples/kernels/gemm_chained.py``
"""

import _common
import numpy as np
from numba import cuda, types

from nvmath.device import Matmul

M, N, K, P = 32, 32, 32, 64  # A: M x K, B: K x N, E: N x P, D: M x P
ALL_ROW_MAJOR = ("row_major", "row_major", "row_major")


def make_matmuls(sm=None):
    """``(MM1, MM2)``: fp32 ``C = A @ B`` and ``D = C @ E``, all row-major, 128 threads each."""
    mm1 = Matmul((M, N, K), np.float32, sm=sm, block_size=128, arrangement=ALL_ROW_MAJOR)
    mm2 = Matmul((M, P, N), np.float32, sm=sm, block_size=128, arrangement=ALL_ROW_MAJOR)
    assert mm1.leading_dimension.c == mm2.leading_dimension.a and mm1.block_dim == mm2.block_dim
    return mm1, mm2


def make_kernel(mm1, mm2):
    """``kernel[batch, mm1.block_dim](a, b, e, d)``: flat C-ordered arrays, one chain per block."""
    threads = mm1.block_size

    @cuda.jit
    def kernel(a, b, e, d):
        sa = cuda.shared.array(mm1.a_size, mm1.a_value_type)
        sb = cuda.shared.array(mm1.b_size, mm1.b_value_type)
        sc = cuda.shared.array(mm1.c_size, mm1.c_value_type)  # C of MM1 = A of MM2
        se = cuda.shared.array(mm2.b_size, mm2.b_value_type)
        sd = cuda.shared.array(mm2.c_size, mm2.c_value_type)
        t, block = cuda.threadIdx.x, cuda.blockIdx.x
        for i in range(t, mm1.a_size, threads):
            sa[i] = a[block * mm1.a_size + i]
        for i in range(t, mm1.b_size, threads):
            sb[i] = b[block * mm1.b_size + i]
        for i in range(t, mm2.b_size, threads):
            se[i] = e[block * mm2.b_size + i]
        for i in range(t, mm1.c_size, threads):  # C must hold numbers even with beta = 0 (0 * NaN is NaN)
            sc[i] = 0.0
        for i in range(t, mm2.c_size, threads):
            sd[i] = 0.0
        cuda.syncthreads()
        mm1.execute(1.0, sa, sb, 0.0, sc)
        cuda.syncthreads()
        mm2.execute(1.0, sc, se, 0.0, sd)
        cuda.syncthreads()
        for i in range(t, mm2.c_size, threads):
            d[block * mm2.c_size + i] = sd[i]

    return kernel


ARGTYPES = [types.float32[::1]] * 4


def compile_targets(sm=90):
    """``{name: (kernel, argtypes)}`` of this example's kernels (tests compile them for ``sm``)."""
    return {"chained": (make_kernel(*make_matmuls(sm)), ARGTYPES)}


def main():
    mm1, mm2 = make_matmuls(_common.sm())
    kernel = make_kernel(mm1, mm2)
    batch = 1 << 15 if _common.ON_GPU else 2
    rng = np.random.default_rng()
    a, b, e = (_common.random(rng, (batch, *s), np.float32) for s in ((M, K), (K, N), (N, P)))
    ref = (a.astype(np.float64) @ b) @ e
    d_a, d_b, d_e = (cuda.to_device(x.ravel()) for x in (a, b, e))
    d_d = cuda.to_device(np.full(batch * M * P, np.nan, np.float32))  # poisoned
    kernel[batch, mm1.block_dim](d_a, d_b, d_e, d_d)
    _common.check(
        f"chained fp32 GEMMs ({M}x{K} @ {K}x{N}) @ {N}x{P}", d_d.copy_to_host().reshape(batch, M, P), ref, 1e-5
    )
    if _common.ON_GPU:
        import cupy

        ca, cb, ce = cupy.asarray(a), cupy.asarray(b), cupy.asarray(e)
        _common.compare_with(
            f"{batch} chained fp32 GEMMs D = (A B) E",
            lambda: kernel[batch, mm1.block_dim](d_a, d_b, d_e, d_d),
            "2 x cupy.matmul",
            lambda: cupy.matmul(cupy.matmul(ca, cb), ce),
        )


if __name__ == "__main__":
    main()
