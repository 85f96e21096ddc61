"""The one ctypes pattern of nvmath's C bindings: a library loaded once, prototypes, status checks.

Each binding module (:mod:`~nvmath.bindings.cufft`, :mod:`~nvmath.bindings.cublaslt`,
:mod:`~nvmath.bindings.mathdx`) makes one :class:`CLibrary` with

- how to find the shared object (a ``cuda.pathfinder`` name through
  :func:`nvmath.compile.toolchain.load_library`);
- ``{C name: argtypes}`` for the functions that return a status (an ``int``), and
  ``{C name: (restype, argtypes)}`` for the few that return something else;
- a function that turns a non-zero status into the binding's own exception.

The library is loaded on the first call, under a lock. Functions the loaded library does not
export are None in :meth:`CLibrary.function` (older versions), so a binding can say what is
missing instead of raising ``AttributeError``.

Example:
    >>> import ctypes
    >>> from nvmath.bindings._ctypes import CLibrary
    >>> libm = CLibrary("m", lambda: "libm.so.6", {}, other={"cos": (ctypes.c_double, [ctypes.c_double])},
    ...                 error=lambda status, function: RuntimeError(function))
    >>> libm.function("cos")(0.0)
    1.0
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable, Sequence


class CLibrary:
    """A C shared library with prototypes, loaded on first use.

    Args:
        name: the library's name in messages.
        path: returns the path (or soname) to load; called once, on first use.
        status_functions: ``{C name: argtypes}`` of functions returning a status ``int``.
        other: ``{C name: (restype, argtypes)}`` of functions returning anything else.
        error: ``error(status, function_name) -> Exception`` for a non-zero status.
        mode: ``ctypes.CDLL`` mode, e.g. ``ctypes.RTLD_GLOBAL``.
        missing_status: the status given to ``error`` when a function is not exported.
    """

    def __init__(
        self,
        name: str,
        path: Callable[[], str],
        status_functions: dict[str, Sequence],
        *,
        other: dict[str, tuple] | None = None,
        error: Callable[[int, str], Exception],
        mode: int = ctypes.DEFAULT_MODE,
        missing_status: int = -1,
    ) -> None:
        self.name = name
        self._path = path
        self._status_functions = status_functions
        self._other = other or {}
        self._error = error
        self._mode = mode
        self._missing_status = missing_status
        self._lock = threading.Lock()
        self._lib: ctypes.CDLL | None = None

    def handle(self) -> ctypes.CDLL:
        """The loaded library (loaded now if needed), with every known prototype set."""
        lib = self._lib
        if lib is None:
            with self._lock:
                if self._lib is None:
                    lib = ctypes.CDLL(self._path(), mode=self._mode)
                    for fname, argtypes in self._status_functions.items():
                        self._set(lib, fname, ctypes.c_int, argtypes)
                    for fname, (restype, argtypes) in self._other.items():
                        self._set(lib, fname, restype, argtypes)
                    self._lib = lib
                lib = self._lib
        return lib

    @staticmethod
    def _set(lib: ctypes.CDLL, fname: str, restype, argtypes) -> None:
        fn = getattr(lib, fname, None)
        if fn is not None:
            fn.restype = restype
            fn.argtypes = list(argtypes)

    def function(self, fname: str):
        """The C function ``fname`` with its prototype, or None when the loaded library lacks it."""
        return getattr(self.handle(), fname, None)

    def check(self, status: int, fname: str) -> None:
        """Raise the binding's exception for a non-zero ``status`` returned by ``fname``."""
        if status != 0:
            raise self._error(status, fname)

    def call(self, fname: str, *args) -> None:
        """Call status function ``fname`` and raise the binding's exception if it fails.

        Raises:
            the binding's exception: also when the loaded library does not export ``fname``
            (with ``missing_status``).
        """
        fn = self.function(fname)
        if fn is None:
            raise self._error(self._missing_status, f"{fname} (not exported by the loaded {self.name})")
        status = fn(*args)
        if status != 0:
            raise self._error(status, fname)
