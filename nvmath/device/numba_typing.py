"""Numba typing for nvmath device objects (no code generation here; see numba_lowering).

- ``typeof(FFT)`` -> :class:`~nvmath.device.numba_types.FFTType`.
- Attributes of device-library objects (:class:`~nvmath.device.numba_types.DxType`) in
  kernels, from their trait tables: integers type as integer literals (so
  ``cuda.local.array(fft.storage_size, fft.value_type)`` works), types as dtypes, tuples
  such as ``block_dim`` as (named) tuples.
- ``fft.execute`` as a method whose argument checks say what is expected.
- Vector types: constructors and :func:`~nvmath.device.vector_types.to_complex`; the classes
  type as :class:`~nvmath.device.numba_types.VectorClassType`, so they are also dtypes
  (``cuda.local.array(n, float16x4)``).

Example:
    >>> import nvmath.device.numba_typing  # registers the typing (done by nvmath.device)
"""

from __future__ import annotations

from numba.core.errors import TypingError
from numba.cuda import types
from numba.cuda.extending import typeof_impl
from numba.cuda.typing.templates import (
    AttributeTemplate,
    ConcreteTemplate,
    bound_function,
    infer,
    infer_getattr,
    infer_global,
    signature,
)

from nvmath.device import vector_types as vt
from nvmath.device.element_types import numba_type
from nvmath.device.fft import FFT
from nvmath.device.lto.fft import kernel_code_description, prefetch_ltoir
from nvmath.device.numba_types import DxType, FFTType, VectorClassType, vector_numba_type

__all__ = ["EXECUTE_KEY", "brief_name", "execute_api"]

EXECUTE_KEY = "nvmath.device.FFT.execute"


@typeof_impl.register(FFT)
def _typeof_fft(value: FFT, context) -> FFTType:
    return FFTType(value.description, value.traits, value.precision)


def _dtype_ref(nb_type):
    return types.NumberClass(nb_type) if isinstance(nb_type, types.Number) else types.TypeRef(nb_type)


def brief_name(fft_type: FFTType) -> str:
    """A short name of the FFT for messages.

    Example:
        >>> import numpy as np
        >>> fft = FFT(64, np.float32, "c2c", "Block", direction="forward", sm=90)
        >>> brief_name(FFTType(fft.description, fft.traits, fft.precision))
        'FFT(64, float32, c2c forward, Block)'
    """
    d = fft_type.description
    precision = {"f16": "float16", "f32": "float32", "f64": "float64"}.get(d.precision, d.precision)
    kind = d.fft_type if d.direction is None or d.fft_type != "c2c" else f"c2c {d.direction}"
    return f"FFT({d.size}, {precision}, {kind}, {d.execution})"


def _expected_form(execution: str) -> str:
    local = "thread_data = cuda.local.array(fft.storage_size, fft.value_type)"
    if execution == "Thread":
        return f"fft.execute(thread_data) with {local}"
    return f"fft.execute(thread_data, smem) with {local}, smem = cuda.shared.array(0, fft.value_type)"


def execute_api(fft_type: FFTType, args) -> str:
    """Check the arguments of ``fft.execute(...)`` and return the API: ``'register'`` or ``'shared'``.

    Block execution takes ``(thread_data, smem)`` (register API) or ``(smem)`` (shared-memory
    API); Thread execution takes ``(thread_data)``.

    Raises:
        TypingError: the arguments do not match; the message says what is expected.
    """
    d = fft_type.description
    value = numba_type(fft_type.traits.value_type)
    name = brief_name(fft_type)
    valid_counts = (1,) if d.execution == "Thread" else (1, 2)
    if len(args) not in valid_counts:
        counts = "1 argument" if d.execution == "Thread" else "1 or 2 arguments"
        raise TypingError(f"{name}.execute takes {counts}, got {len(args)}. Expected {_expected_form(d.execution)}.")
    for index, arg in enumerate(args):
        if not isinstance(arg, types.Array) or arg.ndim != 1 or arg.dtype != value:
            raise TypingError(
                f"{name}.execute argument {index} must be a 1-D array of {value}, got {arg}. "
                f"Expected {_expected_form(d.execution)}."
            )
    if d.execution == "Thread" or len(args) == 2:
        return "register"
    return "shared"


@infer_getattr
class DxAttributes(AttributeTemplate):
    """Attributes of device-library objects in kernels: their trait tables (compile-time constants)."""

    key = DxType

    def generic_resolve(self, dx_type: DxType, attr: str):
        if attr in dx_type.not_applicable:
            raise TypingError(dx_type.not_applicable[attr])
        if attr in dx_type.int_traits:
            return types.IntegerLiteral(dx_type.int_traits[attr])
        if attr in dx_type.dtype_traits:
            return _dtype_ref(dx_type.dtype_traits[attr])
        if attr in dx_type.tuple_traits:
            values, named = dx_type.tuple_traits[attr]
            if named is None:
                return types.UniTuple(types.int64, len(values))
            return types.NamedUniTuple(types.int64, len(values), named)
        return None


@infer_getattr
class FFTAttributes(AttributeTemplate):
    """``fft.execute`` in kernels (the traits come from :class:`DxAttributes`)."""

    key = FFTType

    @bound_function(EXECUTE_KEY)
    def resolve_execute(self, fft_type: FFTType, args, kws):
        if kws:
            raise TypingError(f"{brief_name(fft_type)}.execute takes no keyword arguments, got {sorted(kws)}.")
        api = execute_api(fft_type, args)
        description, _ = kernel_code_description(fft_type.description, api)
        prefetch_ltoir(description, api)  # generate while typing and lowering go on
        return signature(types.void, *args)


# ---- vector types -----------------------------------------------------------------------


def _register_vector_constructors() -> None:
    f16x2 = vector_numba_type(vt.float16x2)
    f16x4 = vector_numba_type(vt.float16x4)
    f32x2 = vector_numba_type(vt.float32x2)
    f64x2 = vector_numba_type(vt.float64x2)
    cases = {
        vt.float16x2: [signature(f16x2, types.float16, types.float16), signature(f16x2, types.complex64)],
        vt.float16x4: [signature(f16x4, *([types.float16] * 4)), signature(f16x4, f16x2, f16x2)],
        vt.float32x2: [signature(f32x2, types.float32, types.float32), signature(f32x2, types.complex64)],
        vt.float64x2: [signature(f64x2, types.float64, types.float64), signature(f64x2, types.complex128)],
    }
    for cls, sigs in cases.items():
        template = type(f"{cls.__name__}_Constructor", (ConcreteTemplate,), {"key": cls, "cases": sigs})
        infer(template)
        # Callable (the constructor) and a dtype: cuda.local.array(n, float16x4) types.
        infer_global(cls, VectorClassType(template, vector_numba_type(cls)))

    to_complex_cases = [
        signature(types.complex64, f16x2),
        signature(types.complex64, f32x2),
        signature(types.complex128, f64x2),
    ]
    template = type("to_complex_Template", (ConcreteTemplate,), {"key": vt.to_complex, "cases": to_complex_cases})
    infer(template)
    infer_global(vt.to_complex, types.Function(template))


_register_vector_constructors()
