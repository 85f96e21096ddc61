"""Thin 1:1 ctypes binding of libmathdx (commondx code objects, cuFFTDx and cuBLASDx descriptors).

Every C function of ``libcommondx.h``, ``libmathdx.h``, ``libcublasdx.h`` and the cuFFTDx part of
``libcufftdx.h`` that nvmath needs has a Python function of the same name in snake case
(``cufftdxSetOperatorInt64`` -> :func:`cufftdx_set_operator_int64`). Output parameters become
return values; a non-zero status raises :class:`MathdxError` carrying libmathdx's own error
text (libmathdx 0.4.1 records text for compilation errors only). C enums are
:class:`enum.IntEnum` classes with the C names less their prefix. Handles are Python ints.

The library is loaded lazily, on the first call, through
``nvmath.compile.toolchain.load_library("mathdx")`` (which loads NVRTC first).

Example:
    >>> from nvmath.bindings import mathdx
    >>> h = mathdx.cufftdx_create_descriptor()
    >>> mathdx.cufftdx_set_operator_int64(h, mathdx.CufftdxOperatorType.SIZE, 64)
    >>> mathdx.cufftdx_destroy_descriptor(h)

A cuBLASDx GEMM (``C = A B``, 32x16x64, fp32) and its device code for sm_90; trait queries and
code generation compile (NVRTC, seconds):

    >>> h = mathdx.cublasdx_create_descriptor()
    >>> O = mathdx.CublasdxOperatorType
    >>> mathdx.cublasdx_set_operator_int64(h, O.FUNCTION, mathdx.CublasdxFunction.MM)
    >>> mathdx.cublasdx_set_operator_int64(h, O.EXECUTION, mathdx.CommondxExecution.BLOCK)
    >>> mathdx.cublasdx_set_operator_int64(h, O.SM, 900)
    >>> mathdx.cublasdx_set_operator_int64(h, O.API, mathdx.CublasdxApi.SMEM)
    >>> mathdx.cublasdx_set_operator_int64s(h, O.SIZE, [32, 16, 64])
    >>> mathdx.cublasdx_set_operator_int64s(h, O.PRECISION, [mathdx.CommondxPrecision.F32] * 3)
    >>> mathdx.cublasdx_get_trait_int64s(h, mathdx.CublasdxTraitType.SUGGESTED_BLOCK_DIM, 3)  # doctest: +SKIP
    (64, 1, 1)
    >>> code = mathdx.commondx_create_code()
    >>> mathdx.commondx_set_code_option_int64(code, mathdx.CommondxOption.TARGET_SM, 900)
    >>> mathdx.cublasdx_finalize_code(code, h)  # doctest: +SKIP
    >>> ltoir = mathdx.commondx_get_code_ltoirs(code)[0]  # doctest: +SKIP
    >>> mathdx.commondx_destroy_code(code)
    >>> mathdx.cublasdx_destroy_descriptor(h)
"""

from __future__ import annotations

import ctypes
import functools
import inspect
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
    "CublasdxApi",
    "CublasdxArrangement",
    "CublasdxBlockSizeStrategy",
    "CublasdxDeviceFunctionOption",
    "CublasdxDeviceFunctionTrait",
    "CublasdxDeviceFunctionType",
    "CublasdxDevicePipelineType",
    "CublasdxFunction",
    "CublasdxMemorySpace",
    "CublasdxOperatorType",
    "CublasdxPipelineTrait",
    "CublasdxTensorOption",
    "CublasdxTensorTrait",
    "CublasdxTensorType",
    "CublasdxTilePipelineType",
    "CublasdxTraitType",
    "CublasdxTransposeMode",
    "CublasdxType",
    "CufftdxApi",
    "CufftdxCodeType",
    "CufftdxComplexLayout",
    "CufftdxDirection",
    "CufftdxKnobType",
    "CufftdxOperatorType",
    "CufftdxRealMode",
    "CufftdxTraitType",
    "CufftdxType",
    "LIBMATHDX_MAX_PIPELINE_DEPTH",
    "LIBMATHDX_NONE",
    "LIBMATHDX_RUNTIME",
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
    "cublasdx_api_to_str",
    "cublasdx_arrangement_to_str",
    "cublasdx_block_size_strategy_to_str",
    "cublasdx_create_descriptor",
    "cublasdx_create_device_function",
    "cublasdx_create_device_function_with_pipelines",
    "cublasdx_create_device_pipeline",
    "cublasdx_create_tensor",
    "cublasdx_create_tensor_strided",
    "cublasdx_create_tile_pipeline",
    "cublasdx_destroy_descriptor",
    "cublasdx_destroy_device_function",
    "cublasdx_destroy_pipeline",
    "cublasdx_destroy_tensor",
    "cublasdx_device_function_option_to_str",
    "cublasdx_device_function_trait_to_str",
    "cublasdx_device_function_type_to_str",
    "cublasdx_device_pipeline_type_to_str",
    "cublasdx_finalize",
    "cublasdx_finalize_code",
    "cublasdx_finalize_device_functions",
    "cublasdx_finalize_pipelines",
    "cublasdx_finalize_tensors",
    "cublasdx_function_to_str",
    "cublasdx_get_device_function_trait_str",
    "cublasdx_get_ltoir",
    "cublasdx_get_ltoir_size",
    "cublasdx_get_pipeline_trait_int64",
    "cublasdx_get_pipeline_trait_int64s",
    "cublasdx_get_pipeline_trait_str",
    "cublasdx_get_tensor_trait_int64",
    "cublasdx_get_tensor_trait_str",
    "cublasdx_get_trait_commondx_data_types",
    "cublasdx_get_trait_int64",
    "cublasdx_get_trait_int64s",
    "cublasdx_get_trait_str",
    "cublasdx_get_version",
    "cublasdx_make_tensor_like",
    "cublasdx_memory_space_to_str",
    "cublasdx_operator_type_to_str",
    "cublasdx_pipeline_trait_to_str",
    "cublasdx_set_device_function_option_int64",
    "cublasdx_set_device_function_option_str",
    "cublasdx_set_operator_int64",
    "cublasdx_set_operator_int64s",
    "cublasdx_set_option_str",
    "cublasdx_set_option_strs",
    "cublasdx_set_pipeline_option_str",
    "cublasdx_set_pipeline_option_strs",
    "cublasdx_set_tensor_option_int64",
    "cublasdx_set_tensor_option_str",
    "cublasdx_set_tensor_option_strs",
    "cublasdx_tensor_option_to_str",
    "cublasdx_tensor_trait_to_str",
    "cublasdx_tensor_type_to_str",
    "cublasdx_tile_pipeline_type_to_str",
    "cublasdx_trait_type_to_str",
    "cublasdx_transpose_mode_to_str",
    "cublasdx_type_to_str",
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
# Enums (values copied from libcommondx.h / libcufftdx.h / libcublasdx.h of libmathdx 0.4.1)
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


#: ``LIBMATHDX_RUNTIME``: a shape or stride of :func:`cublasdx_create_tensor_strided` given at run time.
LIBMATHDX_RUNTIME = -(2**63)
#: ``LIBMATHDX_NONE``: "no descriptor", in lieu of a handle (e.g. ``COPY_WAIT`` device functions).
LIBMATHDX_NONE = -(2**63)
#: ``LIBMATHDX_MAX_PIPELINE_DEPTH``: the deepest pipeline shared memory allows (``cublasdxCreateDevicePipeline``).
LIBMATHDX_MAX_PIPELINE_DEPTH = 0


class CublasdxApi(IntEnum):
    """``cublasdxApi_t``: the device function API (shared memory pointers, with runtime leading dimensions, tensors).

    Example:
        >>> CublasdxApi.TENSORS
        <CublasdxApi.TENSORS: 2>
    """

    SMEM = 0
    SMEM_DYNAMIC_LD = 1
    TENSORS = 2


class CublasdxDevicePipelineType(IntEnum):
    """``cublasdxDevicePipelineType_t``: device pipeline kinds.

    Example:
        >>> CublasdxDevicePipelineType.SUGGESTED
        <CublasdxDevicePipelineType.SUGGESTED: 0>
    """

    SUGGESTED = 0


class CublasdxTilePipelineType(IntEnum):
    """``cublasdxTilePipelineType_t``: tile pipeline kinds.

    Example:
        >>> CublasdxTilePipelineType.DEFAULT
        <CublasdxTilePipelineType.DEFAULT: 0>
    """

    DEFAULT = 0


class CublasdxBlockSizeStrategy(IntEnum):
    """``cublasdxBlockSizeStrategy_t``: whether pipelines may use more threads than the block dimension given.

    Example:
        >>> CublasdxBlockSizeStrategy.FIXED
        <CublasdxBlockSizeStrategy.FIXED: 1>
    """

    HEURISTIC = 0
    FIXED = 1


class CublasdxType(IntEnum):
    """``cublasdxType_t``: real or complex GEMM.

    Example:
        >>> CublasdxType.COMPLEX
        <CublasdxType.COMPLEX: 1>
    """

    REAL = 0
    COMPLEX = 1


class CublasdxMemorySpace(IntEnum):
    """``cublasdxMemorySpace_t``: memory spaces (the ``MEMORY_SPACE`` tensor trait).

    Example:
        >>> CublasdxMemorySpace.SMEM
        <CublasdxMemorySpace.SMEM: 1>
    """

    RMEM = 0
    SMEM = 1
    GMEM = 2
    ANY = 3


class CublasdxTransposeMode(IntEnum):
    """``cublasdxTransposeMode_t``: transpose modes of A and B (deprecated by cuBLASDx for arrangements).

    Example:
        >>> CublasdxTransposeMode.TRANSPOSED
        <CublasdxTransposeMode.TRANSPOSED: 1>
    """

    NON_TRANSPOSED = 0
    TRANSPOSED = 1
    CONJ_TRANSPOSED = 2


class CublasdxArrangement(IntEnum):
    """``cublasdxArrangement_t``: column- or row-major data.

    Example:
        >>> CublasdxArrangement.ROW_MAJOR
        <CublasdxArrangement.ROW_MAJOR: 1>
    """

    COL_MAJOR = 0
    ROW_MAJOR = 1


class CublasdxFunction(IntEnum):
    """``cublasdxFunction_t``: the BLAS function (matrix multiply only).

    Example:
        >>> CublasdxFunction.MM
        <CublasdxFunction.MM: 0>
    """

    MM = 0


class CublasdxOperatorType(IntEnum):
    """``cublasdxOperatorType_t``: descriptor operators.

    ``SIZE`` is ``(M, N, K)``, ``PRECISION`` three :class:`CommondxPrecision` ``(A, B, C)``, ``SM`` e.g.
    ``900`` for sm_90, ``EXECUTION`` a :class:`CommondxExecution`, ``BLOCK_DIM`` and
    ``LEADING_DIMENSION`` and ``ALIGNMENT`` three values, ``TRANSPOSE_MODE`` two, ``ARRANGEMENT`` three.

    Example:
        >>> CublasdxOperatorType.SIZE
        <CublasdxOperatorType.SIZE: 1>
    """

    FUNCTION = 0
    SIZE = 1
    TYPE = 2
    PRECISION = 3
    SM = 4
    EXECUTION = 5
    BLOCK_DIM = 6
    LEADING_DIMENSION = 7
    TRANSPOSE_MODE = 8
    API = 9
    ARRANGEMENT = 10
    ALIGNMENT = 11
    STATIC_BLOCK_DIM = 12
    ENABLE_INPUT_STREAMING = 13
    WITH_PIPELINE = 14


class CublasdxTraitType(IntEnum):
    """``cublasdxTraitType_t``: descriptor traits.

    Example:
        >>> CublasdxTraitType.SUGGESTED_BLOCK_DIM
        <CublasdxTraitType.SUGGESTED_BLOCK_DIM: 9>
    """

    VALUE_TYPE = 0
    SIZE = 1
    BLOCK_SIZE = 2
    BLOCK_DIM = 3
    LEADING_DIMENSION = 4
    SYMBOL_NAME = 5
    ARRANGEMENT = 6
    ALIGNMENT = 7
    SUGGESTED_LEADING_DIMENSION = 8
    SUGGESTED_BLOCK_DIM = 9
    MAX_THREADS_PER_BLOCK = 10


class CublasdxTensorType(IntEnum):
    """``cublasdxTensorType_t``: opaque tensor kinds of the tensor API (:func:`cublasdx_create_tensor`).

    Example:
        >>> CublasdxTensorType.SUGGESTED_SMEM_A
        <CublasdxTensorType.SUGGESTED_SMEM_A: 3>
    """

    SMEM_A = 0
    SMEM_B = 1
    SMEM_C = 2
    SUGGESTED_SMEM_A = 3
    SUGGESTED_SMEM_B = 4
    SUGGESTED_SMEM_C = 5
    SUGGESTED_RMEM_C = 6
    GMEM_A = 7
    GMEM_B = 8
    GMEM_C = 9
    SUGGESTED_ACCUMULATOR_C = 10
    RMEM_C = 11
    ACCUMULATOR_C = 12


class CublasdxTensorOption(IntEnum):
    """``cublasdxTensorOption_t``: tensor options (:func:`cublasdx_set_tensor_option_int64`).

    Example:
        >>> CublasdxTensorOption.ALIGNMENT_BYTES
        <CublasdxTensorOption.ALIGNMENT_BYTES: 0>
    """

    ALIGNMENT_BYTES = 0


class CublasdxTensorTrait(IntEnum):
    """``cublasdxTensorTrait_t``: tensor traits (there is no value 3; ``UID`` is deprecated).

    Example:
        >>> CublasdxTensorTrait.OPAQUE_NAME
        <CublasdxTensorTrait.OPAQUE_NAME: 4>
    """

    STORAGE_BYTES = 0
    ALIGNMENT_BYTES = 1
    UID = 2
    OPAQUE_NAME = 4
    LOGICAL_SIZE = 5
    MEMORY_SPACE = 6


class CublasdxPipelineTrait(IntEnum):
    """``cublasdxPipelineTrait_t``: pipeline traits.

    Example:
        >>> CublasdxPipelineTrait.BUFFER_SIZE
        <CublasdxPipelineTrait.BUFFER_SIZE: 2>
    """

    STORAGE_BYTES = 0
    STORAGE_ALIGNMENT_BYTES = 1
    BUFFER_SIZE = 2
    BUFFER_ALIGNMENT_BYTES = 3
    OPAQUE_NAME = 4
    BLOCK_DIM = 5


class CublasdxDeviceFunctionTrait(IntEnum):
    """``cublasdxDeviceFunctionTrait_t``: device function traits (the value is 1, not 0).

    Example:
        >>> CublasdxDeviceFunctionTrait.SYMBOL
        <CublasdxDeviceFunctionTrait.SYMBOL: 1>
    """

    SYMBOL = 1


class CublasdxDeviceFunctionOption(IntEnum):
    """``cublasdxDeviceFunctionOption_t``: device function options.

    Example:
        >>> CublasdxDeviceFunctionOption.SYMBOL_NAME
        <CublasdxDeviceFunctionOption.SYMBOL_NAME: 0>
    """

    SYMBOL_NAME = 0
    COPY_ALIGNMENT = 1
    CALLBACK = 2
    NUM_THREADS = 3


class CublasdxDeviceFunctionType(IntEnum):
    """``cublasdxDeviceFunctionType_t``: device functions of the tensor API (:func:`cublasdx_create_device_function`).

    Example:
        >>> CublasdxDeviceFunctionType.COPY_WAIT
        <CublasdxDeviceFunctionType.COPY_WAIT: 2>
    """

    EXECUTE = 0
    COPY = 1
    COPY_WAIT = 2
    CLEAR = 3
    AXPBY = 4
    MAP_IDX2CRD = 5
    MAP_IDX2CRD_PARTITIONER = 6
    MAP_CRD2IDX = 7
    IS_THREAD_ACTIVE = 8
    IS_PREDICATED = 9
    IS_INDEX_IN_BOUNDS = 10
    CREATE = 11
    DESTROY = 12
    RESET = 13
    EPILOGUE = 14
    FINISH_ACCUMULATION = 15


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
        >>> h = cufftdx_create_descriptor()
        >>> try:
        ...     cufftdx_set_operator_int64(h, CufftdxOperatorType.SIZE, -1)
        ... except MathdxError as e:
        ...     print(e.status.name)
        INVALID_VALUE
        >>> cufftdx_destroy_descriptor(h)
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
    "cublasdxCreateDescriptor": [_c_ll_p],
    "cublasdxSetOptionStr": [_c_ll, _c_int, _c_char_p],
    "cublasdxSetOptionStrs": [_c_ll, _c_int, _c_size, ctypes.POINTER(_c_char_p)],
    "cublasdxSetOperatorInt64": [_c_ll, _c_int, _c_ll],
    "cublasdxSetOperatorInt64s": [_c_ll, _c_int, _c_size, _c_ll_p],
    "cublasdxCreateTensor": [_c_ll, _c_int, _c_ll_p],
    "cublasdxCreateTensorStrided": [_c_int, _c_int, _c_void_p, _c_ll, _c_ll_p, _c_ll_p, _c_ll_p],
    "cublasdxMakeTensorLike": [_c_ll, _c_int, _c_ll_p],
    "cublasdxDestroyTensor": [_c_ll],
    "cublasdxDestroyPipeline": [_c_ll],
    "cublasdxCreateDevicePipeline": [_c_ll, _c_int, _c_ll, _c_int, _c_ll, _c_ll, _c_ll_p],
    "cublasdxCreateTilePipeline": [_c_ll, _c_int, _c_ll, _c_ll_p],
    "cublasdxSetTensorOptionInt64": [_c_ll, _c_int, _c_ll],
    "cublasdxSetTensorOptionStr": [_c_ll, _c_int, _c_char_p],
    "cublasdxSetTensorOptionStrs": [_c_ll, _c_int, _c_size, ctypes.POINTER(_c_char_p)],
    "cublasdxSetPipelineOptionStr": [_c_ll, _c_int, _c_char_p],
    "cublasdxSetPipelineOptionStrs": [_c_ll, _c_int, _c_size, ctypes.POINTER(_c_char_p)],
    "cublasdxFinalizeTensors": [_c_size, _c_ll_p],
    "cublasdxFinalizePipelines": [_c_size, _c_ll_p],
    "cublasdxFinalize": [_c_size, _c_ll_p, _c_size, _c_ll_p],
    "cublasdxGetTensorTraitInt64": [_c_ll, _c_int, _c_ll_p],
    "cublasdxGetPipelineTraitInt64": [_c_ll, _c_int, _c_ll_p],
    "cublasdxGetPipelineTraitInt64s": [_c_ll, _c_int, _c_size, _c_ll_p],
    "cublasdxGetTensorTraitStrSize": [_c_ll, _c_int, _c_size_p],
    "cublasdxGetPipelineTraitStrSize": [_c_ll, _c_int, _c_size_p],
    "cublasdxGetTensorTraitStr": [_c_ll, _c_int, _c_size, ctypes.c_char_p],
    "cublasdxGetPipelineTraitStr": [_c_ll, _c_int, _c_size, ctypes.c_char_p],
    "cublasdxCreateDeviceFunction": [_c_ll, _c_int, _c_size, _c_ll_p, _c_ll_p],
    "cublasdxDestroyDeviceFunction": [_c_ll],
    "cublasdxCreateDeviceFunctionWithPipelines": [_c_ll, _c_int, _c_size, _c_ll_p, _c_size, _c_ll_p, _c_ll_p],
    "cublasdxFinalizeDeviceFunctions": [_c_ll, _c_size, _c_ll_p],
    "cublasdxGetDeviceFunctionTraitStrSize": [_c_ll, _c_int, _c_size_p],
    "cublasdxGetDeviceFunctionTraitStr": [_c_ll, _c_int, _c_size, ctypes.c_char_p],
    "cublasdxSetDeviceFunctionOptionInt64": [_c_ll, _c_int, _c_ll],
    "cublasdxSetDeviceFunctionOptionStr": [_c_ll, _c_int, _c_char_p],
    "cublasdxGetLTOIRSize": [_c_ll, _c_size_p],
    "cublasdxGetLTOIR": [_c_ll, _c_size, _c_void_p],
    "cublasdxGetTraitStrSize": [_c_ll, _c_int, _c_size_p],
    "cublasdxGetTraitStr": [_c_ll, _c_int, _c_size, ctypes.c_char_p],
    "cublasdxGetTraitInt64": [_c_ll, _c_int, _c_ll_p],
    "cublasdxGetTraitInt64s": [_c_ll, _c_int, _c_size, _c_ll_p],
    "cublasdxGetTraitCommondxDataTypes": [_c_ll, _c_int, _c_size, _c_int_p],
    "cublasdxFinalizeCode": [_c_ll, _c_ll],
    "cublasdxDestroyDescriptor": [_c_ll],
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
    "cublasdxOperatorTypeToStr",
    "cublasdxTraitTypeToStr",
    "cublasdxApiToStr",
    "cublasdxTypeToStr",
    "cublasdxTransposeModeToStr",
    "cublasdxArrangementToStr",
    "cublasdxFunctionToStr",
    "cublasdxTensorTypeToStr",
    "cublasdxBlockSizeStrategyToStr",
    "cublasdxDevicePipelineTypeToStr",
    "cublasdxTilePipelineTypeToStr",
    "cublasdxTensorOptionToStr",
    "cublasdxTensorTraitToStr",
    "cublasdxPipelineTraitToStr",
    "cublasdxDeviceFunctionTraitToStr",
    "cublasdxDeviceFunctionOptionToStr",
    "cublasdxDeviceFunctionTypeToStr",
    "cublasdxMemorySpaceToStr",
]


def _library_path() -> str:
    from nvmath.compile.toolchain import load_library

    return load_library("mathdx").abs_path


def _error(status: int, function: str) -> MathdxError:
    return MathdxError(status, function, _last_error_text(status))


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


def _last_error_text(status: int) -> str:
    # libmathdx keeps a thread's last *recorded* error (compilation errors only, in 0.4.1) across
    # later calls, successful or not: its text belongs to this failure only if the codes agree.
    lib = _library()
    size = _c_size(0)
    if lib.commondxGetLastErrorStrSize(ctypes.byref(size)) != 0 or size.value == 0:
        return ""
    code = _c_int(0)
    buf = ctypes.create_string_buffer(size.value)
    if lib.commondxGetLastErrorStr(ctypes.byref(code), size, buf) != 0 or code.value != status:
        return ""
    return buf.value.decode(errors="replace").strip()


def _call(name: str, *args) -> None:
    _LIBRARY.call(name, *args)


def _enum_str(name: str, value: int, enum: type[IntEnum], argument: str) -> str:
    out = getattr(_library(), name)(int(_member(argument, value, enum)))
    return out.decode() if out else ""


def _member(argument: str, value, enum: type[IntEnum]) -> IntEnum:
    """``value`` as a member of ``enum``; a TypeError or ValueError naming ``argument`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"Argument {argument!r} = {value!r} must be a {enum.__name__} (an int enum), not {type(value).__name__}."
        )
    try:
        return enum(value)
    except ValueError:
        names = ", ".join(m.name for m in enum)
        if len(names) > 200:
            names = names[:200].rsplit(", ", 1)[0] + ", ..."
        raise ValueError(
            f"Argument {argument!r} = {value!r} is not a {enum.__name__}: allowed values are {names}."
        ) from None


# Handles are opaque positive 64-bit ints from libmathdx; ctypes would refuse other types with a
# bare "wrong type", and libmathdx answers other values with a bare COMMONDX_INVALID_VALUE.
_HANDLE_ARGUMENTS = frozenset(
    {"handle", "code", "function", "pipeline", "tensor", "tensor_a", "tensor_b", "device_pipeline"}
)
_HANDLE_SEQUENCE_ARGUMENTS = frozenset({"tensors", "pipelines", "functions"})
_MAX_HANDLE = 2**63 - 1
# Functions whose "handle" may be LIBMATHDX_NONE (no descriptor).
_NONE_ALLOWED = frozenset({"cublasdx_create_device_function", "cublasdx_create_device_function_with_pipelines"})


def _check_handle(argument: str, value, none_allowed: bool = False) -> int:
    """Return ``value`` if it is a libmathdx handle (an int in ``1 .. 2**63 - 1``), else raise naming ``argument``.

    Example:
        >>> _check_handle("handle", -1)
        Traceback (most recent call last):
        ...
        ValueError: Argument 'handle' = -1 is not a libmathdx handle: handles are ints > 0 returned by libmathdx.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"Argument {argument!r} = {value!r} is not a libmathdx handle: pass the int libmathdx returned, "
            f"not {type(value).__name__}."
        )
    if not (0 < value <= _MAX_HANDLE or (none_allowed and value == LIBMATHDX_NONE)):
        raise ValueError(
            f"Argument {argument!r} = {value!r} is not a libmathdx handle: handles are ints > 0 returned by libmathdx."
        )
    return value


def _check_handles(argument: str, values) -> list[int]:
    """Return ``values`` as a list if it is a sequence of libmathdx handles, else raise naming ``argument``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(
            f"Argument {argument!r} = {values!r} is not supported: pass a list or tuple of libmathdx handles (ints)."
        )
    return [_check_handle(f"{argument}[{i}]", v) for i, v in enumerate(values)]


def _with_handle_checks(function):
    """``function`` wrapped so that its handle arguments (by parameter name) are checked before ctypes sees them."""
    parameters = list(inspect.signature(function).parameters)
    none_allowed = function.__name__ in _NONE_ALLOWED
    checks = [
        (index, name, functools.partial(_check_handle, none_allowed=none_allowed and name == "handle"))
        if name in _HANDLE_ARGUMENTS
        else (index, name, _check_handles)
        for index, name in enumerate(parameters)
        if name in _HANDLE_ARGUMENTS or name in _HANDLE_SEQUENCE_ARGUMENTS
    ]
    if not checks:
        return function

    @functools.wraps(function)
    def checked(*args, **kwargs):
        for index, name, check in checks:
            if index < len(args):
                check(name, args[index])
            elif name in kwargs:
                check(name, kwargs[name])
        return function(*args, **kwargs)

    return checked


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

    libmathdx 0.4.1 records compilation errors only, and keeps the last one until the next.

    Example:
        >>> last = commondx_get_last_error_str()  # None when this thread recorded no error
        >>> last is None or isinstance(last[0], CommondxStatusType)
        True
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
    return _enum_str("commondxStatusToStr", status, CommondxStatusType, "status")


def commondx_precision_to_str(value: CommondxPrecision) -> str:
    """``commondxPrecisionToStr``.

    Example:
        >>> commondx_precision_to_str(CommondxPrecision.F32)
        'COMMONDX_PRECISION_F32'
    """
    return _enum_str("commondxPrecisionToStr", value, CommondxPrecision, "value")


def commondx_value_type_to_str(value: CommondxValueType) -> str:
    """``commondxValueTypeToStr``.

    Example:
        >>> commondx_value_type_to_str(CommondxValueType.C_32F)
        'COMMONDX_C_32F'
    """
    return _enum_str("commondxValueTypeToStr", value, CommondxValueType, "value")


# --------------------------------------------------------------------------------------------
# libcufftdx.h
# --------------------------------------------------------------------------------------------


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
    return _enum_str("cufftdxOperatorTypeToStr", value, CufftdxOperatorType, "value")


def cufftdx_trait_type_to_str(value: CufftdxTraitType) -> str:
    """``cufftdxTraitTypeToStr``.

    Example:
        >>> cufftdx_trait_type_to_str(CufftdxTraitType.STRIDE)
        'CUFFTDX_TRAIT_STRIDE'
    """
    return _enum_str("cufftdxTraitTypeToStr", value, CufftdxTraitType, "value")


# --------------------------------------------------------------------------------------------
# libcublasdx.h
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


def cublasdx_create_descriptor() -> int:
    """``cublasdxCreateDescriptor``: a new descriptor (destroy with :func:`cublasdx_destroy_descriptor`).

    Example:
        >>> h = cublasdx_create_descriptor()
        >>> cublasdx_destroy_descriptor(h)
    """
    h = _c_ll()
    _call("cublasdxCreateDescriptor", ctypes.byref(h))
    return h.value


def cublasdx_destroy_descriptor(handle: int) -> None:
    """``cublasdxDestroyDescriptor``.

    Example:
        >>> cublasdx_destroy_descriptor(cublasdx_create_descriptor())
    """
    _call("cublasdxDestroyDescriptor", handle)


def cublasdx_set_option_str(handle: int, option: CommondxOption, value: str) -> None:
    """``cublasdxSetOptionStr``, e.g. ``SYMBOL_NAME``.

    Example:
        >>> h = cublasdx_create_descriptor()
        >>> cublasdx_set_option_str(h, CommondxOption.SYMBOL_NAME, "my_gemm")
        >>> cublasdx_destroy_descriptor(h)
    """
    _call("cublasdxSetOptionStr", handle, int(option), value.encode())


def cublasdx_set_option_strs(handle: int, option: CommondxOption, values: Sequence[str]) -> None:
    """``cublasdxSetOptionStrs``.

    Example:
        >>> h = cublasdx_create_descriptor()
        >>> cublasdx_set_option_strs(h, CommondxOption.EXTRA_NVRTC_ARGS, ["-lineinfo"])
        >>> cublasdx_destroy_descriptor(h)
    """
    arr = (_c_char_p * len(values))(*[v.encode() for v in values])
    _call("cublasdxSetOptionStrs", handle, int(option), len(values), arr)


def cublasdx_set_operator_int64(handle: int, op: CublasdxOperatorType, value: int) -> None:
    """``cublasdxSetOperatorInt64``, e.g. ``SM`` (``900`` for sm_90), ``EXECUTION``, ``API``, ``FUNCTION``.

    Values are checked when set (``INVALID_VALUE``, without error text), except ``SM``: any positive
    value is accepted and an unknown architecture fails at the first trait query or code generation.

    Example:
        >>> h = cublasdx_create_descriptor()
        >>> cublasdx_set_operator_int64(h, CublasdxOperatorType.SM, 900)
        >>> cublasdx_set_operator_int64(h, CublasdxOperatorType.EXECUTION, CommondxExecution.BLOCK)
        >>> cublasdx_destroy_descriptor(h)
    """
    _call("cublasdxSetOperatorInt64", handle, int(op), int(value))


def cublasdx_set_operator_int64s(handle: int, op: CublasdxOperatorType, values: Sequence[int]) -> None:
    """``cublasdxSetOperatorInt64s``, e.g. ``SIZE`` ``(M, N, K)``, ``PRECISION`` ``(A, B, C)``, ``BLOCK_DIM``.

    Example:
        >>> h = cublasdx_create_descriptor()
        >>> cublasdx_set_operator_int64s(h, CublasdxOperatorType.SIZE, [32, 16, 64])
        >>> cublasdx_set_operator_int64s(h, CublasdxOperatorType.PRECISION, [CommondxPrecision.F32] * 3)
        >>> cublasdx_destroy_descriptor(h)
    """
    arr = (_c_ll * len(values))(*[int(v) for v in values])
    _call("cublasdxSetOperatorInt64s", handle, int(op), len(values), arr)


def cublasdx_create_tensor(handle: int, tensor_type: CublasdxTensorType) -> int:
    """``cublasdxCreateTensor``: an opaque tensor of a descriptor (destroy with :func:`cublasdx_destroy_tensor`).

    The descriptor needs its required operators first (else ``INVALID_VALUE``), and creating a tensor
    locks it: operators and options can no longer be set (``INVALID_VALUE``).

    Example:
        >>> h = cublasdx_create_descriptor()
        >>> O = CublasdxOperatorType
        >>> for op, value in [(O.FUNCTION, CublasdxFunction.MM), (O.EXECUTION, CommondxExecution.BLOCK),
        ...                   (O.SM, 900), (O.API, CublasdxApi.TENSORS)]:
        ...     cublasdx_set_operator_int64(h, op, value)
        >>> cublasdx_set_operator_int64s(h, O.SIZE, [32, 16, 64])
        >>> cublasdx_set_operator_int64s(h, O.PRECISION, [CommondxPrecision.F32] * 3)
        >>> cublasdx_set_operator_int64s(h, O.BLOCK_DIM, [128, 1, 1])
        >>> a = cublasdx_create_tensor(h, CublasdxTensorType.SUGGESTED_SMEM_A)
        >>> cublasdx_destroy_tensor(a)
        >>> cublasdx_destroy_descriptor(h)
    """
    t = _c_ll()
    _call("cublasdxCreateTensor", handle, int(tensor_type), ctypes.byref(t))
    return t.value


def cublasdx_create_tensor_strided(
    memory_space: CublasdxMemorySpace,
    value_type: CommondxValueType,
    ptr: int | None,
    shape: Sequence[int],
    stride: Sequence[int],
) -> int:
    """``cublasdxCreateTensorStrided``: a tensor of rank ``len(shape)`` with the given shape and strides.

    An entry of ``shape`` or ``stride`` may be :data:`LIBMATHDX_RUNTIME` (given on the device instead).
    ``ptr`` must be None or 0: only ``NULL`` is supported, and libmathdx 0.4.1 does not check it
    itself, so this function raises ``ValueError`` for anything else.

    Example:
        >>> t = cublasdx_create_tensor_strided(
        ...     CublasdxMemorySpace.GMEM, CommondxValueType.R_32F, None, [32, 64], [1, LIBMATHDX_RUNTIME]
        ... )
        >>> cublasdx_destroy_tensor(t)
    """
    if ptr not in (None, 0):
        raise ValueError(f"ptr must be None or 0 (libmathdx supports only NULL), got {ptr!r}")
    if len(shape) != len(stride):
        raise ValueError(f"shape and stride must have the same length, got {len(shape)} and {len(stride)}")
    rank = len(shape)
    shape_arr = (_c_ll * rank)(*[int(v) for v in shape])
    stride_arr = (_c_ll * rank)(*[int(v) for v in stride])
    t = _c_ll()
    _call(
        "cublasdxCreateTensorStrided",
        int(memory_space),
        int(value_type),
        None,
        rank,
        shape_arr,
        stride_arr,
        ctypes.byref(t),
    )
    return t.value


def cublasdx_make_tensor_like(tensor: int, value_type: CommondxValueType) -> int:
    """``cublasdxMakeTensorLike``: a tensor with the layout of ``tensor`` and another value type.

    Example:
        >>> t = cublasdx_create_tensor_strided(CublasdxMemorySpace.SMEM, CommondxValueType.R_32F, None, [32], [1])
        >>> t16 = cublasdx_make_tensor_like(t, CommondxValueType.R_16F)
        >>> cublasdx_destroy_tensor(t16)
        >>> cublasdx_destroy_tensor(t)
    """
    out = _c_ll()
    _call("cublasdxMakeTensorLike", tensor, int(value_type), ctypes.byref(out))
    return out.value


def cublasdx_destroy_tensor(tensor: int) -> None:
    """``cublasdxDestroyTensor``.

    Example:
        >>> t = cublasdx_create_tensor_strided(CublasdxMemorySpace.SMEM, CommondxValueType.R_32F, None, [8], [1])
        >>> cublasdx_destroy_tensor(t)
    """
    _call("cublasdxDestroyTensor", tensor)


def cublasdx_set_tensor_option_int64(tensor: int, option: CublasdxTensorOption, value: int) -> None:
    """``cublasdxSetTensorOptionInt64``, e.g. ``ALIGNMENT_BYTES`` (before :func:`cublasdx_finalize_tensors`).

    In libmathdx 0.4.1 ``ALIGNMENT_BYTES`` is accepted for global memory tensors only (``INVALID_VALUE``
    otherwise).

    Example:
        >>> t = cublasdx_create_tensor_strided(
        ...     CublasdxMemorySpace.GMEM, CommondxValueType.R_32F, None, [32, 64], [1, LIBMATHDX_RUNTIME]
        ... )
        >>> cublasdx_set_tensor_option_int64(t, CublasdxTensorOption.ALIGNMENT_BYTES, 16)
        >>> cublasdx_destroy_tensor(t)
    """
    _call("cublasdxSetTensorOptionInt64", tensor, int(option), int(value))


def cublasdx_set_tensor_option_str(tensor: int, option: CommondxOption, value: str) -> None:
    """``cublasdxSetTensorOptionStr`` (a :class:`CommondxOption`, before :func:`cublasdx_finalize_tensors`).

    Example:
        >>> t = cublasdx_create_tensor_strided(CublasdxMemorySpace.SMEM, CommondxValueType.R_32F, None, [8], [1])
        >>> cublasdx_set_tensor_option_str(t, CommondxOption.EXTRA_NVRTC_ARGS, "-lineinfo")
        >>> cublasdx_destroy_tensor(t)
    """
    _call("cublasdxSetTensorOptionStr", tensor, int(option), value.encode())


def cublasdx_set_tensor_option_strs(tensor: int, option: CommondxOption, values: Sequence[str]) -> None:
    """``cublasdxSetTensorOptionStrs``.

    Example:
        >>> t = cublasdx_create_tensor_strided(CublasdxMemorySpace.SMEM, CommondxValueType.R_32F, None, [8], [1])
        >>> cublasdx_set_tensor_option_strs(t, CommondxOption.EXTRA_NVRTC_ARGS, ["-lineinfo"])
        >>> cublasdx_destroy_tensor(t)
    """
    arr = (_c_char_p * len(values))(*[v.encode() for v in values])
    _call("cublasdxSetTensorOptionStrs", tensor, int(option), len(values), arr)


def cublasdx_destroy_pipeline(pipeline: int) -> None:
    """``cublasdxDestroyPipeline``: destroy a device or tile pipeline.

    Example:
        >>> # p, tp: as in the example of cublasdx_create_device_pipeline
        >>> cublasdx_destroy_pipeline(tp)  # doctest: +SKIP
        >>> cublasdx_destroy_pipeline(p)  # doctest: +SKIP
    """
    _call("cublasdxDestroyPipeline", pipeline)


def cublasdx_create_device_pipeline(
    handle: int,
    pipeline_type: CublasdxDevicePipelineType,
    depth: int,
    block_size_strategy: CublasdxBlockSizeStrategy,
    tensor_a: int,
    tensor_b: int,
) -> int:
    """``cublasdxCreateDevicePipeline``: a device pipeline over the global memory matrices A and B.

    ``depth`` may be :data:`LIBMATHDX_MAX_PIPELINE_DEPTH` (as deep as shared memory allows). The
    descriptor needs ``API=TENSORS`` and ``WITH_PIPELINE=1``.

    Example:
        >>> h = cublasdx_create_descriptor()
        >>> O = CublasdxOperatorType
        >>> for op, value in [(O.FUNCTION, CublasdxFunction.MM), (O.EXECUTION, CommondxExecution.BLOCK),
        ...                   (O.SM, 900), (O.API, CublasdxApi.TENSORS), (O.WITH_PIPELINE, 1)]:
        ...     cublasdx_set_operator_int64(h, op, value)
        >>> cublasdx_set_operator_int64s(h, O.SIZE, [32, 16, 64])
        >>> cublasdx_set_operator_int64s(h, O.PRECISION, [CommondxPrecision.F32] * 3)
        >>> cublasdx_set_operator_int64s(h, O.BLOCK_DIM, [128, 1, 1])
        >>> R = LIBMATHDX_RUNTIME
        >>> a = cublasdx_create_tensor_strided(CublasdxMemorySpace.GMEM, CommondxValueType.R_32F, None, [R, R], [1, R])
        >>> b = cublasdx_create_tensor_strided(CublasdxMemorySpace.GMEM, CommondxValueType.R_32F, None, [R, R], [1, R])
        >>> p = cublasdx_create_device_pipeline(h, CublasdxDevicePipelineType.SUGGESTED, LIBMATHDX_MAX_PIPELINE_DEPTH,
        ...                                     CublasdxBlockSizeStrategy.FIXED, a, b)
        >>> tp = cublasdx_create_tile_pipeline(h, CublasdxTilePipelineType.DEFAULT, p)
        >>> cublasdx_finalize_pipelines([p, tp])  # doctest: +SKIP
        >>> cublasdx_get_pipeline_trait_int64s(p, CublasdxPipelineTrait.BLOCK_DIM, 3)  # doctest: +SKIP
        (128, 1, 1)
        >>> cublasdx_destroy_pipeline(tp)
        >>> cublasdx_destroy_pipeline(p)
        >>> cublasdx_destroy_tensor(a)
        >>> cublasdx_destroy_tensor(b)
        >>> cublasdx_destroy_descriptor(h)
    """
    p = _c_ll()
    _call(
        "cublasdxCreateDevicePipeline",
        handle,
        int(pipeline_type),
        int(depth),
        int(block_size_strategy),
        tensor_a,
        tensor_b,
        ctypes.byref(p),
    )
    return p.value


def cublasdx_create_tile_pipeline(handle: int, pipeline_type: CublasdxTilePipelineType, device_pipeline: int) -> int:
    """``cublasdxCreateTilePipeline``: a tile pipeline of a device pipeline.

    Example:
        >>> # h, p: as in the example of cublasdx_create_device_pipeline
        >>> tp = cublasdx_create_tile_pipeline(h, CublasdxTilePipelineType.DEFAULT, p)  # doctest: +SKIP
    """
    p = _c_ll()
    _call("cublasdxCreateTilePipeline", handle, int(pipeline_type), device_pipeline, ctypes.byref(p))
    return p.value


def cublasdx_set_pipeline_option_str(pipeline: int, option: CommondxOption, value: str) -> None:
    """``cublasdxSetPipelineOptionStr`` (before :func:`cublasdx_finalize_pipelines`).

    Example:
        >>> # p: as in the example of cublasdx_create_device_pipeline
        >>> cublasdx_set_pipeline_option_str(p, CommondxOption.EXTRA_NVRTC_ARGS, "-lineinfo")  # doctest: +SKIP
    """
    _call("cublasdxSetPipelineOptionStr", pipeline, int(option), value.encode())


def cublasdx_set_pipeline_option_strs(pipeline: int, option: CommondxOption, values: Sequence[str]) -> None:
    """``cublasdxSetPipelineOptionStrs``.

    Example:
        >>> # p: as in the example of cublasdx_create_device_pipeline
        >>> cublasdx_set_pipeline_option_strs(p, CommondxOption.EXTRA_NVRTC_ARGS, ["-lineinfo"])  # doctest: +SKIP
    """
    arr = (_c_char_p * len(values))(*[v.encode() for v in values])
    _call("cublasdxSetPipelineOptionStrs", pipeline, int(option), len(values), arr)


def cublasdx_finalize_tensors(tensors: Sequence[int]) -> None:
    """``cublasdxFinalizeTensors``: needed before tensor traits; one compile (seconds) for all ``tensors``.

    Example:
        >>> h = cublasdx_create_descriptor()
        >>> O = CublasdxOperatorType
        >>> for op, value in [(O.FUNCTION, CublasdxFunction.MM), (O.EXECUTION, CommondxExecution.BLOCK),
        ...                   (O.SM, 900), (O.API, CublasdxApi.TENSORS)]:
        ...     cublasdx_set_operator_int64(h, op, value)
        >>> cublasdx_set_operator_int64s(h, O.SIZE, [32, 16, 64])
        >>> cublasdx_set_operator_int64s(h, O.PRECISION, [CommondxPrecision.F32] * 3)
        >>> cublasdx_set_operator_int64s(h, O.BLOCK_DIM, [128, 1, 1])
        >>> a = cublasdx_create_tensor(h, CublasdxTensorType.SUGGESTED_SMEM_A)
        >>> c = cublasdx_create_tensor(h, CublasdxTensorType.SUGGESTED_RMEM_C)
        >>> cublasdx_finalize_tensors([a, c])  # doctest: +SKIP
        >>> cublasdx_get_tensor_trait_int64(a, CublasdxTensorTrait.STORAGE_BYTES)  # doctest: +SKIP
        8192
        >>> cublasdx_get_tensor_trait_int64(c, CublasdxTensorTrait.MEMORY_SPACE)  # doctest: +SKIP
        0
        >>> cublasdx_destroy_tensor(a)
        >>> cublasdx_destroy_tensor(c)
        >>> cublasdx_destroy_descriptor(h)
    """
    arr = (_c_ll * len(tensors))(*tensors)
    _call("cublasdxFinalizeTensors", len(tensors), arr)


def cublasdx_finalize_pipelines(pipelines: Sequence[int]) -> None:
    """``cublasdxFinalizePipelines``: needed before pipeline traits (a compile, seconds).

    Example:
        >>> # p, tp: as in the example of cublasdx_create_device_pipeline
        >>> cublasdx_finalize_pipelines([p, tp])  # doctest: +SKIP
    """
    arr = (_c_ll * len(pipelines))(*pipelines)
    _call("cublasdxFinalizePipelines", len(pipelines), arr)


def cublasdx_finalize(tensors: Sequence[int], pipelines: Sequence[int]) -> None:
    """``cublasdxFinalize``: :func:`cublasdx_finalize_tensors` and :func:`cublasdx_finalize_pipelines` in one.

    Example:
        >>> # a, b, p, tp: as in the example of cublasdx_create_device_pipeline
        >>> cublasdx_finalize([a, b], [p, tp])  # doctest: +SKIP
    """
    t_arr = (_c_ll * len(tensors))(*tensors)
    p_arr = (_c_ll * len(pipelines))(*pipelines)
    _call("cublasdxFinalize", len(tensors), t_arr, len(pipelines), p_arr)


def cublasdx_get_tensor_trait_int64(tensor: int, trait: CublasdxTensorTrait) -> int:
    """``cublasdxGetTensorTraitInt64`` of a finalized tensor, e.g. ``STORAGE_BYTES`` or ``MEMORY_SPACE``.

    Before :func:`cublasdx_finalize_tensors` this fails with ``INVALID_VALUE``. A global memory
    tensor has ``STORAGE_BYTES`` and ``LOGICAL_SIZE`` 0 (its size is known at run time only).

    Example:
        >>> # a: as in the example of cublasdx_finalize_tensors
        >>> cublasdx_get_tensor_trait_int64(a, CublasdxTensorTrait.MEMORY_SPACE)  # doctest: +SKIP
        1
    """
    v = _c_ll()
    _call("cublasdxGetTensorTraitInt64", tensor, int(trait), ctypes.byref(v))
    return v.value


def cublasdx_get_tensor_trait_str(tensor: int, trait: CublasdxTensorTrait) -> str:
    """``cublasdxGetTensorTraitStrSize`` + ``cublasdxGetTensorTraitStr``: ``OPAQUE_NAME``, the only string trait.

    Example:
        >>> # a: as in the example of cublasdx_finalize_tensors
        >>> cublasdx_get_tensor_trait_str(a, CublasdxTensorTrait.OPAQUE_NAME)  # doctest: +SKIP
        '54d89b265f4a069c'
    """
    v = _c_size()
    _call("cublasdxGetTensorTraitStrSize", tensor, int(trait), ctypes.byref(v))
    buf = ctypes.create_string_buffer(v.value)
    _call("cublasdxGetTensorTraitStr", tensor, int(trait), v.value, buf)
    return buf.value.decode()


def cublasdx_get_pipeline_trait_int64(pipeline: int, trait: CublasdxPipelineTrait) -> int:
    """``cublasdxGetPipelineTraitInt64`` of a finalized pipeline, e.g. ``BUFFER_SIZE`` (shared memory bytes).

    Example:
        >>> # p: as in the example of cublasdx_create_device_pipeline, finalized
        >>> cublasdx_get_pipeline_trait_int64(p, CublasdxPipelineTrait.BUFFER_SIZE) > 0  # doctest: +SKIP
        True
    """
    v = _c_ll()
    _call("cublasdxGetPipelineTraitInt64", pipeline, int(trait), ctypes.byref(v))
    return v.value


def cublasdx_get_pipeline_trait_int64s(pipeline: int, trait: CublasdxPipelineTrait, count: int) -> tuple[int, ...]:
    """``cublasdxGetPipelineTraitInt64s``: ``BLOCK_DIM`` with ``count=3`` (``(0, 0, 0)`` for a tile pipeline).

    Example:
        >>> # p: as in the example of cublasdx_create_device_pipeline, finalized
        >>> cublasdx_get_pipeline_trait_int64s(p, CublasdxPipelineTrait.BLOCK_DIM, 3)  # doctest: +SKIP
        (128, 1, 1)
    """
    arr = (_c_ll * count)()
    _call("cublasdxGetPipelineTraitInt64s", pipeline, int(trait), count, arr)
    return tuple(arr)


def cublasdx_get_pipeline_trait_str(pipeline: int, trait: CublasdxPipelineTrait) -> str:
    """``cublasdxGetPipelineTraitStrSize`` + ``cublasdxGetPipelineTraitStr``: ``OPAQUE_NAME``.

    Example:
        >>> # p: as in the example of cublasdx_create_device_pipeline, finalized
        >>> len(cublasdx_get_pipeline_trait_str(p, CublasdxPipelineTrait.OPAQUE_NAME)) > 0  # doctest: +SKIP
        True
    """
    v = _c_size()
    _call("cublasdxGetPipelineTraitStrSize", pipeline, int(trait), ctypes.byref(v))
    buf = ctypes.create_string_buffer(v.value)
    _call("cublasdxGetPipelineTraitStr", pipeline, int(trait), v.value, buf)
    return buf.value.decode()


def cublasdx_create_device_function(
    handle: int, function_type: CublasdxDeviceFunctionType, tensors: Sequence[int]
) -> int:
    """``cublasdxCreateDeviceFunction``: a device function over ``tensors`` (``handle`` may be :data:`LIBMATHDX_NONE`).

    Example:
        >>> wait = cublasdx_create_device_function(LIBMATHDX_NONE, CublasdxDeviceFunctionType.COPY_WAIT, [])
        >>> cublasdx_get_device_function_trait_str(wait, CublasdxDeviceFunctionTrait.SYMBOL).startswith("cublasdx_")
        True
        >>> cublasdx_destroy_device_function(wait)
    """
    arr = (_c_ll * len(tensors))(*tensors)
    f = _c_ll()
    _call("cublasdxCreateDeviceFunction", handle, int(function_type), len(tensors), arr, ctypes.byref(f))
    return f.value


def cublasdx_create_device_function_with_pipelines(
    handle: int, function_type: CublasdxDeviceFunctionType, tensors: Sequence[int], pipelines: Sequence[int]
) -> int:
    """``cublasdxCreateDeviceFunctionWithPipelines``: a device function over ``tensors`` and ``pipelines``.

    Example:
        >>> # h, tp: as in the example of cublasdx_create_device_pipeline
        >>> acc = cublasdx_create_tensor(h, CublasdxTensorType.SUGGESTED_ACCUMULATOR_C)  # doctest: +SKIP
        >>> f = cublasdx_create_device_function_with_pipelines(  # doctest: +SKIP
        ...     h, CublasdxDeviceFunctionType.EXECUTE, [acc], [tp]
        ... )
    """
    t_arr = (_c_ll * len(tensors))(*tensors)
    p_arr = (_c_ll * len(pipelines))(*pipelines)
    f = _c_ll()
    _call(
        "cublasdxCreateDeviceFunctionWithPipelines",
        handle,
        int(function_type),
        len(tensors),
        t_arr,
        len(pipelines),
        p_arr,
        ctypes.byref(f),
    )
    return f.value


def cublasdx_destroy_device_function(function: int) -> None:
    """``cublasdxDestroyDeviceFunction``.

    Example:
        >>> f = cublasdx_create_device_function(LIBMATHDX_NONE, CublasdxDeviceFunctionType.COPY_WAIT, [])
        >>> cublasdx_destroy_device_function(f)
    """
    _call("cublasdxDestroyDeviceFunction", function)


def cublasdx_finalize_device_functions(code: int, functions: Sequence[int]) -> None:
    """``cublasdxFinalizeDeviceFunctions``: generate the code of ``functions`` into ``code`` (one compile).

    The LTO-IR of all the functions comes out as one chunk (:func:`commondx_get_code_ltoirs`).

    Example:
        >>> h = cublasdx_create_descriptor()
        >>> O = CublasdxOperatorType
        >>> for op, value in [(O.FUNCTION, CublasdxFunction.MM), (O.EXECUTION, CommondxExecution.BLOCK),
        ...                   (O.SM, 900), (O.API, CublasdxApi.TENSORS)]:
        ...     cublasdx_set_operator_int64(h, op, value)
        >>> cublasdx_set_operator_int64s(h, O.SIZE, [32, 16, 64])
        >>> cublasdx_set_operator_int64s(h, O.PRECISION, [CommondxPrecision.F32] * 3)
        >>> cublasdx_set_operator_int64s(h, O.BLOCK_DIM, [128, 1, 1])
        >>> c = cublasdx_create_tensor(h, CublasdxTensorType.SUGGESTED_RMEM_C)
        >>> clear = cublasdx_create_device_function(h, CublasdxDeviceFunctionType.CLEAR, [c])
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> cublasdx_finalize_device_functions(code, [clear])  # doctest: +SKIP
        >>> len(commondx_get_code_ltoirs(code))  # doctest: +SKIP
        1
        >>> commondx_destroy_code(code)
        >>> cublasdx_destroy_device_function(clear)
        >>> cublasdx_destroy_tensor(c)
        >>> cublasdx_destroy_descriptor(h)
    """
    arr = (_c_ll * len(functions))(*functions)
    _call("cublasdxFinalizeDeviceFunctions", code, len(functions), arr)


def cublasdx_get_device_function_trait_str(function: int, trait: CublasdxDeviceFunctionTrait) -> str:
    """``cublasdxGetDeviceFunctionTraitStrSize`` + ``cublasdxGetDeviceFunctionTraitStr``: ``SYMBOL``.

    The header asks for a finalized function; libmathdx 0.4.1 answers ``SYMBOL`` right after creation
    (the same name as after :func:`cublasdx_finalize_device_functions`).

    Example:
        >>> f = cublasdx_create_device_function(LIBMATHDX_NONE, CublasdxDeviceFunctionType.COPY_WAIT, [])
        >>> cublasdx_set_device_function_option_str(f, CublasdxDeviceFunctionOption.SYMBOL_NAME, "my_wait")
        >>> cublasdx_get_device_function_trait_str(f, CublasdxDeviceFunctionTrait.SYMBOL)
        'my_wait'
        >>> cublasdx_destroy_device_function(f)
    """
    v = _c_size()
    _call("cublasdxGetDeviceFunctionTraitStrSize", function, int(trait), ctypes.byref(v))
    buf = ctypes.create_string_buffer(v.value)
    _call("cublasdxGetDeviceFunctionTraitStr", function, int(trait), v.value, buf)
    return buf.value.decode()


def cublasdx_set_device_function_option_int64(function: int, option: CublasdxDeviceFunctionOption, value: int) -> None:
    """``cublasdxSetDeviceFunctionOptionInt64``, e.g. ``COPY_ALIGNMENT`` or ``NUM_THREADS``.

    Example:
        >>> f = cublasdx_create_device_function(LIBMATHDX_NONE, CublasdxDeviceFunctionType.COPY_WAIT, [])
        >>> cublasdx_set_device_function_option_int64(f, CublasdxDeviceFunctionOption.COPY_ALIGNMENT, 16)
        >>> cublasdx_destroy_device_function(f)
    """
    _call("cublasdxSetDeviceFunctionOptionInt64", function, int(option), int(value))


def cublasdx_set_device_function_option_str(function: int, option: CublasdxDeviceFunctionOption, value: str) -> None:
    """``cublasdxSetDeviceFunctionOptionStr``, e.g. ``SYMBOL_NAME`` or ``CALLBACK``.

    Example:
        >>> f = cublasdx_create_device_function(LIBMATHDX_NONE, CublasdxDeviceFunctionType.COPY_WAIT, [])
        >>> cublasdx_set_device_function_option_str(f, CublasdxDeviceFunctionOption.SYMBOL_NAME, "my_wait")
        >>> cublasdx_destroy_device_function(f)
    """
    _call("cublasdxSetDeviceFunctionOptionStr", function, int(option), value.encode())


def cublasdx_get_ltoir_size(handle: int) -> int:
    """``cublasdxGetLTOIRSize`` in bytes: the first call compiles (seconds, even after :func:`cublasdx_finalize_code`).

    Example:
        >>> # h: as in the example of cublasdx_get_trait_int64s
        >>> cublasdx_get_ltoir_size(h) > 0  # doctest: +SKIP
        True
    """
    v = _c_size()
    _call("cublasdxGetLTOIRSize", handle, ctypes.byref(v))
    return v.value


def cublasdx_get_ltoir(handle: int) -> bytes:
    """``cublasdxGetLTOIRSize`` + ``cublasdxGetLTOIR``: the descriptor's LTO-IR bytes (a compile the first time).

    Example:
        >>> # h: as in the example of cublasdx_get_trait_int64s
        >>> cublasdx_get_ltoir(h)[:4]  # doctest: +SKIP
        b'\\xedCN\\x7f'
    """
    size = cublasdx_get_ltoir_size(handle)
    buf = ctypes.create_string_buffer(size)
    _call("cublasdxGetLTOIR", handle, size, buf)
    return buf.raw


def cublasdx_get_trait_str(handle: int, trait: CublasdxTraitType) -> str:
    """``cublasdxGetTraitStrSize`` + ``cublasdxGetTraitStr``: ``SYMBOL_NAME``.

    Example:
        >>> # h: as in the example of cublasdx_get_trait_int64s, and before its first trait query:
        >>> cublasdx_set_option_str(h, CommondxOption.SYMBOL_NAME, "my_gemm")  # doctest: +SKIP
        >>> cublasdx_get_trait_str(h, CublasdxTraitType.SYMBOL_NAME)  # doctest: +SKIP
        'my_gemm'
    """
    v = _c_size()
    _call("cublasdxGetTraitStrSize", handle, int(trait), ctypes.byref(v))
    buf = ctypes.create_string_buffer(v.value)
    _call("cublasdxGetTraitStr", handle, int(trait), v.value, buf)
    return buf.value.decode()


def cublasdx_get_trait_int64(handle: int, trait: CublasdxTraitType) -> int:
    """``cublasdxGetTraitInt64``: ``MAX_THREADS_PER_BLOCK`` (or ``BLOCK_SIZE``, see below).

    With libmathdx 0.4.1 ``BLOCK_SIZE`` fails with ``INTERNAL_ERROR`` (no error text): use
    ``MAX_THREADS_PER_BLOCK`` or the product of the ``BLOCK_DIM`` trait instead. The first trait
    query of a descriptor compiles (NVRTC, seconds) and locks the descriptor.

    Example:
        >>> # h: as in the example of cublasdx_get_trait_int64s
        >>> cublasdx_get_trait_int64(h, CublasdxTraitType.MAX_THREADS_PER_BLOCK)  # doctest: +SKIP
        64
    """
    v = _c_ll()
    _call("cublasdxGetTraitInt64", handle, int(trait), ctypes.byref(v))
    return v.value


def cublasdx_get_trait_int64s(handle: int, trait: CublasdxTraitType, count: int) -> tuple[int, ...]:
    """``cublasdxGetTraitInt64s``, e.g. ``SUGGESTED_BLOCK_DIM`` or ``LEADING_DIMENSION`` with ``count=3``.

    ``count`` must be the trait's length (``INVALID_VALUE`` otherwise). The first trait query of a
    descriptor compiles (NVRTC, seconds) and locks the descriptor. In libmathdx 0.4.1 descriptors
    with ``API=TENSORS`` answer no descriptor trait (``INTERNAL_ERROR``, no error text).

    Example:
        >>> h = cublasdx_create_descriptor()
        >>> O = CublasdxOperatorType
        >>> for op, value in [(O.FUNCTION, CublasdxFunction.MM), (O.EXECUTION, CommondxExecution.BLOCK),
        ...                   (O.SM, 900), (O.API, CublasdxApi.SMEM)]:
        ...     cublasdx_set_operator_int64(h, op, value)
        >>> cublasdx_set_operator_int64s(h, O.SIZE, [32, 16, 64])
        >>> cublasdx_set_operator_int64s(h, O.PRECISION, [CommondxPrecision.F32] * 3)
        >>> cublasdx_set_operator_int64s(h, O.ARRANGEMENT, [CublasdxArrangement.ROW_MAJOR, 0, 0])
        >>> cublasdx_get_trait_int64s(h, CublasdxTraitType.SUGGESTED_BLOCK_DIM, 3)  # doctest: +SKIP
        (64, 1, 1)
        >>> cublasdx_get_trait_int64s(h, CublasdxTraitType.LEADING_DIMENSION, 3)  # doctest: +SKIP
        (64, 64, 32)
        >>> cublasdx_destroy_descriptor(h)
    """
    arr = (_c_ll * count)()
    _call("cublasdxGetTraitInt64s", handle, int(trait), count, arr)
    return tuple(arr)


def cublasdx_get_trait_commondx_data_types(
    handle: int, trait: CublasdxTraitType, count: int
) -> tuple[CommondxValueType, ...]:
    """``cublasdxGetTraitCommondxDataTypes``: ``VALUE_TYPE`` with ``count=3`` (A, B, C).

    Example:
        >>> # h: as in the example of cublasdx_get_trait_int64s
        >>> cublasdx_get_trait_commondx_data_types(h, CublasdxTraitType.VALUE_TYPE, 3)  # doctest: +SKIP
        (<CommondxValueType.R_32F: 12>, <CommondxValueType.R_32F: 12>, <CommondxValueType.R_32F: 12>)
    """
    arr = (_c_int * count)()
    _call("cublasdxGetTraitCommondxDataTypes", handle, int(trait), count, arr)
    return tuple(CommondxValueType(v) for v in arr)


def cublasdx_finalize_code(code: int, handle: int) -> None:
    """``cublasdxFinalizeCode``: generate the device code of ``handle`` into ``code`` (a compile, seconds).

    Example:
        >>> # h: as in the example of cublasdx_get_trait_int64s
        >>> code = commondx_create_code()
        >>> commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        >>> cublasdx_finalize_code(code, h)  # doctest: +SKIP
        >>> len(commondx_get_code_ltoirs(code))  # doctest: +SKIP
        1
        >>> commondx_destroy_code(code)
    """
    _call("cublasdxFinalizeCode", code, handle)


def cublasdx_operator_type_to_str(value: CublasdxOperatorType) -> str:
    """``cublasdxOperatorTypeToStr``.

    Example:
        >>> cublasdx_operator_type_to_str(CublasdxOperatorType.SIZE)
        'CUBLASDX_OPERATOR_SIZE'
    """
    return _enum_str("cublasdxOperatorTypeToStr", value, CublasdxOperatorType, "value")


def cublasdx_trait_type_to_str(value: CublasdxTraitType) -> str:
    """``cublasdxTraitTypeToStr``.

    Example:
        >>> cublasdx_trait_type_to_str(CublasdxTraitType.SUGGESTED_BLOCK_DIM)
        'CUBLASDX_TRAIT_SUGGESTED_BLOCK_DIM'
    """
    return _enum_str("cublasdxTraitTypeToStr", value, CublasdxTraitType, "value")


def cublasdx_api_to_str(value: CublasdxApi) -> str:
    """``cublasdxApiToStr``.

    Example:
        >>> cublasdx_api_to_str(CublasdxApi.TENSORS)
        'CUBLASDX_API_TENSORS'
    """
    return _enum_str("cublasdxApiToStr", value, CublasdxApi, "value")


def cublasdx_type_to_str(value: CublasdxType) -> str:
    """``cublasdxTypeToStr``.

    Example:
        >>> cublasdx_type_to_str(CublasdxType.REAL)
        'CUBLASDX_TYPE_REAL'
    """
    return _enum_str("cublasdxTypeToStr", value, CublasdxType, "value")


def cublasdx_transpose_mode_to_str(value: CublasdxTransposeMode) -> str:
    """``cublasdxTransposeModeToStr``.

    Example:
        >>> cublasdx_transpose_mode_to_str(CublasdxTransposeMode.TRANSPOSED)
        'CUBLASDX_TRANSPOSE_MODE_TRANSPOSED'
    """
    return _enum_str("cublasdxTransposeModeToStr", value, CublasdxTransposeMode, "value")


def cublasdx_arrangement_to_str(value: CublasdxArrangement) -> str:
    """``cublasdxArrangementToStr``.

    Example:
        >>> cublasdx_arrangement_to_str(CublasdxArrangement.ROW_MAJOR)
        'CUBLASDX_ARRANGEMENT_ROW_MAJOR'
    """
    return _enum_str("cublasdxArrangementToStr", value, CublasdxArrangement, "value")


def cublasdx_function_to_str(value: CublasdxFunction) -> str:
    """``cublasdxFunctionToStr``.

    Example:
        >>> cublasdx_function_to_str(CublasdxFunction.MM)
        'CUBLASDX_FUNCTION_MM'
    """
    return _enum_str("cublasdxFunctionToStr", value, CublasdxFunction, "value")


def cublasdx_tensor_type_to_str(value: CublasdxTensorType) -> str:
    """``cublasdxTensorTypeToStr``.

    Example:
        >>> cublasdx_tensor_type_to_str(CublasdxTensorType.SUGGESTED_SMEM_A)
        'CUBLASDX_TENSOR_SUGGESTED_SMEM_A'
    """
    return _enum_str("cublasdxTensorTypeToStr", value, CublasdxTensorType, "value")


def cublasdx_block_size_strategy_to_str(value: CublasdxBlockSizeStrategy) -> str:
    """``cublasdxBlockSizeStrategyToStr``.

    Example:
        >>> cublasdx_block_size_strategy_to_str(CublasdxBlockSizeStrategy.FIXED)
        'CUBLASDX_BLOCK_SIZE_STRATEGY_FIXED'
    """
    return _enum_str("cublasdxBlockSizeStrategyToStr", value, CublasdxBlockSizeStrategy, "value")


def cublasdx_device_pipeline_type_to_str(value: CublasdxDevicePipelineType) -> str:
    """``cublasdxDevicePipelineTypeToStr``.

    Example:
        >>> cublasdx_device_pipeline_type_to_str(CublasdxDevicePipelineType.SUGGESTED)
        'CUBLASDX_DEVICE_PIPELINE_SUGGESTED'
    """
    return _enum_str("cublasdxDevicePipelineTypeToStr", value, CublasdxDevicePipelineType, "value")


def cublasdx_tile_pipeline_type_to_str(value: CublasdxTilePipelineType) -> str:
    """``cublasdxTilePipelineTypeToStr``.

    Example:
        >>> cublasdx_tile_pipeline_type_to_str(CublasdxTilePipelineType.DEFAULT)
        'CUBLASDX_TILE_PIPELINE_DEFAULT'
    """
    return _enum_str("cublasdxTilePipelineTypeToStr", value, CublasdxTilePipelineType, "value")


def cublasdx_tensor_option_to_str(value: CublasdxTensorOption) -> str:
    """``cublasdxTensorOptionToStr``.

    Example:
        >>> cublasdx_tensor_option_to_str(CublasdxTensorOption.ALIGNMENT_BYTES)
        'CUBLASDX_TENSOR_OPTION_ALIGNMENT_BYTES'
    """
    return _enum_str("cublasdxTensorOptionToStr", value, CublasdxTensorOption, "value")


def cublasdx_tensor_trait_to_str(value: CublasdxTensorTrait) -> str:
    """``cublasdxTensorTraitToStr``.

    Example:
        >>> cublasdx_tensor_trait_to_str(CublasdxTensorTrait.OPAQUE_NAME)
        'CUBLASDX_TENSOR_TRAIT_OPAQUE_NAME'
    """
    return _enum_str("cublasdxTensorTraitToStr", value, CublasdxTensorTrait, "value")


def cublasdx_pipeline_trait_to_str(value: CublasdxPipelineTrait) -> str:
    """``cublasdxPipelineTraitToStr``.

    Example:
        >>> cublasdx_pipeline_trait_to_str(CublasdxPipelineTrait.BLOCK_DIM)
        'CUBLASDX_PIPELINE_TRAIT_BLOCK_DIM'
    """
    return _enum_str("cublasdxPipelineTraitToStr", value, CublasdxPipelineTrait, "value")


def cublasdx_device_function_trait_to_str(value: CublasdxDeviceFunctionTrait) -> str:
    """``cublasdxDeviceFunctionTraitToStr``.

    Example:
        >>> cublasdx_device_function_trait_to_str(CublasdxDeviceFunctionTrait.SYMBOL)
        'CUBLASDX_DEVICE_FUNCTION_TRAIT_SYMBOL'
    """
    return _enum_str("cublasdxDeviceFunctionTraitToStr", value, CublasdxDeviceFunctionTrait, "value")


def cublasdx_device_function_option_to_str(value: CublasdxDeviceFunctionOption) -> str:
    """``cublasdxDeviceFunctionOptionToStr``.

    Example:
        >>> cublasdx_device_function_option_to_str(CublasdxDeviceFunctionOption.SYMBOL_NAME)
        'CUBLASDX_DEVICE_FUNCTION_OPTION_SYMBOL_NAME'
    """
    return _enum_str("cublasdxDeviceFunctionOptionToStr", value, CublasdxDeviceFunctionOption, "value")


def cublasdx_device_function_type_to_str(value: CublasdxDeviceFunctionType) -> str:
    """``cublasdxDeviceFunctionTypeToStr``.

    Example:
        >>> cublasdx_device_function_type_to_str(CublasdxDeviceFunctionType.COPY_WAIT)
        'CUBLASDX_DEVICE_FUNCTION_COPY_WAIT'
    """
    return _enum_str("cublasdxDeviceFunctionTypeToStr", value, CublasdxDeviceFunctionType, "value")


def cublasdx_memory_space_to_str(value: CublasdxMemorySpace) -> str:
    """``cublasdxMemorySpaceToStr``.

    Example:
        >>> cublasdx_memory_space_to_str(CublasdxMemorySpace.SMEM)
        'CUBLASDX_MEMORY_SPACE_SMEM'
    """
    return _enum_str("cublasdxMemorySpaceToStr", value, CublasdxMemorySpace, "value")


for _name in __all__:
    if inspect.isfunction(globals()[_name]):
        globals()[_name] = _with_handle_checks(globals()[_name])
del _name
