"""GEMM + bias + ReLU fused in one kernel: ``C = relu(A @ B + bias)`` for 2^16 fp16 32 x 32 x 32 GEMMs.

The batched kernel of ``gemm_batched.py`` with an epilogue before the store: each GEMM's
register accumulator goes to a shared-memory tile (``acc.partition_and_copy`` into
``MM.get_layout_smem_c()``, row-major), where the threads add the bias of each row and cut
negative values to zero on the way to global memory (coalesced stores); C crosses global
memory once. ``torch`` needs ``bmm``, an add and a ReLU (three kernels, C written and read
again twice). The bias is per row of C (per output feature of ``C = A @ B``), shared by the
batch.

Checked against NumPy (float64 of the fp16 inputs); on a GPU timed against torch's unfused
``torch.relu(torch.bmm(a, b) + bias[:, None])`` (target: 2x faster); without a GPU a few GEMMs
run in Numba's CUDA simulator.

Run: ``python examples/kernels/gemm_bias_relu.py``
"""

import _common
import gemm_batched as batched
import numpy as np
from numba import cuda, float32, types

from nvmath.device import copy, copy_wait, make_tensor


def shared_memory_bytes(MM, per_block=batched.PER_BLOCK):
    """Dynamic shared memory of one block of :func:`make_kernel`: A, B and a C tile per GEMM."""
    return batched.shared_memory_bytes(MM, per_block) + per_block * MM.c_size * MM.element_bytes("c")


def make_kernel(MM, per_block=batched.PER_BLOCK):
    """``kernel[batch // per_block, MM.block_dim, 0, shared_memory_bytes(MM)](a, b, bias, c)``.

    ``a``, ``b``, ``c``: flat arrays of row-major matrices; ``bias``: ``m`` values.
    """
    a_slot, b_slot = batched.smem_layout(MM)
    slot = a_slot + b_slot
    c_base = per_block * slot  # the C tiles follow the A and B slots
    a_size, b_size, c_size = MM.a_size, MM.b_size, MM.c_size
    ldc, threads = MM.leading_dimension.c, MM.block_size
    dtype = MM.a_value_type
    zero = np.float32(0)

    @cuda.jit
    def kernel(a, b, bias, c):
        smem = cuda.shared.array(0, dtype)
        first = cuda.blockIdx.x * per_block
        for g in range(per_block):
            i = first + g
            sa = make_tensor(smem[g * slot : g * slot + a_slot], MM.suggest_layout_smem_a())
            sb = make_tensor(smem[g * slot + a_slot : (g + 1) * slot], MM.suggest_layout_smem_b())
            copy(make_tensor(a[i * a_size : (i + 1) * a_size], MM.get_layout_gmem_a()), sa)
            copy(make_tensor(b[i * b_size : (i + 1) * b_size], MM.get_layout_gmem_b()), sb)
        copy_wait()
        for g in range(per_block):
            sa = make_tensor(smem[g * slot : g * slot + a_slot], MM.suggest_layout_smem_a())
            sb = make_tensor(smem[g * slot + a_slot : (g + 1) * slot], MM.suggest_layout_smem_b())
            acc = MM.suggest_accumulator()
            acc.clear()
            MM.execute(sa, sb, acc)
            tile = smem[c_base + g * c_size : c_base + (g + 1) * c_size]
            acc.partition_and_copy(acc.get_results(), make_tensor(tile, MM.get_layout_smem_c()))
        cuda.syncthreads()
        out = c[first * c_size : (first + per_block) * c_size]
        tiles = smem[c_base : c_base + per_block * c_size]
        for j in range(cuda.threadIdx.x, per_block * c_size, threads):  # the epilogue
            # row-major C: row = offset // ldc. fp32 arithmetic: numba-cuda's fp16 comparisons do
            # not pass NVVM's verifier (ERROR_INVALID_IR); the store rounds to fp16.
            value = float32(tiles[j]) + float32(bias[(j % c_size) // ldc])
            out[j] = max(value, zero)

    return kernel


ARGTYPES = [types.float16[::1]] * 4


def compile_targets(sm=90):
    """``{name: (kernel, argtypes)}`` of this example's kernels (tests compile them for ``sm``)."""
    return {"bias_relu": (make_kernel(batched.make_matmul(sm)), ARGTYPES)}


def reference(a, b, bias):
    """``relu(a @ b + bias[:, None])`` in float64."""
    return np.maximum(a.astype(np.float64) @ b.astype(np.float64) + bias.astype(np.float64)[:, None], 0)


def main():
    MM = batched.make_matmul(_common.sm())
    kernel = make_kernel(MM)
    per_block = batched.PER_BLOCK
    batch = batched.BATCH if _common.ON_GPU else 2 * per_block
    m, n, k = MM.size
    rng = np.random.default_rng()
    a, b = batched.make_problem(batch, rng)
    bias = _common.random(rng, m, np.float16)
    ref = reference(a, b, bias)
    grid, smem = batch // per_block, shared_memory_bytes(MM)
    title = f"{batch} x {MM.size} fp16 GEMM + bias + ReLU"
    if not _common.ON_GPU:
        c = cuda.to_device(np.full(batch * m * n, np.nan, np.float16))
        kernel[grid, MM.block_dim, 0, smem](*(cuda.to_device(x.ravel()) for x in (a, b, bias)), c)
        _common.check(title, c.copy_to_host().reshape(batch, m, n).astype(np.float64), ref, 1e-2)
        return
    import torch

    ta, tb, tbias = (torch.from_numpy(x).cuda() for x in (a, b, bias))
    tc = torch.full((batch, m, n), float("nan"), dtype=torch.float16, device="cuda")  # poisoned
    da, db, dbias, dc = (cuda.as_cuda_array(t.view(-1)) for t in (ta, tb, tbias, tc))
    launch = kernel[grid, MM.block_dim, 0, smem]
    launch(da, db, dbias, dc)
    _common.check(f"{title}, fused", tc.cpu().numpy().astype(np.float64), ref, 1e-2)

    def unfused():
        return torch.relu(torch.bmm(ta, tb) + tbias[:, None])

    _common.check("torch unfused", unfused().cpu().numpy().astype(np.float64), ref, 1e-2)
    _common.compare_with(
        title, lambda: launch(da, db, dbias, dc), "torch bmm + bias + relu", unfused, warmup_s=1.0, repeat=200
    )


if __name__ == "__main__":
    main()
