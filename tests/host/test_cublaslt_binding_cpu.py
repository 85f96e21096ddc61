"""CPU tests of the cuBLASLt binding: enums and structs against the installed headers, attribute
types, errors, library loading, and the descriptor functions that work without a GPU."""

import ctypes
import enum
import importlib.metadata
import pickle
import re
from pathlib import Path

import pytest

from nvmath.bindings import cublaslt
from nvmath.bindings._ctypes import CLibrary

# --------------------------------------------------------------------------------------------
# The headers of the installed nvidia-cublas wheel, parsed with regular expressions
# --------------------------------------------------------------------------------------------

# Python enum -> (C enum, [(C prefix, Python prefix)]): the naming rule of cublaslt's docstring.
ENUMS = {
    cublaslt.Status: ("cublasStatus_t", [("CUBLAS_STATUS_", "")]),
    cublaslt.ComputeType: ("cublasComputeType_t", [("CUBLAS_", "")]),
    cublaslt.Operation: ("cublasOperation_t", [("CUBLAS_OP_", "")]),
    cublaslt.FillMode: ("cublasFillMode_t", [("CUBLAS_FILL_MODE_", "")]),
    cublaslt.PointerMode: ("cublasLtPointerMode_t", [("CUBLASLT_POINTER_MODE_", "")]),
    cublaslt.PointerModeMask: ("cublasLtPointerModeMask_t", [("CUBLASLT_POINTER_MODE_MASK_", "")]),
    cublaslt.Order: ("cublasLtOrder_t", [("CUBLASLT_ORDER_", "")]),
    cublaslt.BatchMode: ("cublasLtBatchMode_t", [("CUBLASLT_BATCH_MODE_", "")]),
    cublaslt.IntegerWidth: ("cublasLtIntegerWidth_t", [("CUBLASLT_INTEGER_", "")]),
    cublaslt.MatrixLayoutAttribute: (
        "cublasLtMatrixLayoutAttribute_t",
        [("CUBLASLT_MATRIX_LAYOUT_", ""), ("CUBLASLT_GROUPED_MATRIX_LAYOUT_", "GROUPED_")],
    ),
    cublaslt.MatmulDescAttribute: ("cublasLtMatmulDescAttributes_t", [("CUBLASLT_MATMUL_DESC_", "")]),
    cublaslt.MatmulBatchInvarianceFlags: (
        "cublasLtMatmulBatchInvarianceFlags_t",
        [("CUBLASLT_BATCH_INVARIANCE_", "")],
    ),
    cublaslt.Epilogue: ("cublasLtEpilogue_t", [("CUBLASLT_EPILOGUE_", "")]),
    cublaslt.MatmulPreferenceAttribute: ("cublasLtMatmulPreferenceAttributes_t", [("CUBLASLT_MATMUL_PREF_", "")]),
    cublaslt.MatmulSearch: ("cublasLtMatmulSearch_t", [("CUBLASLT_SEARCH_", "")]),
    cublaslt.ReductionScheme: ("cublasLtReductionScheme_t", [("CUBLASLT_REDUCTION_SCHEME_", "")]),
    cublaslt.MatmulAlgoCapAttribute: ("cublasLtMatmulAlgoCapAttributes_t", [("CUBLASLT_ALGO_CAP_", "")]),
    cublaslt.MatmulAlgoConfigAttribute: ("cublasLtMatmulAlgoConfigAttributes_t", [("CUBLASLT_ALGO_CONFIG_", "")]),
    cublaslt.MatmulTile: ("cublasLtMatmulTile_t", [("CUBLASLT_MATMUL_", "")]),
    cublaslt.MatmulStages: ("cublasLtMatmulStages_t", [("CUBLASLT_MATMUL_", "")]),
    cublaslt.ClusterShape: ("cublasLtClusterShape_t", [("CUBLASLT_CLUSTER_", "")]),
    cublaslt.MatmulInnerShape: ("cublasLtMatmulInnerShape_t", [("CUBLASLT_MATMUL_INNER_SHAPE_", "")]),
    cublaslt.MatmulMatrixScale: ("cublasLtMatmulMatrixScale_t", [("CUBLASLT_MATMUL_MATRIX_SCALE_", "")]),
}

ATTRIBUTE_KINDS = {
    cublaslt.MatrixLayoutAttribute: "cublasLtMatrixLayoutAttribute_t",
    cublaslt.MatmulDescAttribute: "cublasLtMatmulDescAttributes_t",
    cublaslt.MatmulPreferenceAttribute: "cublasLtMatmulPreferenceAttributes_t",
    cublaslt.MatmulAlgoCapAttribute: "cublasLtMatmulAlgoCapAttributes_t",
    cublaslt.MatmulAlgoConfigAttribute: "cublasLtMatmulAlgoConfigAttributes_t",
}


def _python_name(cname: str, rules) -> str:
    for old, new in sorted(rules, key=lambda rule: -len(rule[0])):
        if cname.startswith(old):
            return new + cname[len(old) :]
    raise AssertionError(f"{cname} has none of the prefixes {rules}")


def _strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*", " ", re.sub(r"/\*.*?\*/", " ", text, flags=re.S))


def _c_eval(expr: str, known: dict[str, int]) -> int:
    """An enumerator's value: integer literals, earlier enumerators, | & << >> + - ~ and parentheses."""
    expr = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b", r"\1", expr.strip())
    expr = re.sub(r"\b(?!0[xX])[A-Za-z_]\w*\b", lambda m: str(known[m.group(0)]), expr)
    assert re.fullmatch(r"[\s0-9a-fA-FxX|&<>()+\-~]*", expr), expr
    return int(eval(expr, {"__builtins__": {}}))  # noqa: S307 - digits and operators only (checked above)


def _parse_enums(text: str) -> dict[str, dict[str, int]]:
    enums, known = {}, {}
    for body, name in re.findall(r"typedef\s+enum\s*\w*\s*\{(.*?)\}\s*(\w+)\s*;", _strip_comments(text), flags=re.S):
        members, value = {}, -1
        for item in filter(None, (part.strip() for part in body.split(","))):
            if "=" in item:
                cname, expr = (part.strip() for part in item.split("=", 1))
                value = _c_eval(expr, known)
            else:
                cname, value = item, value + 1
            members[cname] = known[cname] = value
        enums[name] = members
    return enums


def _find_headers() -> Path | None:
    try:
        dist = importlib.metadata.distribution("nvidia-cublas")
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if file.name == "cublasLt.h":
            path = Path(dist.locate_file(file))
            if path.exists() and (path.parent / "cublas_api.h").exists():
                return path.parent
    return None


@pytest.fixture(scope="module")
def headers() -> dict[str, str]:
    """``{file name: text}`` of cublasLt.h and cublas_api.h from the installed wheel."""
    directory = _find_headers()
    if directory is None:
        pytest.skip("the nvidia-cublas wheel (its cublasLt.h and cublas_api.h) is not installed")
    return {name: (directory / name).read_text() for name in ("cublas_api.h", "cublasLt.h")}


@pytest.fixture(scope="module")
def header_enums(headers) -> dict[str, dict[str, int]]:
    return _parse_enums(headers["cublas_api.h"] + headers["cublasLt.h"])


def _header_version(headers) -> str:
    parts = [
        re.search(rf"#define CUBLAS_VER_{p}\s+(\d+)", headers["cublas_api.h"]) for p in ("MAJOR", "MINOR", "PATCH")
    ]
    return ".".join(m.group(1) for m in parts if m)


# --------------------------------------------------------------------------------------------
# Enums and structs against the headers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("py_enum", list(ENUMS), ids=lambda e: e.__name__)
def test_enum_matches_the_header(py_enum, headers, header_enums):
    cname, rules = ENUMS[py_enum]
    assert cname in header_enums, f"{cname} is not in the headers of cuBLAS {_header_version(headers)}"
    expected = {_python_name(n, rules): v for n, v in header_enums[cname].items() if not n.endswith("_END")}
    actual = {name: int(member) for name, member in py_enum.__members__.items()}
    assert actual == expected, (
        f"{py_enum.__name__} differs from {cname} of cuBLAS {_header_version(headers)}: "
        f"missing {sorted(expected.keys() - actual.keys())}, extra {sorted(actual.keys() - expected.keys())}, "
        f"different {sorted(n for n in expected.keys() & actual.keys() if expected[n] != actual[n])}"
    )


def test_numerical_impl_flags_match_the_header_defines(headers):
    known: dict[str, int] = {}
    for cname, expr in re.findall(
        r"^#define\s+(CUBLASLT_NUMERICAL_IMPL_FLAGS_\w+)\s+(.+)$", _strip_comments(headers["cublasLt.h"]), flags=re.M
    ):
        known[cname] = _c_eval(expr, known)
    expected = {_python_name(n, [("CUBLASLT_NUMERICAL_IMPL_FLAGS_", "")]): v for n, v in known.items()}
    assert {n: int(m) for n, m in cublaslt.NumericalImplFlags.__members__.items()} == expected


def test_every_cublaslt_enum_of_the_header_that_the_binding_needs_is_bound(header_enums):
    # The cublasLt.h enums left out belong to functions not bound (matrix transform, emulation descriptors).
    bound = {cname for cname, _ in ENUMS.values()}
    left_out = {name for name in header_enums if name.startswith("cublasLt")} - bound
    assert left_out == {"cublasLtMatrixTransformDescAttributes_t", "cublasLtEmulationDescAttributes_t"}


_C_TYPES = {
    "uint64_t": ctypes.c_uint64,
    "size_t": ctypes.c_size_t,
    "cublasStatus_t": ctypes.c_int,  # an enum
    "float": ctypes.c_float,
    "int": ctypes.c_int,
}


def _struct_from_header(text: str, name: str, known: dict[str, type]) -> type:
    body = re.search(rf"typedef\s+struct\s*\{{([^{{}}]*)\}}\s*{name}\s*;", _strip_comments(text)).group(1)
    fields = []
    for ctype_name, field, count in re.findall(r"(\w+)\s+(\w+)\s*(?:\[(\d+)\])?\s*;", body):
        ctype = known[ctype_name]
        fields.append((field, ctype * int(count) if count else ctype))
    return type(name, (ctypes.Structure,), {"_fields_": fields})


def test_structs_match_the_header(headers):
    text = headers["cublasLt.h"]
    algo = _struct_from_header(text, "cublasLtMatmulAlgo_t", _C_TYPES)
    result = _struct_from_header(text, "cublasLtMatmulHeuristicResult_t", {**_C_TYPES, "cublasLtMatmulAlgo_t": algo})
    for ours, theirs in ((cublaslt.MatmulAlgo, algo), (cublaslt.MatmulHeuristicResult, result)):
        assert ctypes.sizeof(ours) == ctypes.sizeof(theirs)
        assert ctypes.alignment(ours) == ctypes.alignment(theirs)
        assert [f[0] for f in ours._fields_] == [f[0] for f in theirs._fields_]
        for field, _ in theirs._fields_:
            assert getattr(ours, field).offset == getattr(theirs, field).offset, field
            assert getattr(ours, field).size == getattr(theirs, field).size, field


def test_struct_layout_as_compiled():
    # sizeof / offsetof printed by gcc on x86-64 Linux for cublasLt.h of cuBLAS 13.10.
    assert ctypes.sizeof(cublaslt.MatmulAlgo) == 64
    assert ctypes.sizeof(cublaslt.MatmulHeuristicResult) == 96
    offsets = [
        getattr(cublaslt.MatmulHeuristicResult, f).offset for f in ("workspaceSize", "state", "wavesCount", "reserved")
    ]
    assert offsets == [64, 72, 76, 80]
    result = cublaslt.MatmulHeuristicResult(workspaceSize=5, wavesCount=0.5)
    assert (result.workspace_size, result.waves_count) == (5, 0.5)
    algo = cublaslt.MatmulAlgo()
    algo.data[3] = 7
    assert bytes(cublaslt.MatmulAlgo.from_buffer_copy(bytes(algo))) == bytes(algo)


# Attribute type lines in cublasLt.h comments -> the ctypes type they mean.
_DOCUMENTED_TYPES = {
    "int8_t": ctypes.c_int8,
    "uint16_t": ctypes.c_uint16,
    "int32_t": ctypes.c_int32,
    "uint32_t": ctypes.c_uint32,
    "int64_t": ctypes.c_int64,
    "uint64_t": ctypes.c_uint64,
    "float": ctypes.c_float,
    "array of uint32_t": ctypes.c_uint32,
    "void *": ctypes.c_void_p,
    "const void *": ctypes.c_void_p,
    "int64_t*": ctypes.c_void_p,
    "cublasLtEmulationDesc_t": ctypes.c_void_p,
    "cublasLtMatmulBatchInvarianceFlags_t": ctypes.c_int32,  # an enum
}
_TYPE_LINE = re.compile(
    r"^\s*\*\s*(?:[A-Za-z ]+:\s*)?(array of uint32_t|const void \*|void \*|int64_t\*|u?int(?:8|16|32|64)_t|float"
    r"|cublasLtEmulationDesc_t|cublasLtMatmulBatchInvarianceFlags_t)(?![\w*])",
    flags=re.M,
)
# Where cuBLASLt 13.10 stores something else than its header documents (measured: sizeInBytes=0).
# Keyed by (enum, name): members of different IntEnums with one value are equal dict keys.
_NOT_AS_DOCUMENTED = {
    ("MatmulPreferenceAttribute", "GROUPED_AVERAGE_REDUCTION_DIM"): ctypes.c_uint64,
    ("MatmulPreferenceAttribute", "GROUPED_DESC_D_AVERAGE_ROWS"): ctypes.c_uint64,
    ("MatmulPreferenceAttribute", "GROUPED_DESC_D_AVERAGE_COLS"): ctypes.c_uint64,
}


@pytest.mark.parametrize("py_enum", list(ATTRIBUTE_KINDS), ids=lambda e: e.__name__)
def test_attribute_types_are_the_documented_ones(py_enum, headers):
    text = headers["cublasLt.h"]
    end = text.index(f"}} {ATTRIBUTE_KINDS[py_enum]};")
    body = text[text.rindex("typedef enum {", 0, end) : end]
    _, rules = ENUMS[py_enum]
    documented = {}  # one enum: members are distinct keys
    for comment, cname in re.findall(r"/\*\*?(.*?)\*/\s*(CUBLASLT_\w+)\s*=", body, flags=re.S):
        types = {_DOCUMENTED_TYPES[t] for t in _TYPE_LINE.findall(comment)}
        assert len(types) == 1, f"{cname}: no single type line in its comment ({types})"
        documented[py_enum[_python_name(cname, rules)]] = types.pop()
    assert set(documented) == set(py_enum)
    for member, ctype in documented.items():
        expected = _NOT_AS_DOCUMENTED.get((py_enum.__name__, member.name), ctype)
        assert cublaslt.attribute_ctype(member) is expected, f"{member!r}: documented {ctype.__name__}"


# --------------------------------------------------------------------------------------------
# Tables, errors, loading (no library needed)
# --------------------------------------------------------------------------------------------


def test_every_attribute_has_a_type():
    ctypes_used = set(_DOCUMENTED_TYPES.values())
    for py_enum in ATTRIBUTE_KINDS:
        for member in py_enum:
            assert cublaslt.attribute_ctype(member) in ctypes_used, member
    with pytest.raises(ValueError, match="not a member of a cuBLASLt attribute enum"):
        cublaslt.attribute_ctype(cublaslt.Epilogue.BIAS)


def test_enum_spot_values():
    assert (cublaslt.Operation.N, cublaslt.Operation.T, cublaslt.Operation.C) == (0, 1, 2)
    assert cublaslt.Operation.HERMITAN is cublaslt.Operation.C
    assert cublaslt.ComputeType.COMPUTE_32F == 68 and cublaslt.ComputeType.COMPUTE_64F == 70
    assert cublaslt.Epilogue.DRELU_BGRAD == 8 | 128 | 16 and cublaslt.Epilogue.BGRADB == 512
    assert cublaslt.MatmulDescAttribute.BIAS_POINTER == 8 and cublaslt.MatmulDescAttribute.BATCH_INVARIANCE_FLAGS == 41
    assert cublaslt.MatrixLayoutAttribute.STRIDED_BATCH_OFFSET == 6
    assert cublaslt.DataType is __import__("nvmath.bindings.library_types", fromlist=["DataType"]).DataType


def test_error_carries_the_cublas_name():
    err = cublaslt.cuBLASLtError(15, "cublasLtMatmulAlgoGetHeuristic")
    assert isinstance(err, RuntimeError)
    assert err.status is cublaslt.Status.NOT_SUPPORTED
    assert err.name == "CUBLAS_STATUS_NOT_SUPPORTED" and err.function == "cublasLtMatmulAlgoGetHeuristic"
    assert str(err) == "cublasLtMatmulAlgoGetHeuristic failed: CUBLAS_STATUS_NOT_SUPPORTED (15)"
    unknown = cublaslt.cuBLASLtError(99, "cublasLtMatmul")
    assert unknown.status == 99 and unknown.name == "CUBLAS_UNKNOWN_STATUS_99"
    assert str(unknown) == "cublasLtMatmul failed: CUBLAS_UNKNOWN_STATUS_99 (99)"
    for status in cublaslt.Status:
        assert cublaslt.cuBLASLtError(status).name == f"CUBLAS_STATUS_{status.name}"
    again = pickle.loads(pickle.dumps(err))
    assert (again.status, again.function, str(again)) == (err.status, err.function, str(err))


def test_cublasLt_alias_is_the_same_module():
    import nvmath.bindings
    from nvmath.bindings import cublasLt

    assert cublasLt is cublaslt and nvmath.bindings.cublasLt is cublaslt
    assert "cublasLt" in dir(nvmath.bindings)
    with pytest.raises(AttributeError):
        nvmath.bindings.cublas  # noqa: B018


def test_missing_library_error_names_the_package(monkeypatch):
    import cuda.pathfinder

    from nvmath.compile import toolchain

    def not_found(name):
        raise RuntimeError(f"lib{name} not found (test)")

    monkeypatch.setattr(cuda.pathfinder, "load_nvidia_dynamic_lib", not_found)
    monkeypatch.setattr(toolchain, "load_library", toolchain.load_library.__wrapped__)
    fresh = CLibrary("cuBLASLt", cublaslt._library_path, cublaslt._PROTOTYPES, error=cublaslt.cuBLASLtError)
    with pytest.raises(toolchain.ToolchainError, match="nvidia-cublas"):
        fresh.handle()


def test_missing_library_names_the_package():
    try:
        cublaslt.library()
    except RuntimeError as exc:
        assert "nvidia-cublas" in str(exc)
    else:
        pytest.skip("libcublasLt is installed here")


# --------------------------------------------------------------------------------------------
# With the library (no GPU needed)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lib():
    try:
        return cublaslt.library()
    except RuntimeError as exc:
        pytest.skip(f"libcublasLt is not installed: {exc}")


def test_every_prototype_is_exported(lib):
    for name in [*cublaslt._PROTOTYPES, *cublaslt._OTHER]:
        assert hasattr(lib, name), name
    fn = cublaslt.matmul_function()
    assert fn is lib.cublasLtMatmul and fn.restype is ctypes.c_int and len(fn.argtypes) == 16
    with pytest.raises(cublaslt.cuBLASLtError, match="not exported") as info:
        cublaslt._LIBRARY.call("cublasLtNoSuchFunction")
    assert info.value.status is cublaslt.Status.NOT_SUPPORTED


def test_versions_and_status_names(lib):
    version = cublaslt.get_version()
    assert version >= 130000 and cublaslt.get_cudart_version() >= 13000
    directory = _find_headers()
    if directory is not None:
        text = (directory / "cublas_api.h").read_text()
        major, minor, patch = (
            int(re.search(rf"#define CUBLAS_VER_{p}\s+(\d+)", text).group(1)) for p in ("MAJOR", "MINOR", "PATCH")
        )
        assert version == major * 10000 + minor * 100 + patch
    for status in cublaslt.Status:
        assert cublaslt.get_status_name(status) == cublaslt.cuBLASLtError(status).name
        assert cublaslt.get_status_string(status)
    assert cublaslt.get_status_name(99) == "unrecognized status"


def test_create_needs_a_gpu(lib):
    from nvmath._gpu import gpu_count

    if gpu_count() > 0:
        cublaslt.destroy(cublaslt.create())
        return
    with pytest.raises(cublaslt.cuBLASLtError) as info:
        cublaslt.create()
    assert info.value.status is cublaslt.Status.NOT_INITIALIZED and info.value.function == "cublasLtCreate"


def test_matmul_desc_attributes_round_trip(lib):
    A = cublaslt.MatmulDescAttribute
    desc = cublaslt.matmul_desc_create(cublaslt.ComputeType.COMPUTE_32F_FAST_TF32, cublaslt.DataType.R_32F)
    try:
        assert cublaslt.matmul_desc_get_attribute(desc, A.COMPUTE_TYPE) == cublaslt.ComputeType.COMPUTE_32F_FAST_TF32
        assert cublaslt.matmul_desc_get_attribute(desc, A.SCALE_TYPE) == cublaslt.DataType.R_32F
        assert cublaslt.matmul_desc_get_attribute(desc, A.EPILOGUE) == cublaslt.Epilogue.DEFAULT
        assert cublaslt.matmul_desc_get_attribute(desc, A.FILL_MODE) == cublaslt.FillMode.FULL
        assert cublaslt.matmul_desc_get_attribute(desc, A.BIAS_DATA_TYPE) == -1
        assert cublaslt.matmul_desc_get_attribute(desc, A.BIAS_POINTER) == 0
        values = {
            A.EPILOGUE: cublaslt.Epilogue.GELU_AUX_BIAS,
            A.TRANSA: cublaslt.Operation.T,
            A.TRANSB: cublaslt.Operation.C,
            A.POINTER_MODE: cublaslt.PointerMode.DEVICE,
            A.BIAS_POINTER: 0x7F00_DEAD_BEE0,
            A.BIAS_BATCH_STRIDE: 1 << 40,
            A.BIAS_DATA_TYPE: cublaslt.DataType.R_16BF,
            A.EPILOGUE_AUX_POINTER: 2**64 - 256,
            A.EPILOGUE_AUX_LD: 1024,
            A.EPILOGUE_AUX_BATCH_STRIDE: -8,
            A.ALPHA_VECTOR_BATCH_STRIDE: 64,
            A.A_SCALE_POINTER: 0x1000,
            A.D_SCALE_POINTER: 0x2000,
            A.AMAX_D_POINTER: 0x3000,
            A.FAST_ACCUM: 1,
            A.SM_COUNT_TARGET: 66,
            A.A_SCALE_MODE: cublaslt.MatmulMatrixScale.VEC32_UE8M0,
            A.BATCH_INVARIANCE_FLAGS: cublaslt.MatmulBatchInvarianceFlags.ALIGN_16B,
        }
        for attr, value in values.items():
            cublaslt.matmul_desc_set_attribute(desc, attr, value)
        assert {attr: cublaslt.matmul_desc_get_attribute(desc, attr) for attr in values} == values
        cublaslt.matmul_desc_set_attribute(desc, A.BIAS_POINTER, None)  # NULL
        cublaslt.matmul_desc_set_attribute(desc, int(A.AMAX_D_POINTER), 0)  # a plain int attribute
        assert cublaslt.matmul_desc_get_attribute(desc, A.BIAS_POINTER) == 0
        assert cublaslt.matmul_desc_get_attribute(desc, 21) == 0
    finally:
        cublaslt.matmul_desc_destroy(desc)


def test_matrix_layout_attributes_round_trip(lib):
    L = cublaslt.MatrixLayoutAttribute
    layout = cublaslt.matrix_layout_create(cublaslt.DataType.C_64F, 300, 200, 320)
    try:
        read = {attr: cublaslt.matrix_layout_get_attribute(layout, attr) for attr in (L.TYPE, L.ROWS, L.COLS, L.LD)}
        assert read == {L.TYPE: cublaslt.DataType.C_64F, L.ROWS: 300, L.COLS: 200, L.LD: 320}
        assert cublaslt.matrix_layout_get_attribute(layout, L.BATCH_COUNT) == 1
        assert cublaslt.matrix_layout_get_attribute(layout, L.ORDER) == cublaslt.Order.COL
        values = {
            L.ORDER: cublaslt.Order.ROW,
            L.LD: 200,
            L.BATCH_COUNT: 7,
            L.STRIDED_BATCH_OFFSET: 300 * 200,
            L.PLANE_OFFSET: 4096,
            L.BATCH_MODE: cublaslt.BatchMode.STRIDED,
            L.ROWS: 2**33,
        }
        for attr, value in values.items():
            cublaslt.matrix_layout_set_attribute(layout, attr, value)
        assert {attr: cublaslt.matrix_layout_get_attribute(layout, attr) for attr in values} == values
    finally:
        cublaslt.matrix_layout_destroy(layout)


def test_matmul_preference_attributes_round_trip(lib):
    P = cublaslt.MatmulPreferenceAttribute
    pref = cublaslt.matmul_preference_create()
    try:
        assert cublaslt.matmul_preference_get_attribute(pref, P.MAX_WORKSPACE_BYTES) == 0
        assert cublaslt.matmul_preference_get_attribute(pref, P.MIN_ALIGNMENT_A_BYTES) == 256
        assert cublaslt.matmul_preference_get_attribute(pref, P.REDUCTION_SCHEME_MASK) == cublaslt.ReductionScheme.MASK
        assert cublaslt.matmul_preference_get_attribute(pref, P.IMPL_MASK) == 2**64 - 1
        values = {
            P.MAX_WORKSPACE_BYTES: 32 << 20,
            P.SEARCH_MODE: cublaslt.MatmulSearch.BEST_FIT,
            P.MIN_ALIGNMENT_B_BYTES: 16,
            P.MAX_WAVES_COUNT: 1.5,
            P.IMPL_MASK: int(cublaslt.NumericalImplFlags.HMMA | cublaslt.NumericalImplFlags.ACCUMULATOR_32F),
            P.GROUPED_DESC_D_AVERAGE_ROWS: 2**40,  # 8 bytes, although the header says uint32_t
        }
        for attr, value in values.items():
            cublaslt.matmul_preference_set_attribute(pref, attr, value)
        assert {attr: cublaslt.matmul_preference_get_attribute(pref, attr) for attr in values} == values
    finally:
        cublaslt.matmul_preference_destroy(pref)


def _storage_size(lib, cname: str, obj, attr) -> int:
    written = ctypes.c_size_t()
    status = getattr(lib, cname)(obj, int(attr), None, 0, ctypes.byref(written))
    assert status == 0, f"{cname}({attr!r}) with sizeInBytes=0: {cublaslt.cuBLASLtError(status).name}"
    return written.value


def test_attribute_types_have_the_library_sizes(lib):
    """The library's own storage size of every attribute (get with sizeInBytes=0) is the table's."""
    desc = cublaslt.matmul_desc_create(cublaslt.ComputeType.COMPUTE_32F, cublaslt.DataType.R_32F)
    layout = cublaslt.matrix_layout_create(cublaslt.DataType.R_32F, 4, 4, 4)
    pref = cublaslt.matmul_preference_create()
    algo = cublaslt.MatmulAlgo()
    try:
        objects = {
            cublaslt.MatmulDescAttribute: ("cublasLtMatmulDescGetAttribute", desc),
            cublaslt.MatrixLayoutAttribute: ("cublasLtMatrixLayoutGetAttribute", layout),
            cublaslt.MatmulPreferenceAttribute: ("cublasLtMatmulPreferenceGetAttribute", pref),
            cublaslt.MatmulAlgoConfigAttribute: ("cublasLtMatmulAlgoConfigGetAttribute", ctypes.byref(algo)),
        }
        for py_enum, (cname, obj) in objects.items():
            for attr in py_enum:
                assert _storage_size(lib, cname, obj, attr) == ctypes.sizeof(cublaslt.attribute_ctype(attr)), attr
    finally:
        cublaslt.matmul_preference_destroy(pref)
        cublaslt.matrix_layout_destroy(layout)
        cublaslt.matmul_desc_destroy(desc)


def test_unknown_attributes_and_values_raise_value_error(lib):
    desc = cublaslt.matmul_desc_create(cublaslt.ComputeType.COMPUTE_32F, cublaslt.DataType.R_32F)
    try:
        with pytest.raises(
            ValueError, match="matmul_desc_set_attribute: attribute 9 is not a known MatmulDescAttribute"
        ):
            cublaslt.matmul_desc_set_attribute(desc, 9, 1)
        with pytest.raises(ValueError, match="attribute 16 is not a known MatmulDescAttribute"):
            cublaslt.matmul_desc_get_attribute(desc, 16)  # the library has a 4-byte attribute 16; the header does not
        with pytest.raises(ValueError, match=r"MatrixLayoutAttribute.ROWS.*not a MatmulDescAttribute"):
            cublaslt.matmul_desc_set_attribute(desc, cublaslt.MatrixLayoutAttribute.ROWS, 1)
        with pytest.raises(ValueError, match="TRANSA = 4294967296 does not fit"):
            cublaslt.matmul_desc_set_attribute(desc, cublaslt.MatmulDescAttribute.TRANSA, 2**32)
        with pytest.raises(ValueError, match="EPILOGUE = -1 does not fit"):
            cublaslt.matmul_desc_set_attribute(desc, cublaslt.MatmulDescAttribute.EPILOGUE, -1)
        with pytest.raises(ValueError, match="BIAS_POINTER = -1 is not a pointer value"):
            cublaslt.matmul_desc_set_attribute(desc, cublaslt.MatmulDescAttribute.BIAS_POINTER, -1)
        with pytest.raises(TypeError):
            cublaslt.matmul_desc_set_attribute(desc, cublaslt.MatmulDescAttribute.SM_COUNT_TARGET, 1.5)
    finally:
        cublaslt.matmul_desc_destroy(desc)
    with pytest.raises(ValueError, match="requested = 0"):
        cublaslt.matmul_algo_get_heuristic(0, 0, 0, 0, 0, 0, 0, 0)


def test_algo_config_on_a_plain_struct(lib):
    C = cublaslt.MatmulAlgoConfigAttribute
    algo = cublaslt.MatmulAlgo()
    values = {
        C.TILE_ID: cublaslt.MatmulTile.TILE_128x128,
        C.SPLITK_NUM: 4,
        C.REDUCTION_SCHEME: cublaslt.ReductionScheme.INPLACE,
        C.STAGES_ID: cublaslt.MatmulStages.STAGES_64xAUTO,
        C.INNER_SHAPE_ID: cublaslt.MatmulInnerShape.MMA16816,
        C.CLUSTER_SHAPE_ID: cublaslt.ClusterShape.SHAPE_2x1x1,
    }
    for attr, value in values.items():
        cublaslt.matmul_algo_config_set_attribute(algo, attr, value)
    assert {attr: cublaslt.matmul_algo_config_get_attribute(algo, attr) for attr in values} == values
    with pytest.raises(cublaslt.cuBLASLtError) as info:  # read-only
        cublaslt.matmul_algo_config_set_attribute(algo, C.ID, 3)
    assert info.value.status is cublaslt.Status.INVALID_VALUE
    with pytest.raises(cublaslt.cuBLASLtError) as info:  # capabilities need an initialised algo
        cublaslt.matmul_algo_cap_get_attribute(algo, cublaslt.MatmulAlgoCapAttribute.TILE_IDS)
    assert info.value.status is cublaslt.Status.INVALID_VALUE


def test_handle_functions_with_a_null_handle(lib):
    desc = cublaslt.matmul_desc_create(cublaslt.ComputeType.COMPUTE_32F, cublaslt.DataType.R_32F)
    layout = cublaslt.matrix_layout_create(cublaslt.DataType.R_32F, 4, 4, 4)
    pref = cublaslt.matmul_preference_create()
    alpha = ctypes.c_float(1.0)
    one = ctypes.addressof(alpha)
    R_32F = cublaslt.DataType.R_32F
    try:
        calls = {
            "cublasLtMatmulAlgoGetHeuristic": lambda: cublaslt.matmul_algo_get_heuristic(
                0, desc, layout, layout, layout, layout, pref, 4
            ),
            "cublasLtMatmulAlgoGetIds": lambda: cublaslt.matmul_algo_get_ids(
                0, cublaslt.ComputeType.COMPUTE_32F, R_32F, R_32F, R_32F, R_32F, R_32F, 8
            ),
            "cublasLtMatmulAlgoInit": lambda: cublaslt.matmul_algo_init(
                0, cublaslt.ComputeType.COMPUTE_32F, R_32F, R_32F, R_32F, R_32F, R_32F, 0
            ),
            "cublasLtMatmulAlgoCheck": lambda: cublaslt.matmul_algo_check(
                0, desc, layout, layout, layout, layout, cublaslt.MatmulAlgo()
            ),
            "cublasLtMatmul": lambda: cublaslt.matmul(
                0, desc, one, 0, layout, 0, layout, one, 0, layout, 0, layout, None, 0, 0, 0
            ),
        }
        for cname, call in calls.items():
            with pytest.raises(cublaslt.cuBLASLtError) as info:
                call()
            assert (info.value.function, info.value.status) == (cname, cublaslt.Status.NOT_INITIALIZED)
        with pytest.raises(cublaslt.cuBLASLtError) as info:
            cublaslt.destroy(0)
        assert info.value.status is cublaslt.Status.INVALID_VALUE
    finally:
        cublaslt.matmul_preference_destroy(pref)
        cublaslt.matrix_layout_destroy(layout)
        cublaslt.matmul_desc_destroy(desc)


def test_heuristics_cache_capacity(lib):
    before = cublaslt.heuristics_cache_get_capacity()
    try:
        cublaslt.heuristics_cache_set_capacity(100)
        assert cublaslt.heuristics_cache_get_capacity() == 128  # rounded up to a power of two
    finally:
        cublaslt.heuristics_cache_set_capacity(before)
    assert cublaslt.heuristics_cache_get_capacity() == before


def test_matmul_accepts_an_algo_address(lib):
    algo = cublaslt.MatmulAlgo()
    pointer = cublaslt._algo_argument(ctypes.addressof(algo))
    assert ctypes.addressof(pointer.contents) == ctypes.addressof(algo)
    assert cublaslt._algo_argument(0) is None and cublaslt._algo_argument(algo) is algo


def test_enum_member_names_are_identifiers():
    for py_enum in [*ENUMS, cublaslt.NumericalImplFlags]:
        assert all(name.isidentifier() for name in py_enum.__members__), py_enum
    assert not any(issubclass(e, enum.IntFlag) for e in ENUMS)
