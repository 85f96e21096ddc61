"""CPU tests of nvmath.linalg.advanced: bad input gets the package's error before any GPU work.

Every case asserts the exception type and the key words of its message (the argument, the value
given, what is allowed). Valid input reaches the GPU check and, on a machine without a GPU, gets
``NoGPUError``. Nothing here needs a GPU or calls cuBLASLt with a handle.
"""

import numpy as np
import pytest

import nvmath
from nvmath._gpu import gpu_count
from nvmath.bindings.cublaslt import ComputeType
from nvmath.host import matmul as hm
from nvmath.host import operands as _ops
from nvmath.host.matmul_options import (
    MatmulOptions,
    MatmulPlanPreferences,
    parse_matmul_options,
    parse_matmul_options_shared,
    parse_preferences,
    resolve_memory_limit,
)
from nvmath.linalg.advanced import (
    Matmul,
    MatmulDtypeError,
    MatmulEpilog,
    MatmulEpilogError,
    MatmulLayoutError,
    MatmulQuantizationScales,
    MatmulShapeError,
    MatmulUnsupportedError,
    NoGPUError,
    PlanCache,
    matmul,
    matrix_qualifiers_dtype,
)

try:
    import torch
except ImportError:  # torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")
no_gpu_only = pytest.mark.skipif(gpu_count() > 0, reason="checks the no-GPU error")

RNG = np.random.default_rng(11)


def rand(*shape, dtype=np.float32):
    x = RNG.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * RNG.standard_normal(shape)
    return x.astype(dtype)


def raises(error, words, fn, *args, **kwargs):
    """Call ``fn``; assert it raises ``error`` (exactly that class or a subclass) with every word."""
    with pytest.raises(error) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    assert not isinstance(info.value, NoGPUError), "the argument check must come before the GPU check"
    return info.value


def everywhere(error, words, *args, **kwargs):
    """The same error from matmul(), Matmul() (+ plan arguments) and PlanCache.matmul()."""
    plan_kwargs = {k: kwargs.pop(k) for k in ("epilog", "epilog_inputs", "preferences") if k in kwargs}
    raises(error, words, matmul, *args, **kwargs, **plan_kwargs)
    raises(error, words, PlanCache().matmul, *args, **kwargs, **plan_kwargs)
    if not plan_kwargs:
        raises(error, words, Matmul, *args, **kwargs)


# ---------------------------------------------------------------------------------------------
# Dtypes: no silent promotion
# ---------------------------------------------------------------------------------------------


def test_mismatched_dtypes_name_both():
    words = ["'a'", "'b'", "float32", "float64", "converted"]
    everywhere(MatmulDtypeError, words, rand(4, 3), rand(3, 2, dtype=np.float64))


def test_real_times_complex_is_an_error():
    everywhere(MatmulDtypeError, ["float32", "complex64"], rand(4, 3), rand(3, 2, dtype=np.complex64))


def test_c_of_another_dtype():
    a, b = rand(4, 3), rand(3, 2)
    everywhere(MatmulDtypeError, ["'c'", "float64", "float32"], a, b, rand(4, 2, dtype=np.float64), beta=1.0)


@pytest.mark.parametrize("dtype", [np.int16, np.uint8, np.bool_, np.int64])
def test_unsupported_dtype(dtype):
    a = np.ones((4, 3), dtype)
    everywhere(MatmulDtypeError, ["'a'", np.dtype(dtype).name, "does not support", "float16", "int8"], a, a.T.copy())


def test_int8_needs_int32_c():
    a, b = np.ones((16, 16), np.int8), np.ones((16, 16), np.int8)
    everywhere(MatmulDtypeError, ["'c'", "float32", "int32"], a, b, np.ones((16, 16), np.float32), beta=1)
    everywhere(MatmulDtypeError, ["int8", "float32"], a, np.ones((16, 16), np.float32))


def test_ml_dtypes_numpy_arrays_are_refused_with_the_way_out():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    x = np.ones((4, 4), ml_dtypes.bfloat16)
    everywhere(MatmulDtypeError, ["'a'", "bfloat16", "torch.Tensor"], x, x)


@needs_torch
def test_fp8_mixed_with_bf16_is_an_error():
    a = torch.ones((16, 16)).to(torch.float8_e4m3fn)
    b = torch.ones((16, 16), dtype=torch.bfloat16)
    everywhere(MatmulDtypeError, ["float8_e4m3fn", "bfloat16", "FP8"], a, b)


# ---------------------------------------------------------------------------------------------
# Shapes and batches
# ---------------------------------------------------------------------------------------------


def test_shapes_that_do_not_multiply_name_both_shapes():
    everywhere(MatmulShapeError, ["(2, 3)", "(4, 5)", "3", "4"], rand(2, 3), rand(4, 5))


def test_vector_shapes_that_do_not_multiply():
    everywhere(MatmulShapeError, ["(3,)", "(4,)"], rand(3), rand(4))


def test_zero_dimensional_operand():
    everywhere(MatmulShapeError, ["'a'", "0-dimensional"], np.ones((), np.float32), rand(3, 3))
    everywhere(MatmulShapeError, ["'b'", "0-dimensional"], rand(3, 3), np.ones((), np.float32))
    # a NumPy scalar (what arithmetic on 0-d arrays returns) is refused the same way
    everywhere(MatmulShapeError, ["'a'", "()", "scalar"], np.float32(2.0) * np.ones((), np.float32), rand(3, 3))


def test_batches_that_do_not_broadcast():
    everywhere(MatmulShapeError, ["(2, 4, 3)", "(5, 3, 6)", "broadcast"], rand(2, 4, 3), rand(5, 3, 6))


def test_partial_batch_broadcast_is_refused_with_the_explicit_broadcast():
    a, b = rand(2, 3, 4, 5), rand(3, 5, 6)
    # Host operands are staged densely, so plan the same layouts as GPU arrays would have.
    with pytest.raises(MatmulLayoutError) as info:
        hm.plan_matmul(a.shape, _ops.c_strides(a.shape), b.shape, (0, 6, 1)[:0] or (30, 6, 1))
    assert "'b'" in str(info.value) and "broadcast" in str(info.value)


def test_c_that_does_not_broadcast_to_the_result():
    everywhere(MatmulShapeError, ["c", "(3, 2)", "(4, 2)"], rand(4, 3), rand(3, 2), rand(3, 2), beta=1.0)


def test_c_broadcast_inside_the_matrix_is_refused():
    everywhere(MatmulLayoutError, ["'c'", "(2,)", "broadcast"], rand(4, 3), rand(3, 2), rand(2), beta=1.0)


# ---------------------------------------------------------------------------------------------
# Epilogs and their inputs
# ---------------------------------------------------------------------------------------------


def test_epilog_needs_its_input():
    a, b = rand(4, 3), rand(3, 5)
    everywhere(MatmulEpilogError, ["BIAS", "'bias'"], a, b, epilog=MatmulEpilog.BIAS)
    everywhere(MatmulEpilogError, ["DRELU", "'relu_aux'", "RELU_AUX"], a, b, epilog=MatmulEpilog.DRELU)


def test_epilog_without_inputs_refuses_extra_inputs():
    a, b = rand(4, 3), rand(3, 5)
    everywhere(MatmulEpilogError, ["RELU", "takes no epilog inputs", "'bias'"], a, b, epilog="relu",
               epilog_inputs={"bias": rand(4)})  # fmt: skip


@pytest.mark.parametrize("shape", [(5,), (4, 2), (3, 4), (2, 4, 1)])
def test_bias_of_wrong_shape(shape):
    a, b = rand(4, 3), rand(3, 5)
    words = ["'bias'", str(shape), "(4,)"]
    everywhere(MatmulEpilogError, words, a, b, epilog=MatmulEpilog.BIAS, epilog_inputs={"bias": rand(*shape)})


def test_bias_of_wrong_dtype():
    a, b = rand(4, 3), rand(3, 5)
    everywhere(MatmulEpilogError, ["'bias'", "float64", "float32"], a, b, epilog=MatmulEpilog.RELU_BIAS,
               epilog_inputs={"bias": rand(4, dtype=np.float64)})  # fmt: skip


def test_batched_bias_must_match_the_batch():
    a, b = rand(2, 4, 3), rand(2, 3, 5)
    everywhere(MatmulEpilogError, ["'bias'", "(3, 4)", "(2, 4)"], a, b, epilog=MatmulEpilog.BIAS,
               epilog_inputs={"bias": rand(3, 4)})  # fmt: skip


def test_relu_aux_of_wrong_dtype_and_shape():
    a, b = rand(8, 3), rand(3, 5)
    everywhere(MatmulEpilogError, ["'relu_aux'", "uint8", "bit mask"], a, b, epilog=MatmulEpilog.DRELU_BGRAD,
               epilog_inputs={"relu_aux": np.zeros((5, 16), np.float32)})  # fmt: skip
    everywhere(MatmulEpilogError, ["'relu_aux'", "(4, 16)", "(5, 16)"], a, b, epilog=MatmulEpilog.DRELU,
               epilog_inputs={"relu_aux": np.zeros((4, 16), np.uint8)})  # fmt: skip


def test_gelu_aux_of_wrong_dtype_and_shape():
    a, b = rand(8, 3), rand(3, 5)
    everywhere(MatmulEpilogError, ["'gelu_aux'", "float64", "float32"], a, b, epilog=MatmulEpilog.DGELU,
               epilog_inputs={"gelu_aux": np.zeros((8, 5), np.float64)})  # fmt: skip
    everywhere(MatmulEpilogError, ["'gelu_aux'", "(5, 8)", "(8, 5)"], a, b, epilog=MatmulEpilog.DGELU_BGRAD,
               epilog_inputs={"gelu_aux": np.zeros((5, 8), np.float32)})  # fmt: skip


def test_epilog_input_of_another_package_or_not_an_array():
    a, b = rand(4, 3), rand(3, 5)
    raises(TypeError, ["epilog_inputs['bias']", "list"], matmul, a, b, epilog="bias", epilog_inputs={"bias": [1.0] * 4})
    raises(TypeError, ["epilog_inputs", "dict"], matmul, a, b, epilog="bias", epilog_inputs=[rand(4)])


@pytest.mark.parametrize("epilog", ["SWISH", 3, 1.5, True])
def test_unknown_epilog(epilog):
    raises(MatmulEpilogError, ["'epilog'", repr(epilog), "RELU_BIAS", "BGRADB"], matmul, rand(4, 3), rand(3, 2),
           epilog=epilog)  # fmt: skip


def test_real_epilogs_refuse_complex_operands():
    a, b = rand(4, 3, dtype=np.complex64), rand(3, 2, dtype=np.complex64)
    everywhere(MatmulEpilogError, ["RELU", "complex64", "DEFAULT", "BIAS"], a, b, epilog=MatmulEpilog.RELU)


def test_int8_takes_only_the_default_epilog():
    a = np.ones((16, 16), np.int8)
    everywhere(MatmulEpilogError, ["RELU", "int8", "DEFAULT"], a, a, epilog=MatmulEpilog.RELU)


def test_epilog_writing_column_major_needs_column_major_c():
    a, b, c = rand(4, 3), rand(3, 5), rand(4, 5)  # a row-major c
    everywhere(MatmulEpilogError, ["BIAS", "column-major", "'c'"[1], "(4, 5)"], a, b, c, beta=1.0,
               epilog=MatmulEpilog.BIAS, epilog_inputs={"bias": rand(4)})  # fmt: skip


def test_drelu_needs_k_above_one():
    a, b = rand(8, 1), rand(1, 5)
    everywhere(MatmulEpilogError, ["DRELU", "K"], a, b, epilog=MatmulEpilog.DRELU,
               epilog_inputs={"relu_aux": np.zeros((5, 16), np.uint8)})  # fmt: skip


# ---------------------------------------------------------------------------------------------
# FP8 (operands described without a GPU or torch: the checks only read dtypes and layouts)
# ---------------------------------------------------------------------------------------------


class _FakeCudaTensor:
    """What the checks read of a CUDA tensor besides its layout: torch's lazy conjugation/negation bits."""

    def is_conj(self):
        return False

    def is_neg(self):
        return False


def _fake_ops(**layouts):
    """Operands as the array layer would describe CUDA tensors (no data is dereferenced)."""
    return {
        name: _ops.Operand(_FakeCudaTensor(), "torch", shape, strides, dtype, 1 if "8" in dtype else 2, 0, 0x10000)
        for name, (shape, strides, dtype) in layouts.items()
    }


def _fp8_problem(options=None, **extra):
    ops = _fake_ops(a=((32, 64), (64, 1), "float8_e4m3fn"), b=((64, 16), (1, 64), "float8_e4m3fn"), **extra)
    options = parse_matmul_options(options)
    return ops, hm._describe(ops, None, options), options


def test_fp8_without_scales():
    problem = _fp8_problem()
    raises(MatmulUnsupportedError, ["FP8", "quantization_scales", "MatmulQuantizationScales"], Matmul, None, None,
           _problem=problem)  # fmt: skip


def test_fp8_scales_must_be_scale_objects():
    problem = _fp8_problem()
    raises(TypeError, ["quantization_scales", "MatmulQuantizationScales", "dict"], Matmul, None, None,
           quantization_scales=2.0, _problem=problem)  # fmt: skip
    raises(TypeError, ["unknown keys", "'e'"], Matmul, None, None, quantization_scales={"e": 1.0}, _problem=problem)
    raises(ValueError, ["quantization_scales.a", "float32", "one element"], Matmul, None, None,
           quantization_scales={"a": np.ones(3, np.float32)}, _problem=problem)  # fmt: skip


def test_fp8_result_types():
    ops, problem, _ = _fp8_problem({"result_type": "bfloat16"})
    assert problem.kind == "fp8" and problem.d_dtype == "bfloat16" and problem.c_dtype == "bfloat16"
    ops, problem, _ = _fp8_problem({"result_type": "float8_e4m3fn", "result_amax": True})
    assert problem.d_dtype == "float8_e4m3fn" and problem.c_dtype == "float16"
    raises(MatmulDtypeError, ["float64", "FP8", "result_type"], _fp8_problem, {"result_type": "float64"})
    raises(MatmulDtypeError, ["float8_e5m2", "e4m3"], hm._describe,
           _fake_ops(a=((32, 64), (64, 1), "float8_e5m2"), b=((64, 16), (1, 64), "float8_e5m2")), None,
           MatmulOptions())  # fmt: skip


def test_fp8_needs_sm89_and_the_tn_layout():
    _, problem, _ = _fp8_problem()
    raises(MatmulUnsupportedError, ["8.9", "8.0"], hm._check_narrow_layout, problem, (8, 0))
    hm._check_narrow_layout(problem, (9, 0))  # a row-major, b column-major: fine
    ops = _fake_ops(a=((32, 64), (64, 1), "float8_e4m3fn"), b=((64, 16), (16, 1), "float8_e4m3fn"))
    problem = hm._describe(ops, None, MatmulOptions())
    raises(MatmulUnsupportedError, ["'TN'", "b is row-major"], hm._check_narrow_layout, problem, (9, 0))
    ops = _fake_ops(a=((30, 64), (64, 1), "float8_e4m3fn"), b=((64, 16), (1, 64), "float8_e4m3fn"))
    problem = hm._describe(ops, None, MatmulOptions())
    raises(MatmulUnsupportedError, ["multiples of 16", "M=30"], hm._check_narrow_layout, problem, (9, 0))


def test_fp8_epilogs():
    _, problem, options = _fp8_problem()
    raises(MatmulEpilogError, ["RELU_AUX", "FP8"], hm._plan_spec, problem, MatmulEpilog.RELU_AUX, {}, options)
    spec = hm._plan_spec(problem, MatmulEpilog.GELU, {}, options)
    assert spec.layout.d.order == "col" and spec.op_a == "T" and spec.op_b == "N"


# ---------------------------------------------------------------------------------------------
# Options and preferences
# ---------------------------------------------------------------------------------------------


def test_options_from_dict_and_dataclass():
    opts = parse_matmul_options({"memory_limit": "2 GiB", "blocking": True, "sm_count_target": 8})
    assert opts == MatmulOptions(memory_limit="2 GiB", blocking=True, sm_count_target=8)
    assert parse_matmul_options(None) == MatmulOptions()
    assert parse_matmul_options(opts) is opts
    assert parse_matmul_options({"compute_type": ComputeType.COMPUTE_32F_FAST_TF32}).compute_type == 77
    assert parse_matmul_options_shared({"blocking": True}) is parse_matmul_options_shared({"blocking": True})
    assert parse_matmul_options_shared({"blocking": True}) is not parse_matmul_options_shared({"blocking": "auto"})
    assert MatmulOptions(result_type=np.float16).result_type.name == "R_16F"
    assert resolve_memory_limit("50%", 1000) == 500 and resolve_memory_limit("3 MiB", 0) == 3 << 20


@pytest.mark.parametrize(
    "options, error, words",
    [
        ({"computetype": 1}, TypeError, ["unknown keys", "'computetype'", "compute_type"]),
        ({"tf32": True}, TypeError, ["'tf32'", "compute_type"]),
        ({"compute_type": 12345}, ValueError, ["compute_type", "12345", "COMPUTE_32F"]),
        ({"compute_type": "fast"}, TypeError, ["compute_type", "'fast'"]),
        ({"scale_type": "float128"}, ValueError, ["scale_type", "float128"]),
        ({"result_type": "bf17"}, ValueError, ["result_type", "'bf17'"]),
        ({"result_amax": 1}, TypeError, ["result_amax", "bool"]),
        ({"fast_accumulation": "yes"}, TypeError, ["fast_accumulation", "bool"]),
        ({"sm_count_target": -2}, ValueError, ["sm_count_target", "-2"]),
        ({"sm_count_target": 1.5}, TypeError, ["sm_count_target", "1.5"]),
        ({"handle": -3}, TypeError, ["handle", "-3"]),
        ({"memory_limit": "lots"}, ValueError, ["memory_limit", "'lots'", "80%"]),
        ({"memory_limit": 0}, ValueError, ["memory_limit", "0"]),
        ({"blocking": False}, ValueError, ["blocking", "False", "'auto'"]),
        ({"device_id": -1}, ValueError, ["device_id", "-1"]),
        ({"logger": "nvmath"}, TypeError, ["logger", "logging.Logger"]),
        ({"allocator": object()}, TypeError, ["allocator", "memalloc"]),
        ("fast", TypeError, ["options", "MatmulOptions", "dict"]),
    ],
)
def test_bad_options(options, error, words):
    raises(error, words, parse_matmul_options, options)
    raises(error, words, matmul, rand(4, 3), rand(3, 2), options=options)


def test_options_that_do_not_fit_the_operands():
    a, b = rand(4, 3), rand(3, 2)
    everywhere(MatmulUnsupportedError, ["result_type", "float16", "float32", "FP8"], a, b,
               options={"result_type": "float16"})  # fmt: skip
    everywhere(MatmulUnsupportedError, ["result_amax", "FP8"], a, b, options={"result_amax": True})
    everywhere(MatmulUnsupportedError, ["fast_accumulation", "FP8"], a, b, options={"fast_accumulation": True})
    everywhere(MatmulUnsupportedError, ["COMPUTE_64F", "float32"], a, b,
               options={"compute_type": ComputeType.COMPUTE_64F})  # fmt: skip
    everywhere(MatmulUnsupportedError, ["COMPUTE_32F_FAST_TF32", "float64"], a.astype(np.float64),
               b.astype(np.float64), options={"compute_type": ComputeType.COMPUTE_32F_FAST_TF32})  # fmt: skip


def test_preferences_from_dict_and_dataclass():
    assert parse_preferences({"limit": 3}) == MatmulPlanPreferences(limit=3)
    assert parse_preferences(None) == MatmulPlanPreferences()


@pytest.mark.parametrize(
    "preferences, error, words",
    [
        ({"limit": 0}, ValueError, ["limit", "0", "positive"]),
        ({"limit": "8"}, TypeError, ["limit", "'8'"]),
        ({"limt": 3}, TypeError, ["unknown keys", "'limt'", "limit"]),
        ({"reduction_scheme_mask": -1}, ValueError, ["reduction_scheme_mask", "-1", "mask"]),
        ({"numerical_impl_mask": 1.0}, TypeError, ["numerical_impl_mask", "1.0"]),
        ({"max_waves_count": "a"}, TypeError, ["max_waves_count", "'a'"]),
        ({"max_waves_count": -1.0}, ValueError, ["max_waves_count", "-1.0"]),
        (8, TypeError, ["preferences", "MatmulPlanPreferences", "dict"]),
    ],
)
def test_bad_preferences(preferences, error, words):
    raises(error, words, parse_preferences, preferences)
    raises(error, words, matmul, rand(4, 3), rand(3, 2), preferences=preferences)


# ---------------------------------------------------------------------------------------------
# Qualifiers, scalars, operands
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "qualifiers, error, words",
    [
        ((True, False, False, True), ValueError, ["qualifiers", "2 or 3 bools"]),
        (5, ValueError, ["qualifiers", "5"]),
        ((False, False, True), MatmulUnsupportedError, ["qualifiers", "conjugates c", "c.conj()"]),
    ],
)
def test_bad_qualifiers(qualifiers, error, words):
    a, b = rand(4, 3, dtype=np.complex64), rand(3, 2, dtype=np.complex64)
    everywhere(error, words, a, b, qualifiers=qualifiers)


def test_conjugating_real_operands_is_an_error():
    everywhere(ValueError, ["qualifiers", "complex", "float32"], rand(4, 3), rand(3, 2), qualifiers=(True, False))
    q = np.zeros(3, matrix_qualifiers_dtype)
    q[1]["is_conjugate"] = True
    everywhere(ValueError, ["qualifiers", "float32"], rand(4, 3), rand(3, 2), qualifiers=q)


def test_qualifier_forms_are_parsed_alike():
    q = np.zeros(3, matrix_qualifiers_dtype)
    q[0]["is_conjugate"] = True
    assert hm._parse_qualifiers(q) == hm._parse_qualifiers([1, 0]) == (True, False)
    assert hm._parse_qualifiers(None) == (False, False)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"alpha": "2"}, TypeError, ["'alpha'", "'2'", "number"]),
        ({"alpha": 1j}, TypeError, ["'alpha'", "1j", "complex", "R_32F"]),
        ({"alpha": True}, TypeError, ["'alpha'", "True"]),
        ({"alpha": [1.0]}, TypeError, ["'alpha'", "[1.0]"]),
        ({"beta": 1.0}, ValueError, ["'beta'", "1.0", "without c"]),
    ],
)
def test_bad_scalars(kwargs, error, words):
    everywhere(error, words, rand(4, 3), rand(3, 2), **kwargs)


def test_c_without_beta():
    everywhere(ValueError, ["'beta'", "None", "c is given", "beta=1"], rand(4, 3), rand(3, 2), rand(4, 2))


def test_int8_scalars_must_be_integers():
    a = np.ones((16, 16), np.int8)
    everywhere(TypeError, ["'alpha'", "0.5", "int8"], a, a, alpha=0.5)


def test_operands_must_be_arrays_of_one_package():
    everywhere(TypeError, ["'a'", "list"], [[1.0]], rand(1, 1))
    everywhere(TypeError, ["'b'", "int"], rand(1, 1), 3)


@needs_torch
def test_operands_of_two_packages():
    everywhere(TypeError, ["'a'", "'b'", "numpy", "torch"], rand(4, 3), torch.ones(3, 2))


def test_bad_algorithm_argument():
    raises(TypeError, ["'algorithm'", "'fast'", "Algorithm"], matmul, rand(4, 3), rand(3, 2), algorithm="fast")


def test_algorithms_wrap_heuristic_results_and_pickle():
    import pickle

    from nvmath.bindings import cublaslt

    result = cublaslt.MatmulHeuristicResult(workspaceSize=4096, wavesCount=0.5)
    result.algo.data[0] = 1234
    algo = hm.Algorithm(result)
    again = pickle.loads(pickle.dumps(algo))
    assert bytes(again.algo) == bytes(algo.algo) and again.workspace_size == 4096 and again.waves_count == 0.5
    assert again.cublaslt_version == algo.cublaslt_version
    raises(TypeError, ["MatmulHeuristicResult", "bytes"], hm.Algorithm, b"x")


# ---------------------------------------------------------------------------------------------
# Keys, the plan cache, and the no-GPU error
# ---------------------------------------------------------------------------------------------


def test_create_key_depends_on_layout_and_epilog_not_data():
    x, y = rand(8, 4), rand(4, 6)
    key = Matmul.create_key(x, y)
    assert key == Matmul.create_key(x + 1, y * 2)
    assert key != Matmul.create_key(x, np.asfortranarray(y))
    assert key != Matmul.create_key(x, y, epilog="relu")
    assert key != Matmul.create_key(x, y, options={"blocking": True})
    assert key != Matmul.create_key(x.astype(np.float64), y.astype(np.float64))
    hash(Matmul.create_key(x, y, epilog="bias", epilog_inputs={"bias": rand(8)}))


def test_plan_cache_is_empty_until_used():
    cache = PlanCache(maxsize=3)
    assert (len(cache), cache.hits, cache.misses, cache.maxsize) == (0, 0, 0, 3)
    raises(ValueError, ["maxsize", "0"], PlanCache, 0)
    with cache:
        raises(MatmulShapeError, ["(2, 3)", "(4, 5)"], cache.matmul, rand(2, 3), rand(4, 5))
    assert len(cache) == 0


@no_gpu_only
@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((rand(8, 4), rand(4, 6)), {}),
        ((rand(3, 8, 4), rand(4, 6)), {"alpha": 2.0}),
        ((rand(8, 4), rand(4, 6), rand(8, 6)), {"beta": 0.5}),
        ((rand(4), rand(4, 6)), {"epilog": MatmulEpilog.RELU}),
        ((rand(8, 4), rand(4, 6)), {"epilog": "bias", "epilog_inputs": {"bias": rand(8)}}),
        ((rand(8, 4), rand(4, 6)), {"epilog": MatmulEpilog.GELU_AUX_BIAS, "epilog_inputs": {"bias": rand(8)}}),
        ((rand(8, 4, dtype=np.complex64), rand(4, 6, dtype=np.complex64)), {"qualifiers": (True, False)}),
        ((np.ones((16, 16), np.int8), np.ones((16, 16), np.int8)), {}),
        ((rand(8, 4), rand(4, 6)), {"options": {"blocking": True, "memory_limit": "1 GiB"}}),
    ],
)
def test_valid_input_without_a_gpu_gets_no_gpu_error(args, kwargs):
    for fn in (matmul, PlanCache().matmul):
        with pytest.raises(NoGPUError) as info:
            fn(*args, **kwargs)
        assert "nvmath.linalg.advanced" in str(info.value) and "GPU" in str(info.value)
    assert isinstance(info.value, RuntimeError)
    plan_kwargs = {k: kwargs.pop(k) for k in ("epilog", "epilog_inputs") if k in kwargs}
    if not plan_kwargs:
        with pytest.raises(NoGPUError):
            Matmul(*args, **kwargs)


def test_quantization_scales_for_other_dtypes_are_an_error():
    words = ["quantization_scales", "float32", "FP8"]
    scales = MatmulQuantizationScales(a=2.0)
    raises(MatmulUnsupportedError, words, matmul, rand(4, 3), rand(3, 2), quantization_scales=scales)
    raises(MatmulUnsupportedError, words, Matmul, rand(4, 3), rand(3, 2), quantization_scales={"a": 2.0})


@pytest.mark.parametrize("value", ["x", [1, 2], True, {"a": 1}])
@pytest.mark.parametrize("name", ["a", "d"])
def test_quantization_scales_values_are_checked(name, value):
    raises(TypeError, [f"MatmulQuantizationScales.{name}", repr(value), "real number", "float32"],
           MatmulQuantizationScales, **{name: value})  # fmt: skip


def test_quantization_scales_take_numbers_and_arrays():
    scales = MatmulQuantizationScales(a=2, b=np.float32(0.5), c=None, d=np.ones(1, np.float32))
    assert scales.a == 2 and scales.c is None


@pytest.mark.parametrize("which", ["a", "b"])
def test_missing_operands_name_the_argument(which):
    args = {"a": rand(4, 3), "b": rand(3, 2), which: None}
    raises(TypeError, [f"Argument {which!r} = None", "numpy.ndarray"], matmul, args["a"], args["b"])
    raises(TypeError, [f"Argument {which!r} = None"], Matmul, args["a"], args["b"])
    raises(TypeError, [f"Argument {which!r} = None"], PlanCache().matmul, args["a"], args["b"])


@pytest.mark.parametrize("stream, error", [("s", TypeError), (-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_bad_stream_before_the_gpu(stream, error):
    everywhere(error, ["'stream'", repr(stream)], rand(4, 3), rand(3, 2), stream=stream)


@pytest.mark.parametrize("limit", ["150%", "100.5%", "1000 %"])
def test_memory_limit_percentages_above_100_are_refused(limit):
    raises(ValueError, ["memory_limit", repr(limit), "(0, 100]"], MatmulOptions, memory_limit=limit)
    everywhere(ValueError, ["memory_limit", repr(limit)], rand(4, 3), rand(3, 2), options={"memory_limit": limit})
    assert MatmulOptions(memory_limit="100%").memory_limit == "100%"


@pytest.mark.parametrize("dtype", [np.dtype(object), np.dtype([("x", np.float32)]), np.dtype(np.clongdouble)])
@pytest.mark.parametrize("where", ["a", "b", "c"])
def test_dtypes_dlpack_cannot_read_name_the_operand(dtype, where):
    arrays = {"a": rand(4, 3), "b": rand(3, 2), "c": rand(4, 2)}
    arrays[where] = np.zeros(arrays[where].shape, dtype)
    raises(TypeError, [f"Argument {where!r}", str(dtype), "allowed"], matmul, arrays["a"], arrays["b"], arrays["c"],
           beta=1.0)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# What cuBLASLt is given (the spec), for the forms cuBLASLt requires
# ---------------------------------------------------------------------------------------------


def _spec(a, b, epilog=None, options=None, **kwargs):
    options = parse_matmul_options(options)
    ops = hm._wrap(a=a, b=b)
    problem = hm._describe(ops, kwargs.pop("qualifiers", None), options)
    return hm._plan_spec(problem, hm.parse_epilog(epilog), {}, options)


def test_fp8_is_given_to_cublaslt_in_the_tn_form():
    ops, problem, options = _fp8_problem({"result_type": "bfloat16"})
    spec = hm._plan_spec(problem, MatmulEpilog.DEFAULT, {}, options)
    assert (spec.a.order, spec.op_a, spec.b.order, spec.op_b, spec.d.order) == ("col", "T", "col", "N", "col")
    assert (spec.a.rows, spec.a.cols, spec.a.ld) == (64, 32, 64)  # K x M, the transposed row-major a
    assert "cuBLASLt: A(col 64x32 ld=64 x1 @0) op T" in spec.describe()


@pytest.mark.parametrize("a_order", ["C", "F"])
@pytest.mark.parametrize("conj", [(True, False), (False, True), (True, True)])
def test_conjugated_complex_operands_are_given_column_major(a_order, conj):
    a = np.asarray(rand(9, 7, dtype=np.complex64), order=a_order)
    b = rand(7, 5, dtype=np.complex64)
    orders = {"a": "row" if a_order == "C" else "col", "b": "row"}
    stored = {orders[n] for n, q in zip("ab", conj, strict=True) if q}
    if len(stored) > 1:
        raises(MatmulLayoutError, ["conjugated", "in memory"], _spec, a, b, qualifiers=conj)
        return
    spec = _spec(a, b, qualifiers=conj)
    for lay in (spec.a, spec.b, spec.d):
        assert lay.order == "col", spec.describe()
    # a conjugated row-major operand needs a column-major D (as is); a column-major one a row-major D (swapped)
    assert spec.swap == (stored == {"col"})
    assert spec.layout.d.order == ("row" if spec.swap else "col")
    assert "C" in (spec.op_a, spec.op_b)


def test_conjugated_complex_with_a_row_major_c_that_needs_a_column_major_result_is_refused():
    a, b = rand(9, 7, dtype=np.complex64), rand(7, 5, dtype=np.complex64)
    raises(MatmulLayoutError, ["'a'", "conjugated", "column-major"], matmul, a, b, rand(9, 5, dtype=np.complex64),
           beta=1.0, qualifiers=(True, False))  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_bgrada_is_given_a_transposed_a_and_a_column_major_result(dtype):
    spec = _spec(rand(40, 24, dtype=dtype), rand(24, 18, dtype=dtype), epilog=MatmulEpilog.BGRADA)
    assert (spec.a.order, spec.op_a, spec.d.order) == ("col", "T", "col")
    assert spec.layout.result_strides == (1, 40)


def test_bgrada_with_a_column_major_16_bit_a_is_refused_before_the_gpu():
    a = np.asfortranarray(rand(40, 24, dtype=np.float16))
    words = ["BGRADA", "float16", "row-major a", "(40, 24)", "(1, 40)", "C-contiguous"]
    everywhere(MatmulUnsupportedError, words, a, rand(24, 18, dtype=np.float16), epilog=MatmulEpilog.BGRADA)
    spec = _spec(np.asfortranarray(rand(40, 24)), rand(24, 18), epilog=MatmulEpilog.BGRADA)  # float32: planned
    assert spec.op_a == "N"


def test_public_names():
    adv = nvmath.linalg.advanced
    for name in ("matmul", "Matmul", "MatmulOptions", "MatmulPlanPreferences", "MatmulEpilog",
                 "MatmulQuantizationScales", "Algorithm", "PlanCache", "MatmulComputeType", "matrix_qualifiers_dtype",
                 "MatmulInnerShape", "MatmulNumericalImplFlags", "MatmulReductionScheme"):  # fmt: skip
        assert hasattr(adv, name), name
    assert [e.name for e in adv.MatmulEpilog] == [
        "DEFAULT", "RELU", "RELU_AUX", "BIAS", "RELU_BIAS", "RELU_AUX_BIAS", "GELU", "GELU_AUX", "GELU_BIAS",
        "GELU_AUX_BIAS", "DRELU", "DRELU_BGRAD", "DGELU", "DGELU_BGRAD", "BGRADA", "BGRADB",
    ]  # fmt: skip
