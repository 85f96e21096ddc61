"""GPU tests of nvmath.fft against NumPy's float64 FFT (fresh random data, poisoned outputs).

Relative L2 error bounds: fp64 1e-12, fp32 1e-5, fp16 1e-2.
"""

import math

import numpy as np
import pytest

from nvmath import fft as nvfft

pytestmark = pytest.mark.gpu

try:
    import cupy
except Exception:  # optional
    cupy = None
try:
    import torch

    if not torch.cuda.is_available():
        torch_cuda = None
    else:
        torch_cuda = torch
except Exception:
    torch = torch_cuda = None

PACKAGES = ["numpy", "cupy", "torch", "torch-cpu"]
TOL = {"complex128": 1e-12, "float64": 1e-12, "complex64": 1e-5, "float32": 1e-5, "complex32": 1e-2, "float16": 1e-2}
RNG = np.random.default_rng()


def _skip_missing(package):
    if package == "cupy" and cupy is None:
        pytest.skip("cupy not installed")
    if package == "torch" and torch_cuda is None:
        pytest.skip("torch with CUDA not installed")
    if package == "torch-cpu" and torch is None:
        pytest.skip("torch not installed")


def _poison(package, nbytes):
    """Fill freed pool memory with NaN bit patterns so a transform that writes nothing fails."""
    if package == "cupy":
        junk = cupy.full(nbytes // 4 + 64, np.nan, np.float32)
        del junk
    elif package == "torch":
        junk = torch.full((nbytes // 4 + 64,), float("nan"), device="cuda")
        del junk


def to_package(x: np.ndarray, package):
    if package == "numpy":
        return x
    if package == "cupy":
        return cupy.asarray(x)
    if package == "torch":
        return torch.from_numpy(np.ascontiguousarray(x)).cuda()
    return torch.from_numpy(np.ascontiguousarray(x))


def to_numpy(y):
    if isinstance(y, np.ndarray):
        return y
    if cupy is not None and isinstance(y, cupy.ndarray):
        return cupy.asnumpy(y)
    if y.dtype == torch.complex32:
        y = y.to(torch.complex64)
    return y.detach().cpu().numpy()


def random(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "c":
        return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def check(result, reference, dtype):
    result = to_numpy(result).astype(np.complex128)
    reference = np.asarray(reference, np.complex128)
    assert result.shape == reference.shape
    assert np.all(np.isfinite(result)), "non-finite values: output not written"
    error = np.linalg.norm(result - reference) / max(np.linalg.norm(reference), 1e-300)
    assert error < TOL[str(dtype)], f"relative error {error:.3e}"


def check_same_package(result, operand, package):
    if package == "numpy":
        assert isinstance(result, np.ndarray)
    elif package == "cupy":
        assert isinstance(result, cupy.ndarray) and result.device.id == operand.device.id
    else:
        assert isinstance(result, torch.Tensor) and result.device == operand.device


def lengths(shape, axes):
    return [shape[a] for a in axes]


# (shape, axes, view): view slices/transposes the operand after creation.
CASES = [
    ((64,), None, None),
    ((8, 1024), (-1,), None),
    ((16, 32), (0, 1), None),
    ((6, 5, 12), (0, 2), None),
    ((6, 5, 7), None, None),
    ((3, 4, 8, 10), (2, 3), None),
    ((12, 10), (0,), None),
    ((10, 32), (-1,), "slice"),
    ((20, 12), (0, 1), "transpose"),
    ((4, 24, 16), (1, 2), "slice"),
]


def make_view(x, view):
    if view == "slice":
        return x[..., ::2]
    if view == "transpose":
        return x.T
    return x


def operand_for(shape, dtype, package, view):
    base = random(shape, dtype)
    host = np.array(make_view(base, view))  # a copy: NumPy/CPU-tensor operands share base's memory
    op = to_package(base, package)
    op = make_view(op, view)
    return op, np.asarray(host)


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
@pytest.mark.parametrize("shape, axes, view", CASES)
def test_c2c_forward_and_inverse(package, dtype, shape, axes, view):
    _skip_missing(package)
    op, host = operand_for(shape, dtype, package, view)
    axes_ = axes if axes is not None else tuple(range(host.ndim))
    _poison(package, host.nbytes)
    y = nvfft.fft(op, axes=axes)
    check_same_package(y, op, package)
    check(y, np.fft.fftn(host.astype(np.complex128), axes=axes_), dtype)
    _poison(package, host.nbytes)
    z = nvfft.ifft(op, axes=axes)
    n = math.prod(lengths(host.shape, axes_))
    check(z, np.fft.ifftn(host.astype(np.complex128), axes=axes_) * n, dtype)
    check(op, host, dtype)  # operand untouched


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape, axes, view", [c for c in CASES if c[2] != "transpose"])
def test_r2c_and_c2r(package, dtype, shape, axes, view):
    _skip_missing(package)
    op, host = operand_for(shape, dtype, package, view)
    axes_ = tuple(a % host.ndim for a in axes) if axes is not None else tuple(range(host.ndim))
    _poison(package, host.nbytes * 2)
    y = nvfft.rfft(op, axes=axes)
    check_same_package(y, op, package)
    ref = np.fft.rfftn(host.astype(np.float64), axes=axes_)
    check(y, ref, dtype)
    # C2R of a Hermitian spectrum; the operand must survive.
    spectrum = to_package(ref.astype(np.complex64 if dtype == "float32" else np.complex128), package)
    before = to_numpy(spectrum).copy()
    for parity in ("even", "odd"):
        last = axes_[-1]
        n_last = 2 * (ref.shape[last] - 1) if parity == "even" else 2 * ref.shape[last] - 1
        s = [host.shape[a] if a != last else n_last for a in axes_]
        _poison(package, host.nbytes * 2)
        x = nvfft.irfft(spectrum, axes=axes, options={"last_axis_parity": parity})
        check_same_package(x, spectrum, package)
        expected = np.fft.irfftn(ref, s=s, axes=axes_) * math.prod(s)
        check(x, expected, dtype)
        assert np.array_equal(to_numpy(spectrum), before), "irfft modified its operand"


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("layout", ["optimized", "natural"])
def test_inplace_and_result_layouts(package, layout):
    _skip_missing(package)
    op, host = operand_for((6, 5, 12), "complex64", package, None)
    y = nvfft.fft(op, axes=(0, 2), options={"result_layout": layout})
    check(y, np.fft.fftn(host, axes=(0, 2)), "complex64")
    z = nvfft.fft(op, axes=(0, 2), options={"inplace": True})
    assert z is op
    check(op, np.fft.fftn(host, axes=(0, 2)), "complex64")


@pytest.mark.parametrize("package", ["cupy", "torch", "numpy"])
def test_stateful_reuse_reset_and_directions(package):
    _skip_missing(package)
    a, host_a = operand_for((32, 256), "complex64", package, None)
    b, host_b = operand_for((32, 256), "complex64", package, None)
    with nvfft.FFT(a, axes=(-1,)) as f:
        f.plan()
        for _ in range(3):
            _poison(package, host_a.nbytes)
            check(f.execute(), np.fft.fft(host_a, axis=-1), "complex64")
        r1 = f.execute()
        r2 = f.execute(direction="inverse")
        check(r1, np.fft.fft(host_a, axis=-1), "complex64")
        check(r2, np.fft.ifft(host_a, axis=-1) * 256, "complex64")
        f.reset_operand(b)
        check(f.execute(), np.fft.fft(host_b, axis=-1), "complex64")
        with pytest.raises(ValueError, match="shape"):
            f.reset_operand(to_package(random((32, 128), "complex64"), package))
    with pytest.raises(RuntimeError, match="freed"):
        f.execute()


@pytest.mark.parametrize("package", ["cupy", "torch"])
def test_streams_do_not_change_current_stream(package):
    _skip_missing(package)
    op, host = operand_for((64, 512), "complex128", package, None)
    if package == "cupy":
        s = cupy.cuda.Stream(non_blocking=True)
        before = cupy.cuda.get_current_stream().ptr
        y = nvfft.fft(op, axes=(-1,), stream=s)
        s.synchronize()
        assert cupy.cuda.get_current_stream().ptr == before
        y2 = nvfft.fft(op, axes=(-1,), stream=s.ptr)
        s.synchronize()
    else:
        s = torch.cuda.Stream()
        before = torch.cuda.current_stream().cuda_stream
        y = nvfft.fft(op, axes=(-1,), stream=s)
        s.synchronize()
        assert torch.cuda.current_stream().cuda_stream == before
        y2 = nvfft.fft(op, axes=(-1,), stream=s.cuda_stream, options={"blocking": True})
    ref = np.fft.fft(host, axis=-1)
    check(y, ref, "complex128")
    check(y2, ref, "complex128")


@pytest.mark.parametrize("kind", ["created", "null"])
def test_cupy_stream_wraps_the_handle_without_deprecated_api(kind):
    _skip_missing("cupy")
    import warnings

    from nvmath.host.streams import cupy_stream

    owner = cupy.cuda.Stream(non_blocking=True) if kind == "created" else None
    handle = owner.ptr if owner is not None else 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        wrapped = cupy_stream(handle, 0)
    assert wrapped.ptr == handle
    with wrapped:  # work queued in the context lands on the wrapped handle
        assert cupy.cuda.get_current_stream().ptr == handle
        x = cupy.arange(1 << 20, dtype=cupy.float32) * 2
    wrapped.synchronize()
    assert float(x[-1]) == 2 * ((1 << 20) - 1)


def test_cuda_core_stream_and_stateful_stream_switch():
    _skip_missing("cupy")
    from cuda.core import Device

    device = Device(0)
    device.set_current()
    stream = device.create_stream()
    op, host = operand_for((16, 128), "complex64", "cupy", None)
    with nvfft.FFT(op, axes=(-1,), stream=stream) as f:
        f.plan()
        y = f.execute()
        stream.sync()
        check(y, np.fft.fft(host, axis=-1), "complex64")
        other = cupy.cuda.Stream(non_blocking=True)
        y = f.execute(stream=other)
        other.synchronize()
        check(y, np.fft.fft(host, axis=-1), "complex64")


def test_torch_half_precision():
    _skip_missing("torch")
    host = random((8, 64), "complex64")
    op = torch.from_numpy(host).cuda().to(torch.complex32)
    y = nvfft.fft(op, axes=(-1,))
    assert y.dtype == torch.complex32
    check(y, np.fft.fft(to_numpy(op).astype(np.complex128), axis=-1), "complex32")
    real = torch.from_numpy(random((8, 64), "float32")).cuda().half()
    y = nvfft.rfft(real, axes=(-1,))
    assert y.dtype == torch.complex32
    check(y, np.fft.rfft(real.float().cpu().numpy().astype(np.float64), axis=-1), "complex32")


def test_custom_allocator_is_used():
    _skip_missing("cupy")
    import nvmath

    class Counting:
        def __init__(self):
            self.calls = 0

        def memalloc(self, size):
            self.calls += 1
            block = cupy.cuda.alloc(size)
            pointer = nvmath.MemoryPointer(block.ptr, size, finalizer=lambda: None)
            pointer._owner = block
            return pointer

    alloc = Counting()
    host = random((4, 6, 1000), "complex64")  # 1000 = 2^3 5^3: cuFFT needs a workspace for the 3 axes
    y = nvfft.fft(host, options={"allocator": alloc})
    check(y, np.fft.fftn(host), "complex64")
    assert alloc.calls >= 2  # device copies of operand and result (+ workspace)


def test_plan_cache_hits_and_results():
    _skip_missing("cupy")
    cache = nvfft.PlanCache(maxsize=2)
    for _ in range(3):
        op, host = operand_for((8, 64), "complex64", "cupy", None)
        check(cache.fft(op, axes=(-1,)), np.fft.fft(host, axis=-1), "complex64")
        check(cache.ifft(op, axes=(-1,)), np.fft.ifft(host, axis=-1) * 64, "complex64")
    assert (cache.hits, cache.misses, len(cache)) == (5, 1, 1)
    op, host = operand_for((8, 64), "float32", "cupy", None)
    check(cache.rfft(op, axes=(-1,)), np.fft.rfft(host, axis=-1), "float32")
    op, host = operand_for((8, 32), "complex64", "cupy", None)
    check(cache.fft(op), np.fft.fftn(host), "complex64")
    assert len(cache) == 2
    cache.clear()


@pytest.mark.parametrize("package", ["cupy", "torch"])
def test_plan_cache_fast_path_reuses_only_matching_plans(package):
    """Hits through the attribute-only key must still see each call's own data, and any change
    of layout, stream, options or a freed plan must not reuse a plan that does not fit."""
    _skip_missing(package)
    cache = nvfft.PlanCache(maxsize=4)
    for axes in [(-1,), [-1], (-1,)]:  # a list spells the same axes
        op, host = operand_for((16, 128), "complex64", package, None)
        check(cache.fft(op, axes=axes), np.fft.fft(host, axis=-1), "complex64")
    assert (cache.hits, cache.misses) == (2, 1)
    # A strided view of the same shape: another plan.
    op, host = operand_for((16, 256), "complex64", package, None)
    view = op[:, ::2]
    check(cache.fft(view, axes=(-1,)), np.fft.fft(host[:, ::2], axis=-1), "complex64")
    assert cache.misses == 2
    # In place, blocking: another plan; the operand itself is the result.
    op, host = operand_for((16, 128), "complex64", package, None)
    out = cache.fft(op, axes=(-1,), options={"inplace": True, "blocking": True})
    assert out is op
    check(op, np.fft.fft(host, axis=-1), "complex64")
    assert cache.misses == 3
    # Another stream: another plan, results correct on that stream.
    if package == "cupy":
        stream = cupy.cuda.Stream(non_blocking=True)
        handle = stream.ptr
    else:
        stream = torch.cuda.Stream()
        handle = stream.cuda_stream
    op, host = operand_for((16, 128), "complex64", package, None)
    y = cache.fft(op, axes=(-1,), stream=handle)
    stream.synchronize()
    check(y, np.fft.fft(host, axis=-1), "complex64")
    assert cache.misses == 4
    # get() without fft_type finds the C2C plan (the type is resolved from the dtype); a plan
    # freed by the user is replanned, not executed.
    op, host = operand_for((16, 128), "complex64", package, None)
    hits = cache.hits
    cache.get(op, axes=(-1,)).free()
    assert (cache.hits, cache.misses) == (hits + 1, 4)
    check(cache.fft(op, axes=(-1,)), np.fft.fft(host, axis=-1), "complex64")
    assert cache.misses == 5
    assert len(cache) == 4
    cache.clear()
    assert len(cache) == 0


# ---------------------------------------------------------------------------------------------
# Callbacks
# ---------------------------------------------------------------------------------------------


def _multiply(data_out, offset, value, user_info, unused):
    data_out[offset] = value * user_info[offset]


def _scale_load(data_in, offset, user_info, unused):
    return data_in[offset] * user_info[0]


@pytest.mark.parametrize("package", ["cupy", "torch"])
def test_epilog_callback_convolution(package):
    _skip_missing(package)
    epilog = nvfft.compile_epilog(_multiply, "complex64", "complex64")
    op, host = operand_for((64, 256), "complex64", package, None)
    filt_host = random((64, 256), "complex64")
    filt = to_package(filt_host, package)
    y = nvfft.fft(op, axes=(-1,), epilog={"ltoir": epilog, "data": filt})
    check(y, np.fft.fft(host, axis=-1) * filt_host, "complex64")


def test_prolog_callback_real_input():
    _skip_missing("cupy")
    prolog = nvfft.compile_prolog(_scale_load, "float64", "float64")
    op, host = operand_for((16, 100), "float64", "cupy", None)
    scale = cupy.asarray([3.0])
    with nvfft.FFT(op, axes=(-1,)) as f:
        f.plan(prolog=nvfft.DeviceCallable(prolog, data=scale))
        y = f.execute()
    check(y, np.fft.rfft(host * 3.0, axis=-1), "float64")


def test_callback_type_mismatch_is_reported_before_cufft():
    _skip_missing("cupy")
    epilog = nvfft.compile_epilog(_multiply, "complex128", "complex128")
    op, _ = operand_for((4, 64), "complex64", "cupy", None)
    with pytest.raises(TypeError, match="complex128.*complex64"):
        nvfft.fft(op, epilog={"ltoir": epilog, "data": 0})
