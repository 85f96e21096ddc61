"""Numba lowering (code generation) for nvmath device objects; typing is in numba_typing.

- Device-library objects (:class:`~nvmath.device.numba_types.DxType`) are compile-time
  constants (no runtime value); their traits lower to constants.
- ``fft.execute(...)`` lowers to a call of the cuFFTDx device function through
  :func:`nvmath.device.extern.call_extern`; its LTO-IR is generated (or read from the disk
  cache) at this point, i.e. only when a kernel that uses it is compiled. A c2c inverse on
  ``thread_data`` calls the forward function between two real/imaginary swaps (one function
  to link for a forward + inverse kernel).
- Vector type constructors and ``to_complex``.

Example:
    >>> import nvmath.device.numba_lowering  # registers the lowering (done by nvmath.device)
"""

from __future__ import annotations

from numba.cuda import cgutils, types
from numba.cuda.core.imputils import lower_builtin, lower_constant, lower_getattr_generic

from nvmath.device import vector_types as vt
from nvmath.device.extern import LTOIRCode, call_extern
from nvmath.device.lto import fft as backend
from nvmath.device.numba_types import DxType, FFTType, vector_numba_type
from nvmath.device.numba_typing import EXECUTE_KEY, execute_api

__all__ = ["fft_code"]


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


def _lower_execute(context, builder, sig, args):
    fft_type = sig.args[0]
    arg_types, values = sig.args[1:], args[1:]
    symbol, code, swap = fft_code(fft_type, execute_api(fft_type, arg_types))
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
