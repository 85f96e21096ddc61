"""Runs the simulator suite (tests/device/sim) in a subprocess with NUMBA_ENABLE_CUDASIM=1.

Numba reads NUMBA_ENABLE_CUDASIM once, at import, so the simulator tests cannot share this
process (where numba runs in GPU mode). Run them directly with
``NUMBA_ENABLE_CUDASIM=1 python -m pytest tests/device/sim``.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_simulator_suite():
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(ROOT / "tests/device/sim")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
