"""The cuBLASDx half of nvmath.bindings.mathdx against libcublasdx.h and libmathdx 0.4.1.

The fast tests check the enums, constants and prototypes against the header and use descriptors
without compiling. The two ``slow`` tests compile through libmathdx (NVRTC) twice each: about
4 compiles, 20-30 s on two cores.
"""

import math
import os
import re
from enum import IntEnum

import pytest

from nvmath.bindings import mathdx
from nvmath.bindings.mathdx import (
    CommondxExecution,
    CommondxOption,
    CommondxPrecision,
    CommondxStatusType,
    CommondxValueType,
    CublasdxApi,
    CublasdxArrangement,
    CublasdxDeviceFunctionTrait,
    CublasdxDeviceFunctionType,
    CublasdxFunction,
    CublasdxMemorySpace,
    CublasdxOperatorType,
    CublasdxTensorTrait,
    CublasdxTensorType,
    CublasdxTraitType,
    CublasdxType,
    MathdxError,
)

# C enum type name -> (IntEnum class, prefix of its C member names)
ENUMS = {
    "cublasdxApi_t": (mathdx.CublasdxApi, "CUBLASDX_API_"),
    "cublasdxDevicePipelineType_t": (mathdx.CublasdxDevicePipelineType, "CUBLASDX_DEVICE_PIPELINE_"),
    "cublasdxTilePipelineType_t": (mathdx.CublasdxTilePipelineType, "CUBLASDX_TILE_PIPELINE_"),
    "cublasdxBlockSizeStrategy_t": (mathdx.CublasdxBlockSizeStrategy, "CUBLASDX_BLOCK_SIZE_STRATEGY_"),
    "cublasdxType_t": (mathdx.CublasdxType, "CUBLASDX_TYPE_"),
    "cublasdxMemorySpace_t": (mathdx.CublasdxMemorySpace, "CUBLASDX_MEMORY_SPACE_"),
    "cublasdxTransposeMode_t": (mathdx.CublasdxTransposeMode, "CUBLASDX_TRANSPOSE_MODE_"),
    "cublasdxArrangement_t": (mathdx.CublasdxArrangement, "CUBLASDX_ARRANGEMENT_"),
    "cublasdxFunction_t": (mathdx.CublasdxFunction, "CUBLASDX_FUNCTION_"),
    "cublasdxOperatorType_t": (mathdx.CublasdxOperatorType, "CUBLASDX_OPERATOR_"),
    "cublasdxTraitType_t": (mathdx.CublasdxTraitType, "CUBLASDX_TRAIT_"),
    "cublasdxTensorType_t": (mathdx.CublasdxTensorType, "CUBLASDX_TENSOR_"),
    "cublasdxTensorOption_t": (mathdx.CublasdxTensorOption, "CUBLASDX_TENSOR_OPTION_"),
    "cublasdxTensorTrait_t": (mathdx.CublasdxTensorTrait, "CUBLASDX_TENSOR_TRAIT_"),
    "cublasdxPipelineTrait_t": (mathdx.CublasdxPipelineTrait, "CUBLASDX_PIPELINE_TRAIT_"),
    "cublasdxDeviceFunctionTrait_t": (mathdx.CublasdxDeviceFunctionTrait, "CUBLASDX_DEVICE_FUNCTION_TRAIT_"),
    "cublasdxDeviceFunctionOption_t": (mathdx.CublasdxDeviceFunctionOption, "CUBLASDX_DEVICE_FUNCTION_OPTION_"),
    "cublasdxDeviceFunctionType_t": (mathdx.CublasdxDeviceFunctionType, "CUBLASDX_DEVICE_FUNCTION_"),
}

M, N, K = 32, 16, 64
ROW, COL = CublasdxArrangement.ROW_MAJOR, CublasdxArrangement.COL_MAJOR


def header_path() -> str:
    """libcublasdx.h of the installed nvidia-libmathdx wheel."""
    try:
        from cuda.pathfinder import find_nvidia_header_directory

        include = find_nvidia_header_directory("mathdx")
    except Exception:
        include = None
    if include and os.path.exists(os.path.join(include, "libcublasdx.h")):
        return os.path.join(include, "libcublasdx.h")
    import nvidia

    for root in nvidia.__path__:  # a namespace package: no __file__
        path = os.path.join(root, "cu13", "include", "libcublasdx.h")
        if os.path.exists(path):
            return path
    raise AssertionError("libcublasdx.h not found (nvidia-libmathdx-cu13 installed?)")


def header_text() -> str:
    with open(header_path()) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)  # comments
    return re.sub(r"//[^\n]*", "", text)


def header_enums() -> dict[str, dict[str, int]]:
    """``{C enum type name: {member name: value}}``, every member written ``NAME = value``."""
    enums = {}
    for name, body in re.findall(r"typedef\s+enum\s+(\w+)\s*\{(.*?)\}\s*\w+\s*;", header_text(), flags=re.DOTALL):
        members = {}
        for entry in body.split(","):
            if entry.strip():
                m = re.fullmatch(r"\s*(\w+)\s*=\s*(-?\d+)\s*", entry)
                assert m, f"{name}: cannot parse {entry!r}"
                members[m.group(1)] = int(m.group(2))
        enums[name] = members
    return enums


def snake(c_name: str) -> str:
    """``cublasdxGetLTOIRSize`` -> ``cublasdx_get_ltoir_size``."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", c_name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def gemm_descriptor(api=CublasdxApi.SMEM, arrangement=(ROW, COL, COL), block_dim=None) -> int:
    """A 32x16x64 real fp32 Block GEMM for sm_90 (no compile)."""
    h = mathdx.cublasdx_create_descriptor()
    Op = CublasdxOperatorType
    mathdx.cublasdx_set_operator_int64(h, Op.FUNCTION, CublasdxFunction.MM)
    mathdx.cublasdx_set_operator_int64s(h, Op.SIZE, [M, N, K])
    mathdx.cublasdx_set_operator_int64(h, Op.TYPE, CublasdxType.REAL)
    mathdx.cublasdx_set_operator_int64s(h, Op.PRECISION, [CommondxPrecision.F32] * 3)
    mathdx.cublasdx_set_operator_int64(h, Op.SM, 900)
    mathdx.cublasdx_set_operator_int64(h, Op.EXECUTION, CommondxExecution.BLOCK)
    mathdx.cublasdx_set_operator_int64(h, Op.API, api)
    mathdx.cublasdx_set_operator_int64s(h, Op.ARRANGEMENT, arrangement)
    if block_dim is not None:
        mathdx.cublasdx_set_operator_int64s(h, Op.BLOCK_DIM, block_dim)
    return h


def default_leading_dimensions(m, n, k, arrangement) -> tuple[int, int, int]:
    """cuBLASDx's default LDA, LDB, LDC: the number of rows (column-major) or columns (row-major)."""
    a, b, c = arrangement
    lda = m if a == COL else k  # A is m x k
    ldb = k if b == COL else n  # B is k x n
    ldc = m if c == COL else n  # C is m x n
    return lda, ldb, ldc


def is_ltoir(chunk: bytes) -> bool:
    return chunk[:4] == b"\xedCN\x7f"  # NVVM LTO-IR magic 0x7F4E43ED


# --------------------------------------------------------------------------------------------
# The binding against the header (no libmathdx calls but the *ToStr ones)
# --------------------------------------------------------------------------------------------


def test_every_enum_matches_the_header():
    enums = header_enums()
    assert set(enums) == set(ENUMS), "an enum of libcublasdx.h has no IntEnum (or the reverse)"
    in_module = {v for v in vars(mathdx).values() if isinstance(v, type) and issubclass(v, IntEnum)}
    assert {cls for cls, _ in ENUMS.values()} == {c for c in in_module if c.__name__.startswith("Cublasdx")}
    for c_name, (cls, prefix) in ENUMS.items():
        expected = {}
        for member, value in enums[c_name].items():
            assert member.startswith(prefix), (c_name, member)
            expected[member[len(prefix) :]] = value
        assert {e.name: e.value for e in cls} == expected, c_name
        assert cls.__name__ in mathdx.__all__


def test_enum_to_str_gives_the_c_names():
    enums = header_enums()
    for c_name, (cls, _) in ENUMS.items():
        to_str = getattr(mathdx, snake(c_name[: -len("_t")]) + "_to_str")
        assert {to_str(cls(v)) for v in enums[c_name].values()} == set(enums[c_name]), c_name


def test_constants_match_the_header():
    llong_min = -(2**63)
    defines = dict(re.findall(r"#define\s+(LIBMATHDX_\w+)\s+(\w+)", header_text()))
    assert defines == {
        "LIBMATHDX_RUNTIME": "LLONG_MIN",
        "LIBMATHDX_MAX_PIPELINE_DEPTH": "0",
        "LIBMATHDX_NONE": "LLONG_MIN",
    }
    assert mathdx.LIBMATHDX_RUNTIME == llong_min
    assert mathdx.LIBMATHDX_NONE == llong_min
    assert mathdx.LIBMATHDX_MAX_PIPELINE_DEPTH == 0


def test_every_function_has_a_prototype_and_a_python_function():
    functions = set(re.findall(r"LIBMATHDX_API[^;]*?\b(cublasdx\w+)\s*\(", header_text(), flags=re.DOTALL))
    assert len(functions) == 63
    prototyped = set(mathdx._SIGNATURES) | set(mathdx._TO_STR)
    assert functions <= prototyped, functions - prototyped
    for name in functions:
        if name.endswith("StrSize"):  # the first half of the Python string getter
            continue
        assert snake(name) in mathdx.__all__, name
        assert callable(getattr(mathdx, snake(name)))
        assert getattr(mathdx, snake(name)).__doc__, name


# --------------------------------------------------------------------------------------------
# Descriptors, tensors, device functions without code generation (milliseconds)
# --------------------------------------------------------------------------------------------


def test_descriptor_create_set_destroy():
    h = gemm_descriptor(block_dim=(128, 1, 1))
    assert isinstance(h, int)
    Op = CublasdxOperatorType
    mathdx.cublasdx_set_operator_int64s(h, Op.LEADING_DIMENSION, [64, 64, 32])
    mathdx.cublasdx_set_operator_int64s(h, Op.ALIGNMENT, [16, 16, 16])
    mathdx.cublasdx_set_option_str(h, CommondxOption.SYMBOL_NAME, "my_gemm")
    mathdx.cublasdx_set_option_strs(h, CommondxOption.EXTRA_NVRTC_ARGS, ["-lineinfo"])
    mathdx.cublasdx_destroy_descriptor(h)
    with pytest.raises(MathdxError) as e:
        mathdx.cublasdx_destroy_descriptor(h)
    assert e.value.status == CommondxStatusType.INVALID_VALUE
    assert e.value.function == "cublasdxDestroyDescriptor"


def test_operator_values_are_checked_when_set():
    h = mathdx.cublasdx_create_descriptor()
    try:
        for op, value in [(CublasdxOperatorType.API, 9), (CublasdxOperatorType.EXECUTION, 7)]:
            with pytest.raises(MathdxError) as e:
                mathdx.cublasdx_set_operator_int64(h, op, value)
            assert e.value.status == CommondxStatusType.INVALID_VALUE
        with pytest.raises(MathdxError):
            mathdx.cublasdx_set_operator_int64s(h, CublasdxOperatorType.SIZE, [M, N])  # needs 3 values
    finally:
        mathdx.cublasdx_destroy_descriptor(h)


def test_error_carries_libmathdx_text():
    # libmathdx records text for compilation errors only. SM 12345 is accepted when set; the
    # first trait query then fails in NVRTC's option parsing (no compile: well under a second).
    h = gemm_descriptor()
    mathdx.cublasdx_set_operator_int64(h, CublasdxOperatorType.SM, 12345)
    try:
        with pytest.raises(MathdxError) as e:
            mathdx.cublasdx_get_trait_int64s(h, CublasdxTraitType.SUGGESTED_BLOCK_DIM, 3)
    finally:
        mathdx.cublasdx_destroy_descriptor(h)
    assert isinstance(e.value.status, CommondxStatusType)
    assert e.value.status == CommondxStatusType.COMPILATION_ERROR
    assert e.value.detail
    assert e.value.detail in str(e.value)
    # libmathdx keeps that text as the thread's last error: a later failure must not borrow it
    with pytest.raises(MathdxError) as later:
        mathdx.cublasdx_destroy_descriptor(h)  # destroyed already: INVALID_VALUE, recorded without text
    assert later.value.status == CommondxStatusType.INVALID_VALUE
    assert later.value.detail == ""


def test_creating_a_tensor_locks_the_descriptor():
    h = gemm_descriptor(api=CublasdxApi.TENSORS, block_dim=(128, 1, 1))
    t = mathdx.cublasdx_create_tensor(h, CublasdxTensorType.SUGGESTED_SMEM_A)
    with pytest.raises(MathdxError):
        mathdx.cublasdx_set_operator_int64s(h, CublasdxOperatorType.BLOCK_DIM, [64, 1, 1])
    with pytest.raises(MathdxError) as e:  # traits need cublasdx_finalize_tensors
        mathdx.cublasdx_get_tensor_trait_int64(t, CublasdxTensorTrait.STORAGE_BYTES)
    assert e.value.status == CommondxStatusType.INVALID_VALUE
    mathdx.cublasdx_destroy_tensor(t)
    mathdx.cublasdx_destroy_descriptor(h)


def test_strided_tensors():
    R = mathdx.LIBMATHDX_RUNTIME
    t = mathdx.cublasdx_create_tensor_strided(CublasdxMemorySpace.GMEM, CommondxValueType.R_32F, None, [R, K], [1, R])
    like = mathdx.cublasdx_make_tensor_like(t, CommondxValueType.R_64F)
    assert like != t
    mathdx.cublasdx_set_tensor_option_int64(t, mathdx.CublasdxTensorOption.ALIGNMENT_BYTES, 16)
    mathdx.cublasdx_destroy_tensor(like)
    mathdx.cublasdx_destroy_tensor(t)
    with pytest.raises(ValueError, match="ptr"):
        mathdx.cublasdx_create_tensor_strided(CublasdxMemorySpace.GMEM, CommondxValueType.R_32F, 4096, [M], [1])
    with pytest.raises(ValueError, match="same length"):
        mathdx.cublasdx_create_tensor_strided(CublasdxMemorySpace.GMEM, CommondxValueType.R_32F, None, [M, K], [1])


def test_device_function_without_descriptor():
    f = mathdx.cublasdx_create_device_function(mathdx.LIBMATHDX_NONE, CublasdxDeviceFunctionType.COPY_WAIT, [])
    symbol = mathdx.cublasdx_get_device_function_trait_str(f, CublasdxDeviceFunctionTrait.SYMBOL)
    assert symbol.startswith("cublasdx_copy_wait")
    mathdx.cublasdx_set_device_function_option_str(f, mathdx.CublasdxDeviceFunctionOption.SYMBOL_NAME, "my_wait")
    assert mathdx.cublasdx_get_device_function_trait_str(f, CublasdxDeviceFunctionTrait.SYMBOL) == "my_wait"
    mathdx.cublasdx_destroy_device_function(f)


# --------------------------------------------------------------------------------------------
# Code generation (each test: two libmathdx compiles)
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_block_gemm_traits_and_code():
    arrangement = (ROW, COL, COL)
    h = gemm_descriptor(arrangement=arrangement)
    try:
        T = CublasdxTraitType
        suggested = mathdx.cublasdx_get_trait_int64s(h, T.SUGGESTED_BLOCK_DIM, 3)  # compiles
        assert len(suggested) == 3 and all(d >= 1 for d in suggested)
        assert 32 <= math.prod(suggested) <= 1024
        assert mathdx.cublasdx_get_trait_int64s(h, T.BLOCK_DIM, 3) == suggested  # no BLOCK_DIM operator set
        assert mathdx.cublasdx_get_trait_int64(h, T.MAX_THREADS_PER_BLOCK) == math.prod(suggested)
        try:
            assert mathdx.cublasdx_get_trait_int64(h, T.BLOCK_SIZE) == math.prod(suggested)
        except MathdxError as e:  # libmathdx 0.4.1
            assert e.status == CommondxStatusType.INTERNAL_ERROR
        assert mathdx.cublasdx_get_trait_int64s(h, T.SIZE, 3) == (M, N, K)
        assert mathdx.cublasdx_get_trait_int64s(h, T.ARRANGEMENT, 3) == arrangement
        expected_ld = default_leading_dimensions(M, N, K, arrangement)
        assert expected_ld == (64, 64, 32)
        assert mathdx.cublasdx_get_trait_int64s(h, T.LEADING_DIMENSION, 3) == expected_ld
        value_types = mathdx.cublasdx_get_trait_commondx_data_types(h, T.VALUE_TYPE, 3)
        assert value_types == (CommondxValueType.R_32F,) * 3
        assert all(isinstance(v, CommondxValueType) for v in value_types)
        symbol = mathdx.cublasdx_get_trait_str(h, T.SYMBOL_NAME)
        assert isinstance(symbol, str) and symbol

        code = mathdx.commondx_create_code()
        try:
            mathdx.commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
            mathdx.cublasdx_finalize_code(code, h)  # compiles
            chunks = mathdx.commondx_get_code_ltoirs(code)
            assert len(chunks) == 1
            assert len(chunks[0]) > 100_000
            assert is_ltoir(chunks[0])
        finally:
            mathdx.commondx_destroy_code(code)
    finally:
        mathdx.cublasdx_destroy_descriptor(h)


@pytest.mark.slow
def test_tensor_api_traits_and_device_functions():
    threads = 128
    h = gemm_descriptor(api=CublasdxApi.TENSORS, block_dim=(threads, 1, 1))
    TT = CublasdxTensorType
    names = ["GMEM_A", "SUGGESTED_SMEM_A", "SUGGESTED_SMEM_B", "SUGGESTED_RMEM_C"]
    tensors = {name: mathdx.cublasdx_create_tensor(h, TT[name]) for name in names}
    functions = {}
    code = mathdx.commondx_create_code()
    try:
        mathdx.cublasdx_finalize_tensors(list(tensors.values()))  # one compile for all four
        trait = mathdx.cublasdx_get_tensor_trait_int64
        assert trait(tensors["SUGGESTED_SMEM_A"], CublasdxTensorTrait.STORAGE_BYTES) >= M * K * 4
        assert trait(tensors["SUGGESTED_SMEM_B"], CublasdxTensorTrait.STORAGE_BYTES) >= K * N * 4
        assert trait(tensors["SUGGESTED_RMEM_C"], CublasdxTensorTrait.STORAGE_BYTES) * threads >= M * N * 4
        spaces = {name: trait(t, CublasdxTensorTrait.MEMORY_SPACE) for name, t in tensors.items()}
        assert spaces == {
            "GMEM_A": CublasdxMemorySpace.GMEM,
            "SUGGESTED_SMEM_A": CublasdxMemorySpace.SMEM,
            "SUGGESTED_SMEM_B": CublasdxMemorySpace.SMEM,
            "SUGGESTED_RMEM_C": CublasdxMemorySpace.RMEM,
        }
        opaque = [mathdx.cublasdx_get_tensor_trait_str(t, CublasdxTensorTrait.OPAQUE_NAME) for t in tensors.values()]
        assert all(isinstance(s, str) and s for s in opaque)
        assert len(set(opaque)) == len(opaque)

        F = CublasdxDeviceFunctionType
        functions = {
            "copy": mathdx.cublasdx_create_device_function(h, F.COPY, [tensors["GMEM_A"], tensors["SUGGESTED_SMEM_A"]]),
            "copy_wait": mathdx.cublasdx_create_device_function(h, F.COPY_WAIT, []),
            "execute": mathdx.cublasdx_create_device_function(
                h,
                F.EXECUTE,
                [tensors["SUGGESTED_SMEM_A"], tensors["SUGGESTED_SMEM_B"], tensors["SUGGESTED_RMEM_C"]],
            ),
            "clear": mathdx.cublasdx_create_device_function(h, F.CLEAR, [tensors["SUGGESTED_RMEM_C"]]),
        }
        mathdx.commondx_set_code_option_int64(code, CommondxOption.TARGET_SM, 900)
        mathdx.cublasdx_finalize_device_functions(code, list(functions.values()))  # one compile for all four
        symbols = [
            mathdx.cublasdx_get_device_function_trait_str(f, CublasdxDeviceFunctionTrait.SYMBOL)
            for f in functions.values()
        ]
        assert all(isinstance(s, str) and s for s in symbols)
        assert len(set(symbols)) == len(symbols)
        chunks = mathdx.commondx_get_code_ltoirs(code)
        assert len(chunks) == 1
        assert is_ltoir(chunks[0])
    finally:
        mathdx.commondx_destroy_code(code)
        for f in functions.values():
            mathdx.cublasdx_destroy_device_function(f)
        for t in tensors.values():
            mathdx.cublasdx_destroy_tensor(t)
        mathdx.cublasdx_destroy_descriptor(h)
