"""Simulator tests: they need NUMBA_ENABLE_CUDASIM=1 before numba is imported.

Run them with ``NUMBA_ENABLE_CUDASIM=1 python -m pytest tests/device/sim``; the plain test
run (``pytest tests``) runs them that way in a subprocess (tests/device/test_simulator.py)
and skips collecting them in its own process, where numba runs in GPU mode.
"""

import os

if os.environ.get("NUMBA_ENABLE_CUDASIM") != "1":
    collect_ignore_glob = ["test_*.py"]
