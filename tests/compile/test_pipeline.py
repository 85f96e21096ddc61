"""NVRTC, Numba device functions, nvJitLink and toolchain discovery: results and error messages."""

import os
import subprocess
import sys

import pytest
from numba import types

from nvmath.compile import NVRTCError, ToolchainError, compile_cpp, compile_device_function, link, toolchain
from nvmath.compile.code import normalize_cc
from nvmath.compile.pyfunc import function_key
from nvmath.compile.sass import disassemble


def test_nvrtc_error_carries_the_log():
    with pytest.raises(NVRTCError, match=r"broken\.cu.*undefined_name"):
        compile_cpp('extern "C" __device__ int f() { return undefined_name; }', cc=(9, 0), name="broken.cu")


def test_nvrtc_ptx_output():
    code = compile_cpp('extern "C" __global__ void k(int* x) { *x = 7; }', cc=(9, 0), output="ptx")
    assert code.kind == "ptx" and b".target sm_90" in code.data


def test_numba_device_function_has_the_chosen_symbol_and_links():
    def axpy(a, x, y):
        return a * x + y

    code = compile_device_function(
        axpy, types.float32, [types.float32, types.float32, types.float32], symbol="my_axpy", cc=(9, 0)
    )
    caller = compile_cpp(
        'extern "C" __device__ float my_axpy(float, float, float);\n'
        'extern "C" __global__ void k(float* x) { x[threadIdx.x] = my_axpy(2.0f, x[threadIdx.x], 1.0f); }',
        cc=(9, 0),
        name="caller.cu",
    )
    sass = disassemble(link([caller, code], cc=(9, 0)))
    assert "FFMA" in sass and "CALL" not in sass


def test_device_function_cache_key_follows_globals():
    scale = 2.0

    def make(value):
        def f(x):
            return x * value

        return f

    assert function_key(make(scale)) == function_key(make(scale))
    assert function_key(make(2.0)) != function_key(make(3.0))

    class Opaque:
        pass

    assert function_key(make(Opaque())) is None  # not keyable: compiled every time, never cached wrongly


def test_device_function_is_cached(monkeypatch):
    from nvmath.compile import pyfunc

    def g(x):
        return x + 1

    compile_device_function(g, types.int32, [types.int32], symbol="g_plus_one", cc=(9, 0))
    import numba.cuda

    def forbidden(*args, **kwargs):
        raise AssertionError("Numba should not run on a cache hit")

    monkeypatch.setattr(numba.cuda, "compile", forbidden)
    code = pyfunc.compile_device_function(g, types.int32, [types.int32], symbol="g_plus_one", cc=(9, 0))
    assert code.kind == "ltoir"


def test_link_error_names_the_inputs():
    from nvmath.compile import LinkError

    caller = compile_cpp(
        'extern "C" __device__ float missing_fn(float);\n'
        'extern "C" __global__ void k(float* x) { x[0] = missing_fn(x[0]); }',
        cc=(9, 0),
        name="needs_missing.cu",
    )
    with pytest.raises(LinkError, match="needs_missing.cu"):
        link([caller], cc=(9, 0))


@pytest.mark.parametrize("bad", [9, "sm_x", (9,), (9, 0, 1), "90a0", None])
def test_bad_compute_capability(bad):
    with pytest.raises(ValueError, match="Argument 'cc'"):
        normalize_cc(bad)


def test_versions_report_every_piece():
    versions = toolchain.versions()
    assert set(versions) == {"nvrtc", "nvJitLink", "nvvm", "mathdx"}
    major, minor = map(int, versions["nvrtc"].split("."))
    assert (13, 0) <= (major, minor) < (13, 5), "NVRTC must be 13.0-13.4 for libmathdx 0.4.1"
    assert versions["mathdx"].startswith("0.4.")


def test_missing_library_names_the_package(monkeypatch):
    import cuda.pathfinder

    def not_found(name):
        raise cuda.pathfinder.DynamicLibNotFoundError(f"Failure finding {name}")

    toolchain.load_library.cache_clear()
    monkeypatch.setattr(cuda.pathfinder, "load_nvidia_dynamic_lib", not_found)
    try:
        with pytest.raises(ToolchainError, match=r"pip install 'nvidia-cufft'"):
            toolchain.load_library("cufft")
    finally:
        toolchain.load_library.cache_clear()


def test_unknown_library_name():
    with pytest.raises(ValueError, match="Argument 'name' = 'cufftx'"):
        toolchain.load_library("cufftx")


def test_environment_report_and_cache_commands(tmp_path):
    env = dict(os.environ, NVMATH_CACHE_DIR=str(tmp_path / "c"))
    run = lambda *args: (
        subprocess.run(  # noqa: E731
            [sys.executable, "-m", "nvmath", *args], capture_output=True, text=True, env=env, check=True
        ).stdout
    )
    report = run()
    for expected in ("nvmath 0.1.0", "numba-cuda", "nvrtc: 13.", "nvJitLink:", "mathdx: 0.4", "GPU:", "cache:"):
        assert expected in report, report
    assert str(tmp_path / "c") in run("cache", "info")
    assert "removed 0 entries" in run("cache", "clear")
