"""Numba lowering of cuBLASDx in kernels (typing is in :mod:`nvmath.device.numba_typing_matmul`).

Each call lowers to a call of a libmathdx device function (generated in the background since
typing, or read from the disk cache here) that the link step inlines. The C ABI:

- the pointer API passes every argument by pointer (``alpha``, ``beta`` and the runtime
  leading dimensions are stored in this thread's local memory first);
- opaque tensors pass *by value* as identified structs, ``{ i8* }`` for shared and register
  tensors and ``{ i8*, [1 x i64] }`` (pointer, leading dimension) for global ones. An identified
  struct is what libmathdx's own code uses: with a literal struct, the types at the call and in
  the definition differ, and the call is not inlined (measured: a CALL and local memory in SASS).
- register fragments and accumulators live in this thread's local memory (an ``alloca`` of the
  tensor's storage size, 16-byte aligned), which the compiler keeps in registers once
  everything is inlined.

Example:
    >>> import nvmath.device.numba_lowering_matmul  # registers the lowering (done by nvmath.device)
"""

from __future__ import annotations

import operator

from llvmlite import ir
from numba.cuda import cgutils, types
from numba.cuda.core.imputils import lower_builtin, lower_getattr

from nvmath.device import tensors
from nvmath.device.extern import LTOIRCode, call_extern_values
from nvmath.device.lto import matmul as backend
from nvmath.device.numba_types import AccumulatorType, LayoutType, MatmulType, OpaqueTensorType
from nvmath.device.numba_typing_matmul import (
    ACCUMULATOR_KEYS,
    EXECUTE_KEY,
    LAYOUT_METHODS,
    accumulator_request,
    copy_request,
    copy_wait_request,
    execute_request,
)

__all__ = ["tensor_abi_value"]

_I8P = ir.IntType(8).as_pointer()
_I32 = ir.IntType(32)
_I64 = ir.IntType(64)
_STORAGE_ALIGNMENT = 16


def _identified(name: str, *body) -> ir.IdentifiedStructType:
    struct = ir.global_context.get_identified_type(name)
    if struct.is_opaque:
        struct.set_body(*body)
    return struct


_SMEM_TENSOR = _identified("struct.nvmath_cublasdx_tensor", _I8P)
_GMEM_TENSOR = _identified("struct.nvmath_cublasdx_gmem_tensor", _I8P, ir.ArrayType(_I64, 1))


def _code(request) -> tuple[str, LTOIRCode]:
    symbol, data = backend.generate(request)
    arch_specific = getattr(getattr(request, "description", None), "arch_specific", False)
    return symbol, LTOIRCode(data, symbol, arch_specific=arch_specific)


def _call(context, builder, request, values) -> None:
    symbol, code = _code(request)
    call_extern_values(context, builder, symbol, code, ir.VoidType(), values)


def tensor_abi_value(context, builder, tensor_type: OpaqueTensorType, value) -> ir.Value:
    """The by-value C ABI struct of an opaque tensor (see the module docstring)."""
    tensor = cgutils.create_struct_proxy(tensor_type)(context, builder, value=value)
    pointer = builder.bitcast(tensor.data, _I8P)
    if tensor_type.memory_space == "gmem":
        result = builder.insert_value(ir.Constant(_GMEM_TENSOR, ir.Undefined), pointer, 0)
        return builder.insert_value(result, tensor.ld, [1, 0])
    return builder.insert_value(ir.Constant(_SMEM_TENSOR, ir.Undefined), pointer, 0)


def _as_tensor(context, builder, ty, value) -> tuple[OpaqueTensorType, ir.Value]:
    """``(tensor type, tensor value)`` of a tensor or an accumulator (its fragment)."""
    if isinstance(ty, AccumulatorType):
        acc = cgutils.create_struct_proxy(ty)(context, builder, value=value)
        return ty.fragment_type, acc.fragment
    return ty, value


def _abi(context, builder, ty, value) -> ir.Value:
    tensor_type, tensor = _as_tensor(context, builder, ty, value)
    return tensor_abi_value(context, builder, tensor_type, tensor)


def _scalar_pointer(context, builder, value, from_type, to_type) -> ir.Value:
    """``value`` converted to ``to_type``, stored in this thread's local memory; the pointer as ``i8*``."""
    converted = context.cast(builder, value, from_type, to_type)
    slot = cgutils.alloca_once(builder, context.get_value_type(to_type))
    builder.store(converted, slot)
    return builder.bitcast(slot, _I8P)


def _int_pointer(builder, value, llvm_type=_I32) -> ir.Value:
    if value.type != llvm_type:
        value = (
            builder.trunc(value, llvm_type) if value.type.width > llvm_type.width else builder.sext(value, llvm_type)
        )
    slot = cgutils.alloca_once(builder, llvm_type)
    builder.store(value, slot)
    return builder.bitcast(slot, _I8P)


def _storage(context, builder, tensor_type: OpaqueTensorType) -> ir.Value:
    """A new register fragment's storage: an aligned alloca in the function's entry block."""
    mm = tensor_type.matmul
    nbytes = mm.tensor_traits(tensor_type.spec).storage_bytes
    with builder.goto_entry_block():
        slot = builder.alloca(ir.ArrayType(ir.IntType(8), max(nbytes, 1)))
        slot.align = _STORAGE_ALIGNMENT
    return builder.bitcast(slot, context.get_value_type(types.CPointer(tensor_type.dtype)))


def _new_fragment(context, builder, tensor_type: OpaqueTensorType) -> ir.Value:
    tensor = cgutils.create_struct_proxy(tensor_type)(context, builder)
    tensor.data = _storage(context, builder, tensor_type)
    tensor.ld = context.get_constant(types.int64, 0)
    return tensor._getvalue()


# ---- MM.execute --------------------------------------------------------------------------------


def _lower_execute(context, builder, sig, args):
    mm_type, arg_types, values = sig.args[0], sig.args[1:], args[1:]
    request = execute_request(mm_type, arg_types)
    c_type = mm_type.dtype_traits["c_value_type"]
    if isinstance(request, backend.ExecuteCode):
        symbol, code = _code(request)
        if request.api == "smem":
            alpha_i, beta_i, arrays = 0, 3, (1, 2, 4)
        else:
            alpha_i, beta_i, arrays = 0, 5, (1, 3, 6)
        pointers = {
            alpha_i: _scalar_pointer(context, builder, values[alpha_i], arg_types[alpha_i], c_type),
            beta_i: _scalar_pointer(context, builder, values[beta_i], arg_types[beta_i], c_type),
        }
        for index in arrays:
            array = cgutils.create_struct_proxy(arg_types[index])(context, builder, value=values[index])
            pointers[index] = builder.bitcast(array.data, _I8P)
        if request.api == "smem_dynamic_ld":
            for index in (2, 4, 7):
                pointers[index] = _int_pointer(builder, values[index])
        ordered = [pointers[i] for i in range(len(values))]
        call_extern_values(context, builder, symbol, code, ir.VoidType(), ordered)
        return context.get_dummy_value()
    if len(values) == 3:  # (A, B, C in registers): C += A @ B
        _call(context, builder, request, [_abi(context, builder, t, v) for t, v in zip(arg_types, values, strict=True)])
        return context.get_dummy_value()
    alpha = _scalar_pointer(context, builder, values[0], arg_types[0], c_type)
    beta = _scalar_pointer(context, builder, values[3], arg_types[3], c_type)
    a, b, c = (_abi(context, builder, arg_types[i], values[i]) for i in (1, 2, 4))
    _call(context, builder, request, [alpha, a, b, beta, c])
    return context.get_dummy_value()


lower_builtin(EXECUTE_KEY, MatmulType, types.VarArg(types.Any))(_lower_execute)


# ---- layouts, accumulators, tensors ------------------------------------------------------------


def _lower_layout(context, builder, sig, args):
    layout = cgutils.create_struct_proxy(sig.return_type)(context, builder)
    if len(args) > 1:
        layout.ld = context.cast(builder, args[1], sig.args[1], types.int64)
    else:
        layout.ld = context.get_constant(types.int64, -1)
    return layout._getvalue()


for _name in LAYOUT_METHODS:
    lower_builtin(f"nvmath.device.Matmul.{_name}", MatmulType)(_lower_layout)
    lower_builtin(f"nvmath.device.Matmul.{_name}", MatmulType, types.Integer)(_lower_layout)


def _lower_accumulator(context, builder, sig, args):
    acc_type = sig.return_type
    acc = cgutils.create_struct_proxy(acc_type)(context, builder)
    acc.fragment = _new_fragment(context, builder, acc_type.fragment_type)
    return acc._getvalue()


for _name in ("suggest_accumulator", "get_accumulator"):
    lower_builtin(f"nvmath.device.Matmul.{_name}", MatmulType)(_lower_accumulator)


def _default_gmem_ld(tensor_type: OpaqueTensorType) -> int:
    mm = tensor_type.matmul
    matrix = tensor_type.spec.matrix
    rows, cols = {"a": mm.a_dim, "b": mm.b_dim, "c": mm.c_dim}[matrix]
    return rows if getattr(mm.arrangement, matrix) == "col_major" else cols


@lower_builtin(tensors.make_tensor, types.Array, LayoutType)
def _lower_make_tensor(context, builder, sig, args):
    tensor_type = sig.return_type
    array = cgutils.create_struct_proxy(sig.args[0])(context, builder, value=args[0])
    tensor = cgutils.create_struct_proxy(tensor_type)(context, builder)
    tensor.data = builder.bitcast(array.data, context.get_value_type(types.CPointer(tensor_type.dtype)))
    if tensor_type.memory_space == "gmem":
        ld = cgutils.create_struct_proxy(sig.args[1])(context, builder, value=args[1]).ld
        default = context.get_constant(types.int64, _default_gmem_ld(tensor_type))
        is_default = builder.icmp_signed("<", ld, context.get_constant(types.int64, 0))
        tensor.ld = builder.select(is_default, default, ld)
    else:
        tensor.ld = context.get_constant(types.int64, 0)
    return tensor._getvalue()


_TENSORISH = (OpaqueTensorType, AccumulatorType)


def _lower_copy(context, builder, sig, args):
    src_t, dst_t = sig.args[-2], sig.args[-1]
    request = copy_request(src_t, dst_t)
    _call(context, builder, request, [_abi(context, builder, src_t, args[-2]), _abi(context, builder, dst_t, args[-1])])
    return context.get_dummy_value()


for _src in _TENSORISH:
    for _dst in _TENSORISH:
        lower_builtin(tensors.copy, _src, _dst)(_lower_copy)
        lower_builtin(ACCUMULATOR_KEYS["partition_and_copy"], AccumulatorType, _src, _dst)(_lower_copy)


@lower_builtin(tensors.copy_wait)
def _lower_copy_wait(context, builder, sig, args):
    _call(context, builder, copy_wait_request(), [])
    return context.get_dummy_value()


def _lower_clear(context, builder, sig, args):
    tensor_type, tensor = _as_tensor(context, builder, sig.args[-1], args[-1])
    request = backend.FunctionCode(tensor_type.matmul.description, "clear", (tensor_type.spec,))
    _call(context, builder, request, [tensor_abi_value(context, builder, tensor_type, tensor)])
    return context.get_dummy_value()


for _t in _TENSORISH:
    lower_builtin(tensors.clear, _t)(_lower_clear)


@lower_builtin(ACCUMULATOR_KEYS["clear"], AccumulatorType)
def _lower_acc_clear(context, builder, sig, args):
    return _lower_clear(context, builder, sig.replace(args=(sig.args[0],)), [args[0]])


def _lower_axpby(context, builder, sig, args):
    x_type, x = _as_tensor(context, builder, sig.args[1], args[1])
    y_type, y = _as_tensor(context, builder, sig.args[3], args[3])
    request = backend.FunctionCode(x_type.matmul.description, "axpby", (x_type.spec, y_type.spec))
    alpha = _scalar_pointer(context, builder, args[0], sig.args[0], x_type.dtype)
    beta = _scalar_pointer(context, builder, args[2], sig.args[2], y_type.dtype)
    x_abi = tensor_abi_value(context, builder, x_type, x)
    y_abi = tensor_abi_value(context, builder, y_type, y)
    _call(context, builder, request, [alpha, x_abi, beta, y_abi])
    return context.get_dummy_value()


for _x in _TENSORISH:
    for _y in _TENSORISH:
        lower_builtin(tensors.axpby, types.Number, _x, types.Number, _y)(_lower_axpby)


def _lower_make_fragment_like(context, builder, sig, args):
    return _new_fragment(context, builder, sig.return_type)


for _t in _TENSORISH:
    lower_builtin(tensors.make_fragment_like, _t, types.Any)(_lower_make_fragment_like)


# ---- accumulator methods and fragment elements ---------------------------------------------------


@lower_builtin(ACCUMULATOR_KEYS["get_results"], AccumulatorType)
def _lower_get_results(context, builder, sig, args):
    return cgutils.create_struct_proxy(sig.args[0])(context, builder, value=args[0]).fragment


for _src in _TENSORISH:

    @lower_builtin(ACCUMULATOR_KEYS["make_partition_and_copy"], AccumulatorType, _src)
    def _lower_make_partition_and_copy(context, builder, sig, args):
        acc_type, src_type = sig.args
        fragment_type = acc_type.fragment_type
        fragment = _new_fragment(context, builder, fragment_type)
        request = copy_request(src_type, fragment_type)
        src = _abi(context, builder, src_type, args[1])
        _call(context, builder, request, [src, tensor_abi_value(context, builder, fragment_type, fragment)])
        return fragment


def _flag(context, builder, request, pointers) -> ir.Value:
    out = cgutils.alloca_once_value(builder, _I32(0))
    _call(context, builder, request, [*pointers, builder.bitcast(out, _I8P)])
    return builder.icmp_unsigned("!=", builder.load(out), _I32(0))


@lower_builtin(ACCUMULATOR_KEYS["is_thread_active"], AccumulatorType)
def _lower_is_thread_active(context, builder, sig, args):
    return _flag(context, builder, accumulator_request(sig.args[0], "is_thread_active"), [])


@lower_builtin(ACCUMULATOR_KEYS["is_predicated"], AccumulatorType)
def _lower_is_predicated(context, builder, sig, args):
    return _flag(context, builder, accumulator_request(sig.args[0], "is_predicated"), [])


@lower_builtin(ACCUMULATOR_KEYS["is_index_in_bounds"], AccumulatorType, types.Integer)
def _lower_is_index_in_bounds(context, builder, sig, args):
    index = _int_pointer(builder, args[1])
    return _flag(context, builder, accumulator_request(sig.args[0], "is_index_in_bounds"), [index])


@lower_builtin(ACCUMULATOR_KEYS["map_fragment_index"], AccumulatorType, types.Integer)
def _lower_map_fragment_index(context, builder, sig, args):
    index = _int_pointer(builder, args[1])
    row = cgutils.alloca_once_value(builder, _I32(0))
    col = cgutils.alloca_once_value(builder, _I32(0))
    request = accumulator_request(sig.args[0], "map_idx2crd_partitioner")
    _call(context, builder, request, [index, builder.bitcast(row, _I8P), builder.bitcast(col, _I8P)])
    return context.make_tuple(builder, sig.return_type, [builder.load(row), builder.load(col)])


def _lower_size(context, builder, ty, value):
    tensor_type = ty.fragment_type if isinstance(ty, AccumulatorType) else ty
    size = tensor_type.matmul.tensor_traits(tensor_type.spec).logical_size
    return context.get_constant(types.int64, size)


lower_getattr(AccumulatorType, "size")(_lower_size)
lower_getattr(OpaqueTensorType, "size")(_lower_size)


def _element_pointer(context, builder, ty, value, index, index_type):
    tensor_type, tensor = _as_tensor(context, builder, ty, value)
    data = cgutils.create_struct_proxy(tensor_type)(context, builder, value=tensor).data
    offset = context.cast(builder, index, index_type, types.intp)
    return tensor_type, builder.gep(data, [offset])


for _t in _TENSORISH:

    @lower_builtin(operator.getitem, _t, types.Integer)
    def _lower_getitem(context, builder, sig, args):
        _, pointer = _element_pointer(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        return builder.load(pointer)

    @lower_builtin(operator.setitem, _t, types.Integer, types.Any)
    def _lower_setitem(context, builder, sig, args):
        tensor_type, pointer = _element_pointer(context, builder, sig.args[0], args[0], args[1], sig.args[1])
        builder.store(context.cast(builder, args[2], sig.args[2], tensor_type.dtype), pointer)
        return context.get_dummy_value()
