"""Python function -> LTO-IR through numba-cuda (device functions with a C ABI, and kernels).

Device functions are cached on disk when their result can be keyed safely: the key is the
function's bytecode, constants, and the values of the globals and closure variables it reads
(numbers, strings, dtypes, modules by name, other plain functions recursively). A function
that reads anything else is compiled every time (and says so at DEBUG level).
"""

from __future__ import annotations

import hashlib
import re
import types as pytypes
from collections.abc import Sequence

import numpy as np

from nvmath._logging import get_logger, log_duration
from nvmath.compile.cache import cached
from nvmath.compile.code import Code, check_bool, normalize_cc, short_repr

_log = get_logger()


class _Unkeyable(Exception):
    pass


def _fingerprint_value(value, seen: set) -> object:
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return [type(value).__name__, repr(value)]
    if isinstance(value, (np.generic, np.dtype)):
        return ["numpy", repr(value)]
    if isinstance(value, type) and issubclass(value, np.generic):
        return ["numpy-type", value.__name__]
    if isinstance(value, pytypes.ModuleType):
        return ["module", value.__name__]
    if isinstance(value, (tuple, list)):
        return [type(value).__name__, [_fingerprint_value(v, seen) for v in value]]
    if isinstance(value, pytypes.FunctionType):
        return ["function", _fingerprint_function(value, seen)]
    py_func = getattr(value, "py_func", None)  # a Numba dispatcher (cuda.jit(device=True))
    if isinstance(py_func, pytypes.FunctionType):
        return ["dispatcher", type(value).__name__, _fingerprint_function(py_func, seen)]
    module = getattr(value, "__module__", "") or ""
    if module.startswith(("numba", "math", "cmath", "operator")) and hasattr(value, "__qualname__"):
        return ["builtin", module, value.__qualname__]
    raise _Unkeyable(f"{type(value).__name__} {value!r}")


def _fingerprint_code(code: pytypes.CodeType, seen: set) -> list:
    consts = []
    for const in code.co_consts:
        if isinstance(const, pytypes.CodeType):
            consts.append(_fingerprint_code(const, seen))
        else:
            consts.append(_fingerprint_value(const, seen))
    return [code.co_code.hex(), consts, list(code.co_names), code.co_argcount]


def _fingerprint_function(fn: pytypes.FunctionType, seen: set) -> list:
    if id(fn) in seen:
        return ["recursive", fn.__qualname__]
    seen.add(id(fn))
    code = fn.__code__
    globals_used = {}
    for name in code.co_names:
        if name in fn.__globals__:
            globals_used[name] = _fingerprint_value(fn.__globals__[name], seen)
    closure = []
    for cell in fn.__closure__ or ():
        closure.append(_fingerprint_value(cell.cell_contents, seen))
    defaults = [_fingerprint_value(d, seen) for d in fn.__defaults__ or ()]
    return [fn.__qualname__, _fingerprint_code(code, seen), globals_used, closure, defaults]


def function_key(pyfunc) -> str | None:
    """Return a content key for ``pyfunc`` (bytecode, constants, globals and closure it reads).

    Returns None when the function reads a value that cannot be keyed safely.

    Example:
        >>> def f(x):
        ...     return x + 1
        >>> len(function_key(f))
        64
    """
    try:
        document = repr(_fingerprint_function(pyfunc, set()))
    except _Unkeyable as exc:
        _log.debug("not caching %s: it reads %s", getattr(pyfunc, "__qualname__", pyfunc), exc)
        return None
    return hashlib.sha256(document.encode()).hexdigest()


_SYMBOL_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,1023}\Z")


def _check_function(name: str, fn) -> None:
    if isinstance(fn, pytypes.FunctionType) or isinstance(getattr(fn, "py_func", None), pytypes.FunctionType):
        return
    raise TypeError(
        f"Argument '{name}' = {short_repr(fn)} must be a plain Python function (Numba CUDA subset), "
        f"not {type(fn).__name__}."
    )


def _check_types(restype, argtypes) -> None:
    from numba.core import types as nbtypes

    if restype is not None and not isinstance(restype, nbtypes.Type):
        raise TypeError(
            f"Argument 'restype' = {short_repr(restype)} must be a Numba type (e.g. numba.types.float32) or None."
        )
    if isinstance(argtypes, (str, bytes)) or not isinstance(argtypes, Sequence):
        raise TypeError(
            f"Argument 'argtypes' = {short_repr(argtypes)} must be a list of Numba types "
            f"(e.g. [numba.types.float32]), not {type(argtypes).__name__}."
        )
    for t in argtypes:
        if not isinstance(t, nbtypes.Type):
            raise TypeError(
                f"Argument 'argtypes' holds {short_repr(t)} ({type(t).__name__}): every item must be a Numba type "
                "(e.g. numba.types.float32, numba.types.CPointer(numba.types.float32))."
            )


def _signature(restype, argtypes: Sequence):
    from numba.core import types as nbtypes

    return nbtypes.void(*argtypes) if restype is None else restype(*argtypes)


def compile_device_function(pyfunc, restype, argtypes: Sequence, *, symbol: str, cc, fastmath: bool = False) -> Code:
    """Compile Python function ``pyfunc`` into a C-ABI device function named ``symbol`` (LTO-IR).

    Args:
        pyfunc: a plain Python function (Numba CUDA subset).
        restype: Numba return type, or None for ``void``.
        argtypes: Numba argument types (use ``numba.types.CPointer(...)`` for pointers).
        symbol: the exported (unmangled) symbol name.
        cc: compute capability, e.g. ``(9, 0)``.
        fastmath: allow fast-math transformations.

    Returns:
        :class:`~nvmath.compile.Code` of kind ``"ltoir"``.

    Example:
        >>> from numba import types
        >>> def scale(x):
        ...     return 2 * x
        >>> code = compile_device_function(scale, types.float32, [types.float32], symbol="scale", cc=(9, 0))
        >>> code.kind
        'ltoir'
    """
    _check_function("pyfunc", pyfunc)
    _check_types(restype, argtypes)
    if not isinstance(symbol, str) or not _SYMBOL_RE.match(symbol):
        raise ValueError(
            f"Argument 'symbol' = {short_repr(symbol)} is not a C identifier: use letters, digits and '_', "
            "not starting with a digit."
        )
    check_bool("fastmath", fastmath)
    major, minor = normalize_cc(cc)
    sig = _signature(restype, argtypes)

    def build() -> bytes:
        from numba import cuda

        with log_duration(_log, f"Numba compile of {pyfunc.__qualname__} as {symbol}"):
            ltoir, _ = cuda.compile(
                pyfunc,
                sig,
                device=True,
                abi="c",
                abi_info={"abi_name": symbol},
                output="ltoir",
                cc=(major, minor),
                fastmath=fastmath,
            )
        return bytes(ltoir)

    key = function_key(pyfunc)
    if key is None:
        return Code(build(), "ltoir", symbol)
    key_parts = {"function": key, "signature": str(sig), "symbol": symbol, "cc": [major, minor], "fastmath": fastmath}
    data = cached(
        "numba-ltoir", key_parts, build, description=f"{pyfunc.__qualname__} as {symbol} for sm_{major}{minor}"
    )
    return Code(data, "ltoir", symbol)


def compile_kernel_ltoir(pyfunc, argtypes: Sequence, *, cc, fastmath: bool = False) -> list[Code]:
    """Compile Python kernel ``pyfunc`` to LTO-IR with numba-cuda; works without a GPU.

    Returns the kernel's LTO-IR followed by the code objects its external functions link
    (e.g. nvmath device-function LTO-IR). Not cached: Numba's front end runs every time.

    Example:
        >>> from numba import cuda, types
        >>> def k(x):
        ...     x[cuda.grid(1)] = 1.0
        >>> codes = compile_kernel_ltoir(k, [types.float32[::1]], cc=(9, 0))
        >>> codes[0].kind
        'ltoir'
    """
    from numba import cuda

    _check_function("pyfunc", pyfunc)
    _check_types(None, argtypes)
    check_bool("fastmath", fastmath)
    major, minor = normalize_cc(cc)
    with log_duration(_log, f"Numba compile of kernel {pyfunc.__qualname__}"):
        outputs, _ = cuda.compile_all(
            pyfunc,
            _signature(None, argtypes),
            device=False,
            cc=(major, minor),
            abi="numba",
            output="ltoir",
            fastmath=fastmath,
        )
    codes = [Code(bytes(outputs[0]), "ltoir", pyfunc.__qualname__)]
    for index, item in enumerate(ordered_linkables(outputs[1:]), start=1):
        if isinstance(item, (bytes, bytearray)):
            codes.append(Code(bytes(item), "ltoir", f"{pyfunc.__qualname__}-{index}"))
        else:
            codes.append(code_from_linkable(item, (major, minor)))
    return codes


def _linkable_order(item) -> tuple:
    if isinstance(item, (bytes, bytearray)):
        return ("", "", hashlib.sha256(item).hexdigest())
    data = getattr(item, "data", None)
    digest = hashlib.sha256(data if isinstance(data, bytes) else str(data).encode()).hexdigest()
    return (type(item).__name__, str(getattr(item, "name", item)), digest)


def ordered_linkables(items) -> list:
    """Return Numba linking items (paths, ``LinkableCode`` objects, bytes) in a process-independent order.

    Numba keeps them in a set, whose order changes from process to process; the cubin cache
    key depends on the order of the link inputs.
    """
    return sorted(items, key=_linkable_order)


def code_from_linkable(item, cc) -> Code:
    """Turn a Numba linkable item (a path or a ``LinkableCode``) into a :class:`~nvmath.compile.Code`.

    CUDA C++ sources (``.cu``) are compiled to LTO-IR by :func:`nvmath.compile.compile_cpp` (cached).

    Example:
        >>> from numba.cuda import LTOIR
        >>> code_from_linkable(LTOIR(b"...", name="f"), (9, 0)).kind
        'ltoir'
    """
    from cuda.bindings.driver import CUjitInputType
    from numba.cuda.cudadrv.linkable_code import LinkableCode

    from nvmath.compile.nvrtc import compile_cpp

    code_type = getattr(item, "code_type", None)
    if code_type is not None:  # a cuda.core ObjectCode (numba-cuda passes its fp16 helpers this way)
        code = item.code
        if isinstance(code, str):  # ObjectCode built from a file path
            with open(code, "rb") as file:
                code = file.read()
        return Code(bytes(code), code_type, item.name or "objectcode")
    obj = LinkableCode.from_path_or_obj(item)
    if obj.kind == "cu":
        source = obj.data.decode() if isinstance(obj.data, bytes) else obj.data
        return compile_cpp(source, cc=cc, name=obj.name)
    kinds = {
        CUjitInputType.CU_JIT_INPUT_NVVM: "ltoir",
        CUjitInputType.CU_JIT_INPUT_PTX: "ptx",
        CUjitInputType.CU_JIT_INPUT_CUBIN: "cubin",
        CUjitInputType.CU_JIT_INPUT_FATBINARY: "fatbin",
        CUjitInputType.CU_JIT_INPUT_OBJECT: "object",
        CUjitInputType.CU_JIT_INPUT_LIBRARY: "library",
    }
    data = obj.data.encode() if isinstance(obj.data, str) else bytes(obj.data)
    return Code(data, kinds[obj.kind], obj.name, arch_specific=getattr(item, "arch_specific", False))
