"""Kernels shared by the code-generation, simulator and GPU tests of nvmath.device.Matmul.

Each factory returns the plain Python function: wrap it in ``cuda.jit`` to launch it (GPU or
simulator) or give it to :func:`nvmath.device.extern.compile_kernel` to link it without a GPU.
The block's threads are numbered ``threadIdx.x + blockDim.x * threadIdx.y``, so 1-D and 2-D
block dims both work.
"""

from numba import cuda


def smem_kernel(MM):
    """``kernel(a, b, c, alpha, beta)``: A, B, C copied to shared memory, ``MM.execute``, C copied back."""

    def kernel(a, b, c, alpha, beta):
        sa = cuda.shared.array(MM.a_size, MM.a_value_type)
        sb = cuda.shared.array(MM.b_size, MM.b_value_type)
        sc = cuda.shared.array(MM.c_size, MM.c_value_type)
        t = cuda.threadIdx.x + cuda.blockDim.x * cuda.threadIdx.y
        for i in range(t, MM.a_size, MM.block_size):
            sa[i] = a[i]
        for i in range(t, MM.b_size, MM.block_size):
            sb[i] = b[i]
        for i in range(t, MM.c_size, MM.block_size):
            sc[i] = c[i]
        cuda.syncthreads()
        MM.execute(alpha, sa, sb, beta, sc)
        cuda.syncthreads()
        for i in range(t, MM.c_size, MM.block_size):
            c[i] = sc[i]

    return kernel


def dynamic_ld_sizes(MM, lda, ldb, ldc) -> tuple[int, int, int]:
    """Elements of A, B, C stored with leading dimensions ``lda``, ``ldb``, ``ldc`` in MM's arrangement."""

    def size(which, ld):
        rows, cols = {"a": MM.a_dim, "b": MM.b_dim, "c": MM.c_dim}[which]
        return ld * (cols if getattr(MM.arrangement, which) == "col_major" else rows)

    return size("a", lda), size("b", ldb), size("c", ldc)


def dynamic_ld_kernel(MM, lda, ldb, ldc):
    """``kernel(a, b, c, alpha, beta)`` with the runtime-leading-dimension ``MM.execute``."""
    a_size, b_size, c_size = dynamic_ld_sizes(MM, lda, ldb, ldc)

    def kernel(a, b, c, alpha, beta):
        sa = cuda.shared.array(a_size, MM.a_value_type)
        sb = cuda.shared.array(b_size, MM.b_value_type)
        sc = cuda.shared.array(c_size, MM.c_value_type)
        t = cuda.threadIdx.x + cuda.blockDim.x * cuda.threadIdx.y
        for i in range(t, a_size, MM.block_size):
            sa[i] = a[i]
        for i in range(t, b_size, MM.block_size):
            sb[i] = b[i]
        for i in range(t, c_size, MM.block_size):
            sc[i] = c[i]
        cuda.syncthreads()
        MM.execute(alpha, sa, lda, sb, ldb, beta, sc, ldc)
        cuda.syncthreads()
        for i in range(t, c_size, MM.block_size):
            c[i] = sc[i]

    return kernel
