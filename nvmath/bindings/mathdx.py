"""Thin 1:1 ctypes binding of libmathdx (commondx code objects and cuFFTDx descriptors).

Every C function of ``libcommondx.h``, ``libmathdx.h`` and the cuFFTDx part of
``libcufftdx.h`` that nvmath needs has a Python function of the same name in snake case
(``cufftdxSetOperatorInt64`` -> :func:`cufftdx_set_operator_int64`). Output parameters become
return values; a non-zero status raises :class:`MathdxError` carrying libmathdx's own error
text. C enums are :class:`enum.IntEnum` classes with the C names less their prefix.

The library is loaded lazily, on the first call, through
``nvmath.compile.toolchain.load_library("mathdx")`` (which loads NVRTC first).

Example:
    >>> from nvmath.bindings import mathdx
    >>> h = mathdx.cufftdx_create_descriptor()
    >>> mathdx.cufftdx_set_operator_int64(h, mathdx.CufftdxOperatorType.SIZE, 64)
    >>> mathdx.cufftdx_destroy_descriptor(h)
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from enum import IntEnum

from nvmath.bindings._ctypes import CLibrary

__all__ = [
    "CommondxArchModifier",
    "CommondxCodeContainer",
    "CommondxCodeType",
    "CommondxExecution",
    "CommondxOption",
    "CommondxPrecision",
    "CommondxStatusType",
    "CommondxValueType",
    "CufftdxApi",
    "CufftdxCodeType",
    "CufftdxComplexLayout",
    "CufftdxDirection",
    "CufftdxKnobType",
    "CufftdxOperatorType",
    "CufftdxRealMode",
    "CufftdxTraitType",
    "CufftdxType",
    "MathdxError",
    "commondx_create_code",
    "commondx_destroy_code",
    "commondx_get_code_ltoir",
    "commondx_get_code_ltoir_size",
    "commondx_get_code_ltoirs",
    "commondx_get_code_num_ltoirs",
    "commondx_get_code_option_int64",
    "commondx_get_code_ptx",
    "commondx_get_last_error_str",
    "commondx_set_code_option_int64",
    "commondx_set_code_option_int64s",
    "commondx_set_code_option_str",
    "commondx_set_code_option_strs",
    "commondx_status_to_str",
    "cublasdx_get_version",
    "cufftdx_create_descriptor",
    "cufftdx_destroy_descriptor",
    "cufftdx_finalize_code",
    "cufftdx_get_knob_int64s",
    "cufftdx_get_ltoir",
    "cufftdx_get_trait_commondx_data_type",
    "cufftdx_get_trait_int64",
    "cufftdx_get_trait_int64s",
    "cufftdx_get_trait_str",
    "cufftdx_get_version",
    "cufftdx_is_supported",
    "cufftdx_set_operator_int64",
    "cufftdx_set_operator_int64s",
    "cufftdx_set_option_str",
    "cufftdx_set_option_strs",
    "mathdx_get_commit",
    "mathdx_get_package_version",
    "mathdx_get_version",
    "mathdx_get_version_ex",
]


# --------------------------------------------------------------------------------------------
# Enums (values copied from libcommondx.h / libcufftdx.h of libmathdx 0.4.1)
# --------------------------------------------------------------------------------------------


class CommondxValueType(IntEnum):
    """``commondxValueType_t``: value types (complex types combine real and imaginary part)."""

    R_8F_E5M2 = 0
    C_8F_E5M2 = 1
    R_8F_E4M3 = 2
    C_8F_E4M3 = 3
    R_16BF = 4
    C_16BF = 5
    R_16F2 = 6
    R_16F = 7
    C_16F = 8
    C_16F2 = 9
    R_32TF = 10
    C_32TF = 11
    R_32F = 12
    C_32F = 13
    R_64F = 14
    C_64F = 15
    R_8I = 16
    C_8I = 17
    R_16I = 18
    C_16I = 19
    R_32I = 20
    C_32I = 21
    R_64I = 22
    C_64I = 23
    R_8UI = 24
    C_8UI = 25
    R_16UI = 26
    C_16UI = 27
    R_32UI = 28
    C_32UI = 29
    R_64UI = 30
    C_64UI = 31


class CommondxStatusType(IntEnum):
    """``commondxStatusType_t``: status codes returned by every libmathdx function."""

    SUCCESS = 0
    INVALID_VALUE = 1
    INTERNAL_ERROR = 2
    COMPILATION_ERROR = 3
    CUFFT_ERROR = 4
    FILE_ERROR = 5


class CommondxPrecision(IntEnum):
    """``commondxPrecision_t``: computation precisions."""

    F8_E5M2 = 0
    F8_E4M3 = 1
    BF16 = 2
    F16 = 3
    TF32 = 4
    F32 = 5
    F64 = 6
    I8 = 7
    I16 = 8
    I32 = 9
    I64 = 10
    UI8 = 11
    UI16 = 12
    UI32 = 13
    UI64 = 14


class CommondxArchModifier(IntEnum):
    """``commondxArchModifier_t``: compute feature set targeted (``sm_90`` / ``sm_90a`` / ``sm_100f``)."""

    GENERIC = 0
    ARCH_SPECIFIC = 1
    FAMILY_SPECIFIC = 2


class CommondxOption(IntEnum):
    """``commondxOption_t``: code generation options."""

    SYMBOL_NAME = 0
    TARGET_SM = 1
    CODE_CONTAINER = 2
    CODE_ISA = 3
    EXTRA_NVRTC_ARGS = 4
    TARGET_CODE = 5


class CommondxExecution(IntEnum):
    """``commondxExecution_t``: execution modes."""

    THREAD = 0
    BLOCK = 1
    WARP = 2


class CommondxCodeType(IntEnum):
    """``commondxCodeType_t``: what code to generate."""

    LTO = 0
    PTX = 1


class CommondxCodeContainer(IntEnum):
    """``commondxCodeContainer_t``: device code containers."""

    LTOIR = 0
    FATBIN = 1
    PTX = 2


class CufftdxApi(IntEnum):
    """``cufftdxApi_t``: register (``LMEM``: ``f(value_type* rmem[, char* smem])``) or shared memory API."""

    LMEM = 0
    SMEM = 1


class CufftdxType(IntEnum):
    """``cufftdxType_t``: transform type."""

    C2C = 0
    R2C = 1
    C2R = 2


class CufftdxDirection(IntEnum):
    """``cufftdxDirection_t``: transform direction."""

    FORWARD = 0
    INVERSE = 1


class CufftdxComplexLayout(IntEnum):
    """``cufftdxComplexLayout_t``: layout of the complex side of real transforms."""

    NATURAL = 0
    PACKED = 1
    FULL = 2


class CufftdxRealMode(IntEnum):
    """``cufftdxRealMode_t``: layout of the real side of real transforms."""

    NORMAL = 0
    FOLDED = 1


class CufftdxCodeType(IntEnum):
    """``cufftdxCodeType_t``: implementation kind."""

    PTX = 0
    LTOIR = 1


class CufftdxOperatorType(IntEnum):
    """``cufftdxOperatorType_t``: descriptor operators."""

    SIZE = 0
    DIRECTION = 1
    TYPE = 2
    PRECISION = 3
    SM = 4
    EXECUTION = 5
    FFTS_PER_BLOCK = 6
    ELEMENTS_PER_THREAD = 7
    BLOCK_DIM = 8
    REAL_FFT_OPTIONS = 9
    API = 10
    CODE_TYPE = 11


class CufftdxKnobType(IntEnum):
    """``cufftdxKnobType_t``: performance knobs."""

    ELEMENTS_PER_THREAD = 0
    FFTS_PER_BLOCK = 1


class CufftdxTraitType(IntEnum):
    """``cufftdxTraitType_t``: descriptor traits."""

    VALUE_TYPE = 0
    INPUT_TYPE = 1
    OUTPUT_TYPE = 2
    IMPLICIT_TYPE_BATCHING = 3
    ELEMENTS_PER_THREAD = 4
    STORAGE_SIZE = 5
    STRIDE = 6
    BLOCK_DIM = 7
    SHARED_MEMORY_SIZE = 8
    FFTS_PER_BLOCK = 9
    SYMBOL_NAME = 10
    INPUT_LENGTH = 11
    OUTPUT_LENGTH = 12
    INPUT_ELEMENTS_PER_THREAD = 13
    OUTPUT_ELEMENTS_PER_THREAD = 14
    SUGGESTED_FFTS_PER_BLOCK = 15


# --------------------------------------------------------------------------------------------
# Errors and library loading
# --------------------------------------------------------------------------------------------


class MathdxError(RuntimeError):
    """A libmathdx call returned a non-zero status.

    Attributes:
        status: the :class:`CommondxStatusType` returned.
        function: the C function that failed.
        detail: libmathdx's own error text (``commondxGetLastErrorStr``), or ``""``.

    Example:
        >>> try:
        ...     cufftdx_set_operator_int64(-1, CufftdxOperatorType.SIZE, 8)
        ... except MathdxError as e:
        ...     print(e.status.name)
        INVALID_VALUE
    """

    def __init__(self, status: int, function: str, detail: str = ""):
        try:
            self.status = CommondxStatusType(status)
            name = self.status.name
        except ValueError:
            self.status = status
            name = str(status)
        self.function = function
        self.detail = detail
        msg = f"{function} failed with COMMONDX_{name}"
        if detail:
            msg += f": {detail}"
        super().__init__(msg)



_c_ll = ctypes.c_longlong
_c_ll_p = ctypes.POINTER(ctypes.c_longlong)
_c_size = ctypes.c_size_t
_c_size_p = ctypes.POINTER(ctypes.c_size_t)
_c_int = ctypes.c_int
_c_int_p = ctypes.POINTER(ctypes.c_int)
_c_char_p = ctypes.c_char_p
_c_void_p = ctypes.c_void_p

# name -> argtypes; every function returns commondxStatusType (an int), except the *ToStr ones.
_SIGNATURES: dict[str, list] = {
    "commondxCreateCode": [_c_ll_p],
    "commondxSetCodeOptionInt64": [_c_ll, _c_int, _c_ll],
    "commondxSetCodeOptionInt64s": [_c_ll, _c_int, _c_size, _c_ll_p],
    "commondxSetCodeOptionStr": [_c_ll, _c_int, _c_char_p],
    "commondxSetCodeOptionStrs": [_c_ll, _c_int, _c_size, ctypes.POINTER(_c_char_p)],
    "commondxGetCodeOptionInt64": [_c_ll, _c_int, _c_ll_p],
    "commondxGetCodeOptionsInt64s": [_c_ll, _c_int, _c_size, _c_ll_p],
    "commondxGetCodeLTOIRSize": [_c_ll, _c_size_p],
    "commondxGetCodeLTOIR": [_c_ll, _c_size, _c_void_p],
    "commondxGetCodePTXSize": [_c_ll, _c_size_p],
    "commondxGetCodePTX": [_c_ll, _c_size, _c_void_p],
    "commondxGetCodeNumLTOIRs": [_c_ll, _c_size_p],
    "commondxGetCodeLTOIRSizes": [_c_ll, _c_size, _c_size_p],
    "commondxGetCodeLTOIRs": [_c_ll, _c_size, ctypes.POINTER(_c_void_p)],
    "commondxDestroyCode": [_c_ll],
    "commondxGetLastErrorStrSize": [_c_size_p],
    "commondxGetLastErrorStr": [_c_int_p, _c_size, ctypes.c_char_p],
    "mathdxGetVersion": [_c_int_p],
    "mathdxGetVersionEx": [_c_int_p, _c_int_p, _c_int_p],
    "mathdxGetPackageVersion": [_c_int_p, _c_int_p, _c_int_p],
    "mathdxGetCommit": [ctypes.POINTER(_c_char_p)],
    "cufftdxGetVersion": [_c_int_p, _c_int_p, _c_int_p],
    "cublasdxGetVersion": [_c_int_p, _c_int_p, _c_int_p],
    "cufftdxCreateDescriptor": [_c_ll_p],
    "cufftdxSetOptionStr": [_c_ll, _c_int, _c_char_p],
    "cufftdxSetOptionStrs": [_c_ll, _c_int, _c_size, ctypes.POINTER(_c_char_p)],
    "cufftdxIsSupported": [_c_ll, _c_int_p],
    "cufftdxGetKnobInt64Size": [_c_ll, _c_size, _c_int_p, _c_size_p],
    "cufftdxGetKnobInt64s": [_c_ll, _c_size, _c_int_p, _c_size, _c_ll_p],
    "cufftdxSetOperatorInt64": [_c_ll, _c_int, _c_ll],
    "cufftdxSetOperatorInt64s": [_c_ll, _c_int, _c_size, _c_ll_p],
    "cufftdxGetLTOIRSize": [_c_ll, _c_size_p],
    "cufftdxGetLTOIR": [_c_ll, _c_size, _c_void_p],
    "cufftdxGetTraitStrSize": [_c_ll, _c_int, _c_size_p],
    "cufftdxGetTraitStr": [_c_ll, _c_int, _c_size, ctypes.c_char_p],
    "cufftdxGetTraitInt64": [_c_ll, _c_int, _c_ll_p],
    "cufftdxGetTraitInt64s": [_c_ll, _c_int, _c_size, _c_ll_p],
    "cufftdxGetTraitCommondxDataType": [_c_ll, _c_int, _c_int_p],
    "cufftdxFinalizeCode": [_c_ll, _c_ll],
    "cufftdxDestroyDescriptor": [_c_ll],
}

_TO_STR = [
    "commondxStatusToStr",
    "commondxPrecisionToStr",
    "commondxValueTypeToStr",
    "commondxOptionToStr",
    "commondxExecutionToStr",
    "commondxCodeContainerToStr",
    "commondxCodeTypeToStr",
    "commondxArchModifierToStr",
    "cufftdxOperatorTypeToStr",
    "cufftdxTraitTypeToStr",
    "cufftdxApiToStr",
    "cufftdxTypeToStr",
    "cufftdxDirectionToStr",
    "cufftdxComplexLayoutToStr",
    "cufftdxRealModeToStr",
    "cufftdxKnobTypeToStr",
    "cufftdxCodeTypeToStr",
]


def _library_path() -> str:
    from nvmath.compile.toolchain import load_library

    return load_library("mathdx").abs_path


def _error(status: int, function: str) -> MathdxError:
    return MathdxError(status, function, _last_error_text())


_LIBRARY = CLibrary(
    "libmathdx",
    _library_path,
    _SIGNATURES,
    other={name: (ctypes.c_char_p, [ctypes.c_int]) for name in _TO_STR},
    error=_error,
    mode=ctypes.RTLD_GLOBAL,
)


def _library() -> ctypes.CDLL:
    return _LIBRARY.handle()


def _last_error_text() -> str:
    lib = _library()
    size = _c_size(0)
    if lib.commondxGetLastErrorStrSize(ctypes.byref(size)) != 0 or size.value == 0:
        return ""
    code = _c_int(0)
    buf = ctypes.create_string_buffer(size.value)
    if lib.commondxGetLastErrorStr(ctypes.byref(code), size, buf) != 0:
        return ""
    return buf.value.decode(errors="replace").strip()


def _call(name: str, *args) -> None:
    _LIBRARY.call(name, *args)


def _enum_str(name: str, value: int) -> str:
    out = getattr(_library(), name)(int(value))
    return out.decode() if out else ""


# --------------------------------------------------------------------------------------------
# libmathdx.h
# --------------------------------------------------------------------------------------------


def mathdx_get_version() -> int:
    """``mathdxGetVersion``: the version as ``1000 * major + 100 * minor + patch``.

    Example:
        >>> mathdx_get_version()  # 0.4.1
        401
    """
    v = _c_int()
    _call("mathdxGetVersion", ctypes.byref(v))
    return v.value


def mathdx_get_version_ex() -> tuple[int, int, int]:
    """``mathdxGetVersionEx``: ``(major, minor, patch)``.

    Example:
        >>> mathdx_get_version_ex()
        (0, 4, 1)
    """
    a, b, c = _c_int(), _c_int(), _c_int()
    _call("mathdxGetVersionEx", ctypes.byref(a), ctypes.byref(b), ctypes.byref(c))
    return a.value, b.value, c.value


def mathdx_get_package_version() -> tuple[int, int, int]:
    """``mathdxGetPackageVersion``: the MathDx package calendar version ``(year, month, patch)``.

    Example:
        >>> year, month, patch = mathdx_get_package_version()
    """
    a, b, c = _c_int(), _c_int(), _c_int()
    _call("mathdxGetPackageVersion", ctypes.byref(a), ctypes.byref(b), ctypes.byref(c))
    return a.value, b.value, c.value


def mathdx_get_commit() -> str:
    """``mathdxGetCommit``: the libmathdx source commit hash.

    Example:
        >>> len(mathdx_get_commit())
        40
    """
    p = _c_char_p()
    _call("mathdxGetCommit", ctypes.byref(p))
    return p.value.decode()


# --------------------------------------------------------------------------------------------
# libcommondx.h
# --------------------------------------------------------------------------------------------


def commondx_create_code() -> int:
    """``commondxCreateCode``: a new code handle (destroy it with :func:`commondx_destroy_code`).

    Example:
        >>> code = commondx_create_code()
        >>> commondx_destroy_code(code)
    """
    h = _c_ll()
    _call("commondxCreateCode", ctypes.byref(h))
    return h.value


def commondx_destroy_code(code: int) -> None:
    """``commondxDestroyCode``.

    Example:
        >>> commondx_destroy_code(commondx_create_code())
    """
    _call("commondxDestroyCode", code)


def commondx_set_code_option_int64(code: int, option: CommondxOption, value: int) -> None:
    """``commondxSetCodeOptionInt64``.

    Example:
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> commondx_destroy_code(code)
    """
    _call("commondxSetCodeOptionInt64", code, int(option), int(value))


def commondx_set_code_option_int64s(code: int, option: CommondxOption, values: Sequence[int]) -> None:
    """``commondxSetCodeOptionInt64s``, e.g. ``TARGET_SM`` as ``(900, CommondxArchModifier.ARCH_SPECIFIC)``.

    Example:
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64s(code, CommondxOption.TARGET_SM, [900, 1])
        >>> commondx_destroy_code(code)
    """
    arr = (_c_ll * len(values))(*[int(v) for v in values])
    _call("commondxSetCodeOptionInt64s", code, int(option), len(values), arr)


def commondx_set_code_option_str(code: int, option: CommondxOption, value: str) -> None:
    """``commondxSetCodeOptionStr``.

    Example:
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_str(code, CommondxOption.EXTRA_NVRTC_ARGS, "-lineinfo")
        >>> commondx_destroy_code(code)
    """
    _call("commondxSetCodeOptionStr", code, int(option), value.encode())


def commondx_set_code_option_strs(code: int, option: CommondxOption, values: Sequence[str]) -> None:
    """``commondxSetCodeOptionStrs``.

    Example:
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_strs(code, CommondxOption.EXTRA_NVRTC_ARGS, ["-lineinfo"])
        >>> commondx_destroy_code(code)
    """
    arr = (_c_char_p * len(values))(*[v.encode() for v in values])
    _call("commondxSetCodeOptionStrs", code, int(option), len(values), arr)


def commondx_get_code_option_int64(code: int, option: CommondxOption) -> int:
    """``commondxGetCodeOptionInt64``.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_finalize_code(code, h)  # doctest: +SKIP
        >>> commondx_get_code_option_int64(code, CommondxOption.CODE_CONTAINER)  # doctest: +SKIP
        0
        >>> commondx_destroy_code(code)
    """
    v = _c_ll()
    _call("commondxGetCodeOptionInt64", code, int(option), ctypes.byref(v))
    return v.value


def commondx_get_code_options_int64s(code: int, option: CommondxOption, size: int) -> list[int]:
    """``commondxGetCodeOptionsInt64s``: one value per output LTO-IR.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_finalize_code(code, h)  # doctest: +SKIP
        >>> commondx_get_code_options_int64s(code, CommondxOption.CODE_CONTAINER, 1)  # doctest: +SKIP
        [0]
        >>> commondx_destroy_code(code)
    """
    arr = (_c_ll * size)()
    _call("commondxGetCodeOptionsInt64s", code, int(option), size, arr)
    return list(arr)


def commondx_get_code_ltoir_size(code: int) -> int:
    """``commondxGetCodeLTOIRSize`` in bytes.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_finalize_code(code, h)  # doctest: +SKIP
        >>> commondx_get_code_ltoir_size(code) > 0  # doctest: +SKIP
        True
        >>> commondx_destroy_code(code)
    """
    v = _c_size()
    _call("commondxGetCodeLTOIRSize", code, ctypes.byref(v))
    return v.value


def commondx_get_code_ltoir(code: int) -> bytes:
    """``commondxGetCodeLTOIRSize`` + ``commondxGetCodeLTOIR``: the LTO-IR bytes.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_finalize_code(code, h)  # doctest: +SKIP
        >>> ltoir = commondx_get_code_ltoir(code)  # doctest: +SKIP
        >>> len(ltoir) == commondx_get_code_ltoir_size(code)  # doctest: +SKIP
        True
        >>> commondx_destroy_code(code)
    """
    size = commondx_get_code_ltoir_size(code)
    buf = ctypes.create_string_buffer(size)
    _call("commondxGetCodeLTOIR", code, size, buf)
    return buf.raw


def commondx_get_code_num_ltoirs(code: int) -> int:
    """``commondxGetCodeNumLTOIRs``.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_finalize_code(code, h)  # doctest: +SKIP
        >>> commondx_get_code_num_ltoirs(code)  # doctest: +SKIP
        1
        >>> commondx_destroy_code(code)
    """
    v = _c_size()
    _call("commondxGetCodeNumLTOIRs", code, ctypes.byref(v))
    return v.value


def commondx_get_code_ltoir_sizes(code: int, size: int) -> list[int]:
    """``commondxGetCodeLTOIRSizes``.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_finalize_code(code, h)  # doctest: +SKIP
        >>> sizes = commondx_get_code_ltoir_sizes(code, commondx_get_code_num_ltoirs(code))  # doctest: +SKIP
        >>> len(sizes), sizes[0] == commondx_get_code_ltoir_size(code)  # doctest: +SKIP
        (1, True)
        >>> commondx_destroy_code(code)
    """
    arr = (_c_size * size)()
    _call("commondxGetCodeLTOIRSizes", code, size, arr)
    return list(arr)


def commondx_get_code_ltoirs(code: int) -> list[bytes]:
    """``commondxGetCodeNumLTOIRs`` + ``commondxGetCodeLTOIRSizes`` + ``commondxGetCodeLTOIRs``.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_finalize_code(code, h)  # doctest: +SKIP
        >>> len(commondx_get_code_ltoirs(code))  # doctest: +SKIP
        1
        >>> commondx_destroy_code(code)
    """
    n = commondx_get_code_num_ltoirs(code)
    sizes = commondx_get_code_ltoir_sizes(code, n)
    bufs = [ctypes.create_string_buffer(s) for s in sizes]
    ptrs = (_c_void_p * n)(*[ctypes.cast(b, _c_void_p) for b in bufs])
    _call("commondxGetCodeLTOIRs", code, n, ptrs)
    return [b.raw for b in bufs]


def commondx_get_code_ptx(code: int) -> str:
    """``commondxGetCodePTXSize`` + ``commondxGetCodePTX``: the PTX text.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_CODE, CommondxCodeType.PTX)
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_finalize_code(code, h)  # doctest: +SKIP
        >>> ptx = commondx_get_code_ptx(code)  # doctest: +SKIP
        >>> ".target sm_90" in ptx  # doctest: +SKIP
        True
        >>> commondx_destroy_code(code)
    """
    v = _c_size()
    _call("commondxGetCodePTXSize", code, ctypes.byref(v))
    buf = ctypes.create_string_buffer(v.value)
    _call("commondxGetCodePTX", code, v.value, buf)
    return buf.value.decode()


def commondx_get_last_error_str() -> tuple[CommondxStatusType, str] | None:
    """``commondxGetLastErrorStr``: ``(status, text)`` of this thread's last error, or None.

    Example:
        >>> commondx_get_last_error_str()  # None when no error was recorded
    """
    lib = _library()
    size = _c_size(0)
    if lib.commondxGetLastErrorStrSize(ctypes.byref(size)) != 0:
        return None
    code = _c_int(0)
    buf = ctypes.create_string_buffer(max(size.value, 1))
    if lib.commondxGetLastErrorStr(ctypes.byref(code), size, buf) != 0:
        return None
    return CommondxStatusType(code.value), buf.value.decode(errors="replace")


def commondx_status_to_str(status: CommondxStatusType) -> str:
    """``commondxStatusToStr``.

    Example:
        >>> commondx_status_to_str(CommondxStatusType.SUCCESS)
        'Success'
    """
    return _enum_str("commondxStatusToStr", status)


def commondx_precision_to_str(value: CommondxPrecision) -> str:
    """``commondxPrecisionToStr``.

    Example:
        >>> commondx_precision_to_str(CommondxPrecision.F32)
        'COMMONDX_PRECISION_F32'
    """
    return _enum_str("commondxPrecisionToStr", value)


def commondx_value_type_to_str(value: CommondxValueType) -> str:
    """``commondxValueTypeToStr``.

    Example:
        >>> commondx_value_type_to_str(CommondxValueType.C_32F)
        'COMMONDX_C_32F'
    """
    return _enum_str("commondxValueTypeToStr", value)


# --------------------------------------------------------------------------------------------
# libcufftdx.h
# --------------------------------------------------------------------------------------------


def cublasdx_get_version() -> tuple[int, int, int]:
    """``cublasdxGetVersion``: the cuBLASDx version inside libmathdx, ``(major, minor, patch)``.

    Example:
        >>> cublasdx_get_version()
        (0, 7, 1)
    """
    a, b, c = _c_int(), _c_int(), _c_int()
    _call("cublasdxGetVersion", ctypes.byref(a), ctypes.byref(b), ctypes.byref(c))
    return a.value, b.value, c.value


def cufftdx_get_version() -> tuple[int, int, int]:
    """``cufftdxGetVersion``: the bundled cuFFTDx version ``(major, minor, patch)``.

    Example:
        >>> cufftdx_get_version()
        (1, 7, 3)
    """
    a, b, c = _c_int(), _c_int(), _c_int()
    _call("cufftdxGetVersion", ctypes.byref(a), ctypes.byref(b), ctypes.byref(c))
    return a.value, b.value, c.value


def cufftdx_create_descriptor() -> int:
    """``cufftdxCreateDescriptor``: a new descriptor (destroy with :func:`cufftdx_destroy_descriptor`).

    Example:
        >>> h = cufftdx_create_descriptor()
        >>> cufftdx_destroy_descriptor(h)
    """
    h = _c_ll()
    _call("cufftdxCreateDescriptor", ctypes.byref(h))
    return h.value


def cufftdx_destroy_descriptor(handle: int) -> None:
    """``cufftdxDestroyDescriptor``.

    Example:
        >>> h = cufftdx_create_descriptor()
        >>> cufftdx_destroy_descriptor(h)
    """
    _call("cufftdxDestroyDescriptor", handle)


def cufftdx_set_option_str(handle: int, option: CommondxOption, value: str) -> None:
    """``cufftdxSetOptionStr``, e.g. ``SYMBOL_NAME``.

    Example:
        >>> h = cufftdx_create_descriptor()
        >>> cufftdx_set_option_str(h, CommondxOption.SYMBOL_NAME, "my_fft")
        >>> cufftdx_destroy_descriptor(h)
    """
    _call("cufftdxSetOptionStr", handle, int(option), value.encode())


def cufftdx_set_option_strs(handle: int, option: CommondxOption, values: Sequence[str]) -> None:
    """``cufftdxSetOptionStrs``.

    Example:
        >>> h = cufftdx_create_descriptor()
        >>> cufftdx_set_option_strs(h, CommondxOption.EXTRA_NVRTC_ARGS, ["-lineinfo"])
        >>> cufftdx_destroy_descriptor(h)
    """
    arr = (_c_char_p * len(values))(*[v.encode() for v in values])
    _call("cufftdxSetOptionStrs", handle, int(option), len(values), arr)


def cufftdx_is_supported(handle: int) -> bool:
    """``cufftdxIsSupported``: whether the descriptor has an implementation.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_is_supported(h)
        True
    """
    v = _c_int()
    _call("cufftdxIsSupported", handle, ctypes.byref(v))
    return v.value != 0


def cufftdx_get_knob_int64_size(handle: int, knobs: Sequence[CufftdxKnobType]) -> int:
    """``cufftdxGetKnobInt64Size``: the number of int64 values the knob query returns.

    With libmathdx 0.4.1 this is ``len(knobs)`` times the number of valid combinations (the
    header calls it "the number of distinct sets of knobs").

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_get_knob_int64_size(h, [CufftdxKnobType.ELEMENTS_PER_THREAD])
        6
    """
    arr = (_c_int * len(knobs))(*[int(k) for k in knobs])
    v = _c_size()
    _call("cufftdxGetKnobInt64Size", handle, len(knobs), arr, ctypes.byref(v))
    return v.value


def cufftdx_get_knob_int64s(handle: int, knobs: Sequence[CufftdxKnobType]) -> list[tuple[int, ...]]:
    """``cufftdxGetKnobInt64Size`` + ``cufftdxGetKnobInt64s``: the valid knob combinations.

    Returns one tuple per combination, its entries in the order of ``knobs``.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_get_knob_int64s(h, [CufftdxKnobType.ELEMENTS_PER_THREAD, CufftdxKnobType.FFTS_PER_BLOCK])
        [(8, 32), (4, 15), (16, 28), (32, 64), (2, 12), (64, 32)]
    """
    total = cufftdx_get_knob_int64_size(handle, knobs)
    n = len(knobs)
    count = total // n
    karr = (_c_int * n)(*[int(k) for k in knobs])
    out = (_c_ll * max(total, 1))()
    _call("cufftdxGetKnobInt64s", handle, n, karr, total, out)
    return [tuple(out[i * n : (i + 1) * n]) for i in range(count)]


def cufftdx_set_operator_int64(handle: int, op: CufftdxOperatorType, value: int) -> None:
    """``cufftdxSetOperatorInt64``.

    Example:
        >>> h = cufftdx_create_descriptor()
        >>> cufftdx_set_operator_int64(h, CufftdxOperatorType.SIZE, 128)
        >>> cufftdx_destroy_descriptor(h)
    """
    _call("cufftdxSetOperatorInt64", handle, int(op), int(value))


def cufftdx_set_operator_int64s(handle: int, op: CufftdxOperatorType, values: Sequence[int]) -> None:
    """``cufftdxSetOperatorInt64s``, e.g. ``BLOCK_DIM`` or ``REAL_FFT_OPTIONS``.

    Example:
        >>> h = cufftdx_create_descriptor()
        >>> cufftdx_set_operator_int64s(h, CufftdxOperatorType.REAL_FFT_OPTIONS, [0, 0])
        >>> cufftdx_destroy_descriptor(h)
    """
    arr = (_c_ll * len(values))(*[int(v) for v in values])
    _call("cufftdxSetOperatorInt64s", handle, int(op), len(values), arr)


def cufftdx_get_ltoir(handle: int) -> bytes:
    """``cufftdxGetLTOIRSize`` + ``cufftdxGetLTOIR``.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:  # doctest: +SKIP
        ...     len(cufftdx_get_ltoir(h)) > 0
        True
    """
    v = _c_size()
    _call("cufftdxGetLTOIRSize", handle, ctypes.byref(v))
    buf = ctypes.create_string_buffer(v.value)
    _call("cufftdxGetLTOIR", handle, v.value, buf)
    return buf.raw


def cufftdx_get_trait_str(handle: int, trait: CufftdxTraitType) -> str:
    """``cufftdxGetTraitStrSize`` + ``cufftdxGetTraitStr``, e.g. ``SYMBOL_NAME``.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90), symbol="my_fft") as h:
        ...     cufftdx_get_trait_str(h, CufftdxTraitType.SYMBOL_NAME)
        'my_fft'
    """
    v = _c_size()
    _call("cufftdxGetTraitStrSize", handle, int(trait), ctypes.byref(v))
    buf = ctypes.create_string_buffer(v.value)
    _call("cufftdxGetTraitStr", handle, int(trait), v.value, buf)
    return buf.value.decode()


def cufftdx_get_trait_int64(handle: int, trait: CufftdxTraitType) -> int:
    """``cufftdxGetTraitInt64``.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_get_trait_int64(h, CufftdxTraitType.STORAGE_SIZE)
        8
    """
    v = _c_ll()
    _call("cufftdxGetTraitInt64", handle, int(trait), ctypes.byref(v))
    return v.value


def cufftdx_get_trait_int64s(handle: int, trait: CufftdxTraitType, count: int) -> tuple[int, ...]:
    """``cufftdxGetTraitInt64s``, e.g. ``BLOCK_DIM`` with ``count=3``.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_get_trait_int64s(h, CufftdxTraitType.BLOCK_DIM, 3)
        (8, 1, 1)
    """
    arr = (_c_ll * count)()
    _call("cufftdxGetTraitInt64s", handle, int(trait), count, arr)
    return tuple(arr)


def cufftdx_get_trait_commondx_data_type(handle: int, trait: CufftdxTraitType) -> CommondxValueType:
    """``cufftdxGetTraitCommondxDataType``, e.g. ``VALUE_TYPE``.

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_get_trait_commondx_data_type(h, CufftdxTraitType.VALUE_TYPE)
        <CommondxValueType.C_32F: 13>
    """
    v = _c_int()
    _call("cufftdxGetTraitCommondxDataType", handle, int(trait), ctypes.byref(v))
    return CommondxValueType(v.value)


def cufftdx_finalize_code(code: int, handle: int) -> None:
    """``cufftdxFinalizeCode``: generate the device code of ``handle`` into ``code`` (seconds).

    Example:
        >>> from nvmath.device.lto.fft import FFTDescription, descriptor
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> with descriptor(FFTDescription(64, "f32", "c2c", "forward", "Block", 90)) as h:
        ...     cufftdx_finalize_code(code, h)  # doctest: +SKIP
        >>> len(commondx_get_code_ltoir(code)) > 0  # doctest: +SKIP
        True
        >>> commondx_destroy_code(code)
    """
    _call("cufftdxFinalizeCode", code, handle)


def cufftdx_operator_type_to_str(value: CufftdxOperatorType) -> str:
    """``cufftdxOperatorTypeToStr``.

    Example:
        >>> cufftdx_operator_type_to_str(CufftdxOperatorType.SIZE)
        'CUFFTDX_OPERATOR_SIZE'
    """
    return _enum_str("cufftdxOperatorTypeToStr", value)


def cufftdx_trait_type_to_str(value: CufftdxTraitType) -> str:
    """``cufftdxTraitTypeToStr``.

    Example:
        >>> cufftdx_trait_type_to_str(CufftdxTraitType.STRIDE)
        'CUFFTDX_TRAIT_STRIDE'
    """
    return _enum_str("cufftdxTraitTypeToStr", value)
