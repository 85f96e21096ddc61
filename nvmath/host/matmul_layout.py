"""Matmul planning that needs no GPU: numpy.matmul semantics as cuBLASLt matrix layouts, without copies.

cuBLASLt computes ``D = alpha * op(A) @ op(B) + beta * C`` over a strided batch. Each operand is a
matrix layout ``(rows, cols, ld, order, batch count, batch offset)``: order ``'col'`` puts element
``(i, j)`` at ``i + j * ld``, order ``'row'`` at ``i * ld + j``, and matrix ``L`` of the batch starts
``L * batch offset`` elements after the first (offset 0 broadcasts the operand over the batch).
:func:`plan_matmul` turns the shapes and strides (in elements) of ``a``, ``b`` and an optional ``c``
into those layouts, following ``numpy.matmul`` (1-D promotion, batch broadcasting), and says what the
result ``D`` (a new array) looks like. When a layout cannot be described without a copy,
:class:`MatmulLayoutError` names the operand and how to fix it: nothing is ever copied silently.

Conventions:
    - Every operand is described *as stored*: order ``'row'`` when its last stride is 1, ``'col'``
      when its second-to-last stride is 1, and ``op`` ``'N'``. A transposed view (``x.T``) is simply
      the other order; ``op`` ``'T'`` is never needed (cuBLASLt takes both orders for A, B, C, D of
      regular, non-int8 matmuls).
    - A conjugated operand (``qualifiers``) is described as its transpose (the other order, rows and
      cols swapped, the same ld and pointer) with ``op`` ``'C'``, since cuBLASLt conjugates only
      together with a transposition.
    - The result ``D`` is dense, with its batch in C order. Its matrices are in ``c``'s order when
      ``c`` is given, else row-major (NumPy's default) unless both ``a`` and ``b`` are column-major.
    - Size-1 dimensions take any stride; for a vector both orders fit and the one with the unit
      stride along its length is chosen (row for ``1 x n``, col for ``m x 1``, row for ``1 x 1``).
    - The batch is one strided batch: the result's batch dimensions are flattened in C order and each
      operand must be ``index * offset`` over them. An operand broadcast over *all* batch dimensions
      gets offset 0; one broadcast over some but not others (numpy allows ``(2, 3, m, k) @ (3, k, n)``)
      is refused with the explicit broadcast that works. Batch offsets are never negative.
    - ``c`` may broadcast over the batch but not inside a matrix (cuBLASLt has no stride 0 there): a
      ``c`` of shape ``(n,)`` or ``(m, 1)`` against an ``m x n`` result is refused, not copied.
    - Plans are memoised: a repeated call costs well under a microsecond, a new plan about 15 us.

Everything here is pure Python and is tested without a GPU.

Example:
    >>> from nvmath.host.matmul_layout import plan_matmul
    >>> lay = plan_matmul((8, 4, 3), (12, 3, 1), (3, 5), (1, 3))  # batched a @ (F-order b)
    >>> lay.m, lay.n, lay.k, lay.batch_count
    (4, 5, 3, 8)
    >>> lay.a, lay.b.order, lay.b.batch_offset, lay.d.order
    (MatrixLayout(rows=4, cols=3, ld=3, order='row', batch_count=8, batch_offset=12), 'col', 0, 'row')
    >>> lay.result_shape, lay.result_strides
    ((8, 4, 5), (20, 5, 1))
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from nvmath.host.operands import c_strides as dense_c_strides

__all__ = [
    "AuxLayout",
    "ColumnMajorForm",
    "MatmulLayout",
    "MatmulLayoutError",
    "MatmulShapeError",
    "MatrixLayout",
    "VectorLayout",
    "aux_layout",
    "bias_layout",
    "check_bias",
    "column_major_form",
    "plan_matmul",
]

_COPY_HINT = "pass a contiguous copy, e.g. {name} = numpy.ascontiguousarray({name}) (cupy.ascontiguousarray(...), torch: {name}.contiguous())"  # noqa: E501


class MatmulShapeError(ValueError):
    """The operands' shapes do not multiply or broadcast (numpy.matmul would refuse them too).

    Example:
        >>> try:
        ...     plan_matmul((2, 3), (3, 1), (4, 5), (5, 1))
        ... except MatmulShapeError as e:
        ...     print(e)
        a has shape (2, 3), b has shape (4, 5): a's last dimension (3) must equal b's second to last (4).
    """


class MatmulLayoutError(ValueError):
    """An operand's memory layout cannot be described to cuBLASLt without a copy.

    The message names the operand, its shape and strides, and the copy or reshape that works.

    Example:
        >>> try:
        ...     plan_matmul((4, 6), (12, 2), (6, 3), (3, 1))  # a = x[:, ::2]: no unit stride
        ... except MatmulLayoutError as e:
        ...     print(str(e)[:62])
        Operand 'a' (shape (4, 6), strides (12, 2) in elements) has no
    """


@dataclass(frozen=True, slots=True)
class MatrixLayout:
    """One cuBLASLt matrix layout (the data type is the operand's own).

    Attributes:
        rows, cols: the matrix extents as described to cuBLASLt (before ``op``).
        ld: the leading dimension in elements (``>= rows`` for ``'col'``, ``>= cols`` for ``'row'``, ``>= 1``).
        order: ``'row'`` (element ``(i, j)`` at ``i * ld + j``) or ``'col'`` (at ``i + j * ld``).
        batch_count: the number of matrices (the same for all operands of a plan).
        batch_offset: elements from one matrix of the batch to the next (0: broadcast, or a batch of 1).

    Example:
        >>> MatrixLayout(3, 4, 5, "col", 1, 0).span  # (4 - 1) * 5 + 3
        18
    """

    rows: int
    cols: int
    ld: int
    order: str
    batch_count: int
    batch_offset: int

    @property
    def span(self) -> int:
        """Elements from the first to one past the last element of one matrix (0 if empty)."""
        if self.rows == 0 or self.cols == 0:
            return 0
        if self.order == "row":
            return (self.rows - 1) * self.ld + self.cols
        return (self.cols - 1) * self.ld + self.rows

    def describe(self) -> str:
        """A short description for logs, e.g. ``'row 4x3 ld=3 x8 @12'``."""
        return f"{self.order} {self.rows}x{self.cols} ld={self.ld} x{self.batch_count} @{self.batch_offset}"


@dataclass(frozen=True, slots=True)
class MatmulLayout:
    """The cuBLASLt description of ``alpha * op(A) @ op(B) + beta * C`` for numpy.matmul operands.

    Attributes:
        m, n, k: ``op(A)`` is ``m x k``, ``op(B)`` is ``k x n``, C and D are ``m x n`` (1-D promotions included).
        batch_shape: the broadcast batch dimensions of the result.
        batch_count: their product (flattened in C order), the batch count of every layout.
        a, b: the layouts of A and B as stored (transposed descriptions when conjugated, see ``op_a/op_b``).
        c: the layout of C, or None without ``c``.
        d: the layout of the result D (a new dense array).
        op_a, op_b: ``'N'`` or ``'C'`` (``'T'`` is never needed: transposes are orders).
        result_shape: the user-visible shape of D (numpy.matmul's, 1-D promotions removed).
        result_strides: its strides in elements, for allocating D.
        trivial: None, or why cuBLASLt must not be called (empty result; ``k == 0``, D = beta * C or zeros).
            For a trivial plan the layouts of a, b and c are best-effort (their strides are not checked).

    Example:
        >>> lay = plan_matmul((3,), (1,), (3, 4), (4, 1))  # vector @ matrix
        >>> lay.m, lay.result_shape, lay.trivial
        (1, (4,), None)
        >>> plan_matmul((2, 0), (0, 1), (0, 3), (3, 1)).trivial
        'k == 0: D = 0'
    """

    m: int
    n: int
    k: int
    batch_shape: tuple[int, ...]
    batch_count: int
    a: MatrixLayout
    b: MatrixLayout
    c: MatrixLayout | None
    d: MatrixLayout
    op_a: str
    op_b: str
    result_shape: tuple[int, ...]
    result_strides: tuple[int, ...]
    trivial: str | None

    @property
    def bias_length(self) -> int:
        """The length of an epilog bias vector: one value per row of D (``m``)."""
        return self.m

    def describe(self) -> str:
        """One line for DEBUG logs.

        Example:
            >>> print(plan_matmul((4, 3), (3, 1), (3, 5), (5, 1)).describe())
            matmul m=4 n=5 k=3 batch=() count=1 op_a=N op_b=N A(row 4x3 ld=3 x1 @0) B(row 3x5 ld=5 x1 @0) C(-) D(row 4x5 ld=5 x1 @20) result (4, 5) strides (5, 1)
        """  # noqa: E501
        c = self.c.describe() if self.c is not None else "-"
        line = (
            f"matmul m={self.m} n={self.n} k={self.k} batch={self.batch_shape} count={self.batch_count} "
            f"op_a={self.op_a} op_b={self.op_b} A({self.a.describe()}) B({self.b.describe()}) C({c}) "
            f"D({self.d.describe()}) result {self.result_shape} strides {self.result_strides}"
        )
        if self.trivial:
            line += f" trivial: {self.trivial}"
        return line


@dataclass(frozen=True, slots=True)
class VectorLayout:
    """A per-row vector of the epilogs (bias, bias gradient): ``length`` elements per batch matrix.

    Attributes:
        length: ``m`` (cuBLASLt's bias has one value per row of D).
        batch_count: the plan's batch count.
        batch_offset: elements from one batch's vector to the next (0: one vector for all).
        shape, strides: the user-visible shape and strides (elements) of the vector array.

    Example:
        >>> bias_layout(plan_matmul((2, 4, 3), (12, 3, 1), (3, 5), (5, 1)), batched=True)
        VectorLayout(length=4, batch_count=2, batch_offset=4, shape=(2, 4), strides=(4, 1))
    """

    length: int
    batch_count: int
    batch_offset: int
    shape: tuple[int, ...]
    strides: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AuxLayout:
    """The epilog auxiliary output of a plan (``'relu_aux'`` bitmask or ``'gelu_aux'`` pre-activation).

    The aux matrix is ``m x n`` (D's logical extents), column-major, whatever D's own order.

    Attributes:
        kind: ``'relu_aux'`` or ``'gelu_aux'``.
        ld: cuBLASLt's ``EPILOGUE_AUX_LD``: in bits for ``relu_aux`` (a multiple of 128), in elements of D's
            dtype for ``gelu_aux`` (a multiple of 8); ``>= m`` in both cases.
        batch_count: the plan's batch count.
        batch_offset: cuBLASLt's ``EPILOGUE_AUX_BATCH_STRIDE``, in the units of ``ld`` (``n * ld``).
        dtype: the dtype to allocate: ``'uint8'`` for ``relu_aux``, None (D's dtype) for ``gelu_aux``.
        shape, strides: the dense (C-order) array to allocate, in elements of ``dtype``:
            ``batch_shape + (n, ld // 8)`` bytes for ``relu_aux``, ``batch_shape + (n, ld)`` for ``gelu_aux``.
            Bit ``i % 8`` of byte ``[..., j, i // 8]`` is element ``(i, j)`` of the ``relu_aux`` bitmask.
        view_shape, view_strides: the ``m x n`` matrices inside that array, for handing ``gelu_aux`` to
            users (``batch_shape + (m, n)``, strides ``(..., 1, ld)``); for ``relu_aux`` the same as
            ``shape`` / ``strides`` (bits have no strides).

    Example:
        >>> lay = plan_matmul((3, 200, 64), (12800, 64, 1), (64, 10), (10, 1))
        >>> aux = aux_layout(lay, "relu_aux")
        >>> aux.ld, aux.batch_offset, aux.shape, aux.strides
        (256, 2560, (3, 10, 32), (320, 32, 1))
    """

    kind: str
    ld: int
    batch_count: int
    batch_offset: int
    dtype: str | None
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    view_shape: tuple[int, ...]
    view_strides: tuple[int, ...]


# --------------------------------------------------------------------------------------------
# Planning
# --------------------------------------------------------------------------------------------


def plan_matmul(
    a_shape: Sequence[int],
    a_strides: Sequence[int],
    b_shape: Sequence[int],
    b_strides: Sequence[int],
    c_shape: Sequence[int] | None = None,
    c_strides: Sequence[int] | None = None,
    *,
    qualifiers: Sequence[bool] | None = None,
    dtype: str | None = None,
    result_order: str | None = None,
) -> MatmulLayout:
    """Describe ``alpha * a @ b + beta * c`` (numpy.matmul semantics) as cuBLASLt layouts, without copies.

    Results are memoised (the stateless ``matmul`` plans the same layouts again and again).

    Args:
        a_shape, a_strides: ``a`` (``(..., M, K)`` or ``(K,)``), strides in elements.
        b_shape, b_strides: ``b`` (``(..., K, N)`` or ``(K,)``), strides in elements.
        c_shape, c_strides: the optional ``c``: its matrices must be full ``M x N``; its batch may broadcast.
        qualifiers: ``(conjugate_a, conjugate_b)``; None for no conjugation. Complex operands only.
        dtype: the operands' dtype name, only used to check ``qualifiers`` (None: not checked).
        result_order: None for the rule in the module docstring, or ``'row'`` / ``'col'`` to force D's order.

    Raises:
        MatmulShapeError: 0-D operands, shapes that do not multiply, batches that do not broadcast.
        MatmulLayoutError: an operand that cuBLASLt cannot read without a copy.
        ValueError: bad ``qualifiers`` / ``result_order``.

    Example:
        >>> lay = plan_matmul((4, 3), (1, 4), (3, 5), (5, 1), qualifiers=(True, False), dtype="complex64")
        >>> lay.a, lay.op_a  # conj(a) for a column-major a: its transpose, row-major, op C
        (MatrixLayout(rows=3, cols=4, ld=4, order='row', batch_count=1, batch_offset=0), 'C')
    """
    if qualifiers is None:
        conj = (False, False)
    else:
        try:
            conj = tuple(bool(q) for q in qualifiers)
        except TypeError:
            raise ValueError(
                f"Argument 'qualifiers' = {qualifiers!r} must be a pair of bools (conjugate a, conjugate b)."
            ) from None
        if len(conj) != 2:
            raise ValueError(
                f"Argument 'qualifiers' = {qualifiers!r} must be a pair of bools (conjugate a, conjugate b), "
                f"not {len(conj)} values."
            )
    if dtype is not None and any(conj) and not str(dtype).startswith("complex"):
        raise ValueError(
            f"Argument 'qualifiers' = {qualifiers!r} conjugates an operand, but the operands are {dtype}: "
            "conjugation is for complex operands only; drop the qualifier."
        )
    if result_order not in (None, "row", "col"):
        raise ValueError(f"Argument 'result_order' = {result_order!r} must be None, 'row' or 'col'.")
    if (c_shape is None) != (c_strides is None):
        raise ValueError("Pass both c_shape and c_strides, or neither.")
    return _plan_cached(
        tuple(a_shape), tuple(a_strides), tuple(b_shape), tuple(b_strides),
        None if c_shape is None else tuple(c_shape), None if c_strides is None else tuple(c_strides),
        conj, result_order,
    )  # fmt: skip


@functools.lru_cache(maxsize=1024)
def _plan_cached(a_shape, a_strides, b_shape, b_strides, c_shape, c_strides, conj, result_order) -> MatmulLayout:
    return _plan(a_shape, a_strides, b_shape, b_strides, c_shape, c_strides, conj, result_order)


def _plan(a_shape, a_strides, b_shape, b_strides, c_shape, c_strides, conj, result_order) -> MatmulLayout:
    """The uncached planner behind :func:`plan_matmul`."""
    for name, shape, strides in (("a", a_shape, a_strides), ("b", b_shape, b_strides)):
        if len(shape) != len(strides):
            raise ValueError(f"Operand {name!r} has shape {shape} but strides {strides}: one stride per dimension.")
        if not shape:
            raise MatmulShapeError(
                f"Operand {name!r} is 0-dimensional (a scalar): matmul needs operands of at least 1 dimension; "
                "multiply by the scalar instead (alpha * x), or reshape it to (1, 1)."
            )
    # 1-D promotions: a (K,) -> (1, K), b (K,) -> (K, 1); the stride of the new size-1 dimension is free.
    a_vec, b_vec = len(a_shape) == 1, len(b_shape) == 1
    a2_shape, a2_strides = ((1,) + a_shape, (0,) + a_strides) if a_vec else (a_shape, a_strides)
    b2_shape, b2_strides = (b_shape + (1,), b_strides + (0,)) if b_vec else (b_shape, b_strides)
    m, k = a2_shape[-2:]
    k_b, n = b2_shape[-2:]
    if k != k_b:
        what_a = "a's length" if a_vec else "a's last dimension"
        what_b = "b's length" if b_vec else "b's second to last"
        raise MatmulShapeError(
            f"a has shape {a_shape}, b has shape {b_shape}: {what_a} ({k}) must equal {what_b} ({k_b})."
        )
    batch_shape = _broadcast_batch(a_shape, a2_shape[:-2], b_shape, b2_shape[:-2])
    count = math.prod(batch_shape)
    r = len(batch_shape)
    weights = dense_c_strides(batch_shape) if r else ()  # linear batch index = sum(index_i * weights_i)
    result_shape = batch_shape + (() if a_vec else (m,)) + (() if b_vec else (n,))

    if c_shape is not None:
        _check_c_shape(c_shape, c_strides, result_shape)

    empty = count == 0 or m == 0 or n == 0
    trivial = None
    if empty:
        trivial = f"empty result of shape {result_shape}"
    elif k == 0:
        trivial = "k == 0: D = beta * C" if c_shape is not None else "k == 0: D = 0"
    strict = trivial is None

    a_lay = _operand("a", a_shape, a_strides, a2_shape, a2_strides, batch_shape, weights, count, strict)
    b_lay = _operand("b", b_shape, b_strides, b2_shape, b2_strides, batch_shape, weights, count, strict)
    c_lay = None
    if c_shape is not None:  # matched against the user-visible result, then given back its squeezed dims
        c2 = _full_c(c_shape, c_strides, result_shape, batch_shape, a_vec, b_vec)
        c_lay = _operand("c", c_shape, c_strides, c2[0], c2[1], batch_shape, weights, count, strict)

    if result_order is not None:
        d_order = result_order
    elif c_lay is not None:
        d_order = c_lay.order
    else:
        d_order = "col" if a_lay.order == "col" and b_lay.order == "col" else "row"
    if d_order == "row":
        d_strides = dense_c_strides(batch_shape + (m, n))
        d_ld = d_strides[-2]
    else:
        d_strides = dense_c_strides(batch_shape + (n, m))
        d_strides = d_strides[:-2] + (d_strides[-1], d_strides[-2])
        d_ld = d_strides[-1]
    d_offset = max(m, 1) * max(n, 1)
    d_lay = MatrixLayout(m, n, d_ld, d_order, count, d_offset)
    result_strides = d_strides[:r] + (() if a_vec else (d_strides[r],)) + (() if b_vec else (d_strides[r + 1],))

    op_a = op_b = "N"
    if conj[0]:
        a_lay, op_a = _transposed(a_lay), "C"
    if conj[1]:
        b_lay, op_b = _transposed(b_lay), "C"
    return MatmulLayout(
        m=m, n=n, k=k, batch_shape=batch_shape, batch_count=count, a=a_lay, b=b_lay, c=c_lay, d=d_lay,
        op_a=op_a, op_b=op_b, result_shape=result_shape, result_strides=result_strides, trivial=trivial,
    )  # fmt: skip


def _transposed(lay: MatrixLayout) -> MatrixLayout:
    """The same memory described as the transpose: the other order, rows and cols swapped."""
    return MatrixLayout(lay.cols, lay.rows, lay.ld, "col" if lay.order == "row" else "row", lay.batch_count,
                        lay.batch_offset)  # fmt: skip


def _broadcast_batch(a_shape, a_batch, b_shape, b_batch) -> tuple[int, ...]:
    r = max(len(a_batch), len(b_batch))
    pa = (1,) * (r - len(a_batch)) + a_batch
    pb = (1,) * (r - len(b_batch)) + b_batch
    out = []
    for x, y in zip(pa, pb, strict=True):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            raise MatmulShapeError(
                f"a has shape {a_shape}, b has shape {b_shape}: their batch dimensions {a_batch} and {b_batch} "
                f"do not broadcast (each pair, aligned from the right, must be equal or one of them 1)."
            )
    return tuple(out)


def _check_c_shape(c_shape, c_strides, result_shape) -> None:
    """numpy broadcasting of c to the result (c may not enlarge it)."""
    if len(c_shape) != len(c_strides):
        raise ValueError(f"Operand 'c' has shape {c_shape} but strides {c_strides}: one stride per dimension.")
    rr = len(result_shape)
    if len(c_shape) > rr or any(x != y and x != 1 for x, y in zip(c_shape[::-1], result_shape[::-1], strict=False)):
        raise MatmulShapeError(
            f"c has shape {c_shape}, which does not broadcast to the result's shape {result_shape} (a @ b): c may "
            "broadcast over the result, not the result over c; pass a c of a shape broadcastable to the result's."
        )


def _full_c(c_shape, c_strides, result_shape, batch_shape, a_vec, b_vec):
    """c's (shape, strides) as a ``batch_shape + (m, n)`` operand (padded batch dims have stride 0)."""
    pad = len(result_shape) - len(c_shape)
    shape = (1,) * pad + tuple(c_shape)
    strides = (0,) * pad + tuple(c_strides)
    r = len(batch_shape)
    if shape[r:] != result_shape[r:] and 0 not in result_shape:  # (an empty result needs no C)
        raise MatmulLayoutError(
            f"Operand 'c' (shape {c_shape}, strides {c_strides} in elements) broadcasts inside the result's "
            f"matrices (the result has shape {result_shape}): cuBLASLt cannot broadcast C within a matrix. "
            f"Broadcast it explicitly first, e.g. c = numpy.ascontiguousarray(numpy.broadcast_to(c, "
            f"{result_shape})) (torch: c.expand{result_shape}.contiguous())."
        )
    mat_shape = result_shape[r:]
    mat_strides = strides[r:]
    if a_vec:
        mat_shape, mat_strides = (1,) + mat_shape, (0,) + mat_strides
    if b_vec:
        mat_shape, mat_strides = mat_shape + (1,), mat_strides + (0,)
    return shape[:r] + mat_shape, strides[:r] + mat_strides


def _operand(name, user_shape, user_strides, shape, strides, batch_shape, weights, count, strict) -> MatrixLayout:
    """The layout of one operand of (promoted) ``shape`` / ``strides``; not ``strict``: best effort, no errors."""
    rows, cols = shape[-2:]
    sr, sc = strides[-2:]
    if not strict:
        try:
            order, ld = _matrix(name, user_shape, user_strides, rows, cols, sr, sc)
            offset = _batch_offset(name, user_shape, user_strides, shape, strides, batch_shape, weights, count)
        except MatmulLayoutError:
            order, ld, offset = "row", max(cols, 1), 0
        return MatrixLayout(rows, cols, ld, order, count, offset)
    order, ld = _matrix(name, user_shape, user_strides, rows, cols, sr, sc)
    offset = _batch_offset(name, user_shape, user_strides, shape, strides, batch_shape, weights, count)
    return MatrixLayout(rows, cols, ld, order, count, offset)


def _matrix(name, user_shape, user_strides, rows, cols, sr, sc) -> tuple[str, int]:
    """(order, ld) of a ``rows x cols`` matrix with strides ``(sr, sc)``; size-1 dimensions are free."""
    row_ok = (cols <= 1 or sc == 1) and (rows <= 1 or sr >= max(cols, 1))
    col_ok = (rows <= 1 or sr == 1) and (cols <= 1 or sc >= max(rows, 1))
    if row_ok and (rows <= 1 or not col_ok):
        return "row", sr if rows > 1 else max(cols, 1)
    if col_ok:
        return "col", sc if cols > 1 else max(rows, 1)
    head = f"Operand {name!r} (shape {user_shape}, strides {user_strides} in elements)"
    fix = _COPY_HINT.format(name=name)
    moving = [s for s, e in ((sr, rows), (sc, cols)) if e > 1]
    if any(s == 0 for s in moving):
        problem = "has a zero (broadcast) stride inside its matrices: cuBLASLt needs distinct matrix elements"
    elif any(s < 0 for s in moving):
        problem = "has a negative stride inside its matrices: cuBLASLt needs positive matrix strides"
    elif 1 not in moving:
        problem = (
            "has no unit stride in its matrices (the last two dimensions): cuBLASLt needs one of the last two "
            "strides to be 1 (a row- or column-major matrix)"
        )
    else:
        problem = (
            "has overlapping matrix rows or columns (a leading dimension smaller than the matrix extent): "
            "cuBLASLt needs ld >= cols (row-major) or ld >= rows (column-major)"
        )
    raise MatmulLayoutError(f"{head} {problem}; {fix}.")


def _batch_offset(name, user_shape, user_strides, shape, strides, batch_shape, weights, count) -> int:
    """The one strided-batch offset addressing the operand's batch over the C-ordered result batch."""
    if count <= 1:
        return 0
    r = len(batch_shape)
    nb = len(shape) - 2  # the operand's own batch dims, aligned right with the result's
    off = None
    broadcast = []
    consistent = True
    for i in range(r):
        if batch_shape[i] == 1:
            continue
        j = i - (r - nb)
        if j < 0 or shape[j] == 1:
            broadcast.append(i)
            continue
        q, rem = divmod(strides[j], weights[i])
        if rem or (off is not None and q != off):
            consistent = False
            break
        off = q
    if consistent and off is None:
        return 0
    head = f"Operand {name!r} (shape {user_shape}, strides {user_strides} in elements)"
    full = batch_shape + tuple(shape[-2:])
    if consistent and broadcast and off != 0:
        raise MatmulLayoutError(
            f"{head} is broadcast along some of the result's batch dimensions {batch_shape} but not all: a "
            f"cuBLASLt batch offset broadcasts an operand over the whole batch or not at all. Materialize the "
            f"broadcast, e.g. {name} = numpy.ascontiguousarray(numpy.broadcast_to({name}, {full})) (torch: "
            f"{name}.expand{full}.contiguous()), or reshape so the broadcast is over all batch dimensions."
        )
    if consistent and off < 0:
        raise MatmulLayoutError(
            f"{head} has a negative batch stride: cuBLASLt batch offsets must not be negative; {_COPY_HINT.format(name=name)}."  # noqa: E501
        )
    if not consistent:
        raise MatmulLayoutError(
            f"{head} has batch dimensions that cannot be addressed as one strided batch (index * offset, with the "
            f"batch {batch_shape} flattened in C order): each batch stride must be the same offset times the "
            f"product of the later batch extents (C-ordered batch dimensions). Make it contiguous "
            f"({_COPY_HINT.format(name=name)}), or reshape/transpose so that its batch dimensions are C-ordered."
        )
    return off


# --------------------------------------------------------------------------------------------
# The all-column-major form (conjugated operands)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ColumnMajorForm:
    """A plan described with column-major layouts only, and ``op`` ``'N'``, ``'T'`` or ``'C'``.

    cuBLASLt takes a conjugate transpose (op ``'C'``) of a column-major matrix, but not mixed with
    row-major layouts. Every row-major ``r x c`` matrix is the column-major ``c x r`` matrix of the
    same memory, transposed, so a plan can be written with column-major layouts alone, either as is
    (``D = op(A) op(B)``, D column-major) or swapped (``D^T = op(B)^T op(A)^T``: cuBLASLt's A is the
    user's b, its B the user's a, D row-major seen as the column-major D^T). No data moves.

    Attributes:
        swap: whether cuBLASLt's A and B are the user's b and a.
        a, op_a: cuBLASLt's A (the user's b when swapped) and its op.
        b, op_b: cuBLASLt's B (the user's a when swapped) and its op.
        c, d: C (or None) and D, column-major.

    Example:
        >>> lay = plan_matmul((4, 3), (3, 1), (3, 5), (5, 1), qualifiers=(True, False), result_order="col")
        >>> form = column_major_form(lay)
        >>> form.swap, form.op_a, form.op_b, form.a.order, form.b.order, form.d.order
        (False, 'C', 'T', 'col', 'col', 'col')
    """

    swap: bool
    a: MatrixLayout
    op_a: str
    b: MatrixLayout
    op_b: str
    c: MatrixLayout | None
    d: MatrixLayout


def _col(lay: MatrixLayout, op: str, swapped: bool) -> tuple[MatrixLayout, str] | None:
    """``op(lay)`` (``swapped``: its transpose) as (column-major layout, op), or None if that needs a
    conjugate without a transposition (which cuBLASLt does not have)."""
    if lay.order == "col":
        stored, transposed = lay, False
    else:  # row-major r x c: the column-major c x r matrix S, and lay = S^T
        stored, transposed = _transposed(lay), True
    # op(lay) = op(S^T) when transposed; then transpose again when swapped
    conj = op == "C"
    flip = (op != "N") ^ transposed ^ swapped  # whether S appears transposed
    if conj and not flip:
        return None
    return stored, ("C" if conj else "T" if flip else "N")


def column_major_form(layout: MatmulLayout) -> ColumnMajorForm:
    """The plan with column-major layouts only (see :class:`ColumnMajorForm`), keeping D's order.

    A column-major D is described as is; a row-major D swaps A and B. A conjugated operand works
    in one of the two: with a column-major D it must be row-major in memory (``x.conj()`` of a
    C-ordered ``x`` is a conjugate transpose of its column-major description), with a row-major D
    column-major in memory.

    Raises:
        MatmulLayoutError: a conjugated operand that D's order does not allow (the message says which
            order of D, or of the operand, works).

    Example:
        >>> lay = plan_matmul((4, 3), (1, 4), (3, 5), (5, 1), qualifiers=(True, False), dtype="complex64")
        >>> form = column_major_form(lay)  # a is column-major in memory, D row-major: swapped
        >>> form.swap, form.a.rows, form.a.cols, form.op_a, form.b.rows, form.b.cols, form.op_b
        (True, 5, 3, 'N', 4, 3, 'C')
    """
    swap = layout.d.order == "row"
    first = _col(layout.a, layout.op_a, swap)
    second = _col(layout.b, layout.op_b, swap)
    for name, got, op in (("a", first, layout.op_a), ("b", second, layout.op_b)):
        if got is None:
            need = "column" if swap else "row"
            raise MatmulLayoutError(
                f"Operand {name!r} is conjugated (op {op}) and {'row' if need == 'column' else 'column'}-major in "
                f"memory, but the result is {layout.d.order}-major: cuBLASLt conjugates only with a transposition, "
                f"so a conjugated {name!r} must be {need}-major in memory for a {layout.d.order}-major result; make "
                f"the result {'column' if swap else 'row'}-major (choose c's order) or pass {name!r} in the other "
                "order."
            )
    c = layout.c
    if swap:
        d = _transposed(layout.d)
        c = None if c is None else _transposed(c)
        (b, op_b), (a, op_a) = first, second
    else:
        d = layout.d
        (a, op_a), (b, op_b) = first, second
    if c is not None and c.order != "col":
        raise MatmulLayoutError(
            f"Operand 'c' is {c.order}-major in the column-major description of a conjugated matmul: c must have "
            f"the result's order ({layout.d.order}-major)."
        )
    return ColumnMajorForm(swap, a, op_a, b, op_b, c, d)


# --------------------------------------------------------------------------------------------
# Epilog inputs and outputs
# --------------------------------------------------------------------------------------------


def bias_layout(layout: MatmulLayout, batched: bool = False) -> VectorLayout:
    """The dense per-row vector (``m`` elements, one per row of D) an epilog writes or reads.

    Args:
        layout: the plan.
        batched: one vector per batch matrix (shape ``batch_shape + (m,)``), or one for all (``(m,)``).

    Example:
        >>> bias_layout(plan_matmul((2, 4, 3), (12, 3, 1), (3, 5), (5, 1)))
        VectorLayout(length=4, batch_count=2, batch_offset=0, shape=(4,), strides=(1,))
    """
    m = layout.m
    if not batched:
        return VectorLayout(m, layout.batch_count, 0, (m,), (1,))
    shape = layout.batch_shape + (m,)
    return VectorLayout(m, layout.batch_count, max(m, 1), shape, dense_c_strides(shape))


def check_bias(layout: MatmulLayout, bias_shape: Sequence[int], bias_strides: Sequence[int]) -> VectorLayout:
    """Check a user's epilog bias against a plan and return its cuBLASLt description.

    The bias has one value per row of D: shape ``(m,)`` (the same for every batch matrix) or
    ``batch_shape + (m,)`` (one per batch matrix, addressed with one batch offset), contiguous along ``m``.

    Raises:
        MatmulShapeError: any other shape.
        MatmulLayoutError: not contiguous along ``m``, or a batch that is not one strided batch.

    Example:
        >>> lay = plan_matmul((2, 4, 3), (12, 3, 1), (3, 5), (5, 1))
        >>> check_bias(lay, (2, 4), (4, 1)).batch_offset
        4
        >>> check_bias(lay, (5,), (1,))
        Traceback (most recent call last):
        ...
        nvmath.host.matmul_layout.MatmulShapeError: bias has shape (5,), but the result (shape (2, 4, 5)) needs a bias of shape (4,) (one value per row, for every batch matrix) or (2, 4) (one vector per batch matrix).
    """  # noqa: E501
    shape, strides = tuple(bias_shape), tuple(bias_strides)
    m = layout.m
    full = layout.batch_shape + (m,)
    if shape != (m,) and (not layout.batch_shape or shape != full):
        other = f" or {full} (one vector per batch matrix)" if layout.batch_shape else ""
        raise MatmulShapeError(
            f"bias has shape {shape}, but the result (shape {layout.result_shape}) needs a bias of shape ({m},) "
            f"(one value per row, for every batch matrix){other}."
        )
    if len(strides) != len(shape):
        raise ValueError(f"Operand 'bias' has shape {shape} but strides {strides}: one stride per dimension.")
    if m > 1 and strides[-1] != 1:
        raise MatmulLayoutError(
            f"Operand 'bias' (shape {shape}, strides {strides} in elements) is not contiguous along its last "
            f"dimension (length {m}): cuBLASLt reads the bias as a dense vector; {_COPY_HINT.format(name='bias')}."
        )
    if shape == (m,):
        return VectorLayout(m, layout.batch_count, 0, shape, strides)
    weights = dense_c_strides(layout.batch_shape)
    padded_shape, padded_strides = shape + (1,), strides + (0,)  # as a (batch..., m, 1) operand
    offset = _batch_offset("bias", shape, strides, padded_shape, padded_strides, layout.batch_shape, weights,
                           layout.batch_count)  # fmt: skip
    return VectorLayout(m, layout.batch_count, offset, shape, strides)


def _round_up(x: int, multiple: int) -> int:
    return -(-x // multiple) * multiple


def aux_layout(layout: MatmulLayout, kind: str) -> AuxLayout:
    """The auxiliary output of the ``RELU_AUX`` / ``GELU_AUX`` epilogs of a plan, to allocate.

    ``'relu_aux'``: an ``m x n`` bitmask, column-major with ``ld`` bits a multiple of 128 (cuBLASLt's
    requirement), stored as dense ``uint8`` of shape ``batch_shape + (n, ld // 8)``: each column is a
    multiple of 16 bytes, so every batch matrix is 128-bit aligned when the allocation is.
    ``'gelu_aux'``: an ``m x n`` matrix of D's dtype, column-major with ``ld`` a multiple of 8, stored as
    a dense array of shape ``batch_shape + (n, ld)``; ``view_shape`` / ``view_strides`` are its ``m x n``
    view. Both are relative to D's logical ``m x n`` whatever D's order (1-D promotions kept).

    Raises:
        ValueError: an unknown ``kind``.

    Example:
        >>> lay = plan_matmul((5, 3), (3, 1), (3, 2), (2, 1))
        >>> g = aux_layout(lay, "gelu_aux")
        >>> g.ld, g.shape, g.view_shape, g.view_strides
        (8, (2, 8), (5, 2), (1, 8))
    """
    m, n = layout.m, layout.n
    batch = layout.batch_shape
    if kind == "relu_aux":
        ld = _round_up(max(m, 1), 128)
        shape = batch + (n, ld // 8)
        strides = dense_c_strides(shape)
        return AuxLayout(kind, ld, layout.batch_count, n * ld, "uint8", shape, strides, shape, strides)
    if kind == "gelu_aux":
        ld = _round_up(max(m, 1), 8)
        shape = batch + (n, ld)
        strides = dense_c_strides(shape)
        view_shape = batch + (m, n)
        view_strides = strides[:-2] + (1, ld)
        return AuxLayout(kind, ld, layout.batch_count, n * ld, None, shape, strides, view_shape, view_strides)
    raise ValueError(f"Argument 'kind' = {kind!r} must be 'relu_aux' or 'gelu_aux'.")
