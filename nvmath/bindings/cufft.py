"""Thin 1:1 ctypes binding of the cuFFT C API that nvmath uses.

Each function maps to one C function of ``cufft.h`` / ``cufftXt.h`` (cuFFT 12, CUDA 13) with the
same argument order; pointers are Python ints, arrays are Python sequences, and output
arguments are returned. A status other than ``CUFFT_SUCCESS`` raises :class:`cuFFTError`
carrying the cuFFT name of the status. The library is found through
``nvmath.compile.toolchain.load_library("cufft")`` (``cuda.pathfinder``) on first use.

Enum values are copied from the headers of the ``nvidia-cufft`` 12.5 wheel (``cufft.h``,
``cufftXt.h``); ``DataType`` (``cudaDataType``) is :class:`nvmath.bindings.library_types.DataType`.

Example:
    >>> from nvmath.bindings import cufft
    >>> cufft.Type.C2C
    <Type.C2C: 41>
    >>> plan = cufft.create()  # doctest: +SKIP
    >>> cufft.destroy(plan)  # doctest: +SKIP
"""

from __future__ import annotations

import ctypes
import enum
from collections.abc import Sequence

from nvmath.bindings._ctypes import CLibrary
from nvmath.bindings.library_types import DataType

__all__ = [
    "FORWARD",
    "INVERSE",
    "PLAN_NULL",
    "DataType",
    "Result",
    "Type",
    "XtCallbackType",
    "XtWorkAreaPolicy",
    "cuFFTError",
    "create",
    "destroy",
    "estimate_many",
    "get_size",
    "get_version",
    "library",
    "set_auto_allocation",
    "set_stream",
    "set_work_area",
    "xt_exec",
    "xt_get_size_many",
    "xt_make_plan_many",
    "xt_set_callback_shared_size",
    "xt_set_jit_callback",
    "xt_set_work_area_policy",
]

#: ``CUFFT_FORWARD``: direction argument of :func:`xt_exec` for a forward transform.
FORWARD = -1
#: ``CUFFT_INVERSE``: direction argument of :func:`xt_exec` for an inverse transform.
INVERSE = 1
#: ``CUFFT_PLAN_NULL``: an uninitialised handle that is safe to destroy.
PLAN_NULL = -1


class Result(enum.IntEnum):
    """``cufftResult``: status codes of every cuFFT function."""

    SUCCESS = 0x0
    INVALID_PLAN = 0x1
    ALLOC_FAILED = 0x2
    INVALID_TYPE = 0x3
    INVALID_VALUE = 0x4
    INTERNAL_ERROR = 0x5
    EXEC_FAILED = 0x6
    SETUP_FAILED = 0x7
    INVALID_SIZE = 0x8
    UNALIGNED_DATA = 0x9
    INVALID_DEVICE = 0xB
    NO_WORKSPACE = 0xD
    NOT_IMPLEMENTED = 0xE
    NOT_SUPPORTED = 0x10
    MISSING_DEPENDENCY = 0x11
    NVRTC_FAILURE = 0x12
    NVJITLINK_FAILURE = 0x13
    NVSHMEM_FAILURE = 0x14


class Type(enum.IntEnum):
    """``cufftType``: transform types of the legacy (non-Xt) planning API."""

    R2C = 0x2A
    C2R = 0x2C
    C2C = 0x29
    D2Z = 0x6A
    Z2D = 0x6C
    Z2Z = 0x69


class XtCallbackType(enum.IntEnum):
    """``cufftXtCallbackType``: which load (prolog) or store (epilog) callback."""

    LD_COMPLEX = 0x0
    LD_COMPLEX_DOUBLE = 0x1
    LD_REAL = 0x2
    LD_REAL_DOUBLE = 0x3
    ST_COMPLEX = 0x4
    ST_COMPLEX_DOUBLE = 0x5
    ST_REAL = 0x6
    ST_REAL_DOUBLE = 0x7
    UNDEFINED = 0x8


class XtWorkAreaPolicy(enum.IntEnum):
    """``cufftXtWorkAreaPolicy`` for :func:`xt_set_work_area_policy`."""

    MINIMAL = 0
    USER = 1
    PERFORMANCE = 2


class cuFFTError(RuntimeError):
    """A cuFFT call returned a status other than ``CUFFT_SUCCESS``.

    Attributes:
        status: the :class:`Result` (or the raw int if cuFFT returned an unknown code).
        name: the cuFFT name of the status, e.g. ``"CUFFT_INVALID_PLAN"``.
        function: the C function that failed.

    Example:
        >>> str(cuFFTError(1, "cufftXtExec"))
        'cufftXtExec failed: CUFFT_INVALID_PLAN (1)'
    """

    def __init__(self, status: int, function: str = "cuFFT"):
        try:
            self.status = Result(status)
            self.name = f"CUFFT_{self.status.name}"
        except ValueError:
            self.status = status
            self.name = f"CUFFT_UNKNOWN_STATUS_{status}"
        self.function = function
        super().__init__(f"{function} failed: {self.name} ({int(status)})")


# --------------------------------------------------------------------------------------------
# Library loading and C prototypes
# --------------------------------------------------------------------------------------------

_c_ll_p = ctypes.POINTER(ctypes.c_longlong)
_c_size_t_p = ctypes.POINTER(ctypes.c_size_t)

# cufftXtMakePlanMany and cufftXtGetSizeMany take the same arguments:
# (plan, rank, n*, inembed*, istride, idist, inputtype, onembed*, ostride, odist, outputtype,
#  batch, workSize*, executiontype)
_XT_MANY_ARGTYPES = [
    ctypes.c_int,
    ctypes.c_int,
    _c_ll_p,
    _c_ll_p,
    ctypes.c_longlong,
    ctypes.c_longlong,
    ctypes.c_int,
    _c_ll_p,
    ctypes.c_longlong,
    ctypes.c_longlong,
    ctypes.c_int,
    ctypes.c_longlong,
    _c_size_t_p,
    ctypes.c_int,
]

_PROTOTYPES = {
    "cufftCreate": [ctypes.POINTER(ctypes.c_int)],
    "cufftDestroy": [ctypes.c_int],
    "cufftGetVersion": [ctypes.POINTER(ctypes.c_int)],
    "cufftSetAutoAllocation": [ctypes.c_int, ctypes.c_int],
    "cufftSetWorkArea": [ctypes.c_int, ctypes.c_void_p],
    "cufftSetStream": [ctypes.c_int, ctypes.c_void_p],
    "cufftGetSize": [ctypes.c_int, _c_size_t_p],
    "cufftEstimateMany": [
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        _c_size_t_p,
    ],
    "cufftXtMakePlanMany": _XT_MANY_ARGTYPES,
    "cufftXtGetSizeMany": _XT_MANY_ARGTYPES,
    "cufftXtExec": [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int],
    "cufftXtSetCallbackSharedSize": [ctypes.c_int, ctypes.c_int, ctypes.c_size_t],
    "cufftXtSetWorkAreaPolicy": [ctypes.c_int, ctypes.c_int, _c_size_t_p],
    # cuFFT >= 12 (CUDA 13): the symbol name argument is new; cuFFT 11.3-11.4 exported the
    # same signature as __cufftXtSetJITCallback_12_7.
    "cufftXtSetJITCallback": [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_void_p),
    ],
}
_PROTOTYPES["__cufftXtSetJITCallback_12_7"] = _PROTOTYPES["cufftXtSetJITCallback"]

# cuFFT reads the symbol name, the LTO-IR and the caller-info array given to
# cufftXtSetJITCallback when the plan is made, not when the callback is set: the binding keeps
# its copies alive per plan handle until cufftDestroy.
_jit_keepalive: dict[int, list] = {}


def _library_path() -> str:
    from nvmath.compile import toolchain

    return toolchain.load_library("cufft").abs_path


_LIBRARY = CLibrary(
    "cuFFT", _library_path, _PROTOTYPES, error=cuFFTError, missing_status=Result.NOT_SUPPORTED
)


def library() -> ctypes.CDLL:
    """Load libcufft (once) and return it as a :class:`ctypes.CDLL` with prototypes set.

    Raises:
        nvmath.compile.ToolchainError: (a ``RuntimeError``) when no cuFFT library can be
            found; the message names the pip package to install.

    Example:
        >>> library().cufftXtExec  # doctest: +SKIP
        <_FuncPtr object at ...>
    """
    return _LIBRARY.handle()


def _ll_array(values: Sequence[int] | None):
    if values is None:
        return None
    return (ctypes.c_longlong * len(values))(*values)


# --------------------------------------------------------------------------------------------
# Functions
# --------------------------------------------------------------------------------------------


def get_version() -> int:
    """``cufftGetVersion``: the cuFFT version as an int (e.g. ``12000`` for cuFFT 12.0).

    Example:
        >>> get_version()  # doctest: +SKIP
        12000
    """
    version = ctypes.c_int()
    _LIBRARY.call("cufftGetVersion", ctypes.byref(version))
    return version.value


def create() -> int:
    """``cufftCreate``: a new plan handle (planned later with :func:`xt_make_plan_many`).

    Example:
        >>> plan = create()  # doctest: +SKIP
    """
    handle = ctypes.c_int(PLAN_NULL)
    _LIBRARY.call("cufftCreate", ctypes.byref(handle))
    return handle.value


def destroy(plan: int) -> None:
    """``cufftDestroy``: release the plan and the resources cuFFT allocated for it.

    Example:
        >>> destroy(plan)  # doctest: +SKIP
    """
    try:
        _LIBRARY.call("cufftDestroy", plan)
    finally:
        _jit_keepalive.pop(plan, None)


def set_auto_allocation(plan: int, auto_allocate: bool) -> None:
    """``cufftSetAutoAllocation``: whether cuFFT allocates the work area itself.

    Call before planning; with ``False`` the caller provides it through :func:`set_work_area`.

    Example:
        >>> set_auto_allocation(plan, False)  # doctest: +SKIP
    """
    _LIBRARY.call("cufftSetAutoAllocation", plan, int(bool(auto_allocate)))


def set_work_area(plan: int, work_area: int) -> None:
    """``cufftSetWorkArea``: the device pointer of the work area for the next executions.

    Example:
        >>> set_work_area(plan, buffer_ptr)  # doctest: +SKIP
    """
    _LIBRARY.call("cufftSetWorkArea", plan, work_area or None)


def set_stream(plan: int, stream: int) -> None:
    """``cufftSetStream``: the CUDA stream (``cudaStream_t`` as an int) of later executions.

    Example:
        >>> set_stream(plan, 0)  # doctest: +SKIP
    """
    _LIBRARY.call("cufftSetStream", plan, stream or None)


def get_size(plan: int) -> int:
    """``cufftGetSize``: the work area size in bytes of a planned handle.

    Example:
        >>> get_size(plan)  # doctest: +SKIP
        0
    """
    size = ctypes.c_size_t()
    _LIBRARY.call("cufftGetSize", plan, ctypes.byref(size))
    return size.value


def estimate_many(
    rank: int,
    n: Sequence[int],
    inembed: Sequence[int] | None,
    istride: int,
    idist: int,
    onembed: Sequence[int] | None,
    ostride: int,
    odist: int,
    type: int,
    batch: int,
) -> int:
    """``cufftEstimateMany``: an estimate of the work area size in bytes (32-bit sizes).

    Example:
        >>> estimate_many(1, [64], None, 1, 64, None, 1, 64, Type.C2C, 1)  # doctest: +SKIP
        0
    """

    def arr(values):
        return None if values is None else (ctypes.c_int * len(values))(*values)

    size = ctypes.c_size_t()
    _LIBRARY.call(
        "cufftEstimateMany",
        rank, arr(n), arr(inembed), istride, idist, arr(onembed), ostride, odist, int(type), batch, ctypes.byref(size),
    )  # fmt: skip
    return size.value


def _xt_plan_call(name, plan, rank, n, inembed, istride, idist, inputtype, onembed, ostride, odist,
                  outputtype, batch, executiontype) -> int:  # fmt: skip
    size = ctypes.c_size_t()
    _LIBRARY.call(
        name,
        plan,
        rank,
        _ll_array(n),
        _ll_array(inembed),
        istride,
        idist,
        int(inputtype),
        _ll_array(onembed),
        ostride,
        odist,
        int(outputtype),
        batch,
        ctypes.byref(size),
        int(executiontype),
    )
    return size.value


def xt_make_plan_many(
    plan: int,
    rank: int,
    n: Sequence[int],
    inembed: Sequence[int] | None,
    istride: int,
    idist: int,
    inputtype: int,
    onembed: Sequence[int] | None,
    ostride: int,
    odist: int,
    outputtype: int,
    batch: int,
    executiontype: int,
) -> int:
    """``cufftXtMakePlanMany``: plan a batched rank-1..3 transform; returns the work size.

    Element ``(i0, .., i_{r-1})`` of batch ``b`` of the input is at
    ``b * idist + istride * (i_{r-1} + inembed[r-1] * (i_{r-2} + inembed[r-2] * ...))``
    (in elements); the output likewise with the ``o`` arguments.

    Example:
        >>> xt_make_plan_many(plan, 1, [64], [64], 1, 64, DataType.C_32F,
        ...                   [64], 1, 64, DataType.C_32F, 1000, DataType.C_32F)  # doctest: +SKIP
        0
    """
    return _xt_plan_call("cufftXtMakePlanMany", plan, rank, n, inembed, istride, idist, inputtype, onembed,
                         ostride, odist, outputtype, batch, executiontype)  # fmt: skip


def xt_get_size_many(
    plan: int,
    rank: int,
    n: Sequence[int],
    inembed: Sequence[int] | None,
    istride: int,
    idist: int,
    inputtype: int,
    onembed: Sequence[int] | None,
    ostride: int,
    odist: int,
    outputtype: int,
    batch: int,
    executiontype: int,
) -> int:
    """``cufftXtGetSizeMany``: the work size in bytes the same plan would need.

    Example:
        >>> xt_get_size_many(plan, 1, [64], None, 1, 64, DataType.C_32F,
        ...                  None, 1, 64, DataType.C_32F, 1, DataType.C_32F)  # doctest: +SKIP
        0
    """
    return _xt_plan_call("cufftXtGetSizeMany", plan, rank, n, inembed, istride, idist, inputtype, onembed,
                         ostride, odist, outputtype, batch, executiontype)  # fmt: skip


def xt_exec(plan: int, input: int, output: int, direction: int) -> None:
    """``cufftXtExec``: run the planned transform on the plan's stream (asynchronous).

    Example:
        >>> xt_exec(plan, in_ptr, out_ptr, FORWARD)  # doctest: +SKIP
    """
    _LIBRARY.call("cufftXtExec", plan, input, output, direction)


def exec_function():
    """The raw ctypes ``cufftXtExec`` (prototype set), for hot loops that check the status themselves.

    Example:
        >>> status = exec_function()(plan, in_ptr, out_ptr, FORWARD)  # doctest: +SKIP
    """
    return _LIBRARY.function("cufftXtExec")


def xt_set_work_area_policy(plan: int, policy: int, work_size: int = 0) -> None:
    """``cufftXtSetWorkAreaPolicy``: trade work area size against speed.

    Example:
        >>> xt_set_work_area_policy(plan, XtWorkAreaPolicy.MINIMAL)  # doctest: +SKIP
    """
    size = ctypes.c_size_t(work_size)
    _LIBRARY.call("cufftXtSetWorkAreaPolicy", plan, int(policy), ctypes.byref(size))


def xt_set_callback_shared_size(plan: int, cb_type: int, shared_size: int) -> None:
    """``cufftXtSetCallbackSharedSize``: shared memory (bytes) a callback may use.

    Example:
        >>> xt_set_callback_shared_size(plan, XtCallbackType.ST_COMPLEX, 0)  # doctest: +SKIP
    """
    _LIBRARY.call("cufftXtSetCallbackSharedSize", plan, int(cb_type), shared_size)


def jit_callback_supported() -> bool:
    """Whether the loaded cuFFT exports an LTO callback entry point (cuFFT >= 11.3).

    Example:
        >>> jit_callback_supported()  # doctest: +SKIP
        True
    """
    lib = library()
    return hasattr(lib, "cufftXtSetJITCallback") or hasattr(lib, "__cufftXtSetJITCallback_12_7")


def xt_set_jit_callback(
    plan: int,
    lto_callback_symbol_name: str | bytes | None,
    lto_callback_fatbin: bytes,
    type: int,
    caller_info: Sequence[int] | None,
) -> None:
    """``cufftXtSetJITCallback``: attach an LTO-IR callback to a created, not yet planned handle.

    ``lto_callback_symbol_name`` is the callback's C++ function name *before* mangling (cuFFT
    mangles it with the callback signature; passing an already mangled name fails with
    ``CUFFT_INTERNAL_ERROR`` at planning, as measured with cuFFT 12.0), or None for cuFFT's
    conventional name (``cufftJITCallbackStoreComplex`` ...).
    ``lto_callback_fatbin_size`` is ``len(lto_callback_fatbin)``. ``caller_info`` holds one
    device pointer per GPU (one for single-GPU plans), passed to the callback as ``callerInfo``.
    cuFFT reads the name, the bytes and the array when the plan is made; the binding keeps them
    alive until :func:`destroy`.

    Example:
        >>> xt_set_jit_callback(plan, "my_store", ltoir, XtCallbackType.ST_COMPLEX, [0])  # doctest: +SKIP
    """
    lib = library()
    name = "cufftXtSetJITCallback"
    if get_version() < 12000 and hasattr(lib, "__cufftXtSetJITCallback_12_7"):
        name = "__cufftXtSetJITCallback_12_7"
    symbol = (
        lto_callback_symbol_name.encode() if isinstance(lto_callback_symbol_name, str) else lto_callback_symbol_name
    )
    data = bytes(lto_callback_fatbin)
    info = None
    if caller_info is not None:
        info = (ctypes.c_void_p * len(caller_info))(*[p or None for p in caller_info])
    buffer = ctypes.create_string_buffer(data, len(data))
    name_buffer = None if symbol is None else ctypes.create_string_buffer(symbol)
    _jit_keepalive.setdefault(plan, []).append((buffer, name_buffer, info))
    _LIBRARY.call(name, plan, name_buffer, buffer, len(data), int(type), info)
