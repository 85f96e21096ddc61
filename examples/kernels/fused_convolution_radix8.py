"""Fused 512-point convolution from three radix-8 passes with bank-conflict-free exchanges.

The same problem as fused_convolution.py (load -> FFT -> filter -> inverse FFT -> store, in
place), with the 512-point FFT written out as 8 x 8 x 8 instead of a cuFFTDx Block FFT. On the
H200 the cuFFTDx kernel is bound by the shared-memory pipe (Nsight: L1 94.6% busy, 49% of its
shared-memory wavefronts bank conflicts, inside cuFFTDx's exchanges); this kernel's padded
exchanges have none. H200, 1 GiB: 0.58-0.65 ms against 0.70 ms for the cuFFTDx kernel, the
copy floor 0.506 ms and CuPy 2.30 ms (docs/PERF_NOTES.md, issue 13). It needs no code
generation, so its first launch is only Numba's compile.

Per row of a (batch, 512) complex64 array, in place: forward FFT -> multiply by ``filt`` ->
inverse FFT (``filt`` already holds response / 512). One row = 64 threads (threadIdx.x), F rows
per block (threadIdx.y); each thread holds 8 complex64 values in registers.

Decomposition (W_N = exp(-2 pi i / N)), with n = a + 64 j, a = a0 + 8 a1, k = k0 + 8 k1 + 64 k2:

    X[k] = sum_a0 W8^(a0 k2) * W64^(a0 k1) * sum_a1 W8^(a1 k1) * W512^(a k0) * sum_j W8^(j k0) x[a + 64 j]

  pass 1  thread t = a           holds x[t + 64 j], j = 0..7  -> DFT8 over j  -> * W512^(t k0)
  exch 1  (buffer A)             thread t = a0 + 8 k0 gets y[a0 + 8 a1, k0], a1 = 0..7
  pass 2                         DFT8 over a1 -> * W64^(a0 k1)
  exch 2  (buffer B)             thread t = k0 + 8 k1 gets z[a0; k0, k1], a0 = 0..7
  pass 3                         DFT8 over a0 -> thread t holds X[t + 64 k2], k2 = 0..7

So the forward FFT leaves the spectrum in natural order, in the same thread/register layout
as the input: the filter is indexed ``filt[t + 64 j]`` and the inverse (same transform, by
ifft(x) = swap(fft(swap(x))), swap(z) = z.imag + i z.real, unnormalized) starts right away
without an exchange. The swaps are folded into the filter multiply and the final store
(register renaming, no instructions). 4 exchanges and 4 __syncthreads in all.

Shared memory (per row, complex64 words; 8-byte accesses). A warp's 64-bit shared accesses are
served one half-warp (16 threads) at a time; 32 banks of 4 bytes = 16 "8-byte banks", so a
half-warp is conflict-free iff its 16 word addresses are distinct mod 16. A row's 64 threads
are 2 whole warps (threadIdx.x is the fastest index, 64 = 2 x 32), so the row base offset is
common to each half-warp and only the offsets below matter.

  buffer A (exchange 1): word(a, k0) = 72 k0 + a            (rows of 64 padded to 72, 72 = 8 mod 16)
      store (fixed k0, 16 consecutive a):      72 k0 + a: 16 consecutive words            -> distinct
      load  (fixed a1, t = a0 + 8 k0: a0 = 0..7, k0 in {2m, 2m+1}):
            72 k0 + a0 + 8 a1 = 8 k0 + a0 + 8 a1 (mod 16): the two k0 differ by 8, a0 covers 8 -> distinct
  buffer B (exchange 2): word(a0, v) = 66 a0 + v, v = k0 + 8 k1 (rows of 64 padded to 66, 66 = 2 mod 16)
      store (fixed k1, t = a0 + 8 k0: a0 = 0..7, k0 in {2m, 2m+1}):
            66 a0 + k0 + 8 k1 = 2 a0 + k0 + 8 k1 (mod 16): 2 a0 even 0..14, k0 adds {c, c+1}   -> distinct
      load  (fixed a0, 16 consecutive v):      16 consecutive words                       -> distinct
  A holds 7*72 + 64 = 568 words, B 7*66 + 64 = 526: 1094 words = 8752 bytes per row.
Two buffers so that each exchange needs one barrier: the write of exchange e+1 goes to the other
buffer than the reads of exchange e, and the barrier of exchange e+1 orders the write of
exchange e+2 (same buffer as e) after everybody's reads of e.

8-point DFTs: written by hand (two DFT4 and a radix-2 step: 52 real adds + 4 multiplies, see _dft8);
a cuFFTDx Thread FFT(8) in their place (``use_cufftdx=True``)
measured 0.647 against 0.592 ms.
Twiddles: one libdevice sincospif per pass (W512^t, W64^a0), powers by complex multiplication;
the inverse reuses them (same forward transform).

Run: ``python examples/kernels/fused_convolution_radix8.py`` (checks against NumPy; the simulator
without a GPU); ``--sass`` prints the SASS report of the sm_90 build (no GPU needed).
"""

import math
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

if __name__ == "__main__" and "--sass" not in sys.argv:
    from nvmath._gpu import gpu_count

    if gpu_count() == 0:
        os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")  # no GPU: the check runs in the simulator

import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba import cuda  # noqa: E402

from nvmath.device import load_aligned, store_aligned  # noqa: E402
from nvmath.device.common import simulator_enabled  # noqa: E402

SIM = simulator_enabled()
SIZE = 512
THREADS = 64  # per row
STRIDE_A = 72  # = 8 mod 16 (see the module docstring)
STRIDE_B = 66  # = 2 mod 16
WORDS_A = 7 * STRIDE_A + THREADS  # 568
OFF_B = WORDS_A
ROW_WORDS = WORDS_A + 7 * STRIDE_B + THREADS  # 1094 complex64 per row

f32 = np.float32
R2 = np.float32(0.70710678118654752)
INV256 = np.float32(1.0 / 256.0)
INV32 = np.float32(1.0 / 32.0)

if SIM:
    _device = cuda.jit(device=True)

    def _sincospi(x):
        return f32(math.sin(math.pi * float(x))), f32(math.cos(math.pi * float(x)))

else:
    from numba.cuda import libdevice

    _device = cuda.jit(device=True, forceinline=True)

    @_device
    def _sincospi(x):
        return libdevice.sincospif(x)


@_device
def c64(re, im):
    # complex(float32, float32) is complex128 in Numba; the fpext/fptrunc pair folds away.
    return np.complex64(complex(re, im))


@_device
def _dft4(a, b, c, d):
    t0 = a + c
    t1 = a - c
    t2 = b + d
    t3 = b - d
    mt3 = c64(t3.imag, -t3.real)  # -i * t3
    return t0 + t2, t1 + mt3, t0 - t2, t1 - mt3


@_device
def _dft8(x):
    """In place forward 8-point DFT of x[0..7]: two DFT4 (even, odd) and a radix-2 step."""
    e0, e1, e2, e3 = _dft4(x[0], x[2], x[4], x[6])
    o0, o1, o2, o3 = _dft4(x[1], x[3], x[5], x[7])
    x[0] = e0 + o0
    x[4] = e0 - o0
    t = c64((o1.real + o1.imag) * R2, (o1.imag - o1.real) * R2)  # W8 * o1
    x[1] = e1 + t
    x[5] = e1 - t
    t = c64(o2.imag, -o2.real)  # W8^2 * o2 = -i o2
    x[2] = e2 + t
    x[6] = e2 - t
    t = c64((o3.imag - o3.real) * R2, -(o3.real + o3.imag) * R2)  # W8^3 * o3
    x[3] = e3 + t
    x[7] = e3 - t


@_device
def _twiddle(x, w):
    """x[k] *= w**k, k = 1..7 (powers by complex multiplication, depth <= 3)."""
    w2 = w * w
    w3 = w2 * w
    w4 = w2 * w2
    x[1] = x[1] * w
    x[2] = x[2] * w2
    x[3] = x[3] * w3
    x[4] = x[4] * w4
    x[5] = x[5] * (w4 * w)
    x[6] = x[6] * (w3 * w3)
    x[7] = x[7] * (w4 * w3)


def _make_fft512(dft8):
    @_device
    def fft512(x, sm, r, t, a0, k0, w1, w2):
        """Forward 512-point FFT of one row: x[j] = v[t + 64 j] in, x[k2] = V[t + 64 k2] out."""
        dft8(x)  # pass 1: over j
        _twiddle(x, w1)  # W512^(t k0)
        for k in range(8):
            store_aligned(sm, (r, STRIDE_A * k + t), x[k])
        cuda.syncthreads()
        for a1 in range(8):
            x[a1] = load_aligned(sm, (r, STRIDE_A * k0 + a0 + 8 * a1))
        dft8(x)  # pass 2: over a1
        _twiddle(x, w2)  # W64^(a0 k1)
        for k1 in range(8):
            store_aligned(sm, (r, OFF_B + STRIDE_B * a0 + k0 + 8 * k1), x[k1])
        cuda.syncthreads()
        for a in range(8):
            x[a] = load_aligned(sm, (r, OFF_B + STRIDE_B * a + t))
        dft8(x)  # pass 3: over a0

    return fft512


_fft512_hand = _make_fft512(_dft8)


def make_kernel(rows_per_block: int, use_cufftdx: bool = False, recompute_twiddles: bool = False,
                prefetch_filter: bool = False):
    """``kernel[launch_config(batch, rows_per_block)[:2]](data, filt)``: in place on ``data`` (batch, 512).

    use_cufftdx: the 8-point DFTs by cuFFTDx (Thread FFT(8)) instead of by hand.
    recompute_twiddles: the inverse recomputes its twiddles (sincospif(-x)) instead of keeping the
        forward's powers live in registers (LLVM would merge identical expressions).
    prefetch_filter: load the filter at the start (8 more values live through the forward FFT).
    """
    F = int(rows_per_block)
    RECOMPUTE = bool(recompute_twiddles)
    PREFETCH = bool(prefetch_filter)
    if use_cufftdx:
        from nvmath.device import FFT

        fft8 = FFT(8, np.float32, "c2c", "Thread", direction="forward", sm=90)
        assert fft8.storage_size == 8

        @_device
        def dft8(x):
            fft8.execute(x)

        fft512 = _make_fft512(dft8)
    else:
        fft512 = _fft512_hand

    @cuda.jit
    def kernel(data, filt):
        x = cuda.local.array(8, numba.complex64)
        if SIM:
            sm = cuda.shared.array((F, ROW_WORDS), numba.complex64)
        else:
            sm = cuda.shared.array((F, ROW_WORDS), numba.complex64, alignment=16)
        t = cuda.threadIdx.x
        r = cuda.threadIdx.y
        row = cuda.blockIdx.x * F + r
        if row >= data.shape[0]:
            row = data.shape[0] - 1  # every thread joins the barriers; the write is redundant
        for j in range(8):
            x[j] = load_aligned(data, (row, t + THREADS * j))
        h = cuda.local.array(8, numba.complex64)
        if PREFETCH:
            for j in range(8):
                h[j] = load_aligned(filt, t + THREADS * j)
        a0 = t & 7
        k0 = t >> 3
        s, c = _sincospi(f32(t) * INV256)
        w1 = c64(c, -s)  # W512^t
        s, c = _sincospi(f32(a0) * INV32)
        w2 = c64(c, -s)  # W64^a0
        fft512(x, sm, r, t, a0, k0, w1, w2)
        for j in range(8):  # natural order: x[j] = X[t + 64 j]; swap for the inverse
            if PREFETCH:
                z = x[j] * h[j]
            else:
                z = x[j] * load_aligned(filt, t + THREADS * j)
            x[j] = c64(z.imag, z.real)
        if RECOMPUTE:  # sin(-pi x) = -sin(pi x): the same W512^t, W64^a0, but not merged with the above
            s, c = _sincospi(-(f32(t) * INV256))
            w1 = c64(c, s)
            s, c = _sincospi(-(f32(a0) * INV32))
            w2 = c64(c, s)
        fft512(x, sm, r, t, a0, k0, w1, w2)
        for j in range(8):
            z = x[j]
            store_aligned(data, (row, t + THREADS * j), c64(z.imag, z.real))

    return kernel


def launch_config(batch: int, rows_per_block: int):
    """(grid, block_dim, dynamic shared memory bytes); shared memory is static (ROW_WORDS * 8 * F bytes)."""
    return (batch + rows_per_block - 1) // rows_per_block, (THREADS, rows_per_block, 1), 0


def make_problem(batch, seed=0):
    rng = np.random.default_rng(seed)
    data = (rng.standard_normal((batch, SIZE)) + 1j * rng.standard_normal((batch, SIZE))).astype(np.complex64)
    response = (rng.standard_normal(SIZE) + 1j * rng.standard_normal(SIZE)).astype(np.complex64)
    filt = (response / SIZE).astype(np.complex64)
    return data, filt


def reference(data, filt):
    x = data.astype(np.complex128)
    return np.fft.ifft(np.fft.fft(x, axis=-1) * (filt.astype(np.complex128) * SIZE), axis=-1)


def check_bank_conflicts():
    """Replay the kernel's shared-memory word addresses: every 8-byte access instruction, every
    half-warp must touch 16 distinct 8-byte banks (word mod 16); each exchange is a permutation."""
    ts = range(THREADS)
    a0 = [t & 7 for t in ts]
    k0 = [t >> 3 for t in ts]
    patterns = {  # name: (store address(t, i), load address(t, i)); i = the register index
        "exchange 1 (A)": (lambda t, i: STRIDE_A * i + t, lambda t, i: STRIDE_A * k0[t] + a0[t] + 8 * i),
        "exchange 2 (B)": (lambda t, i: OFF_B + STRIDE_B * a0[t] + k0[t] + 8 * i,
                           lambda t, i: OFF_B + STRIDE_B * i + t),
    }
    worst = 1
    for name, (store, load) in patterns.items():
        written = {store(t, i) for t in ts for i in range(8)}
        read = {load(t, i) for t in ts for i in range(8)}
        assert written == read and len(written) == SIZE, name
        for access in (store, load):
            for i in range(8):
                for half in range(THREADS // 16):
                    banks = [access(t, i) % 16 for t in range(16 * half, 16 * half + 16)]
                    worst = max(worst, max(banks.count(b) for b in banks))
    print(f"shared-memory replay: worst bank multiplicity per half-warp = {worst} (1 = conflict-free)")
    assert worst == 1


def main(batch=5, rows=(2, 3, 4), **options):
    import time

    for F in rows:
        kernel = make_kernel(F, **options)
        data, filt = make_problem(batch, seed=F)
        grid, block, smem = launch_config(batch, F)
        out = data.copy()
        start = time.perf_counter()
        kernel[grid, block, 0, smem](out, filt)
        elapsed = time.perf_counter() - start
        ref = reference(data, filt)
        error = np.linalg.norm(out - ref) / np.linalg.norm(ref)
        print(f"F={F}: batch={batch} grid={grid} block={block} smem={ROW_WORDS * 8 * F} B static, "
              f"{'simulator' if SIM else 'GPU'} {elapsed:.1f} s, relative error vs NumPy {error:.2e}")
        assert error < 1e-5, error


def sass_report(rows=(2, 3, 4), **options):
    from nvmath.device.extern import compile_kernel

    argtypes = [numba.types.Array(numba.complex64, 2, "C"), numba.types.Array(numba.complex64, 1, "C")]
    for F in rows:
        compiled = compile_kernel(make_kernel(F, **options), argtypes, cc=(9, 0))
        text = compiled.sass()
        ops = re.findall(r"/\*[0-9a-f]{4,}\*/\s+(?:@!?U?P\w+\s+)?([A-Z][A-Z0-9_]*)((?:\.[A-Z0-9_]+)*)", text)
        count = {}
        for op, suffix in ops:
            count[op] = count.get(op, 0) + 1
            if suffix:
                count[op + suffix] = count.get(op + suffix, 0) + 1
        (usage,) = compiled.resource_usage().values()
        total = len(ops)
        nops = count.get("NOP", 0)
        keys = ["STS", "STS.64", "LDS", "LDS.64", "LDG", "STG", "LDL", "STL", "LD", "ST", "CALL", "BAR",
                "FFMA", "FADD", "FMUL", "MUFU", "BRA", "EXIT"]
        print(f"F={F} ({options or 'hand DFT8'}): "
              f"REG={usage.get('REG')} SHARED={usage.get('SHARED')} LOCAL={usage.get('LOCAL')} "
              f"STACK={usage.get('STACK')}; {total} instructions ({total - nops} without NOP)")
        print("   " + ", ".join(f"{k}={count.get(k, 0)}" for k in keys))
        print("   " + str(compiled.sass_counts()))
        if os.environ.get("CONV888_DUMP"):
            with open(f"/tmp/conv888_F{F}{''.join('_' + k for k, v in options.items() if v)}.sass", "w") as f:
                f.write(text)


if __name__ == "__main__":
    opts = {k: True for k in ("use_cufftdx", "recompute_twiddles", "prefetch_filter")
            if "--" + k.replace("_", "-") in sys.argv}
    if "--sass" in sys.argv:
        sass_report(**opts)
    else:
        check_bank_conflicts()
        main(**opts)
