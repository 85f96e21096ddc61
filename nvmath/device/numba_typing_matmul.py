"""Numba typing of cuBLASDx in kernels: ``MM.execute``, layouts, tensors, accumulators (lowering is
in :mod:`nvmath.device.numba_lowering_matmul`).

Every call decides here which libmathdx code it needs (an :class:`~nvmath.device.lto.matmul.ExecuteCode`
or :class:`~nvmath.device.lto.matmul.FunctionCode` request) and starts generating it in the
background, so the code of a kernel's calls is generated in parallel while Numba goes on.
Arguments that do not fit raise a ``TypingError`` that says what is expected. The traits of
``MM`` (sizes, types, block shape) come from :class:`~nvmath.device.numba_typing.DxAttributes`.

Example:
    >>> import nvmath.device.numba_typing_matmul  # registers the typing (done by nvmath.device)
"""

from __future__ import annotations

import operator
import threading

from numba.core.errors import TypingError
from numba.cuda import types
from numba.cuda.extending import typeof_impl
from numba.cuda.typing.templates import (
    AbstractTemplate,
    AttributeTemplate,
    bound_function,
    infer_getattr,
    infer_global,
    signature,
)

from nvmath.bindings.mathdx import CommondxValueType
from nvmath.device import tensors
from nvmath.device.element_types import numba_type
from nvmath.device.lto import matmul as backend
from nvmath.device.lto.matmul import CopyWaitCode, ExecuteCode, FunctionCode, TensorSpec
from nvmath.device.matmul import Matmul
from nvmath.device.numba_types import AccumulatorType, LayoutType, MatmulType, OpaqueTensorType

__all__ = [
    "EXECUTE_KEY",
    "LAYOUT_METHODS",
    "accumulator_request",
    "copy_request",
    "copy_wait_request",
    "note_sm",
    "execute_request",
    "value_type_name",
]

EXECUTE_KEY = "nvmath.device.Matmul.execute"

# MM.<method>() in kernels -> the tensor kind of the layout it makes.
LAYOUT_METHODS = {
    "get_layout_gmem_a": "gmem_a",
    "get_layout_gmem_b": "gmem_b",
    "get_layout_gmem_c": "gmem_c",
    "get_layout_smem_a": "smem_a",
    "get_layout_smem_b": "smem_b",
    "get_layout_smem_c": "smem_c",
    "suggest_layout_smem_a": "suggested_smem_a",
    "suggest_layout_smem_b": "suggested_smem_b",
    "suggest_layout_smem_c": "suggested_smem_c",
    "suggest_layout_rmem_c": "suggested_rmem_c",
    "get_layout_rmem_c": "rmem_c",
}
ACCUMULATOR_METHODS = {"suggest_accumulator": "suggested_rmem_c", "get_accumulator": "rmem_c"}

# Numba element types -> libmathdx value type names (for make_fragment_like).
_VALUE_TYPE_NAMES = {
    types.float16: "R_16F",
    types.float32: "R_32F",
    types.float64: "R_64F",
    types.complex64: "C_32F",
    types.complex128: "C_64F",
    types.bfloat16: "R_16BF",
    types.int8: "R_8I",
    types.int32: "R_32I",
}

_BITS_OF = {"R_16BF": (types.uint16, types.int16), "R_8F_E4M3": (types.uint8, types.int8)}
_BITS_OF["R_8F_E5M2"] = _BITS_OF["R_8F_E4M3"]


@typeof_impl.register(Matmul)
def _typeof_matmul(value: Matmul, context) -> MatmulType:
    return MatmulType(value)


def value_type_name(dtype) -> str:
    """The libmathdx value type name of a Numba element type (for ``make_fragment_like``).

    Raises:
        TypingError: a type with no cuBLASDx counterpart.
    """
    name = _VALUE_TYPE_NAMES.get(dtype)
    if name is None:
        raise TypingError(
            f"make_fragment_like: dtype {dtype} is not supported: allowed are {sorted(map(str, _VALUE_TYPE_NAMES))}."
        )
    return name


def _value_type(mm: Matmul, matrix: str):
    return numba_type(CommondxValueType[mm.traits.value_types["abc".index(matrix)]])


def _fits(dtype, mm: Matmul, matrix: str) -> bool:
    """Whether arrays of ``dtype`` can hold matrix ``matrix``'s elements (its type, or its bits)."""
    name = mm.traits.value_types["abc".index(matrix)]
    return dtype == _value_type(mm, matrix) or dtype in _BITS_OF.get(name, ())


def _expected_array(mm: Matmul, matrix: str) -> str:
    name = mm.traits.value_types["abc".index(matrix)]
    bits = _BITS_OF.get(name, ())
    extra = f" (or {' / '.join(map(str, bits))} carrying its bits)" if bits else ""
    return f"a 1-D array of {_value_type(mm, matrix)}{extra}"


def _check_array(where: str, index: int, arg, mm: Matmul, matrix: str) -> None:
    if not isinstance(arg, types.Array) or arg.ndim != 1 or not _fits(arg.dtype, mm, matrix):
        raise TypingError(
            f"{where} argument {index} ({matrix.upper()}) must be {_expected_array(mm, matrix)} in shared memory, "
            f"got {arg}."
        )


def _check_number(where: str, index: int, arg, what: str) -> None:
    if not isinstance(arg, types.Number):
        raise TypingError(f"{where} argument {index} ({what}) must be a number, got {arg}.")


def _check_tensor(where: str, index: int, arg, mm_type: MatmulType, matrix: str, spaces: tuple[str, ...]) -> None:
    if isinstance(arg, AccumulatorType) and matrix == "c" and "rmem" in spaces:
        arg = arg.fragment_type
    ok = (
        isinstance(arg, OpaqueTensorType)
        and arg.spec.matrix == matrix
        and arg.memory_space in spaces
        and arg.matmul.description == mm_type.description
    )
    if not ok:
        raise TypingError(
            f"{where} argument {index} must be a tensor of {matrix.upper()} of this Matmul in "
            f"{' or '.join(spaces)} (make_tensor(array, MM.suggest_layout_smem_{matrix}()) ...), got {arg}."
        )


def _spec(arg) -> TensorSpec:
    return arg.spec


def execute_request(mm_type: MatmulType, args) -> ExecuteCode | FunctionCode:
    """Check ``MM.execute(*args)`` and return the code it needs.

    Forms: ``(alpha, a, b, beta, c)`` with shared arrays (pointer API); ``(alpha, a, lda, b, ldb,
    beta, c, ldc)`` (runtime leading dimensions); ``(alpha, A, B, beta, C)`` with shared-memory
    tensors; ``(A, B, C)`` with a register fragment or accumulator ``C`` (``C += A @ B``).

    Raises:
        TypingError: the arguments fit no form; the message lists the forms.
    """
    mm = mm_type.matmul
    note_sm(mm.description.sm)
    where = f"{mm_type.name}.execute"
    forms = (
        "MM.execute(alpha, a, b, beta, c) with shared arrays a, b, c (a_size, b_size, c_size elements); "
        "MM.execute(alpha, a, lda, b, ldb, beta, c, ldc); MM.execute(alpha, A, B, beta, C) with shared-memory "
        "tensors; or MM.execute(A, B, C) with a register fragment/accumulator C"
    )
    n = len(args)
    tensor_form = n in (3, 5) and any(isinstance(a, (OpaqueTensorType, AccumulatorType)) for a in args)
    if tensor_form and n == 3:
        _check_tensor(where, 0, args[0], mm_type, "a", ("smem",))
        _check_tensor(where, 1, args[1], mm_type, "b", ("smem",))
        _check_tensor(where, 2, args[2], mm_type, "c", ("rmem",))
        c = args[2].fragment_type if isinstance(args[2], AccumulatorType) else args[2]
        return FunctionCode(mm.description, "execute", (_spec(args[0]), _spec(args[1]), _spec(c)))
    if tensor_form:
        _check_number(where, 0, args[0], "alpha")
        _check_number(where, 3, args[3], "beta")
        _check_tensor(where, 1, args[1], mm_type, "a", ("smem",))
        _check_tensor(where, 2, args[2], mm_type, "b", ("smem",))
        _check_tensor(where, 4, args[4], mm_type, "c", ("smem",))
        return FunctionCode(mm.description, "execute", (_spec(args[1]), _spec(args[2]), _spec(args[4])))
    if n == 5:
        _check_number(where, 0, args[0], "alpha")
        _check_number(where, 3, args[3], "beta")
        for index, matrix in ((1, "a"), (2, "b"), (4, "c")):
            _check_array(where, index, args[index], mm, matrix)
        return ExecuteCode(mm.description, "smem")
    if n == 8:
        _check_number(where, 0, args[0], "alpha")
        _check_number(where, 5, args[5], "beta")
        for index, matrix in ((1, "a"), (3, "b"), (6, "c")):
            _check_array(where, index, args[index], mm, matrix)
        for index, name in ((2, "lda"), (4, "ldb"), (7, "ldc")):
            if not isinstance(args[index], types.Integer):
                raise TypingError(f"{where} argument {index} ({name}) must be an integer, got {args[index]}.")
        return ExecuteCode(mm.description, "smem_dynamic_ld")
    raise TypingError(f"{where} takes {forms}; got {n} arguments {args}.")


def copy_request(src, dst) -> FunctionCode:
    """Check ``copy(src, dst)`` and return the code it needs.

    Raises:
        TypingError: not two tensors of the same matrix of one Matmul, or register to register.
    """
    src_t = src.fragment_type if isinstance(src, AccumulatorType) else src
    dst_t = dst.fragment_type if isinstance(dst, AccumulatorType) else dst
    if not isinstance(src_t, OpaqueTensorType) or not isinstance(dst_t, OpaqueTensorType):
        raise TypingError(f"copy(src, dst) takes two tensors (make_tensor(array, layout)), got {src} and {dst}.")
    if src_t.matmul.description != dst_t.matmul.description:
        raise TypingError(
            f"copy(src, dst): the tensors belong to different Matmuls ({src_t.matmul.description.describe()} and "
            f"{dst_t.matmul.description.describe()}); view the memory through one Matmul's layouts."
        )
    if src_t.spec.matrix != dst_t.spec.matrix:
        raise TypingError(
            f"copy(src, dst): src is a tensor of {src_t.spec.matrix.upper()}, dst of {dst_t.spec.matrix.upper()}."
        )
    if src_t.memory_space == dst_t.memory_space == "rmem":
        raise TypingError("copy(src, dst): both tensors are register fragments; use axpby(1, src, 0, dst).")
    note_sm(src_t.matmul.description.sm)
    return FunctionCode(src_t.matmul.description, "copy", (src_t.spec, dst_t.spec))


def accumulator_request(acc_type: AccumulatorType, function: str) -> FunctionCode:
    """The code of an accumulator method that works on its partition (``is_thread_active`` ...)."""
    return FunctionCode(acc_type.matmul.description, function, (acc_type.spec,))


def _prefetch(request) -> None:
    backend.prefetch(request)


_kernel_sm = threading.local()  # the sm of the Matmuls typed last in this thread (for copy_wait)


def note_sm(sm: int) -> None:
    """Remember the sm of a Matmul this thread's kernel uses (``copy_wait()`` has no argument to tell)."""
    _kernel_sm.value = sm


def copy_wait_request() -> CopyWaitCode:
    """The code of ``copy_wait()`` for the kernel being compiled in this thread.

    Raises:
        TypingError: no Matmul tensor was typed before it in this thread.
    """
    sm = getattr(_kernel_sm, "value", None)
    if sm is None:
        raise TypingError("copy_wait() waits for copy(); it has no copy of a Matmul's tensors to wait for.")
    return CopyWaitCode(sm)


# ---- MM methods -----------------------------------------------------------------------------


@infer_getattr
class MatmulAttributes(AttributeTemplate):
    """``MM.execute``, the layout getters and the accumulators in kernels (traits: DxAttributes)."""

    key = MatmulType

    @bound_function(EXECUTE_KEY)
    def resolve_execute(self, mm_type: MatmulType, args, kws):
        if kws:
            raise TypingError(f"{mm_type.name}.execute takes no keyword arguments, got {sorted(kws)}")
        _prefetch(execute_request(mm_type, args))
        return signature(types.void, *args)

    def generic_resolve(self, mm_type: MatmulType, attr: str):
        if attr in LAYOUT_METHODS or attr in ACCUMULATOR_METHODS:
            return types.BoundFunction(_method_template(attr), mm_type)
        return None


def _method_template(attr: str):
    key = f"nvmath.device.Matmul.{attr}"

    class MethodTemplate(AbstractTemplate):
        def generic(self, args, kws):
            mm_type = self.this
            if kws:
                raise TypingError(f"MM.{attr} takes no keyword arguments, got {sorted(kws)}")
            backend.prefetch_tensor_traits(mm_type.description)  # needed at lowering; start it now
            note_sm(mm_type.description.sm)
            if attr in ACCUMULATOR_METHODS:
                if args:
                    raise TypingError(f"MM.{attr}() takes no arguments, got {args}")
                acc = AccumulatorType(mm_type.matmul, TensorSpec(ACCUMULATOR_METHODS[attr]))
                return signature(acc).replace(recvr=mm_type)
            kind = LAYOUT_METHODS[attr]
            if kind.startswith("gmem"):
                if len(args) > 1 or (args and not isinstance(args[0], types.Integer)):
                    raise TypingError(f"MM.{attr}(ld=None) takes an optional integer leading dimension, got {args}")
            elif args:
                raise TypingError(f"MM.{attr}() takes no arguments, got {args}")
            return signature(LayoutType(mm_type.matmul, TensorSpec(kind)), *args).replace(recvr=mm_type)

    MethodTemplate.key = key
    return MethodTemplate


# ---- module functions ---------------------------------------------------------------------------


def _register(function, generic) -> None:
    template = type(f"{function.__name__}_Template", (AbstractTemplate,), {"key": function, "generic": generic})
    infer_global(function, types.Function(template))


def _make_tensor(self, args, kws):
    if kws or len(args) != 2:
        raise TypingError(f"make_tensor(array, layout) takes two arguments, got {args} {kws or ''}")
    array, layout = args
    if not isinstance(layout, LayoutType):
        raise TypingError(
            f"make_tensor argument 1 must be a layout (MM.get_layout_*(), MM.suggest_layout_*()), got {layout}."
        )
    mm, matrix = layout.matmul, layout.spec.matrix
    if not isinstance(array, types.Array) or not _fits(array.dtype, mm, matrix):
        raise TypingError(f"make_tensor argument 0 must be {_expected_array(mm, matrix)}, got {array}.")
    if layout.spec.memory_space != "gmem" and array.ndim != 1:
        raise TypingError(f"make_tensor argument 0 must be a 1-D array for a {layout.spec.kind} layout, got {array}.")
    if layout.spec.memory_space == "gmem" and array.layout not in ("C", "F") and array.ndim != 1:
        raise TypingError(f"make_tensor argument 0 must be a contiguous array for a global layout, got {array}.")
    return signature(OpaqueTensorType(mm, layout.spec, _value_type(mm, matrix)), array, layout)


def _copy(self, args, kws):
    if kws or len(args) != 2:
        raise TypingError(f"copy(src, dst) takes two tensors, got {args} {kws or ''}")
    _prefetch(copy_request(*args))
    return signature(types.void, *args)


def _copy_wait(self, args, kws):
    if args or kws:
        raise TypingError(f"copy_wait() takes no arguments, got {args} {kws or ''}")
    _prefetch(copy_wait_request())
    return signature(types.void)


def _fragment(where: str, index: int, arg):
    if isinstance(arg, AccumulatorType):
        return arg.fragment_type
    if not isinstance(arg, OpaqueTensorType) or arg.memory_space != "rmem":
        raise TypingError(f"{where} argument {index} must be a register fragment or accumulator, got {arg}.")
    return arg


def _clear(self, args, kws):
    if kws or len(args) != 1:
        raise TypingError(f"clear(tensor) takes one register fragment or accumulator, got {args} {kws or ''}")
    t = _fragment("clear", 0, args[0])
    _prefetch(FunctionCode(t.matmul.description, "clear", (t.spec,)))
    return signature(types.void, *args)


def _axpby(self, args, kws):
    if kws or len(args) != 4:
        raise TypingError(f"axpby(alpha, x, beta, y) takes four arguments, got {args} {kws or ''}")
    _check_number("axpby", 0, args[0], "alpha")
    _check_number("axpby", 2, args[2], "beta")
    x, y = _fragment("axpby", 1, args[1]), _fragment("axpby", 3, args[3])
    if x.matmul.description != y.matmul.description:
        raise TypingError("axpby(alpha, x, beta, y): x and y are fragments of different Matmuls.")
    _prefetch(FunctionCode(x.matmul.description, "axpby", (x.spec, y.spec)))
    return signature(types.void, *args)


def _make_fragment_like(self, args, kws):
    if kws or len(args) != 2:
        raise TypingError(f"make_fragment_like(tensor, dtype) takes two arguments, got {args} {kws or ''}")
    t = _fragment("make_fragment_like", 0, args[0])
    dtype = args[1]
    dtype = getattr(dtype, "dtype", getattr(dtype, "instance_type", dtype))
    name = value_type_name(dtype)
    spec = TensorSpec(t.spec.kind, t.spec.value_type if name == _VALUE_TYPE_NAMES.get(t.dtype) else name)
    if spec.value_type is not None:  # its storage size comes from a tensor-traits query: start it
        backend.prefetch_tensor_traits(t.matmul.description, (spec,))
    return signature(OpaqueTensorType(t.matmul, spec, dtype), *args)


_register(tensors.make_tensor, _make_tensor)
_register(tensors.copy, _copy)
_register(tensors.copy_wait, _copy_wait)
_register(tensors.clear, _clear)
_register(tensors.axpby, _axpby)
_register(tensors.make_fragment_like, _make_fragment_like)


# ---- accumulators and register fragments ---------------------------------------------------------

ACCUMULATOR_KEYS = {
    name: f"nvmath.device.Accumulator.{name}"
    for name in (
        "clear",
        "get_results",
        "partition_and_copy",
        "make_partition_and_copy",
        "map_fragment_index",
        "is_thread_active",
        "is_predicated",
        "is_index_in_bounds",
    )
}


@infer_getattr
class AccumulatorAttributes(AttributeTemplate):
    """Methods of register accumulators in kernels."""

    key = AccumulatorType

    def resolve_size(self, acc_type: AccumulatorType):
        return types.int64

    @bound_function(ACCUMULATOR_KEYS["clear"])
    def resolve_clear(self, acc_type, args, kws):
        _no_args("clear", args, kws)
        _prefetch(FunctionCode(acc_type.matmul.description, "clear", (acc_type.spec,)))
        return signature(types.void)

    @bound_function(ACCUMULATOR_KEYS["get_results"])
    def resolve_get_results(self, acc_type, args, kws):
        _no_args("get_results", args, kws)
        return signature(acc_type.fragment_type)

    @bound_function(ACCUMULATOR_KEYS["partition_and_copy"])
    def resolve_partition_and_copy(self, acc_type, args, kws):
        if kws or len(args) != 2:
            raise TypingError(f"acc.partition_and_copy(src, dst) takes two tensors, got {args}")
        _prefetch(copy_request(*args))
        return signature(types.void, *args)

    @bound_function(ACCUMULATOR_KEYS["make_partition_and_copy"])
    def resolve_make_partition_and_copy(self, acc_type, args, kws):
        if kws or len(args) != 1:
            raise TypingError(f"acc.make_partition_and_copy(src) takes one tensor of C, got {args}")
        _prefetch(copy_request(args[0], acc_type.fragment_type))
        return signature(acc_type.fragment_type, *args)

    @bound_function(ACCUMULATOR_KEYS["map_fragment_index"])
    def resolve_map_fragment_index(self, acc_type, args, kws):
        _one_int("map_fragment_index", args, kws)
        _prefetch(accumulator_request(acc_type, "map_idx2crd_partitioner"))
        return signature(types.UniTuple(types.int32, 2), *args)

    @bound_function(ACCUMULATOR_KEYS["is_thread_active"])
    def resolve_is_thread_active(self, acc_type, args, kws):
        _no_args("is_thread_active", args, kws)
        _prefetch(accumulator_request(acc_type, "is_thread_active"))
        return signature(types.boolean)

    @bound_function(ACCUMULATOR_KEYS["is_predicated"])
    def resolve_is_predicated(self, acc_type, args, kws):
        _no_args("is_predicated", args, kws)
        _prefetch(accumulator_request(acc_type, "is_predicated"))
        return signature(types.boolean)

    @bound_function(ACCUMULATOR_KEYS["is_index_in_bounds"])
    def resolve_is_index_in_bounds(self, acc_type, args, kws):
        _one_int("is_index_in_bounds", args, kws)
        _prefetch(accumulator_request(acc_type, "is_index_in_bounds"))
        return signature(types.boolean, *args)


def _no_args(name: str, args, kws) -> None:
    if args or kws:
        raise TypingError(f"acc.{name}() takes no arguments, got {args} {kws or ''}")


def _one_int(name: str, args, kws) -> None:
    if kws or len(args) != 1 or not isinstance(args[0], types.Integer):
        raise TypingError(f"acc.{name}(index) takes one integer index, got {args} {kws or ''}")


@infer_getattr
class TensorAttributes(AttributeTemplate):
    """``tensor.size`` (elements; a register fragment's: this thread's) in kernels."""

    key = OpaqueTensorType

    def resolve_size(self, tensor_type: OpaqueTensorType):
        return types.int64


@infer_global(operator.getitem)  # this numba-cuda consults no @infer template for getitem
class FragmentGetItem(AbstractTemplate):
    """``fragment[i]`` of a register fragment (element ``i`` of this thread's part; see ``map_fragment_index``)."""

    key = operator.getitem

    def generic(self, args, kws):
        if len(args) == 2 and isinstance(args[0], (OpaqueTensorType, AccumulatorType)):
            t = _fragment("fragment[i]", 0, args[0])
            if not isinstance(args[1], types.Integer):
                raise TypingError(f"A register fragment is indexed by one integer, got {args[1]}.")
            return signature(t.dtype, *args)
        return None


@infer_global(operator.setitem)
class FragmentSetItem(AbstractTemplate):
    """``fragment[i] = value`` of a register fragment."""

    key = operator.setitem

    def generic(self, args, kws):
        if len(args) == 3 and isinstance(args[0], (OpaqueTensorType, AccumulatorType)):
            t = _fragment("fragment[i] = value", 0, args[0])
            if not isinstance(args[1], types.Integer):
                raise TypingError(f"A register fragment is indexed by one integer, got {args[1]}.")
            if not isinstance(args[2], types.Number):
                raise TypingError(f"fragment[i] = value needs a number, got {args[2]}.")
            return signature(types.void, args[0], args[1], t.dtype)
        return None
