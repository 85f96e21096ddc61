"""Thin 1:1 ctypes binding of the cuBLASLt C API that a host matmul needs.

Each function maps to one C function of ``cublasLt.h`` (cuBLAS 13.10, CUDA 13) with the same
argument order and a snake_case name (``cublasLtMatmulDescSetAttribute`` ->
:func:`matmul_desc_set_attribute`). Handles, descriptors and pointers are Python ints (0 is
NULL); output arguments are returned. A status other than ``CUBLAS_STATUS_SUCCESS`` raises
:class:`cuBLASLtError` carrying cuBLAS's name of the status. The library is found through
``nvmath.compile.toolchain.load_library("cublasLt")`` (``cuda.pathfinder``; pip package
``nvidia-cublas``) on the first call: importing this module loads nothing.

Enum values are copied from ``cublasLt.h`` and ``cublas_api.h`` of the ``nvidia-cublas``
13.10.0.20 wheel (``tests/host/test_cublaslt_binding_cpu.py`` compares them with the installed
headers). Member names are the C names without their prefix (``CUBLASLT_MATMUL_DESC_EPILOGUE`` ->
``MatmulDescAttribute.EPILOGUE``); where that would start with a digit the last word of the prefix
stays (``ComputeType.COMPUTE_32F``, ``MatmulTile.TILE_8x8``, ``MatmulStages.STAGES_16x1``,
``ClusterShape.SHAPE_1x1x1``, ``IntegerWidth.WIDTH_32``), and ``CUBLASLT_GROUPED_MATRIX_LAYOUT_*``
are ``MatrixLayoutAttribute.GROUPED_*``: the names of nvmath-python's ``nvmath.bindings.cublasLt``
(this module is also ``nvmath.bindings.cublasLt``) and, for ``Status``, ``ComputeType`` and
``Operation``, of its ``nvmath.bindings.cublas``. The ``*_END`` sentinels are left out.
``DataType`` (``cudaDataType``) is :class:`nvmath.bindings.library_types.DataType`.

Attribute values are plain Python numbers: the ``*_set_attribute`` / ``*_get_attribute`` helpers
take the C type of each attribute from a table (:func:`attribute_ctype`), written from the type
line of each attribute's comment in ``cublasLt.h`` and checked against the storage size the
library reports (``sizeInBytes = 0``). One difference: the header documents the
``MatmulPreferenceAttribute.GROUPED_*`` attributes as ``uint32_t``, the library stores 8 bytes
and refuses 4 (``CUBLAS_STATUS_INVALID_VALUE``), so the table says ``uint64``.

Without a GPU (measured with no driver): the version and status-name queries, the heuristics
cache capacity, and every descriptor function (matmul descriptors, matrix layouts, matmul
preferences: create, set, get, destroy) and :func:`matmul_algo_config_set_attribute` /
:func:`matmul_algo_config_get_attribute` work. :func:`create` returns
``CUBLAS_STATUS_NOT_INITIALIZED``, and so does everything that takes the (NULL) handle.

Example:
    >>> from nvmath.bindings import cublaslt
    >>> cublaslt.Epilogue.RELU_BIAS
    <Epilogue.RELU_BIAS: 6>
    >>> cublaslt.attribute_ctype(cublaslt.MatrixLayoutAttribute.LD) is ctypes.c_int64
    True
    >>> TRANSA = cublaslt.MatmulDescAttribute.TRANSA
    >>> desc = cublaslt.matmul_desc_create(cublaslt.ComputeType.COMPUTE_32F, cublaslt.DataType.R_32F)  # doctest: +SKIP
    >>> cublaslt.matmul_desc_set_attribute(desc, TRANSA, cublaslt.Operation.T)  # doctest: +SKIP
    >>> cublaslt.matmul_desc_get_attribute(desc, TRANSA)  # doctest: +SKIP
    1
    >>> cublaslt.matmul_desc_destroy(desc)  # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import enum
import operator

from nvmath.bindings._ctypes import CLibrary
from nvmath.bindings.library_types import DataType

__all__ = [
    "BatchMode",
    "ClusterShape",
    "ComputeType",
    "DataType",
    "Epilogue",
    "FillMode",
    "IntegerWidth",
    "MatmulAlgo",
    "MatmulAlgoCapAttribute",
    "MatmulAlgoConfigAttribute",
    "MatmulBatchInvarianceFlags",
    "MatmulDescAttribute",
    "MatmulHeuristicResult",
    "MatmulInnerShape",
    "MatmulMatrixScale",
    "MatmulPreferenceAttribute",
    "MatmulSearch",
    "MatmulStages",
    "MatmulTile",
    "MatrixLayoutAttribute",
    "NumericalImplFlags",
    "Operation",
    "Order",
    "PointerMode",
    "PointerModeMask",
    "ReductionScheme",
    "Status",
    "attribute_ctype",
    "create",
    "cuBLASLtError",
    "destroy",
    "get_cudart_version",
    "get_status_name",
    "get_status_string",
    "get_version",
    "heuristics_cache_get_capacity",
    "heuristics_cache_set_capacity",
    "library",
    "matmul",
    "matmul_algo_cap_get_attribute",
    "matmul_algo_check",
    "matmul_algo_config_get_attribute",
    "matmul_algo_config_set_attribute",
    "matmul_algo_get_heuristic",
    "matmul_algo_get_ids",
    "matmul_algo_init",
    "matmul_desc_create",
    "matmul_desc_destroy",
    "matmul_desc_get_attribute",
    "matmul_desc_set_attribute",
    "matmul_function",
    "matmul_preference_create",
    "matmul_preference_destroy",
    "matmul_preference_get_attribute",
    "matmul_preference_set_attribute",
    "matrix_layout_create",
    "matrix_layout_destroy",
    "matrix_layout_get_attribute",
    "matrix_layout_set_attribute",
]


# --------------------------------------------------------------------------------------------
# Enums of cublas_api.h
# --------------------------------------------------------------------------------------------


class Status(enum.IntEnum):
    """``cublasStatus_t``: status codes of every cuBLAS and cuBLASLt function.

    Example:
        >>> Status(15).name
        'NOT_SUPPORTED'
    """

    SUCCESS = 0
    NOT_INITIALIZED = 1
    ALLOC_FAILED = 3
    INVALID_VALUE = 7
    ARCH_MISMATCH = 8
    MAPPING_ERROR = 11
    EXECUTION_FAILED = 13
    INTERNAL_ERROR = 14
    NOT_SUPPORTED = 15
    LICENSE_ERROR = 16


class ComputeType(enum.IntEnum):
    """``cublasComputeType_t``: the compute (accumulation) type of :func:`matmul_desc_create`.

    Example:
        >>> ComputeType.COMPUTE_32F_FAST_TF32
        <ComputeType.COMPUTE_32F_FAST_TF32: 77>
    """

    COMPUTE_16F = 64
    COMPUTE_16F_PEDANTIC = 65
    COMPUTE_32F = 68
    COMPUTE_32F_PEDANTIC = 69
    COMPUTE_32F_FAST_16F = 74
    COMPUTE_32F_FAST_16BF = 75
    COMPUTE_32F_FAST_TF32 = 77
    COMPUTE_32F_EMULATED_16BFX9 = 78
    COMPUTE_64F = 70
    COMPUTE_64F_PEDANTIC = 71
    COMPUTE_64F_EMULATED_FIXEDPOINT = 79
    COMPUTE_32I = 72
    COMPUTE_32I_PEDANTIC = 73


class Operation(enum.IntEnum):
    """``cublasOperation_t``: ``MatmulDescAttribute.TRANSA`` / ``TRANSB`` / ``TRANSC`` values.

    ``HERMITAN`` is an alias of ``C``; ``CONJG`` is a placeholder cuBLAS does not support.

    Example:
        >>> Operation.HERMITAN is Operation.C
        True
    """

    N = 0
    T = 1
    C = 2
    HERMITAN = 2
    CONJG = 3


class FillMode(enum.IntEnum):
    """``cublasFillMode_t``: ``MatmulDescAttribute.FILL_MODE`` values.

    Example:
        >>> FillMode.FULL
        <FillMode.FULL: 2>
    """

    LOWER = 0
    UPPER = 1
    FULL = 2


# --------------------------------------------------------------------------------------------
# Enums of cublasLt.h
# --------------------------------------------------------------------------------------------


class PointerMode(enum.IntEnum):
    """``cublasLtPointerMode_t``: where alpha and beta are (``MatmulDescAttribute.POINTER_MODE``).

    Example:
        >>> PointerMode.DEVICE
        <PointerMode.DEVICE: 1>
    """

    HOST = 0
    DEVICE = 1
    DEVICE_VECTOR = 2
    ALPHA_DEVICE_VECTOR_BETA_ZERO = 3
    ALPHA_DEVICE_VECTOR_BETA_HOST = 4


class PointerModeMask(enum.IntEnum):
    """``cublasLtPointerModeMask_t``: bits of ``MatmulAlgoCapAttribute.POINTER_MODE_MASK``.

    Example:
        >>> int(PointerModeMask.HOST | PointerModeMask.DEVICE)
        3
    """

    HOST = 1
    DEVICE = 2
    DEVICE_VECTOR = 4
    ALPHA_DEVICE_VECTOR_BETA_ZERO = 8
    ALPHA_DEVICE_VECTOR_BETA_HOST = 16


class Order(enum.IntEnum):
    """``cublasLtOrder_t``: memory order of a matrix (``MatrixLayoutAttribute.ORDER``).

    Example:
        >>> Order.ROW
        <Order.ROW: 1>
    """

    COL = 0
    ROW = 1
    COL32 = 2
    COL4_4R2_8C = 3
    COL32_2R_4R4 = 4


class BatchMode(enum.IntEnum):
    """``cublasLtBatchMode_t``: ``MatrixLayoutAttribute.BATCH_MODE`` values.

    Example:
        >>> BatchMode.STRIDED
        <BatchMode.STRIDED: 0>
    """

    STRIDED = 0
    POINTER_ARRAY = 1
    GROUPED = 2


class IntegerWidth(enum.IntEnum):
    """``cublasLtIntegerWidth_t``: element width of the grouped layouts' shape arrays (experimental).

    Example:
        >>> IntegerWidth.WIDTH_64
        <IntegerWidth.WIDTH_64: 1>
    """

    WIDTH_32 = 0
    WIDTH_64 = 1


class MatrixLayoutAttribute(enum.IntEnum):
    """``cublasLtMatrixLayoutAttribute_t``: see :func:`matrix_layout_set_attribute`.

    Example:
        >>> MatrixLayoutAttribute.STRIDED_BATCH_OFFSET
        <MatrixLayoutAttribute.STRIDED_BATCH_OFFSET: 6>
    """

    TYPE = 0
    ORDER = 1
    ROWS = 2
    COLS = 3
    LD = 4
    BATCH_COUNT = 5
    STRIDED_BATCH_OFFSET = 6
    PLANE_OFFSET = 7
    BATCH_MODE = 8
    GROUPED_ROWS_ARRAY = 9
    GROUPED_COLS_ARRAY = 10
    GROUPED_LD_ARRAY = 11
    GROUPED_ROWS_COLS_ARRAY_INTEGER_WIDTH = 12
    GROUPED_LD_ARRAY_INTEGER_WIDTH = 13


class MatmulDescAttribute(enum.IntEnum):
    """``cublasLtMatmulDescAttributes_t``: see :func:`matmul_desc_set_attribute`.

    There are no values 9, 16 and 27-30 (the CUDA 12 ``ATOMIC_SYNC_*`` attributes are gone).

    Example:
        >>> MatmulDescAttribute.EPILOGUE
        <MatmulDescAttribute.EPILOGUE: 7>
    """

    COMPUTE_TYPE = 0
    SCALE_TYPE = 1
    POINTER_MODE = 2
    TRANSA = 3
    TRANSB = 4
    TRANSC = 5
    FILL_MODE = 6
    EPILOGUE = 7
    BIAS_POINTER = 8
    BIAS_BATCH_STRIDE = 10
    EPILOGUE_AUX_POINTER = 11
    EPILOGUE_AUX_LD = 12
    EPILOGUE_AUX_BATCH_STRIDE = 13
    ALPHA_VECTOR_BATCH_STRIDE = 14
    SM_COUNT_TARGET = 15
    A_SCALE_POINTER = 17
    B_SCALE_POINTER = 18
    C_SCALE_POINTER = 19
    D_SCALE_POINTER = 20
    AMAX_D_POINTER = 21
    EPILOGUE_AUX_DATA_TYPE = 22
    EPILOGUE_AUX_SCALE_POINTER = 23
    EPILOGUE_AUX_AMAX_POINTER = 24
    FAST_ACCUM = 25
    BIAS_DATA_TYPE = 26
    A_SCALE_MODE = 31
    B_SCALE_MODE = 32
    C_SCALE_MODE = 33
    D_SCALE_MODE = 34
    EPILOGUE_AUX_SCALE_MODE = 35
    D_OUT_SCALE_POINTER = 36
    D_OUT_SCALE_MODE = 37
    EMULATION_DESCRIPTOR = 38
    ALPHA_BATCH_STRIDE = 39
    BETA_BATCH_STRIDE = 40
    BATCH_INVARIANCE_FLAGS = 41


class MatmulBatchInvarianceFlags(enum.IntEnum):
    """``cublasLtMatmulBatchInvarianceFlags_t``: ``MatmulDescAttribute.BATCH_INVARIANCE_FLAGS`` (experimental).

    Example:
        >>> MatmulBatchInvarianceFlags.UNSET
        <MatmulBatchInvarianceFlags.UNSET: 32768>
    """

    DISABLED = 0
    ALIGN_2B = 1
    ALIGN_4B = 2
    ALIGN_8B = 3
    ALIGN_16B = 4
    AUTO = 8
    UNSET = 32768


class Epilogue(enum.IntEnum):
    """``cublasLtEpilogue_t``: ``MatmulDescAttribute.EPILOGUE`` values.

    Composite values are ORs of bits: ``RELU_BIAS = RELU | BIAS``, ``*_AUX = * | 128``,
    ``DRELU = 8 | 128``, ``DGELU = 64 | 128``, ``*_BGRAD = * | 16``.

    Example:
        >>> Epilogue.GELU_AUX_BIAS == Epilogue.GELU | 128 | Epilogue.BIAS
        True
    """

    DEFAULT = 1
    RELU = 2
    RELU_AUX = 130
    BIAS = 4
    RELU_BIAS = 6
    RELU_AUX_BIAS = 134
    DRELU = 136
    DRELU_BGRAD = 152
    GELU = 32
    GELU_AUX = 160
    GELU_BIAS = 36
    GELU_AUX_BIAS = 164
    DGELU = 192
    DGELU_BGRAD = 208
    BGRADA = 256
    BGRADB = 512


class MatmulPreferenceAttribute(enum.IntEnum):
    """``cublasLtMatmulPreferenceAttributes_t``: see :func:`matmul_preference_set_attribute`.

    Example:
        >>> MatmulPreferenceAttribute.MAX_WORKSPACE_BYTES
        <MatmulPreferenceAttribute.MAX_WORKSPACE_BYTES: 1>
    """

    SEARCH_MODE = 0
    MAX_WORKSPACE_BYTES = 1
    REDUCTION_SCHEME_MASK = 3
    MIN_ALIGNMENT_A_BYTES = 5
    MIN_ALIGNMENT_B_BYTES = 6
    MIN_ALIGNMENT_C_BYTES = 7
    MIN_ALIGNMENT_D_BYTES = 8
    MAX_WAVES_COUNT = 9
    IMPL_MASK = 12
    GROUPED_AVERAGE_REDUCTION_DIM = 13
    GROUPED_DESC_D_AVERAGE_ROWS = 14
    GROUPED_DESC_D_AVERAGE_COLS = 15


class MatmulSearch(enum.IntEnum):
    """``cublasLtMatmulSearch_t``: ``MatmulPreferenceAttribute.SEARCH_MODE`` values.

    Example:
        >>> MatmulSearch.BEST_FIT
        <MatmulSearch.BEST_FIT: 0>
    """

    BEST_FIT = 0
    LIMITED_BY_ALGO_ID = 1
    RESERVED_02 = 2
    RESERVED_03 = 3
    RESERVED_04 = 4
    RESERVED_05 = 5
    RESERVED_06 = 6
    RESERVED_07 = 7
    RESERVED_08 = 8
    RESERVED_09 = 9


class ReductionScheme(enum.IntEnum):
    """``cublasLtReductionScheme_t``: split-K reduction schemes (bits; ``MASK`` is all of them).

    Example:
        >>> ReductionScheme.MASK == ReductionScheme.INPLACE | ReductionScheme.COMPUTE_TYPE | ReductionScheme.OUTPUT_TYPE
        True
    """

    NONE = 0
    INPLACE = 1
    COMPUTE_TYPE = 2
    OUTPUT_TYPE = 4
    MASK = 7


class MatmulAlgoCapAttribute(enum.IntEnum):
    """``cublasLtMatmulAlgoCapAttributes_t``: see :func:`matmul_algo_cap_get_attribute`.

    Example:
        >>> MatmulAlgoCapAttribute.TILE_IDS
        <MatmulAlgoCapAttribute.TILE_IDS: 6>
    """

    SPLITK_SUPPORT = 0
    REDUCTION_SCHEME_MASK = 1
    CTA_SWIZZLING_SUPPORT = 2
    STRIDED_BATCH_SUPPORT = 3
    OUT_OF_PLACE_RESULT_SUPPORT = 4
    UPLO_SUPPORT = 5
    TILE_IDS = 6
    CUSTOM_OPTION_MAX = 7
    CUSTOM_MEMORY_ORDER = 10
    POINTER_MODE_MASK = 11
    EPILOGUE_MASK = 12
    STAGES_IDS = 13
    LD_NEGATIVE = 14
    NUMERICAL_IMPL_FLAGS = 15
    MIN_ALIGNMENT_A_BYTES = 16
    MIN_ALIGNMENT_B_BYTES = 17
    MIN_ALIGNMENT_C_BYTES = 18
    MIN_ALIGNMENT_D_BYTES = 19
    POINTER_ARRAY_BATCH_SUPPORT = 21
    FLOATING_POINT_EMULATION_SUPPORT = 22
    POINTER_ARRAY_GROUPED_SUPPORT = 23


class MatmulAlgoConfigAttribute(enum.IntEnum):
    """``cublasLtMatmulAlgoConfigAttributes_t``: see :func:`matmul_algo_config_set_attribute`.

    Example:
        >>> MatmulAlgoConfigAttribute.SPLITK_NUM
        <MatmulAlgoConfigAttribute.SPLITK_NUM: 2>
    """

    ID = 0
    TILE_ID = 1
    SPLITK_NUM = 2
    REDUCTION_SCHEME = 3
    CTA_SWIZZLING = 4
    CUSTOM_OPTION = 5
    STAGES_ID = 6
    INNER_SHAPE_ID = 7
    CLUSTER_SHAPE_ID = 8


class NumericalImplFlags(enum.IntFlag):
    """``cublasLtNumericalImplFlags_t`` (``#define CUBLASLT_NUMERICAL_IMPL_FLAGS_*``, a ``uint64_t``).

    Bits of ``MatmulAlgoCapAttribute.NUMERICAL_IMPL_FLAGS`` and of
    ``MatmulPreferenceAttribute.IMPL_MASK``.

    Example:
        >>> int(NumericalImplFlags.HMMA | NumericalImplFlags.ACCUMULATOR_32F)
        514
    """

    FMA = 0x01 << 0
    HMMA = 0x02 << 0
    IMMA = 0x04 << 0
    DMMA = 0x08 << 0
    TENSOR_OP_MASK = 0xFE << 0
    OP_TYPE_MASK = 0xFF << 0
    ACCUMULATOR_16F = 0x01 << 8
    ACCUMULATOR_32F = 0x02 << 8
    ACCUMULATOR_64F = 0x04 << 8
    ACCUMULATOR_32I = 0x08 << 8
    ACCUMULATOR_TYPE_MASK = 0xFF << 8
    INPUT_16F = 0x01 << 16
    INPUT_16BF = 0x02 << 16
    INPUT_TF32 = 0x04 << 16
    INPUT_32F = 0x08 << 16
    INPUT_64F = 0x10 << 16
    INPUT_8I = 0x20 << 16
    INPUT_8F_E4M3 = 0x40 << 16
    INPUT_8F_E5M2 = 0x80 << 16
    OP_INPUT_TYPE_MASK = 0xFF << 16
    GAUSSIAN = 0x01 << 32


class MatmulTile(enum.IntEnum):
    """``cublasLtMatmulTile_t``: tile sizes (rows x columns of C/D), ``MatmulAlgoConfigAttribute.TILE_ID``.

    Example:
        >>> MatmulTile.TILE_128x128
        <MatmulTile.TILE_128x128: 20>
    """

    TILE_UNDEFINED = 0
    TILE_8x8 = 1
    TILE_8x16 = 2
    TILE_16x8 = 3
    TILE_8x32 = 4
    TILE_16x16 = 5
    TILE_32x8 = 6
    TILE_8x64 = 7
    TILE_16x32 = 8
    TILE_32x16 = 9
    TILE_64x8 = 10
    TILE_32x32 = 11
    TILE_32x64 = 12
    TILE_64x32 = 13
    TILE_32x128 = 14
    TILE_64x64 = 15
    TILE_128x32 = 16
    TILE_64x128 = 17
    TILE_128x64 = 18
    TILE_64x256 = 19
    TILE_128x128 = 20
    TILE_256x64 = 21
    TILE_64x512 = 22
    TILE_128x256 = 23
    TILE_256x128 = 24
    TILE_512x64 = 25
    TILE_64x96 = 26
    TILE_96x64 = 27
    TILE_96x128 = 28
    TILE_128x160 = 29
    TILE_160x128 = 30
    TILE_192x128 = 31
    TILE_128x192 = 32
    TILE_128x96 = 33
    TILE_32x256 = 34
    TILE_256x32 = 35
    TILE_8x128 = 36
    TILE_8x192 = 37
    TILE_8x256 = 38
    TILE_8x320 = 39
    TILE_8x384 = 40
    TILE_8x448 = 41
    TILE_8x512 = 42
    TILE_8x576 = 43
    TILE_8x640 = 44
    TILE_8x704 = 45
    TILE_8x768 = 46
    TILE_16x64 = 47
    TILE_16x128 = 48
    TILE_16x192 = 49
    TILE_16x256 = 50
    TILE_16x320 = 51
    TILE_16x384 = 52
    TILE_16x448 = 53
    TILE_16x512 = 54
    TILE_16x576 = 55
    TILE_16x640 = 56
    TILE_16x704 = 57
    TILE_16x768 = 58
    TILE_24x64 = 59
    TILE_24x128 = 60
    TILE_24x192 = 61
    TILE_24x256 = 62
    TILE_24x320 = 63
    TILE_24x384 = 64
    TILE_24x448 = 65
    TILE_24x512 = 66
    TILE_24x576 = 67
    TILE_24x640 = 68
    TILE_24x704 = 69
    TILE_24x768 = 70
    TILE_32x192 = 71
    TILE_32x320 = 72
    TILE_32x384 = 73
    TILE_32x448 = 74
    TILE_32x512 = 75
    TILE_32x576 = 76
    TILE_32x640 = 77
    TILE_32x704 = 78
    TILE_32x768 = 79
    TILE_40x64 = 80
    TILE_40x128 = 81
    TILE_40x192 = 82
    TILE_40x256 = 83
    TILE_40x320 = 84
    TILE_40x384 = 85
    TILE_40x448 = 86
    TILE_40x512 = 87
    TILE_40x576 = 88
    TILE_40x640 = 89
    TILE_40x704 = 90
    TILE_40x768 = 91
    TILE_48x64 = 92
    TILE_48x128 = 93
    TILE_48x192 = 94
    TILE_48x256 = 95
    TILE_48x320 = 96
    TILE_48x384 = 97
    TILE_48x448 = 98
    TILE_48x512 = 99
    TILE_48x576 = 100
    TILE_48x640 = 101
    TILE_48x704 = 102
    TILE_48x768 = 103
    TILE_56x64 = 104
    TILE_56x128 = 105
    TILE_56x192 = 106
    TILE_56x256 = 107
    TILE_56x320 = 108
    TILE_56x384 = 109
    TILE_56x448 = 110
    TILE_56x512 = 111
    TILE_56x576 = 112
    TILE_56x640 = 113
    TILE_56x704 = 114
    TILE_56x768 = 115
    TILE_64x192 = 116
    TILE_64x320 = 117
    TILE_64x384 = 118
    TILE_64x448 = 119
    TILE_64x576 = 120
    TILE_64x640 = 121
    TILE_64x704 = 122
    TILE_64x768 = 123
    TILE_72x64 = 124
    TILE_72x128 = 125
    TILE_72x192 = 126
    TILE_72x256 = 127
    TILE_72x320 = 128
    TILE_72x384 = 129
    TILE_72x448 = 130
    TILE_72x512 = 131
    TILE_72x576 = 132
    TILE_72x640 = 133
    TILE_80x64 = 134
    TILE_80x128 = 135
    TILE_80x192 = 136
    TILE_80x256 = 137
    TILE_80x320 = 138
    TILE_80x384 = 139
    TILE_80x448 = 140
    TILE_80x512 = 141
    TILE_80x576 = 142
    TILE_88x64 = 143
    TILE_88x128 = 144
    TILE_88x192 = 145
    TILE_88x256 = 146
    TILE_88x320 = 147
    TILE_88x384 = 148
    TILE_88x448 = 149
    TILE_88x512 = 150
    TILE_96x192 = 151
    TILE_96x256 = 152
    TILE_96x320 = 153
    TILE_96x384 = 154
    TILE_96x448 = 155
    TILE_96x512 = 156
    TILE_104x64 = 157
    TILE_104x128 = 158
    TILE_104x192 = 159
    TILE_104x256 = 160
    TILE_104x320 = 161
    TILE_104x384 = 162
    TILE_104x448 = 163
    TILE_112x64 = 164
    TILE_112x128 = 165
    TILE_112x192 = 166
    TILE_112x256 = 167
    TILE_112x320 = 168
    TILE_112x384 = 169
    TILE_120x64 = 170
    TILE_120x128 = 171
    TILE_120x192 = 172
    TILE_120x256 = 173
    TILE_120x320 = 174
    TILE_120x384 = 175
    TILE_128x320 = 176
    TILE_128x384 = 177
    TILE_136x64 = 178
    TILE_136x128 = 179
    TILE_136x192 = 180
    TILE_136x256 = 181
    TILE_136x320 = 182
    TILE_144x64 = 183
    TILE_144x128 = 184
    TILE_144x192 = 185
    TILE_144x256 = 186
    TILE_144x320 = 187
    TILE_152x64 = 188
    TILE_152x128 = 189
    TILE_152x192 = 190
    TILE_152x256 = 191
    TILE_152x320 = 192
    TILE_160x64 = 193
    TILE_160x192 = 194
    TILE_160x256 = 195
    TILE_168x64 = 196
    TILE_168x128 = 197
    TILE_168x192 = 198
    TILE_168x256 = 199
    TILE_176x64 = 200
    TILE_176x128 = 201
    TILE_176x192 = 202
    TILE_176x256 = 203
    TILE_184x64 = 204
    TILE_184x128 = 205
    TILE_184x192 = 206
    TILE_184x256 = 207
    TILE_192x64 = 208
    TILE_192x192 = 209
    TILE_192x256 = 210
    TILE_200x64 = 211
    TILE_200x128 = 212
    TILE_200x192 = 213
    TILE_208x64 = 214
    TILE_208x128 = 215
    TILE_208x192 = 216
    TILE_216x64 = 217
    TILE_216x128 = 218
    TILE_216x192 = 219
    TILE_224x64 = 220
    TILE_224x128 = 221
    TILE_224x192 = 222
    TILE_232x64 = 223
    TILE_232x128 = 224
    TILE_232x192 = 225
    TILE_240x64 = 226
    TILE_240x128 = 227
    TILE_240x192 = 228
    TILE_248x64 = 229
    TILE_248x128 = 230
    TILE_248x192 = 231
    TILE_256x192 = 232
    TILE_264x64 = 233
    TILE_264x128 = 234
    TILE_272x64 = 235
    TILE_272x128 = 236
    TILE_280x64 = 237
    TILE_280x128 = 238
    TILE_288x64 = 239
    TILE_288x128 = 240
    TILE_296x64 = 241
    TILE_296x128 = 242
    TILE_304x64 = 243
    TILE_304x128 = 244
    TILE_312x64 = 245
    TILE_312x128 = 246
    TILE_320x64 = 247
    TILE_320x128 = 248
    TILE_328x64 = 249
    TILE_328x128 = 250
    TILE_336x64 = 251
    TILE_336x128 = 252
    TILE_344x64 = 253
    TILE_344x128 = 254
    TILE_352x64 = 255
    TILE_352x128 = 256
    TILE_360x64 = 257
    TILE_360x128 = 258
    TILE_368x64 = 259
    TILE_368x128 = 260
    TILE_376x64 = 261
    TILE_376x128 = 262
    TILE_384x64 = 263
    TILE_384x128 = 264
    TILE_392x64 = 265
    TILE_400x64 = 266
    TILE_408x64 = 267
    TILE_416x64 = 268
    TILE_424x64 = 269
    TILE_432x64 = 270
    TILE_440x64 = 271
    TILE_448x64 = 272
    TILE_456x64 = 273
    TILE_464x64 = 274
    TILE_472x64 = 275
    TILE_480x64 = 276
    TILE_488x64 = 277
    TILE_496x64 = 278
    TILE_504x64 = 279
    TILE_520x64 = 280
    TILE_528x64 = 281
    TILE_536x64 = 282
    TILE_544x64 = 283
    TILE_552x64 = 284
    TILE_560x64 = 285
    TILE_568x64 = 286
    TILE_576x64 = 287
    TILE_584x64 = 288
    TILE_592x64 = 289
    TILE_600x64 = 290
    TILE_608x64 = 291
    TILE_616x64 = 292
    TILE_624x64 = 293
    TILE_632x64 = 294
    TILE_640x64 = 295
    TILE_648x64 = 296
    TILE_656x64 = 297
    TILE_664x64 = 298
    TILE_672x64 = 299
    TILE_680x64 = 300
    TILE_688x64 = 301
    TILE_696x64 = 302
    TILE_704x64 = 303
    TILE_712x64 = 304
    TILE_720x64 = 305
    TILE_728x64 = 306
    TILE_736x64 = 307
    TILE_744x64 = 308
    TILE_752x64 = 309
    TILE_760x64 = 310
    TILE_768x64 = 311
    TILE_64x16 = 312
    TILE_64x24 = 313
    TILE_64x40 = 314
    TILE_64x48 = 315
    TILE_64x56 = 316
    TILE_64x72 = 317
    TILE_64x80 = 318
    TILE_64x88 = 319
    TILE_64x104 = 320
    TILE_64x112 = 321
    TILE_64x120 = 322
    TILE_64x136 = 323
    TILE_64x144 = 324
    TILE_64x152 = 325
    TILE_64x160 = 326
    TILE_64x168 = 327
    TILE_64x176 = 328
    TILE_64x184 = 329
    TILE_64x200 = 330
    TILE_64x208 = 331
    TILE_64x216 = 332
    TILE_64x224 = 333
    TILE_64x232 = 334
    TILE_64x240 = 335
    TILE_64x248 = 336
    TILE_64x264 = 337
    TILE_64x272 = 338
    TILE_64x280 = 339
    TILE_64x288 = 340
    TILE_64x296 = 341
    TILE_64x304 = 342
    TILE_64x312 = 343
    TILE_64x328 = 344
    TILE_64x336 = 345
    TILE_64x344 = 346
    TILE_64x352 = 347
    TILE_64x360 = 348
    TILE_64x368 = 349
    TILE_64x376 = 350
    TILE_64x392 = 351
    TILE_64x400 = 352
    TILE_64x408 = 353
    TILE_64x416 = 354
    TILE_64x424 = 355
    TILE_64x432 = 356
    TILE_64x440 = 357
    TILE_64x456 = 358
    TILE_64x464 = 359
    TILE_64x472 = 360
    TILE_64x480 = 361
    TILE_64x488 = 362
    TILE_64x496 = 363
    TILE_64x504 = 364
    TILE_64x520 = 365
    TILE_64x528 = 366
    TILE_64x536 = 367
    TILE_64x544 = 368
    TILE_64x552 = 369
    TILE_64x560 = 370
    TILE_64x568 = 371
    TILE_64x584 = 372
    TILE_64x592 = 373
    TILE_64x600 = 374
    TILE_64x608 = 375
    TILE_64x616 = 376
    TILE_64x624 = 377
    TILE_64x632 = 378
    TILE_64x648 = 379
    TILE_64x656 = 380
    TILE_64x664 = 381
    TILE_64x672 = 382
    TILE_64x680 = 383
    TILE_64x688 = 384
    TILE_64x696 = 385
    TILE_64x712 = 386
    TILE_64x720 = 387
    TILE_64x728 = 388
    TILE_64x736 = 389
    TILE_64x744 = 390
    TILE_64x752 = 391
    TILE_64x760 = 392
    TILE_128x8 = 393
    TILE_128x16 = 394
    TILE_128x24 = 395
    TILE_128x40 = 396
    TILE_128x48 = 397
    TILE_128x56 = 398
    TILE_128x72 = 399
    TILE_128x80 = 400
    TILE_128x88 = 401
    TILE_128x104 = 402
    TILE_128x112 = 403
    TILE_128x120 = 404
    TILE_128x136 = 405
    TILE_128x144 = 406
    TILE_128x152 = 407
    TILE_128x168 = 408
    TILE_128x176 = 409
    TILE_128x184 = 410
    TILE_128x200 = 411
    TILE_128x208 = 412
    TILE_128x216 = 413
    TILE_128x224 = 414
    TILE_128x232 = 415
    TILE_128x240 = 416
    TILE_128x248 = 417
    TILE_128x264 = 418
    TILE_128x272 = 419
    TILE_128x280 = 420
    TILE_128x288 = 421
    TILE_128x296 = 422
    TILE_128x304 = 423
    TILE_128x312 = 424
    TILE_128x328 = 425
    TILE_128x336 = 426
    TILE_128x344 = 427
    TILE_128x352 = 428
    TILE_128x360 = 429
    TILE_128x368 = 430
    TILE_128x376 = 431
    TILE_128x392 = 432
    TILE_128x400 = 433
    TILE_128x408 = 434
    TILE_128x416 = 435
    TILE_128x424 = 436
    TILE_128x432 = 437
    TILE_128x440 = 438
    TILE_128x448 = 439
    TILE_128x456 = 440
    TILE_128x464 = 441
    TILE_128x472 = 442
    TILE_128x480 = 443
    TILE_128x488 = 444
    TILE_128x496 = 445
    TILE_128x504 = 446
    TILE_128x512 = 447
    TILE_192x8 = 448
    TILE_192x16 = 449
    TILE_192x24 = 450
    TILE_192x32 = 451
    TILE_192x40 = 452
    TILE_192x48 = 453
    TILE_192x56 = 454
    TILE_192x72 = 455
    TILE_192x80 = 456
    TILE_192x88 = 457
    TILE_192x96 = 458
    TILE_192x104 = 459
    TILE_192x112 = 460
    TILE_192x120 = 461
    TILE_192x136 = 462
    TILE_192x144 = 463
    TILE_192x152 = 464
    TILE_192x160 = 465
    TILE_192x168 = 466
    TILE_192x176 = 467
    TILE_192x184 = 468
    TILE_192x200 = 469
    TILE_192x208 = 470
    TILE_192x216 = 471
    TILE_192x224 = 472
    TILE_192x232 = 473
    TILE_192x240 = 474
    TILE_192x248 = 475
    TILE_192x264 = 476
    TILE_192x272 = 477
    TILE_192x280 = 478
    TILE_192x288 = 479
    TILE_192x296 = 480
    TILE_192x304 = 481
    TILE_192x312 = 482
    TILE_192x320 = 483
    TILE_192x328 = 484
    TILE_192x336 = 485
    TILE_256x8 = 486
    TILE_256x16 = 487
    TILE_256x24 = 488
    TILE_256x40 = 489
    TILE_256x48 = 490
    TILE_256x56 = 491
    TILE_256x72 = 492
    TILE_256x80 = 493
    TILE_256x88 = 494
    TILE_256x96 = 495
    TILE_256x104 = 496
    TILE_256x112 = 497
    TILE_256x120 = 498
    TILE_256x136 = 499
    TILE_256x144 = 500
    TILE_256x152 = 501
    TILE_256x160 = 502
    TILE_256x168 = 503
    TILE_256x176 = 504
    TILE_256x184 = 505
    TILE_256x200 = 506
    TILE_256x208 = 507
    TILE_256x216 = 508
    TILE_256x224 = 509
    TILE_256x232 = 510
    TILE_256x240 = 511
    TILE_256x248 = 512
    TILE_256x256 = 513
    TILE_320x8 = 514
    TILE_320x16 = 515
    TILE_320x24 = 516
    TILE_320x32 = 517
    TILE_320x40 = 518
    TILE_320x48 = 519
    TILE_320x56 = 520
    TILE_320x72 = 521
    TILE_320x80 = 522
    TILE_320x88 = 523
    TILE_320x96 = 524
    TILE_320x104 = 525
    TILE_320x112 = 526
    TILE_320x120 = 527
    TILE_320x136 = 528
    TILE_320x144 = 529
    TILE_320x152 = 530
    TILE_320x160 = 531
    TILE_320x168 = 532
    TILE_320x176 = 533
    TILE_320x184 = 534
    TILE_320x192 = 535
    TILE_320x200 = 536
    TILE_384x8 = 537
    TILE_384x16 = 538
    TILE_384x24 = 539
    TILE_384x32 = 540
    TILE_384x40 = 541
    TILE_384x48 = 542
    TILE_384x56 = 543
    TILE_384x72 = 544
    TILE_384x80 = 545
    TILE_384x88 = 546
    TILE_384x96 = 547
    TILE_384x104 = 548
    TILE_384x112 = 549
    TILE_384x120 = 550
    TILE_384x136 = 551
    TILE_384x144 = 552
    TILE_384x152 = 553
    TILE_384x160 = 554
    TILE_384x168 = 555
    TILE_448x8 = 556
    TILE_448x16 = 557
    TILE_448x24 = 558
    TILE_448x32 = 559
    TILE_448x40 = 560
    TILE_448x48 = 561
    TILE_448x56 = 562
    TILE_448x72 = 563
    TILE_448x80 = 564
    TILE_448x88 = 565
    TILE_448x96 = 566
    TILE_448x104 = 567
    TILE_448x112 = 568
    TILE_448x120 = 569
    TILE_448x128 = 570
    TILE_448x136 = 571
    TILE_448x144 = 572
    TILE_512x8 = 573
    TILE_512x16 = 574
    TILE_512x24 = 575
    TILE_512x32 = 576
    TILE_512x40 = 577
    TILE_512x48 = 578
    TILE_512x56 = 579
    TILE_512x72 = 580
    TILE_512x80 = 581
    TILE_512x88 = 582
    TILE_512x96 = 583
    TILE_512x104 = 584
    TILE_512x112 = 585
    TILE_512x120 = 586
    TILE_512x128 = 587
    TILE_576x8 = 588
    TILE_576x16 = 589
    TILE_576x24 = 590
    TILE_576x32 = 591
    TILE_576x40 = 592
    TILE_576x48 = 593
    TILE_576x56 = 594
    TILE_576x72 = 595
    TILE_576x80 = 596
    TILE_576x88 = 597
    TILE_576x96 = 598
    TILE_576x104 = 599
    TILE_576x112 = 600
    TILE_640x8 = 601
    TILE_640x16 = 602
    TILE_640x24 = 603
    TILE_640x32 = 604
    TILE_640x40 = 605
    TILE_640x48 = 606
    TILE_640x56 = 607
    TILE_640x72 = 608
    TILE_640x80 = 609
    TILE_640x88 = 610
    TILE_640x96 = 611
    TILE_704x8 = 612
    TILE_704x16 = 613
    TILE_704x24 = 614
    TILE_704x32 = 615
    TILE_704x40 = 616
    TILE_704x48 = 617
    TILE_704x56 = 618
    TILE_704x72 = 619
    TILE_704x80 = 620
    TILE_704x88 = 621
    TILE_768x8 = 622
    TILE_768x16 = 623
    TILE_768x24 = 624
    TILE_768x32 = 625
    TILE_768x40 = 626
    TILE_768x48 = 627
    TILE_768x56 = 628
    TILE_768x72 = 629
    TILE_768x80 = 630
    TILE_256x512 = 631
    TILE_256x1024 = 632
    TILE_512x512 = 633
    TILE_512x1024 = 634
    TILE_4x1 = 635
    TILE_8x1 = 636
    TILE_16x1 = 637
    TILE_24x1 = 638
    TILE_32x1 = 639
    TILE_40x1 = 640
    TILE_48x1 = 641
    TILE_64x1 = 642
    TILE_128x1 = 643
    TILE_192x1 = 644
    TILE_256x1 = 645


class MatmulStages(enum.IntEnum):
    """``cublasLtMatmulStages_t``: shared memory stages, ``MatmulAlgoConfigAttribute.STAGES_ID``.

    Example:
        >>> MatmulStages.STAGES_64xAUTO
        <MatmulStages.STAGES_64xAUTO: 35>
    """

    STAGES_UNDEFINED = 0
    STAGES_16x1 = 1
    STAGES_16x2 = 2
    STAGES_16x3 = 3
    STAGES_16x4 = 4
    STAGES_16x5 = 5
    STAGES_16x6 = 6
    STAGES_32x1 = 7
    STAGES_32x2 = 8
    STAGES_32x3 = 9
    STAGES_32x4 = 10
    STAGES_32x5 = 11
    STAGES_32x6 = 12
    STAGES_64x1 = 13
    STAGES_64x2 = 14
    STAGES_64x3 = 15
    STAGES_64x4 = 16
    STAGES_64x5 = 17
    STAGES_64x6 = 18
    STAGES_128x1 = 19
    STAGES_128x2 = 20
    STAGES_128x3 = 21
    STAGES_128x4 = 22
    STAGES_128x5 = 23
    STAGES_128x6 = 24
    STAGES_32x10 = 25
    STAGES_8x4 = 26
    STAGES_16x10 = 27
    STAGES_8x5 = 28
    STAGES_8x3 = 31
    STAGES_8xAUTO = 32
    STAGES_16xAUTO = 33
    STAGES_32xAUTO = 34
    STAGES_64xAUTO = 35
    STAGES_128xAUTO = 36
    STAGES_256xAUTO = 37
    STAGES_768xAUTO = 38


class ClusterShape(enum.IntEnum):
    """``cublasLtClusterShape_t``: thread block cluster shapes, ``MatmulAlgoConfigAttribute.CLUSTER_SHAPE_ID``.

    Example:
        >>> ClusterShape.SHAPE_2x1x1
        <ClusterShape.SHAPE_2x1x1: 3>
    """

    SHAPE_AUTO = 0
    SHAPE_1x1x1 = 2
    SHAPE_2x1x1 = 3
    SHAPE_4x1x1 = 4
    SHAPE_1x2x1 = 5
    SHAPE_2x2x1 = 6
    SHAPE_4x2x1 = 7
    SHAPE_1x4x1 = 8
    SHAPE_2x4x1 = 9
    SHAPE_4x4x1 = 10
    SHAPE_8x1x1 = 11
    SHAPE_1x8x1 = 12
    SHAPE_8x2x1 = 13
    SHAPE_2x8x1 = 14
    SHAPE_16x1x1 = 15
    SHAPE_1x16x1 = 16
    SHAPE_3x1x1 = 17
    SHAPE_5x1x1 = 18
    SHAPE_6x1x1 = 19
    SHAPE_7x1x1 = 20
    SHAPE_9x1x1 = 21
    SHAPE_10x1x1 = 22
    SHAPE_11x1x1 = 23
    SHAPE_12x1x1 = 24
    SHAPE_13x1x1 = 25
    SHAPE_14x1x1 = 26
    SHAPE_15x1x1 = 27
    SHAPE_3x2x1 = 28
    SHAPE_5x2x1 = 29
    SHAPE_6x2x1 = 30
    SHAPE_7x2x1 = 31
    SHAPE_1x3x1 = 32
    SHAPE_2x3x1 = 33
    SHAPE_3x3x1 = 34
    SHAPE_4x3x1 = 35
    SHAPE_5x3x1 = 36
    SHAPE_3x4x1 = 37
    SHAPE_1x5x1 = 38
    SHAPE_2x5x1 = 39
    SHAPE_3x5x1 = 40
    SHAPE_1x6x1 = 41
    SHAPE_2x6x1 = 42
    SHAPE_1x7x1 = 43
    SHAPE_2x7x1 = 44
    SHAPE_1x9x1 = 45
    SHAPE_1x10x1 = 46
    SHAPE_1x11x1 = 47
    SHAPE_1x12x1 = 48
    SHAPE_1x13x1 = 49
    SHAPE_1x14x1 = 50
    SHAPE_1x15x1 = 51


class MatmulInnerShape(enum.IntEnum):
    """``cublasLtMatmulInnerShape_t``: ``MatmulAlgoConfigAttribute.INNER_SHAPE_ID`` values.

    Example:
        >>> MatmulInnerShape.MMA16816
        <MatmulInnerShape.MMA16816: 4>
    """

    UNDEFINED = 0
    MMA884 = 1
    MMA1684 = 2
    MMA1688 = 3
    MMA16816 = 4


class MatmulMatrixScale(enum.IntEnum):
    """``cublasLtMatmulMatrixScale_t``: how ``MatmulDescAttribute.A_SCALE_POINTER`` (...) is read.

    Values of ``MatmulDescAttribute.A_SCALE_MODE`` / ``B_`` / ``C_`` / ``D_`` / ``D_OUT_`` /
    ``EPILOGUE_AUX_SCALE_MODE``. There are no values 7-11; ``RESERVED`` must not be used.

    Example:
        >>> MatmulMatrixScale.VEC32_UE8M0
        <MatmulMatrixScale.VEC32_UE8M0: 2>
    """

    SCALAR_32F = 0
    VEC16_UE4M3 = 1
    VEC32_UE8M0 = 2
    OUTER_VEC_32F = 3
    VEC128_32F = 4
    BLK128x128_32F = 5
    PER_BATCH_SCALAR_32F = 6
    VEC128_MN_K4_UE8M0 = 12
    VEC32_MN_K4_UE8M0 = 13
    RESERVED = 127


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class cuBLASLtError(RuntimeError):
    """A cuBLASLt call returned a status other than ``CUBLAS_STATUS_SUCCESS``.

    Attributes:
        status: the :class:`Status` (or the raw int if cuBLASLt returned an unknown code).
        name: cuBLAS's name of the status, e.g. ``"CUBLAS_STATUS_NOT_SUPPORTED"``.
        function: the C function that failed.

    Example:
        >>> str(cuBLASLtError(15, "cublasLtMatmulAlgoGetHeuristic"))
        'cublasLtMatmulAlgoGetHeuristic failed: CUBLAS_STATUS_NOT_SUPPORTED (15)'
        >>> cuBLASLtError(99).name
        'CUBLAS_UNKNOWN_STATUS_99'
    """

    def __init__(self, status: int, function: str = "cuBLASLt"):
        try:
            self.status = Status(status)
            self.name = f"CUBLAS_STATUS_{self.status.name}"
        except ValueError:
            self.status = status
            self.name = f"CUBLAS_UNKNOWN_STATUS_{status}"
        self.function = function
        super().__init__(f"{function} failed: {self.name} ({int(status)})")

    def __reduce__(self):
        return type(self), (int(self.status), self.function)


# --------------------------------------------------------------------------------------------
# Structures
# --------------------------------------------------------------------------------------------


class MatmulAlgo(ctypes.Structure):
    """``cublasLtMatmulAlgo_t``: a configured algorithm, ``uint64_t data[8]`` (64 bytes).

    Semi-opaque: ``bytes(algo)`` serialises it and ``MatmulAlgo.from_buffer_copy(data)`` restores
    it, for use with the same cuBLAS version. Functions taking ``const cublasLtMatmulAlgo_t*``
    take an instance (ctypes passes its address).

    Example:
        >>> ctypes.sizeof(MatmulAlgo)
        64
        >>> MatmulAlgo.from_buffer_copy(bytes(MatmulAlgo())).data[7]
        0
    """

    _fields_ = [("data", ctypes.c_uint64 * 8)]

    def __repr__(self) -> str:
        return f"MatmulAlgo({bytes(self).hex()})"


class MatmulHeuristicResult(ctypes.Structure):
    """``cublasLtMatmulHeuristicResult_t`` (96 bytes): one result of :func:`matmul_algo_get_heuristic`.

    Fields have the C names (``algo``, ``workspaceSize``, ``state``, ``wavesCount``,
    ``reserved``); ``workspace_size`` and ``waves_count`` are the snake_case names of
    nvmath-python. Only when ``state`` is 0 (``CUBLAS_STATUS_SUCCESS``) are the others valid.

    Example:
        >>> r = MatmulHeuristicResult(workspaceSize=1024)
        >>> (ctypes.sizeof(r), r.workspace_size, r.state)
        (96, 1024, 0)
    """

    _fields_ = [
        ("algo", MatmulAlgo),
        ("workspaceSize", ctypes.c_size_t),
        ("state", ctypes.c_int),
        ("wavesCount", ctypes.c_float),
        ("reserved", ctypes.c_int * 4),
    ]

    @property
    def workspace_size(self) -> int:
        """``workspaceSize``: bytes of workspace the algorithm needs."""
        return self.workspaceSize

    @property
    def waves_count(self) -> float:
        """``wavesCount``: device utilisation estimate (1.0 fills the GPU once)."""
        return self.wavesCount

    def __repr__(self) -> str:
        return (
            f"MatmulHeuristicResult(state={self.state}, workspaceSize={self.workspaceSize}, "
            f"wavesCount={self.wavesCount:g})"
        )


# --------------------------------------------------------------------------------------------
# Attribute types
# --------------------------------------------------------------------------------------------

# Pointer-valued attributes (device pointers, descriptor handles): a Python int, 0 = NULL.
_POINTER = ctypes.c_void_p

# The C type of every attribute, from the type line of its comment in cublasLt.h (13.10): an
# enum-typed attribute is int32_t unless the comment says uint32_t. Each size was checked against
# the library (get with sizeInBytes=0); the preference GROUPED_* sizes are the library's (below).
_ATTRIBUTE_CTYPES: dict[type, dict] = {
    MatrixLayoutAttribute: {
        MatrixLayoutAttribute.TYPE: ctypes.c_uint32,
        MatrixLayoutAttribute.ORDER: ctypes.c_int32,
        MatrixLayoutAttribute.ROWS: ctypes.c_uint64,
        MatrixLayoutAttribute.COLS: ctypes.c_uint64,
        MatrixLayoutAttribute.LD: ctypes.c_int64,
        MatrixLayoutAttribute.BATCH_COUNT: ctypes.c_int32,
        MatrixLayoutAttribute.STRIDED_BATCH_OFFSET: ctypes.c_int64,
        MatrixLayoutAttribute.PLANE_OFFSET: ctypes.c_int64,
        MatrixLayoutAttribute.BATCH_MODE: ctypes.c_uint32,
        MatrixLayoutAttribute.GROUPED_ROWS_ARRAY: _POINTER,
        MatrixLayoutAttribute.GROUPED_COLS_ARRAY: _POINTER,
        MatrixLayoutAttribute.GROUPED_LD_ARRAY: _POINTER,
        MatrixLayoutAttribute.GROUPED_ROWS_COLS_ARRAY_INTEGER_WIDTH: ctypes.c_int32,
        MatrixLayoutAttribute.GROUPED_LD_ARRAY_INTEGER_WIDTH: ctypes.c_int32,
    },
    MatmulDescAttribute: {
        MatmulDescAttribute.COMPUTE_TYPE: ctypes.c_int32,
        MatmulDescAttribute.SCALE_TYPE: ctypes.c_int32,
        MatmulDescAttribute.POINTER_MODE: ctypes.c_int32,
        MatmulDescAttribute.TRANSA: ctypes.c_int32,
        MatmulDescAttribute.TRANSB: ctypes.c_int32,
        MatmulDescAttribute.TRANSC: ctypes.c_int32,
        MatmulDescAttribute.FILL_MODE: ctypes.c_int32,
        MatmulDescAttribute.EPILOGUE: ctypes.c_uint32,
        MatmulDescAttribute.BIAS_POINTER: _POINTER,
        MatmulDescAttribute.BIAS_BATCH_STRIDE: ctypes.c_int64,
        MatmulDescAttribute.EPILOGUE_AUX_POINTER: _POINTER,
        MatmulDescAttribute.EPILOGUE_AUX_LD: ctypes.c_int64,
        MatmulDescAttribute.EPILOGUE_AUX_BATCH_STRIDE: ctypes.c_int64,
        MatmulDescAttribute.ALPHA_VECTOR_BATCH_STRIDE: ctypes.c_int64,
        MatmulDescAttribute.SM_COUNT_TARGET: ctypes.c_int32,
        MatmulDescAttribute.A_SCALE_POINTER: _POINTER,
        MatmulDescAttribute.B_SCALE_POINTER: _POINTER,
        MatmulDescAttribute.C_SCALE_POINTER: _POINTER,
        MatmulDescAttribute.D_SCALE_POINTER: _POINTER,
        MatmulDescAttribute.AMAX_D_POINTER: _POINTER,
        MatmulDescAttribute.EPILOGUE_AUX_DATA_TYPE: ctypes.c_int32,
        MatmulDescAttribute.EPILOGUE_AUX_SCALE_POINTER: _POINTER,
        MatmulDescAttribute.EPILOGUE_AUX_AMAX_POINTER: _POINTER,
        MatmulDescAttribute.FAST_ACCUM: ctypes.c_int8,
        MatmulDescAttribute.BIAS_DATA_TYPE: ctypes.c_int32,
        MatmulDescAttribute.A_SCALE_MODE: ctypes.c_int32,
        MatmulDescAttribute.B_SCALE_MODE: ctypes.c_int32,
        MatmulDescAttribute.C_SCALE_MODE: ctypes.c_int32,
        MatmulDescAttribute.D_SCALE_MODE: ctypes.c_int32,
        MatmulDescAttribute.EPILOGUE_AUX_SCALE_MODE: ctypes.c_int32,
        MatmulDescAttribute.D_OUT_SCALE_POINTER: _POINTER,
        MatmulDescAttribute.D_OUT_SCALE_MODE: ctypes.c_int32,
        MatmulDescAttribute.EMULATION_DESCRIPTOR: _POINTER,
        MatmulDescAttribute.ALPHA_BATCH_STRIDE: ctypes.c_int64,
        MatmulDescAttribute.BETA_BATCH_STRIDE: ctypes.c_int64,
        MatmulDescAttribute.BATCH_INVARIANCE_FLAGS: ctypes.c_int32,
    },
    MatmulPreferenceAttribute: {
        MatmulPreferenceAttribute.SEARCH_MODE: ctypes.c_uint32,
        MatmulPreferenceAttribute.MAX_WORKSPACE_BYTES: ctypes.c_uint64,
        MatmulPreferenceAttribute.REDUCTION_SCHEME_MASK: ctypes.c_uint32,
        MatmulPreferenceAttribute.MIN_ALIGNMENT_A_BYTES: ctypes.c_uint32,
        MatmulPreferenceAttribute.MIN_ALIGNMENT_B_BYTES: ctypes.c_uint32,
        MatmulPreferenceAttribute.MIN_ALIGNMENT_C_BYTES: ctypes.c_uint32,
        MatmulPreferenceAttribute.MIN_ALIGNMENT_D_BYTES: ctypes.c_uint32,
        MatmulPreferenceAttribute.MAX_WAVES_COUNT: ctypes.c_float,
        MatmulPreferenceAttribute.IMPL_MASK: ctypes.c_uint64,
        # The header says uint32_t; cuBLASLt 13.10 stores (and only accepts) 8 bytes.
        MatmulPreferenceAttribute.GROUPED_AVERAGE_REDUCTION_DIM: ctypes.c_uint64,
        MatmulPreferenceAttribute.GROUPED_DESC_D_AVERAGE_ROWS: ctypes.c_uint64,
        MatmulPreferenceAttribute.GROUPED_DESC_D_AVERAGE_COLS: ctypes.c_uint64,
    },
    MatmulAlgoCapAttribute: {
        MatmulAlgoCapAttribute.SPLITK_SUPPORT: ctypes.c_int32,
        MatmulAlgoCapAttribute.REDUCTION_SCHEME_MASK: ctypes.c_uint32,
        MatmulAlgoCapAttribute.CTA_SWIZZLING_SUPPORT: ctypes.c_uint32,
        MatmulAlgoCapAttribute.STRIDED_BATCH_SUPPORT: ctypes.c_int32,
        MatmulAlgoCapAttribute.OUT_OF_PLACE_RESULT_SUPPORT: ctypes.c_int32,
        MatmulAlgoCapAttribute.UPLO_SUPPORT: ctypes.c_int32,
        MatmulAlgoCapAttribute.TILE_IDS: ctypes.c_uint32,  # array
        MatmulAlgoCapAttribute.CUSTOM_OPTION_MAX: ctypes.c_int32,
        MatmulAlgoCapAttribute.CUSTOM_MEMORY_ORDER: ctypes.c_int32,
        MatmulAlgoCapAttribute.POINTER_MODE_MASK: ctypes.c_uint32,
        MatmulAlgoCapAttribute.EPILOGUE_MASK: ctypes.c_uint32,
        MatmulAlgoCapAttribute.STAGES_IDS: ctypes.c_uint32,  # array
        MatmulAlgoCapAttribute.LD_NEGATIVE: ctypes.c_int32,
        MatmulAlgoCapAttribute.NUMERICAL_IMPL_FLAGS: ctypes.c_uint64,
        MatmulAlgoCapAttribute.MIN_ALIGNMENT_A_BYTES: ctypes.c_uint32,
        MatmulAlgoCapAttribute.MIN_ALIGNMENT_B_BYTES: ctypes.c_uint32,
        MatmulAlgoCapAttribute.MIN_ALIGNMENT_C_BYTES: ctypes.c_uint32,
        MatmulAlgoCapAttribute.MIN_ALIGNMENT_D_BYTES: ctypes.c_uint32,
        MatmulAlgoCapAttribute.POINTER_ARRAY_BATCH_SUPPORT: ctypes.c_int32,
        MatmulAlgoCapAttribute.FLOATING_POINT_EMULATION_SUPPORT: ctypes.c_int32,
        MatmulAlgoCapAttribute.POINTER_ARRAY_GROUPED_SUPPORT: ctypes.c_int32,
    },
    MatmulAlgoConfigAttribute: {
        MatmulAlgoConfigAttribute.ID: ctypes.c_int32,  # read-only (set by matmul_algo_init)
        MatmulAlgoConfigAttribute.TILE_ID: ctypes.c_uint32,
        MatmulAlgoConfigAttribute.SPLITK_NUM: ctypes.c_int32,
        MatmulAlgoConfigAttribute.REDUCTION_SCHEME: ctypes.c_uint32,
        MatmulAlgoConfigAttribute.CTA_SWIZZLING: ctypes.c_uint32,
        MatmulAlgoConfigAttribute.CUSTOM_OPTION: ctypes.c_uint32,
        MatmulAlgoConfigAttribute.STAGES_ID: ctypes.c_uint32,
        MatmulAlgoConfigAttribute.INNER_SHAPE_ID: ctypes.c_uint16,
        MatmulAlgoConfigAttribute.CLUSTER_SHAPE_ID: ctypes.c_uint16,
    },
}

# Capability attributes holding an array of the table's type ("use sizeInBytes=0 to query the count").
# Keyed by kind: members of different IntEnums with the same value are equal (and hash alike).
_ARRAY_ATTRIBUTES = {"matmul_algo_cap": frozenset({MatmulAlgoCapAttribute.TILE_IDS, MatmulAlgoCapAttribute.STAGES_IDS})}


def _attribute(enum_cls: type, attr: int, function: str):
    """``(member, ctype)`` of attribute ``attr`` of ``enum_cls``, or ValueError naming it."""
    if isinstance(attr, enum.Enum) and not isinstance(attr, enum_cls):
        raise ValueError(f"{function}: attribute {attr!r} is a {type(attr).__name__}, not a {enum_cls.__name__}.")
    table = _ATTRIBUTE_CTYPES[enum_cls]
    try:
        member = enum_cls(attr)
        return member, table[member]
    except (ValueError, KeyError):
        raise ValueError(
            f"{function}: attribute {attr!r} is not a known {enum_cls.__name__} of cuBLASLt 13.10 "
            f"(known: {', '.join(m.name for m in table)})."
        ) from None


def attribute_ctype(attr: enum.IntEnum) -> type:
    """The ctypes type the get/set helpers use for attribute ``attr`` (a member of an attribute enum).

    For a hot path that builds its own buffers; pointer-valued attributes are ``ctypes.c_void_p``,
    and ``MatmulAlgoCapAttribute.TILE_IDS`` / ``STAGES_IDS`` are arrays of the type returned.

    Raises:
        ValueError: ``attr`` is not a member of :class:`MatrixLayoutAttribute`,
            :class:`MatmulDescAttribute`, :class:`MatmulPreferenceAttribute`,
            :class:`MatmulAlgoCapAttribute` or :class:`MatmulAlgoConfigAttribute`.

    Example:
        >>> attribute_ctype(MatmulDescAttribute.EPILOGUE) is ctypes.c_uint32
        True
        >>> attribute_ctype(MatmulDescAttribute.BIAS_POINTER) is ctypes.c_void_p
        True
    """
    table = _ATTRIBUTE_CTYPES.get(type(attr))
    if table is None:
        raise ValueError(f"attribute_ctype: {attr!r} is not a member of a cuBLASLt attribute enum.")
    return table[attr]


def _c_value(ctype, value, member, function: str):
    """``value`` (a Python number; an int or None for pointers) as a ``ctype`` instance, range-checked."""
    if ctype is _POINTER:
        address = 0 if value is None else operator.index(value)
        if not 0 <= address < 1 << (8 * ctypes.sizeof(ctypes.c_void_p)):
            raise ValueError(f"{function}: {member.name} = {value!r} is not a pointer value.")
        return ctypes.c_void_p(address)
    if ctype is ctypes.c_float:
        return ctype(float(value))
    number = operator.index(value)
    bits = 8 * ctypes.sizeof(ctype)
    signed = ctype(-1).value == -1
    low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if not low <= number <= high:
        raise ValueError(f"{function}: {member.name} = {value!r} does not fit the attribute's {ctype.__name__}.")
    return ctype(number)


# The object kinds with attributes: Python prefix -> (C prefix, attribute enum).
_KINDS = {
    "matrix_layout": ("cublasLtMatrixLayout", MatrixLayoutAttribute),
    "matmul_desc": ("cublasLtMatmulDesc", MatmulDescAttribute),
    "matmul_preference": ("cublasLtMatmulPreference", MatmulPreferenceAttribute),
    "matmul_algo_cap": ("cublasLtMatmulAlgoCap", MatmulAlgoCapAttribute),
    "matmul_algo_config": ("cublasLtMatmulAlgoConfig", MatmulAlgoConfigAttribute),
}


def _set_attribute(kind: str, obj, attr: int, value) -> None:
    cprefix, enum_cls = _KINDS[kind]
    function = f"{kind}_set_attribute"
    member, ctype = _attribute(enum_cls, attr, function)
    buffer = _c_value(ctype, value, member, function)
    _LIBRARY.call(f"{cprefix}SetAttribute", obj, int(member), ctypes.byref(buffer), ctypes.sizeof(buffer))


def _get_attribute(kind: str, obj, attr: int):
    cprefix, enum_cls = _KINDS[kind]
    cname = f"{cprefix}GetAttribute"
    member, ctype = _attribute(enum_cls, attr, f"{kind}_get_attribute")
    written = ctypes.c_size_t()
    if member in _ARRAY_ATTRIBUTES.get(kind, ()):
        _LIBRARY.call(cname, obj, int(member), None, 0, ctypes.byref(written))
        array = (ctype * (written.value // ctypes.sizeof(ctype)))()
        if len(array):
            _LIBRARY.call(cname, obj, int(member), array, ctypes.sizeof(array), ctypes.byref(written))
        return list(array[: written.value // ctypes.sizeof(ctype)])
    buffer = ctype()
    _LIBRARY.call(cname, obj, int(member), ctypes.byref(buffer), ctypes.sizeof(buffer), ctypes.byref(written))
    value = buffer.value
    return 0 if value is None else value  # a NULL pointer reads as None


# --------------------------------------------------------------------------------------------
# Library loading and C prototypes
# --------------------------------------------------------------------------------------------

_p = ctypes.c_void_p
_p_p = ctypes.POINTER(ctypes.c_void_p)
_int = ctypes.c_int
_size = ctypes.c_size_t
_size_p = ctypes.POINTER(ctypes.c_size_t)
_int_p = ctypes.POINTER(ctypes.c_int)
_algo_p = ctypes.POINTER(MatmulAlgo)
_result_p = ctypes.POINTER(MatmulHeuristicResult)

# cublasLt*SetAttribute(object, attr, const void* buf, size_t sizeInBytes) and
# cublasLt*GetAttribute(object, attr, void* buf, size_t sizeInBytes, size_t* sizeWritten).
_SET = [_p, _int, _p, _size]
_GET = [_p, _int, _p, _size, _size_p]

_PROTOTYPES = {
    "cublasLtCreate": [_p_p],
    "cublasLtDestroy": [_p],
    "cublasLtHeuristicsCacheGetCapacity": [_size_p],
    "cublasLtHeuristicsCacheSetCapacity": [_size],
    "cublasLtMatrixLayoutCreate": [_p_p, _int, ctypes.c_uint64, ctypes.c_uint64, ctypes.c_int64],
    "cublasLtMatrixLayoutDestroy": [_p],
    "cublasLtMatrixLayoutSetAttribute": _SET,
    "cublasLtMatrixLayoutGetAttribute": _GET,
    "cublasLtMatmulDescCreate": [_p_p, _int, _int],
    "cublasLtMatmulDescDestroy": [_p],
    "cublasLtMatmulDescSetAttribute": _SET,
    "cublasLtMatmulDescGetAttribute": _GET,
    "cublasLtMatmulPreferenceCreate": [_p_p],
    "cublasLtMatmulPreferenceDestroy": [_p],
    "cublasLtMatmulPreferenceSetAttribute": _SET,
    "cublasLtMatmulPreferenceGetAttribute": _GET,
    # (handle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc, preference, requestedAlgoCount,
    #  heuristicResultsArray[], returnAlgoCount*)
    "cublasLtMatmulAlgoGetHeuristic": [_p, _p, _p, _p, _p, _p, _p, _int, _result_p, _int_p],
    # (handle, computeType, scaleType, Atype, Btype, Ctype, Dtype, requestedAlgoCount, algoIdsArray[],
    #  returnAlgoCount*)
    "cublasLtMatmulAlgoGetIds": [_p, _int, _int, _int, _int, _int, _int, _int, _int_p, _int_p],
    # (handle, computeType, scaleType, Atype, Btype, Ctype, Dtype, algoId, algo*)
    "cublasLtMatmulAlgoInit": [_p, _int, _int, _int, _int, _int, _int, _int, _algo_p],
    # (handle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc, const algo*, result*)
    "cublasLtMatmulAlgoCheck": [_p, _p, _p, _p, _p, _p, _algo_p, _result_p],
    "cublasLtMatmulAlgoCapGetAttribute": [_algo_p, _int, _p, _size, _size_p],
    "cublasLtMatmulAlgoConfigSetAttribute": [_algo_p, _int, _p, _size],
    "cublasLtMatmulAlgoConfigGetAttribute": [_algo_p, _int, _p, _size, _size_p],
    # (handle, computeDesc, alpha, A, Adesc, B, Bdesc, beta, C, Cdesc, D, Ddesc, const algo*,
    #  workspace, workspaceSizeInBytes, stream)
    "cublasLtMatmul": [_p, _p, _p, _p, _p, _p, _p, _p, _p, _p, _p, _p, _algo_p, _p, _size, _p],
}

_OTHER = {
    "cublasLtGetVersion": (ctypes.c_size_t, []),
    "cublasLtGetCudartVersion": (ctypes.c_size_t, []),
    "cublasLtGetStatusName": (ctypes.c_char_p, [_int]),
    "cublasLtGetStatusString": (ctypes.c_char_p, [_int]),
}


def _library_path() -> str:
    from nvmath.compile import toolchain

    return toolchain.load_library("cublasLt").abs_path


_LIBRARY = CLibrary(
    "cuBLASLt", _library_path, _PROTOTYPES, other=_OTHER, error=cuBLASLtError, missing_status=Status.NOT_SUPPORTED
)


def library() -> ctypes.CDLL:
    """Load libcublasLt (once) and return it as a :class:`ctypes.CDLL` with prototypes set.

    Raises:
        nvmath.compile.ToolchainError: (a ``RuntimeError``) when no cuBLASLt library can be
            found; the message names the pip package to install (``nvidia-cublas``).

    Example:
        >>> library().cublasLtMatmul  # doctest: +SKIP
        <_FuncPtr object at ...>
    """
    return _LIBRARY.handle()


def _other(cname: str):
    fn = _LIBRARY.function(cname)
    if fn is None:
        raise cuBLASLtError(Status.NOT_SUPPORTED, f"{cname} (not exported by the loaded cuBLASLt)")
    return fn


def _handle_value(handle: ctypes.c_void_p) -> int:
    return handle.value or 0


# --------------------------------------------------------------------------------------------
# Library, versions, status names
# --------------------------------------------------------------------------------------------


def get_version() -> int:
    """``cublasLtGetVersion``: the cuBLASLt version, ``major * 10000 + minor * 100 + patch``.

    Works without a GPU.

    Example:
        >>> get_version()  # doctest: +SKIP
        131000
    """
    return _other("cublasLtGetVersion")()


def get_cudart_version() -> int:
    """``cublasLtGetCudartVersion``: the CUDA runtime version cuBLASLt was built with (e.g. 13000).

    Works without a GPU.

    Example:
        >>> get_cudart_version()  # doctest: +SKIP
        13000
    """
    return _other("cublasLtGetCudartVersion")()


def get_status_name(status: int) -> str:
    """``cublasLtGetStatusName``: cuBLAS's name of a status (``"unrecognized status"`` if unknown).

    Example:
        >>> get_status_name(Status.NOT_SUPPORTED)  # doctest: +SKIP
        'CUBLAS_STATUS_NOT_SUPPORTED'
    """
    return _other("cublasLtGetStatusName")(_status(status)).decode()


def get_status_string(status: int) -> str:
    """``cublasLtGetStatusString``: cuBLAS's description of a status.

    Example:
        >>> get_status_string(Status.NOT_SUPPORTED)  # doctest: +SKIP
        'the requested functionality is not supported'
    """
    return _other("cublasLtGetStatusString")(_status(status)).decode()


def _status(status) -> int:
    """A ``cublasStatus_t`` argument as an int (a :class:`Status` member or a plain int)."""
    if isinstance(status, bool) or not isinstance(status, int):
        raise TypeError(
            f"Argument 'status' = {status!r:.60} must be an int cublasStatus_t (a Status member), not "
            f"{type(status).__name__}."
        )
    return int(status)


def create() -> int:
    """``cublasLtCreate``: a new cuBLASLt handle (needs a GPU: without a driver the status is
    ``CUBLAS_STATUS_NOT_INITIALIZED``).

    Example:
        >>> handle = create()  # doctest: +SKIP
    """
    handle = ctypes.c_void_p()
    _LIBRARY.call("cublasLtCreate", ctypes.byref(handle))
    return _handle_value(handle)


def destroy(handle: int) -> None:
    """``cublasLtDestroy``: release a handle from :func:`create`.

    Example:
        >>> destroy(handle)  # doctest: +SKIP
    """
    _LIBRARY.call("cublasLtDestroy", handle)


def heuristics_cache_get_capacity() -> int:
    """``cublasLtHeuristicsCacheGetCapacity``: entries of the process-wide heuristics cache (8192 by default).

    Example:
        >>> heuristics_cache_get_capacity()  # doctest: +SKIP
        8192
    """
    capacity = ctypes.c_size_t()
    _LIBRARY.call("cublasLtHeuristicsCacheGetCapacity", ctypes.byref(capacity))
    return capacity.value


def heuristics_cache_set_capacity(capacity: int) -> None:
    """``cublasLtHeuristicsCacheSetCapacity``: resize the heuristics cache (0 disables it).

    cuBLASLt 13.10 rounds the capacity up to a power of two (100 reads back as 128).

    Example:
        >>> heuristics_cache_set_capacity(8192)  # doctest: +SKIP
    """
    _LIBRARY.call("cublasLtHeuristicsCacheSetCapacity", capacity)


# --------------------------------------------------------------------------------------------
# Matrix layouts
# --------------------------------------------------------------------------------------------


def matrix_layout_create(data_type: int, rows: int, cols: int, ld: int) -> int:
    """``cublasLtMatrixLayoutCreate``: a layout of a ``rows x cols`` matrix of ``data_type`` (column-major).

    Args:
        data_type: a :class:`DataType` (``cudaDataType``).
        rows, cols: the matrix shape (``uint64_t``).
        ld: the leading dimension in elements (``int64_t``); set ``MatrixLayoutAttribute.ORDER``
            to :attr:`Order.ROW` for row-major data.

    Example:
        >>> layout = matrix_layout_create(DataType.R_32F, 128, 64, 128)  # doctest: +SKIP
    """
    layout = ctypes.c_void_p()
    _LIBRARY.call("cublasLtMatrixLayoutCreate", ctypes.byref(layout), int(data_type), rows, cols, ld)
    return _handle_value(layout)


def matrix_layout_destroy(layout: int) -> None:
    """``cublasLtMatrixLayoutDestroy``.

    Example:
        >>> matrix_layout_destroy(layout)  # doctest: +SKIP
    """
    _LIBRARY.call("cublasLtMatrixLayoutDestroy", layout)


def matrix_layout_set_attribute(layout: int, attr: int, value: int) -> None:
    """``cublasLtMatrixLayoutSetAttribute`` with the attribute's C type (:func:`attribute_ctype`).

    Raises:
        ValueError: ``attr`` is not a :class:`MatrixLayoutAttribute`, or ``value`` does not fit its type.

    Example:
        >>> matrix_layout_set_attribute(layout, MatrixLayoutAttribute.BATCH_COUNT, 8)  # doctest: +SKIP
    """
    _set_attribute("matrix_layout", layout, attr, value)


def matrix_layout_get_attribute(layout: int, attr: int) -> int:
    """``cublasLtMatrixLayoutGetAttribute``: the attribute's value as a Python int.

    Example:
        >>> matrix_layout_get_attribute(layout, MatrixLayoutAttribute.ROWS)  # doctest: +SKIP
        128
    """
    return _get_attribute("matrix_layout", layout, attr)


# --------------------------------------------------------------------------------------------
# Matmul descriptors
# --------------------------------------------------------------------------------------------


def matmul_desc_create(compute_type: int, scale_type: int) -> int:
    """``cublasLtMatmulDescCreate``: a matmul descriptor.

    Args:
        compute_type: a :class:`ComputeType`.
        scale_type: the :class:`DataType` of alpha and beta.

    Example:
        >>> desc = matmul_desc_create(ComputeType.COMPUTE_32F, DataType.R_32F)  # doctest: +SKIP
    """
    desc = ctypes.c_void_p()
    _LIBRARY.call("cublasLtMatmulDescCreate", ctypes.byref(desc), int(compute_type), int(scale_type))
    return _handle_value(desc)


def matmul_desc_destroy(desc: int) -> None:
    """``cublasLtMatmulDescDestroy``.

    Example:
        >>> matmul_desc_destroy(desc)  # doctest: +SKIP
    """
    _LIBRARY.call("cublasLtMatmulDescDestroy", desc)


def matmul_desc_set_attribute(desc: int, attr: int, value: int) -> None:
    """``cublasLtMatmulDescSetAttribute`` with the attribute's C type (:func:`attribute_ctype`).

    Pointer attributes (``BIAS_POINTER``, ``*_SCALE_POINTER``, ``AMAX_D_POINTER``,
    ``EPILOGUE_AUX_POINTER``, ...) take an int address, 0 or None for NULL. cuBLASLt does not
    check enum values here; an unsupported combination fails at :func:`matmul_algo_get_heuristic`.

    Raises:
        ValueError: ``attr`` is not a :class:`MatmulDescAttribute`, or ``value`` does not fit its type.

    Example:
        >>> matmul_desc_set_attribute(desc, MatmulDescAttribute.EPILOGUE, Epilogue.RELU_BIAS)  # doctest: +SKIP
        >>> matmul_desc_set_attribute(desc, MatmulDescAttribute.BIAS_POINTER, bias_ptr)  # doctest: +SKIP
    """
    _set_attribute("matmul_desc", desc, attr, value)


def matmul_desc_get_attribute(desc: int, attr: int) -> int:
    """``cublasLtMatmulDescGetAttribute``: the attribute's value as a Python int (pointers: 0 for NULL).

    Example:
        >>> matmul_desc_get_attribute(desc, MatmulDescAttribute.EPILOGUE)  # doctest: +SKIP
        1
    """
    return _get_attribute("matmul_desc", desc, attr)


# --------------------------------------------------------------------------------------------
# Matmul preferences
# --------------------------------------------------------------------------------------------


def matmul_preference_create() -> int:
    """``cublasLtMatmulPreferenceCreate``: heuristic search preferences (no workspace allowed by default).

    Example:
        >>> pref = matmul_preference_create()  # doctest: +SKIP
    """
    pref = ctypes.c_void_p()
    _LIBRARY.call("cublasLtMatmulPreferenceCreate", ctypes.byref(pref))
    return _handle_value(pref)


def matmul_preference_destroy(pref: int) -> None:
    """``cublasLtMatmulPreferenceDestroy``.

    Example:
        >>> matmul_preference_destroy(pref)  # doctest: +SKIP
    """
    _LIBRARY.call("cublasLtMatmulPreferenceDestroy", pref)


def matmul_preference_set_attribute(pref: int, attr: int, value: int | float) -> None:
    """``cublasLtMatmulPreferenceSetAttribute`` with the attribute's C type (``MAX_WAVES_COUNT`` is a float).

    Raises:
        ValueError: ``attr`` is not a :class:`MatmulPreferenceAttribute`, or ``value`` does not fit its type.

    Example:
        >>> MAX_WORKSPACE_BYTES = MatmulPreferenceAttribute.MAX_WORKSPACE_BYTES
        >>> matmul_preference_set_attribute(pref, MAX_WORKSPACE_BYTES, 1 << 25)  # doctest: +SKIP
    """
    _set_attribute("matmul_preference", pref, attr, value)


def matmul_preference_get_attribute(pref: int, attr: int) -> int | float:
    """``cublasLtMatmulPreferenceGetAttribute``.

    Example:
        >>> matmul_preference_get_attribute(pref, MatmulPreferenceAttribute.MIN_ALIGNMENT_A_BYTES)  # doctest: +SKIP
        256
    """
    return _get_attribute("matmul_preference", pref, attr)


# --------------------------------------------------------------------------------------------
# Algorithms
# --------------------------------------------------------------------------------------------


def matmul_algo_get_heuristic(
    handle: int,
    op_desc: int,
    a_desc: int,
    b_desc: int,
    c_desc: int,
    d_desc: int,
    preference: int,
    requested: int,
) -> list[MatmulHeuristicResult]:
    """``cublasLtMatmulAlgoGetHeuristic``: up to ``requested`` algorithms, fastest first.

    Returns only the ``returnAlgoCount`` results written; check each ``state``.

    Raises:
        ValueError: ``requested`` < 1.
        cuBLASLtError: ``CUBLAS_STATUS_NOT_SUPPORTED`` when no algorithm fits the problem.

    Example:
        >>> results = matmul_algo_get_heuristic(handle, desc, a, b, c, d, pref, 8)  # doctest: +SKIP
        >>> results[0].workspace_size  # doctest: +SKIP
        0
    """
    if requested < 1:
        raise ValueError(f"matmul_algo_get_heuristic: requested = {requested} must be at least 1.")
    results = (MatmulHeuristicResult * requested)()
    count = ctypes.c_int()
    _LIBRARY.call(
        "cublasLtMatmulAlgoGetHeuristic",
        handle, op_desc, a_desc, b_desc, c_desc, d_desc, preference, requested, results, ctypes.byref(count),
    )  # fmt: skip
    return list(results[: count.value])


def matmul_algo_get_ids(
    handle: int,
    compute_type: int,
    scale_type: int,
    a_type: int,
    b_type: int,
    c_type: int,
    d_type: int,
    requested: int,
) -> list[int]:
    """``cublasLtMatmulAlgoGetIds``: the ids (at most ``requested``) of algorithms that may run these types.

    Example:
        >>> ids = matmul_algo_get_ids(handle, ComputeType.COMPUTE_32F, DataType.R_32F, DataType.R_32F,
        ...                           DataType.R_32F, DataType.R_32F, DataType.R_32F, 100)  # doctest: +SKIP
    """
    if requested < 1:
        raise ValueError(f"matmul_algo_get_ids: requested = {requested} must be at least 1.")
    ids = (ctypes.c_int * requested)()
    count = ctypes.c_int()
    _LIBRARY.call(
        "cublasLtMatmulAlgoGetIds",
        handle, int(compute_type), int(scale_type), int(a_type), int(b_type), int(c_type), int(d_type),
        requested, ids, ctypes.byref(count),
    )  # fmt: skip
    return list(ids[: count.value])


def matmul_algo_init(
    handle: int,
    compute_type: int,
    scale_type: int,
    a_type: int,
    b_type: int,
    c_type: int,
    d_type: int,
    algo_id: int,
) -> MatmulAlgo:
    """``cublasLtMatmulAlgoInit``: a :class:`MatmulAlgo` for algorithm ``algo_id`` (configure it next).

    Example:
        >>> algo = matmul_algo_init(handle, ComputeType.COMPUTE_32F, DataType.R_32F, DataType.R_32F,
        ...                         DataType.R_32F, DataType.R_32F, DataType.R_32F, ids[0])  # doctest: +SKIP
    """
    algo = MatmulAlgo()
    _LIBRARY.call(
        "cublasLtMatmulAlgoInit",
        handle, int(compute_type), int(scale_type), int(a_type), int(b_type), int(c_type), int(d_type),
        algo_id, ctypes.byref(algo),
    )  # fmt: skip
    return algo


def matmul_algo_check(
    handle: int, op_desc: int, a_desc: int, b_desc: int, c_desc: int, d_desc: int, algo: MatmulAlgo
) -> MatmulHeuristicResult:
    """``cublasLtMatmulAlgoCheck``: whether ``algo`` can run this problem here; its workspace and waves.

    The result's ``algo`` field is not written (cuBLASLt never updates it).

    Raises:
        cuBLASLtError: ``CUBLAS_STATUS_INVALID_VALUE`` / ``NOT_SUPPORTED`` / ``ARCH_MISMATCH`` when it cannot.

    Example:
        >>> matmul_algo_check(handle, desc, a, b, c, d, algo).workspace_size  # doctest: +SKIP
        0
    """
    result = MatmulHeuristicResult()
    _LIBRARY.call(
        "cublasLtMatmulAlgoCheck", handle, op_desc, a_desc, b_desc, c_desc, d_desc, ctypes.byref(algo),
        ctypes.byref(result),
    )  # fmt: skip
    return result


def matmul_algo_cap_get_attribute(algo: MatmulAlgo, attr: int) -> int | list[int]:
    """``cublasLtMatmulAlgoCapGetAttribute``: a capability of an initialised algorithm.

    ``TILE_IDS`` and ``STAGES_IDS`` return a list (their count is queried first); the others an int.
    On an all-zero (uninitialised) :class:`MatmulAlgo` cuBLASLt answers ``CUBLAS_STATUS_INVALID_VALUE``.

    Example:
        >>> matmul_algo_cap_get_attribute(algo, MatmulAlgoCapAttribute.SPLITK_SUPPORT)  # doctest: +SKIP
        1
        >>> matmul_algo_cap_get_attribute(algo, MatmulAlgoCapAttribute.TILE_IDS)  # doctest: +SKIP
        [20, 23, 24]
    """
    return _get_attribute("matmul_algo_cap", ctypes.byref(algo), attr)


def matmul_algo_config_set_attribute(algo: MatmulAlgo, attr: int, value: int) -> None:
    """``cublasLtMatmulAlgoConfigSetAttribute``: configure ``algo`` in place.

    ``ID`` is read-only (``CUBLAS_STATUS_INVALID_VALUE``); it is set by :func:`matmul_algo_init`.

    Example:
        >>> TILE_ID = MatmulAlgoConfigAttribute.TILE_ID
        >>> matmul_algo_config_set_attribute(algo, TILE_ID, MatmulTile.TILE_128x128)  # doctest: +SKIP
    """
    _set_attribute("matmul_algo_config", ctypes.byref(algo), attr, value)


def matmul_algo_config_get_attribute(algo: MatmulAlgo, attr: int) -> int:
    """``cublasLtMatmulAlgoConfigGetAttribute``.

    Example:
        >>> matmul_algo_config_get_attribute(algo, MatmulAlgoConfigAttribute.SPLITK_NUM)  # doctest: +SKIP
        1
    """
    return _get_attribute("matmul_algo_config", ctypes.byref(algo), attr)


# --------------------------------------------------------------------------------------------
# Matmul
# --------------------------------------------------------------------------------------------


def _algo_argument(algo: MatmulAlgo | int | None):
    if algo is None or isinstance(algo, MatmulAlgo):
        return algo
    address = operator.index(algo)
    return ctypes.cast(ctypes.c_void_p(address), _algo_p) if address else None


def matmul(
    handle: int,
    desc: int,
    alpha: int,
    a: int,
    a_desc: int,
    b: int,
    b_desc: int,
    beta: int,
    c: int,
    c_desc: int,
    d: int,
    d_desc: int,
    algo: MatmulAlgo | int | None,
    workspace: int,
    workspace_size: int,
    stream: int,
) -> None:
    """``cublasLtMatmul``: ``D = alpha * op(A) @ op(B) + beta * C`` on ``stream`` (asynchronous).

    Args:
        alpha, beta: addresses of the scalars (host or device memory, see
            ``MatmulDescAttribute.POINTER_MODE``), of the descriptor's scale type.
        a, b, c, d: device addresses of the matrices; ``c`` may equal ``d``.
        algo: a :class:`MatmulAlgo` (e.g. ``results[0].algo`` of :func:`matmul_algo_get_heuristic`),
            its address, or None to let cuBLASLt run its own heuristic.
        workspace, workspace_size: a device buffer of at least the algorithm's ``workspace_size``.
        stream: a ``cudaStream_t`` as an int (0: the legacy default stream).

    Example:
        >>> alpha = ctypes.c_float(1.0); beta = ctypes.c_float(0.0)
        >>> matmul(handle, desc, ctypes.addressof(alpha), a_ptr, a, b_ptr, b, ctypes.addressof(beta),
        ...        c_ptr, c, c_ptr, c, results[0].algo, 0, 0, stream)  # doctest: +SKIP
    """
    _LIBRARY.call(
        "cublasLtMatmul",
        handle, desc, alpha, a, a_desc, b, b_desc, beta, c, c_desc, d, d_desc, _algo_argument(algo),
        workspace, workspace_size, stream,
    )  # fmt: skip


def matmul_function():
    """The raw ctypes ``cublasLtMatmul`` (prototype set), for hot loops that check the status themselves.

    Arguments are those of :func:`matmul`; ``algo`` is a :class:`MatmulAlgo` (passed by
    reference), ``ctypes.byref(algo)`` or None. It returns the ``cublasStatus_t`` as an int.

    Example:
        >>> fn = matmul_function()  # doctest: +SKIP
        >>> status = fn(handle, desc, alpha_ptr, a_ptr, a, b_ptr, b, beta_ptr, c_ptr, c, c_ptr, c,
        ...             algo, 0, 0, stream)  # doctest: +SKIP
    """
    return _other("cublasLtMatmul")
