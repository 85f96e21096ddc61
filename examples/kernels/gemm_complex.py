"""Complex GEMM: ``C = alpha * A @ B + beta * C`` in complex64 with complex alpha and beta.

``Matmul(size, np.float32, "complex")`` makes cuBLASDx's complex GEMM; the value types are
``complex64`` (``MM.a_value_type``), so shared arrays and global arrays hold complex64 and
alpha/beta are complex numbers. All three matrices are row-major here (``arrangement``), so
NumPy's C-ordered arrays go to the kernel as they are.

Checked against NumPy (complex128); on a GPU timed against ``cupy.matmul``; without a GPU it
runs in Numba's CUDA simulator.

Run: ``python examples/kernels/gemm_complex.py``
"""

import _common
import numpy as np
from numba import cuda, types

from nvmath.device import Matmul

SIZE = (32, 32, 32)  # m, n, k
ROW_MAJOR = ("row_major", "row_major", "row_major")


def make_matmul(sm=None):
    """The GEMM: complex64, all row-major, 128 threads."""
    return Matmul(SIZE, np.float32, "complex", sm=sm, block_size=128, arrangement=ROW_MAJOR)


def make_kernel(MM):
    """``kernel[batch, MM.block_dim](a, b, c, alpha, beta)``: C-ordered ``(batch, rows, cols)`` complex64 arrays."""

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


ARGTYPES = [types.complex64[::1]] * 3 + [types.complex64] * 2


def compile_targets(sm=90):
    """``{name: (kernel, argtypes)}`` of this example's kernels (tests compile them for ``sm``)."""
    return {"complex64": (make_kernel(make_matmul(sm)), ARGTYPES)}


def main():
    MM = make_matmul(_common.sm())
    assert MM.leading_dimension == (SIZE[2], SIZE[1], SIZE[1])  # row-major, unpadded: plain C order
    kernel = make_kernel(MM)
    batch = 1 << 15 if _common.ON_GPU else 2
    rng = np.random.default_rng()
    m, n, k = SIZE
    a = _common.random(rng, (batch, m, k), np.complex64, complex_=True)
    b = _common.random(rng, (batch, k, n), np.complex64, complex_=True)
    c = _common.random(rng, (batch, m, n), np.complex64, complex_=True)
    alpha, beta = np.complex64(0.5 + 1j), np.complex64(-0.25 + 0.5j)
    ref = alpha * (a.astype(np.complex128) @ b) + beta * c.astype(np.complex128)
    d_a, d_b, d_c = (cuda.to_device(x.ravel()) for x in (a, b, c))
    kernel[batch, MM.block_dim](d_a, d_b, d_c, alpha, beta)
    _common.check(f"{SIZE} complex64 GEMM", d_c.copy_to_host().reshape(batch, m, n), ref, 1e-5)
    if _common.ON_GPU:
        import cupy

        ca, cb, cc = cupy.asarray(a), cupy.asarray(b), cupy.asarray(c)
        _common.compare_with(
            f"{batch} x {SIZE} complex64 C = alpha A B + beta C",
            lambda: kernel[batch, MM.block_dim](d_a, d_b, d_c, alpha, beta),
            "cupy.matmul",
            lambda: alpha * cupy.matmul(ca, cb) + beta * cc,
        )


if __name__ == "__main__":
    main()
