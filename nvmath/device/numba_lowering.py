"""Numba lowering (code generation) for nvmath device objects; typing is in numba_typing.

- Device-library objects (:class:`~nvmath.device.numba_types.DxType`) are compile-time
  constants (no runtime value); their traits lower to constants.
- ``fft.execute(...)`` lowers to a call of the cuFFTDx device function through
  :func:`nvmath.device.extern.call_extern`; its LTO-IR is generated (or read from the disk
  cache) at this point, i.e. only when a kernel that uses it is compiled. A c2c inverse on
  ``thread_data`` calls the forward function between two real/imaginary swaps (one function
  to link for a forward + inverse kernel). Before that, :func:`check_memory_spaces` checks
  from the LLVM values that ``thread_data`` is a local array of at least ``storage_size``
  elements and ``smem`` a shared array (Numba's array types do not tell).
- Vector type constructors and ``to_complex``.

Example:
    >>> import nvmath.device.numba_lowering  # registers the lowering (done by nvmath.device)
"""

from __future__ import annotations

import dataclasses

from llvmlite import ir
from numba.core import errors as numba_errors
from numba.cuda import cgutils, types
from numba.cuda.core import errors as cuda_errors
from numba.cuda.core.imputils import lower_builtin, lower_constant, lower_getattr_generic

from nvmath.device import vector_types as vt
from nvmath.device.extern import LTOIRCode, call_extern, compiling_a_kernel
from nvmath.device.lto import fft as backend
from nvmath.device.numba_types import DxType, FFTType, vector_numba_type
from nvmath.device.numba_typing import EXECUTE_KEY, brief_name, execute_api

__all__ = ["ExecuteTypingError", "Origin", "check_memory_spaces", "fft_code"]


@lower_constant(DxType)
def _dx_constant(context, builder, ty, pyval):
    return context.get_dummy_value()


@lower_getattr_generic(DxType)
def _dx_getattr(context, builder, dx_type: DxType, value, attr: str):
    if attr in dx_type.int_traits:
        return context.get_constant(types.int64, dx_type.int_traits[attr])
    if attr in dx_type.tuple_traits:
        values, named = dx_type.tuple_traits[attr]
        if named is None:
            tuple_type = types.UniTuple(types.int64, len(values))
        else:
            tuple_type = types.NamedUniTuple(types.int64, len(values), named)
        return context.make_tuple(builder, tuple_type, [context.get_constant(types.int64, v) for v in values])
    return context.get_dummy_value()  # dtype traits: the type is all there is


def fft_code(fft_type: FFTType, api: str) -> tuple[str, LTOIRCode, bool]:
    """Return ``(symbol, code, swap)``: the cuFFTDx device function a kernel links for ``fft_type`` and ``api``.

    ``swap`` is True when the function is the forward FFT that computes this c2c inverse
    between two real/imaginary swaps (see :func:`nvmath.device.lto.fft.kernel_code_description`).
    """
    description, swap = backend.kernel_code_description(fft_type.description, api)
    symbol, data = backend.generate_ltoir(description, api)
    return symbol, LTOIRCode(data, symbol), swap


def _swap_real_imag(context, builder, array_type, array_value, count: int) -> None:
    """Exchange the real and imaginary halves of elements ``0..count-1`` of a 1-D array, in place."""
    data = context.make_array(array_type)(context, builder, array_value).data
    for index in range(count):
        pointer = cgutils.gep_inbounds(builder, data, index)
        value = builder.load(pointer)
        members = len(value.type.elements)  # complex: (re, im); packed half: (re, re, im, im)
        swapped = value
        for position in range(members):
            part = builder.extract_value(value, (position + members // 2) % members)
            swapped = builder.insert_value(swapped, part, position)
        builder.store(swapped, pointer)


# ---- where the arrays given to fft.execute live --------------------------------------------------
#
# Numba's array types carry neither the memory space nor the length, so a shared array passed as
# thread_data (arguments swapped), a local array shorter than storage_size, or a global array in
# place of local memory all type. Their LLVM values still tell: the ``data`` member of the array
# struct is traced back (through insertvalue, loads of the allocas Numba keeps arrays in and the
# stores into them, casts and GEPs) to an ``alloca [N x T]`` (cuda.local.array(N)), an
# addrspace(3) global (cuda.shared.array) or a parameter of the function. What cannot be traced
# (phi nodes, pointer arithmetic) is accepted unchecked.

_DATA_FIELD = 4  # Numba's array model: meminfo, parent, nitems, itemsize, data, shape, strides
_SHARED = 3  # NVVM address spaces
_CONSTANT = 4
_MAX_DEPTH = 48
_MAX_STEPS = 4096  # per traced array: beyond it, the array is not checked


@dataclasses.dataclass(frozen=True)
class Origin:
    """Where an array's data lives, as far as its LLVM value tells.

    Attributes:
        space: ``'local'``, ``'shared'``, ``'global'``, ``'constant'``, ``'parameter'`` (a
            parameter of the function being compiled) or ``'unknown'``.
        length: elements of a local or static shared array, when the data pointer is its start.

    Example:
        >>> Origin("local", 1).describe()
        'a local array of 1 element'
    """

    space: str
    length: int | None = None

    def describe(self) -> str:
        """A few words for error messages."""
        if self.length is not None:
            return f"a {self.space} array of {self.length} element{'s' if self.length != 1 else ''}"
        return {"parameter": "a kernel argument (global memory)"}.get(self.space, f"a {self.space} array")


_UNKNOWN = Origin("unknown")


class ExecuteTypingError(cuda_errors.TypingError, numba_errors.TypingError):
    """``fft.execute`` got an array in the wrong memory space, or one shorter than ``storage_size``.

    Found while lowering (the array types alone do not tell); a TypingError of both numba-cuda
    (so that Numba adds where in the kernel) and ``numba.core.errors`` (what users catch).

    Example:
        >>> from numba.core.errors import TypingError
        >>> isinstance(ExecuteTypingError("thread_data must be a local array"), TypingError)
        True
    """


class _Tracer:
    """Trace array values of one LLVM function back to their allocation (see the comment above)."""

    def __init__(self, function: ir.Function) -> None:
        self.stores: dict[int, list] = {}  # id(pointer) -> values stored there (not constants)
        self.field_stores: dict[tuple[int, int], list] = {}  # (id(struct pointer), field) -> values
        for block in function.blocks:
            for instr in block.instructions:
                if not isinstance(instr, ir.StoreInstr) or isinstance(instr.operands[0], ir.Constant):
                    continue
                value, pointer = instr.operands
                self.stores.setdefault(id(pointer), []).append(value)
                field = self._struct_field(pointer)
                if field is not None:
                    self.field_stores.setdefault(field, []).append(value)

    @staticmethod
    def _struct_field(pointer) -> tuple[int, int] | None:
        if not isinstance(pointer, ir.GEPInstr) or len(pointer.indices) != 2:
            return None
        first, second = pointer.indices
        if not (isinstance(first, ir.Constant) and isinstance(second, ir.Constant)) or first.constant != 0:
            return None
        return id(pointer.pointer), second.constant

    def array(self, value) -> Origin:
        """Where the data of the Numba array struct ``value`` lives."""
        self.steps, self.path = 0, set()
        return self._merge(self._field(value, _DATA_FIELD, 0))

    @staticmethod
    def _merge(origins: list[Origin]) -> Origin:
        spaces = {o.space for o in origins}
        if len(spaces) != 1 or "unknown" in spaces:
            return _UNKNOWN
        lengths = [o.length for o in origins]
        return Origin(spaces.pop(), None if None in lengths else min(lengths))

    def _enter(self, key, depth: int) -> bool | None:
        """True to go on; False past the limits (unknown); None on a cycle (nothing new comes from there)."""
        self.steps += 1
        if depth > _MAX_DEPTH or self.steps > _MAX_STEPS:
            return False
        if key in self.path:
            return None
        self.path.add(key)
        return True

    def _field(self, value, field: int, depth: int) -> list[Origin]:
        key = ("field", id(value), field)
        go = self._enter(key, depth)
        if not go:
            return [] if go is None else [_UNKNOWN]
        try:
            if isinstance(value, ir.InsertValue):
                if list(value.indices) == [field]:
                    return self._pointer(value.value, depth + 1, False)
                return self._field(value.aggregate, field, depth + 1)
            if isinstance(value, ir.LoadInstr):
                pointer = value.operands[0]
                found = [o for v in self.stores.get(id(pointer), []) for o in self._field(v, field, depth + 1)]
                for v in self.field_stores.get((id(pointer), field), []):
                    found += self._pointer(v, depth + 1, False)
                return found or [_UNKNOWN]
            return [_UNKNOWN]
        finally:
            self.path.discard(key)

    def _pointer(self, value, depth: int, offset: bool) -> list[Origin]:
        key = ("pointer", id(value), offset)
        go = self._enter(key, depth)
        if not go:
            return [] if go is None else [_UNKNOWN]
        try:
            return self._pointer_origin(value, depth, offset)
        finally:
            self.path.discard(key)

    def _pointer_origin(self, value, depth: int, offset: bool) -> list[Origin]:
        if isinstance(value, ir.CastInstr) and value.opname in ("bitcast", "addrspacecast"):
            source = value.operands[0]
            if getattr(source.type, "addrspace", 0) == _SHARED:
                return [Origin("shared")]
            return self._pointer(source, depth + 1, offset)
        if isinstance(value, ir.GEPInstr):
            moved = not all(isinstance(i, ir.Constant) and i.constant == 0 for i in value.indices)
            return self._pointer(value.pointer, depth + 1, offset or moved)
        if isinstance(value, ir.AllocaInstr):
            allocated = value.allocated_type
            length = allocated.count if isinstance(allocated, ir.ArrayType) and not offset else None
            return [Origin("local", length)]
        if isinstance(value, ir.GlobalVariable):
            space = {_SHARED: "shared", _CONSTANT: "constant"}.get(value.type.addrspace, "global")
            allocated = value.value_type
            sized = isinstance(allocated, ir.ArrayType) and allocated.count > 0 and not offset
            return [Origin(space, allocated.count if sized and space == "shared" else None)]
        if isinstance(value, ir.Argument):
            return [Origin("parameter")]
        if isinstance(value, ir.LoadInstr):  # a pointer kept in memory
            stored = self.stores.get(id(value.operands[0]), [])
            return [o for v in stored for o in self._pointer(v, depth + 1, offset)] or [_UNKNOWN]
        return [_UNKNOWN]


def check_memory_spaces(fft_type: FFTType, api: str, values, function: ir.Function) -> None:
    """Check that ``fft.execute``'s arrays live where cuFFTDx needs them.

    ``thread_data`` must be a local array (``cuda.local.array``) of at least ``storage_size``
    elements; ``smem`` a shared array.

    Raises:
        ExecuteTypingError: an array is elsewhere or too short; the message says what is expected.
    """
    roles = ("thread_data", "smem") if api == "register" else ("smem",)
    tracer = _Tracer(function)
    storage_size = fft_type.traits.storage_size
    kernel = None
    for index, (role, value) in enumerate(zip(roles, values, strict=False)):
        origin = tracer.array(value)
        if origin.space == "parameter":
            kernel = compiling_a_kernel() if kernel is None else kernel
            if not kernel:
                continue
        expected = "shared" if role == "smem" else "local"
        too_short = role == "thread_data" and origin.space == "local" and (origin.length or storage_size) < storage_size
        if origin.space in (expected, "unknown") and not too_short:
            continue
        want = (
            f"a local array of at least storage_size = {storage_size} elements "
            "(cuda.local.array(fft.storage_size, fft.value_type))"
            if role == "thread_data"
            else "a shared array (cuda.shared.array(0, fft.value_type))"
        )
        other = "local" if role == "smem" else "shared"
        swapped = " (arguments swapped?)" if len(values) == 2 and origin.space == other else ""
        name = brief_name(fft_type)
        raise ExecuteTypingError(
            f"{name}.execute: {role} (argument {index}) must be {want}; got {origin.describe()}{swapped}."
        )


def _lower_execute(context, builder, sig, args):
    fft_type = sig.args[0]
    arg_types, values = sig.args[1:], args[1:]
    api = execute_api(fft_type, arg_types)
    check_memory_spaces(fft_type, api, values, builder.function)
    symbol, code, swap = fft_code(fft_type, api)
    storage_size = fft_type.traits.storage_size
    if swap:
        _swap_real_imag(context, builder, arg_types[0], values[0], storage_size)
    call_extern(context, builder, symbol, code, None, list(arg_types), list(values))
    if swap:
        _swap_real_imag(context, builder, arg_types[0], values[0], storage_size)
    return context.get_dummy_value()


lower_builtin(EXECUTE_KEY, FFTType, types.Array)(_lower_execute)
lower_builtin(EXECUTE_KEY, FFTType, types.Array, types.Array)(_lower_execute)


# ---- vector types -----------------------------------------------------------------------


def _make_struct(context, builder, vec_type, members):
    out = cgutils.create_struct_proxy(vec_type)(context, builder)
    for name, member in zip(vec_type.attr_names, members, strict=True):
        setattr(out, name, member)
    return out._getvalue()


def _members(context, builder, arg_type, value):
    if isinstance(arg_type, types.Complex):
        cplx = context.make_complex(builder, arg_type, value=value)
        return [cplx.real, cplx.imag]
    if hasattr(arg_type, "attr_names"):
        proxy = cgutils.create_struct_proxy(arg_type)(context, builder, value=value)
        return [getattr(proxy, name) for name in arg_type.attr_names]
    return [value]


def _lower_vector_constructor(context, builder, sig, args):
    vec_type = sig.return_type
    members = []
    for arg_type, value in zip(sig.args, args, strict=True):
        if isinstance(arg_type, types.Complex):  # float16x2(complex64): cast each part
            parts = _members(context, builder, arg_type, value)
            members += [context.cast(builder, p, arg_type.underlying_float, vec_type.base_type) for p in parts]
        else:
            members += _members(context, builder, arg_type, value)
    return _make_struct(context, builder, vec_type, members)


def _register_vector_lowering() -> None:
    f16x2 = vector_numba_type(vt.float16x2)
    f32x2 = vector_numba_type(vt.float32x2)
    f64x2 = vector_numba_type(vt.float64x2)
    signatures = {
        vt.float16x2: [(types.float16, types.float16), (types.complex64,)],
        vt.float16x4: [(types.float16,) * 4, (f16x2, f16x2)],
        vt.float32x2: [(types.float32, types.float32), (types.complex64,)],
        vt.float64x2: [(types.float64, types.float64), (types.complex128,)],
    }
    for cls, arglists in signatures.items():
        for arglist in arglists:
            lower_builtin(cls, *arglist)(_lower_vector_constructor)

    def to_complex(context, builder, sig, args):
        (vec_type,), (value,) = sig.args, args
        x, y = _members(context, builder, vec_type, value)
        part = sig.return_type.underlying_float
        x, y = context.cast(builder, x, vec_type.base_type, part), context.cast(builder, y, vec_type.base_type, part)
        out = context.make_complex(builder, sig.return_type)
        out.real, out.imag = x, y
        return out._getvalue()

    for vec_type in (f16x2, f32x2, f64x2):
        lower_builtin(vt.to_complex, vec_type)(to_complex)


_register_vector_lowering()
