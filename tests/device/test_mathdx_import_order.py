"""libmathdx's cuBLASDx trait queries work whatever was imported before nvmath (CPU, no GPU).

They failed with ``COMMONDX_INTERNAL_ERROR`` (and no error text) in a process that had loaded
llvmlite (``import numba``, or the CUDA simulator) but not libcudart; ``load_library("mathdx")``
now loads the CUDA runtime first. After ``import torch`` they fail the same way (measured on the
H200 host), and also with compile errors the same request does not have in a new process: such
failures are retried in a clean worker process.
"""

import subprocess
import sys

import pytest

PROBE = """
import numba  # loads llvmlite, not libcudart
from nvmath.device.lto.matmul import MatmulDescription, TraitsRequest
d = MatmulDescription((16, 8, 24), ("f64",) * 3, "real", 90, block_dim=(32, 1, 1))
print(TraitsRequest(d).build().decode()[:1])
"""


@pytest.mark.slow
def test_traits_query_after_import_numba(tmp_path):
    env = {"NVMATH_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "{", done.stdout


def test_an_internal_error_without_text_is_retried_in_a_clean_worker(monkeypatch):
    """``import torch`` before libmathdx makes its cuBLASDx queries fail in-process (H200 host)."""
    from nvmath.bindings import mathdx
    from nvmath.device.lto import mathdx as dx

    class Request:
        def build(self):
            raise mathdx.MathdxError(mathdx.CommondxStatusType.INTERNAL_ERROR, "cublasdxGetTraitInt64s")

        def describe(self):
            return "a request"

    built = []
    monkeypatch.setattr(dx, "_build_in_worker", lambda request: built.append(request) or b"from the worker")
    request = Request()
    assert dx._build_here(request) == b"from the worker"
    assert built == [request]


def test_other_libmathdx_errors_are_not_retried(monkeypatch):
    from nvmath.bindings import mathdx
    from nvmath.device.lto import mathdx as dx

    monkeypatch.delitem(sys.modules, "torch", raising=False)

    class Request:
        def build(self):
            status = mathdx.CommondxStatusType.COMPILATION_ERROR
            raise mathdx.MathdxError(status, "cublasdxFinalizeCode", "static_assert")

    monkeypatch.setattr(dx, "_build_in_worker", lambda request: pytest.fail("retried"))
    with pytest.raises(mathdx.MathdxError, match="static_assert"):
        dx._build_here(Request())


def test_any_libmathdx_error_after_import_torch_is_retried_in_a_clean_worker(monkeypatch):
    """After ``import torch`` the same request also failed with compile errors (H200 host)."""
    from nvmath.bindings import mathdx
    from nvmath.device.lto import mathdx as dx

    class Request:
        def build(self):
            status = mathdx.CommondxStatusType.COMPILATION_ERROR
            raise mathdx.MathdxError(status, "cublasdxGetTraitInt64s", "4 errors detected")

        def describe(self):
            return "a request"

    monkeypatch.setitem(sys.modules, "torch", object())
    monkeypatch.setattr(dx, "_build_in_worker", lambda request: b"from the worker")
    assert dx._build_here(Request()) == b"from the worker"
