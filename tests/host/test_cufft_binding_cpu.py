"""CPU tests of the cuFFT binding: enum values (from cufft.h / cufftXt.h), errors, library loading."""

import pytest

from nvmath.bindings import cufft


def test_enum_values_match_the_headers():
    assert (cufft.Type.R2C, cufft.Type.C2R, cufft.Type.C2C) == (0x2A, 0x2C, 0x29)
    assert (cufft.Type.D2Z, cufft.Type.Z2D, cufft.Type.Z2Z) == (0x6A, 0x6C, 0x69)
    assert cufft.Result.INVALID_DEVICE == 0xB and cufft.Result.NVJITLINK_FAILURE == 0x13
    assert cufft.XtCallbackType.ST_COMPLEX == 4 and cufft.XtCallbackType.LD_REAL_DOUBLE == 3
    assert (cufft.DataType.C_32F, cufft.DataType.R_64F, cufft.DataType.C_16F) == (4, 1, 6)
    assert (cufft.FORWARD, cufft.INVERSE) == (-1, 1)


def test_error_carries_the_cufft_name():
    err = cufft.cuFFTError(1, "cufftXtExec")
    assert err.name == "CUFFT_INVALID_PLAN" and "cufftXtExec" in str(err)
    assert isinstance(err, RuntimeError)
    assert cufft.cuFFTError(99).name == "CUFFT_UNKNOWN_STATUS_99"


def test_missing_library_names_the_package():
    try:
        cufft.library()
    except RuntimeError as exc:
        assert "nvidia-cufft" in str(exc)
    else:
        pytest.skip("libcufft is installed here")
