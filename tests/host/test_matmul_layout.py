"""CPU checks of the matmul layout planner (nvmath.host.matmul_layout).

The emulation tests execute a plan with a NumPy stand-in for cuBLASLt that reads A, B and C only
through the planned (pointer, rows, cols, ld, order, batch offset, op) from flat buffers, writes D
into a NaN-poisoned flat buffer through D's layout, and compare the user-visible result (built from
``result_shape`` / ``result_strides``) with ``alpha * np.matmul(a, b) + beta * c``. Every refusal
is cross-checked with an independent address-based oracle: an operand is refused exactly when no
(order, ld, batch offset) reproduces its element addresses. Nothing here needs a GPU.
"""

import dataclasses
import re
import time

import numpy as np
import pytest

from nvmath.host.matmul_layout import (
    MatmulLayout,
    MatmulLayoutError,
    MatmulShapeError,
    MatrixLayout,
    aux_layout,
    bias_layout,
    check_bias,
    column_major_form,
    plan_matmul,
)

# ---------------------------------------------------------------------------------------------
# The cuBLASLt emulation
# ---------------------------------------------------------------------------------------------


def _indices(lay: MatrixLayout, base: int):
    i = np.arange(lay.rows)[:, None]
    j = np.arange(lay.cols)[None, :]
    return base + (i * lay.ld + j if lay.order == "row" else i + j * lay.ld)


def _check_cublaslt_rules(lay: MatrixLayout, count: int, what: str):
    assert lay.order in ("row", "col"), what
    assert lay.ld >= 1, what
    assert lay.ld >= (lay.cols if lay.order == "row" else lay.rows), f"{what}: ld {lay.ld} too small"
    assert lay.batch_count == count, what
    assert lay.batch_offset >= 0, what


def _op(x, op):
    return {"N": x, "T": x.T, "C": x.conj().T}[op]


def emulate(plan: MatmulLayout, alpha, beta, flat_a, ptr_a, flat_b, ptr_b, flat_c=None, ptr_c=None):
    """cublasLtMatmul on flat buffers: D = alpha * op(A) @ op(B) + beta * C, D in a NaN-poisoned buffer."""
    count = plan.batch_count
    for name, lay in (("a", plan.a), ("b", plan.b), ("c", plan.c), ("d", plan.d)):
        if lay is not None:
            _check_cublaslt_rules(lay, count, name)
    assert plan.op_a in "NTC" and plan.op_b in "NTC"
    d = plan.d
    span = (count - 1) * d.batch_offset + d.span
    dtype = np.result_type(flat_a, flat_b, flat_c if flat_c is not None else flat_a)
    out = np.full(span, np.nan, dtype=dtype)
    written = []
    for batch in range(count):
        a = _op(flat_a[_indices(plan.a, ptr_a + batch * plan.a.batch_offset)], plan.op_a)
        b = _op(flat_b[_indices(plan.b, ptr_b + batch * plan.b.batch_offset)], plan.op_b)
        assert a.shape == (plan.m, plan.k) and b.shape == (plan.k, plan.n)
        result = alpha * (a @ b)
        if plan.c is not None:
            c = flat_c[_indices(plan.c, ptr_c + batch * plan.c.batch_offset)]
            assert c.shape == (plan.m, plan.n)
            result = result + beta * c
        where = _indices(d, batch * d.batch_offset)
        out[where] = result
        written.append(where.ravel())
    written = np.concatenate(written) if written else np.zeros(0, int)
    assert len(np.unique(written)) == len(written), "D's layout writes some element twice"
    return out


def emulate_form(plan: MatmulLayout, alpha, beta, flat_a, ptr_a, flat_b, ptr_b, flat_c=None, ptr_c=None):
    """cublasLtMatmul given the plan's column-major form (swapped: cuBLASLt's A reads b's buffer)."""
    form = column_major_form(plan)
    view = dataclasses.replace(plan, a=form.a, op_a=form.op_a, b=form.b, op_b=form.op_b, c=form.c, d=form.d)
    for lay in (form.a, form.b, form.c, form.d):
        assert lay is None or lay.order == "col", form
    if form.swap:
        view = dataclasses.replace(view, m=plan.n, n=plan.m)
        return emulate(view, alpha, beta, flat_b, ptr_b, flat_a, ptr_a, flat_c, ptr_c)
    return emulate(view, alpha, beta, flat_a, ptr_a, flat_b, ptr_b, flat_c, ptr_c)


def result_view(out, plan):
    return np.lib.stride_tricks.as_strided(
        out, shape=plan.result_shape, strides=tuple(s * out.itemsize for s in plan.result_strides)
    )


# ---------------------------------------------------------------------------------------------
# The oracle: can an (order, ld, batch offset) reproduce the operand's addresses?
# ---------------------------------------------------------------------------------------------


def matmul_shape(a_shape, b_shape):
    """numpy.matmul's result shape."""
    return np.matmul(np.zeros(a_shape), np.zeros(b_shape)).shape


def _addresses(shape, strides):
    addr = np.zeros(shape, dtype=np.int64)
    for axis, (extent, stride) in enumerate(zip(shape, strides, strict=True)):
        index = np.arange(extent).reshape((1,) * axis + (extent,) + (1,) * (len(shape) - axis - 1))
        addr = addr + index * stride
    return addr


def copy_free(addr_full):
    """Whether addresses of shape (count, rows, cols) are one cuBLASLt strided-batch matrix layout."""
    count, rows, cols = addr_full.shape
    if addr_full.size == 0:
        return True
    rel = addr_full - addr_full[0, 0, 0]
    offsets = rel[:, 0, 0]
    off = int(offsets[1]) if count > 1 else 0
    if off < 0 or not np.array_equal(offsets, np.arange(count) * off):
        return False
    m0 = rel[0]
    candidates = {1, rows, cols}
    if rows > 1:
        candidates.add(int(m0[1, 0]))
    if cols > 1:
        candidates.add(int(m0[0, 1]))
    i = np.arange(rows)[:, None]
    j = np.arange(cols)[None, :]
    for ld in candidates:
        if ld >= max(cols, 1) and np.array_equal(m0, i * ld + j):
            return True
        if ld >= max(rows, 1) and np.array_equal(m0, i + j * ld):
            return True
    return False


def oracle(a, b, c, batch_shape, m, n, k):
    """{'a': ok, 'b': ok, 'c': ok} from the operands' element addresses alone (not from the plan)."""

    def full(x, promoted, mat):
        addr = _addresses(x.shape, tuple(s // x.itemsize for s in x.strides)).reshape(promoted)
        return np.broadcast_to(addr, batch_shape + mat).reshape((int(np.prod(batch_shape)),) + mat)

    pa = (1,) + a.shape if a.ndim == 1 else a.shape
    pb = b.shape + (1,) if b.ndim == 1 else b.shape
    result = {"a": copy_free(full(a, pa, (m, k))), "b": copy_free(full(b, pb, (k, n)))}
    if c is not None:
        out_shape = matmul_shape(a.shape, b.shape)
        addr = _addresses(c.shape, tuple(s // c.itemsize for s in c.strides))
        addr = np.broadcast_to(addr, out_shape).reshape((int(np.prod(batch_shape)), m, n))
        result["c"] = copy_free(addr)
    return result


# ---------------------------------------------------------------------------------------------
# Random operands over flat buffers
# ---------------------------------------------------------------------------------------------


def _random_values(rng, size, complex_):
    values = rng.standard_normal(size)
    if complex_:
        values = values + 1j * rng.standard_normal(size)
    return values


def random_strides(rng, shape, features):
    """Strides (elements) for ``shape``: row/col matrices, padded ld, batch orders, some invalid ones."""
    nd = len(shape)
    strides = [0] * nd
    if nd == 0:
        return strides
    if nd == 1:
        strides[0] = int(rng.choice([1, 1, 1, 2, 3, -1, 0]))
        features.add(f"vector stride {strides[0]}")
        return strides
    rows, cols = shape[-2:]
    order = "row" if rng.random() < 0.5 else "col"
    pad = int(rng.choice([0, 0, 1, 3]))
    batch_extent = int(np.prod(shape[:-2]))
    interleave = nd > 2 and batch_extent > 1 and rng.random() < 0.12
    inner_extent, outer_extent = (cols, rows) if order == "row" else (rows, cols)
    ld = inner_extent * (batch_extent if interleave else 1) + pad
    inner, outer = (-1, -2) if order == "row" else (-2, -1)
    strides[inner], strides[outer] = 1, ld
    features.add(f"matrix {order}")
    if pad:
        features.add("ld > extent")
    if rng.random() < 0.08:  # something cuBLASLt cannot read
        bad = rng.choice(["step", "negative", "zero", "overlap"])
        features.add(f"bad matrix {bad}")
        if bad == "step":
            strides[inner] = 2
            strides[outer] = 2 * ld
        elif bad == "negative":
            strides[outer] = -ld
        elif bad == "zero":
            strides[outer] = 0
        else:
            strides[outer] = max(1, inner_extent - 1)
    for axis in (-2, -1):  # size-1 dimensions take any stride
        if shape[axis] == 1 and rng.random() < 0.5:
            strides[axis] = int(rng.integers(-3, 12))
            features.add("odd stride on size-1 dim")
    span = sum((e - 1) * abs(s) for e, s in zip(shape[-2:], strides[-2:], strict=True)) + 1
    nb = nd - 2
    if nb == 0:
        return strides
    if interleave:  # batch between the matrix's elements: what x.swapaxes(0, -2) gives
        features.add("interleaved batch")
        step = inner_extent
        for axis in reversed(range(nb)):
            strides[axis] = step
            step *= shape[axis]
        return strides
    mode = rng.choice(["c", "c", "c", "gap", "perm", "zero", "neg"])
    features.add(f"batch {mode}")
    axes = list(reversed(range(nb)))  # innermost first
    if mode == "perm":
        rng.shuffle(axes)
    step = span + int(rng.integers(0, 3))
    for axis in axes:
        strides[axis] = step
        step *= max(shape[axis], 1)
        if mode == "gap":
            step += int(rng.integers(1, 3))
    if mode == "zero":
        strides[int(rng.integers(nb))] = 0
    elif mode == "neg":
        axis = int(rng.integers(nb))
        strides[axis] = -strides[axis]
    for axis in range(nb):
        if shape[axis] == 1 and rng.random() < 0.3:
            strides[axis] = int(rng.integers(-5, 50))
    return strides


def strided_operand(rng, shape, strides, complex_):
    """(view, flat buffer, pointer offset of element 0) for an as_strided view over a random flat buffer."""
    lo = sum(min(0, (e - 1) * s) for e, s in zip(shape, strides, strict=True) if e > 0)
    hi = sum(max(0, (e - 1) * s) for e, s in zip(shape, strides, strict=True) if e > 0)
    start = -lo + int(rng.integers(0, 3))
    flat = _random_values(rng, start + hi + 1 + int(rng.integers(0, 3)), complex_)
    view = np.lib.stride_tricks.as_strided(
        flat[start:], shape=tuple(shape), strides=tuple(s * flat.itemsize for s in strides)
    )
    return view, flat, start


def flat_and_pointer(x):
    """The flat buffer under a NumPy view and the element offset of its first element."""
    base = x
    while base.base is not None and isinstance(base.base, np.ndarray):
        base = base.base
    flat = np.lib.stride_tricks.as_strided(base, shape=(base.nbytes // base.itemsize,), strides=(base.itemsize,))
    offset = (x.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // x.itemsize
    return flat, offset


def random_case(rng):
    """Random a, b, c (views over flat buffers) with broadcast batches, 1-D operands, size-1 dims, qualifiers."""
    features = set()
    complex_ = rng.random() < 0.5
    empty = rng.random() < 0.04

    def extent(low=1):
        if empty and rng.random() < 0.3:
            return 0
        return int(rng.choice([1, 2, 3, 4, 5])) if low else int(rng.integers(1, 4))

    m, n, k = extent(), extent(), extent()
    batch = tuple(int(rng.choice([1, 2, 3])) for _ in range(int(rng.choice([0, 0, 1, 1, 2, 3]))))
    if empty and rng.random() < 0.2 and batch:
        batch = (0,) + batch[1:]

    def operand_batch():
        shape = list(batch)
        if shape and rng.random() < 0.3:
            shape = shape[int(rng.integers(0, len(shape) + 1)) :]
            features.add("missing batch dims")
        for i in range(len(shape)):
            if rng.random() < 0.15:
                shape[i] = 1
                features.add("size-1 batch dim")
        return tuple(shape)

    a_vec, b_vec = rng.random() < 0.12, rng.random() < 0.12
    a_shape = (k,) if a_vec else operand_batch() + (m, k)
    b_shape = (k,) if b_vec else operand_batch() + (k, n)
    if a_vec:
        features.add("1-D a")
    if b_vec:
        features.add("1-D b")
    a, fa, pa = strided_operand(rng, a_shape, random_strides(rng, a_shape, features), complex_)
    b, fb, pb = strided_operand(rng, b_shape, random_strides(rng, b_shape, features), complex_)
    result_shape = matmul_shape(a.shape, b.shape)
    c = fc = pc = None
    if rng.random() < 0.5:
        c_shape = list(result_shape)
        nb = len(c_shape) - (0 if a_vec else 1) - (0 if b_vec else 1)
        if nb and rng.random() < 0.4:
            for i in range(nb):
                if rng.random() < 0.5:
                    c_shape[i] = 1
            if rng.random() < 0.5:
                c_shape = c_shape[int(rng.integers(0, nb + 1)) :]
            features.add("c batch broadcast")
        if len(c_shape) and rng.random() < 0.06:
            c_shape[int(rng.integers(len(c_shape)))] = 1
            c_shape = c_shape[int(rng.integers(0, 2)) :]
            features.add("c broadcast inside matrix")
        c_shape = tuple(c_shape)
        c, fc, pc = strided_operand(rng, c_shape, random_strides(rng, c_shape, features), complex_)
        features.add("c")
    qualifiers = None
    if complex_ and rng.random() < 0.6:
        qualifiers = (bool(rng.random() < 0.5), bool(rng.random() < 0.5))
        for name, q in zip("ab", qualifiers, strict=True):
            if q:
                features.add(f"conjugate {name}")
    features.add("complex" if complex_ else "real")
    return dict(a=(a, fa, pa), b=(b, fb, pb), c=(c, fc, pc), qualifiers=qualifiers, features=features)


def _strides(x):
    return tuple(s // x.itemsize for s in x.strides)


def run_case(rng, a, fa, pa, b, fb, pb, c, fc, pc, qualifiers):
    """Plan and check one case; returns 'emulated', 'trivial' or 'refused' (a refusal the oracle agrees with)."""
    complex_ = np.iscomplexobj(fa)
    kwargs = {} if qualifiers is None else {"qualifiers": qualifiers, "dtype": "complex128"}
    try:
        plan = plan_matmul(
            a.shape, _strides(a), b.shape, _strides(b),
            None if c is None else c.shape, None if c is None else _strides(c), **kwargs,
        )  # fmt: skip
    except MatmulLayoutError as exc:
        pa_ = (1,) + a.shape if a.ndim == 1 else a.shape
        pb_ = b.shape + (1,) if b.ndim == 1 else b.shape
        m, k, n = pa_[-2], pa_[-1], pb_[-1]
        batch = np.broadcast_shapes(pa_[:-2], pb_[:-2])
        ok = oracle(a, b, c, batch, m, n, k)
        name = re.match(r"Operand '(\w+)'", str(exc)).group(1)
        assert not ok[name], f"refused {name} although its addresses fit one layout: {exc}"
        assert all(ok[x] for x in "abc"[: "abc".index(name)]), f"refused {name} but an earlier operand is bad: {ok}"
        return "refused"
    expected_shape = matmul_shape(a.shape, b.shape)
    assert plan.result_shape == expected_shape
    if plan.trivial:
        assert 0 in expected_shape or plan.k == 0
        return "trivial"
    ok = oracle(a, b, c, plan.batch_shape, plan.m, plan.n, plan.k)
    assert all(ok.values()), f"planned although the oracle says a copy is needed: {ok}"
    alpha = complex(*rng.standard_normal(2)) if complex_ else float(rng.standard_normal())
    beta = complex(*rng.standard_normal(2)) if complex_ else float(rng.standard_normal())
    out = emulate(plan, alpha, beta, fa, pa, fb, pb, fc, pc)
    got = result_view(out, plan)
    aq = a.conj() if qualifiers and qualifiers[0] else a
    bq = b.conj() if qualifiers and qualifiers[1] else b
    expected = alpha * np.matmul(aq, bq) + (beta * c if c is not None else 0)
    assert got.shape == expected.shape
    assert not np.isnan(got).any(), "some result element was never written"
    error = np.abs(got - expected).max(initial=0.0)
    scale = max(np.abs(expected).max(initial=0.0), 1e-300)
    assert error <= 1e-12 * scale, f"relative error {error / scale:.3g}\n{plan.describe()}"
    if qualifiers and any(qualifiers):  # what matmul gives cuBLASLt for conjugated operands: column-major only
        forms = 0
        orders = [None] if c is not None else [None, "row", "col"]
        for order in orders:
            p = plan if order is None else plan_matmul(a.shape, _strides(a), b.shape, _strides(b), **kwargs,
                                                       result_order=order)  # fmt: skip
            try:
                out = emulate_form(p, alpha, beta, fa, pa, fb, pb, fc, pc)
            except MatmulLayoutError:
                continue
            forms += 1
            got = result_view(out, p)
            assert not np.isnan(got).any(), "some result element was never written (column-major form)"
            error = np.abs(got - expected).max(initial=0.0)
            assert error <= 1e-12 * scale, f"column-major form: relative error {error / scale:.3g}\n{p.describe()}"
        conj_orders = {lay.order for lay, q in ((plan.a, qualifiers[0]), (plan.b, qualifiers[1])) if q}
        if c is None and len(conj_orders) == 1:
            assert forms >= 1, f"no column-major form for a free result order: {plan.describe()}"
    return "emulated"


# ---------------------------------------------------------------------------------------------
# Emulation tests
# ---------------------------------------------------------------------------------------------

CASES_PER_CHUNK = 400
CHUNKS = 8


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_layouts_compute_numpy_matmul(chunk):
    seed = np.random.SeedSequence().entropy
    rng = np.random.default_rng(seed)
    outcomes = {"emulated": 0, "trivial": 0, "refused": 0}
    features = {}
    for i in range(CASES_PER_CHUNK):
        case = random_case(rng)
        try:
            outcome = run_case(rng, *case["a"], *case["b"], *case["c"], case["qualifiers"])
        except AssertionError as exc:
            a, b, c = case["a"][0], case["b"][0], case["c"][0]
            raise AssertionError(
                f"seed {seed}, case {i}: a {a.shape} {_strides(a)}, b {b.shape} {_strides(b)}, "
                f"c {None if c is None else (c.shape, _strides(c))}, qualifiers {case['qualifiers']}: {exc}"
            ) from exc
        outcomes[outcome] += 1
        if outcome == "emulated":
            for f in case["features"]:
                features[f] = features.get(f, 0) + 1
    # The generator must keep exercising what it is meant to exercise.
    assert outcomes["emulated"] >= CASES_PER_CHUNK // 2, outcomes
    assert outcomes["refused"] >= 10, outcomes
    for f in ["matrix row", "matrix col", "ld > extent", "batch c", "missing batch dims", "size-1 batch dim",
              "1-D a", "1-D b", "c", "c batch broadcast", "conjugate a", "conjugate b", "interleaved batch",
              "odd stride on size-1 dim", "complex", "real"]:  # fmt: skip
        assert features.get(f, 0) >= 2, (f, features)


def _base(rng, shape, complex_=False):
    return np.asarray(_random_values(rng, shape, complex_))


VIEW_CASES = {
    # name: (a, b, c) builders from an rng; c may be None
    "c-order batched": lambda r: (_base(r, (2, 3, 4)), _base(r, (2, 4, 5)), None),
    "a.T and b.T": lambda r: (_base(r, (5, 4)).T, _base(r, (6, 5)).T, None),
    "row slices ld > cols": lambda r: (_base(r, (6, 8))[:4, :5], _base(r, (9, 7))[:5, 1:4], None),
    "col slices ld > rows": lambda r: (_base(r, (8, 6)).T[:4, :5], _base(r, (7, 9)).T[1:6, 2:5], None),
    "mixed orders, c col": lambda r: (
        _base(r, (3, 4, 5)),
        _base(r, (3, 6, 5)).swapaxes(1, 2),
        _base(r, (3, 6, 4)).swapaxes(1, 2),
    ),  # noqa: E501
    "swapaxes batch with matrix rows": lambda r: (_base(r, (4, 3, 5)).swapaxes(0, 1), _base(r, (5, 2)), None),
    "swapaxes batch dims (size 1)": lambda r: (_base(r, (1, 3, 4, 5)).swapaxes(0, 1), _base(r, (3, 1, 5, 2)), None),
    "swapaxes batch dims (refused)": lambda r: (_base(r, (3, 2, 4, 5)).swapaxes(0, 1), _base(r, (5, 2)), None),
    "broadcast b": lambda r: (_base(r, (2, 3, 4, 5)), _base(r, (5, 6)), None),
    "broadcast a": lambda r: (_base(r, (4, 5)), _base(r, (2, 3, 5, 6)), None),
    "size-1 batch broadcast": lambda r: (_base(r, (1, 4, 5)), _base(r, (3, 5, 6)), None),
    "partial broadcast (refused)": lambda r: (_base(r, (3, 1, 4, 5)), _base(r, (1, 2, 5, 6)), None),
    "broadcast_to batch": lambda r: (np.broadcast_to(_base(r, (4, 5)), (3, 4, 5)), _base(r, (3, 5, 2)), None),
    "broadcast_to in matrix (refused)": lambda r: (np.broadcast_to(_base(r, (1, 5)), (4, 5)), _base(r, (5, 2)), None),
    "1-D a": lambda r: (_base(r, (5,)), _base(r, (2, 5, 3)), None),
    "1-D b strided": lambda r: (_base(r, (2, 4, 5)), _base(r, (10,))[::2], _base(r, (2, 4))),
    "1-D @ 1-D": lambda r: (_base(r, (6,))[::3], _base(r, (2,)), _base(r, ())),
    "1-D a, c (N,)": lambda r: (_base(r, (5,)), _base(r, (5, 3)), _base(r, (3,))),
    "size-1 dims": lambda r: (_base(r, (1, 1)), _base(r, (1, 7))[:, ::3], None),
    "m = 1 col slice": lambda r: (_base(r, (6, 5))[:1, :], _base(r, (6, 5)).T[:, 1:2], None),
    "negative matrix stride (refused)": lambda r: (_base(r, (4, 5))[::-1], _base(r, (5, 2)), None),
    "negative batch stride (refused)": lambda r: (_base(r, (3, 4, 5))[::-1], _base(r, (5, 2)), None),
    "no unit stride (refused)": lambda r: (_base(r, (4, 10))[:, ::2], _base(r, (5, 2)), None),
    "c full, batch broadcast": lambda r: (_base(r, (3, 4, 5)), _base(r, (5, 6)), _base(r, (4, 6))),
    "c (1, M, N) padded": lambda r: (_base(r, (3, 4, 5)), _base(r, (3, 5, 6)), _base(r, (1, 4, 9))[..., 2:8]),
    "c broadcast_to batch": lambda r: (
        _base(r, (2, 4, 5)),
        _base(r, (5, 6)),
        np.broadcast_to(_base(r, (4, 6)), (2, 4, 6)),
    ),  # noqa: E501
    "c (N,) row (refused)": lambda r: (_base(r, (4, 5)), _base(r, (5, 6)), _base(r, (6,))),
    "c (M, 1) column (refused)": lambda r: (_base(r, (4, 5)), _base(r, (5, 6)), _base(r, (4, 1))),
}


@pytest.mark.parametrize("qualifiers", [None, (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("name", list(VIEW_CASES))
def test_numpy_views_compute_numpy_matmul(name, qualifiers):
    rng = np.random.default_rng()
    a, b, c = VIEW_CASES[name](_ComplexRng(rng) if qualifiers is not None else rng)
    flats = [(None, None) if x is None else flat_and_pointer(x) for x in (a, b, c)]
    outcome = run_case(rng, a, *flats[0], b, *flats[1], c, *flats[2], qualifiers)
    assert outcome == ("refused" if "refused" in name else "emulated"), name


class _ComplexRng:
    """An rng whose standard_normal gives complex values (so the view builders make complex views)."""

    def __init__(self, rng):
        self.rng = rng

    def standard_normal(self, shape):
        return self.rng.standard_normal(shape) + 1j * self.rng.standard_normal(shape)


def test_the_emulation_catches_wrong_plans():
    """Each corrupted field of a correct plan makes the emulated result wrong (the test can fail)."""
    rng = np.random.default_rng()
    a = _base(rng, (3, 4, 5), True)
    b = _base(rng, (3, 6, 5), True).swapaxes(1, 2)
    c = _base(rng, (4, 6), True)
    fa, pa = flat_and_pointer(a)
    fb, pb = flat_and_pointer(b)
    fc, pc = flat_and_pointer(c)
    plan = plan_matmul(a.shape, _strides(a), b.shape, _strides(b), c.shape, _strides(c), qualifiers=(True, False))
    expected = 2 * np.matmul(a.conj(), b) + 3 * c
    np.testing.assert_allclose(result_view(emulate(plan, 2, 3, fa, pa, fb, pb, fc, pc), plan), expected, rtol=1e-12)
    wrong = [
        dataclasses.replace(plan, op_a="T"),
        dataclasses.replace(plan, a=dataclasses.replace(plan.a, ld=plan.a.ld + 1)),
        dataclasses.replace(plan, b=dataclasses.replace(plan.b, batch_offset=plan.b.batch_offset + 1)),
        dataclasses.replace(plan, c=dataclasses.replace(plan.c, batch_offset=24)),
        dataclasses.replace(plan, result_strides=plan.result_strides[:-2] + (1, 4)),
    ]
    for bad in wrong:
        try:
            got = result_view(emulate(bad, 2, 3, fa, pa, fb, pb, fc, pc), bad)
        except (AssertionError, IndexError):
            continue
        assert np.isnan(got).any() or not np.allclose(got, expected, rtol=1e-12), bad.describe()


# ---------------------------------------------------------------------------------------------
# Conventions
# ---------------------------------------------------------------------------------------------


def test_operands_are_described_as_stored_with_op_n():
    plan = plan_matmul((4, 3), (3, 1), (3, 5), (1, 3))
    assert (plan.a.order, plan.a.rows, plan.a.cols, plan.a.ld, plan.op_a) == ("row", 4, 3, 3, "N")
    assert (plan.b.order, plan.b.rows, plan.b.cols, plan.b.ld, plan.op_b) == ("col", 3, 5, 3, "N")


def test_conjugation_is_the_transposed_description_with_op_c():
    plain = plan_matmul((4, 3), (3, 1), (3, 5), (1, 3))
    conj = plan_matmul((4, 3), (3, 1), (3, 5), (1, 3), qualifiers=(True, True), dtype="complex64")
    assert (conj.op_a, conj.op_b) == ("C", "C")
    assert conj.a == MatrixLayout(3, 4, 3, "col", 1, 0) and conj.b == MatrixLayout(5, 3, 3, "row", 1, 0)
    assert conj.d == plain.d and conj.result_strides == plain.result_strides


def test_column_major_form_of_a_conjugated_c_ordered_a():
    """The GPU case cuBLASLt refused in mixed orders: conj(a) @ b, a and b C-ordered."""
    rng = np.random.default_rng()
    a = rng.standard_normal((9, 7)) + 1j * rng.standard_normal((9, 7))
    b = rng.standard_normal((7, 5)) + 1j * rng.standard_normal((7, 5))
    row = plan_matmul(a.shape, _strides(a), b.shape, _strides(b), qualifiers=(True, False), dtype="complex128")
    assert row.d.order == "row"
    with pytest.raises(MatmulLayoutError, match="must be column-major in memory for a row-major result"):
        column_major_form(row)
    col = plan_matmul(a.shape, _strides(a), b.shape, _strides(b), qualifiers=(True, False), dtype="complex128",
                      result_order="col")  # fmt: skip
    form = column_major_form(col)
    assert (form.swap, form.op_a, form.op_b) == (False, "C", "T")
    out = emulate_form(col, 1.0, 0.0, a.ravel(), 0, b.ravel(), 0)
    np.testing.assert_allclose(result_view(out, col), a.conj() @ b, rtol=1e-12)


def test_column_major_form_swaps_for_a_row_major_result():
    rng = np.random.default_rng()
    a = (rng.standard_normal((7, 9)) + 1j * rng.standard_normal((7, 9))).T  # column-major (9, 7)
    b = rng.standard_normal((7, 5)) + 1j * rng.standard_normal((7, 5))
    plan = plan_matmul(a.shape, _strides(a), b.shape, _strides(b), qualifiers=(True, False), dtype="complex128")
    form = column_major_form(plan)
    assert form.swap and (form.op_a, form.op_b) == ("N", "C")
    assert (form.d.rows, form.d.cols, form.d.order) == (5, 9, "col")
    out = emulate_form(plan, 2.0, 0.0, np.ascontiguousarray(a.T).ravel(), 0, b.ravel(), 0)
    np.testing.assert_allclose(result_view(out, plan), 2.0 * a.conj() @ b, rtol=1e-12)


def test_column_major_form_conflicting_conjugates_are_refused_in_both_orders():
    a = np.zeros((4, 3), complex)  # C-ordered: wants a column-major result
    b = np.zeros((5, 3), complex).T  # column-major (3, 5): wants a row-major result
    for order in ("row", "col"):
        plan = plan_matmul(a.shape, _strides(a), b.shape, _strides(b), qualifiers=(True, True), dtype="complex128",
                           result_order=order)  # fmt: skip
        with pytest.raises(MatmulLayoutError, match="Operand '[ab]' is conjugated"):
            column_major_form(plan)


@pytest.mark.parametrize(
    "a, b, c, order",
    [
        (((4, 3), (3, 1)), ((3, 5), (5, 1)), None, "row"),
        (((4, 3), (1, 4)), ((3, 5), (5, 1)), None, "row"),
        (((4, 3), (3, 1)), ((3, 5), (1, 3)), None, "row"),
        (((4, 3), (1, 4)), ((3, 5), (1, 3)), None, "col"),
        (((4, 3), (3, 1)), ((3, 5), (5, 1)), ((4, 5), (1, 4)), "col"),
        (((4, 3), (1, 4)), ((3, 5), (1, 3)), ((4, 5), (5, 1)), "row"),
        (((4, 3), (1, 4)), ((3, 5), (1, 3)), ((4, 5), (1, 6)), "col"),
    ],
)
def test_result_order(a, b, c, order):
    plan = plan_matmul(*a, *b, *(c or (None, None)))
    assert plan.d.order == order
    expected = (5, 1) if order == "row" else (1, 4)
    assert plan.result_strides == expected and plan.d.ld == (5 if order == "row" else 4)


def test_result_order_can_be_forced_and_batch_is_dense_c_order():
    plan = plan_matmul((2, 3, 4, 5), (60, 20, 5, 1), (5, 6), (6, 1), result_order="col")
    assert plan.d == MatrixLayout(4, 6, 4, "col", 6, 24)
    assert plan.result_shape == (2, 3, 4, 6) and plan.result_strides == (72, 24, 1, 4)


def test_vectors_squeeze_the_result_and_take_any_stride():
    plan = plan_matmul((5,), (3,), (2, 5, 4), (20, 4, 1))
    assert plan.result_shape == (2, 4) and plan.result_strides == (4, 1) and plan.m == 1
    assert plan.a == MatrixLayout(1, 5, 3, "col", 2, 0)
    plan = plan_matmul((2, 4, 5), (20, 5, 1), (5,), (2,))
    assert plan.result_shape == (2, 4) and plan.b == MatrixLayout(5, 1, 2, "row", 2, 0)
    plan = plan_matmul((5,), (1,), (5,), (1,))
    assert plan.result_shape == () and plan.result_strides == () and (plan.m, plan.n, plan.k) == (1, 1, 5)


def test_batch_offsets():
    plan = plan_matmul((2, 3, 4, 5), (60, 20, 5, 1), (1, 1, 5, 6), (7, 0, 6, 1), (1, 4, 6), (0, 6, 1))
    assert plan.batch_shape == (2, 3) and plan.batch_count == 6
    assert (plan.a.batch_offset, plan.b.batch_offset, plan.c.batch_offset) == (20, 0, 0)
    # b broadcast over the outer batch dimension only: not one strided batch (numpy allows it; cuBLASLt doesn't)
    with pytest.raises(MatmulLayoutError, match="broadcast along some"):
        plan_matmul((2, 3, 4, 5), (60, 20, 5, 1), (3, 5, 6), (30, 6, 1))
    # padded batch: innermost batch stride larger than the matrix, outer strides its multiples
    plan = plan_matmul((2, 3, 4, 5), (3 * 25, 25, 5, 1), (5, 6), (6, 1))
    assert plan.a.batch_offset == 25


@pytest.mark.parametrize(
    "a, b, c, reason",
    [
        (((0, 3), (3, 1)), ((3, 5), (5, 1)), None, "empty result of shape (0, 5)"),
        (((4, 3), (3, 1)), ((3, 0), (0, 1)), None, "empty result of shape (4, 0)"),
        (((0, 4, 3), (12, 3, 1)), ((3, 5), (5, 1)), None, "empty result of shape (0, 4, 5)"),
        (((4, 0), (1, 1)), ((0, 5), (7, 0)), None, "k == 0: D = 0"),
        (((4, 0), (1, 1)), ((0, 5), (7, 0)), ((4, 5), (5, 1)), "k == 0: D = beta * C"),
        (((0,), (1,)), ((0,), (1,)), None, "k == 0: D = 0"),
    ],
)
def test_empty_dimensions_give_trivial_plans(a, b, c, reason):
    plan = plan_matmul(*a, *b, *(c or (None, None)))
    assert plan.trivial == reason
    assert plan.result_shape == matmul_shape(a[0], b[0])
    assert len(plan.result_strides) == len(plan.result_shape)
    assert "trivial" in plan.describe()


def test_empty_operands_strides_are_not_checked():
    # zero / negative strides on empty operands need no copy: no error
    assert plan_matmul((0, 3), (0, -1), (3, 5), (0, 0)).trivial
    assert plan_matmul((4, 0), (0, 0), (0, 5), (0, 0)).trivial == "k == 0: D = 0"


def test_describe_is_one_line():
    plan = plan_matmul((2, 4, 3), (12, 3, 1), (3, 5), (1, 3), (4, 5), (5, 1))
    line = plan.describe()
    assert "\n" not in line and "m=4 n=5 k=3" in line and "count=2" in line and "C(row 4x5" in line


def test_plans_are_memoised_and_fast():
    args = ((8, 64, 32), (2048, 32, 1), (32, 16), (1, 32))
    assert plan_matmul(*args) is plan_matmul(*args)
    start = time.perf_counter()
    for _ in range(2000):
        plan_matmul(*args)
    per_call = (time.perf_counter() - start) / 2000
    assert per_call < 50e-6, f"{per_call * 1e6:.1f} us per cached plan"


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def test_shapes_that_do_not_multiply():
    with pytest.raises(MatmulShapeError) as info:
        plan_matmul((2, 3), (3, 1), (4, 5), (5, 1))
    assert (
        str(info.value)
        == "a has shape (2, 3), b has shape (4, 5): a's last dimension (3) must equal b's second to last (4)."
    )  # noqa: E501
    assert isinstance(info.value, ValueError)
    with pytest.raises(
        MatmulShapeError, match=r"a has shape \(3,\), b has shape \(4,\): a's length \(3\) must equal b's length \(4\)"
    ):  # noqa: E501
        plan_matmul((3,), (1,), (4,), (1,))


def test_batches_that_do_not_broadcast_name_both_shapes():
    with pytest.raises(MatmulShapeError) as info:
        plan_matmul((2, 4, 3), (12, 3, 1), (5, 3, 6), (18, 6, 1))
    for word in ["(2, 4, 3)", "(5, 3, 6)", "(2,)", "(5,)", "broadcast"]:
        assert word in str(info.value)


@pytest.mark.parametrize("which", ["a", "b"])
def test_zero_dimensional_operands(which):
    args = [(3, 4), (4, 1), (4, 5), (5, 1)]
    if which == "a":
        args[0:2] = [(), ()]
    else:
        args[2:4] = [(), ()]
    with pytest.raises(MatmulShapeError, match=f"Operand '{which}' is 0-dimensional.*alpha \\* x"):
        plan_matmul(*args)


def test_c_that_does_not_broadcast_to_the_result():
    with pytest.raises(MatmulShapeError, match=r"c has shape \(2, 4, 5\).*result's shape \(4, 5\)"):
        plan_matmul((4, 3), (3, 1), (3, 5), (5, 1), (2, 4, 5), (20, 5, 1))
    with pytest.raises(MatmulShapeError, match=r"c has shape \(4, 6\)"):
        plan_matmul((4, 3), (3, 1), (3, 5), (5, 1), (4, 6), (6, 1))


@pytest.mark.parametrize(
    "args, name, words",
    [
        (((4, 6), (12, 2), (6, 3), (3, 1)), "a", ["no unit stride", "(4, 6)", "(12, 2)", "ascontiguousarray"]),
        (((4, 6), (6, 1), (6, 3), (0, 1)), "b", ["zero (broadcast) stride", "(6, 3)", "(0, 1)", "ascontiguousarray"]),
        (((4, 6), (-6, 1), (6, 3), (3, 1)), "a", ["negative stride", "(-6, 1)", "ascontiguousarray"]),
        (((4, 6), (2, 1), (6, 3), (3, 1)), "a", ["overlapping", "ld >= cols", "ascontiguousarray"]),
        (((3, 2, 4, 5), (20, 60, 5, 1), (5, 6), (6, 1)), "a", ["strided batch", "(3, 2, 4, 5)", "(20, 60, 5, 1)",
                                                               "ascontiguousarray", "reshape"]),
        (((3, 1, 4, 5), (20, 20, 5, 1), (2, 5, 6), (30, 6, 1)), "a", ["broadcast", "(3, 2, 4, 5)", "broadcast_to"]),
        (((3, 4, 5), (-20, 5, 1), (5, 6), (6, 1)), "a", ["negative batch stride", "ascontiguousarray"]),
        (((4, 5), (5, 1), (5, 6), (6, 1), (6,), (1,)), "c", ["broadcasts inside", "(6,)", "broadcast_to", "(4, 6)"]),
        (((4, 5), (5, 1), (5, 6), (6, 1), (4, 1), (1, 1)), "c", ["inside", "(4, 1)", "Broadcast it explicitly"]),
        (((4, 5), (5, 1), (5, 6), (6, 1), (4, 6), (0, 1)), "c", ["zero (broadcast) stride", "(4, 6)"]),
        (((5,), (0,), (5, 6), (6, 1)), "a", ["zero (broadcast) stride", "(5,)", "(0,)"]),
    ],
)  # fmt: skip
def test_layout_errors_name_operand_shape_strides_and_fix(args, name, words):
    with pytest.raises(MatmulLayoutError) as info:
        plan_matmul(*args)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert message.startswith(f"Operand {name!r}"), message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(
    "make",
    [
        lambda x: x[:, ::2],  # no unit stride
        lambda x: x[::-1],  # negative stride
        lambda x: np.broadcast_to(x[:1], x.shape),  # zero stride inside the matrix
        lambda x: x.reshape(2, 3, 1, 8).swapaxes(0, 1),  # batch dims not C-ordered
        lambda x: np.lib.stride_tricks.as_strided(x, (4, 4), (x.strides[1], x.strides[1])),  # overlapping
    ],
)
def test_operands_needing_a_copy_are_errors_and_the_copy_works(make):
    rng = np.random.default_rng()
    a = make(_base(rng, (6, 8)))
    b = _base(rng, (a.shape[-1], 3))
    with pytest.raises(MatmulLayoutError, match="ascontiguousarray"):
        plan_matmul(a.shape, _strides(a), b.shape, _strides(b))
    a = np.ascontiguousarray(a)  # the fix the message gives
    plan = plan_matmul(a.shape, _strides(a), b.shape, _strides(b))
    fa, pa = flat_and_pointer(a)
    fb, pb = flat_and_pointer(b)
    np.testing.assert_allclose(result_view(emulate(plan, 1.0, 0.0, fa, pa, fb, pb), plan), a @ b, rtol=1e-12)


def test_bad_arguments():
    args = ((4, 3), (3, 1), (3, 5), (5, 1))
    with pytest.raises(ValueError, match="qualifiers.*pair of bools"):
        plan_matmul(*args, qualifiers=(True,))
    with pytest.raises(ValueError, match="qualifiers.*pair of bools"):
        plan_matmul(*args, qualifiers=3)
    with pytest.raises(ValueError, match="float32: conjugation is for complex operands only"):
        plan_matmul(*args, qualifiers=(True, False), dtype="float32")
    with pytest.raises(ValueError, match="result_order.*'row' or 'col'"):
        plan_matmul(*args, result_order="F")
    with pytest.raises(ValueError, match="both c_shape and c_strides"):
        plan_matmul(*args, (4, 5))
    with pytest.raises(ValueError, match="Operand 'a' has shape .* one stride per dimension"):
        plan_matmul((4, 3), (3,), (3, 5), (5, 1))
    assert plan_matmul(*args, qualifiers=np.array([False, True])).op_b == "C"


# ---------------------------------------------------------------------------------------------
# Epilog vectors and aux outputs
# ---------------------------------------------------------------------------------------------


def test_bias():
    plan = plan_matmul((2, 3, 4, 5), (60, 20, 5, 1), (5, 6), (6, 1))
    assert plan.bias_length == 4
    assert check_bias(plan, (4,), (1,)).batch_offset == 0
    vec = check_bias(plan, (2, 3, 4), (12, 4, 1))
    assert (vec.length, vec.batch_count, vec.batch_offset) == (4, 6, 4)
    assert check_bias(plan, (2, 3, 4), (36, 12, 1)).batch_offset == 12  # padded batch
    assert bias_layout(plan, batched=True).strides == (12, 4, 1)
    assert check_bias(plan_matmul((5,), (1,), (5, 6), (6, 1)), (1,), (7,)).length == 1  # m == 1: any stride


@pytest.mark.parametrize(
    "shape, strides, error, words",
    [
        ((6,), (1,), MatmulShapeError, ["bias has shape (6,)", "(4,)", "(2, 3, 4)"]),
        ((3, 4), (4, 1), MatmulShapeError, ["bias has shape (3, 4)", "(2, 3, 4)"]),
        ((4,), (2,), MatmulLayoutError, ["'bias'", "(4,)", "(2,)", "contiguous"]),
        ((2, 3, 4), (4, 8, 1), MatmulLayoutError, ["'bias'", "(2, 3, 4)", "(4, 8, 1)", "strided batch"]),
    ],
)
def test_bad_bias(shape, strides, error, words):
    plan = plan_matmul((2, 3, 4, 5), (60, 20, 5, 1), (5, 6), (6, 1))
    with pytest.raises(error) as info:
        check_bias(plan, shape, strides)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("m, n, batch", [(1, 1, ()), (5, 3, ()), (128, 2, (2,)), (200, 7, (2, 3)), (129, 1, (1,))])
def test_relu_aux_bitmask(m, n, batch):
    k = 3
    shape = batch + (m, k)
    plan = plan_matmul(shape, tuple(np.array(np.empty(shape).strides) // 8), (k, n), (n, 1))
    aux = aux_layout(plan, "relu_aux")
    assert aux.dtype == "uint8" and aux.ld % 128 == 0 and aux.ld >= m and aux.ld - m < 128
    assert aux.batch_offset % 128 == 0 and aux.batch_count == plan.batch_count
    assert aux.shape == batch + (n, aux.ld // 8)
    assert aux.strides == tuple(np.array(np.empty(aux.shape, np.uint8).strides))
    assert (aux.batch_offset // 8) % 16 == 0  # every batch matrix 128-bit aligned
    # bit (i, j) of batch L at L * batch_offset + i + j * ld is bit i % 8 of byte [L..., j, i // 8]
    nbytes = int(np.prod(aux.shape))
    bits = set()
    for batch_index in np.ndindex(*batch):
        linear = int(np.ravel_multi_index(batch_index, batch)) if batch else 0
        for j in range(n):
            for i in range(m):
                bit = linear * aux.batch_offset + i + j * aux.ld
                index = batch_index + (j, i // 8)
                assert sum(x * s for x, s in zip(index, aux.strides, strict=True)) == bit // 8 < nbytes
                bits.add(bit)
    assert len(bits) == plan.batch_count * m * n


@pytest.mark.parametrize("m, n, batch", [(1, 1, ()), (5, 3, ()), (8, 2, (2,)), (13, 4, (2, 3))])
def test_gelu_aux(m, n, batch):
    k = 2
    shape = batch + (m, k)
    plan = plan_matmul(shape, tuple(np.array(np.empty(shape).strides) // 8), (k, n), (1, k))
    aux = aux_layout(plan, "gelu_aux")
    assert aux.dtype is None and aux.ld % 8 == 0 and m <= aux.ld < m + 8
    assert aux.shape == batch + (n, aux.ld) and aux.batch_offset == n * aux.ld
    buffer = np.arange(int(np.prod(aux.shape)))
    view = np.lib.stride_tricks.as_strided(buffer, aux.view_shape, tuple(s * 8 for s in aux.view_strides))
    assert view.shape == batch + (m, n)
    for batch_index in np.ndindex(*batch):
        linear = int(np.ravel_multi_index(batch_index, batch)) if batch else 0
        i, j = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
        np.testing.assert_array_equal(view[batch_index], linear * aux.batch_offset + i + j * aux.ld)


def test_aux_kind_is_checked():
    with pytest.raises(ValueError, match="'relu_aux' or 'gelu_aux'"):
        aux_layout(plan_matmul((4, 3), (3, 1), (3, 5), (5, 1)), "bias")
