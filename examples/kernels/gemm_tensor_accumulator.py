"""Tensor API with a register accumulator: ``D = alpha * A @ B + beta * C`` with C kept in registers.

The kernel views global memory through layouts (``make_tensor(a, MM.get_layout_gmem_a())``),
copies A and B into shared memory in cuBLASDx's suggested (swizzled, conflict-free) layouts
(:func:`nvmath.device.copy`, asynchronous: :func:`nvmath.device.copy_wait`), multiplies into a
register accumulator (``MM.suggest_accumulator()``, ``MM.execute(A, B, acc)``), loads this
thread's part of C straight into registers (``acc.make_partition_and_copy``), combines them
with :func:`nvmath.device.axpby` and writes the result back (``acc.partition_and_copy``):
C never touches shared memory.

Checked against NumPy (float64); on a GPU timed against ``cupy.matmul``; without a GPU it runs
in Numba's CUDA simulator.

Run: ``python examples/kernels/gemm_tensor_accumulator.py``
"""

import _common
import numpy as np
from numba import cuda, types

from nvmath.device import Matmul, axpby, copy, copy_wait, make_tensor

SIZE = (64, 64, 64)  # m, n, k


def make_matmul(sm=None):
    """The GEMM: fp32, default arrangements (A row-major, B and C column-major), 128 threads, 16-byte alignment."""
    return Matmul(SIZE, np.float32, "real", sm=sm, block_size=128, alignment=(16, 16, 16))


def smem_elements(MM):
    """Elements of the suggested shared-memory layouts of A and B (what the shared arrays must hold)."""
    return (
        MM.suggest_layout_smem_a().storage_bytes // MM.element_bytes("a"),
        MM.suggest_layout_smem_b().storage_bytes // MM.element_bytes("b"),
    )


def make_kernel(MM):
    """``kernel[batch, MM.block_dim, 0, smem_bytes](a, b, c, d, alpha, beta)``: flat arrays, one GEMM per block.

    A and B live in dynamic shared memory (16-byte aligned, as the copies' alignment promises).
    """
    a_smem, b_smem = smem_elements(MM)

    @cuda.jit
    def kernel(a, b, c, d, alpha, beta):
        block = cuda.blockIdx.x
        smem = cuda.shared.array(0, MM.a_value_type)  # A and B share one element type here
        sa = make_tensor(smem[:a_smem], MM.suggest_layout_smem_a())
        sb = make_tensor(smem[a_smem : a_smem + b_smem], MM.suggest_layout_smem_b())
        copy(make_tensor(a[block * MM.a_size : (block + 1) * MM.a_size], MM.get_layout_gmem_a()), sa)
        copy(make_tensor(b[block * MM.b_size : (block + 1) * MM.b_size], MM.get_layout_gmem_b()), sb)
        copy_wait()
        acc = MM.suggest_accumulator()
        acc.clear()
        MM.execute(sa, sb, acc)
        c_part = acc.make_partition_and_copy(
            make_tensor(c[block * MM.c_size : (block + 1) * MM.c_size], MM.get_layout_gmem_c())
        )
        axpby(alpha, acc.get_results(), beta, c_part)  # c_part = alpha * (A @ B) + beta * c_part
        acc.partition_and_copy(
            c_part, make_tensor(d[block * MM.c_size : (block + 1) * MM.c_size], MM.get_layout_gmem_c())
        )

    return kernel


ARGTYPES = [types.float32[::1]] * 4 + [types.float32] * 2


def compile_targets(sm=90):
    """``{name: (kernel, argtypes)}`` of this example's kernels (tests compile them for ``sm``)."""
    return {"tensor_accumulator": (make_kernel(make_matmul(sm)), ARGTYPES)}


def main():
    MM = make_matmul(_common.sm())
    kernel = make_kernel(MM)
    smem_bytes = 4 * sum(smem_elements(MM))
    batch = 1 << 14 if _common.ON_GPU else 2
    rng = np.random.default_rng()
    m, n, k = SIZE
    a, b, c = (_common.random(rng, (batch, *s), np.float32) for s in ((m, k), (k, n), (m, n)))
    alpha, beta = np.float32(2.0), np.float32(-1.0)
    ref = alpha * (a.astype(np.float64) @ b) + beta * c.astype(np.float64)
    arr, ld = MM.arrangement, MM.leading_dimension
    d_a, d_b, d_c = (cuda.to_device(_common.pack(x, arr[i], ld[i]).ravel()) for i, x in enumerate((a, b, c)))
    d_d = cuda.to_device(np.full(batch * MM.c_size, np.nan, np.float32))  # poisoned
    launch = kernel[batch, MM.block_dim, 0, smem_bytes]
    launch(d_a, d_b, d_c, d_d, alpha, beta)
    result = _common.unpack(d_d.copy_to_host().reshape(batch, -1), m, n, arr.c, ld.c)
    _common.check(f"{SIZE} fp32 GEMM, tensor API + register accumulator", result, ref, 1e-5)
    if _common.ON_GPU:
        import cupy

        ca, cb, cc = cupy.asarray(a), cupy.asarray(b), cupy.asarray(c)
        _common.compare_with(
            f"{batch} x {SIZE} fp32 D = alpha A B + beta C (tensor API)",
            lambda: launch(d_a, d_b, d_c, d_d, alpha, beta),
            "cupy.matmul",
            lambda: alpha * cupy.matmul(ca, cb) + beta * cc,
        )


if __name__ == "__main__":
    main()
