"""Thin 1:1 ctypes binding of Intel oneMKL's DFTI (FFT) C API and the few service calls it needs.

Each function maps to one C function of ``mkl_dfti.h`` / ``mkl_service.h`` with the same argument
order; descriptor handles and data pointers are Python ints, length and stride arrays are Python
sequences, and output arguments are returned. A status other than ``DFTI_NO_ERROR`` raises
:class:`MKLDFTIError` carrying MKL's own message (``DftiErrorMessage``).

Enum values are copied from the headers of the ``mkl-include`` 2026.2 wheel (``mkl_dfti.h``,
``mkl_service.h``, ``mkl_types.h``); ``MKL_LONG`` is the C ``long`` of the LP64 interface (the
default of ``libmkl_rt``).

The library is ``libmkl_rt`` (the single dynamic library, which picks the threading layer at run
time: ``MKL_THREADING_LAYER`` or :func:`set_threading_layer`), found on first use in this order:
the ``NVMATH_FFT_CPU_LIBRARY`` environment variable (a path or soname of an MKL runtime library,
as in nvmath-python), the files of the ``mkl`` wheel (``pip install 'nvmath[cpu]'``), then the
system loader. Without one, :class:`MKLNotFoundError` names the extra to install.

Example:
    >>> from nvmath.bindings import mkl_dfti
    >>> int(mkl_dfti.ConfigValue.DOUBLE), int(mkl_dfti.ConfigParam.NUMBER_OF_TRANSFORMS)
    (36, 7)
    >>> h = mkl_dfti.create_descriptor(mkl_dfti.ConfigValue.DOUBLE, mkl_dfti.ConfigValue.COMPLEX, 8)  # doctest: +SKIP
    >>> mkl_dfti.commit_descriptor(h)  # doctest: +SKIP
    >>> mkl_dfti.free_descriptor(h)  # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import numbers
import os
import platform
import sys
from collections.abc import Sequence

from nvmath.bindings._ctypes import CLibrary

__all__ = [
    "ConfigParam",
    "ConfigValue",
    "Domain",
    "ErrorCode",
    "MKLDFTIError",
    "MKLNotFoundError",
    "ThreadingLayer",
    "commit_descriptor",
    "compute_backward",
    "compute_forward",
    "copy_descriptor",
    "create_descriptor",
    "domain_get_max_threads",
    "error_class",
    "error_message",
    "free_descriptor",
    "get_max_threads",
    "get_value",
    "get_version_string",
    "library",
    "library_path",
    "set_num_threads_local",
    "set_threading_layer",
    "set_value",
]

#: ``DFTI_MAX_MESSAGE_LENGTH``: the longest error message.
MAX_MESSAGE_LENGTH = 80
#: ``DFTI_VERSION_LENGTH``: the longest version string.
VERSION_LENGTH = 198

#: The environment variable naming the CPU FFT library (nvmath-python's name for it).
LIBRARY_ENV = "NVMATH_FFT_CPU_LIBRARY"


class ErrorCode(enum.IntEnum):
    """The ``DFTI_*`` status codes (``DFTI_1D_MEMORY_EXCEEDS_INT32`` is the same value as 9)."""

    NO_ERROR = 0
    MEMORY_ERROR = 1
    INVALID_CONFIGURATION = 2
    INCONSISTENT_CONFIGURATION = 3
    MULTITHREADED_ERROR = 4
    BAD_DESCRIPTOR = 5
    UNIMPLEMENTED = 6
    MKL_INTERNAL_ERROR = 7
    NUMBER_OF_THREADS_ERROR = 8
    LENGTH_EXCEEDS_INT32 = 9
    NO_WORKSPACE = 11


class ConfigParam(enum.IntEnum):
    """``enum DFTI_CONFIG_PARAM``: what :func:`set_value` / :func:`get_value` configure."""

    FORWARD_DOMAIN = 0
    DIMENSION = 1
    LENGTHS = 2
    PRECISION = 3
    FORWARD_SCALE = 4
    BACKWARD_SCALE = 5
    NUMBER_OF_TRANSFORMS = 7
    COMPLEX_STORAGE = 8
    REAL_STORAGE = 9
    CONJUGATE_EVEN_STORAGE = 10
    PLACEMENT = 11
    INPUT_STRIDES = 12
    OUTPUT_STRIDES = 13
    INPUT_DISTANCE = 14
    OUTPUT_DISTANCE = 15
    WORKSPACE = 17
    ORDERING = 18
    TRANSPOSE = 19
    DESCRIPTOR_NAME = 20
    PACKED_FORMAT = 21
    COMMIT_STATUS = 22
    VERSION = 23
    NUMBER_OF_USER_THREADS = 26
    THREAD_LIMIT = 27
    DESTROY_INPUT = 28
    FWD_DISTANCE = 58
    BWD_DISTANCE = 59
    FWD_STRIDES = 60
    BWD_STRIDES = 61


class ConfigValue(enum.IntEnum):
    """``enum DFTI_CONFIG_VALUE``: the named values of configuration parameters."""

    COMMITTED = 30
    UNCOMMITTED = 31
    COMPLEX = 32
    REAL = 33
    SINGLE = 35
    DOUBLE = 36
    COMPLEX_COMPLEX = 39
    COMPLEX_REAL = 40
    REAL_COMPLEX = 41
    REAL_REAL = 42
    INPLACE = 43
    NOT_INPLACE = 44
    ORDERED = 48
    BACKWARD_SCRAMBLED = 49
    ALLOW = 51
    AVOID = 52
    NONE = 53
    CCS_FORMAT = 54
    PACK_FORMAT = 55
    PERM_FORMAT = 56
    CCE_FORMAT = 57


class ThreadingLayer(enum.IntEnum):
    """``MKL_THREADING_*`` of ``mkl_service.h`` for :func:`set_threading_layer`."""

    INTEL = 0
    SEQUENTIAL = 1
    GNU = 3
    TBB = 4


class Domain(enum.IntEnum):
    """``MKL_DOMAIN_*`` of ``mkl_types.h`` for :func:`domain_get_max_threads`."""

    ALL = 0
    BLAS = 1
    FFT = 2
    VML = 3
    PARDISO = 4
    LAPACK = 5


# How each parameter's value travels through DftiSetValue's and DftiGetValue's "...":
# "long": MKL_LONG; "enum": a DFTI_CONFIG_VALUE (an int); "longs": MKL_LONG* (an array);
# "scale": a floating-point value of the descriptor's precision (double through "..." on set);
# "string": char*.
_VALUE_KINDS = {
    ConfigParam.FORWARD_DOMAIN: "enum",
    ConfigParam.DIMENSION: "long",
    ConfigParam.LENGTHS: "longs",
    ConfigParam.PRECISION: "enum",
    ConfigParam.FORWARD_SCALE: "scale",
    ConfigParam.BACKWARD_SCALE: "scale",
    ConfigParam.NUMBER_OF_TRANSFORMS: "long",
    ConfigParam.COMPLEX_STORAGE: "enum",
    ConfigParam.REAL_STORAGE: "enum",
    ConfigParam.CONJUGATE_EVEN_STORAGE: "enum",
    ConfigParam.PLACEMENT: "enum",
    ConfigParam.INPUT_STRIDES: "longs",
    ConfigParam.OUTPUT_STRIDES: "longs",
    ConfigParam.INPUT_DISTANCE: "long",
    ConfigParam.OUTPUT_DISTANCE: "long",
    ConfigParam.WORKSPACE: "enum",
    ConfigParam.ORDERING: "enum",
    ConfigParam.TRANSPOSE: "enum",
    ConfigParam.DESCRIPTOR_NAME: "string",
    ConfigParam.PACKED_FORMAT: "enum",
    ConfigParam.COMMIT_STATUS: "enum",
    ConfigParam.VERSION: "string",
    ConfigParam.NUMBER_OF_USER_THREADS: "long",
    ConfigParam.THREAD_LIMIT: "long",
    ConfigParam.DESTROY_INPUT: "enum",
    ConfigParam.FWD_DISTANCE: "long",
    ConfigParam.BWD_DISTANCE: "long",
    ConfigParam.FWD_STRIDES: "longs",
    ConfigParam.BWD_STRIDES: "longs",
}


class MKLNotFoundError(RuntimeError):
    """No usable MKL runtime library (``libmkl_rt``) could be loaded.

    Example:
        >>> print(str(MKLNotFoundError("no libmkl_rt"))[:12])
        no libmkl_rt
    """


class MKLDFTIError(RuntimeError):
    """A DFTI call returned a status other than ``DFTI_NO_ERROR``.

    Attributes:
        status: the :class:`ErrorCode` (or the raw int for a code this binding does not know).
        name: the DFTI name of the status, e.g. ``"DFTI_INCONSISTENT_CONFIGURATION"``.
        function: the C function that failed (and what it was asked).
        message: MKL's own text for the status (``DftiErrorMessage``), when the library is loaded.

    Example:
        >>> str(MKLDFTIError(3, "DftiCommitDescriptor", message="Inconsistent configuration parameters"))
        'DftiCommitDescriptor failed: DFTI_INCONSISTENT_CONFIGURATION (3): Inconsistent configuration parameters'
    """

    def __init__(self, status: int, function: str = "DFTI", message: str | None = None):
        try:
            self.status = ErrorCode(status)
            self.name = f"DFTI_{self.status.name}"
        except ValueError:
            self.status = status
            self.name = f"DFTI_UNKNOWN_STATUS_{status}"
        self.function = function
        self.message = message
        text = f"{function} failed: {self.name} ({int(status)})"
        if message:
            text += f": {message}"
        super().__init__(text)


# --------------------------------------------------------------------------------------------
# Finding and loading libmkl_rt
# --------------------------------------------------------------------------------------------

# libmkl_rt's soname: .so.3 from oneMKL 2026, .so.2 for 2021-2025 (the DFTI ABI is the same).
_SONAMES = ("libmkl_rt.so.3", "libmkl_rt.so.2")

_INSTALL_HINT = (
    "CPU FFT execution needs Intel oneMKL: pip install 'nvmath[cpu]' (or pip install mkl), or set "
    f"{LIBRARY_ENV} to the path of an MKL runtime library (libmkl_rt.so.3 or .so.2)."
)


def _wheel_candidates() -> list[str]:
    """``libmkl_rt`` files of the installed ``mkl`` distribution (the wheel puts them in <prefix>/lib)."""
    found = []
    try:
        from importlib import metadata

        files = metadata.distribution("mkl").files or []
    except Exception:  # not installed, or metadata unreadable
        files = []
    for f in files:
        name = f.name
        if name.startswith("libmkl_rt.so"):
            found.append(str(f.locate()))
    found = sorted({os.path.realpath(p) for p in found}, key=lambda p: (".so." not in p, p))  # versioned first
    for soname in _SONAMES:
        prefix_lib = os.path.join(sys.prefix, "lib", soname)
        if os.path.exists(prefix_lib) and os.path.realpath(prefix_lib) not in found:
            found.append(os.path.realpath(prefix_lib))
    return found


def _system_candidates() -> list[str]:
    names = []
    found = ctypes.util.find_library("mkl_rt")
    if found:
        names.append(found)
    names += [*_SONAMES, "libmkl_rt.so"]
    return names


def library_path() -> str:
    """The MKL runtime library that :func:`library` loads: a path, or a soname for the system loader.

    Raises:
        MKLNotFoundError: none can be loaded; the message names the extra to install
            (``nvmath[cpu]``), or says why the library named by ``NVMATH_FFT_CPU_LIBRARY`` failed.

    Example:
        >>> library_path()  # doctest: +SKIP
        '/venv/lib/libmkl_rt.so.3'
    """
    override = os.environ.get(LIBRARY_ENV)
    if override:
        try:
            ctypes.CDLL(override)
        except OSError as exc:
            raise MKLNotFoundError(
                f"{LIBRARY_ENV}={override!r} could not be loaded ({exc}): point it at an MKL runtime library "
                "(libmkl_rt.so.3 or .so.2) or unset it to use the 'mkl' wheel (pip install 'nvmath[cpu]')."
            ) from None
        return override
    errors = []
    for candidate in _wheel_candidates() + _system_candidates():
        try:
            ctypes.CDLL(candidate)
        except OSError as exc:
            errors.append(f"{candidate}: {exc}")
            continue
        return candidate
    machine = platform.machine()
    arch = "" if machine in ("x86_64", "AMD64") else f" (MKL wheels exist for x86_64 only; this machine is {machine})"
    tried = f" Tried: {'; '.join(errors)}." if errors else ""
    raise MKLNotFoundError(_INSTALL_HINT + arch + tried)


_c_long_p = ctypes.POINTER(ctypes.c_long)
_handle_p = ctypes.POINTER(ctypes.c_void_p)

# Every DFTI function returns MKL_LONG; "..." arguments get no argtypes (they are passed with
# explicit ctypes types by the wrappers below).
_DFTI = {
    "DftiCreateDescriptor": (ctypes.c_long, [_handle_p, ctypes.c_int, ctypes.c_int, ctypes.c_long]),
    "DftiCopyDescriptor": (ctypes.c_long, [ctypes.c_void_p, _handle_p]),
    "DftiCommitDescriptor": (ctypes.c_long, [ctypes.c_void_p]),
    "DftiComputeForward": (ctypes.c_long, [ctypes.c_void_p, ctypes.c_void_p]),
    "DftiComputeBackward": (ctypes.c_long, [ctypes.c_void_p, ctypes.c_void_p]),
    "DftiSetValue": (ctypes.c_long, [ctypes.c_void_p, ctypes.c_int]),
    "DftiGetValue": (ctypes.c_long, [ctypes.c_void_p, ctypes.c_int]),
    "DftiFreeDescriptor": (ctypes.c_long, [_handle_p]),
    "DftiErrorMessage": (ctypes.c_char_p, [ctypes.c_long]),
    "DftiErrorClass": (ctypes.c_long, [ctypes.c_long, ctypes.c_long]),
    "MKL_Get_Version_String": (None, [ctypes.c_char_p, ctypes.c_int]),
    "MKL_Get_Max_Threads": (ctypes.c_int, []),
    "MKL_Set_Num_Threads_Local": (ctypes.c_int, [ctypes.c_int]),
    "MKL_Set_Threading_Layer": (ctypes.c_int, [ctypes.c_int]),
    "MKL_Domain_Get_Max_Threads": (ctypes.c_int, [ctypes.c_int]),
}


def _error(status: int, function: str) -> MKLDFTIError:
    return MKLDFTIError(status, function, error_message(status) if _LIBRARY._lib is not None else None)


def _load_path() -> str:
    return library_path()


_LIBRARY = CLibrary("MKL", _load_path, {}, other=_DFTI, error=_error, missing_status=ErrorCode.UNIMPLEMENTED)


def library() -> ctypes.CDLL:
    """Load ``libmkl_rt`` (once) and return it as a :class:`ctypes.CDLL` with prototypes set.

    Raises:
        MKLNotFoundError: no MKL runtime library can be found (see :func:`library_path`).

    Example:
        >>> library().DftiComputeForward  # doctest: +SKIP
        <_FuncPtr object at ...>
    """
    return _LIBRARY.handle()


def _call(fname: str, *args) -> None:
    fn = _LIBRARY.function(fname)
    if fn is None:
        raise MKLDFTIError(ErrorCode.UNIMPLEMENTED, f"{fname} (not exported by the loaded MKL)")
    status = fn(*args)
    if status:
        raise _error(status, fname)


def _longs(values: Sequence[int], name: str = "value"):
    """A C array of ``long`` from a sequence of ints (TypeError naming ``name`` otherwise)."""
    items = None
    if not isinstance(values, (str, bytes)):
        try:
            items = tuple(values)
        except TypeError:
            pass
    if items is None:
        raise TypeError(
            f"Argument {name!r} = {_short(values)} must be a sequence of ints, not {type(values).__name__}."
        )
    for v in items:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"Argument {name!r} = {_short(values)} must contain ints, not {type(v).__name__}.")
    return (ctypes.c_long * len(items))(*(int(v) for v in items))


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _handle(handle, name: str = "handle") -> int:
    """A descriptor handle: an int > 0 (a bad one would crash MKL, so it is refused before the C call)."""
    if isinstance(handle, bool) or not isinstance(handle, int):
        raise TypeError(
            f"Argument {name!r} = {_short(handle)} must be a DFTI descriptor handle (an int from "
            f"create_descriptor), not {type(handle).__name__}."
        )
    if handle <= 0:
        raise ValueError(
            f"Argument {name!r} = {handle} is not a DFTI descriptor handle: allowed are ints > 0 (from "
            "create_descriptor)."
        )
    return handle


def _member(enum_type: type[enum.IntEnum], name: str, value, allowed: tuple | None = None) -> int:
    """``value`` as an int if it is one of ``allowed`` (default: any member of ``enum_type``), else raise."""
    allowed = tuple(enum_type) if allowed is None else allowed
    names = ", ".join(f"{enum_type.__name__}.{a.name}" for a in allowed)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"Argument {name!r} = {_short(value)} must be one of {names}, not {type(value).__name__}.")
    if value not in allowed:
        raise ValueError(f"Argument {name!r} = {value!r} is not supported: allowed values are {names}.")
    return int(value)


# --------------------------------------------------------------------------------------------
# DFTI functions
# --------------------------------------------------------------------------------------------


def create_descriptor(precision: int, forward_domain: int, lengths: int | Sequence[int]) -> int:
    """``DftiCreateDescriptor``: a new descriptor of ``len(lengths)`` dimensions (uncommitted).

    Args:
        precision: :attr:`ConfigValue.SINGLE` or :attr:`ConfigValue.DOUBLE`.
        forward_domain: :attr:`ConfigValue.COMPLEX` (C2C) or :attr:`ConfigValue.REAL` (R2C/C2R).
        lengths: one int (1-D) or the lengths of each dimension, outermost first.

    Returns:
        The descriptor handle (``DFTI_DESCRIPTOR_HANDLE``) as an int.

    Example:
        >>> h = create_descriptor(ConfigValue.SINGLE, ConfigValue.REAL, (64, 64))  # doctest: +SKIP
    """
    precision = _member(ConfigValue, "precision", precision, (ConfigValue.SINGLE, ConfigValue.DOUBLE))
    forward_domain = _member(ConfigValue, "forward_domain", forward_domain, (ConfigValue.COMPLEX, ConfigValue.REAL))
    values = _longs((lengths,) if isinstance(lengths, numbers.Integral) else lengths, "lengths")
    if not values or min(values) < 1:
        raise ValueError(f"Argument 'lengths' = {_short(lengths)} must be one or more ints >= 1.")
    handle = ctypes.c_void_p()
    dims = len(values)
    arg = ctypes.c_long(values[0]) if dims == 1 else values
    _call("DftiCreateDescriptor", ctypes.byref(handle), precision, forward_domain, dims, arg)
    return handle.value


def copy_descriptor(handle: int) -> int:
    """``DftiCopyDescriptor``: a copy of ``handle`` (committed if the original is).

    Example:
        >>> h2 = copy_descriptor(h)  # doctest: +SKIP
    """
    copy = ctypes.c_void_p()
    _call("DftiCopyDescriptor", _handle(handle), ctypes.byref(copy))
    return copy.value


def commit_descriptor(handle: int) -> None:
    """``DftiCommitDescriptor``: check the configuration and prepare the computation (the plan).

    Example:
        >>> commit_descriptor(h)  # doctest: +SKIP
    """
    _call("DftiCommitDescriptor", _handle(handle))


def free_descriptor(handle: int) -> None:
    """``DftiFreeDescriptor``: release the descriptor and what MKL allocated for it.

    Example:
        >>> free_descriptor(h)  # doctest: +SKIP
    """
    _call("DftiFreeDescriptor", ctypes.byref(ctypes.c_void_p(_handle(handle))))


def _value_arg(param: ConfigParam, value):
    kind = _VALUE_KINDS[param]
    if kind == "long":
        return ctypes.c_long(int(value))
    if kind == "enum":
        return ctypes.c_int(int(value))
    if kind == "longs":
        return _longs(value)
    if kind == "scale":
        return ctypes.c_double(float(value))
    return ctypes.c_char_p(str(value).encode())


def set_value(handle: int, param: int, value) -> None:
    """``DftiSetValue``: set one configuration parameter (before :func:`commit_descriptor`).

    The C type of ``value`` follows the parameter: an int (``MKL_LONG``) for counts, distances
    and limits, a :class:`ConfigValue` for named settings, a sequence of ints for
    ``LENGTHS`` / ``INPUT_STRIDES`` / ``OUTPUT_STRIDES`` (strides: the offset first, then one
    stride per dimension, outermost first), a float for the scales.

    Raises:
        ValueError: ``param`` is not a :class:`ConfigParam`.
        MKLDFTIError: MKL rejected the value.

    Example:
        >>> set_value(h, ConfigParam.PLACEMENT, ConfigValue.NOT_INPLACE)  # doctest: +SKIP
        >>> set_value(h, ConfigParam.INPUT_STRIDES, (0, 64, 1))  # doctest: +SKIP
    """
    try:
        param = ConfigParam(param)
    except ValueError:
        raise ValueError(f"Argument 'param' = {param!r} is not a DFTI configuration parameter (ConfigParam).") from None
    _call("DftiSetValue", _handle(handle), int(param), _value_arg(param, value))


def get_value(handle: int, param: int, *, count: int | None = None):
    """``DftiGetValue``: read one configuration parameter.

    Args:
        count: for array parameters (``LENGTHS``: the dimension; strides: dimension + 1), how
            many values to read; None reads ``DIMENSION`` first.

    Returns:
        An int, a :class:`ConfigValue`, a tuple of ints, a float or a str, by parameter.

    Example:
        >>> get_value(h, ConfigParam.COMMIT_STATUS)  # doctest: +SKIP
        <ConfigValue.COMMITTED: 30>
    """
    _handle(handle)
    try:
        param = ConfigParam(param)
    except ValueError:
        raise ValueError(f"Argument 'param' = {param!r} is not a DFTI configuration parameter (ConfigParam).") from None
    kind = _VALUE_KINDS[param]
    if kind == "long":
        out = ctypes.c_long()
        _call("DftiGetValue", handle, int(param), ctypes.byref(out))
        return out.value
    if kind == "enum":
        out = ctypes.c_int()
        _call("DftiGetValue", handle, int(param), ctypes.byref(out))
        try:
            return ConfigValue(out.value)
        except ValueError:
            return out.value
    if kind == "longs":
        if count is None:
            dims = get_value(handle, ConfigParam.DIMENSION)
            count = dims if param == ConfigParam.LENGTHS else dims + 1
        out = (ctypes.c_long * count)()
        _call("DftiGetValue", handle, int(param), out)
        return tuple(out)
    if kind == "scale":
        single = get_value(handle, ConfigParam.PRECISION) == ConfigValue.SINGLE
        out = ctypes.c_float() if single else ctypes.c_double()
        _call("DftiGetValue", handle, int(param), ctypes.byref(out))
        return float(out.value)
    buffer = ctypes.create_string_buffer(VERSION_LENGTH + 1)
    _call("DftiGetValue", handle, int(param), buffer)
    return buffer.value.decode(errors="replace")


def compute_forward(handle: int, x_in: int, x_out: int | None = None) -> None:
    """``DftiComputeForward``: the forward transform, in place (``x_out`` None) or out of place.

    Pointers are addresses of the first element each layout describes (ints).

    Example:
        >>> compute_forward(h, a.ctypes.data, b.ctypes.data)  # doctest: +SKIP
    """
    _handle(handle)
    if x_out is None:
        _call("DftiComputeForward", handle, x_in)
    else:
        _call("DftiComputeForward", handle, x_in, ctypes.c_void_p(x_out))


def compute_backward(handle: int, x_in: int, x_out: int | None = None) -> None:
    """``DftiComputeBackward``: the backward (inverse, unnormalised by default) transform.

    Example:
        >>> compute_backward(h, b.ctypes.data, a.ctypes.data)  # doctest: +SKIP
    """
    _handle(handle)
    if x_out is None:
        _call("DftiComputeBackward", handle, x_in)
    else:
        _call("DftiComputeBackward", handle, x_in, ctypes.c_void_p(x_out))


def error_message(status: int) -> str:
    """``DftiErrorMessage``: MKL's text for a status.

    Example:
        >>> error_message(0)  # doctest: +SKIP
        'No error'
    """
    text = library().DftiErrorMessage(status)
    return text.decode(errors="replace") if text else ""


def error_class(status: int, error_class_code: int) -> bool:
    """``DftiErrorClass``: whether ``status`` belongs to the class ``error_class_code`` (an :class:`ErrorCode`).

    Example:
        >>> error_class(3, ErrorCode.INCONSISTENT_CONFIGURATION)  # doctest: +SKIP
        True
    """
    return bool(library().DftiErrorClass(status, error_class_code))


# --------------------------------------------------------------------------------------------
# Service functions (mkl_service.h)
# --------------------------------------------------------------------------------------------


def get_version_string() -> str:
    """``MKL_Get_Version_String``: e.g. ``'Intel(R) oneAPI Math Kernel Library Version 2025.3...'``.

    Example:
        >>> get_version_string()  # doctest: +SKIP
    """
    buffer = ctypes.create_string_buffer(VERSION_LENGTH + 1)
    library().MKL_Get_Version_String(buffer, len(buffer))
    return buffer.value.decode(errors="replace").strip()


def get_max_threads() -> int:
    """``MKL_Get_Max_Threads``: the number of threads MKL uses by default.

    Example:
        >>> get_max_threads()  # doctest: +SKIP
        2
    """
    return library().MKL_Get_Max_Threads()


def set_num_threads_local(num_threads: int) -> int:
    """``MKL_Set_Num_Threads_Local``: the calling thread's MKL thread count (0: back to the global one).

    Returns:
        The previous thread-local value (0 if none was set).

    Example:
        >>> previous = set_num_threads_local(2)  # doctest: +SKIP
        >>> _ = set_num_threads_local(previous)  # doctest: +SKIP
    """
    if isinstance(num_threads, bool) or not isinstance(num_threads, int):
        raise TypeError(
            f"Argument 'num_threads' = {_short(num_threads)} must be an int >= 0 (0: the global setting), not "
            f"{type(num_threads).__name__}."
        )
    if num_threads < 0:
        raise ValueError(f"Argument 'num_threads' = {num_threads} must be an int >= 0 (0: the global setting).")
    return library().MKL_Set_Num_Threads_Local(num_threads)


def set_threading_layer(layer: int) -> int:
    """``MKL_Set_Threading_Layer``: pick INTEL (OpenMP), GNU (OpenMP), TBB or SEQUENTIAL before first use.

    Returns:
        The layer in use (MKL keeps the first one chosen).

    Example:
        >>> set_threading_layer(ThreadingLayer.SEQUENTIAL)  # doctest: +SKIP
    """
    return library().MKL_Set_Threading_Layer(_member(ThreadingLayer, "layer", layer))


def domain_get_max_threads(domain: int) -> int:
    """``MKL_Domain_Get_Max_Threads``: the thread count of one MKL domain (e.g. :attr:`Domain.FFT`).

    Example:
        >>> domain_get_max_threads(Domain.FFT)  # doctest: +SKIP
        2
    """
    return library().MKL_Domain_Get_Max_Threads(int(domain))
