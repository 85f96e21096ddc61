"""Batched small GEMMs: 2^16 fp16 products of 32 x 32 x 32 matrices, several per block, against ``torch.bmm``.

Each block takes ``PER_BLOCK`` consecutive GEMMs of the batch. It first issues the
asynchronous copies of all their A and B matrices from global into shared memory
(:func:`nvmath.device.copy` in cuBLASDx's suggested layouts, 16-byte vector accesses, one
:func:`nvmath.device.copy_wait`), so that the loads of several GEMMs are in flight at once,
then runs the GEMMs one after the other into register accumulators and stores each C straight
from registers (``acc.partition_and_copy``). A small-GEMM batch is memory bound: the loads in
flight per SM are what decide the speed.

All matrices are row-major and unpadded, so the same ``(batch, 32, 32)`` PyTorch tensors feed
the kernel and ``torch.bmm``. C is fp16 as ``torch.bmm``'s result; cuBLASDx accumulates in C's
precision (fp16), ``torch.bmm`` in fp32 (both far within fp16's 1e-2 class).

Checked against NumPy (float64 of the fp16 inputs); on a GPU timed against ``torch.bmm``
(target: 1.2x faster); without a GPU a few GEMMs run in Numba's CUDA simulator.

Run: ``python examples/kernels/gemm_batched.py``
"""

import _common
import numpy as np
from numba import cuda, types

from nvmath.device import Matmul, copy, copy_wait, make_tensor

SIZE = (32, 32, 32)  # m, n, k
BATCH = 1 << 16
PER_BLOCK = 4  # GEMMs per block
BLOCK_SIZE = 128
ROW_MAJOR = ("row_major", "row_major", "row_major")


def make_matmul(sm=None, block_size=BLOCK_SIZE, size=SIZE, precision=np.float16):
    """The GEMM: fp16, all row-major (torch's layout), 16-byte aligned for vectorized copies."""
    return Matmul(size, precision, "real", sm=sm, block_size=block_size, arrangement=ROW_MAJOR, alignment=(16, 16, 16))


def smem_layout(MM):
    """``(elements of A's slot, elements of B's slot)`` in shared memory: suggested layouts, 16-byte multiples."""

    def slot(layout, element_bytes):
        return -(-layout.storage_bytes // 16) * 16 // element_bytes

    return slot(MM.suggest_layout_smem_a(), MM.element_bytes("a")), slot(
        MM.suggest_layout_smem_b(), MM.element_bytes("b")
    )


def shared_memory_bytes(MM, per_block=PER_BLOCK):
    """Dynamic shared memory of one block of :func:`make_kernel`."""
    a_slot, b_slot = smem_layout(MM)
    return per_block * (a_slot * MM.element_bytes("a") + b_slot * MM.element_bytes("b"))


def make_kernel(MM, per_block=PER_BLOCK):
    """``kernel[batch // per_block, MM.block_dim, 0, shared_memory_bytes(MM)](a, b, c)``.

    ``a``, ``b``, ``c``: flat arrays of ``batch`` row-major matrices (``batch`` a multiple of
    ``per_block``).
    """
    a_slot, b_slot = smem_layout(MM)
    slot = a_slot + b_slot
    a_size, b_size, c_size = MM.a_size, MM.b_size, MM.c_size
    dtype = MM.a_value_type

    @cuda.jit
    def kernel(a, b, c):
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
            i = first + g
            sa = make_tensor(smem[g * slot : g * slot + a_slot], MM.suggest_layout_smem_a())
            sb = make_tensor(smem[g * slot + a_slot : (g + 1) * slot], MM.suggest_layout_smem_b())
            acc = MM.suggest_accumulator()
            acc.clear()
            MM.execute(sa, sb, acc)
            acc.partition_and_copy(
                acc.get_results(), make_tensor(c[i * c_size : (i + 1) * c_size], MM.get_layout_gmem_c())
            )

    return kernel


ARGTYPES = [types.float16[::1]] * 3


def compile_targets(sm=90):
    """``{name: (kernel, argtypes)}`` of this example's kernels (tests compile them for ``sm``)."""
    return {"batched": (make_kernel(make_matmul(sm)), ARGTYPES)}


def make_problem(batch, rng, size=SIZE):
    """Random fp16 A ``(batch, m, k)`` and B ``(batch, k, n)``."""
    m, n, k = size
    return _common.random(rng, (batch, m, k), np.float16), _common.random(rng, (batch, k, n), np.float16)


def check(name, c, a, b):
    """Check a ``(batch, m, n)`` fp16 result against NumPy float64."""
    _common.check(name, c.astype(np.float64), a.astype(np.float64) @ b.astype(np.float64), 1e-2)


def main():
    MM = make_matmul(_common.sm())
    kernel = make_kernel(MM)
    batch = BATCH if _common.ON_GPU else 2 * PER_BLOCK
    m, n, k = SIZE
    a, b = make_problem(batch, np.random.default_rng())
    grid, smem = batch // PER_BLOCK, shared_memory_bytes(MM)
    if not _common.ON_GPU:
        c = cuda.to_device(np.full(batch * m * n, np.nan, np.float16))
        kernel[grid, MM.block_dim, 0, smem](cuda.to_device(a.ravel()), cuda.to_device(b.ravel()), c)
        check(f"{batch} x {SIZE} fp16 batched GEMM", c.copy_to_host().reshape(batch, m, n), a, b)
        return
    import torch

    ta, tb = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()
    tc = torch.full((batch, m, n), float("nan"), dtype=torch.float16, device="cuda")  # poisoned
    da, db, dc = (cuda.as_cuda_array(t.view(-1)) for t in (ta, tb, tc))  # views, no copies
    launch = kernel[grid, MM.block_dim, 0, smem]
    launch(da, db, dc)
    check(f"{batch} x {SIZE} fp16 batched GEMM", tc.cpu().numpy(), a, b)
    out = torch.empty_like(tc)
    check("torch.bmm", torch.bmm(ta, tb).cpu().numpy(), a, b)
    _common.compare_with(
        f"{batch} x {SIZE} fp16 batched GEMM ({PER_BLOCK} per block, {MM.block_size} threads)",
        lambda: launch(da, db, dc),
        "torch.bmm",
        lambda: torch.bmm(ta, tb, out=out),
        warmup_s=1.0,
        repeat=200,
    )


if __name__ == "__main__":
    main()
