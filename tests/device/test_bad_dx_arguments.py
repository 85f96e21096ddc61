"""Bad arguments to ``nvmath.device.Matmul`` and the libmathdx binding are refused up front (issue 12).

``Matmul`` must refuse what cuBLASDx 0.7.1 cannot build before libmathdx compiles anything
(each check here takes milliseconds, where a trait query compiles for seconds); the binding
must check handles and enum values before ctypes or the C library sees them. CPU only.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from nvmath.bindings import mathdx

SIZE = (16, 32, 8)  # m, n, k: distinct, so that a wrong leading-dimension bound shows


def _refused(expect: type, argument: str, **changes) -> str:
    from nvmath.device import Matmul

    args = {"precision": np.float32, "data_type": "real", "sm": 90, "block_size": 128, **changes}
    start = time.perf_counter()
    with pytest.raises(expect) as info:
        Matmul(SIZE, args.pop("precision"), args.pop("data_type"), **args)
    assert time.perf_counter() - start < 1.0, "libmathdx was called before the argument was checked"
    message = str(info.value)
    assert f"'{argument}'" in message and len(message) < 400, message
    return message


@pytest.mark.parametrize("execution", ["Thread", "Warp"])
@pytest.mark.parametrize("block", [{}, {"block_size": None}])
def test_only_block_execution(execution, block):
    message = _refused(ValueError, "execution", execution=execution, **block)
    assert repr(execution) in message and "execution='Block'" in message


@pytest.mark.parametrize("c", ["bfloat16", "tf32", "float8_e4m3fn", np.int8, np.int16])
def test_accumulator_precision(c):
    a = np.int8 if c in (np.int8, np.int16) else np.float16
    message = _refused(ValueError, "precision", precision=(a, a, c))
    assert "accumulat" in message and "float32" in message


def test_integer_accumulator_must_be_four_times_wider():
    assert "4 times" in _refused(ValueError, "precision", precision=(np.int16, np.int16, np.int32))


def test_integer_and_floating_point_do_not_mix():
    assert "mix" in _refused(ValueError, "precision", precision=(np.int8, np.int8, np.float32))


@pytest.mark.parametrize(
    "arrangement, leading_dimension, matrix, least",
    [
        (None, (7, 8, 16), "a", 8),  # A row-major (default): lda >= k
        (("col_major", "col_major", "col_major"), (15, 8, 16), "a", 16),  # A col-major: lda >= m
        (None, (8, 7, 16), "b", 8),  # B col-major (default): ldb >= k
        (("row_major", "row_major", "col_major"), (8, 31, 16), "b", 32),  # B row-major: ldb >= n
        (None, (8, 8, 15), "c", 16),  # C col-major (default): ldc >= m
        (("row_major", "col_major", "row_major"), (8, 8, 31), "c", 32),  # C row-major: ldc >= n
    ],
)
def test_leading_dimension_covers_its_matrix(arrangement, leading_dimension, matrix, least):
    message = _refused(ValueError, "leading_dimension", leading_dimension=leading_dimension, arrangement=arrangement)
    assert f"ld{matrix} = {leading_dimension['abc'.index(matrix)]} must be at least {least}" in message


@pytest.mark.parametrize(
    "call, argument, expect",
    [
        (lambda: mathdx.cufftdx_destroy_descriptor(-1), "handle", ValueError),
        (lambda: mathdx.cufftdx_destroy_descriptor(0), "handle", ValueError),
        (lambda: mathdx.cufftdx_destroy_descriptor(2**63), "handle", ValueError),
        (lambda: mathdx.cufftdx_destroy_descriptor("h"), "handle", TypeError),
        (lambda: mathdx.cufftdx_destroy_descriptor(True), "handle", TypeError),
        (lambda: mathdx.commondx_destroy_code(None), "code", TypeError),
        (lambda: mathdx.cublasdx_destroy_tensor(1.5), "tensor", TypeError),
        (lambda: mathdx.cublasdx_get_trait_int64(handle=-5, trait=0), "handle", ValueError),
        (lambda: mathdx.cublasdx_finalize_tensors("abc"), "tensors", TypeError),
        (lambda: mathdx.cublasdx_finalize_tensors([1, "a"]), "tensors[1]", TypeError),
        (lambda: mathdx.cublasdx_finalize([], [0]), "pipelines[0]", ValueError),
        (lambda: mathdx.cublasdx_create_device_function(mathdx.LIBMATHDX_NONE, 0, [-1]), "tensors[0]", ValueError),
        (lambda: mathdx.commondx_status_to_str(999), "status", ValueError),
        (lambda: mathdx.commondx_precision_to_str("x"), "value", TypeError),
        (lambda: mathdx.cublasdx_api_to_str(-1), "value", ValueError),
    ],
)
def test_binding_checks_handles_and_enums_before_the_c_call(call, argument, expect):
    with pytest.raises(expect) as info:
        call()
    assert f"'{argument}'" in str(info.value) and len(str(info.value)) < 400


def test_binding_still_accepts_what_libmathdx_returns():
    handle = mathdx.cufftdx_create_descriptor()
    mathdx.cufftdx_set_operator_int64(handle, mathdx.CufftdxOperatorType.SIZE, 64)
    mathdx.cufftdx_destroy_descriptor(handle)
    assert mathdx.commondx_status_to_str(mathdx.CommondxStatusType.SUCCESS) == "Success"
    assert mathdx.commondx_status_to_str(3) == mathdx.commondx_status_to_str(mathdx.CommondxStatusType(3))
