"""Build one libmathdx request in a separate process (started by :mod:`nvmath.device.lto.mathdx`).

The parent runs ``python -I -c <bootstrap>`` and writes one JSON line on standard input:
``{"path": [...], "module": "nvmath.device.lto.fft", "type": "FFTCode", "key": {...}}``. The
bootstrap sets ``sys.path`` to ``path`` (the parent's, so the same ``nvmath`` is imported;
never the current directory) and calls :func:`main`, which rebuilds the request with
``from_key``, builds it through libmathdx and writes the raw bytes to standard output (or,
when libmathdx refuses it, the error as JSON on standard error). Only
request types listed by the library modules of
:data:`nvmath.device.lto.mathdx.WORKER_MODULES` are built. The parent stores the bytes in
the disk cache.

The worker imports only the libmathdx binding and the library's description module (not
Numba), so it starts in tens of milliseconds. A plain ``subprocess`` (rather than
``multiprocessing``) never re-imports the user's main script.

Example:
    >>> from nvmath.device.lto.codegen_worker import main
    >>> main({"module": "nvmath.device.lto.fft", "type": "FFTCode", "key": key})  # doctest: +SKIP
    0
"""

import json
import sys

from nvmath.bindings.mathdx import MathdxError
from nvmath.device.lto.mathdx import LIBRARY_ERROR_EXIT, request_type


def main(message: dict) -> int:
    """Build the request described by ``message`` and write its bytes to standard output.

    A request that libmathdx refuses (a :class:`~nvmath.bindings.mathdx.MathdxError`, e.g. a
    description cuBLASDx rejects at compile time) exits with ``LIBRARY_ERROR_EXIT`` and the
    error as one JSON line on standard error, so that the parent raises the same error.
    """
    cls = request_type(message["module"], message["type"])
    try:
        data = cls.from_key(message["key"]).build()
    except MathdxError as exc:
        error = {"status": int(exc.status), "function": exc.function, "detail": exc.detail}
        sys.stderr.write(json.dumps(error) + "\n")
        return LIBRARY_ERROR_EXIT
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0
