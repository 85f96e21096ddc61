"""CPU tests of FFT callbacks: Python -> LTO-IR compilation and the checks plans apply."""

import numpy as np
import pytest

from nvmath import fft as nvfft
from nvmath.host.fft_callbacks import callback_symbol, resolve_callback


def _scale_epilog(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset]


def _conj_prolog(data_in, offset, user_info, unused):
    return data_in[offset].conjugate()


def _real_prolog(data_in, offset, user_info, unused):
    return data_in[offset] * 2.0


def test_compile_epilog_to_ltoir():
    ltoir = nvfft.compile_epilog(_scale_epilog, "complex64", "complex64", compute_capability=(9, 0))
    assert isinstance(ltoir, bytes) and len(ltoir) > 100
    assert (ltoir.phase, ltoir.element_dtype, ltoir.user_info_dtype) == ("epilog", "complex64", "complex64")
    assert ltoir.symbol == "_Z28cufftJITCallbackStoreComplexPvy6float2S_S_"


@pytest.mark.parametrize("dtype", ["float32", "float64", np.complex128])
def test_compile_prolog_dtypes(dtype):
    fn = _real_prolog if "float" in str(dtype) else _conj_prolog
    ltoir = nvfft.compile_prolog(fn, dtype, "float32", compute_capability="sm_90")
    assert ltoir.element_dtype == np.dtype(dtype).name
    assert ltoir.symbol == callback_symbol("prolog", np.dtype(dtype).name)


def test_symbols_follow_cufft_mangling():
    assert callback_symbol("prolog", "complex128") == "_Z33cufftJITCallbackLoadDoubleComplexPvyS_S_"
    assert callback_symbol("epilog", "float64") == "_Z31cufftJITCallbackStoreDoubleRealPvydS_S_"


def test_wrong_arity_and_dtypes():
    with pytest.raises(TypeError, match="takes 4 argument.*takes 5"):
        nvfft.compile_epilog(_conj_prolog, "complex64", "complex64", compute_capability=(9, 0))
    with pytest.raises(ValueError, match="element_dtype.*int32"):
        nvfft.compile_prolog(_conj_prolog, "int32", "complex64", compute_capability=(9, 0))
    with pytest.raises(ValueError, match="user_info_dtype"):
        nvfft.compile_prolog(_conj_prolog, "complex64", "int8", compute_capability=(9, 0))
    with pytest.raises(TypeError, match="plain Python function"):
        nvfft.compile_prolog(print, "complex64", "complex64", compute_capability=(9, 0))


def test_plan_checks_phase_and_element_type():
    epilog = nvfft.compile_epilog(_scale_epilog, "complex64", "complex64", compute_capability=(9, 0))
    with pytest.raises(ValueError, match="compile_epilog: pass it as epilog"):
        resolve_callback("prolog", {"ltoir": epilog}, "complex64")
    with pytest.raises(TypeError, match="compiled for complex64.*complex128.*recompile"):
        resolve_callback("epilog", {"ltoir": epilog}, "complex128")
    with pytest.raises(TypeError, match="unknown keys.*'ptr'"):
        resolve_callback("epilog", {"ltoir": epilog, "ptr": 0}, "complex64")
    with pytest.raises(TypeError, match="host array"):
        resolve_callback("epilog", {"ltoir": epilog, "data": np.ones(4, np.complex64)}, "complex64")
    with pytest.raises(TypeError, match="support elements"):
        resolve_callback("epilog", {"ltoir": b"abc"}, "complex32")
    resolved = resolve_callback("epilog", nvfft.DeviceCallable(epilog, data=0x1000), "complex64")
    assert resolved.symbol is None and resolved.data_ptr == 0x1000  # cuFFT's conventional name
    named = resolve_callback("epilog", {"ltoir": epilog, "symbol": "my_store"}, "complex64")
    assert named.symbol == "my_store"


def test_compiled_callbacks_are_cached_and_key_stable():
    a = nvfft.compile_epilog(_scale_epilog, "complex64", "complex64", compute_capability=(9, 0))
    b = nvfft.compile_epilog(_scale_epilog, "complex64", "complex64", compute_capability=(9, 0))
    assert bytes(a) == bytes(b)
    x = np.ones(8, np.complex64)
    assert nvfft.FFT.create_key(x, epilog={"ltoir": a}) == nvfft.FFT.create_key(x, epilog={"ltoir": b})
    assert nvfft.FFT.create_key(x, epilog={"ltoir": a}) != nvfft.FFT.create_key(x)
