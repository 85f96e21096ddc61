"""FFT planning that needs no GPU: dtypes, axes, and cuFFT's advanced data layout.

cuFFT's advanced layout addresses element ``(i_0, .., i_{r-1})`` of batch ``b`` at
``b * idist + istride * (i_{r-1} + inembed[r-1] * (i_{r-2} + inembed[r-2] * ...))``. This module
finds, for an operand of any shape and strides, transformed ``axes`` in any order and any
batch axes, the ``n / inembed / istride / idist / onembed / ostride / odist / batch`` that
describe it exactly, so no copy is needed (for example axes ``(0, 2)`` of a C-contiguous
3-D array). When no such description exists, :class:`UnsupportedLayoutError` says why and
which permutation or copy makes it work.

Everything here is pure Python and is tested without a GPU.

Example:
    >>> from nvmath.host.fft_layout import plan_layout
    >>> lay = plan_layout((4, 5, 6), (30, 6, 1), axes=(0, 2), fft_type="C2C")
    >>> lay.n, lay.inembed, lay.istride, lay.idist, lay.batch
    ((4, 6), (4, 30), 1, 6, 5)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from nvmath.host.operands import dense_strides_in_order

__all__ = [
    "FFTLayout",
    "UnsupportedLayoutError",
    "check_dtype",
    "normalize_axes",
    "plan_layout",
    "result_dtype",
]

COMPLEX_OF = {"float16": "complex32", "float32": "complex64", "float64": "complex128"}
REAL_OF = {v: k for k, v in COMPLEX_OF.items()}

_FUNCTION_OF = {("C2C", None): "fft", ("R2C", None): "rfft", ("C2R", None): "irfft"}


class UnsupportedLayoutError(ValueError):
    """The operand's memory layout cannot be described to cuFFT without a copy.

    The message says which axes are the problem and which permutation or copy would work.

    Example:
        >>> try:
        ...     plan_layout((3, 4, 5, 6), (120, 30, 6, 1), axes=(1, 3), fft_type="C2C")
        ... except UnsupportedLayoutError as e:
        ...     print(str(e)[:44])
        The operand batch axes (0, 2) (strides (120,
    """


@dataclass(frozen=True)
class FFTLayout:
    """A cuFFT advanced-layout description of one batched transform.

    Attributes:
        fft_type: ``'C2C'``, ``'R2C'`` or ``'C2R'``.
        axes: the transformed axes as given (normalised to non-negative ints).
        transform_axes: the axes cuFFT transforms, outermost first (size-1 axes dropped,
            except the last axis of R2C/C2R).
        n: logical transform lengths, in ``transform_axes`` order.
        inembed, istride, idist: the input description (elements).
        onembed, ostride, odist: the output description (elements).
        batch: the number of transforms.
        batch_axes: the axes merged into the batch, outermost first.
        input_shape, input_strides: the layout the input must have.
        result_shape, result_strides: the layout of the result (dense unless in-place).

    Example:
        >>> plan_layout((8,), (1,), axes=None, fft_type="R2C").result_shape
        (5,)
    """

    fft_type: str
    axes: tuple[int, ...]
    transform_axes: tuple[int, ...]
    n: tuple[int, ...]
    inembed: tuple[int, ...]
    istride: int
    idist: int
    onembed: tuple[int, ...]
    ostride: int
    odist: int
    batch: int
    batch_axes: tuple[int, ...]
    input_shape: tuple[int, ...]
    input_strides: tuple[int, ...]
    result_shape: tuple[int, ...]
    result_strides: tuple[int, ...]

    @property
    def rank(self) -> int:
        """The transform rank (1, 2 or 3)."""
        return len(self.n)

    def describe(self) -> str:
        """One line for DEBUG logs."""
        return (
            f"{self.fft_type} n={list(self.n)} batch={self.batch} "
            f"in(embed={list(self.inembed)}, stride={self.istride}, dist={self.idist}) "
            f"out(embed={list(self.onembed)}, stride={self.ostride}, dist={self.odist}) "
            f"transform axes={self.transform_axes} batch axes={self.batch_axes}"
        )


def normalize_axes(axes, ndim: int) -> tuple[int, ...]:
    """Validate ``axes`` and return them as non-negative ints in the given order.

    None means all axes (allowed for up to 3 dimensions).

    Example:
        >>> normalize_axes((-1, 0), 3)
        (2, 0)
        >>> normalize_axes((0, 0), 2)
        Traceback (most recent call last):
        ...
        ValueError: Argument 'axes' = (0, 0) has repeated axes: each axis may appear once.
    """
    if ndim == 0:
        raise ValueError("The operand is 0-dimensional: an FFT needs at least one axis.")
    if axes is None:
        if ndim > 3:
            raise ValueError(
                f"Argument 'axes' = None means all {ndim} axes, but cuFFT transforms at most 3: "
                "pass the axes to transform, e.g. axes=(-1,) or axes=(-2, -1)."
            )
        return tuple(range(ndim))
    if isinstance(axes, int) and not isinstance(axes, bool):
        axes = (axes,)
    try:
        values = tuple(axes)
    except TypeError:
        raise TypeError(f"Argument 'axes' = {axes!r} must be a sequence of ints.") from None
    if not values:
        raise ValueError(f"Argument 'axes' = {axes!r} is empty: pass 1 to 3 axes.")
    if len(values) > 3:
        raise ValueError(f"Argument 'axes' = {axes!r} has {len(values)} axes: cuFFT transforms 1 to 3 axes.")
    result = []
    for a in values:
        if isinstance(a, bool) or not isinstance(a, int):
            raise TypeError(f"Argument 'axes' = {axes!r} must contain ints, not {type(a).__name__}.")
        if not -ndim <= a < ndim:
            raise ValueError(
                f"Argument 'axes' = {axes!r} has axis {a}, out of range for a {ndim}-D operand "
                f"(allowed: {-ndim}..{ndim - 1})."
            )
        result.append(a % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"Argument 'axes' = {axes!r} has repeated axes: each axis may appear once.")
    return tuple(result)


def check_dtype(fft_type: str, dtype: str, package: str, function: str | None = None) -> None:
    """Raise a clear error unless ``dtype`` is a valid input of an ``fft_type`` transform.

    No dtype is ever promoted: a float32 operand to a C2C transform is an error.

    Example:
        >>> try:
        ...     check_dtype("C2C", "float32", "numpy", "fft")
        ... except TypeError as e:
        ...     print(e)  # doctest: +NORMALIZE_WHITESPACE
        fft needs a complex operand, and the operand is float32: pass a complex64 array
        (e.g. x.astype('complex64')) or use rfft for a real-to-complex FFT.
    """
    name = function or {"C2C": "a C2C FFT", "R2C": "an R2C FFT", "C2R": "a C2R FFT"}[fft_type]
    if fft_type in ("C2C", "C2R"):
        if dtype in REAL_OF:
            return _check_half(dtype, package, name)
        if dtype in COMPLEX_OF:
            suggestion = COMPLEX_OF[dtype]
            other = "rfft for a real-to-complex FFT" if fft_type == "C2C" else "rfft for real input"
            raise TypeError(
                f"{name} needs a complex operand, and the operand is {dtype}: pass a {suggestion} array "
                f"(e.g. x.astype('{suggestion}')) or use {other}."
            )
        raise TypeError(
            f"{name} does not support operands of dtype {dtype}: allowed dtypes are complex64, complex128 "
            "and (PyTorch only) complex32."
        )
    if dtype in COMPLEX_OF:
        return _check_half(dtype, package, name)
    if dtype in REAL_OF:
        raise TypeError(
            f"{name} needs a real operand, and the operand is {dtype}: pass a {REAL_OF[dtype]} array or use fft "
            "for a complex-to-complex FFT."
        )
    raise TypeError(
        f"{name} does not support operands of dtype {dtype}: allowed dtypes are float32, float64 and float16."
    )


def _check_half(dtype: str, package: str, name: str) -> None:
    if dtype in ("float16", "complex32") and package != "torch":
        raise TypeError(
            f"{name} in half precision produces or consumes complex32, which only PyTorch has: pass torch "
            f"tensors (torch.float16 / torch.complex32), or use float32 / complex64 with {package}."
        )


def result_dtype(fft_type: str, dtype: str) -> str:
    """The result dtype of an ``fft_type`` transform of a ``dtype`` operand.

    Example:
        >>> result_dtype("R2C", "float32"), result_dtype("C2R", "complex128")
        ('complex64', 'float64')
    """
    if fft_type == "R2C":
        return COMPLEX_OF[dtype]
    if fft_type == "C2R":
        return REAL_OF[dtype]
    return dtype


def _memory_order(shape, strides, axes) -> list[int]:
    return sorted(axes, key=lambda a: -strides[a])


def _permutation_hint(ndim: int, axes: Sequence[int]) -> str:
    rest = [a for a in range(ndim) if a not in axes]
    perm = tuple(rest + list(axes))
    new_axes = tuple(range(ndim - len(axes), ndim))
    if perm == tuple(range(ndim)):
        return "pass a C-ordered copy, e.g. xp.ascontiguousarray(operand) (torch: operand.contiguous())"
    return (
        f"make the transformed axes the innermost ones of a dense array, e.g. "
        f"b = xp.ascontiguousarray(operand.transpose({perm})) (torch: operand.permute({perm}).contiguous()) "
        f"and transform axes={new_axes} of b"
    )


def _require_positive_strides(strides, axes, what: str, role: str) -> None:
    for a in axes:
        if strides[a] <= 0:
            kind = "negative" if strides[a] < 0 else "zero (broadcast)"
            raise UnsupportedLayoutError(
                f"The {what} has a {kind} stride {strides[a]} along {role} {a}: cuFFT needs positive strides. "
                f"Pass a copy (e.g. operand.copy(), torch: operand.contiguous())."
            )


def _embed(shape_along, strides, order, what: str, ndim: int, axes) -> tuple[tuple[int, ...], int]:
    """Embedding and innermost stride of the transformed axes ``order`` (outermost first)."""
    _require_positive_strides(strides, order, what, "transformed axis")
    stride = strides[order[-1]]
    embed = [shape_along[order[0]]]
    for outer, inner in zip(order[:-1], order[1:], strict=True):
        ratio, rem = divmod(strides[outer], strides[inner])
        if rem or ratio < shape_along[inner]:
            raise UnsupportedLayoutError(
                f"The {what} layout along transformed axes {tuple(order)} (strides "
                f"{tuple(strides[a] for a in order)}, extents {tuple(shape_along[a] for a in order)}) cannot be "
                f"described by cuFFT's advanced layout: the stride of axis {outer} must be a multiple of the "
                f"stride of axis {inner} times its extent at least (for R2C/C2R the last of 'axes', the halved "
                f"one, must have the smallest stride). To fix it, " + _permutation_hint(ndim, axes) + "."
            )
        embed.append(ratio)
    return tuple(embed), stride


def _batch(shape, strides, batch_axes, what: str, ndim: int, axes) -> tuple[int, int]:
    """(count, dist) of the batch axes ``batch_axes`` (outermost first) merged into one."""
    if not batch_axes:
        return 1, 0
    _require_positive_strides(strides, batch_axes, what, "batch axis")
    for outer, inner in zip(batch_axes[:-1], batch_axes[1:], strict=True):
        if strides[outer] != strides[inner] * shape[inner]:
            raise UnsupportedLayoutError(
                f"The {what} batch axes {tuple(batch_axes)} (strides {tuple(strides[a] for a in batch_axes)}, extents "
                f"{tuple(shape[a] for a in batch_axes)}) cannot be merged into the single batch stride of cuFFT's "
                f"advanced layout: axis {outer} does not follow axis {inner} in memory. To fix it, "
                + _permutation_hint(ndim, axes)
                + "."
            )
    return math.prod(shape[a] for a in batch_axes), strides[batch_axes[-1]]


def plan_layout(shape, strides, *, axes, fft_type, last_axis_parity="even", result_layout="optimized",
                inplace=False) -> FFTLayout:  # fmt: skip
    """Describe an FFT of ``axes`` of an operand with ``shape`` / ``strides`` (elements) to cuFFT.

    Results are memoised (plans for the same layout are made again and again by the stateless
    functions). See :func:`_plan_layout` for the arguments.

    Raises:
        ValueError: bad axes, empty operands, in-place R2C/C2R, C2R with an impossible length.
        UnsupportedLayoutError: the layout cannot be described without a copy.

    Example:
        >>> lay = plan_layout((6, 8), (1, 6), axes=(0, 1), fft_type="C2C")  # Fortran order
        >>> lay.transform_axes, lay.n, lay.result_strides
        ((1, 0), (8, 6), (1, 6))
    """
    if axes is not None and not isinstance(axes, int):
        try:
            axes = tuple(axes)
        except TypeError:
            pass
    try:
        return _plan_layout_cached(tuple(shape), tuple(strides), axes, fft_type, last_axis_parity, result_layout,
                                   inplace)  # fmt: skip
    except TypeError as exc:  # unhashable axes: let the validation explain
        if "unhashable" not in str(exc):
            raise
        return _plan_layout(shape, strides, axes=axes, fft_type=fft_type, last_axis_parity=last_axis_parity,
                            result_layout=result_layout, inplace=inplace)  # fmt: skip


@functools.lru_cache(maxsize=512)
def _plan_layout_cached(shape, strides, axes, fft_type, last_axis_parity, result_layout, inplace) -> FFTLayout:
    return _plan_layout(shape, strides, axes=axes, fft_type=fft_type, last_axis_parity=last_axis_parity,
                        result_layout=result_layout, inplace=inplace)  # fmt: skip


def _plan_layout(
    shape: Sequence[int],
    strides: Sequence[int],
    *,
    axes,
    fft_type: str,
    last_axis_parity: str = "even",
    result_layout: str = "optimized",
    inplace: bool = False,
) -> FFTLayout:
    """The uncached planner behind :func:`plan_layout`."""
    shape = tuple(int(s) for s in shape)
    strides = tuple(int(s) for s in strides)
    ndim = len(shape)
    axes = normalize_axes(axes, ndim)
    if any(s == 0 for s in shape):
        raise ValueError(f"The operand of shape {shape} is empty: FFTs of empty operands are not supported.")
    if inplace and fft_type != "C2C":
        raise ValueError(
            f"Option 'inplace' = True is supported for C2C transforms only, not {fft_type}: "
            "in-place R2C/C2R need padded layouts that nvmath does not create."
        )
    last = axes[-1]
    out_shape = list(shape)
    lengths = list(shape)  # logical transform length per axis
    if fft_type == "R2C":
        out_shape[last] = shape[last] // 2 + 1
    elif fft_type == "C2R":
        m = shape[last]
        n_last = 2 * (m - 1) if last_axis_parity == "even" else 2 * m - 1
        if n_last < 1:
            raise ValueError(
                f"A C2R transform of {m} complex element(s) along axis {last} with last_axis_parity="
                f"{last_axis_parity!r} would have length {n_last}: use last_axis_parity='odd' or more elements."
            )
        out_shape[last] = n_last
        lengths[last] = n_last
    out_shape = tuple(out_shape)

    # Transformed axes cuFFT sees: size-1 axes are identities and become (trivial) batch axes,
    # except the halved last axis of R2C/C2R.
    keep = [a for a in axes if lengths[a] > 1 or (a == last and fft_type != "C2C")]
    if not keep:
        keep = [last]
    if fft_type == "C2C":
        order = _memory_order(shape, strides, keep)
    else:
        order = _memory_order(shape, strides, [a for a in keep if a != last]) + [last]
    batch_axes = _memory_order(shape, strides, [a for a in range(ndim) if a not in order and shape[a] > 1])

    inembed, istride = _embed(shape, strides, order, "operand", ndim, axes)
    batch, idist = _batch(shape, strides, batch_axes, "operand", ndim, axes)

    if inplace:
        out_strides = strides
    elif result_layout == "natural":
        full = sorted(range(ndim), key=lambda a: (-strides[a], a))
        out_strides = dense_strides_in_order(out_shape, full)
    else:
        rest = sorted((a for a in range(ndim) if a not in order), key=lambda a: (-strides[a], a))
        out_strides = dense_strides_in_order(out_shape, rest + list(order))
    onembed, ostride = _embed(out_shape, out_strides, order, "result", ndim, axes)
    _, odist = _batch(out_shape, out_strides, batch_axes, "result", ndim, axes)
    if batch == 1:  # cuFFT still reads the distances: make them span one transform
        idist = strides[order[0]] * shape[order[0]]
        odist = out_strides[order[0]] * out_shape[order[0]]

    return FFTLayout(
        fft_type=fft_type,
        axes=axes,
        transform_axes=tuple(order),
        n=tuple(lengths[a] for a in order),
        inembed=inembed,
        istride=istride,
        idist=idist,
        onembed=onembed,
        ostride=ostride,
        odist=odist,
        batch=batch,
        batch_axes=tuple(batch_axes),
        input_shape=shape,
        input_strides=strides,
        result_shape=out_shape,
        result_strides=tuple(out_strides),
    )


def check_half_sizes(layout: FFTLayout, dtype: str) -> None:
    """cuFFT computes half precision only for power-of-two lengths: raise otherwise.

    Example:
        >>> check_half_sizes(plan_layout((12,), (1,), axes=None, fft_type="C2C"), "complex32")
        Traceback (most recent call last):
        ...
        ValueError: cuFFT supports half precision only for power-of-2 lengths; the transform lengths are (12,).
    """
    if dtype in ("float16", "complex32") and any(n & (n - 1) for n in layout.n):
        raise ValueError(
            f"cuFFT supports half precision only for power-of-2 lengths; the transform lengths are {layout.n}."
        )
