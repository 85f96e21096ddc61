"""Fuzz tests of host FFT (issue 12): random configurations against NumPy in float64.

Hypothesis draws a transform (c2c forward/inverse, r2c, c2r), a dtype, a shape of 1 to 4
dimensions, up to 3 axes (any order, negative or not), a memory layout (per-axis steps and
reversal, a permuted memory order, zero-stride broadcasting) and in place or out of place,
then compares with ``numpy.fft`` in float64 on fresh random data. Outputs are checked in full;
the operand of an out-of-place transform must be left untouched. A layout that the planner
refuses must be refused with :class:`nvmath.fft.UnsupportedLayoutError` (counted, not a
failure); any other exception is a failure.

Profiles (``NVMATH_FUZZ_PROFILE``): ``ci`` (default) 100 examples per test; ``gpu`` 10,000.
The CPU execution space (``execution='cpu'``, MKL) runs everywhere; the ``execution='cuda'``
variants (NumPy, CuPy and PyTorch operands, on a new stream) are marked ``gpu``. Set
``NVMATH_FUZZ_REPORT=path.json`` to write the number of configurations tried per test.

Example (the GPU profile on a GPU host)::

    NVMATH_FUZZ_PROFILE=gpu python -m pytest -p no:cacheprovider tests/test_fuzz_fft.py -m gpu
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nvmath import fft as nvfft  # noqa: E402
from tests.fuzz_report import write_fuzz_report  # noqa: E402

settings.register_profile(
    "ci", max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "gpu", max_examples=10_000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
PROFILE = os.environ.get("NVMATH_FUZZ_PROFILE", "ci")
if PROFILE not in ("ci", "gpu"):
    raise ValueError(f"NVMATH_FUZZ_PROFILE = {PROFILE!r}: use 'ci' (100 examples) or 'gpu' (10,000).")
FUZZ = settings.get_profile(PROFILE)

RTOL = {"single": 1e-4, "double": 1e-10}
COMPLEX = {"single": np.complex64, "double": np.complex128}
REAL = {"single": np.float32, "double": np.float64}
STATS: dict[str, dict[str, int]] = {}


def _count(test: str, outcome: str) -> None:
    STATS.setdefault(test, {}).setdefault(outcome, 0)
    STATS[test][outcome] += 1


@dataclass
class Config:
    """One drawn configuration (shown by Hypothesis when a test fails)."""

    kind: str  # 'fft' | 'ifft' | 'rfft' | 'irfft'
    precision: str  # 'single' | 'double'
    shape: tuple[int, ...]  # the logical shape of the operand (for irfft: of the real result)
    axes: tuple[int, ...] | None
    steps: tuple[int, ...]  # per-axis step of the view into its buffer
    reverse: tuple[bool, ...]  # per-axis negative stride
    order: tuple[int, ...]  # memory order of the buffer (a permutation of the axes)
    broadcast: tuple[bool, ...]  # per-axis zero stride (read-only operands only)
    inplace: bool
    seed: int


@st.composite
def configs(draw, *, allow_reverse: bool = True) -> Config:
    kind = draw(st.sampled_from(["fft", "ifft", "rfft", "irfft"]))
    precision = draw(st.sampled_from(["single", "double"]))
    ndim = draw(st.integers(1, 4))
    shape = tuple(draw(st.lists(st.integers(1, 17), min_size=ndim, max_size=ndim)))
    if draw(st.booleans()):
        axes = None if ndim <= 3 else tuple(range(1, 4))
    else:
        count = draw(st.integers(1, min(3, ndim)))
        chosen = draw(st.permutations(range(ndim)))[:count]
        axes = tuple(a - ndim if draw(st.booleans()) else a for a in chosen)
    steps = tuple(draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim)))
    reverse = tuple(draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim))) if allow_reverse else (False,) * ndim
    order = tuple(draw(st.permutations(range(ndim))))
    inplace = kind in ("fft", "ifft") and draw(st.booleans())
    if inplace:
        broadcast = (False,) * ndim
    else:
        broadcast = tuple(draw(st.booleans()) and draw(st.booleans()) for _ in range(ndim))
    return Config(
        kind, precision, shape, axes, steps, reverse, order, broadcast, inplace, draw(st.integers(0, 2**32 - 1))
    )


def _fft_axes(cfg: Config) -> tuple[int, ...]:
    ndim = len(cfg.shape)
    axes = tuple(range(ndim)) if cfg.axes is None else cfg.axes
    return tuple(a % ndim for a in axes)


def _values(cfg: Config) -> tuple[np.ndarray, np.ndarray, dict]:
    """The operand's values (float64/complex128), the float64 reference result, and the call's options."""
    rng = np.random.default_rng(cfg.seed)
    axes = _fft_axes(cfg)
    # broadcast axes carry one value along them
    base_shape = tuple(1 if b else n for n, b in zip(cfg.shape, cfg.broadcast, strict=True))

    def real(shape):
        return np.broadcast_to(rng.standard_normal(base_shape if shape is None else shape), cfg.shape).copy()

    options: dict = {"inplace": True} if cfg.inplace else {}
    if cfg.kind in ("fft", "ifft"):
        x = real(None) + 1j * real(None)
        want = (
            np.fft.fftn(x, axes=axes)
            if cfg.kind == "fft"
            else np.fft.ifftn(x, axes=axes) * np.prod([cfg.shape[a] for a in axes])
        )
        return x, want, options
    if cfg.kind == "rfft":
        x = real(None)
        return x, np.fft.rfftn(x, axes=axes), options
    # irfft: the operand is the (Hermitian) spectrum of a real array of cfg.shape
    signal = real(None)
    spectrum = np.fft.rfftn(signal, axes=axes)
    n = cfg.shape[axes[-1]]
    options["last_axis_parity"] = "odd" if n % 2 else "even"
    want = signal * np.prod([cfg.shape[a] for a in axes])  # C2R is not normalised
    return spectrum, want, options


def _layout(values: np.ndarray, cfg: Config, xp, to_xp) -> object:
    """``values`` placed in a strided, possibly reversed, permuted or broadcast view (array module ``xp``)."""
    ndim = values.ndim
    # broadcast (zero stride) only along axes where the values are constant
    broadcast = tuple(
        b and values.shape[i] > 1 and bool(np.all(values == values.take([0], axis=i)))
        for i, b in enumerate(cfg.broadcast)
    )
    compact = values[tuple(slice(0, 1) if b else slice(None) for b in broadcast)]
    big = tuple(n * s for n, s in zip(compact.shape, cfg.steps, strict=True))
    buffer = np.full(tuple(big[i] for i in cfg.order), np.nan, dtype=values.dtype)  # poison what is not the view
    inverse = tuple(int(i) for i in np.argsort(cfg.order))
    view = xp.permute(to_xp(buffer), inverse)[tuple(slice(None, None, s) for s in cfg.steps)]
    if any(cfg.reverse):
        view = view[tuple(slice(None, None, -1) if r else slice(None) for r in cfg.reverse)]
    view[...] = to_xp(np.ascontiguousarray(compact))
    if any(broadcast):
        view = xp.broadcast_to(view, values.shape)
    assert ndim == len(view.shape)
    return view


class _NumpyLike:
    """The two array-module functions the layout helper needs (NumPy, CuPy)."""

    def __init__(self, module):
        self.module = module

    def permute(self, a, axes):
        return a.transpose(axes)

    def broadcast_to(self, a, shape):
        return self.module.broadcast_to(a, shape)


def _check(got: np.ndarray, want: np.ndarray, precision: str) -> None:
    got = np.asarray(got).astype(np.result_type(want.dtype, np.float64))
    assert got.shape == want.shape, (got.shape, want.shape)
    assert np.all(np.isfinite(got)), "non-finite values in the result"
    scale = max(float(np.max(np.abs(want))), 1e-300) if want.size else 1.0
    err = float(np.max(np.abs(got - want))) / scale if want.size else 0.0
    assert err < RTOL[precision], f"relative error {err:.3e} (allowed {RTOL[precision]:.0e})"


def _run(cfg: Config, *, execution, xp=None, to_xp=np.asarray, to_host=np.asarray, stream=None, test: str) -> None:
    xp = _NumpyLike(np) if xp is None else xp
    values, want, options = _values(cfg)
    dtype = COMPLEX[cfg.precision] if cfg.kind != "rfft" else REAL[cfg.precision]
    operand = _layout(values.astype(dtype), cfg, xp, to_xp)
    keep = np.array(to_host(operand), copy=True)
    function = getattr(nvfft, cfg.kind)
    kwargs = {"axes": cfg.axes, "execution": execution, "options": options}
    if stream is not None:
        kwargs["stream"] = stream
    try:
        result = function(operand, **kwargs)
    except nvfft.UnsupportedLayoutError:
        _count(test, "refused as an unsupported layout")
        return
    if stream is not None:
        stream.synchronize()
    if cfg.inplace:
        assert result is operand, "an in-place transform returned a new array"
    else:
        np.testing.assert_array_equal(np.asarray(to_host(operand)), keep, err_msg="the operand was written")
    expected_dtype = REAL[cfg.precision] if cfg.kind == "irfft" else COMPLEX[cfg.precision]
    assert str(result.dtype).endswith(np.dtype(expected_dtype).name), result.dtype
    _check(to_host(result), want, cfg.precision)
    _count(test, "checked against NumPy")


# ----------------------------------------------------------------------------------------------
# CPU execution space (MKL): runs on CI
# ----------------------------------------------------------------------------------------------


def _mkl_available() -> bool:
    try:
        from nvmath.bindings import mkl_dfti

        mkl_dfti.library()
        return True
    except Exception:
        return False


needs_mkl = pytest.mark.skipif(not _mkl_available(), reason="MKL is not installed (the [test] extra brings it)")


@needs_mkl
@FUZZ
@hypothesis.given(cfg=configs())
def test_fuzz_cpu_numpy(cfg):
    _run(cfg, execution="cpu", test="cpu-numpy")


@needs_mkl
@FUZZ
@hypothesis.given(cfg=configs(allow_reverse=False))
def test_fuzz_cpu_torch(cfg):
    torch = pytest.importorskip("torch")
    _run(
        cfg,
        execution="cpu",
        xp=_TorchNamespace(torch, "cpu"),
        to_xp=lambda a: torch.from_numpy(np.ascontiguousarray(a)),
        to_host=lambda t: t.numpy(),
        test="cpu-torch",
    )


@needs_mkl
@FUZZ
@hypothesis.given(cfg=configs())
def test_fuzz_cpu_stateful_reset_operand(cfg):
    """The stateful object: plan once, execute, then reset_operand with fresh data in the same layout."""
    xp = _NumpyLike(np)
    fft_type = {"fft": "C2C", "ifft": "C2C", "rfft": "R2C", "irfft": "C2R"}[cfg.kind]
    direction = "inverse" if cfg.kind in ("ifft", "irfft") else "forward"
    dtype = COMPLEX[cfg.precision] if cfg.kind != "rfft" else REAL[cfg.precision]
    values, want, options = _values(cfg)
    operand = _layout(values.astype(dtype), cfg, xp, np.asarray)
    try:
        f = nvfft.FFT(operand, axes=cfg.axes, execution="cpu", options={**options, "fft_type": fft_type})
    except nvfft.UnsupportedLayoutError:
        _count("cpu-stateful", "refused as an unsupported layout")
        return
    with f:
        f.plan()
        for round_ in range(2):
            if round_:
                cfg = dataclasses.replace(cfg, seed=(cfg.seed + 1) % 2**32)
                values, want, _ = _values(cfg)
                operand = _layout(values.astype(dtype), cfg, xp, np.asarray)
                f.reset_operand(operand)
            result = f.execute(direction=direction)
            if cfg.inplace:
                assert result is operand
            _check(result, want, cfg.precision)
            _count("cpu-stateful", "checked against NumPy")


class _TorchNamespace:
    """The two array-module functions the layout helper needs, for torch."""

    def __init__(self, torch, device):
        self.torch, self.device = torch, device

    def permute(self, t, axes):
        return t.permute(*axes)

    def broadcast_to(self, t, shape):
        return t.expand(*shape)


# ----------------------------------------------------------------------------------------------
# CUDA execution space (cuFFT): the GPU host
# ----------------------------------------------------------------------------------------------


@pytest.mark.gpu
@FUZZ
@hypothesis.given(cfg=configs())
def test_fuzz_cuda_numpy(cfg):
    _run(cfg, execution="cuda", test="cuda-numpy")


@pytest.mark.gpu
@FUZZ
@hypothesis.given(cfg=configs())
def test_fuzz_cuda_cupy_stream(cfg):
    cupy = pytest.importorskip("cupy")
    stream = cupy.cuda.Stream(non_blocking=True)
    with stream:
        _run(
            cfg,
            execution="cuda",
            xp=_NumpyLike(cupy),
            to_xp=cupy.asarray,
            to_host=cupy.asnumpy,
            stream=stream,
            test="cuda-cupy",
        )


@pytest.mark.gpu
@FUZZ
@hypothesis.given(cfg=configs(allow_reverse=False))
def test_fuzz_cuda_torch_stream(cfg):
    torch = pytest.importorskip("torch")
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        _run(
            cfg,
            execution="cuda",
            xp=_TorchNamespace(torch, "cuda"),
            to_xp=lambda a: torch.from_numpy(np.ascontiguousarray(a)).cuda(),
            to_host=lambda t: t.cpu().numpy(),
            stream=stream,
            test="cuda-torch",
        )


def teardown_module(module):
    write_fuzz_report(PROFILE, STATS)
