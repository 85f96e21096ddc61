"""Fuzz tests of host matmul (issue 12): random problems against ``numpy.matmul`` in float64.

Hypothesis draws a problem: a dtype (float16, bfloat16, float32, float64, complex64, complex128),
M, N, K in 1..17, 1-D operands, batch dimensions broadcast by numpy.matmul's rules (missing, size 1,
or expanded with stride 0), an optional ``c`` (batch-broadcast, or rarely broadcast inside its
matrices, which must be refused), conjugation qualifiers for complex operands, and for each operand
a memory layout: a permuted memory order (transposes), per-axis slice starts and steps, negative
steps. Every view lives inside a NaN-poisoned buffer, so reading a wrong element shows.

CPU part (runs on CI): the pure planner :func:`nvmath.host.matmul_layout.plan_matmul` and
:func:`nvmath.host.matmul_layout.column_major_form` describe the problem, the cuBLASLt emulation of
``tests/host/test_matmul_layout.py`` (imported, not copied) executes the description on the flat
buffers in float64, and the result is compared with ``alpha * numpy.matmul(a, b) + beta * c``.
Conjugated problems follow what ``matmul`` does: the column-major form, with the other result
order when that is free (no ``c``). A layout that cannot be described must raise
:class:`nvmath.host.matmul_layout.MatmulLayoutError` (counted as refused; the address oracle of the
same test module must agree that the named operand needs a copy); anything else is a failure.
Without a GPU, the public ``matmul`` is also run on the NumPy operands: it must get through all its
checks to :class:`~nvmath.linalg.advanced.NoGPUError`, or refuse with the planner's message (and
NumPy bfloat16 arrays, which the array layer cannot read, with ``MatmulDtypeError``).

GPU part (marked ``gpu``): the same problems through :func:`nvmath.linalg.advanced.matmul` with
NumPy, CuPy and PyTorch (CUDA and CPU) operands, and a stateful :class:`~nvmath.linalg.advanced.Matmul`
executed, then given fresh data in the same layout with ``reset_operands``. GPU operands must be
refused exactly when the CPU planner refuses them (host operands: as the planner refuses their dense
copies, which keep each matrix's order). bfloat16 is drawn for torch only.
Relative L2 error bounds: 1e-2 (float16, bfloat16), 1e-5 (float32, complex64), 1e-12 (float64,
complex128). The package's memory pool is filled with NaN before each execution.

Profiles (``NVMATH_FUZZ_PROFILE``): ``ci`` (default) 100 examples per test; ``gpu`` 10,000.
Set ``NVMATH_FUZZ_REPORT=path.json`` to write the counts per test (merged into an existing report).

Example (the GPU profile on a GPU host)::

    NVMATH_FUZZ_PROFILE=gpu python -m pytest -p no:cacheprovider tests/test_fuzz_matmul.py -m gpu
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nvmath._gpu import gpu_count  # noqa: E402
from nvmath.host.matmul import _host_strides  # noqa: E402  (the dense layout host operands are copied to)
from nvmath.host.matmul_layout import MatmulLayoutError, column_major_form, plan_matmul  # noqa: E402
from tests.fuzz_report import write_fuzz_report  # noqa: E402
from tests.host.test_matmul_layout import emulate, emulate_form, oracle, result_view  # noqa: E402

try:
    import ml_dtypes
except ImportError:  # optional: bfloat16 NumPy arrays for the CPU part
    ml_dtypes = None

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

TOL = {"float16": 1e-2, "bfloat16": 1e-2, "float32": 1e-5, "complex64": 1e-5, "float64": 1e-12, "complex128": 1e-12}
COMPLEX = ("complex64", "complex128")
CPU_DTYPES = ("float16", *(("bfloat16",) if ml_dtypes is not None else ()), "float32", "float64", *COMPLEX)
STATS: dict[str, dict[str, int]] = {}


def _count(test: str, outcome: str) -> None:
    STATS.setdefault(test, {}).setdefault(outcome, 0)
    STATS[test][outcome] += 1


@contextlib.contextmanager
def _counting(test: str):
    """Count a failing example ('wrong': a failed check; 'failed: <error>': any other exception), then re-raise."""
    try:
        yield
    except AssertionError:
        _count(test, "wrong")
        raise
    except Exception as exc:
        _count(test, f"failed: {type(exc).__name__}")
        raise


# ----------------------------------------------------------------------------------------------
# Problems
# ----------------------------------------------------------------------------------------------


@dataclass
class View:
    """How one operand sits in its (NaN-poisoned) buffer."""

    shape: tuple[int, ...]  # the operand's shape
    expand: tuple[bool, ...]  # per-axis: a stride-0 broadcast of one value (batch axes only)
    order: tuple[int, ...]  # memory order of the buffer (a permutation of the axes): transposes
    start: tuple[int, ...]  # per-axis slice start in the buffer
    step: tuple[int, ...]  # per-axis slice step
    reverse: tuple[bool, ...]  # per-axis negative step


@dataclass
class Problem:
    """One drawn matmul problem (shown by Hypothesis when a test fails)."""

    dtype: str
    m: int
    n: int
    k: int
    batch: tuple[int, ...]
    a: View
    b: View
    c: View | None
    qualifiers: tuple[bool, bool] | None
    seed: int

    @property
    def result_shape(self) -> tuple[int, ...]:
        return np.broadcast_shapes(self.a.shape[:-2], self.b.shape[:-2]) + tuple(
            x for x, vec in ((self.m, len(self.a.shape) == 1), (self.n, len(self.b.shape) == 1)) if not vec
        )


def _rarely(draw, percent: int) -> bool:
    """True in about ``percent`` % of draws (shrinks to False; Hypothesis favours small integers, so not ``== 0``)."""
    return draw(st.integers(0, 99)) >= 100 - percent


@st.composite
def _view(draw, shape, batch_axes: int, *, allow_reverse: bool, expandable: tuple[bool, ...]) -> View:
    """Mostly layouts cuBLASLt reads (C-ordered batch, a row- or column-major matrix, padding), some it cannot."""
    nd = len(shape)
    expand = tuple(batch_axes > i and expandable[i] and _rarely(draw, 20) for i in range(nd))
    if nd >= 2 and not _rarely(draw, 20):  # batch outermost in C order; the matrix row- or column-major
        matrix = [nd - 2, nd - 1] if draw(st.booleans()) else [nd - 1, nd - 2]
        order = tuple(range(nd - 2)) + tuple(matrix)
    else:  # any memory order (batch between matrix rows and columns, batch dims transposed, ...)
        order = tuple(draw(st.permutations(range(nd))))
    start = tuple(draw(st.lists(st.integers(0, 2), min_size=nd, max_size=nd)))
    step = [draw(st.sampled_from([1, 1, 1, 2, 3])) for _ in range(nd)]
    if nd and not _rarely(draw, 10):
        step[order[-1]] = 1  # the innermost memory axis unit-strided (mostly)
    reverse = [False] * nd
    if allow_reverse and nd and _rarely(draw, 8):
        reverse[draw(st.integers(0, nd - 1))] = True
    return View(tuple(shape), expand, order, start, tuple(step), tuple(reverse))


def _operand_batch(draw, batch: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    """numpy.matmul batch broadcasting: drop leading dims, make some 1; the rest may be expanded later."""
    own = batch[draw(st.integers(0, len(batch))) :] if batch and _rarely(draw, 30) else batch
    shape = tuple(1 if _rarely(draw, 15) else x for x in own)
    return shape, tuple(x > 1 for x in shape)


@st.composite
def problems(draw, *, dtypes=CPU_DTYPES, allow_reverse: bool = True, conjugate: bool = False) -> Problem:
    """Random problems of ``dtypes``; ``conjugate``: always draw qualifiers (complex dtypes)."""
    dtype = draw(st.sampled_from(dtypes))
    m, n, k = (draw(st.integers(1, 17)) for _ in range(3))
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=3)))
    a_vec, b_vec = _rarely(draw, 12), _rarely(draw, 12)
    m, n = (1 if a_vec else m), (1 if b_vec else n)  # numpy.matmul's 1-D promotions
    views = {}
    for name, vec, mat in (("a", a_vec, (m, k)), ("b", b_vec, (k, n))):
        if vec:
            views[name] = draw(_view((k,), 0, allow_reverse=allow_reverse, expandable=(False,)))
        else:
            own, expandable = _operand_batch(draw, batch)
            views[name] = draw(
                _view(own + mat, len(own), allow_reverse=allow_reverse, expandable=expandable + (False, False))
            )
    out_batch = np.broadcast_shapes(
        views["a"].shape[:-2] if not a_vec else (), views["b"].shape[:-2] if not b_vec else ()
    )
    result_mat = tuple(x for x, vec in ((m, a_vec), (n, b_vec)) if not vec)
    c = None
    if draw(st.booleans()):
        own, expandable = _operand_batch(draw, tuple(out_batch))
        mat = result_mat
        if mat and _rarely(draw, 6):  # broadcast inside the matrix: must be refused
            if draw(st.booleans()):
                own, expandable, mat = (), (), mat[1:]  # (no batch: it would misalign with the result's)
            else:
                mat = mat[:-1] + (1,)
        shape = own + mat
        c = draw(_view(shape, len(own), allow_reverse=allow_reverse, expandable=expandable + (False,) * len(mat)))
    qualifiers = None
    if dtype in COMPLEX and (conjugate or draw(st.booleans())):
        qualifiers = (draw(st.booleans()), draw(st.booleans()))
    return Problem(
        dtype, m, n, k, tuple(out_batch), views["a"], views["b"], c, qualifiers, draw(st.integers(0, 2**32 - 1))
    )


# ----------------------------------------------------------------------------------------------
# Operands over poisoned buffers (one small adapter per array package)
# ----------------------------------------------------------------------------------------------


class _NumpyLike:
    """Buffer, view and read-back functions for NumPy and CuPy."""

    def __init__(self, module):
        self.module = module

    def dtype(self, name: str):
        if name == "bfloat16":
            return ml_dtypes.bfloat16
        return np.dtype(name)

    def poisoned(self, shape, dtype: str):
        return self.module.full(shape, np.nan, dtype=self.dtype(dtype))

    def permute(self, x, axes):
        return x.transpose(axes)

    def fill(self, view, values: np.ndarray, dtype: str) -> None:
        view[...] = self.module.asarray(values.astype(self.dtype(dtype)))

    def broadcast_to(self, x, shape):
        return self.module.broadcast_to(x, shape)

    def strides(self, x) -> tuple[int, ...]:
        return tuple(s // x.itemsize for s in x.strides)

    def to_numpy(self, x) -> np.ndarray:
        """A float64/complex128 NumPy copy."""
        host = np.asarray(x) if self.module is np else self.module.asnumpy(x)
        return np.asarray(host).astype(np.complex128 if np.iscomplexobj(host) else np.float64)


class _Torch:
    """Buffer, view and read-back functions for PyTorch (``device`` 'cuda' or 'cpu'; no negative steps)."""

    def __init__(self, torch, device: str):
        self.torch, self.device = torch, device

    def poisoned(self, shape, dtype: str):
        return self.torch.full(shape, float("nan"), dtype=getattr(self.torch, dtype), device=self.device)

    def permute(self, x, axes):
        return x.permute(*axes) if axes else x  # (a 0-d c has no axes to permute)

    def fill(self, view, values: np.ndarray, dtype: str) -> None:
        twin = "float32" if dtype == "bfloat16" else dtype
        view.copy_(self.torch.from_numpy(np.ascontiguousarray(values.astype(twin))).to(view.dtype))

    def broadcast_to(self, x, shape):
        return x.expand(*shape)

    def strides(self, x) -> tuple[int, ...]:
        return tuple(x.stride())

    def to_numpy(self, x) -> np.ndarray:
        t = x.detach()
        if t.dtype == self.torch.bfloat16:
            t = t.float()
        host = t.cpu().numpy()
        return host.astype(np.complex128 if np.iscomplexobj(host) else np.float64)


@dataclass
class Operand:
    """A view in its package, the buffer it lives in, its exact values, and its strides in elements."""

    view: object
    buffer: object
    values: np.ndarray  # float64/complex128, the view's exact values
    strides: tuple[int, ...]


def _values(rng, shape, expand, dtype: str) -> np.ndarray:
    """Fresh standard-normal values of ``shape``, constant along expanded axes."""
    base = tuple(1 if e else x for x, e in zip(shape, expand, strict=True))
    x = rng.standard_normal(base)
    if dtype in COMPLEX:
        x = x + 1j * rng.standard_normal(base)
    return np.broadcast_to(x, shape)


def make_operand(view: View, values: np.ndarray, dtype: str, xp) -> Operand:
    """``values`` placed in ``view``'s layout inside a NaN-filled buffer of array adapter ``xp``."""
    compact = tuple(1 if e else x for x, e in zip(view.shape, view.expand, strict=True))
    big = tuple(s + x * t for s, x, t in zip(view.start, compact, view.step, strict=True))
    buffer = xp.poisoned(tuple(big[i] for i in view.order), dtype)
    inverse = tuple(int(i) for i in np.argsort(view.order))
    index = tuple(slice(s, s + x * t, t) for s, x, t in zip(view.start, compact, view.step, strict=True))
    v = xp.permute(buffer, inverse)[index + (Ellipsis,)]  # (Ellipsis: a 0-d view, not a scalar, for 0-d c)
    if any(view.reverse):
        v = v[tuple(slice(None, None, -1) if r else slice(None) for r in view.reverse)]
    xp.fill(v, np.ascontiguousarray(values[tuple(slice(0, x) for x in compact)]), dtype)
    if any(view.expand):
        v = xp.broadcast_to(v, view.shape)
    assert tuple(v.shape) == view.shape
    return Operand(v, buffer, xp.to_numpy(v), xp.strides(v))


def make_operands(p: Problem, xp, seed: int) -> tuple[dict[str, Operand], complex | float, complex | float | None]:
    """(operands, alpha, beta) of problem ``p`` with fresh values from ``seed``."""
    rng = np.random.default_rng(seed)
    ops = {}
    for name in ("a", "b", "c"):
        view = getattr(p, name)
        if view is not None:
            ops[name] = make_operand(view, _values(rng, view.shape, view.expand, p.dtype), p.dtype, xp)
    cplx = p.dtype in COMPLEX
    alpha = complex(*rng.standard_normal(2)) if cplx else float(rng.standard_normal())
    beta = None if p.c is None else (complex(*rng.standard_normal(2)) if cplx else float(rng.standard_normal()))
    return ops, alpha, beta


def reference(p: Problem, ops: dict[str, Operand], alpha, beta) -> np.ndarray:
    """``alpha * op(a) @ op(b) + beta * c`` in float64/complex128 from the operands' exact values."""
    a, b = ops["a"].values, ops["b"].values
    if p.qualifiers is not None:
        a = a.conj() if p.qualifiers[0] else a
        b = b.conj() if p.qualifiers[1] else b
    want = alpha * np.matmul(a, b)
    if "c" in ops:
        want = want + beta * ops["c"].values
    return np.asarray(want)


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    """The relative L2 error; asserts the shapes agree and every value is finite (poison unread)."""
    assert got.shape == want.shape, (got.shape, want.shape)
    assert np.all(np.isfinite(got)), "non-finite values in the result (an element read from or left as poison)"
    norm = float(np.linalg.norm(want.ravel()))
    return float(np.linalg.norm((got - want).ravel())) / (norm if norm else 1.0)


# ----------------------------------------------------------------------------------------------
# What matmul plans (the pure planner, as nvmath.host.matmul uses it for the DEFAULT epilog)
# ----------------------------------------------------------------------------------------------


def plan_like_matmul(p: Problem, shapes: dict, strides: dict):
    """(plan, refusal, stage): the plan that ``matmul`` hands cuBLASLt, or None and the MatmulLayoutError.

    Real and unconjugated plans are the planner's; a conjugated one needs :func:`column_major_form`,
    and without ``c`` the other result order is tried when the first does not allow it. ``stage`` is
    where ``Matmul`` raises the refusal: ``'describe'`` (the constructor, before any GPU work) or
    ``'plan'`` (:meth:`Matmul.plan`: the column-major form of a conjugated problem).
    """
    kwargs = {"qualifiers": p.qualifiers, "dtype": p.dtype} if p.qualifiers is not None else {}
    cs = (shapes.get("c"), strides.get("c"))
    try:
        plan = plan_matmul(shapes["a"], strides["a"], shapes["b"], strides["b"], *cs, **kwargs)
    except MatmulLayoutError as exc:
        return None, exc, "describe"
    if "C" not in (plan.op_a, plan.op_b):
        return plan, None, None
    try:
        column_major_form(plan)
        return plan, None, None
    except MatmulLayoutError as exc:
        if "c" in shapes:
            return None, exc, "plan"
    other = "col" if plan.d.order == "row" else "row"
    plan = plan_matmul(shapes["a"], strides["a"], shapes["b"], strides["b"], **kwargs, result_order=other)
    try:
        column_major_form(plan)
    except MatmulLayoutError as exc:
        return None, exc, "plan"
    return plan, None, None


def predicted_refusal(p: Problem, ops: dict[str, Operand], *, on_host: bool) -> tuple:
    """(the MatmulLayoutError ``matmul`` must raise for these operands, or None; its stage, see plan_like_matmul).

    GPU operands are read in place (their own strides); host operands are first copied to dense GPU
    arrays that keep each matrix's order (``nvmath.host.matmul._host_strides``), so only what no copy
    changes (c broadcast inside its matrices, conjugation orders) can refuse them.
    """
    shapes = {x: tuple(o.view.shape) for x, o in ops.items()}
    strides = {x: _host_strides(shapes[x], o.strides) if on_host else o.strides for x, o in ops.items()}
    return plan_like_matmul(p, shapes, strides)[1:]


# ----------------------------------------------------------------------------------------------
# CPU: the planner and the cuBLASLt emulation (runs on CI)
# ----------------------------------------------------------------------------------------------


def _flat(op: Operand) -> tuple[np.ndarray, int]:
    """The buffer as a flat float64/complex128 array (poison kept) and the element offset of the view."""
    buffer = op.buffer
    flat = buffer.reshape(-1).astype(np.complex128 if np.iscomplexobj(op.values) else np.float64)
    offset, rem = divmod(op.view.__array_interface__["data"][0] - buffer.__array_interface__["data"][0],
                         buffer.itemsize)  # fmt: skip
    assert rem == 0 and 0 <= offset < buffer.size
    return flat, offset


def _check_refusal(ops: dict[str, Operand], p: Problem, plan_exc: MatmulLayoutError) -> str:
    """A planner refusal must name an operand that the address oracle says needs a copy."""
    message = str(plan_exc)
    match = re.match(r"Operand '(\w+)'", message)
    assert match, f"a MatmulLayoutError that names no operand: {message}"
    name = match.group(1)
    if "is conjugated" in message or "column-major description of a conjugated" in message:
        return "refused: conjugated operand in an order cuBLASLt cannot conjugate"
    views = {x: ops[x].view for x in ops}
    ok = oracle(views["a"], views["b"], views.get("c"), p.batch, p.m, p.n, p.k)
    assert not ok[name], f"refused {name!r} although its addresses fit one cuBLASLt layout: {message}"
    return f"refused: {name}"


def check_cpu(p: Problem, test: str) -> None:
    """Plan ``p`` as matmul does, execute the plan on the flat buffers in the cuBLASLt emulation, compare."""
    with _counting(test):
        xp = _NumpyLike(np)
        ops, alpha, beta = make_operands(p, xp, p.seed)
        shapes = {x: tuple(o.view.shape) for x, o in ops.items()}
        strides = {x: o.strides for x, o in ops.items()}
        plan, refusal, _ = plan_like_matmul(p, shapes, strides)
        if refusal is not None:
            _count(test, _check_refusal(ops, p, refusal))
            _count(test, "refused")
            return
        assert plan.trivial is None, plan.describe()
        assert plan.result_shape == p.result_shape, (plan.result_shape, p.result_shape)
        views = {x: ops[x].view for x in ops}
        assert all(oracle(views["a"], views["b"], views.get("c"), p.batch, p.m, p.n, p.k).values()), (
            "planned although the address oracle says an operand needs a copy"
        )
        want = reference(p, ops, alpha, beta)
        args = []
        for name in ("a", "b", "c"):
            args += list(_flat(ops[name])) if name in ops else [None, None]
        fa, pa, fb, pb, fc, pc = args
        base = plan_matmul(shapes["a"], strides["a"], shapes["b"], strides["b"], shapes.get("c"), strides.get("c"),
                           **({"qualifiers": p.qualifiers, "dtype": p.dtype} if p.qualifiers else {}))  # fmt: skip
        for what, lay in (("planner", base), ("matmul's plan", plan)):
            err = relative_error(result_view(emulate(lay, alpha, beta or 0, fa, pa, fb, pb, fc, pc), lay), want)
            assert err < 1e-12, f"{what}: relative error {err:.3g}\n{lay.describe()}"
        if "C" not in (base.op_a, base.op_b):  # no conjugate: the column-major form always exists
            column_major_form(base)
        if "C" not in (plan.op_a, plan.op_b) and plan != base:
            raise AssertionError("matmul's plan differs from the planner's without conjugation")
        form = column_major_form(plan)
        assert all(x is None or x.order == "col" for x in (form.a, form.b, form.c, form.d)), form
        err = relative_error(result_view(emulate_form(plan, alpha, beta or 0, fa, pa, fb, pb, fc, pc), plan), want)
        assert err < 1e-12, f"column-major form (swap={form.swap}): relative error {err:.3g}\n{plan.describe()}"
        _count(test, "column_major_form checked")
    _count(test, "checked")


@FUZZ
@hypothesis.given(p=problems())
def test_fuzz_planner_cpu(p):
    check_cpu(p, "cpu-planner")


@FUZZ
@hypothesis.given(p=problems(dtypes=COMPLEX, conjugate=True))
def test_fuzz_planner_cpu_conjugated(p):
    """Complex problems with qualifiers always drawn (column-major forms and their refusals)."""
    check_cpu(p, "cpu-planner-conjugated")


def _refused(test: str, exc: MatmulLayoutError, expected: MatmulLayoutError | None) -> None:
    assert expected is not None, f"matmul refused a layout the planner describes: {exc}"
    assert str(exc) == str(expected), (str(exc), str(expected))
    _count(test, "refused")


@pytest.mark.skipif(gpu_count() > 0, reason="with a GPU, test_fuzz_gpu_matmul[numpy] runs these problems to the end")
@FUZZ
@hypothesis.given(p=problems())
def test_fuzz_matmul_front_end_without_gpu(p):
    """The public matmul on NumPy operands without a GPU: every check passes and NoGPUError follows, or
    MatmulLayoutError (the same message) exactly when the planner refuses the dense copies (matmul checks
    the column-major form of conjugated problems before any GPU work too); NumPy bfloat16 (ml_dtypes)
    arrays are refused with MatmulDtypeError (the array layer has no DLPack type for them)."""
    from nvmath.linalg.advanced import MatmulDtypeError, NoGPUError, matmul

    test = "cpu-front-end"
    with _counting(test):
        ops, alpha, beta = make_operands(p, _NumpyLike(np), p.seed)
        expected, _ = predicted_refusal(p, ops, on_host=True)
        kwargs = {"alpha": alpha, "qualifiers": p.qualifiers, **({"beta": beta} if "c" in ops else {})}
        try:
            matmul(ops["a"].view, ops["b"].view, ops["c"].view if "c" in ops else None, **kwargs)
        except NoGPUError:
            assert p.dtype != "bfloat16", "a NumPy bfloat16 operand got past the checks"
            assert expected is None, f"matmul accepted a layout the planner refuses: {expected}"
            _count(test, "accepted (NoGPUError)")
        except MatmulDtypeError as exc:
            assert p.dtype == "bfloat16" and "ml_dtypes" in str(exc), exc
            _count(test, "refused: NumPy bfloat16")
        except MatmulLayoutError as exc:
            _refused(test, exc, expected)
        else:
            raise AssertionError("matmul returned without a GPU")


# ----------------------------------------------------------------------------------------------
# GPU: nvmath.linalg.advanced.matmul and Matmul against numpy.matmul
# ----------------------------------------------------------------------------------------------

GPU_DTYPES = ("float16", "float32", "float64", *COMPLEX)
PACKAGES = ("numpy", "cupy", "torch", "torch-cpu")


def _adapter(package: str):
    if package == "numpy":
        return _NumpyLike(np)
    if package == "cupy":
        return _NumpyLike(pytest.importorskip("cupy"))
    torch = pytest.importorskip("torch")
    if package == "torch" and not torch.cuda.is_available():
        pytest.skip("torch has no CUDA")
    return _Torch(torch, "cuda" if package == "torch" else "cpu")


def _problems_for(package: str):
    """bfloat16 only for torch (NumPy ml_dtypes arrays are refused by the array layer; CuPy has none)."""
    torch_ = package.startswith("torch")
    return problems(dtypes=GPU_DTYPES + (("bfloat16",) if torch_ else ()), allow_reverse=not torch_)


def poison(package: str) -> None:
    """Fill free pool memory with NaN (both of torch's block pools), so an unwritten result element shows."""
    if package == "cupy":
        import cupy

        junk = [cupy.full((1 << 20) // 4, np.nan, np.float32), cupy.full((8 << 20) // 4, np.nan, np.float32)]
        del junk
    elif package == "torch":
        import torch

        junk = [torch.full(((1 << 20) // 4 - 64,), float("nan"), device="cuda") for _ in range(2)]
        junk.append(torch.full(((8 << 20) // 4,), float("nan"), device="cuda"))
        del junk


def _gpu_problem(p: Problem, package: str, xp, seed: int):
    """Operands, alpha, beta, and the refusal and its stage that matmul must give (see plan_like_matmul)."""
    ops, alpha, beta = make_operands(p, xp, seed)
    return (ops, alpha, beta, *predicted_refusal(p, ops, on_host=package in ("numpy", "torch-cpu")))


def _check_result(result, p: Problem, ops, alpha, beta, xp, package: str, test: str) -> None:
    with _counting(test):
        assert type(result).__module__.split(".")[0] == type(ops["a"].view).__module__.split(".")[0], type(result)
        assert str(result.dtype).endswith(p.dtype), (result.dtype, p.dtype)
        if package == "torch":
            assert result.is_cuda
        elif package == "torch-cpu":
            assert not result.is_cuda
        err = relative_error(xp.to_numpy(result), reference(p, ops, alpha, beta))
        assert err < TOL[p.dtype], f"relative error {err:.3g} >= {TOL[p.dtype]} ({p.dtype})"
        for name, op in ops.items():
            np.testing.assert_array_equal(xp.to_numpy(op.view), op.values, err_msg=f"operand {name!r} was written")
    _count(test, "checked")


@pytest.mark.gpu
@pytest.mark.parametrize("package", PACKAGES)
@FUZZ
@hypothesis.given(data=st.data())
def test_fuzz_gpu_matmul(package, data):
    from nvmath.linalg.advanced import matmul

    xp = _adapter(package)
    p = data.draw(_problems_for(package))
    test = f"gpu-matmul-{package}"
    with _counting(test):
        ops, alpha, beta, expected, _ = _gpu_problem(p, package, xp, p.seed)
        kwargs = {"alpha": alpha, "qualifiers": p.qualifiers, **({"beta": beta} if "c" in ops else {})}
        poison(package)
        try:
            result = matmul(ops["a"].view, ops["b"].view, ops["c"].view if "c" in ops else None, **kwargs)
        except MatmulLayoutError as exc:
            _refused(test, exc, expected)
            return
        assert expected is None, f"matmul accepted a layout the planner refuses: {expected}"
    _check_result(result, p, ops, alpha, beta, xp, package, test)


@pytest.mark.gpu
@pytest.mark.parametrize("package", PACKAGES)
@FUZZ
@hypothesis.given(data=st.data())
def test_fuzz_gpu_stateful_reset_operands(package, data):
    """Plan once, execute, then reset_operands with fresh data in the same layout and execute again."""
    from nvmath.linalg.advanced import Matmul

    xp = _adapter(package)
    p = data.draw(_problems_for(package))
    test = f"gpu-stateful-{package}"
    with _counting(test):
        ops, alpha, beta, expected, stage = _gpu_problem(p, package, xp, p.seed)
        kwargs = {"alpha": alpha, "qualifiers": p.qualifiers, **({"beta": beta} if "c" in ops else {})}
        try:
            mm = Matmul(ops["a"].view, ops["b"].view, ops["c"].view if "c" in ops else None, **kwargs)
        except MatmulLayoutError as exc:
            assert stage == "describe", f"Matmul() raised what Matmul.plan should: {exc}"
            _refused(test, exc, expected)
            return
        assert stage != "describe", f"Matmul() accepted a layout the planner refuses: {expected}"
        with mm:
            try:
                mm.plan()
            except MatmulLayoutError as exc:
                _refused(test, exc, expected)
                return
            assert expected is None, f"Matmul.plan accepted a layout the planner refuses: {expected}"
            poison(package)
            _check_result(mm.execute(), p, ops, alpha, beta, xp, package, test)
            ops, alpha, beta = make_operands(p, xp, (p.seed + 1) % 2**32)
            mm.reset_operands(**{name: op.view for name, op in ops.items()}, alpha=alpha,
                              **({"beta": beta} if "c" in ops else {}))  # fmt: skip
            poison(package)
            _check_result(mm.execute(), p, ops, alpha, beta, xp, package, test)


def teardown_module(module):
    write_fuzz_report(PROFILE, STATS)
