"""nvmath.device.FFT on a GPU against np.fft (float64 reference): the full grid.

Sizes 2..4096 (powers of two and 7, 12, 100, 243, 1000), fp16/fp32/fp64, c2c (both
directions)/r2c/c2r, Block (register and shared-memory APIs, default and suggested
ffts_per_block) and Thread execution; r2c/c2r also with real_mode='folded' and through the
shared-memory API. Fresh random data, NaN-poisoned outputs.
Each descriptor costs seconds of code generation: run with ``pytest -n 16``.
"""

import numpy as np
import pytest
from numba import cuda

from nvmath.device import FFT
from tests.device import fft_kernels

pytestmark = pytest.mark.gpu

SIZES = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 7, 12, 100, 243, 1000]
PRECISIONS = [np.float16, np.float32, np.float64]
TOL = {np.float16: 1e-2, np.float32: 1e-5, np.float64: 1e-12}
TYPES = [("c2c", "forward"), ("c2c", "inverse"), ("r2c", None), ("c2r", None)]


def to_device(array):
    from numba import cuda

    return cuda.to_device(array)


def make(size, precision, fft_type, direction, execution, **kw):
    if direction:
        kw["direction"] = direction
    try:
        return FFT(size, precision, fft_type, execution, **kw)
    except ValueError as exc:  # e.g. Thread execution of large sizes
        pytest.skip(f"not supported by cuFFTDx: {exc}")


def check(fft, kernel_kind="register"):
    needed = fft.shared_memory_size or 0
    if kernel_kind == "shared":  # the data itself lives in shared memory
        needed = max(needed, fft_kernels.shared_api_bytes(fft))
    limit = cuda.get_current_device().MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
    if needed > limit:
        pytest.skip(f"{fft} needs {needed} B of shared memory (device opt-in limit {limit} B)")
    error, result, _ = fft_kernels.run(fft, kernel_kind=kernel_kind, to_device=to_device)
    assert np.isfinite(result).all(), f"{fft}: non-finite output"
    assert error < TOL[fft.precision], f"{fft}: relative error {error:.3e}"


@pytest.mark.parametrize("precision", PRECISIONS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("fft_type, direction", TYPES)
@pytest.mark.parametrize("size", SIZES)
def test_block_register(size, fft_type, direction, precision):
    check(make(size, precision, fft_type, direction, "Block"))


@pytest.mark.parametrize("precision", PRECISIONS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("size", SIZES)
def test_block_suggested_ffts_per_block(size, precision):
    check(make(size, precision, "c2c", "forward", "Block", ffts_per_block="suggested"))


@pytest.mark.parametrize("ffts_per_block", [2, 4, 8])
@pytest.mark.parametrize("fft_type, direction", [("c2c", "inverse"), ("r2c", None), ("c2r", None)])
def test_block_ffts_per_block(fft_type, direction, ffts_per_block):
    check(make(256, np.float32, fft_type, direction, "Block", ffts_per_block=ffts_per_block))


@pytest.mark.parametrize("precision", [np.float32, np.float64], ids=lambda p: p.__name__)
@pytest.mark.parametrize("size", [8, 64, 100, 512, 1024, 4096])
def test_block_shared_memory_api(size, precision):
    check(make(size, precision, "c2c", "inverse", "Block", ffts_per_block=2), kernel_kind="shared")


# The same kernels and cases as tests/device/sim/test_sim_fft.py (test_block_folded,
# test_block_shared_memory_api_real): the simulator's layout and cuFFTDx's are both checked
# against one NumPy reference.


@pytest.mark.parametrize(
    "precision, ffts_per_block", fft_kernels.REAL_PRECISION_FPB, ids=fft_kernels.REAL_PRECISION_FPB_IDS
)
@pytest.mark.parametrize("fft_type", ["r2c", "c2r"])
@pytest.mark.parametrize("size", fft_kernels.FOLDED_SIZES)
def test_block_folded(size, fft_type, precision, ffts_per_block):
    options = {"complex_layout": "natural", "real_mode": "folded"}
    check(make(size, precision, fft_type, None, "Block", ffts_per_block=ffts_per_block, real_fft_options=options))


@pytest.mark.parametrize("fft_type", ["r2c", "c2r"])
def test_thread_folded(fft_type):
    check(make(16, np.float32, fft_type, None, "Thread", real_fft_options={"real_mode": "folded"}))


@pytest.mark.parametrize(
    "precision, ffts_per_block", fft_kernels.REAL_PRECISION_FPB, ids=fft_kernels.REAL_PRECISION_FPB_IDS
)
@pytest.mark.parametrize("fft_type", ["r2c", "c2r"])
@pytest.mark.parametrize("size", [16, 64, 128])
def test_block_shared_memory_api_real(size, fft_type, precision, ffts_per_block):
    check(make(size, precision, fft_type, None, "Block", ffts_per_block=ffts_per_block), kernel_kind="shared")


@pytest.mark.parametrize("precision", PRECISIONS, ids=lambda p: p.__name__)
@pytest.mark.parametrize("fft_type, direction", TYPES)
@pytest.mark.parametrize("size", [2, 4, 8, 16, 32, 64, 7, 12])
def test_thread(size, fft_type, direction, precision):
    check(make(size, precision, fft_type, direction, "Thread"))


def test_default_sm_is_the_current_device():
    from numba import cuda

    major, minor = cuda.get_current_device().compute_capability
    assert FFT(64, np.float32, "c2c", "Block", direction="forward").sm == major * 10 + minor
