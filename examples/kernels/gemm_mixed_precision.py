"""Mixed precision: fp16 and bfloat16 inputs accumulated into fp32 C, by a precision triple ``(a, b, c)``.

``Matmul(size, (np.float16, np.float16, np.float32))`` multiplies half-precision A and B into
a single-precision C. The bfloat16 GEMM's global arrays carry the bfloat16 bits as ``uint16``
(NumPy, CuPy and Numba have no bfloat16 arrays): the tensor API (:func:`nvmath.device.copy`
from ``make_tensor(bits, MM.get_layout_gmem_a())`` into shared memory) moves the bits without
converting them, and ``MM.execute`` takes shared ``uint16`` arrays as bfloat16.

Checked against NumPy (float64 of the rounded inputs); on a GPU timed against ``torch.bmm``
(fp16 in, fp16 out; bf16 in, bf16 out); without a GPU it runs in Numba's CUDA simulator.

Run: ``python examples/kernels/gemm_mixed_precision.py``
"""

import functools

import _common
import ml_dtypes
import numpy as np
from numba import cuda, types

from nvmath.device import Matmul, copy, copy_wait, make_tensor

SIZE = (64, 64, 64)  # m, n, k


def make_matmuls(sm=None):
    """``{"fp16": MM, "bf16": MM}``: half-precision A and B, fp32 C, 128 threads each."""
    return {
        "fp16": Matmul(SIZE, (np.float16, np.float16, np.float32), sm=sm, block_size=128),
        "bf16": Matmul(SIZE, ("bfloat16", "bfloat16", np.float32), sm=sm, block_size=128),
    }


def make_fp16_kernel(MM):
    """``kernel[batch, MM.block_dim](a, b, c)``: fp16 a and b, fp32 c, one matrix per block (default layouts)."""

    @cuda.jit
    def kernel(a, b, c):
        sa = cuda.shared.array(MM.a_size, MM.a_value_type)
        sb = cuda.shared.array(MM.b_size, MM.b_value_type)
        sc = cuda.shared.array(MM.c_size, MM.c_value_type)
        t, block = cuda.threadIdx.x, cuda.blockIdx.x
        for i in range(t, MM.a_size, MM.block_size):
            sa[i] = a[block * MM.a_size + i]
        for i in range(t, MM.b_size, MM.block_size):
            sb[i] = b[block * MM.b_size + i]
        for i in range(t, MM.c_size, MM.block_size):
            sc[i] = 0.0  # C must hold numbers even with beta = 0 (0 * NaN is NaN)
        cuda.syncthreads()
        MM.execute(1.0, sa, sb, 0.0, sc)
        cuda.syncthreads()
        for i in range(t, MM.c_size, MM.block_size):
            c[block * MM.c_size + i] = sc[i]

    return kernel


def make_bf16_kernel(MM):
    """``kernel[batch, MM.block_dim](a_bits, b_bits, c)``: bfloat16 bits as uint16, fp32 c."""

    @cuda.jit
    def kernel(a_bits, b_bits, c):
        sa = cuda.shared.array(MM.a_size, np.uint16)  # bfloat16 bits
        sb = cuda.shared.array(MM.b_size, np.uint16)
        sc = cuda.shared.array(MM.c_size, MM.c_value_type)
        block = cuda.blockIdx.x
        ga = make_tensor(a_bits[block * MM.a_size : (block + 1) * MM.a_size], MM.get_layout_gmem_a())
        gb = make_tensor(b_bits[block * MM.b_size : (block + 1) * MM.b_size], MM.get_layout_gmem_b())
        copy(ga, make_tensor(sa, MM.get_layout_smem_a()))
        copy(gb, make_tensor(sb, MM.get_layout_smem_b()))
        for i in range(cuda.threadIdx.x, MM.c_size, MM.block_size):
            sc[i] = 0.0  # C must hold numbers even with beta = 0
        copy_wait()  # also a barrier of the block: the zeros are visible after it
        MM.execute(1.0, sa, sb, 0.0, sc)
        cuda.syncthreads()
        for i in range(cuda.threadIdx.x, MM.c_size, MM.block_size):
            c[block * MM.c_size + i] = sc[i]

    return kernel


def compile_targets(sm=90):
    """``{name: (kernel, argtypes)}`` of this example's kernels (tests compile them for ``sm``)."""
    mms = make_matmuls(sm)
    f32 = types.float32[::1]
    return {
        "fp16": (make_fp16_kernel(mms["fp16"]), [types.float16[::1], types.float16[::1], f32]),
        "bf16": (make_bf16_kernel(mms["bf16"]), [types.uint16[::1], types.uint16[::1], f32]),
    }


def main():
    mms = make_matmuls(_common.sm())
    kernels = {"fp16": make_fp16_kernel(mms["fp16"]), "bf16": make_bf16_kernel(mms["bf16"])}
    batch = 1 << 14 if _common.ON_GPU else 2
    rng = np.random.default_rng()
    m, n, k = SIZE
    for name, dtype in (("fp16", np.float16), ("bf16", ml_dtypes.bfloat16)):
        MM, kernel = mms[name], kernels[name]
        a = _common.random(rng, (batch, m, k), dtype)
        b = _common.random(rng, (batch, k, n), dtype)
        ref = a.astype(np.float64) @ b.astype(np.float64)
        fa = _common.pack(a, MM.arrangement.a, MM.leading_dimension.a).ravel()
        fb = _common.pack(b, MM.arrangement.b, MM.leading_dimension.b).ravel()
        if name == "bf16":
            fa, fb = fa.view(np.uint16), fb.view(np.uint16)
        d_a, d_b = cuda.to_device(fa), cuda.to_device(fb)
        d_c = cuda.to_device(np.full(batch * MM.c_size, np.nan, np.float32))
        kernel[batch, MM.block_dim](d_a, d_b, d_c)
        result = _common.unpack(d_c.copy_to_host().reshape(batch, -1), m, n, MM.arrangement.c, MM.leading_dimension.c)
        # exact half-precision products accumulated in fp32: far closer than half precision
        _common.check(f"{SIZE} {name} x {name} -> fp32 GEMM", result, ref, 1e-4)
        if _common.ON_GPU:
            import torch

            torch_dtype = torch.float16 if name == "fp16" else torch.bfloat16
            ta = torch.tensor(a.astype(np.float32), device="cuda").to(torch_dtype)
            tb = torch.tensor(b.astype(np.float32), device="cuda").to(torch_dtype)
            _common.compare_with(
                f"{batch} x {SIZE} {name} GEMM (nvmath: fp32 C)",
                functools.partial(kernel[batch, MM.block_dim], d_a, d_b, d_c),
                "torch.bmm",
                functools.partial(torch.bmm, ta, tb),
            )


if __name__ == "__main__":
    main()
