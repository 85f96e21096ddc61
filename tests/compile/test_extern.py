"""Numba kernels calling external LTO-IR: GPU-less link to sm_90, inlining, cache, typing errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from numba import cuda, types
from numba.core.errors import TypingError

from nvmath.device.extern import compile_kernel
from tests.compile import kernels

HERE = Path(__file__).parent


def test_kernel_links_to_sm90_cubin_fully_inlined():
    kernel, _ = kernels.make_kernel()
    compiled = compile_kernel(kernel, kernels.argtypes(), cc=(9, 0))
    assert compiled.cubin[:4] == b"\x7fELF"
    sass = compiled.sass()
    assert "code for sm_90" in sass
    counts = compiled.sass_counts()
    assert counts == {"CALL": 0, "LDL": 0, "STL": 0}, counts
    (usage,) = compiled.resource_usage().values()
    assert usage["LOCAL"] == 0 and usage["STACK"] == 0, usage
    # the complex multiply from libcu++ is in the kernel itself
    assert "FFMA" in sass or "FMUL" in sass


def _compile_in_new_process(cache_dir):
    root = str(HERE.parent.parent)
    pythonpath = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    env = dict(os.environ, NVMATH_CACHE_DIR=str(cache_dir), PYTHONPATH=pythonpath)
    env.pop("NVMATH_DISABLE_CACHE", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.compile.kernels"], capture_output=True, text=True, env=env, cwd=HERE.parent.parent
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_warm_cache_in_new_process_is_5x_faster(tmp_path, capsys):
    """The second process skips NVRTC and nvJitLink: its compile of the kernel is >= 5x faster."""
    cache_dir = tmp_path / "cache"
    cold = _compile_in_new_process(cache_dir)
    warm = _compile_in_new_process(cache_dir)
    assert cold["cubin_bytes"] == warm["cubin_bytes"]
    ratio = cold["seconds"] / warm["seconds"]
    with capsys.disabled():
        print(
            f"\n[compile] kernel: cold {cold['seconds']:.3f} s, warm {warm['seconds']:.3f} s, ratio {ratio:.1f}x; "
            f"with Numba's per-process setup: cold {cold['seconds_with_numba_setup']:.3f} s, "
            f"warm {warm['seconds_with_numba_setup']:.3f} s"
        )
    assert ratio >= 5, (cold, warm)


def test_unused_globals_are_stripped():
    from nvmath.compile import compile_cpp, link

    src = r"""
    __device__ float big_table[65536] = {1.0f};
    extern "C" __global__ void k(float* x) { x[threadIdx.x] *= 2.0f; }
    """
    code = compile_cpp(src, cc=(9, 0), name="table.cu")
    stripped = link([code], cc=(9, 0))
    kept = link([code], cc=(9, 0), strip_unused_globals=False)
    assert len(kept) > len(stripped) + 200_000, (len(kept), len(stripped))


def _half_multiply_add(x):
    i = cuda.grid(1)
    if i < x.shape[0]:
        x[i] = x[i] * x[i] + x[i]


def test_kernel_with_half_precision_arithmetic_links():
    """numba-cuda hands its fp16 helpers to the linker as a cuda.core ObjectCode: it must link."""
    from nvmath.compile import sass

    compiled = compile_kernel(_half_multiply_add, [types.float16[::1]], cc=(9, 0))
    text = sass.disassemble(compiled.cubin)
    assert "HFMA2" in text or "HMUL2" in text, "no half-precision arithmetic in the SASS"
    assert sass.calls_and_local_memory(compiled.cubin)["CALL"] == 0


def test_wrong_argument_type_is_a_typing_error():
    _, cmul_add = kernels.make_kernel()

    def bad(data):
        z = cuda.local.array(2, types.float64)
        cmul_add(z, data, 1)

    with pytest.raises(TypingError, match=r"cmul_add\(\) argument 0 must be an array of float32"):
        compile_kernel(bad, [types.float32[::1]], cc=(9, 0))


def test_wrong_argument_count_is_a_typing_error():
    _, cmul_add = kernels.make_kernel()

    def bad(data):
        cmul_add(data, data)

    with pytest.raises(TypingError, match=r"cmul_add\(\) takes 3 arguments"):
        compile_kernel(bad, [types.float32[::1]], cc=(9, 0))


def test_calling_outside_a_kernel_is_an_error():
    _, cmul_add = kernels.make_kernel()
    with pytest.raises(TypeError, match="only be called inside a CUDA kernel"):
        cmul_add(np.zeros(2, np.float32), np.zeros(2, np.float32), 1)


@pytest.mark.gpu
def test_launch_through_cuda_jit_gives_the_right_answer():
    kernel, _ = kernels.make_kernel(cc=cuda.get_current_device().compute_capability)
    jitted = cuda.jit(kernel)
    rng = np.random.default_rng()
    n = 1000
    blocks = (n + kernels.BLOCK - 1) // kernels.BLOCK
    host = rng.standard_normal(2 * n).astype(np.float32)
    w = rng.standard_normal(2).astype(np.float32)
    data = cuda.to_device(host)
    sums = cuda.to_device(np.full(blocks, np.nan, np.float32))
    jitted[blocks, kernels.BLOCK](data, cuda.to_device(w), 3, sums)
    result = data.copy_to_host()
    z = host[0::2].astype(np.float64) + 1j * host[1::2]
    expected = z * (float(w[0]) + 1j * float(w[1])) + 3
    got = result[0::2] + 1j * result[1::2].astype(np.float64)
    assert np.linalg.norm(got - expected) / np.linalg.norm(expected) < 1e-6
    padded = np.zeros(blocks * kernels.BLOCK)
    padded[:n] = expected.real
    np.testing.assert_allclose(sums.copy_to_host(), padded.reshape(blocks, -1).sum(axis=1), rtol=1e-4, atol=1e-3)
    # the cubin was produced by nvmath's cached link: the C++ is inlined (no CALL), no spills
    from nvmath.compile.sass import calls_and_local_memory

    (overload,) = jitted.overloads.values()
    assert calls_and_local_memory(overload.library.get_cubin().code) == {"CALL": 0, "LDL": 0, "STL": 0}
