"""Runtime leading dimensions: one compiled kernel serves padded matrices whose strides arrive as arguments.

``MM.execute(alpha, sa, lda, sb, ldb, beta, sc, ldc)`` takes the leading dimensions at run
time: the shared arrays are sized for the largest ones (``MAX_LD``) and the matrices keep
their padded global layout in shared memory. The same kernel runs twice, with two sets of
leading dimensions, without recompiling.

The results are checked against NumPy (float64); on a GPU the kernel is timed against
``cupy.matmul`` on the padded views; without a GPU it runs in Numba's CUDA simulator.

Run: ``python examples/kernels/gemm_runtime_ld.py``
"""

import _common
import numpy as np
from numba import cuda, types

from nvmath.device import Matmul

SIZE = (32, 32, 32)  # m, n, k
MAX_LD = 48  # the largest leading dimension the kernel's shared arrays hold


def make_matmul(sm=None):
    """The GEMM: fp64 A row-major, B and C column-major (the defaults), 128 threads."""
    return Matmul(SIZE, np.float64, "real", sm=sm, block_size=128)


def make_kernel(MM):
    """``kernel[batch, MM.block_dim](a, lda, b, ldb, c, ldc)``: flat arrays, one padded matrix per block."""
    m, n, k = MM.size
    # row-major A: m rows of lda; column-major B: n columns of ldb; column-major C: n columns of ldc
    a_cap, b_cap, c_cap = m * MAX_LD, n * MAX_LD, n * MAX_LD

    @cuda.jit
    def kernel(a, lda, b, ldb, c, ldc):
        sa = cuda.shared.array(a_cap, MM.a_value_type)
        sb = cuda.shared.array(b_cap, MM.b_value_type)
        sc = cuda.shared.array(c_cap, MM.c_value_type)
        t, block = cuda.threadIdx.x, cuda.blockIdx.x
        a_size, b_size, c_size = m * lda, n * ldb, n * ldc
        for i in range(t, a_size, MM.block_size):
            sa[i] = a[block * a_size + i]
        for i in range(t, b_size, MM.block_size):
            sb[i] = b[block * b_size + i]
        for i in range(t, c_size, MM.block_size):
            sc[i] = 0.0  # C must hold numbers even with beta = 0 (0 * NaN is NaN)
        cuda.syncthreads()
        MM.execute(1.0, sa, lda, sb, ldb, 0.0, sc, ldc)
        cuda.syncthreads()
        for i in range(t, c_size, MM.block_size):
            c[block * c_size + i] = sc[i]

    return kernel


ARGTYPES = [types.float64[::1], types.int32] * 3


def compile_targets(sm=90):
    """``{name: (kernel, argtypes)}`` of this example's kernels (tests compile them for ``sm``)."""
    return {"runtime_ld": (make_kernel(make_matmul(sm)), ARGTYPES)}


def run(MM, kernel, batch, lds, rng):
    """Run one batch with leading dimensions ``lds``; return (device arrays, ref, launch)."""
    m, n, k = MM.size
    a = _common.random(rng, (batch, m, k), np.float64)
    b = _common.random(rng, (batch, k, n), np.float64)
    lda, ldb, ldc = lds
    d_a = cuda.to_device(_common.pack(a, "row_major", lda).ravel())
    d_b = cuda.to_device(_common.pack(b, "col_major", ldb).ravel())
    d_c = cuda.to_device(np.full(batch * n * ldc, np.nan))  # poisoned: every element must be written

    def launch():
        kernel[batch, MM.block_dim](d_a, np.int32(lda), d_b, np.int32(ldb), d_c, np.int32(ldc))

    launch()
    result = _common.unpack(d_c.copy_to_host().reshape(batch, -1), m, n, "col_major", ldc)
    _common.check(f"{MM.size} fp64 GEMM, runtime ld {lds}", result, a @ b, 1e-12)
    return (a, b), launch


def main():
    MM = make_matmul(_common.sm())
    kernel = make_kernel(MM)
    batch = 1 << 14 if _common.ON_GPU else 2
    rng = np.random.default_rng()
    run(MM, kernel, batch, (40, 36, 48), rng)
    (a, b), launch = run(MM, kernel, batch, (MAX_LD, MAX_LD, 34), rng)
    if _common.ON_GPU:
        import cupy

        ca, cb = cupy.asarray(a), cupy.asarray(b)
        _common.compare_with(
            f"{batch} x {MM.size} fp64 GEMM, runtime leading dimensions",
            launch,
            "cupy.matmul",
            lambda: cupy.matmul(ca, cb),
        )


if __name__ == "__main__":
    main()
