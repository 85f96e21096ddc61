"""nvmath.device.FFT kernels in Numba's CUDA simulator against np.fft (float64 reference).

Fresh random data each run, outputs poisoned with NaN first. Traits are the libmathdx ones.
"""

import numpy as np
import pytest
from numba import cuda  # module level: the simulator swaps it inside kernels

from nvmath.device import FFT, float16x2, float16x4, float32x2, simulator_enabled, to_complex
from tests.device import fft_kernels

assert simulator_enabled(), "run with NUMBA_ENABLE_CUDASIM=1"

TOL = {np.float16: 1e-2, np.float32: 1e-5, np.float64: 1e-12}


def make(size, precision, fft_type, execution, **kw):
    if fft_type == "c2c":
        kw.setdefault("direction", "forward")
    return FFT(size, precision, fft_type, execution, sm=90, **kw)


@pytest.mark.parametrize("precision", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("fft_type, direction", [("c2c", "forward"), ("c2c", "inverse"), ("r2c", None), ("c2r", None)])
@pytest.mark.parametrize("size", [8, 12, 32])
def test_block_register(size, fft_type, direction, precision):
    kw = {"direction": direction} if direction else {}
    fft = make(size, precision, fft_type, "Block", ffts_per_block=2 * (2 if precision is np.float16 else 1), **kw)
    error, result, _ = fft_kernels.run(fft)
    assert np.isfinite(result).all() and error < TOL[precision]


@pytest.mark.parametrize("precision", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("fft_type", ["c2c", "r2c", "c2r"])
@pytest.mark.parametrize("size", [4, 7, 16])
def test_thread(size, fft_type, precision):
    fft = make(size, precision, fft_type, "Thread")
    error, result, _ = fft_kernels.run(fft)
    assert np.isfinite(result).all() and error < TOL[precision]


@pytest.mark.parametrize("precision", [np.float32, np.float64])
def test_block_shared_memory_api(precision):
    fft = make(16, precision, "c2c", "Block", direction="inverse", ffts_per_block=2)
    error, result, _ = fft_kernels.run(fft, kernel_kind="shared")
    assert np.isfinite(result).all() and error < TOL[precision]


# The same cases run on the GPU in tests/device/test_fft_gpu.py (test_block_folded,
# test_block_shared_memory_api_real): one reference, both layouts.


@pytest.mark.parametrize(
    "precision, ffts_per_block", fft_kernels.REAL_PRECISION_FPB, ids=fft_kernels.REAL_PRECISION_FPB_IDS
)
@pytest.mark.parametrize("fft_type", ["r2c", "c2r"])
@pytest.mark.parametrize("size", fft_kernels.FOLDED_SIZES)
def test_block_folded(size, fft_type, precision, ffts_per_block):
    options = {"complex_layout": "natural", "real_mode": "folded"}
    fft = make(size, precision, fft_type, "Block", ffts_per_block=ffts_per_block, real_fft_options=options)
    # folded: the real side is size // 2 complex values, so input and output are both complex
    assert fft.traits.input_type == fft.traits.output_type == fft.traits.value_type
    lengths = (size // 2, size // 2 + 1) if fft_type == "r2c" else (size // 2 + 1, size // 2)
    assert (fft.input_length, fft.output_length) == lengths
    error, result, _ = fft_kernels.run(fft)
    assert np.isfinite(result).all() and error < TOL[precision], (fft, error)


@pytest.mark.parametrize("fft_type", ["r2c", "c2r"])
def test_thread_folded(fft_type):
    fft = make(16, np.float32, fft_type, "Thread", real_fft_options={"real_mode": "folded"})
    error, result, _ = fft_kernels.run(fft)
    assert np.isfinite(result).all() and error < TOL[np.float32]


@pytest.mark.parametrize(
    "precision, ffts_per_block", fft_kernels.REAL_PRECISION_FPB, ids=fft_kernels.REAL_PRECISION_FPB_IDS
)
@pytest.mark.parametrize("fft_type", ["r2c", "c2r"])
@pytest.mark.parametrize("size", [16, 64, 128])
def test_block_shared_memory_api_real(size, fft_type, precision, ffts_per_block):
    fft = make(size, precision, fft_type, "Block", ffts_per_block=ffts_per_block)
    error, result, _ = fft_kernels.run(fft, kernel_kind="shared")
    assert np.isfinite(result).all() and error < TOL[precision], (fft, error)


def test_folded_r2c_layout_pairs_consecutive_reals():
    """Complex input element k of a folded r2c is (x[2k], x[2k+1]): a delta at real index 3
    (imaginary part of element 1) must give exp(-2j pi 3 m / N), whoever holds it."""
    n = 16
    fft = make(n, np.float64, "r2c", "Block", real_fft_options={"real_mode": "folded"})

    @cuda.jit
    def kernel(out):
        thread_data = cuda.local.array(fft.storage_size, fft.value_type)
        smem = cuda.shared.array(0, fft.value_type)
        for i in range(fft.storage_size):
            thread_data[i] = 0
        for i in range(fft.input_elements_per_thread):
            if cuda.threadIdx.x + i * fft.stride == 1:
                thread_data[i] = 1j
        fft.execute(thread_data, smem)
        for i in range(fft.output_elements_per_thread):
            k = cuda.threadIdx.x + i * fft.stride
            if k < fft.output_length:
                out[k] = thread_data[i]

    out = np.full(n // 2 + 1, np.nan, np.complex128)
    kernel[1, fft.block_dim, 0, fft.shared_memory_size](out)
    np.testing.assert_allclose(out, np.exp(-2j * np.pi * 3 * np.arange(n // 2 + 1) / n), atol=1e-12)


def test_shared_memory_api_too_small_is_a_clear_error():
    fft = make(64, np.float32, "r2c", "Block")

    @cuda.jit
    def kernel(out):
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(smem)

    with pytest.raises(ValueError, match="shared-memory API needs 264"):
        kernel[1, fft.block_dim, 0, 16](np.zeros(1))


def test_vector_classes_are_dtypes_in_kernels():
    fft = make(16, np.float16, "c2c", "Block")

    @cuda.jit
    def kernel(inp, out):
        thread_data = cuda.local.array(fft.storage_size, float16x4)  # the class, not fft.value_type
        smem = cuda.shared.array(0, float16x4)
        f = thread_data.view(np.float16)
        for i in range(fft.elements_per_thread):
            k = cuda.threadIdx.x + i * fft.stride
            f[4 * i], f[4 * i + 1], f[4 * i + 2], f[4 * i + 3] = inp[0, k].real, inp[1, k].real, 0, 0
        fft.execute(thread_data, smem)
        pair = cuda.local.array(1, float32x2)
        for i in range(fft.elements_per_thread):
            k = cuda.threadIdx.x + i * fft.stride
            pair[0] = float32x2(np.float32(f[4 * i]), np.float32(f[4 * i + 2]))
            out[0, k] = to_complex(pair[0])
            out[1, k] = to_complex(float16x2(f[4 * i + 1], f[4 * i + 3]))

    x = np.random.default_rng().standard_normal((2, 16))
    out = np.full((2, 16), np.nan, np.complex64)
    kernel[1, fft.block_dim, 0, fft.shared_memory_size](x.astype(np.complex64), out)
    np.testing.assert_allclose(out, np.fft.fft(x.astype(np.float16).astype(np.float64), axis=-1), atol=5e-2)


def test_traits_are_the_libmathdx_ones():
    fft = make(64, np.float32, "c2c", "Block", ffts_per_block="suggested")
    assert (fft.stride, fft.elements_per_thread, fft.block_dim.x) == (8, 8, 8)
    assert fft.value_type == np.dtype(np.complex64)
    assert make(64, np.float16, "c2c", "Block").value_type.names == ("x", "y", "z", "w")


def test_data_layout_element_i_of_thread_t_is_t_plus_i_stride():
    fft = make(16, np.float64, "c2c", "Block", elements_per_thread=4)

    @cuda.jit
    def kernel(out):
        thread_data = cuda.local.array(fft.storage_size, fft.value_type)
        smem = cuda.shared.array(0, fft.value_type)
        for i in range(fft.elements_per_thread):
            thread_data[i] = 1.0 if cuda.threadIdx.x + i * fft.stride == 1 else 0.0  # delta at index 1
        fft.execute(thread_data, smem)
        for i in range(fft.elements_per_thread):
            out[cuda.threadIdx.x + i * fft.stride] = thread_data[i]

    out = np.full(16, np.nan, np.complex128)
    kernel[1, fft.block_dim, 0, fft.shared_memory_size](out)
    np.testing.assert_allclose(out, np.exp(-2j * np.pi * np.arange(16) / 16), atol=1e-12)


def test_wrong_array_dtype_is_a_clear_error():
    fft = make(8, np.float32, "c2c", "Thread")

    @cuda.jit
    def kernel(out):
        data = cuda.local.array(8, np.complex128)
        fft.execute(data)

    with pytest.raises(TypeError, match="1-D array of complex64"):
        kernel[1, 1](np.zeros(1))


def test_vector_types_in_kernels():
    @cuda.jit
    def kernel(out):
        a = float16x2(np.float16(1.0), np.float16(2.0))
        v = float16x4(a, float16x2(np.float16(3.0), np.float16(4.0)))
        out[0] = to_complex(float16x2(v.x, v.z))

    out = np.zeros(1, np.complex64)
    kernel[1, 1](out)
    assert out[0] == 1 + 3j


def test_aligned_access_is_plain_indexing_in_the_simulator():
    from nvmath.device import load_aligned, store_aligned

    @cuda.jit
    def double(data):
        i = cuda.grid(1)
        if i < data.shape[0]:
            store_aligned(data, i, load_aligned(data, i) * 2)

    host = np.random.default_rng().standard_normal(50).astype(np.complex64)
    out = host.copy()
    double[2, 32](out)
    np.testing.assert_allclose(out, host * 2)
