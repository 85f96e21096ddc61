"""cuFFT LTO callbacks written in Python: compile prologs/epilogs and check what a plan is given.

A prolog replaces cuFFT's load of each input element, an epilog its store of each output
element; both are fused into cuFFT's kernels through ``cufftXtSetJITCallback``. Their ABI
(cuFFT 12, ``cufftXt.h``)::

    prolog: element fn(void* data_in, unsigned long long offset, void* user_info, void* unused)
    epilog: void fn(void* data_out, unsigned long long offset, element value, void* user_info, void* unused)

where ``element`` is ``float``, ``double``, ``float2`` (complex64) or ``double2`` (complex128).
:func:`compile_prolog` / :func:`compile_epilog` compile a Python function with that C ABI to
LTO-IR through ``nvmath.compile.compile_device_function`` (Numba; cached on disk), exported under
cuFFT's conventional name for the callback type (C++ ``cufftJITCallbackLoadComplex(void*,
unsigned long long, void*, void*)``, i.e. ``_Z27cufftJITCallbackLoadComplexPvyS_S_``), which cuFFT
finds when no symbol name is given to ``cufftXtSetJITCallback``.

Example:
    >>> from nvmath.host.fft_callbacks import compile_epilog
    >>> def scale(data_out, offset, value, user_info, unused):
    ...     data_out[offset] = value * 0.5
    >>> ltoir = compile_epilog(scale, "complex64", "complex64", compute_capability=(9, 0))
    >>> ltoir.phase, ltoir.element_dtype, ltoir.symbol
    ('epilog', 'complex64', '_Z28cufftJITCallbackStoreComplexPvy6float2S_S_')
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "CallbackLTOIR",
    "DeviceCallable",
    "callback_symbol",
    "check_callback",
    "compile_epilog",
    "compile_prolog",
]

VALID_DTYPES = ("float32", "float64", "complex64", "complex128")
_SNIPPET = {"float32": "Real", "float64": "DoubleReal", "complex64": "Complex", "complex128": "DoubleComplex"}
_MANGLED = {"float32": "f", "float64": "d", "complex64": "6float2", "complex128": "7double2"}
_PHASE = {"prolog": "Load", "epilog": "Store"}
_ARITY = {"prolog": 4, "epilog": 5}
_SIGNATURE_TEXT = {
    "prolog": "prolog(data_in, offset, user_info, unused) -> element",
    "epilog": "epilog(data_out, offset, element, user_info, unused)",
}


def callback_symbol(phase: str, element_dtype: str) -> str:
    """The conventional (C++-mangled) cuFFT name of a load/store callback of ``element_dtype``.

    Example:
        >>> callback_symbol("prolog", "complex64")
        '_Z27cufftJITCallbackLoadComplexPvyS_S_'
    """
    kind = _PHASE[phase]
    snippet = _SNIPPET[element_dtype]
    insert = "" if phase == "prolog" else _MANGLED[element_dtype]
    return f"_Z{16 + len(kind) + len(snippet)}cufftJITCallback{kind}{snippet}Pvy{insert}S_S_"


class CallbackLTOIR(bytes):
    """LTO-IR bytes of a compiled callback, remembering what it was compiled for.

    It is ``bytes`` (pass it anywhere LTO-IR is expected); the attributes let plans check
    that the callback fits the transform.

    Attributes:
        phase: ``'prolog'`` or ``'epilog'``.
        element_dtype: the element dtype name.
        user_info_dtype: the user-info dtype name (or the Numba type's text).
        symbol: the exported symbol name.

    Example:
        >>> CallbackLTOIR(b"x", "prolog", "float32", "float32", "f").phase
        'prolog'
    """

    phase: str
    element_dtype: str
    user_info_dtype: str
    symbol: str

    def __new__(cls, data: bytes, phase: str, element_dtype: str, user_info_dtype: str, symbol: str):
        obj = super().__new__(cls, data)
        obj.phase = phase
        obj.element_dtype = element_dtype
        obj.user_info_dtype = user_info_dtype
        obj.symbol = symbol
        return obj


@dataclass(frozen=True)
class DeviceCallable:
    """A callback for ``prolog=`` / ``epilog=``: LTO-IR, its user data and symbol name.

    Args:
        ltoir: LTO-IR bytes (from :func:`compile_prolog` / :func:`compile_epilog`, NVRTC ``-dlto`` ...).
        data: the ``user_info`` pointer passed to the callback: an int device address, or a CuPy
            array / CUDA tensor (its data pointer; the array is kept alive by the plan).
        symbol: the callback's (unmangled C++) function name in ``ltoir``, as given to
            ``cufftXtSetJITCallback``; None: cuFFT's conventional name
            (``cufftJITCallbackLoadComplex`` ...), the one :func:`compile_prolog` and
            :func:`compile_epilog` export.

    Raises:
        TypeError / ValueError: ``ltoir`` not non-empty bytes, ``data`` not an int >= 0 (or a
            GPU array), ``symbol`` neither a str nor None.

    Example:
        >>> DeviceCallable(b"...", data=0).data
        0
    """

    ltoir: bytes
    data: Any = 0
    symbol: str | None = None

    def __post_init__(self) -> None:
        _check_parts("", self.ltoir, self.data, self.symbol)


def _dtype_name(value, name: str) -> str:
    try:
        dtype = np.dtype(value).name
    except TypeError:
        dtype = None
    if dtype not in VALID_DTYPES:
        raise ValueError(f"Argument {name!r} = {value!r} is not supported: allowed values are {list(VALID_DTYPES)}.")
    return dtype


def _numba_type(dtype: str):
    from numba.core import types

    return getattr(types, dtype)


def _normalize_cc(compute_capability) -> tuple[int, int]:
    if compute_capability is None:
        from nvmath.host.devices import NoGPUError, ensure_gpu
        from nvmath.host.devices import compute_capability as device_cc

        try:
            ensure_gpu(0, "compile_prolog/compile_epilog without compute_capability")
        except NoGPUError as exc:
            raise NoGPUError(f"{exc} Pass compute_capability=(9, 0) (or your GPU's) to compile without one.") from None
        from cuda.core import Device

        return device_cc(Device().device_id)
    from nvmath.compile import normalize_cc

    return normalize_cc(compute_capability, name="compute_capability")


def _compile(phase: str, fn, element_dtype, user_info_dtype, compute_capability) -> CallbackLTOIR:
    if not callable(fn) or not inspect.isfunction(fn):
        raise TypeError(f"Argument '{phase}_fn' = {fn!r} must be a plain Python function, {_SIGNATURE_TEXT[phase]}.")
    params = inspect.signature(fn).parameters
    if len(params) != _ARITY[phase]:
        raise TypeError(
            f"The {phase} function {fn.__qualname__} takes {len(params)} argument(s): a cuFFT {phase} takes "
            f"{_ARITY[phase]}, {_SIGNATURE_TEXT[phase]}."
        )
    element = _dtype_name(element_dtype, "element_dtype")
    from numba.core import types

    if isinstance(user_info_dtype, types.Type):
        info_type, info_name = user_info_dtype, str(user_info_dtype)
    else:
        info_name = _dtype_name(user_info_dtype, "user_info_dtype")
        info_type = _numba_type(info_name)
    cc = _normalize_cc(compute_capability)

    from nvmath.compile import compile_device_function

    element_type = _numba_type(element)
    data_ptr = types.CPointer(element_type)
    info_ptr = types.CPointer(info_type)
    symbol = callback_symbol(phase, element)
    if phase == "prolog":
        restype, argtypes = element_type, [data_ptr, types.uint64, info_ptr, data_ptr]
    else:
        restype, argtypes = None, [data_ptr, types.uint64, element_type, info_ptr, data_ptr]
    code = compile_device_function(fn, restype, argtypes, symbol=symbol, cc=cc)
    return CallbackLTOIR(code.data, phase, element, info_name, symbol)


def compile_prolog(prolog_fn, element_dtype, user_info_dtype, *, compute_capability=None) -> CallbackLTOIR:
    """Compile a Python prolog to LTO-IR for ``prolog=`` of :func:`nvmath.fft.fft` and :meth:`FFT.plan`.

    Args:
        prolog_fn: ``prolog_fn(data_in, offset, user_info, unused) -> element``: returns the
            input element to transform at flat ``offset`` (in elements of the input layout).
            ``data_in`` and ``user_info`` are pointers indexed like arrays.
        element_dtype: the operand's dtype: ``'float32'``, ``'float64'``, ``'complex64'`` or
            ``'complex128'`` (NumPy dtypes accepted).
        user_info_dtype: the element type ``user_info`` points to (same choices), or a Numba type.
        compute_capability: e.g. ``(9, 0)``, ``90`` or ``'sm_90'``; None: the current device's.

    Returns:
        :class:`CallbackLTOIR` (``bytes``). Compilation is cached on disk.

    Example:
        >>> def load_conj(data_in, offset, user_info, unused):
        ...     return data_in[offset].conjugate()
        >>> ltoir = compile_prolog(load_conj, "complex64", "complex64", compute_capability=(9, 0))
        >>> len(ltoir) > 0
        True
    """
    return _compile("prolog", prolog_fn, element_dtype, user_info_dtype, compute_capability)


def compile_epilog(epilog_fn, element_dtype, user_info_dtype, *, compute_capability=None) -> CallbackLTOIR:
    """Compile a Python epilog to LTO-IR for ``epilog=`` of :func:`nvmath.fft.fft` and :meth:`FFT.plan`.

    Args:
        epilog_fn: ``epilog_fn(data_out, offset, element, user_info, unused)``: stores the
            transformed ``element`` (usually ``data_out[offset] = f(element)``), with ``offset``
            in elements of the result layout.
        element_dtype: the result's dtype: ``'float32'``, ``'float64'``, ``'complex64'`` or
            ``'complex128'``.
        user_info_dtype: the element type ``user_info`` points to, or a Numba type.
        compute_capability: e.g. ``(9, 0)``; None: the current device's.

    Returns:
        :class:`CallbackLTOIR` (``bytes``). Compilation is cached on disk.

    Example:
        >>> def multiply(data_out, offset, element, user_info, unused):
        ...     data_out[offset] = element * user_info[offset]
        >>> ltoir = compile_epilog(multiply, "complex64", "complex64", compute_capability=(9, 0))
        >>> ltoir.symbol
        '_Z28cufftJITCallbackStoreComplexPvy6float2S_S_'
    """
    return _compile("epilog", epilog_fn, element_dtype, user_info_dtype, compute_capability)


@dataclass(frozen=True)
class ResolvedCallback:
    """A callback checked against a plan: what ``cufftXtSetJITCallback`` needs."""

    phase: str
    ltoir: bytes
    symbol: str | None
    data_ptr: int
    keep_alive: Any
    cb_type: int

    def key(self) -> tuple:
        """Hashable identity for plan keys (LTO-IR bytes hash is cached by Python)."""
        return (self.phase, hash(self.ltoir), len(self.ltoir), self.symbol, self.data_ptr)


def resolve_callback(phase: str, callback, element_dtype: str) -> ResolvedCallback | None:
    """Check ``callback`` (dict, :class:`DeviceCallable` or None) for a plan with ``phase`` elements ``element_dtype``.

    Raises:
        TypeError / ValueError: wrong kind of object, missing LTO-IR, callback compiled for the
            other phase or another element type, half precision.

    Example:
        >>> resolve_callback("prolog", None, "complex64") is None
        True
    """
    parts = check_callback(phase, callback)
    if parts is None:
        return None
    ltoir, data, symbol = parts
    ltoir = ltoir if isinstance(ltoir, bytes) else bytes(ltoir)
    if element_dtype not in VALID_DTYPES:
        raise TypeError(
            f"cuFFT LTO callbacks support elements of {list(VALID_DTYPES)}; this transform's {phase} elements are "
            f"{element_dtype}."
        )
    compiled_here = isinstance(ltoir, CallbackLTOIR)
    if compiled_here:
        if ltoir.phase != phase:
            other = "epilog" if phase == "prolog" else "prolog"
            raise ValueError(f"The LTO-IR given as {phase} was compiled with compile_{other}: pass it as {other}=.")
        if ltoir.element_dtype != element_dtype:
            raise TypeError(
                f"The {phase} was compiled for {ltoir.element_dtype} elements, but this transform's {phase} elements "
                f"are {element_dtype}: recompile it with element_dtype='{element_dtype}'."
            )
    # cuFFT looks a given name up as a C++ function of the callback signature (it mangles it);
    # None makes it look for its conventional name, the one compile_prolog/epilog export.
    data_ptr, keep = _user_info_pointer(phase, data, ltoir)
    return ResolvedCallback(phase, ltoir, symbol, data_ptr, keep, _callback_type(phase, element_dtype))


def check_callback(phase: str, callback) -> tuple[bytes, Any, str | None] | None:
    """Check the form of ``callback`` (dict, :class:`DeviceCallable` or None) without a GPU or a plan.

    Returns ``(ltoir, data, symbol)`` (None for None). The stateless FFTs call it before any GPU
    work; :func:`resolve_callback` then checks the callback against the plan.

    Raises:
        TypeError / ValueError: naming ``phase`` (``'prolog'`` / ``'epilog'``) and the key.

    Example:
        >>> check_callback("epilog", {"ltoir": b"x", "data": 0})
        (b'x', 0, None)
        >>> check_callback("epilog", {"ltoir": b"x", "data": -1})
        Traceback (most recent call last):
        ...
        ValueError: Argument epilog['data'] = -1 is a negative pointer: allowed are an int >= 0 or a GPU array.
    """
    if callback is None:
        return None
    if isinstance(callback, DeviceCallable):  # checked when it was made
        return callback.ltoir, callback.data, callback.symbol
    if not isinstance(callback, dict):
        raise TypeError(
            f"Argument {phase!r} = {_short(callback)} must be None, a dict {{'ltoir': bytes, 'data': ptr}} or a "
            f"DeviceCallable, not {type(callback).__name__}."
        )
    unknown = sorted(set(callback) - {"ltoir", "data", "symbol"}, key=repr)
    if unknown:
        raise TypeError(
            f"Argument {phase!r} has unknown keys {_short(unknown)}: allowed keys are 'ltoir', 'data', 'symbol'."
        )
    if "ltoir" not in callback:
        raise TypeError(f"Argument {phase!r} needs the key 'ltoir' (the LTO-IR bytes from compile_{phase}).")
    parts = callback["ltoir"], callback.get("data", 0), callback.get("symbol")
    _check_parts(phase, *parts)
    return parts


def _short(value, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters (never a whole LTO-IR blob in a message)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _arg(where: str, key: str) -> str:
    """How messages name a callback field: ``prolog['data']`` in a dict, ``'data'`` of a DeviceCallable."""
    return f"{where}[{key!r}]" if where else repr(key)


def _check_parts(where: str, ltoir, data, symbol) -> None:
    """Check a callback's LTO-IR, user data and symbol; ``where`` (the phase, or '') names them."""
    if not isinstance(ltoir, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"Argument {_arg(where, 'ltoir')} = {_short(ltoir)} must be non-empty bytes (LTO-IR from "
            f"compile_prolog / compile_epilog), not {type(ltoir).__name__}."
        )
    if len(ltoir) == 0:
        raise ValueError(
            f"Argument {_arg(where, 'ltoir')} is empty: pass the LTO-IR bytes from compile_prolog / compile_epilog."
        )
    if data is not None and not _is_array(data):
        _user_info_int(where, data)
    elif data is not None and _on_host(data):
        raise TypeError(
            f"Argument {_arg(where, 'data')} is a host array ({type(data).__name__}): the callback runs on the GPU "
            "and needs device memory (a CuPy array or CUDA tensor) or an int device pointer."
        )
    if symbol is not None and not isinstance(symbol, str):
        raise TypeError(
            f"Argument {_arg(where, 'symbol')} = {_short(symbol)} must be a str (the callback's function name) or "
            f"None (cuFFT's conventional name), not {type(symbol).__name__}."
        )


def _is_array(obj) -> bool:
    """Whether ``obj`` may be an array (CuPy array, tensor): :func:`resolve_callback` checks it fully."""
    return hasattr(obj, "__cuda_array_interface__") or hasattr(obj, "__dlpack__")


def _on_host(obj) -> bool:
    """Whether an array's DLPack device is the CPU (``kDLCPU``), read without copying anything."""
    if hasattr(obj, "__cuda_array_interface__"):
        return False
    try:
        return int(obj.__dlpack_device__()[0]) == 1
    except Exception:  # no or a broken __dlpack_device__: resolve_callback's full check decides
        return False


def _user_info_int(where: str, data) -> int:
    if isinstance(data, bool) or not isinstance(data, int):
        raise TypeError(
            f"Argument {_arg(where, 'data')} = {_short(data)} must be an int device pointer (>= 0), a GPU array "
            f"(CuPy / CUDA tensor) or None, not {type(data).__name__}."
        )
    if data < 0:
        raise ValueError(
            f"Argument {_arg(where, 'data')} = {data} is a negative pointer: allowed are an int >= 0 or a GPU array."
        )
    return data


def _user_info_pointer(phase: str, data, ltoir) -> tuple[int, Any]:
    if data is None:
        return 0, None
    if isinstance(data, int):
        return _user_info_int(phase, data), None
    from nvmath.host.operands import wrap_operand

    try:
        op = wrap_operand(data, name=f"{phase}['data']")
    except TypeError:
        raise TypeError(
            f"Argument {phase}['data'] = {_short(data)} must be an int device pointer or a GPU array (CuPy / CUDA "
            "tensor)."
        ) from None
    if op.on_host:
        raise TypeError(
            f"Argument {phase}['data'] is a host array: the callback runs on the GPU and needs device memory."
        )
    expected = getattr(ltoir, "user_info_dtype", None)
    if expected in VALID_DTYPES and op.dtype != expected:
        raise TypeError(
            f"The {phase} was compiled with user_info_dtype='{expected}', but {phase}['data'] is {op.dtype}: pass "
            f"{expected} data or recompile with user_info_dtype='{op.dtype}'."
        )
    return op.data_ptr, data


def _callback_type(phase: str, element_dtype: str) -> int:
    from nvmath.bindings.cufft import XtCallbackType

    suffix = {
        "complex64": "COMPLEX",
        "complex128": "COMPLEX_DOUBLE",
        "float32": "REAL",
        "float64": "REAL_DOUBLE",
    }[element_dtype]
    return int(XtCallbackType[("LD_" if phase == "prolog" else "ST_") + suffix])
