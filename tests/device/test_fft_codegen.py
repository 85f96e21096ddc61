"""Code generation and linking (CPU, no GPU): cuFFTDx LTO-IR linked into sm_90 cubins.

Each descriptor costs 4-8 s of libmathdx code generation the first time (then the disk
cache answers), so only a handful are built here; the large grid runs on the GPU
(test_fft_gpu.py).
"""

import numpy as np
import pytest
from numba import cuda
from numba.core.errors import TypingError
from numba.cuda import types

from nvmath.device import FFT
from nvmath.device.extern import compile_kernel
from tests.device import fft_kernels

pytestmark = pytest.mark.slow


def array2d(precision):
    return types.Array(
        {np.float16: types.float16, np.float32: types.float32, np.float64: types.float64}[precision], 2, "C"
    )


C2C_512 = dict(
    size=512, precision=np.float32, fft_type="c2c", execution="Block", direction="forward", ffts_per_block="suggested"
)
CASES = [
    ("c2c-512-f32-block-register", C2C_512, "register"),
    ("c2c-512-f32-block-shared", C2C_512, "shared"),
    (
        "r2c-128-f64-block",
        dict(size=128, precision=np.float64, fft_type="r2c", execution="Block", ffts_per_block=2),
        "register",
    ),
    ("c2r-64-f16-block", dict(size=64, precision=np.float16, fft_type="c2r", execution="Block"), "register"),
    (
        "c2c-16-f32-thread",
        dict(size=16, precision=np.float32, fft_type="c2c", execution="Thread", direction="inverse"),
        "register",
    ),
    # the kernels of the folded and real shared-memory API tests (simulator and GPU)
    (
        "r2c-128-f32-block-folded",
        dict(
            size=128,
            precision=np.float32,
            fft_type="r2c",
            execution="Block",
            ffts_per_block=2,
            real_fft_options={"real_mode": "folded"},
        ),
        "register",
    ),
    (
        "c2r-512-f16-block-folded",
        dict(
            size=512, precision=np.float16, fft_type="c2r", execution="Block", real_fft_options={"real_mode": "folded"}
        ),
        "register",
    ),
    (
        "r2c-64-f64-block-shared",
        dict(size=64, precision=np.float64, fft_type="r2c", execution="Block", ffts_per_block=2),
        "shared",
    ),
    ("c2r-128-f16-block-shared", dict(size=128, precision=np.float16, fft_type="c2r", execution="Block"), "shared"),
]


@pytest.mark.parametrize("name, kwargs, api", CASES, ids=[c[0] for c in CASES])
def test_kernel_links_fully_inlined(name, kwargs, api):
    fft = FFT(**kwargs, sm=90)
    if fft.execution == "Thread":
        kernel = fft_kernels.thread_kernel(fft)
    elif api == "register":
        kernel = fft_kernels.block_register_kernel(fft)
    else:
        kernel = fft_kernels.block_shared_kernel(fft)
    compiled = compile_kernel(kernel, [array2d(fft.precision)] * 2, cc=(9, 0))
    assert compiled.cubin[:4] == b"\x7fELF"
    assert compiled.sass_counts() == {"CALL": 0, "LDL": 0, "STL": 0}
    (usage,) = compiled.resource_usage().values()
    assert usage["LOCAL"] == 0 and usage["STACK"] == 0
    assert len(compiled.cubin) < 512 * 1024  # unused twiddle tables were stripped


def test_ltoir_is_generated_once_and_cached():
    from nvmath.device.lto import mathdx

    fft = FFT(512, np.float32, "c2c", "Block", direction="forward", ffts_per_block="suggested", sm=90)
    symbol, data = fft.ltoir("register")
    assert symbol.startswith("nvmath_cufftdx_c2c_512_f32_register_") and len(data) > 1000
    mathdx.forget_generated()  # forget the in-memory copy: the disk cache answers now
    assert fft.ltoir("register") == (symbol, data)


def test_background_generation_runs_here_first_then_in_a_worker_process(monkeypatch, tmp_path):
    from nvmath.device.lto import mathdx

    monkeypatch.setenv("NVMATH_CACHE_DIR", str(tmp_path))  # an empty cache: both are generated
    monkeypatch.setenv("NVMATH_CODEGEN_WORKERS", "4")
    monkeypatch.setattr(mathdx, "_futures", {})
    in_workers = []
    build_in_worker = mathdx._build_in_worker
    monkeypatch.setattr(
        mathdx, "_build_in_worker", lambda request: in_workers.append(request.description) or build_in_worker(request)
    )
    first = FFT(8, np.float32, "c2c", "Thread", direction="forward", sm=90)
    second = FFT(16, np.float32, "c2c", "Thread", direction="forward", sm=90)

    def kernel(inp, out):  # typing meets first.execute, then second.execute
        data = cuda.local.array(second.storage_size, second.value_type)
        for i in range(second.storage_size):
            data[i] = inp[i]
        first.execute(data)
        second.execute(data)
        for i in range(second.storage_size):
            out[i] = data[i]

    compiled = compile_kernel(kernel, [types.complex64[::1]] * 2, cc=(9, 0))
    assert in_workers == [second._description]  # the in-process slot was taken by the first
    symbols = [name for name in compiled.linked if name.startswith("nvmath_cufftdx_")]
    assert sorted(symbols) == sorted([first.ltoir()[0], second.ltoir()[0]])  # the worker's code links
    assert compiled.sass_counts() == {"CALL": 0, "LDL": 0, "STL": 0}


def bad_dtype_kernel(fft):
    def kernel(out):
        thread_data = cuda.local.array(fft.storage_size, np.complex128)
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(thread_data, smem)

    return kernel


def bad_rank_kernel(fft):
    def kernel(out):
        thread_data = cuda.local.array((fft.storage_size, 1), fft.value_type)
        fft.execute(thread_data)

    return kernel


@pytest.mark.parametrize(
    "factory, message",
    [
        (bad_dtype_kernel, "argument 0 must be a 1-D array of complex64, got array(complex128"),
        (bad_rank_kernel, "must be a 1-D array of complex64, got array(complex64, 2d"),
    ],
)
def test_wrong_arguments_are_typing_errors_that_say_what_is_expected(factory, message):
    fft = FFT(64, np.float32, "c2c", "Block", direction="forward", sm=90)
    with pytest.raises(TypingError) as info:
        compile_kernel(factory(fft), [types.float32[::1]], cc=(9, 0))
    assert message in str(info.value) and "fft.execute(thread_data, smem)" in str(info.value)


VECTOR_CLASSES = ["float16x2", "float16x4", "float32x2", "float64x2"]


@pytest.mark.parametrize("name", VECTOR_CLASSES)
def test_vector_classes_are_dtypes_of_local_and_shared_arrays(name):
    import nvmath.device as nd

    cls = getattr(nd, name)
    base = {"float16": types.float16, "float32": types.float32, "float64": types.float64}[cls.base_dtype.name]

    def kernel(out):
        regs = cuda.local.array(4, cls)
        smem = cuda.shared.array(0, cls)
        fixed = cuda.shared.array((2, 3), cls)
        i = cuda.threadIdx.x
        regs[i % 4] = smem[i]
        fixed[0, i % 3] = regs[(i + 1) % 4]
        smem[i + 1] = fixed[0, (i + 1) % 3]
        out[2 * i] = smem[i + 1].x  # copies only: fp16 arithmetic would need numba's fp16 library
        out[2 * i + 1] = smem[i].y

    compiled = compile_kernel(kernel, [types.Array(base, 1, "C")], cc=(9, 0))
    assert compiled.cubin[:4] == b"\x7fELF"


def test_fp16_fft_with_the_float16x4_class_as_dtype():
    from nvmath.device import float16x4

    fft = FFT(128, np.float16, "c2c", "Block", direction="forward", sm=90)

    def kernel(out):
        thread_data = cuda.local.array(fft.storage_size, float16x4)  # the class, not fft.value_type
        smem = cuda.shared.array(0, float16x4)
        for i in range(fft.storage_size):
            thread_data[i] = float16x4(out[i], out[i], out[i], out[i])
        fft.execute(thread_data, smem)
        for i in range(fft.storage_size):
            out[2 * i] = thread_data[i].x
            out[2 * i + 1] = thread_data[i].w

    compiled = compile_kernel(kernel, [types.float16[::1]], cc=(9, 0))
    assert compiled.sass_counts() == {"CALL": 0, "LDL": 0, "STL": 0}


def test_wrong_vector_class_as_dtype_is_a_clear_typing_error():
    from nvmath.device import float16x2

    fft = FFT(128, np.float16, "c2c", "Block", direction="forward", sm=90)

    def kernel(out):
        thread_data = cuda.local.array(fft.storage_size, float16x2)  # fp16 complex is float16x4
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(thread_data, smem)

    with pytest.raises(TypingError) as info:
        compile_kernel(kernel, [types.float16[::1]], cc=(9, 0))
    message = str(info.value)
    assert "argument 0 must be a 1-D array of float16x4, got array(float16x2, 1d, C)" in message
    assert "cuda.local.array(fft.storage_size, fft.value_type)" in message


def test_non_dtype_is_still_rejected_by_local_array():
    from nvmath.device import to_complex

    def kernel(out):
        regs = cuda.local.array(4, to_complex)
        out[0] = regs[0]

    with pytest.raises(TypingError, match=r"local\.array|array\("):
        compile_kernel(kernel, [types.float32[::1]], cc=(9, 0))


def test_thread_execute_with_smem_is_a_typing_error():
    fft = FFT(8, np.float32, "c2c", "Thread", direction="forward", sm=90)

    def kernel(out):
        thread_data = cuda.local.array(fft.storage_size, fft.value_type)
        fft.execute(thread_data, thread_data)

    with pytest.raises(TypingError, match=r"fft.execute\(thread_data\)"):
        compile_kernel(kernel, [types.float32[::1]], cc=(9, 0))


def test_traits_are_constants_in_kernels():
    fft = FFT(256, np.float64, "c2c", "Block", direction="inverse", elements_per_thread=8, ffts_per_block=3, sm=90)

    def kernel(out):
        smem = cuda.shared.array(0, fft.value_type)  # noqa: F841
        regs = cuda.local.array(fft.storage_size, fft.value_type)
        regs[0] = 0
        out[0] = fft.size + fft.stride + fft.block_dim.y + fft.shared_memory_size + fft.ffts_per_block + regs[0].real
        out[1] = fft.elements_per_thread + fft.implicit_type_batching + fft.block_dim.x + fft.storage_size

    compiled = compile_kernel(kernel, [types.float64[::1]], cc=(9, 0))
    assert compiled.sass_counts()["CALL"] == 0


def test_fused_convolution_kernel_is_fully_inlined():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "kernels" / "fused_convolution.py"
    spec = importlib.util.spec_from_file_location("fused_convolution_example", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    forward, inverse = example.make_ffts(sm=90)
    kernel = example.make_kernel(forward, inverse)
    compiled = compile_kernel(kernel, [types.complex64[:, ::1], types.complex64[::1]], cc=(9, 0))
    assert compiled.sass_counts() == {"CALL": 0, "LDL": 0, "STL": 0}
    (usage,) = compiled.resource_usage().values()
    assert usage["LOCAL"] == 0 and usage["REG"] <= 128
    # the inverse runs the forward function between real/imaginary swaps: one cuFFTDx function linked
    fft_symbols = [name for name in compiled.linked if name.startswith("nvmath_cufftdx_")]
    assert fft_symbols == [forward.ltoir("register")[0]]
