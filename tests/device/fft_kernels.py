"""Kernels and host helpers shared by the simulator and GPU tests of nvmath.device.FFT.

The kernels move data through the register (or shared) array viewed as scalars, so one
kernel serves c2c/r2c/c2r, real modes normal/folded and fp16 (two transforms per
element)/fp32/fp64. Inputs are fresh random data, outputs are poisoned (NaN) before each
launch, the reference is NumPy in float64.

Host data is one row per transform: ``size`` reals (real side) or interleaved (re, im)
pairs (complex side). A side whose cuFFTDx element type is complex but whose data is real
(``real_mode='folded'``) reads/writes those reals two at a time, which is the folded layout:
complex element ``k`` is ``(x[2k], x[2k + 1])``.
"""

import numpy as np
from numba import cuda

# Real-FFT cases that run both in the simulator (tests/device/sim) and on the GPU
# (tests/device/test_fft_gpu.py): one NumPy reference checks both layouts.
FOLDED_SIZES = [64, 128, 512]
# (precision, ffts_per_block): fp16 carries two transforms per element, so 2 and 4 for it.
REAL_PRECISION_FPB = [
    (p, f) for p in (np.float16, np.float32, np.float64) for f in ([2, 4] if p is np.float16 else [1, 2])
]


REAL_PRECISION_FPB_IDS = [f"{p.__name__}-fpb{f}" for p, f in REAL_PRECISION_FPB]


def scalars_per_element(fft, side):
    """Real numbers per ``input_type``/``output_type`` element of one transform (1 real, 2 complex)."""
    value_type = fft.traits.input_type if side == "in" else fft.traits.output_type
    return 1 if value_type.name.startswith("R_") else 2


def logically_complex(fft, side):
    """Whether the transform's input/output is complex (as np.fft sees it), whatever the mode."""
    return not ((fft.fft_type == "r2c" and side == "in") or (fft.fft_type == "c2r" and side == "out"))


def shared_api_bytes(fft):
    """Shared memory for ``fft.execute(smem)`` data: every row's input (or output), the larger."""
    scalar = np.dtype(fft.precision).itemsize * fft.implicit_type_batching
    per_row = max(
        fft.input_length * scalars_per_element(fft, "in"), fft.output_length * scalars_per_element(fft, "out")
    )
    return fft.block_dim.y * per_row * scalar


def element_movers(fft):
    """Device functions ``put(f, e, inp, row0, k)`` and ``take(out, row0, k, f, e)``.

    They move element ``k`` of rows ``row0 .. row0 + batching - 1`` of the host layout to/from
    element ``e`` of ``f``, the register or shared array viewed as scalars.
    """
    B = fft.implicit_type_batching
    cin, cout = scalars_per_element(fft, "in"), scalars_per_element(fft, "out")

    @cuda.jit(device=True)
    def put(f, e, inp, row0, k):
        for b in range(B):
            if cin == 2:
                f[2 * B * e + b] = inp[row0 + b, 2 * k]
                f[2 * B * e + B + b] = inp[row0 + b, 2 * k + 1]
            else:
                f[B * e + b] = inp[row0 + b, k]

    @cuda.jit(device=True)
    def take(out, row0, k, f, e):
        for b in range(B):
            if cout == 2:
                out[row0 + b, 2 * k] = f[2 * B * e + b]
                out[row0 + b, 2 * k + 1] = f[2 * B * e + B + b]
            else:
                out[row0 + b, k] = f[B * e + b]

    return put, take


def block_register_kernel(fft):
    """Block execution, data in registers: ``fft.execute(thread_data, smem)``."""
    B = fft.implicit_type_batching
    put, take = element_movers(fft)

    @cuda.jit
    def kernel(inp, out):
        thread_data = cuda.local.array(fft.storage_size, fft.value_type)
        smem = cuda.shared.array(0, fft.value_type)
        f = thread_data.view(fft.precision)
        row0 = (cuda.blockIdx.x * fft.block_dim.y + cuda.threadIdx.y) * B
        for i in range(fft.input_elements_per_thread):
            k = cuda.threadIdx.x + i * fft.stride
            if k < fft.input_length:
                put(f, i, inp, row0, k)
        fft.execute(thread_data, smem)
        for i in range(fft.output_elements_per_thread):
            k = cuda.threadIdx.x + i * fft.stride
            if k < fft.output_length:
                take(out, row0, k, f, i)

    return kernel


def block_shared_kernel(fft):
    """Block execution, data in shared memory: ``fft.execute(smem)``.

    Row ``y`` of the block puts its input at ``smem`` element ``y * input_length + k`` (viewed
    as ``input_type``) and finds its output at ``y * output_length + k`` (``output_type``).
    """
    B = fft.implicit_type_batching
    put, take = element_movers(fft)

    @cuda.jit
    def kernel(inp, out):
        smem = cuda.shared.array(0, fft.value_type)
        f = smem.view(fft.precision)
        row = cuda.threadIdx.y
        row0 = (cuda.blockIdx.x * fft.block_dim.y + row) * B
        for i in range(fft.input_elements_per_thread):
            k = cuda.threadIdx.x + i * fft.stride
            if k < fft.input_length:
                put(f, row * fft.input_length + k, inp, row0, k)
        cuda.syncthreads()
        fft.execute(smem)
        cuda.syncthreads()
        for i in range(fft.output_elements_per_thread):
            k = cuda.threadIdx.x + i * fft.stride
            if k < fft.output_length:
                take(out, row0, k, f, row * fft.output_length + k)

    return kernel


def thread_kernel(fft):
    """Thread execution: each thread transforms its own row(s): ``fft.execute(thread_data)``."""
    B = fft.implicit_type_batching
    put, take = element_movers(fft)

    @cuda.jit
    def kernel(inp, out):
        thread_data = cuda.local.array(fft.storage_size, fft.value_type)
        f = thread_data.view(fft.precision)
        row0 = cuda.grid(1) * B
        if row0 >= inp.shape[0]:
            return
        for k in range(fft.input_length):
            put(f, k, inp, row0, k)
        fft.execute(thread_data)
        for k in range(fft.output_length):
            take(out, row0, k, f, k)

    return kernel


def reference(fft, x):
    """float64 NumPy reference of ``fft`` on rows of ``x`` (natural layouts, unnormalized; c2r is
    ``irfft * size``). The real mode does not change the result, only where it sits."""
    n = fft.size
    if fft.fft_type == "c2c":
        return np.fft.fft(x, axis=-1) if fft.direction == "forward" else np.fft.ifft(x, axis=-1, norm="forward")
    if fft.fft_type == "r2c":
        return np.fft.rfft(x, axis=-1)
    return np.fft.irfft(x, n=n, axis=-1, norm="forward")


def random_input(fft, batches, rng):
    """Fresh random input rows (complex128 or float64); c2r input is Hermitian-consistent."""
    n = fft.size
    if fft.fft_type == "r2c":
        return rng.standard_normal((batches, n))
    if fft.fft_type == "c2r":
        return np.fft.rfft(rng.standard_normal((batches, n)), axis=-1)
    return rng.standard_normal((batches, n)) + 1j * rng.standard_normal((batches, n))


def to_scalars(x, precision):
    """Rows of complex (or real) numbers -> rows of interleaved (re, im) scalars of ``precision``."""
    if np.iscomplexobj(x):
        out = np.empty((x.shape[0], 2 * x.shape[1]), dtype=precision)
        out[:, 0::2], out[:, 1::2] = x.real, x.imag
        return out
    return x.astype(precision)


def from_scalars(s, complex_side):
    s = s.astype(np.float64)
    return s[:, 0::2] + 1j * s[:, 1::2] if complex_side else s


def run(fft, kernel_kind="register", batches=None, seed=None, to_device=None):
    """Launch one of the kernels on fresh data; return (relative error, result, reference)."""
    rng = np.random.default_rng(seed)
    if fft.execution == "Thread":
        batches = batches or 4 * fft.implicit_type_batching
        kernel = thread_kernel(fft)
        threads = 32
        rows = batches // fft.implicit_type_batching
        launch = kernel[(rows + threads - 1) // threads, threads]
    else:
        batches = batches or 2 * fft.ffts_per_block
        kernel = block_register_kernel(fft) if kernel_kind == "register" else block_shared_kernel(fft)
        smem = fft.shared_memory_size
        if kernel_kind == "shared":
            smem = max(smem, shared_api_bytes(fft))
        launch = kernel[batches // fft.ffts_per_block, fft.block_dim, 0, smem]
    x = random_input(fft, batches, rng)
    inp = to_scalars(x, fft.precision)
    out = np.full((batches, fft.output_length * scalars_per_element(fft, "out")), np.nan, dtype=fft.precision)
    if to_device is not None:
        d_inp, d_out = to_device(inp), to_device(out)
        launch(d_inp, d_out)
        out = d_out.copy_to_host()
    else:
        launch(inp, out)
    result = from_scalars(out, logically_complex(fft, "out"))
    ref = reference(fft, x)
    error = np.linalg.norm(result - ref) / np.linalg.norm(ref)
    return error, result, ref
