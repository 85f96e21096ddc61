"""libmathdx's cuBLASDx trait queries work whatever was imported before nvmath (CPU, no GPU).

They failed with ``COMMONDX_INTERNAL_ERROR`` (and no error text) in a process that had loaded
llvmlite (``import numba``, or the CUDA simulator) but not libcudart; ``load_library("mathdx")``
now loads the CUDA runtime first.
"""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

PROBE = """
import numba  # loads llvmlite, not libcudart
from nvmath.device.lto.matmul import MatmulDescription, TraitsRequest
d = MatmulDescription((16, 8, 24), ("f64",) * 3, "real", 90, block_dim=(32, 1, 1))
print(TraitsRequest(d).build().decode()[:1])
"""


def test_traits_query_after_import_numba(tmp_path):
    env = {"NVMATH_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "{", done.stdout
