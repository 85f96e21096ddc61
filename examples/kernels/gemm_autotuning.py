"""Autotuning: sweep the block dims ``Matmul.valid('block_dim')`` offers for the batched fp16 GEMM, keep the fastest.

The kernel is ``gemm_batched.py``'s (2^16 GEMMs of 32 x 32 x 32, several per block). Each
candidate block size from ``MM.valid('block_dim')`` (whole warps cuBLASDx accepts; a subset
of them here, see ``BLOCK_SIZES``) is combined with a few GEMMs-per-block counts; each
candidate is checked against NumPy before it is timed, and the table ends with the fastest
and ``torch.bmm`` for reference. Without a GPU two candidates are only checked, in the
simulator.

Run: ``python examples/kernels/gemm_autotuning.py``
"""

import _common
import gemm_batched as batched
import numpy as np
from numba import cuda

BLOCK_SIZES = (32, 64, 128, 256)  # the candidates tried, among MM.valid('block_dim')
PER_BLOCK = (2, 4, 8)


def candidates(sm=None, block_sizes=BLOCK_SIZES, per_block=PER_BLOCK):
    """``[(block_size, per_block)]``: the swept block sizes that cuBLASDx lists as valid, times ``per_block``."""
    base = batched.make_matmul(sm)
    valid = [dims[0].x for dims in base.valid("block_dim") if dims[0].y == dims[0].z == 1]
    return [(size, g) for size in valid if size in block_sizes for g in per_block]


def build(block_size, per_block, sm=None):
    """``(MM, kernel, shared memory bytes)`` of one candidate."""
    MM = batched.make_matmul(sm, block_size=block_size)
    return MM, batched.make_kernel(MM, per_block), batched.shared_memory_bytes(MM, per_block)


def compile_targets(sm=90):
    """``{name: (kernel, argtypes)}``: two candidates of the sweep (tests compile them for ``sm``)."""
    targets = {}
    for block_size, per_block in ((64, 2), (256, 8)):
        _, kernel, _ = build(block_size, per_block, sm)
        targets[f"{block_size}_threads_{per_block}_per_block"] = (kernel, batched.ARGTYPES)
    return targets


def main():
    sm = _common.sm()
    if _common.ON_GPU:
        sweep, batch = candidates(sm), batched.BATCH
    else:
        sweep, batch = [(64, 2), (128, 4)], 8
    m, n, _ = batched.SIZE
    a, b = batched.make_problem(batch, np.random.default_rng())
    if _common.ON_GPU:
        import torch

        from benchmarks.timing import print_table, time_gpu

        ta, tb = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()
        tc = torch.empty((batch, m, n), dtype=torch.float16, device="cuda")
        da, db, dc = (cuda.as_cuda_array(t.view(-1)) for t in (ta, tb, tc))
    else:
        da, db = cuda.to_device(a.ravel()), cuda.to_device(b.ravel())
        dc = cuda.to_device(np.empty(batch * m * n, np.float16))
    rows = []
    for block_size, per_block in sweep:
        MM, kernel, smem = build(block_size, per_block, sm)
        launch = kernel[batch // per_block, MM.block_dim, 0, smem]
        if _common.ON_GPU:  # poisoned: every element must be written
            tc.fill_(float("nan"))
        else:
            dc.copy_to_device(np.full(batch * m * n, np.nan, np.float16))
        launch(da, db, dc)
        name = f"{block_size} threads, {per_block} GEMMs per block"
        batched.check(name, dc.copy_to_host().reshape(batch, m, n), a, b)
        if _common.ON_GPU:
            rows.append((name, time_gpu(lambda launch=launch: launch(da, db, dc), warmup_s=0.5, repeat=100)))
    if _common.ON_GPU:
        out = torch.empty_like(tc)
        rows.sort(key=lambda row: row[1].median_ms)
        rows.append(("torch.bmm", time_gpu(lambda: torch.bmm(ta, tb, out=out), warmup_s=0.5, repeat=100)))
        print_table(
            f"{batch} x {batched.SIZE} fp16 batched GEMM: candidates, fastest first", rows, baseline="torch.bmm"
        )
        print(f"fastest: {rows[0][0]}")


if __name__ == "__main__":
    main()
