"""CPU check of the layout planner: run the planned transform with a NumPy emulation of cuFFT's
advanced data layout (the address formula of cufftXtMakePlanMany) on the operand's own memory,
and compare with ``np.fft`` on the view. A wrong embed, stride, distance or batch fails here.
"""

import itertools
import math

import numpy as np
import pytest

from nvmath.host.fft_layout import plan_layout

RNG = np.random.default_rng()


def _address(index, embed, stride):
    offset = 0
    for k, i in enumerate(index):
        offset = offset * (embed[k] if k else 1) + i
    return offset * stride


def emulate(lay, flat_in, in_offset):
    """What cuFFT computes: gather with the input description, transform, scatter with the output one."""
    rank = lay.rank
    in_ext = [lay.input_shape[a] for a in lay.transform_axes]
    out_ext = [lay.result_shape[a] for a in lay.transform_axes]
    span = lay.odist * lay.batch + 2 * math.prod(lay.onembed) * lay.ostride + 1
    out = np.full(span, np.nan, dtype=np.complex128)
    for b in range(lay.batch):
        block = np.empty(in_ext, dtype=flat_in.dtype)
        for index in itertools.product(*[range(e) for e in in_ext]):
            block[index] = flat_in[in_offset + b * lay.idist + _address(index, lay.inembed, lay.istride)]
        axes = tuple(range(rank))
        if lay.fft_type == "C2C":
            result = np.fft.fftn(block, axes=axes)
        elif lay.fft_type == "R2C":
            result = np.fft.rfftn(block, axes=axes)
        else:
            result = np.fft.irfftn(block, s=lay.n, axes=axes) * math.prod(lay.n)
        assert list(result.shape) == out_ext
        for index in itertools.product(*[range(e) for e in out_ext]):
            out[b * lay.odist + _address(index, lay.onembed, lay.ostride)] = result[index]
    return out


def view_of(out, lay):
    return np.lib.stride_tricks.as_strided(
        out, shape=lay.result_shape, strides=tuple(s * out.itemsize for s in lay.result_strides)
    )


CASES = [
    # (base shape, view, axes)
    ((64,), lambda x: x, None),
    ((6, 16), lambda x: x, (-1,)),
    ((6, 16), lambda x: x, (0,)),
    ((6, 5, 8), lambda x: x, (0, 2)),
    ((6, 5, 8), lambda x: x, (2, 0)),
    ((4, 5, 6), lambda x: x, None),
    ((3, 4, 5, 6), lambda x: x, (2, 3)),
    ((3, 4, 5, 6), lambda x: x, (0, 1)),
    ((10, 32), lambda x: x[:, ::2], (-1,)),
    ((10, 32), lambda x: x[::3, 1::2], (0, 1)),
    ((12, 10), lambda x: x.T, (0, 1)),
    ((4, 6, 8), lambda x: x.transpose(2, 0, 1), (1, 2)),
    ((4, 24, 16), lambda x: x[..., ::2], (1, 2)),
    ((7, 1, 8), lambda x: x, (1, 2)),
]


@pytest.mark.parametrize("fft_type", ["C2C", "R2C", "C2R"])
@pytest.mark.parametrize("layout", ["optimized", "natural"])
@pytest.mark.parametrize("shape, view, axes", CASES)
def test_planned_layout_computes_the_fft_of_the_view(fft_type, layout, shape, view, axes):
    dtype = np.float64 if fft_type == "R2C" else np.complex128
    base = RNG.standard_normal(shape).astype(dtype)
    if fft_type != "R2C":
        base = base + 1j * RNG.standard_normal(shape)
    x = view(base)
    strides = tuple(s // x.itemsize for s in x.strides)
    try:
        lay = plan_layout(x.shape, strides, axes=axes, fft_type=fft_type, result_layout=layout)
    except ValueError as exc:  # e.g. R2C of a transposed view: refused, not wrong
        assert "halved" in str(exc) or "merged" in str(exc)
        pytest.skip(f"refused: {str(exc)[:60]}")
    axes_ = lay.axes
    offset = (x.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // x.itemsize
    out = emulate(lay, base.reshape(-1), offset)
    got = view_of(out, lay)
    if fft_type == "C2C":
        expected = np.fft.fftn(x, axes=axes_)
    elif fft_type == "R2C":
        expected = np.fft.rfftn(x, axes=axes_)
    else:
        s = [lay.result_shape[a] for a in axes_]
        # cuFFT's C2R of a non-Hermitian input is not NumPy's; compare on what both define:
        # the emulation applies irfftn per transform exactly like NumPy does on the view.
        expected = np.fft.irfftn(x, s=s, axes=axes_) * math.prod(s)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-9)


def test_inplace_layout_writes_over_the_input():
    x = RNG.standard_normal((5, 6, 8)) + 1j * RNG.standard_normal((5, 6, 8))
    lay = plan_layout(x.shape, (48, 8, 1), axes=(0, 2), fft_type="C2C", inplace=True)
    assert (lay.onembed, lay.ostride, lay.odist) == (lay.inembed, lay.istride, lay.idist)
    out = emulate(lay, x.reshape(-1), 0)
    np.testing.assert_allclose(view_of(out, lay), np.fft.fftn(x, axes=(0, 2)), rtol=1e-10, atol=1e-9)
