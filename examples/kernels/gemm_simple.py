"""Simple GEMM with the shared-memory API: ``C = alpha * A @ B + beta * C`` by one block per matrix.

Each block loads its A (32 x 64, row-major), B (64 x 16, column-major) and C (32 x 16,
column-major) into shared memory, calls ``MM.execute(alpha, sa, sb, beta, sc)`` (cuBLASDx,
fully inlined into the kernel) and writes C back. The shared arrays hold the matrices in
cuBLASDx's default layouts (``MM.a_size`` elements, leading dimensions ``MM.leading_dimension``).

The result is checked against NumPy (float64); on a GPU the batched kernel is timed against
``cupy.matmul``; without a GPU it runs in Numba's CUDA simulator.

Run: ``python examples/kernels/gemm_simple.py``
"""

import _common
import numpy as np
from numba import cuda, types

from nvmath.device import Matmul

SIZE = (32, 16, 64)  # m, n, k


def make_matmul(sm=None):
    """The GEMM: fp32, 64 threads per block."""
    return Matmul(SIZE, np.float32, "real", sm=sm, block_size=64)


def make_kernel(MM):
    """``kernel[batch, MM.block_dim](a, b, c, alpha, beta)``: ``a``, ``b``, ``c`` hold one matrix per block."""

    @cuda.jit
    def kernel(a, b, c, alpha, beta):
        sa = cuda.shared.array(MM.a_size, MM.a_value_type)
        sb = cuda.shared.array(MM.b_size, MM.b_value_type)
        sc = cuda.shared.array(MM.c_size, MM.c_value_type)
        t, block = cuda.threadIdx.x, cuda.blockIdx.x
        for i in range(t, MM.a_size, MM.block_size):
            sa[i] = a[block * MM.a_size + i]
        for i in range(t, MM.b_size, MM.block_size):
            sb[i] = b[block * MM.b_size + i]
        for i in range(t, MM.c_size, MM.block_size):
            sc[i] = c[block * MM.c_size + i]
        cuda.syncthreads()
        MM.execute(alpha, sa, sb, beta, sc)
        cuda.syncthreads()
        for i in range(t, MM.c_size, MM.block_size):
            c[block * MM.c_size + i] = sc[i]

    return kernel


ARGTYPES = [types.float32[::1]] * 3 + [types.float32] * 2


def compile_targets(sm=90):
    """``{name: (kernel, argtypes)}`` of this example's kernels (tests compile them for ``sm``)."""
    MM = make_matmul(sm)
    return {"smem": (make_kernel(MM), ARGTYPES)}


def make_problem(MM, batch, rng):
    """Random A, B, C ``(batch, rows, cols)`` and their flat cuBLASDx layouts."""
    m, n, k = MM.size
    a, b, c = (_common.random(rng, (batch, *shape), np.float32) for shape in ((m, k), (k, n), (m, n)))
    ld, arr = MM.leading_dimension, MM.arrangement
    flat = [_common.pack(x, arr[i], ld[i]).ravel() for i, x in enumerate((a, b, c))]
    return (a, b, c), flat


def main():
    MM = make_matmul(_common.sm())
    kernel = make_kernel(MM)
    batch = 1 << 16 if _common.ON_GPU else 2
    rng = np.random.default_rng()
    (a, b, c), (fa, fb, fc) = make_problem(MM, batch, rng)
    alpha, beta = np.float32(1.5), np.float32(-0.5)
    ref = alpha * (a.astype(np.float64) @ b) + beta * c.astype(np.float64)
    d_a, d_b, d_c = cuda.to_device(fa), cuda.to_device(fb), cuda.to_device(fc)
    kernel[batch, MM.block_dim](d_a, d_b, d_c, alpha, beta)
    m, n, _ = MM.size
    result = _common.unpack(d_c.copy_to_host().reshape(batch, -1), m, n, MM.arrangement.c, MM.leading_dimension.c)
    _common.check(f"{MM.size} fp32 GEMM, shared-memory API", result, ref, 1e-5)
    if _common.ON_GPU:
        import cupy

        ca, cb, cc = cupy.asarray(a), cupy.asarray(b), cupy.asarray(c)
        _common.compare_with(
            f"{batch} x {MM.size} fp32 C = alpha A B + beta C",
            lambda: kernel[batch, MM.block_dim](d_a, d_b, d_c, alpha, beta),
            "cupy.matmul",
            lambda: alpha * cupy.matmul(ca, cb) + beta * cc,
        )


if __name__ == "__main__":
    main()
