"""Code generation and linking of cuBLASDx GEMMs (CPU, no GPU): LTO-IR linked into sm_90 cubins.

Every kernel here is compiled with :func:`nvmath.device.extern.compile_kernel` for sm 90 and
its SASS is checked: the cuBLASDx code is fully inlined (no CALL) and uses no local memory.
Each new description costs libmathdx compiles of seconds (traits, then one per generated
function, in parallel worker processes); the descriptors are shared across the tests.
"""

import numpy as np
import pytest
from numba import cuda, types
from numba.core.errors import TypingError

from nvmath.device import Matmul, copy, copy_wait, make_tensor
from nvmath.device.extern import compile_kernel
from tests.device.matmul_kernels import dynamic_ld_kernel, smem_kernel

pytestmark = pytest.mark.slow

INLINED = {"CALL": 0, "LDL": 0, "STL": 0}


@pytest.fixture(scope="module")
def mm_f32():
    return Matmul((32, 16, 64), np.float32, "real", sm=90, block_size=64)


def accumulator_kernel(MM):
    def kernel(a, b, c):
        ga = make_tensor(a, MM.get_layout_gmem_a())
        gb = make_tensor(b, MM.get_layout_gmem_b())
        gc = make_tensor(c, MM.get_layout_gmem_c())
        sa = cuda.shared.array(MM.a_size, MM.a_value_type)
        sb = cuda.shared.array(MM.b_size, MM.b_value_type)
        ta = make_tensor(sa, MM.suggest_layout_smem_a())
        tb = make_tensor(sb, MM.suggest_layout_smem_b())
        copy(ga, ta)
        copy(gb, tb)
        copy_wait()
        acc = MM.suggest_accumulator()
        acc.clear()
        MM.execute(ta, tb, acc)
        acc.partition_and_copy(acc.get_results(), gc)

    return kernel


F32 = types.float32[::1]


def test_shared_memory_api_is_fully_inlined(mm_f32):
    compiled = compile_kernel(smem_kernel(mm_f32), [F32, F32, F32, types.float32, types.float32], cc=(9, 0))
    assert compiled.sass_counts() == INLINED
    assert any("cublasdx" in name for name in compiled.linked), compiled.linked


def test_runtime_leading_dimension_api_is_fully_inlined(mm_f32):
    compiled = compile_kernel(
        dynamic_ld_kernel(mm_f32, 68, 72, 40), [F32, F32, F32, types.float32, types.float32], cc=(9, 0)
    )
    assert compiled.sass_counts() == INLINED


def test_tensor_api_with_accumulator_is_fully_inlined(mm_f32):
    compiled = compile_kernel(accumulator_kernel(mm_f32), [F32, F32, F32], cc=(9, 0))
    assert compiled.sass_counts() == INLINED
    functions = {name.split("_")[2] for name in compiled.linked if name.startswith("nvmath_cublasdx")}
    assert {"copy", "execute", "clear"} <= functions, compiled.linked


def test_traits_are_compile_time_constants_in_kernels(mm_f32):
    def kernel(out):
        out[0] = mm_f32.a_size
        out[1] = mm_f32.block_size
        out[2] = mm_f32.leading_dimension[2]
        out[3] = mm_f32.max_threads_per_block

    compiled = compile_kernel(kernel, [types.int64[::1]], cc=(9, 0))
    assert compiled.sass_counts()["CALL"] == 0


def wrong_dtype_kernel(MM):
    def kernel(out):
        sa = cuda.shared.array(MM.a_size, np.float64)
        sb = cuda.shared.array(MM.b_size, MM.b_value_type)
        sc = cuda.shared.array(MM.c_size, MM.c_value_type)
        MM.execute(1.0, sa, sb, 0.0, sc)

    return kernel


def wrong_arity_kernel(MM):
    def kernel(out):
        sa = cuda.shared.array(MM.a_size, MM.a_value_type)
        MM.execute(1.0, sa, 0.0)

    return kernel


def wrong_ld_type_kernel(MM):
    def kernel(out):
        sa = cuda.shared.array(MM.a_size, MM.a_value_type)
        sb = cuda.shared.array(MM.b_size, MM.b_value_type)
        sc = cuda.shared.array(MM.c_size, MM.c_value_type)
        MM.execute(1.0, sa, 1.5, sb, 64, 0.0, sc, 32)

    return kernel


@pytest.mark.parametrize(
    "factory, message",
    [
        (wrong_dtype_kernel, "argument 1"),
        (wrong_arity_kernel, "got 3 arguments"),
        (wrong_ld_type_kernel, "lda"),
    ],
)
def test_wrong_execute_arguments_are_typing_errors_that_say_what_is_expected(mm_f32, factory, message):
    with pytest.raises(TypingError, match=message):
        compile_kernel(factory(mm_f32), [F32], cc=(9, 0))


def test_copy_between_two_register_fragments_is_refused(mm_f32):
    def kernel(out):
        acc = mm_f32.suggest_accumulator()
        copy(acc, acc)

    with pytest.raises(TypingError, match="register fragments"):
        compile_kernel(kernel, [F32], cc=(9, 0))


def test_register_fragment_indexing_and_index_mapping_are_fully_inlined(mm_f32):
    m, n = mm_f32.c_dim

    def kernel(out):
        acc = mm_f32.suggest_accumulator()
        acc.clear()
        results = acc.get_results()
        if acc.is_thread_active():
            for j in range(results.size):
                if acc.is_index_in_bounds(j):
                    row, col = acc.map_fragment_index(j)
                    results[j] = results[j] + 1.0
                    out[row * n + col] = results[j]

    compiled = compile_kernel(kernel, [F32], cc=(9, 0))
    assert compiled.sass_counts() == INLINED
