"""Fuzz tests of ``nvmath.device.FFT`` (issue 12): random descriptors from ``valid()`` against NumPy.

Hypothesis draws a descriptor (size, precision, c2c forward/inverse, r2c or c2r, Block or
Thread execution, real-FFT complex layout and real mode) and its knobs from what the class
offers (``elements_per_thread`` from ``FFT.valid()``, None or ``'suggested'``;
``ffts_per_block`` None, ``'suggested'``, the value ``valid()`` lists, or a random int), then:

- ``test_fuzz_descriptors`` (no kernels, runs anywhere): the descriptor either builds or is
  refused with a ``ValueError``; a built one has consistent traits (block shape within the
  limits, ``ffts_per_block == block_dim.y * implicit_type_batching``, the input and output
  lengths of its layout, the threads' elements covering both sides, registers big enough),
  every combination ``valid()`` lists builds with those knobs, and a layout that cannot
  hold the data (``'packed'`` or ``real_mode='folded'`` of an odd size) is refused;
- ``test_fuzz_simulator`` runs ``test_fuzz_simulated`` (this file, in Numba's CUDA simulator,
  ``NUMBA_ENABLE_CUDASIM=1``) in a subprocess: the kernels of ``tests/device/fft_kernels.py``
  (register API, shared-memory API, Thread) on fresh random data with NaN-poisoned outputs,
  checked against ``numpy.fft`` in float64, layouts included;
- ``test_fuzz_gpu`` (marked ``gpu``): the same kernels compiled for the GPU. Every new
  descriptor costs seconds of code generation and linking, so it draws from a bounded pool
  of descriptors (``NVMATH_FUZZ_DEVICE_DESCRIPTORS``, default 40, drawn from a bounded set of
  sizes with seed ``NVMATH_FUZZ_DEVICE_SEED``) whose code is generated up front in parallel;
  the examples vary the kernel, the launch shape and the data.

Profiles (``NVMATH_FUZZ_PROFILE``): ``ci`` (default) 200 descriptors and 40 simulated
launches; ``gpu`` 2,000 of each (and 2,000 GPU launches). Set ``NVMATH_FUZZ_REPORT=path.json``
to write the number of cases per test and outcome (merged into the file if it exists).

Example (the GPU profile on a GPU host)::

    NVMATH_FUZZ_PROFILE=gpu python -m pytest -p no:cacheprovider tests/device/test_fuzz_device_fft.py -m gpu
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from numba import cuda  # noqa: E402  (module level: the simulator swaps it inside kernels)

from nvmath.device import FFT, simulator_enabled  # noqa: E402
from nvmath.device.element_types import numpy_type  # noqa: E402
from tests.device import fft_kernels  # noqa: E402
from tests.fuzz_report import write_fuzz_report  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
_COMMON = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}
# name: (descriptor examples, launch examples)
_EXAMPLES = {"ci": (200, 40), "gpu": (2_000, 2_000)}
PROFILE = os.environ.get("NVMATH_FUZZ_PROFILE", "ci")
if PROFILE not in _EXAMPLES:
    raise ValueError(f"NVMATH_FUZZ_PROFILE = {PROFILE!r}: use 'ci' (200/40 examples) or 'gpu' (2,000).")
for _name, (_descriptors, _launches) in _EXAMPLES.items():
    settings.register_profile(f"device-{_name}-descriptors", max_examples=_descriptors, **_COMMON)
    settings.register_profile(f"device-{_name}-launches", max_examples=_launches, **_COMMON)
FUZZ_DESCRIPTORS = settings.get_profile(f"device-{PROFILE}-descriptors")
FUZZ_LAUNCHES = settings.get_profile(f"device-{PROFILE}-launches")

SIM_SM = 90
PRECISIONS = ("float16", "float32", "float64")
TOL = {"float16": 1e-2, "float32": 1e-5, "float64": 1e-12}  # relative error, 2-norm over all transforms
MAX_THREADS = 1024
# Sizes: every length up to 130 (primes included) and the 7-smooth ones up to 4096.
SMOOTH = sorted(
    {2**a * 3**b * 5**c * 7**d for a in range(13) for b in range(8) for c in range(6) for d in range(5)} - {1}
)
SIZES = sorted(set(range(1, 131)) | {n for n in SMOOTH if n <= 4096})
GPU_SIZES = (2, 3, 4, 5, 7, 8, 12, 16, 27, 32, 49, 64, 100, 128, 243, 256, 512, 1000, 1024, 2048, 4096)
STATS: dict[str, dict[str, int]] = {}


def _count(test: str, outcome: str) -> None:
    STATS.setdefault(test, {}).setdefault(outcome, 0)
    STATS[test][outcome] += 1


# ----------------------------------------------------------------------------------------------
# Descriptors
# ----------------------------------------------------------------------------------------------


def _implied(fft_type: str) -> str:
    return {"r2c": "forward", "c2r": "inverse"}[fft_type]


@dataclass(frozen=True)
class Spec:
    """One drawn descriptor: the arguments of ``FFT(...)`` (shown by Hypothesis when a test fails)."""

    size: int
    precision: str
    fft_type: str
    direction: str | None
    execution: str
    real_fft_options: tuple[str, str] | None  # (complex_layout, real_mode)
    elements_per_thread: int | str | None = None
    ffts_per_block: int | str | None = None

    @property
    def lossy(self) -> bool:
        """Whether the layout cannot hold the data: ``packed`` or ``folded`` of an odd size."""
        if self.size % 2 == 0 or self.real_fft_options is None:
            return False
        layout, mode = self.real_fft_options
        return layout == "packed" or mode == "folded"

    def build(self, sm: int | None = SIM_SM, *, knobs: bool = True) -> FFT:
        """``FFT(...)`` with these arguments (the knobs left to the library with ``knobs=False``)."""
        kwargs: dict = {"sm": sm}
        if self.direction is not None:
            kwargs["direction"] = self.direction
        if self.real_fft_options is not None:
            kwargs["real_fft_options"] = dict(zip(("complex_layout", "real_mode"), self.real_fft_options, strict=True))
        if knobs:
            kwargs.update(elements_per_thread=self.elements_per_thread, ffts_per_block=self.ffts_per_block)
        return FFT(self.size, getattr(np, self.precision), self.fft_type, self.execution, **kwargs)


@functools.cache
def _implemented(sizes: tuple[int, ...], execution: str) -> tuple[int, ...]:
    """The sizes of ``sizes`` cuFFTDx implements for a float32 c2c FFT with ``execution`` (traits only)."""
    from nvmath.device.lto import fft as backend
    from nvmath.device.lto.fft import FFTDescription

    def implemented(n: int) -> bool:
        return backend.is_supported(FFTDescription(n, "f32", "c2c", "forward", execution, SIM_SM))

    return tuple(n for n in sizes if implemented(n)) or sizes


def draw_spec(choose: Callable[[Sequence], object], sizes: Sequence[int], *, for_kernels: bool, sm: int | None) -> Spec:
    """Draw a descriptor with ``choose`` (picks one of a sequence: Hypothesis or ``random.Random``).

    ``for_kernels`` draws only what kernels can run: no layout that cannot hold the data (odd
    size, packed or folded) and ``ffts_per_block`` a multiple of the implicit batching. The knobs
    come from what the base descriptor offers; a base cuFFTDx refuses keeps None knobs.
    """
    execution = choose(("Block", "Block", "Thread"))
    # mostly sizes cuFFTDx implements (refusals teach little), sometimes any size of ``sizes``
    size = int(choose(_implemented(tuple(sizes), execution) if choose(range(8)) else sizes))
    fft_type = choose(("c2c", "c2c", "r2c", "c2r"))
    options = None
    if fft_type != "c2c" and choose((False, True)):
        odd = size % 2 == 1
        layouts = ("natural", "full") if (for_kernels and odd) else ("natural", "packed", "full")
        modes = ("normal",) if (for_kernels and odd) else ("normal", "folded")
        options = (choose(layouts), choose(modes))
    spec = Spec(
        size=size,
        precision=choose(PRECISIONS),
        fft_type=fft_type,
        direction=choose(("forward", "inverse")) if fft_type == "c2c" else choose((None, _implied(fft_type))),
        execution=execution,
        real_fft_options=options,
    )
    try:
        base = spec.build(sm, knobs=False)
    except ValueError:
        return spec  # the test sees the refusal
    if base.execution == "Thread":
        return dataclasses.replace(
            spec, elements_per_thread=choose((None, "suggested", size)), ffts_per_block=choose((None, "suggested", 1))
        )
    combos = dict(base.valid("elements_per_thread", "ffts_per_block"))
    ept = choose([None, "suggested", *sorted(combos)])
    batching = base.implicit_type_batching
    fpb_kind = choose(("none", "suggested", "valid", "random"))
    fpb: int | str | None = {"none": None, "suggested": "suggested"}.get(fpb_kind)
    if fpb_kind == "valid":
        fpb = combos[ept] if isinstance(ept, int) else "suggested"
    elif fpb_kind == "random":  # a multiple of the implicit batching where the data must fit
        fpb = batching * int(choose(range(1, 9))) if for_kernels else int(choose(range(1, 65)))
    return dataclasses.replace(spec, elements_per_thread=ept, ffts_per_block=fpb)


@st.composite
def specs(draw, *, for_kernels: bool, sizes: Sequence[int] = SIZES, sm: int | None = SIM_SM) -> Spec:
    """Hypothesis strategy of :class:`Spec`."""
    return draw_spec(lambda options: draw(st.sampled_from(list(options))), sizes, for_kernels=for_kernels, sm=sm)


def _real_side(fft: FFT, side: str) -> bool:
    """Whether this side of the transform is real data (as ``numpy.fft`` sees it)."""
    return not fft_kernels.logically_complex(fft, side)


def expected_lengths(spec: Spec) -> tuple[int, int]:
    """(input_length, output_length) in input_type/output_type elements, from the layout alone."""
    n = spec.size
    if spec.fft_type == "c2c":
        return n, n
    layout, mode = spec.real_fft_options or ("natural", "normal")
    spectrum = {"natural": n // 2 + 1, "packed": n // 2, "full": n}[layout]
    real = n // 2 if mode == "folded" else n
    return (real, spectrum) if spec.fft_type == "r2c" else (spectrum, real)


def check_traits(spec: Spec, fft: FFT) -> None:
    """The invariants every built descriptor must satisfy (what kernels rely on)."""
    d = fft.description
    assert (d.size, d.fft_type, d.execution) == (spec.size, spec.fft_type, spec.execution), fft
    assert fft.direction == (spec.direction or _implied(spec.fft_type)), fft
    assert (fft.input_length, fft.output_length) == expected_lengths(spec), (fft, fft.input_length, fft.output_length)
    batching = fft.implicit_type_batching
    assert batching == (2 if spec.precision == "float16" else 1), fft
    value_bytes = numpy_type(fft.traits.value_type).itemsize  # the value_type's layout, GPU or simulator
    for side, length, per_thread, kind in (
        ("in", fft.input_length, fft.input_elements_per_thread, fft.traits.input_type),
        ("out", fft.output_length, fft.output_elements_per_thread, fft.traits.output_type),
    ):
        scalars = fft_kernels.scalars_per_element(fft, side)
        assert (scalars == 1) == kind.name.startswith("R_"), (fft, side, kind)
        element_bytes = scalars * batching * np.dtype(spec.precision).itemsize
        assert fft.storage_size * value_bytes >= per_thread * element_bytes, (fft, side, "registers too small")
        threads = 1 if fft.execution == "Thread" else fft.block_dim.x
        covered = {t + i * fft.stride for t in range(threads) for i in range(per_thread)}
        assert covered >= set(range(length)), (fft, side, f"elements {sorted(set(range(length)) - covered)[:8]} unheld")
    if fft.execution == "Thread":
        assert fft.block_dim is None and fft.ffts_per_block is None and fft.elements_per_thread == spec.size, fft
        return
    x, y, z = fft.block_dim
    assert min(x, y, z) >= 1 and x * y * z <= MAX_THREADS, (fft, "block_dim", fft.block_dim)
    assert fft.ffts_per_block == y * batching, (fft, "ffts_per_block != block_dim.y * implicit_type_batching")
    assert fft.shared_memory_size is not None and fft.shared_memory_size >= 0, fft
    if isinstance(spec.elements_per_thread, int):
        assert fft.elements_per_thread == spec.elements_per_thread, fft
    if isinstance(spec.ffts_per_block, int):
        assert fft.ffts_per_block == spec.ffts_per_block, fft


def build_checked(spec: Spec, test: str, sm: int | None = SIM_SM) -> FFT | None:
    """Build ``spec``: None (counted) when cuFFTDx refuses it with a ValueError, else the checked FFT."""
    try:
        fft = spec.build(sm)
    except ValueError as exc:
        message = str(exc)
        assert "Argument" in message or "cuFFTDx" in message, f"unclear refusal of {spec}: {message}"
        if isinstance(spec.ffts_per_block, int) and "'ffts_per_block'" in message:
            _count(test, "refused: ffts_per_block out of the limits")
        else:
            assert not isinstance(spec.elements_per_thread, int) or "elements_per_thread" not in message, (
                f"{spec}: a value listed by valid() was refused: {message}"
            )
            _count(test, "refused by cuFFTDx")
        return None
    check_traits(spec, fft)
    return fft


@FUZZ_DESCRIPTORS
@hypothesis.given(spec=specs(for_kernels=False))
def test_fuzz_descriptors(spec):
    """Random descriptors: refused with a clear ValueError, or built with consistent traits."""
    if spec.lossy:
        try:
            fft = spec.build()
        except ValueError:
            _count("descriptors", "lossy layout refused")
            return
        real_in, spectrum = expected_lengths(spec)[:: 1 if spec.fft_type == "r2c" else -1]
        pytest.fail(
            f"{fft} was built, but real_fft_options={spec.real_fft_options} cannot hold an odd size "
            f"{spec.size}: {real_in} real-side and {spectrum} spectrum elements; it must be refused with a ValueError."
        )
    fft = build_checked(spec, "descriptors")
    if fft is None:
        return
    assert fft == spec.build() and hash(fft) == hash(spec.build()), "equal arguments, unequal descriptors"
    if fft.execution == "Block":
        combos = fft.valid("elements_per_thread", "ffts_per_block")
        assert combos, f"{fft}: valid() lists nothing"
        assert fft.valid("elements_per_thread") == sorted({(e,) for e, _ in combos}), fft
        for ept, fpb in combos:  # everything valid() lists builds with those knobs
            listed = dataclasses.replace(spec, elements_per_thread=ept, ffts_per_block=fpb)
            check_traits(listed, listed.build())
    _count("descriptors", "built, traits consistent")


# ----------------------------------------------------------------------------------------------
# Launches: simulator (CPU) and GPU
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Launch:
    """How one example runs its descriptor: the kernel, the launch shape and the data seed."""

    kernel: str  # 'register' | 'shared' (Block); Thread execution has one kernel
    blocks: int  # Block: grid size; Thread: threads per block
    count: int  # Thread: transforms (rows of implicit_type_batching), the last block partly idle
    seed: int


launches = st.builds(
    Launch,
    kernel=st.sampled_from(["register", "shared"]),
    blocks=st.sampled_from([1, 2, 3, 32]),
    count=st.integers(1, 70),
    seed=st.integers(0, 2**32 - 1),
)


def _spectrum_in_layout(spectrum: np.ndarray, layout: str, n: int) -> np.ndarray:
    """Rows of full spectra of real signals -> rows in the complex layout (natural, packed, full)."""
    if layout == "full":
        return spectrum
    half = spectrum[:, : n // 2 + 1]
    if layout == "natural":
        return half
    packed = half[:, : n // 2].copy()  # even n: X[n/2] is real and rides in X[0]'s imaginary part
    packed[:, 0] = half[:, 0].real + 1j * half[:, n // 2].real
    return packed


def case(fft: FFT, spec: Spec, transforms: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Fresh random input rows and the float64 NumPy result rows, both in the descriptor's layout."""
    n = spec.size
    layout = (spec.real_fft_options or ("natural", "normal"))[0]
    if spec.fft_type == "c2c":
        x = rng.standard_normal((transforms, n)) + 1j * rng.standard_normal((transforms, n))
        y = np.fft.fft(x, axis=-1) if fft.direction == "forward" else np.fft.ifft(x, axis=-1) * n
        return x, y
    signal = rng.standard_normal((transforms, n))
    spectrum = _spectrum_in_layout(np.fft.fft(signal, axis=-1), layout, n)
    return (signal, spectrum) if spec.fft_type == "r2c" else (spectrum, signal * n)  # unnormalized


_KERNELS: dict[tuple, tuple[FFT, object]] = {}


def kernel_for(fft: FFT, kind: str):
    """The kernel of ``tests/device/fft_kernels.py`` for ``fft`` (compiled once per descriptor and kind)."""
    key = (fft.description, kind)
    if key not in _KERNELS:
        if fft.execution == "Thread":
            make = fft_kernels.thread_kernel
        else:
            make = fft_kernels.block_register_kernel if kind == "register" else fft_kernels.block_shared_kernel
        _KERNELS[key] = (fft, make(fft))
    return _KERNELS[key][1]


def run_and_check(fft: FFT, spec: Spec, launch: Launch, test: str, *, on_gpu: bool) -> None:
    """Launch ``fft`` on fresh data (outputs poisoned with NaN) and compare with NumPy in float64."""
    batching = fft.implicit_type_batching
    kind = "thread" if fft.execution == "Thread" else launch.kernel
    if fft.execution == "Thread":
        threads = min(launch.blocks, 64)
        transforms = batching * launch.count
        grid, block, smem = (launch.count + threads - 1) // threads, threads, 0
    else:
        grid, block = launch.blocks, fft.block_dim
        transforms = grid * fft.block_dim.y * batching
        smem = fft.shared_memory_size
        if kind == "shared":
            smem = max(smem, fft_kernels.shared_api_bytes(fft))
        if on_gpu:
            limit = cuda.get_current_device().MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
            if smem > limit:
                _count(test, "skipped: shared memory over the device limit")
                return
        elif grid * fft.block_dim.x * fft.block_dim.y > 2 * MAX_THREADS:  # simulated threads are Python threads
            grid = 1
            transforms = fft.block_dim.y * batching
    rng = np.random.default_rng(launch.seed)
    x, want = case(fft, spec, transforms, rng)
    inp = fft_kernels.to_scalars(x, fft.precision)
    assert inp.shape[1] == fft.input_length * fft_kernels.scalars_per_element(fft, "in"), (fft, inp.shape)
    width = fft.output_length * fft_kernels.scalars_per_element(fft, "out")
    assert width == want.shape[1] * (1 if _real_side(fft, "out") else 2), (fft, width, want.shape)
    out = np.full((transforms, width), np.nan, dtype=fft.precision)  # poisoned: every element must be written
    kernel = kernel_for(fft, kind)
    launch_config = kernel[grid, block, 0, smem]
    if on_gpu:
        d_inp, d_out = cuda.to_device(inp), cuda.to_device(out)
        launch_config(d_inp, d_out)
        cuda.synchronize()
        out = d_out.copy_to_host()
    else:
        launch_config(inp, out)
    got = fft_kernels.from_scalars(out, not _real_side(fft, "out"))
    assert np.isfinite(got).all(), f"{fft} ({kind}): {np.count_nonzero(~np.isfinite(got))} outputs not written"
    error = float(np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-300))
    assert error < TOL[spec.precision], f"{fft} ({kind}, {launch}): relative error {error:.3e}"
    _count(test, f"checked against NumPy ({kind})")


@pytest.mark.skipif(not simulator_enabled(), reason="runs under NUMBA_ENABLE_CUDASIM=1 (test_fuzz_simulator)")
@FUZZ_LAUNCHES
@hypothesis.given(spec=specs(for_kernels=True), launch=launches)
def test_fuzz_simulated(spec, launch):
    """Random descriptors run in the CUDA simulator: cuFFTDx's data layout against NumPy."""
    fft = build_checked(spec, "simulator")
    if fft is not None:
        run_and_check(fft, spec, launch, "simulator", on_gpu=False)


@pytest.mark.skipif(simulator_enabled(), reason="already in the simulator")
def test_fuzz_simulator(tmp_path):
    """Run ``test_fuzz_simulated`` with ``NUMBA_ENABLE_CUDASIM=1`` in a subprocess (Numba reads it at import)."""
    report = tmp_path / "report.json"
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", NVMATH_FUZZ_REPORT=str(report))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "test_fuzz_simulated", __file__]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-3000:]
    for test, outcomes in json.loads(report.read_text())["tests"].items():
        for outcome, number in outcomes.items():
            STATS.setdefault(test, {})[outcome] = STATS.get(test, {}).get(outcome, 0) + number
    assert STATS.get("simulator"), "the simulator run checked nothing"


@functools.cache
def _gpu_pool() -> list[Spec]:
    """The bounded set of descriptors the GPU test draws from; their code is generated up front, in parallel."""
    from nvmath.device.lto import fft as backend

    rng = random.Random(int(os.environ.get("NVMATH_FUZZ_DEVICE_SEED", "12")))
    wanted = int(os.environ.get("NVMATH_FUZZ_DEVICE_DESCRIPTORS", "40"))
    pool: dict = {}
    for _ in range(50 * wanted):
        if len(pool) >= wanted:
            break
        spec = draw_spec(rng.choice, GPU_SIZES, for_kernels=True, sm=None)
        try:
            fft = spec.build(None)
        except ValueError:
            continue
        pool.setdefault(fft.description, spec)
    for spec in pool.values():  # start code generation for both kernels of every descriptor
        description = spec.build(None).description
        for api in ("register", "shared") if spec.execution == "Block" else ("register",):
            backend.prefetch_ltoir(backend.kernel_code_description(description, api)[0], api)
    return list(pool.values())


@pytest.mark.gpu
@pytest.mark.skipif(simulator_enabled(), reason="the simulator has no GPU")
@FUZZ_LAUNCHES
@hypothesis.given(index=st.integers(0, 10**6), launch=launches)
def test_fuzz_gpu(index, launch):
    """Descriptors of the bounded pool compiled for the GPU (cuFFTDx itself) against NumPy."""
    pool = _gpu_pool()
    spec = pool[index % len(pool)]
    fft = build_checked(spec, "gpu", sm=None)
    assert fft is not None, f"{spec} was built for the pool but is now refused"
    run_and_check(fft, spec, launch, "gpu", on_gpu=True)


def teardown_module(module):
    write_fuzz_report(PROFILE, STATS)
