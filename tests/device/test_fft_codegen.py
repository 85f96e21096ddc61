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
    return types.Array({np.float16: types.float16, np.float32: types.float32, np.float64: types.float64}[precision],
                       2, "C")


CASES = [
    ("c2c-512-f32-block-register", dict(size=512, precision=np.float32, fft_type="c2c", execution="Block",
                                        direction="forward", ffts_per_block="suggested"), "register"),
    ("c2c-512-f32-block-shared", dict(size=512, precision=np.float32, fft_type="c2c", execution="Block",
                                      direction="forward", ffts_per_block="suggested"), "shared"),
    ("r2c-128-f64-block", dict(size=128, precision=np.float64, fft_type="r2c", execution="Block", ffts_per_block=2),
     "register"),
    ("c2r-64-f16-block", dict(size=64, precision=np.float16, fft_type="c2r", execution="Block"), "register"),
    ("c2c-16-f32-thread", dict(size=16, precision=np.float32, fft_type="c2c", execution="Thread",
                               direction="inverse"), "register"),
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
    from nvmath.device.lto import fft as backend

    fft = FFT(512, np.float32, "c2c", "Block", direction="forward", ffts_per_block="suggested", sm=90)
    symbol, data = fft.ltoir("register")
    assert symbol.startswith("nvmath_cufftdx_c2c_512_f32_register_") and len(data) > 1000
    backend._futures.clear()  # forget the in-memory copy: the disk cache answers now
    assert fft.ltoir("register") == (symbol, data)


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


@pytest.mark.parametrize("factory, message", [
    (bad_dtype_kernel, "argument 0 must be a 1-D array of complex64, got array(complex128"),
    (bad_rank_kernel, "must be a 1-D array of complex64, got array(complex64, 2d"),
])
def test_wrong_arguments_are_typing_errors_that_say_what_is_expected(factory, message):
    fft = FFT(64, np.float32, "c2c", "Block", direction="forward", sm=90)
    with pytest.raises(TypingError) as info:
        compile_kernel(factory(fft), [types.float32[::1]], cc=(9, 0))
    assert message in str(info.value) and "fft.execute(thread_data, smem)" in str(info.value)


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
