"""Run the benchmarks: ``python -m benchmarks`` (all) or ``python -m benchmarks device_fft host_fft``.

Each benchmark module has a ``main()`` that times nvmath and its peers (CuPy, PyTorch) in the
same process and prints a table of medians and ratios.
"""

import importlib
import pkgutil
import sys
from pathlib import Path

HELPERS = {"timing"}


def main(argv: list[str]) -> int:
    found = pkgutil.iter_modules([str(Path(__file__).parent)])
    names = argv or sorted(m.name for m in found if not m.name.startswith("_") and m.name not in HELPERS)
    for name in names:
        print(f"=== benchmarks.{name} ===", flush=True)
        importlib.import_module(f"benchmarks.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
