"""The CPU execution space of nvmath.fft (MKL): results against numpy.fft in float64, and errors.

Needs the ``mkl`` wheel (the ``[test]`` extra brings it); no GPU.
"""

import logging

import numpy as np
import pytest

from nvmath import fft as nvfft
from nvmath.bindings import mkl_dfti
from nvmath.host import cpu_fft

try:
    mkl_dfti.library()
except mkl_dfti.MKLNotFoundError as exc:  # pragma: no cover - the [test] extra installs mkl
    pytest.skip(f"MKL is not installed: {exc}", allow_module_level=True)

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")

RTOL = {np.complex64: 2e-5, np.complex128: 1e-12, np.float32: 2e-5, np.float64: 1e-12}
REAL_OF = {np.complex64: np.float32, np.complex128: np.float64}
COMPLEX_OF = {np.float32: np.complex64, np.float64: np.complex128}


@pytest.fixture
def rng():
    return np.random.default_rng()


def crand(rng, shape, dtype=np.complex128):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


def rrand(rng, shape, dtype=np.float64):
    return rng.standard_normal(shape).astype(dtype)


def close(got, want, dtype):
    """Relative max-norm error of ``got`` (any precision) against the float64 reference ``want``."""
    got = np.asarray(got, dtype=np.result_type(got.dtype, np.complex128 if np.iscomplexobj(want) else np.float64))
    err = np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300)
    assert err < RTOL[dtype] * 10, f"relative error {err:.3e}"


def ref64(a):
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)


# ---------------------------------------------------------------------------------------------
# C2C
# ---------------------------------------------------------------------------------------------

C2C_CASES = [
    ((64,), None),
    ((63,), None),  # odd length
    ((16, 100), (-1,)),  # batched 1-D, even
    ((15, 99), (1,)),  # batched 1-D, odd
    ((12, 10), (0,)),  # batched over the inner axis
    ((18, 20), None),  # 2-D
    ((7, 9, 5), None),  # 3-D, odd
    ((8, 6, 10), (1, 2)),  # batched 2-D
    ((5, 6, 7), (0, 2)),  # axes (0, 2) of a C-contiguous 3-D array
    ((4, 5, 6, 8), (1, 2, 3)),  # batched 3-D
    ((3, 1, 8), (1, 2)),  # a size-1 transformed axis
]


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("shape, axes", C2C_CASES)
def test_c2c_forward_and_inverse(rng, shape, axes, dtype):
    x = crand(rng, shape, dtype)
    want_axes = axes if axes is not None else tuple(range(len(shape)))
    y = nvfft.fft(x, axes=axes, execution="cpu")
    assert type(y) is np.ndarray and y.dtype == dtype and y.shape == shape
    close(y, np.fft.fftn(ref64(x), axes=want_axes), dtype)
    n = np.prod([shape[a] for a in want_axes])
    z = nvfft.ifft(x, axes=axes, execution="cpu")
    close(z, np.fft.ifftn(ref64(x), axes=want_axes) * n, dtype)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize(
    "make, axes",
    [
        (lambda a: a[:, ::2, 1::3], (2,)),  # strided view, last axis
        (lambda a: a[::2, :, ::3], (0, 1)),  # strided view, 2-D
        (lambda a: a.transpose(2, 0, 1), (0,)),  # a permuted (Fortran-like) view
        (lambda a: a[:, :, 1:-1], (0, 2)),  # sliced inner axis, axes (0, 2)
        (lambda a: a[:, :5], (2,)),  # batch axes MKL cannot merge: a loop of MKL calls
        (lambda a: a[::-1, :, ::-2], (2,)),  # negative strides (read through a dense copy)
        (lambda a: np.broadcast_to(a[:1], a.shape), (2,)),  # zero strides
    ],
)
def test_c2c_strided_views(rng, make, axes, dtype):
    base = crand(rng, (6, 10, 12), dtype)
    x = make(base)
    keep = base.copy()
    y = nvfft.fft(x, axes=axes, execution="cpu")
    close(y, np.fft.fftn(ref64(x), axes=axes), dtype)
    np.testing.assert_array_equal(base, keep)  # the operand is read, never written


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("shape, axes, view", [((8, 30), (-1,), None), ((6, 7, 9), (0, 2), None),
                                               ((6, 8, 10), (0, 2), lambda a: a[:, :, ::2]),
                                               ((9, 8), (0,), lambda a: a[::-1])])  # fmt: skip
def test_c2c_in_place(rng, shape, axes, view, dtype):
    base = crand(rng, shape, dtype)
    x = base if view is None else view(base)
    want = np.fft.fftn(ref64(x), axes=axes)
    out = nvfft.fft(x, axes=axes, execution="cpu", options={"inplace": True})
    assert out is x
    close(x, want, dtype)


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_result_layout_natural_and_optimized(rng, dtype):
    x = np.asfortranarray(crand(rng, (12, 10, 6), dtype))
    for layout in ("natural", "optimized"):
        y = nvfft.fft(x, axes=(0,), execution="cpu", options={"result_layout": layout})
        close(y, np.fft.fft(ref64(x), axis=0), dtype)
    y = nvfft.fft(x, axes=(0,), execution="cpu", options={"result_layout": "natural"})
    assert y.flags.f_contiguous


# ---------------------------------------------------------------------------------------------
# R2C / C2R
# ---------------------------------------------------------------------------------------------

REAL_CASES = [((64,), None), ((65,), None), ((10, 33), (-1,)), ((9, 12), None), ((5, 7, 9), None),
              ((6, 8, 10), (1, 2)), ((5, 6, 7), (0, 2)), ((12, 10), (0,))]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape, axes", REAL_CASES)
def test_r2c_and_c2r(rng, shape, axes, dtype):
    x = rrand(rng, shape, dtype)
    want_axes = axes if axes is not None else tuple(range(len(shape)))
    y = nvfft.rfft(x, axes=axes, execution="cpu")
    assert y.dtype == COMPLEX_OF[dtype]
    want = np.fft.rfftn(ref64(x), axes=want_axes)
    assert y.shape == want.shape
    close(y, want, dtype)
    parity = "odd" if shape[want_axes[-1]] % 2 else "even"
    n = np.prod([shape[a] for a in want_axes])
    spectrum = want.astype(COMPLEX_OF[dtype])
    keep = spectrum.copy()
    z = nvfft.irfft(spectrum, axes=axes, execution="cpu", options={"last_axis_parity": parity})
    assert z.dtype == dtype and z.shape == shape
    want_z = np.fft.irfftn(ref64(spectrum), s=[shape[a] for a in want_axes], axes=want_axes) * n
    close(z, want_z, dtype)
    np.testing.assert_array_equal(spectrum, keep)  # C2R leaves its operand intact


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_r2c_c2r_strided(rng, dtype):
    base = rrand(rng, (8, 12, 20), dtype)
    x = base[:, ::3, 1::2]
    close(nvfft.rfft(x, axes=(2,), execution="cpu"), np.fft.rfft(ref64(x), axis=2), dtype)
    spec = crand(rng, (8, 12, 11), COMPLEX_OF[dtype])
    spec[..., 0] = spec[..., 0].real  # a valid Hermitian spectrum along the last axis
    spec[..., -1] = spec[..., -1].real
    view = spec[::2, 1::3]
    z = nvfft.irfft(view, axes=(2,), execution="cpu")
    close(z, np.fft.irfft(ref64(view), n=20, axis=2) * 20, dtype)


# ---------------------------------------------------------------------------------------------
# Stateful object: plans made once, operands swapped, directions
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("num_threads", [None, 1, 2, 3])
def test_stateful_reuse_directions_and_threads(rng, num_threads):
    x = crand(rng, (32, 128), np.complex64)
    with nvfft.FFT(x, axes=(-1,), execution=nvfft.ExecutionCPU(num_threads=num_threads)) as f:
        f.plan()
        handles = dict(f._cpu._descriptors)
        for _ in range(3):
            new = crand(rng, x.shape, np.complex64)
            f.reset_operand(new)
            close(f.execute(), np.fft.fft(ref64(new), axis=-1), np.complex64)
            close(f.execute(direction=nvfft.FFTDirection.INVERSE), np.fft.ifft(ref64(new), axis=-1) * 128, np.complex64)
            close(f.execute(direction="forward"), np.fft.fft(ref64(new), axis=-1), np.complex64)
            close(f.execute(direction=1), np.fft.ifft(ref64(new), axis=-1) * 128, np.complex64)
        assert all(f._cpu._descriptors[d] is desc for d, desc in handles.items())  # made once, reused
        assert set(f._cpu._descriptors) == {"forward", "inverse"}


def test_unmergeable_batch_axes_loop_over_mkl_calls(rng):
    base = crand(rng, (6, 10, 12))
    x = base[:, :5]
    with nvfft.FFT(x, axes=(-1,), execution="cpu") as f:
        f.plan()
        assert f._cpu._loops and f._cpu._batch[0] > 1
        close(f.execute(), np.fft.fft(x, axis=-1), np.complex128)
        close(f.execute(direction="inverse"), np.fft.ifft(x, axis=-1) * 12, np.complex128)


def test_stateful_results_are_new_while_referenced(rng):
    x = crand(rng, (4, 64))
    with nvfft.FFT(x, axes=(-1,), execution="cpu") as f:
        f.plan()
        first = f.execute()
        first_copy = first.copy()
        second = f.execute(direction="inverse")
        assert first is not second
        np.testing.assert_array_equal(first, first_copy)  # a held result is never overwritten


def test_release_operand_and_layouts(rng):
    x = crand(rng, (6, 8, 10))[:, :, ::2]
    with nvfft.FFT(x, axes=(0, 2), execution="cpu") as f:
        assert f.get_input_layout() == ((6, 8, 5), (80, 10, 2))
        shape, strides = f.get_output_layout()
        assert shape == (6, 8, 5)
        f.plan()
        f.release_operand()
        assert f._operand is None
        with pytest.raises(RuntimeError, match="reset_operand"):
            f.execute()
        base = crand(rng, (6, 8, 10))
        f.reset_operand(base[:, :, ::2])
        y = f.execute()
        assert y.strides == tuple(s * 16 for s in strides)
        close(y, np.fft.fftn(base[:, :, ::2], axes=(0, 2)), np.complex128)
        with pytest.raises(ValueError, match="strides"):
            f.reset_operand(np.ascontiguousarray(base[:, :, ::2]))
        with pytest.raises(ValueError, match="shape"):
            f.reset_operand(crand(rng, (6, 8, 4)))
        with pytest.raises(TypeError, match="dtype"):
            f.reset_operand(base[:, :, ::2].astype(np.complex64))
        other = crand(rng, (6, 8, 10))
        f.reset_operand_unchecked(other[:, :, ::2])
        close(f.execute(), np.fft.fftn(other[:, :, ::2], axes=(0, 2)), np.complex128)
    with pytest.raises(nvfft.FFTFreedError):
        f.execute()


def test_plans_are_logged_with_duration(rng, caplog):
    with caplog.at_level(logging.INFO, logger="nvmath"):
        nvfft.fft(crand(rng, (4, 16)), axes=(-1,), execution="cpu")
    assert any("MKL C2C forward plan" in r.getMessage() and " ms " in r.getMessage() for r in caplog.records)


def test_create_key_separates_cpu_and_cuda():
    x = np.ones((4, 8), np.complex64)
    cpu = nvfft.FFT.create_key(x, execution="cpu")
    assert cpu == nvfft.FFT.create_key(np.zeros((4, 8), np.complex64), execution={"name": "cpu"})
    assert cpu != nvfft.FFT.create_key(x)
    assert cpu != nvfft.FFT.create_key(x, execution=nvfft.ExecutionCPU(num_threads=1))
    assert cpu != nvfft.FFT.create_key(np.ones((4, 16), np.complex64)[:, ::2], execution="cpu")


# ---------------------------------------------------------------------------------------------
# CPU torch tensors
# ---------------------------------------------------------------------------------------------


@needs_torch
def test_torch_cpu_tensors(rng):
    x = torch.from_numpy(crand(rng, (8, 30), np.complex64))
    y = nvfft.fft(x, axes=(-1,), execution="cpu")
    assert isinstance(y, torch.Tensor) and y.device.type == "cpu" and y.dtype == torch.complex64
    close(y.numpy(), np.fft.fft(ref64(x.numpy()), axis=-1), np.complex64)
    r = torch.from_numpy(rrand(rng, (6, 9, 10)))[:, ::2]
    s = nvfft.rfft(r, axes=(0, 2), execution="cpu")
    assert isinstance(s, torch.Tensor) and s.dtype == torch.complex128
    close(s.numpy(), np.fft.rfftn(r.numpy(), axes=(0, 2)), np.float64)
    z = nvfft.irfft(s, axes=(0, 2), execution="cpu")
    assert isinstance(z, torch.Tensor) and z.dtype == torch.float64
    close(z.numpy(), r.numpy() * 60, np.float64)
    t = torch.from_numpy(crand(rng, (4, 16)))
    want = np.fft.fft(t.numpy(), axis=-1)
    assert nvfft.fft(t, axes=(-1,), execution="cpu", options={"inplace": True}) is t
    close(t.numpy(), want, np.complex128)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_callbacks_are_refused_on_the_cpu():
    x = np.ones(16, np.complex64)
    with pytest.raises(ValueError, match="'epilog'.*execution='cpu'"):
        nvfft.fft(x, execution="cpu", epilog={"ltoir": b"\0", "data": 0})
    with nvfft.FFT(x, execution="cpu") as f, pytest.raises(ValueError, match="'prolog'.*GPU callback"):
        f.plan(prolog={"ltoir": b"\0", "data": 0})


def test_stream_and_half_precision_are_refused():
    x = np.ones(16, np.complex64)
    with pytest.raises(ValueError, match="'stream' = 5.*execution='cpu'"):
        nvfft.fft(x, execution="cpu", stream=5)
    with nvfft.FFT(x, execution="cpu") as f:
        f.plan()
        with pytest.raises(ValueError, match="stream"):
            f.execute(stream=5)


@needs_torch
def test_half_precision_is_refused():
    with pytest.raises(TypeError, match="complex32.*MKL has no half precision"):
        nvfft.fft(torch.ones(16, dtype=torch.complex32), execution="cpu")


@pytest.mark.parametrize(
    "direction, fft_type", [("sideways", "C2C"), (True, "C2C"), (0, "C2C"), ("inverse", "R2C"), ("forward", "C2R")]
)
def test_bad_directions(direction, fft_type):
    x = np.ones(16, np.float64 if fft_type == "R2C" else np.complex128)
    with nvfft.FFT(x, execution="cpu", options={"fft_type": fft_type}) as f:
        f.plan()
        with pytest.raises(ValueError, match="'direction'"):
            f.execute(direction=direction)


def test_stateless_direction_argument(rng):
    x = crand(rng, (4, 32))
    close(nvfft.fft(x, axes=(-1,), direction=nvfft.FFTDirection.INVERSE, execution="cpu"),
          np.fft.ifft(x, axis=-1) * 32, np.complex128)  # fmt: skip
    close(nvfft.ifft(x, axes=(-1,), direction="forward", execution="cpu"), np.fft.fft(x, axis=-1), np.complex128)
    with pytest.raises(ValueError, match="'direction' = 'up'"):
        nvfft.fft(x, direction="up", execution="cpu")


class _FakeGPUArray:
    """Stands in for a CuPy array on cuda:0 (only the attributes wrap_operand reads)."""

    __module__ = "cupy._core.core"


def test_gpu_operands_are_refused_with_the_ways_out(monkeypatch):
    from nvmath.host import operands

    op = operands.Operand(object(), "cupy", (16,), (1,), "complex64", 8, 0, 1234)
    monkeypatch.setattr(operands, "wrap_operand", lambda obj, name="operand": op)
    with pytest.raises(TypeError) as info:
        nvfft.fft(object(), execution="cpu")
    text = str(info.value)
    assert "cupy" in text and "cuda:0" in text and "execution='cuda'" in text and "cupy.asnumpy" in text


def test_missing_mkl_names_the_extra(monkeypatch):
    monkeypatch.delenv(mkl_dfti.LIBRARY_ENV, raising=False)
    monkeypatch.setattr(mkl_dfti, "_wheel_candidates", lambda: [])
    monkeypatch.setattr(mkl_dfti, "_system_candidates", lambda: ["/nonexistent/libmkl_rt.so.3"])
    with pytest.raises(mkl_dfti.MKLNotFoundError, match=r"pip install 'nvmath\[cpu\]'"):
        mkl_dfti.library_path()
    monkeypatch.setattr(mkl_dfti, "_LIBRARY", mkl_dfti.CLibrary("MKL", mkl_dfti._load_path, {}, error=mkl_dfti._error))
    with pytest.raises(mkl_dfti.MKLNotFoundError, match=r"execution='cpu' is not available.*nvmath\[cpu\]"):
        nvfft.fft(np.ones(8, np.complex64), execution="cpu")


def test_library_env_override_that_fails(monkeypatch):
    monkeypatch.setenv(mkl_dfti.LIBRARY_ENV, "/nonexistent/libmkl_rt.so")
    with pytest.raises(mkl_dfti.MKLNotFoundError, match="NVMATH_FFT_CPU_LIBRARY"):
        mkl_dfti.library_path()


def test_unsupported_layouts_fail_as_on_the_gpu():
    x = np.ones((3, 4, 5, 6), np.complex64)
    with pytest.raises(nvfft.UnsupportedLayoutError):
        nvfft.fft(x, axes=(1, 3), execution="cpu")


# ---------------------------------------------------------------------------------------------
# The binding
# ---------------------------------------------------------------------------------------------


def test_binding_roundtrip_and_errors(rng):
    cv, cp = mkl_dfti.ConfigValue, mkl_dfti.ConfigParam
    h = mkl_dfti.create_descriptor(cv.DOUBLE, cv.COMPLEX, (4, 6))
    try:
        mkl_dfti.set_value(h, cp.PLACEMENT, cv.NOT_INPLACE)
        mkl_dfti.set_value(h, cp.FORWARD_SCALE, 0.5)
        assert mkl_dfti.get_value(h, cp.COMMIT_STATUS) == cv.UNCOMMITTED
        mkl_dfti.commit_descriptor(h)
        assert mkl_dfti.get_value(h, cp.COMMIT_STATUS) == cv.COMMITTED
        assert mkl_dfti.get_value(h, cp.LENGTHS) == (4, 6)
        assert mkl_dfti.get_value(h, cp.FORWARD_SCALE) == 0.5
        x = crand(rng, (4, 6))
        y = np.full_like(x, np.nan)
        mkl_dfti.compute_forward(h, x.ctypes.data, y.ctypes.data)
        close(y, np.fft.fft2(x) * 0.5, np.complex128)
    finally:
        mkl_dfti.free_descriptor(h)
    with pytest.raises(ValueError, match="'lengths'"):
        mkl_dfti.create_descriptor(cv.DOUBLE, cv.COMPLEX, (0,))
    h = mkl_dfti.create_descriptor(cv.DOUBLE, cv.COMPLEX, (4, 6))
    try:
        with pytest.raises(mkl_dfti.MKLDFTIError) as info:
            mkl_dfti.set_value(h, cp.PLACEMENT, 12345)  # MKL: DFTI_INCONSISTENT_CONFIGURATION
        assert info.value.name.startswith("DFTI_") and info.value.message
    finally:
        mkl_dfti.free_descriptor(h)
    with pytest.raises(ValueError, match="'param' = 999"):
        mkl_dfti.set_value(0, 999, 1)
    assert "Math Kernel Library" in mkl_dfti.get_version_string()
    assert mkl_dfti.get_max_threads() >= 1


def test_enum_values_match_the_header():
    """The values this binding hard-codes, against mkl_dfti.h when the mkl-include wheel is installed."""
    import re
    import sysconfig
    from pathlib import Path

    header = Path(sysconfig.get_paths()["data"]) / "include" / "mkl_dfti.h"
    if not header.exists():
        pytest.skip("mkl-include is not installed (pip install mkl-include to check the enums)")
    text = header.read_text()
    for enum_cls in (mkl_dfti.ConfigParam, mkl_dfti.ConfigValue):
        for member in enum_cls:
            pattern = rf"^\s*DFTI_{member.name}(?:\s+MKL_DEPRECATED_MSG\([^)]*\))?\s*=\s*(\d+)"
            match = re.search(pattern, text, re.MULTILINE)
            assert match and int(match.group(1)) == member.value, member
    for member in mkl_dfti.ErrorCode:
        name = "1D_LENGTH_EXCEEDS_INT32" if member.name == "LENGTH_EXCEEDS_INT32" else member.name
        match = re.search(rf"^#define\s+DFTI_{name}\s+(\d+)", text, re.MULTILINE)
        assert match and int(match.group(1)) == member.value, member


def test_check_helpers_exported():
    assert set(cpu_fft.__all__) >= {"CPUTransform", "check_cpu_operand", "check_no_callbacks", "load_mkl"}


@pytest.mark.parametrize("name", ["cpu_execution.py", "cpu_stateful_reuse.py"])
def test_examples_run(name, capsys):
    import runpy
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "fft" / name
    runpy.run_path(str(path), run_name="__main__")
    assert ": OK" in capsys.readouterr().out


@pytest.mark.gpu
def test_real_gpu_operands_are_refused():
    cupy = pytest.importorskip("cupy")
    x = cupy.ones(16, cupy.complex64)
    with pytest.raises(TypeError, match="cuda:0.*execution='cuda'.*cupy.asnumpy"):
        nvfft.fft(x, execution="cpu")
    if torch is not None and torch.cuda.is_available():
        with pytest.raises(TypeError, match="torch.*tensor.cpu"):
            nvfft.FFT(torch.ones(16, dtype=torch.complex64, device="cuda"), execution=nvfft.ExecutionCPU())


@pytest.mark.gpu
def test_cpu_and_cuda_agree_on_numpy_operands(rng):
    x = crand(rng, (16, 6, 40), np.complex64)
    on_cpu = nvfft.fft(x, axes=(0, 2), execution="cpu")
    on_gpu = nvfft.fft(x, axes=(0, 2), execution="cuda")
    assert on_cpu.shape == on_gpu.shape and on_cpu.strides == on_gpu.strides
    close(on_cpu, np.fft.fftn(ref64(x), axes=(0, 2)), np.complex64)
    close(on_gpu, np.fft.fftn(ref64(x), axes=(0, 2)), np.complex64)


def test_without_a_gpu_the_cuda_error_points_to_the_cpu():
    from nvmath._gpu import NoGPUError, gpu_count

    if gpu_count() > 0:
        pytest.skip("checks the no-GPU error")
    with pytest.raises(NoGPUError, match="execution='cpu' runs the FFT on the host"):
        nvfft.fft(np.ones(8, np.complex64))
