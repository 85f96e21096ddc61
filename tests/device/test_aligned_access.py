"""load_aligned / store_aligned / prefetch_l2: one full-width access per element, right values, clear typing errors."""

import re

import numpy as np
import pytest
from numba import cuda, types
from numba.core.errors import TypingError

from nvmath.device import load_aligned, prefetch_l2, store_aligned
from nvmath.device.extern import compile_kernel


def scale_rows(data, factor):
    row, col = cuda.grid(2)
    if row < data.shape[0] and col < data.shape[1]:
        store_aligned(data, (row, col), load_aligned(data, (row, col)) * factor)


@pytest.mark.parametrize(
    "dtype, load, store",
    [(types.complex64, "LDG.E.64", "STG.E.64"), (types.complex128, "LDG.E.128", "STG.E.128")],
)
def test_one_access_per_element(dtype, load, store):
    sass = compile_kernel(scale_rows, [dtype[:, ::1], dtype], cc=(9, 0)).sass()
    loads = re.findall(r"\bLDG\.[A-Z0-9.]+", sass)
    stores = re.findall(r"\bSTG\.[A-Z0-9.]+", sass)
    assert loads == [load] and stores == [store], (loads, stores)


def test_plain_indexing_splits_complex_accesses():
    """The reason these helpers exist: Numba's own indexing makes two accesses per complex64."""

    def plain(data, factor):
        row, col = cuda.grid(2)
        if row < data.shape[0] and col < data.shape[1]:
            data[row, col] = data[row, col] * factor

    sass = compile_kernel(plain, [types.complex64[:, ::1], types.complex64], cc=(9, 0)).sass()
    assert re.findall(r"\bLDG\.[A-Z0-9.]+", sass) == ["LDG.E", "LDG.E"]


def test_wrong_index_rank_is_a_typing_error():
    def bad(data):
        load_aligned(data, 0)

    with pytest.raises(TypingError, match=r"load_aligned: argument 'index' must be 2 integer\(s\)"):
        compile_kernel(bad, [types.complex64[:, ::1]], cc=(9, 0))


def test_not_an_array_is_a_typing_error():
    def bad(x):
        store_aligned(x, 0, x)

    with pytest.raises(TypingError, match="store_aligned: argument 'array' must be an array"):
        compile_kernel(bad, [types.float32], cc=(9, 0))


def prefetch_then_scale(data, factor):
    row, col = cuda.blockIdx.x, cuda.threadIdx.x
    if col == 0 and row + 128 < data.shape[0]:
        prefetch_l2(data, (row + 128, 0), data.shape[1] * data.itemsize)
    if col < data.shape[1]:
        store_aligned(data, (row, col), load_aligned(data, (row, col)) * factor)


def test_prefetch_l2_is_one_bulk_prefetch_without_registers():
    plain = compile_kernel(scale_rows, [types.complex64[:, ::1], types.complex64], cc=(9, 0))
    compiled = compile_kernel(prefetch_then_scale, [types.complex64[:, ::1], types.complex64], cc=(9, 0))
    assert re.findall(r"\bUBLKPF\.[A-Z0-9.]+", compiled.sass()) == ["UBLKPF.L2"]
    assert compiled.sass_counts() == {"CALL": 0, "LDL": 0, "STL": 0}
    (usage,) = compiled.resource_usage().values()
    (plain_usage,) = plain.resource_usage().values()
    assert usage["REG"] <= plain_usage["REG"] + 8


def test_prefetch_l2_before_sm_90_prefetches_each_line():
    """cp.async.bulk needs sm_90: older targets get one prefetch.global.L2 per 128-byte line."""
    compiled = compile_kernel(prefetch_then_scale, [types.complex64[:, ::1], types.complex64], cc=(8, 0))
    sass = compiled.sass()
    assert "UBLKPF" not in sass
    assert "CCTL.E.PF2" in sass
    assert compiled.sass_counts() == {"CALL": 0, "LDL": 0, "STL": 0}


def test_prefetch_l2_byte_count_must_be_an_integer():
    def bad(data):
        prefetch_l2(data, (0, 0), 1.5)

    with pytest.raises(TypingError, match="prefetch_l2: argument 'nbytes' must be an integer"):
        compile_kernel(bad, [types.complex64[:, ::1]], cc=(9, 0))


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128, np.float32])
def test_values_on_the_gpu(dtype):
    rng = np.random.default_rng()
    host = rng.standard_normal((37, 65)).astype(dtype)
    if np.iscomplexobj(host):
        host = host + 1j * rng.standard_normal(host.shape).astype(host.real.dtype)
    data = cuda.to_device(host)
    cuda.jit(scale_rows)[(3, 5), (16, 16)](data, dtype(2.5))
    np.testing.assert_allclose(data.copy_to_host(), host.astype(np.complex128) * 2.5, rtol=1e-6)


@pytest.mark.gpu
def test_prefetch_l2_leaves_values_unchanged_on_the_gpu():
    rng = np.random.default_rng()
    host = (rng.standard_normal((300, 64)) + 1j * rng.standard_normal((300, 64))).astype(np.complex64)
    data = cuda.to_device(host)
    cuda.jit(prefetch_then_scale)[300, 64](data, np.complex64(2.5))
    np.testing.assert_allclose(data.copy_to_host(), host.astype(np.complex128) * 2.5, rtol=1e-6)
