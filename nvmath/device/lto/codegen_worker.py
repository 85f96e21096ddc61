"""Generate one cuFFTDx LTO-IR in a separate process: ``python -m nvmath.device.lto.codegen_worker``.

Reads ``{"description": {...}, "api": "register" | "shared"}`` (JSON) on standard input,
generates the LTO-IR through libmathdx and writes the raw bytes to standard output. The
parent stores them in the disk cache. The worker imports only the libmathdx binding and
the description (not Numba), so it starts in tens of milliseconds.

Why a process: libmathdx's code generation does not run concurrently within one process
(two threads take longer than one after the other), so the descriptors of one kernel are
generated in parallel processes instead. A plain module run by ``subprocess`` (rather than
``multiprocessing``) never re-imports the user's main script.
"""

import json
import sys

from nvmath.device.lto.fft import FFTDescription, _build_ltoir, symbol_name


def main() -> int:
    request = json.load(sys.stdin)
    desc, api = FFTDescription(**request["description"]), request["api"]
    data = _build_ltoir(desc, api, symbol_name(desc, api))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
