"""NumPy reference of ``nvmath.device.Matmul`` in kernels, for Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``).

Kernels written for the GPU run unchanged on the CPU: ``MM.execute``, the tensor API
(:func:`~nvmath.device.make_tensor`, :func:`~nvmath.device.copy`, ...) and register accumulators
are NumPy code here, computed in float64 (complex128; int64 for integer GEMMs) and cast to the
destination's element type. What the kernel sees follows the description's libmathdx traits:

- **Matrices** are strided NumPy views over the kernel's arrays: A is ``m x k``, B ``k x n``, C
  ``m x n``, each in its arrangement (``MM.arrangement``). Shared-memory arrays of the pointer API
  and ``get_layout_smem_*()`` use ``MM.leading_dimension`` (the padded ones, so ``a_size`` elements
  hold A); ``MM.execute(alpha, a, lda, b, ldb, beta, c, ldc)`` the given ones; global layouts
  ``get_layout_gmem_*(ld)`` ``ld`` (default: the unpadded one). A ``suggest_layout_smem_*()``
  layout that libmathdx reports as the plain one (same opaque type) is the plain one; otherwise
  (cuBLASDx may swizzle it) it is an opaque, unpadded layout of the *other* arrangement, so a
  kernel that reads such memory directly instead of through tensors fails here as on the GPU.
- **Register fragments** (``MM.suggest_accumulator()``, ``get_accumulator()``,
  ``make_fragment_like``) hold ``L = logical_size`` elements (the tensor traits) per thread. With
  ``E = m * n`` elements of C, the first ``A = min(block_size, ceil(E / L))`` threads (linear
  index ``t = x + X * (y + Y * z)``) are active; element ``i`` of thread ``t`` is C's element
  ``p = t + i * A`` in column-major order, ``(row, col) = (p % m, p // m)``
  (``map_fragment_index(i)``), in bounds when ``p < E`` (``is_index_in_bounds(i)``);
  ``is_predicated()`` says whether some element of the partition is out of bounds. cuBLASDx's own
  partition differs (it follows its MMA tiling): kernels must only rely on what these methods
  report, which is what makes a kernel correct on the GPU too.
- **Collectives**: ``copy`` between global and shared memory and the shared-memory ``execute``
  are split over the block's threads (thread ``t`` handles C's, or the copied matrix's,
  column-major elements ``p = t, t + block_size, ...``) with no barrier inside, as on the GPU:
  synchronize (``cuda.syncthreads()``, or :func:`~nvmath.device.copy_wait` after copies) before
  reading what other threads wrote. ``copy_wait()`` is a block barrier.

Example:
    >>> # NUMBA_ENABLE_CUDASIM=1 python my_gemm_kernel.py   runs its MM.execute(...) here
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

__all__ = [
    "Accumulator",
    "Fragment",
    "Tensor",
    "axpby",
    "clear",
    "copy",
    "copy_wait",
    "execute",
    "get_accumulator",
    "make_fragment_like",
    "make_tensor",
    "reference_gemm",
    "suggest_accumulator",
]

_DIMS = {"a": lambda mm: mm.a_dim, "b": lambda mm: mm.b_dim, "c": lambda mm: mm.c_dim}
# Element types whose arrays may carry their bits as integers (NumPy has no such arrays in kernels).
_BITS = {"bfloat16": ("uint16", "int16"), "float8_e4m3fn": ("uint8", "int8"), "float8_e5m2": ("uint8", "int8")}


# ---- threads ---------------------------------------------------------------------------------------


def _me():
    me = threading.current_thread()
    if not hasattr(me, "threadIdx"):
        raise RuntimeError("nvmath.device.Matmul simulator calls run inside simulated kernels only.")
    return me


def _thread_index(me) -> int:
    """The linear index of the simulated thread in its block (``x + X * (y + Y * z)``)."""
    index = getattr(me, "thread_id", None)
    if index is not None:
        return int(index)
    x, y, _ = me._manager._block_dim
    return me.threadIdx.x + x * (me.threadIdx.y + y * me.threadIdx.z)


def _check_launch(mm, me) -> None:
    launched = getattr(getattr(me, "_manager", None), "_block_dim", None)
    if launched is not None and math.prod(launched) < mm.block_size:
        raise RuntimeError(
            f"{mm!r} needs block_size={mm.block_size} threads per block, the kernel was launched with "
            f"block {tuple(launched)}: launch with MM.block_dim."
        )


# ---- element types -------------------------------------------------------------------------------------


def _is_pair(dtype: np.dtype) -> bool:
    """Whether ``dtype`` is a structured (x, y) vector (complex half precision)."""
    return dtype.names is not None and len(dtype.names) == 2


def _compute_dtype(*dtypes: np.dtype) -> np.dtype:
    if any(_is_pair(d) or d.kind == "c" for d in dtypes):
        return np.dtype(np.complex128)
    if all(d.kind in "iu" for d in dtypes):
        return np.dtype(np.int64)
    return np.dtype(np.float64)


def _to_compute(values: np.ndarray, compute: np.dtype) -> np.ndarray:
    """Values of a (possibly structured, bfloat16, fp8) array as ``compute`` numbers."""
    if _is_pair(values.dtype):
        x, y = values.dtype.names
        return values[x].astype(np.float64) + 1j * values[y].astype(np.float64)
    if values.dtype.kind not in "biufc":  # ml_dtypes' bfloat16 / fp8: through float64
        return values.astype(np.float64).astype(compute)
    return values.astype(compute)


def _from_compute(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``values`` (float64 / complex128 / int64) cast to ``dtype`` (a structured pair: real, imaginary)."""
    if _is_pair(dtype):
        out = np.empty(values.shape, dtype)
        x, y = dtype.names
        out[x] = np.real(values)
        out[y] = np.imag(values)
        return out
    if dtype.kind == "c":
        return values.astype(dtype)
    real = np.real(values)
    if dtype.kind in "iu":
        real = np.rint(real) if real.dtype.kind == "f" else real
    elif dtype.kind not in "f":  # ml_dtypes
        real = real.astype(np.float64)
    return real.astype(dtype)


def _as_dtype(dtype) -> np.dtype:
    """A NumPy dtype from a NumPy type or a Numba type (``numba.float16``)."""
    try:
        from numba.core import types as numba_types
        from numba.np import numpy_support

        if isinstance(dtype, numba_types.Type):
            return numpy_support.as_dtype(dtype)
    except ImportError:  # pragma: no cover - numba is a dependency
        pass
    return np.dtype(dtype)


# ---- arrays and views ----------------------------------------------------------------------------------


def _ndarray(array, where: str) -> np.ndarray:
    """The NumPy array behind a kernel argument (global arrays are wrapped by the simulator)."""
    if isinstance(array, np.ndarray):
        return array
    item = array.__dict__.get("_item") if hasattr(array, "__dict__") else None  # FakeWithinKernelCUDAArray
    inner = getattr(item if item is not None else array, "_ary", None)  # FakeCUDAArray
    if isinstance(inner, np.ndarray):
        return inner
    raise TypeError(f"{where} must be an array, got {type(array).__name__}.")


def _flat(array: np.ndarray, dtype: np.dtype, where: str) -> np.ndarray:
    """``array`` as a 1-D view of ``dtype`` elements (its own type, or integers carrying the bits)."""
    if array.ndim != 1:
        if not (array.flags.c_contiguous or array.flags.f_contiguous):
            raise TypeError(f"{where} must be a contiguous array, got strides {array.strides}.")
        array = array.reshape(-1, order="C" if array.flags.c_contiguous else "F")
    if array.dtype == dtype:
        return array
    if array.dtype.name in _BITS.get(dtype.name, ()):
        return array.view(dtype)
    bits = _BITS.get(dtype.name)
    extra = f" (or {' / '.join(bits)} carrying its bits)" if bits else ""
    raise TypeError(f"{where} must be an array of {dtype}{extra}, got an array of {array.dtype}.")


def _strided(flat: np.ndarray, rows: int, cols: int, ld: int, arrangement: str, where: str) -> np.ndarray:
    """The ``rows x cols`` matrix ``flat`` holds in ``arrangement`` with leading dimension ``ld``."""
    inner, outer = (rows, cols) if arrangement == "col_major" else (cols, rows)
    if ld < inner:
        raise ValueError(f"{where}: leading dimension {ld} is too small for a {arrangement} {rows} x {cols} matrix.")
    needed = (outer - 1) * ld + inner
    if flat.size < needed:
        raise ValueError(
            f"{where}: the array holds {flat.size} elements, a {arrangement} {rows} x {cols} matrix with leading "
            f"dimension {ld} needs {needed}."
        )
    item = flat.strides[0]
    strides = (item, ld * item) if arrangement == "col_major" else (ld * item, item)
    return np.lib.stride_tricks.as_strided(flat, shape=(rows, cols), strides=strides)


def _other(arrangement: str) -> str:
    return "row_major" if arrangement == "col_major" else "col_major"


def _matrix_layout(layout, matrix: str) -> tuple[int, str]:
    """``(leading dimension, arrangement)`` of a layout kind over matrix ``matrix``."""
    mm, kind = layout.matmul, layout.kind
    rows, cols = _DIMS[matrix](mm)
    arrangement = getattr(mm.arrangement, matrix)
    compact = rows if arrangement == "col_major" else cols
    if kind.startswith("gmem"):
        ld = compact if layout.leading_dimension is None else int(layout.leading_dimension)
        return ld, arrangement
    if kind.startswith("smem"):
        return getattr(mm.leading_dimension, matrix), arrangement
    # suggested_smem_*: the plain layout if libmathdx says it is the same type, else an opaque one.
    from nvmath.device.lto.matmul import TensorSpec

    suggested = mm.tensor_traits(TensorSpec(kind)).opaque_name
    if suggested == mm.tensor_traits(TensorSpec(f"smem_{matrix}")).opaque_name:
        return getattr(mm.leading_dimension, matrix), arrangement
    other = _other(arrangement)
    return (rows if other == "col_major" else cols), other


def _pointer_view(mm, matrix: str, array, ld: int, where: str) -> np.ndarray:
    dtype = np.dtype(getattr(mm, f"{matrix}_value_type"))
    flat = _flat(_ndarray(array, where), dtype, where)
    if flat.ndim != 1:
        raise TypeError(f"{where} must be a 1-D array.")
    rows, cols = _DIMS[matrix](mm)
    return _strided(flat, rows, cols, int(ld), getattr(mm.arrangement, matrix), where)


# ---- tensors and fragments -------------------------------------------------------------------------


class Tensor:
    """A global- or shared-memory matrix seen through a layout (``make_tensor(array, layout)``).

    Attributes:
        matmul: the :class:`~nvmath.device.Matmul`.
        kind: the layout kind (``"gmem_a"``, ``"suggested_smem_b"`` ...).
        view: the ``rows x cols`` NumPy view over the array (writes go to the array).

    Example:
        >>> t = make_tensor(smem_a, MM.suggest_layout_smem_a())  # doctest: +SKIP
        >>> t.view.shape  # doctest: +SKIP
        (32, 64)
    """

    def __init__(self, matmul, kind: str, view: np.ndarray) -> None:
        self.matmul = matmul
        self.kind = kind
        self.view = view

    @property
    def matrix(self) -> str:
        """``"a"``, ``"b"`` or ``"c"``."""
        return self.kind[-1]

    @property
    def memory_space(self) -> str:
        """``"gmem"`` or ``"smem"``."""
        return self.kind.removeprefix("suggested_")[:4]

    @property
    def size(self) -> int:
        """Elements of the matrix."""
        return self.view.size

    def __repr__(self) -> str:
        return f"Tensor({self.kind}, {self.view.shape[0]}x{self.view.shape[1]} {self.view.dtype})"


class _Partition:
    """Which elements of C a thread's register fragment holds (see the module docstring)."""

    def __init__(self, mm, per_thread: int) -> None:
        m, n = mm.c_dim
        self.m, self.elements, self.per_thread = m, m * n, per_thread
        if per_thread <= 0 or mm.block_size * per_thread < self.elements:
            raise RuntimeError(
                f"{mm!r}: a register partition of {per_thread} elements per thread over {mm.block_size} threads "
                f"cannot hold the {self.elements} elements of C."
            )
        self.active = min(mm.block_size, -(-self.elements // per_thread))

    def key(self) -> tuple[int, int]:
        return (self.per_thread, self.active)

    def positions(self, thread: int) -> np.ndarray:
        """C's column-major positions of a thread's fragment elements (out of bounds: >= elements)."""
        if thread >= self.active:
            return np.full(self.per_thread, self.elements, dtype=np.int64)
        return thread + np.arange(self.per_thread, dtype=np.int64) * self.active

    @property
    def predicated(self) -> bool:
        return self.active * self.per_thread != self.elements


class Fragment:
    """This thread's part of C in registers (an accumulator's results, or ``make_fragment_like``).

    Attributes:
        matmul: the :class:`~nvmath.device.Matmul`.
        kind: ``"suggested_rmem_c"`` or ``"rmem_c"``.
        data: the elements, a 1-D NumPy array of ``size`` elements.

    Example:
        >>> frag = make_fragment_like(acc.get_results(), np.float16)  # doctest: +SKIP
        >>> frag[0] = 1.0  # doctest: +SKIP
    """

    def __init__(self, matmul, kind: str, dtype: np.dtype, thread: int) -> None:
        from nvmath.device.lto.matmul import TensorSpec

        self.matmul = matmul
        self.kind = kind
        self.thread = thread
        self.partition = _Partition(matmul, matmul.tensor_traits(TensorSpec(kind)).logical_size)
        self.data = np.empty(self.partition.per_thread, dtype)
        if dtype.kind in "fc" or _is_pair(dtype):  # registers start undefined: NaN shows a missing clear
            self.data[...] = _from_compute(np.full(self.data.shape, np.nan), dtype)
        else:
            self.data[...] = 0

    @property
    def size(self) -> int:
        """Elements this thread holds."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """The element type."""
        return self.data.dtype

    def positions(self) -> np.ndarray:
        """C's column-major positions of this thread's elements."""
        return self.partition.positions(self.thread)

    def in_bounds(self) -> np.ndarray:
        """Which of this thread's elements are elements of C."""
        return self.positions() < self.partition.elements

    def __getitem__(self, index):
        return self.data[index]

    def __setitem__(self, index, value) -> None:
        self.data[index] = value

    def __len__(self) -> int:
        return self.data.size

    def __repr__(self) -> str:
        return f"Fragment({self.kind}, {self.size} x {self.dtype}, thread {self.thread})"


class Accumulator:
    """A register accumulator of C (``MM.suggest_accumulator()`` / ``MM.get_accumulator()``).

    Example:
        >>> acc = MM.suggest_accumulator()  # doctest: +SKIP
        >>> acc.clear(); MM.execute(ta, tb, acc)  # doctest: +SKIP
        >>> acc.partition_and_copy(acc.get_results(), gmem_c)  # doctest: +SKIP
    """

    def __init__(self, matmul, kind: str) -> None:
        me = _me()
        _check_launch(matmul, me)
        self.matmul = matmul
        self.results = Fragment(matmul, kind, np.dtype(matmul.c_value_type), _thread_index(me))

    @property
    def size(self) -> int:
        """Elements this thread holds."""
        return self.results.size

    def clear(self) -> None:
        """Set this thread's elements to zero."""
        clear(self.results)

    def get_results(self) -> Fragment:
        """The fragment holding the results (the accumulator's own storage)."""
        return self.results

    def partition_and_copy(self, src, dst) -> None:
        """Copy between this partition of C (a fragment) and a global/shared tensor of C."""
        copy(src, dst)

    def make_partition_and_copy(self, src) -> Fragment:
        """A new fragment of this partition, loaded from the global/shared tensor ``src``."""
        out = Fragment(self.matmul, self.results.kind, self.results.dtype, self.results.thread)
        copy(src, out)
        return out

    def map_fragment_index(self, index: int) -> tuple[int, int]:
        """``(row, col)`` in C of this thread's element ``index``."""
        p = int(self.results.positions()[_check_index(self, index)])
        m = self.results.partition.m
        return (p % m, p // m)

    def is_thread_active(self) -> bool:
        """Whether this thread holds elements of C."""
        return self.results.thread < self.results.partition.active

    def is_predicated(self) -> bool:
        """Whether some element of the partition falls outside C (then check ``is_index_in_bounds``)."""
        return self.results.partition.predicated

    def is_index_in_bounds(self, index: int) -> bool:
        """Whether this thread's element ``index`` is an element of C."""
        return bool(self.results.in_bounds()[_check_index(self, index)])

    def __getitem__(self, index):
        return self.results[index]

    def __setitem__(self, index, value) -> None:
        self.results[index] = value

    def __repr__(self) -> str:
        return f"Accumulator({self.results!r})"


def _check_index(acc: Accumulator, index) -> int:
    index = int(index)
    if not 0 <= index < acc.size:
        raise IndexError(f"fragment index {index} is out of range: this thread holds {acc.size} elements.")
    return index


def _fragment(value, where: str) -> Fragment:
    if isinstance(value, Accumulator):
        return value.results
    if isinstance(value, Fragment):
        return value
    raise TypeError(f"{where} must be a register fragment or accumulator, got {type(value).__name__}.")


# ---- the tensor API (nvmath.device.tensors) ------------------------------------------------------------


def make_tensor(array, layout) -> Tensor:
    """Simulator version of :func:`nvmath.device.make_tensor`: a strided view of ``array`` in ``layout``.

    Example:
        >>> gmem_a = make_tensor(a, MM.get_layout_gmem_a())  # doctest: +SKIP
    """
    from nvmath.device.matmul import Layout

    if not isinstance(layout, Layout):
        raise TypeError(f"make_tensor argument 1 must be a layout (MM.get_layout_*()), got {type(layout).__name__}.")
    mm, kind, matrix = layout.matmul, layout.kind, layout.kind[-1]
    if "rmem" in kind:
        raise TypeError(f"make_tensor: {kind} is a register layout; register fragments come from MM.*_accumulator().")
    where = f"make_tensor argument 0 ({matrix.upper()}, {kind})"
    dtype = np.dtype(getattr(mm, f"{matrix}_value_type"))
    array = _ndarray(array, where)
    if not kind.startswith("gmem") and array.ndim != 1:
        raise TypeError(f"{where} must be a 1-D array, got a {array.ndim}-D one.")
    flat = _flat(array, dtype, where)
    ld, arrangement = _matrix_layout(layout, matrix)
    rows, cols = _DIMS[matrix](mm)
    return Tensor(mm, kind, _strided(flat, rows, cols, ld, arrangement, where))


def _share(thread: int, threads: int, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the column-major elements ``thread, thread + threads, ...`` of a matrix."""
    p = np.arange(thread, rows * cols, threads, dtype=np.int64)
    return p % rows, p // rows


def copy(src, dst) -> None:
    """Simulator version of :func:`nvmath.device.copy` (global/shared <-> shared/global, or a fragment).

    Example:
        >>> copy(gmem_a, smem_a)  # doctest: +SKIP
    """
    s = src.results if isinstance(src, Accumulator) else src
    d = dst.results if isinstance(dst, Accumulator) else dst
    for name, t in (("src", s), ("dst", d)):
        if not isinstance(t, (Tensor, Fragment)):
            raise TypeError(
                f"copy(src, dst): {name} must be a tensor (make_tensor) or fragment, got {type(t).__name__}."
            )
    if s.matmul != d.matmul:
        raise TypeError("copy(src, dst): the tensors belong to different Matmuls.")
    s_matrix = "c" if isinstance(s, Fragment) else s.matrix
    d_matrix = "c" if isinstance(d, Fragment) else d.matrix
    if s_matrix != d_matrix:
        raise TypeError(f"copy(src, dst): src is a tensor of {s_matrix.upper()}, dst of {d_matrix.upper()}.")
    if isinstance(s, Fragment) and isinstance(d, Fragment):
        raise TypeError("copy(src, dst): both tensors are register fragments; use axpby(1, src, 0, dst).")
    if isinstance(s, Fragment) or isinstance(d, Fragment):
        fragment, tensor = (s, d) if isinstance(s, Fragment) else (d, s)
        mask = fragment.in_bounds()
        p = fragment.positions()[mask]
        rows, cols = p % fragment.partition.m, p // fragment.partition.m
        if fragment is s:
            values = _to_compute(fragment.data[mask], _compute_dtype(fragment.dtype))
            tensor.view[rows, cols] = _from_compute(values, tensor.view.dtype)
        else:
            values = _to_compute(tensor.view[rows, cols], _compute_dtype(tensor.view.dtype))
            fragment.data[mask] = _from_compute(values, fragment.dtype)
        return
    me = _me()
    mm = s.matmul
    _check_launch(mm, me)
    rows, cols = _share(_thread_index(me), mm.block_size, *s.view.shape)
    d.view[rows, cols] = s.view[rows, cols]


def copy_wait() -> None:
    """Simulator version of :func:`nvmath.device.copy_wait`: a barrier of the block.

    Example:
        >>> copy_wait()  # doctest: +SKIP
    """
    _me().syncthreads()


def clear(tensor) -> None:
    """Simulator version of :func:`nvmath.device.clear`: zero a register fragment or accumulator.

    Example:
        >>> clear(acc)  # doctest: +SKIP
    """
    fragment = _fragment(tensor, "clear argument 0")
    fragment.data[...] = _from_compute(np.zeros(fragment.size), fragment.dtype)


def _check_same_partition(x: Fragment, y: Fragment, where: str) -> None:
    if x.matmul != y.matmul or x.partition.key() != y.partition.key():
        raise TypeError(f"{where}: x ({x.kind}) and y ({y.kind}) are fragments of different partitions.")


def axpby(alpha, x, beta, y) -> None:
    """Simulator version of :func:`nvmath.device.axpby`: ``y = alpha * x + beta * y`` elementwise.

    Example:
        >>> axpby(1.0, acc.get_results(), 1.0, frag_c)  # doctest: +SKIP
    """
    fx, fy = _fragment(x, "axpby argument 1"), _fragment(y, "axpby argument 3")
    _check_same_partition(fx, fy, "axpby(alpha, x, beta, y)")
    compute = _compute_dtype(fx.dtype, fy.dtype)
    result = compute.type(alpha) * _to_compute(fx.data, compute) + compute.type(beta) * _to_compute(fy.data, compute)
    fy.data[...] = _from_compute(result, fy.dtype)


def make_fragment_like(tensor, dtype) -> Fragment:
    """Simulator version of :func:`nvmath.device.make_fragment_like`: a new fragment of the same partition.

    Example:
        >>> out = make_fragment_like(acc.get_results(), np.float16)  # doctest: +SKIP
    """
    fragment = _fragment(tensor, "make_fragment_like argument 0")
    return Fragment(fragment.matmul, fragment.kind, _as_dtype(dtype), fragment.thread)


# ---- MM methods (nvmath.device.matmul._in_kernel) -----------------------------------------------------


def suggest_accumulator(mm) -> Accumulator:
    """Simulator version of ``MM.suggest_accumulator()`` (the ``suggested_rmem_c`` partition).

    Example:
        >>> acc = suggest_accumulator(MM)  # doctest: +SKIP
    """
    return Accumulator(mm, "suggested_rmem_c")


def get_accumulator(mm) -> Accumulator:
    """Simulator version of ``MM.get_accumulator()`` (the ``rmem_c`` partition).

    Example:
        >>> acc = get_accumulator(MM)  # doctest: +SKIP
    """
    return Accumulator(mm, "rmem_c")


def reference_gemm(alpha, a: np.ndarray, b: np.ndarray, beta, c: np.ndarray) -> np.ndarray:
    """``alpha * a @ b + beta * c`` in float64 (complex128; int64 for integers), cast to ``c``'s type.

    Example:
        >>> import numpy as np
        >>> a, b, c = np.ones((2, 3), np.float32), np.ones((3, 4), np.float32), np.ones((2, 4), np.float32)
        >>> reference_gemm(2.0, a, b, 1.0, c)[0, 0]
        np.float32(7.0)
    """
    compute = _compute_dtype(a.dtype, b.dtype, c.dtype, np.asarray(alpha).dtype, np.asarray(beta).dtype)
    product = _to_compute(a, compute) @ _to_compute(b, compute)
    return _from_compute(compute.type(alpha) * product + compute.type(beta) * _to_compute(c, compute), c.dtype)


def _gemm_share(mm, alpha, a: np.ndarray, b: np.ndarray, beta, c: np.ndarray) -> None:
    """This thread's share of the block-wide ``C = alpha * A @ B + beta * C`` (C's elements t, t + T, ...)."""
    me = _me()
    _check_launch(mm, me)
    rows, cols = _share(_thread_index(me), mm.block_size, *c.shape)
    if rows.size == 0:
        return
    compute = _compute_dtype(a.dtype, b.dtype, c.dtype, np.asarray(alpha).dtype, np.asarray(beta).dtype)
    product = np.einsum("ik,ki->i", _to_compute(a[rows], compute), _to_compute(b[:, cols], compute))
    old = _to_compute(c[rows, cols], compute)
    c[rows, cols] = _from_compute(compute.type(alpha) * product + compute.type(beta) * old, c.dtype)


def _check_number(value, where: str) -> None:
    if not isinstance(value, (int, float, complex, np.number)) or isinstance(value, bool):
        raise TypeError(f"{where} must be a number, got {type(value).__name__}.")


def _check_tensor(value, mm, matrix: str, where: str) -> Tensor:
    if not isinstance(value, Tensor) or value.matrix != matrix or value.matmul != mm or value.memory_space != "smem":
        raise TypeError(
            f"{where} must be a shared-memory tensor of {matrix.upper()} of this Matmul "
            f"(make_tensor(array, MM.suggest_layout_smem_{matrix}()) ...), got {value!r}."
        )
    return value


def execute(mm, *args: Any) -> None:
    """Simulator version of ``MM.execute(...)`` in its four forms (see :class:`nvmath.device.Matmul`).

    Example:
        >>> execute(MM, 1.0, smem_a, smem_b, 0.0, smem_c)  # doctest: +SKIP
    """
    where = f"{mm!r}.execute"
    n = len(args)
    tensors = any(isinstance(a, (Tensor, Fragment, Accumulator)) for a in args)
    if tensors and n == 3:
        ta = _check_tensor(args[0], mm, "a", f"{where} argument 0")
        tb = _check_tensor(args[1], mm, "b", f"{where} argument 1")
        acc = _fragment(args[2], f"{where} argument 2")
        if acc.matmul != mm:
            raise TypeError(f"{where} argument 2 is a fragment of another Matmul.")
        mask = acc.in_bounds()
        p = acc.positions()[mask]
        rows, cols = p % acc.partition.m, p // acc.partition.m
        compute = _compute_dtype(ta.view.dtype, tb.view.dtype, acc.dtype)
        product = np.einsum("ik,ki->i", _to_compute(ta.view[rows], compute), _to_compute(tb.view[:, cols], compute))
        acc.data[mask] = _from_compute(_to_compute(acc.data[mask], compute) + product, acc.dtype)
        return
    if tensors and n == 5:
        _check_number(args[0], f"{where} argument 0 (alpha)")
        _check_number(args[3], f"{where} argument 3 (beta)")
        ta = _check_tensor(args[1], mm, "a", f"{where} argument 1")
        tb = _check_tensor(args[2], mm, "b", f"{where} argument 2")
        tc = _check_tensor(args[4], mm, "c", f"{where} argument 4")
        _gemm_share(mm, args[0], ta.view, tb.view, args[3], tc.view)
        return
    if n == 5:
        alpha, a, b, beta, c = args
        lda, ldb, ldc = mm.leading_dimension
    elif n == 8:
        alpha, a, lda, b, ldb, beta, c, ldc = args
        for name, value in (("lda", lda), ("ldb", ldb), ("ldc", ldc)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{where}: {name} must be an integer, got {value!r}.")
    else:
        raise TypeError(
            f"{where} takes (alpha, a, b, beta, c), (alpha, a, lda, b, ldb, beta, c, ldc), (alpha, A, B, beta, C) "
            f"with shared-memory tensors or (A, B, C) with a register accumulator C; got {n} arguments."
        )
    _check_number(alpha, f"{where} alpha")
    _check_number(beta, f"{where} beta")
    views = [
        _pointer_view(mm, matrix, array, ld, f"{where} {matrix.upper()}")
        for matrix, array, ld in (("a", a, lda), ("b", b, ldb), ("c", c, ldc))
    ]
    _gemm_share(mm, alpha, *views[:2], beta, views[2])
