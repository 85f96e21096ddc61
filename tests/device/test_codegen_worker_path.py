"""The code-generation worker imports the parent's ``nvmath``, even when only ``sys.path`` finds it.

Fast tests: the worker's ``sys.path`` never holds the current directory; the bootstrap, run in
a directory holding a decoy ``nvmath`` (and with ``PYTHONPATH`` pointing at it), imports the
real one; a worker that fails (refused request, or no interpreter) falls back to this process
with one :class:`~nvmath.device.lto.mathdx.CodegenWarning`.

Slow test: a user script that makes a *copy* of nvmath importable by ``sys.path.insert`` only
(not the installed one), run from a directory holding a decoy ``nvmath``, builds two FFT
descriptors used in one kernel and compiles it for sm_90 (no GPU needed). The second
descriptor is generated in a worker process (``python -I``): it must import the same copy as
the parent (the copy records where each worker imported it from), so no ``CodegenWarning``
may be emitted and the worker's code must link.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import warnings
from dataclasses import dataclass

import pytest

from nvmath.device.lto import mathdx

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DECOY = 'raise ImportError("the decoy nvmath in the current directory was imported")\n'


@pytest.fixture
def decoy_dir():
    """A directory holding a decoy ``nvmath`` package; removed afterwards."""
    base = tempfile.mkdtemp(prefix="nvmath-decoy-")
    os.makedirs(os.path.join(base, "nvmath"))
    with open(os.path.join(base, "nvmath", "__init__.py"), "w") as f:
        f.write(DECOY)
    yield base
    shutil.rmtree(base)
    assert not os.path.exists(base)


def test_worker_path_never_holds_the_current_directory(monkeypatch):
    import nvmath

    monkeypatch.setattr(sys, "path", ["", ".", "relative/dir", *sys.path])
    path = mathdx.worker_path()
    assert path[0] == os.path.dirname(os.path.dirname(os.path.abspath(nvmath.__file__)))
    assert all(os.path.isabs(p) for p in path) and "" not in path
    assert path.count(path[0]) == 1


def test_bootstrap_imports_the_parents_nvmath_not_the_decoy(decoy_dir):
    message = {"path": mathdx.worker_path(), "module": "nvmath.not_a_library", "type": "X", "key": {}}
    env = {**os.environ, "PYTHONPATH": decoy_dir}  # ignored by python -I, like the current directory
    result = subprocess.run(
        [sys.executable, "-I", "-c", mathdx._BOOTSTRAP],
        input=json.dumps(message).encode() + b"\n",
        capture_output=True,
        cwd=decoy_dir,
        env=env,
        timeout=120,
    )
    stderr = result.stderr.decode(errors="replace")
    assert "decoy" not in stderr, stderr[-2000:]
    assert result.returncode not in (0, mathdx.LIBRARY_ERROR_EXIT)
    assert "code-generation requests come from" in stderr, stderr[-2000:]  # the real nvmath refused it


@dataclass(frozen=True)
class _LocalRequest:
    """A request type no worker may build (its module is not in WORKER_MODULES)."""

    value: int
    cache_kind = "test-worker-fallback"

    def key(self) -> dict:
        return {"value": self.value}

    @classmethod
    def from_key(cls, key: dict) -> "_LocalRequest":
        return cls(key["value"])

    def build(self) -> bytes:
        return f"built here {self.value}".encode()

    def describe(self) -> str:
        return f"local request {self.value}"


@pytest.mark.parametrize("failure", ["refused", "no-interpreter"])
def test_failed_worker_falls_back_to_this_process_with_one_warning(monkeypatch, failure):
    monkeypatch.setattr(mathdx, "_worker_warned", False)
    if failure == "no-interpreter":
        monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = mathdx._build_in_worker_or_here(_LocalRequest(1))
        second = mathdx._build_in_worker_or_here(_LocalRequest(2))
    assert (first, second) == (b"built here 1", b"built here 2")
    codegen = [w for w in caught if issubclass(w.category, mathdx.CodegenWarning)]
    assert len(codegen) == 1, [str(w.message) for w in caught]
    text = str(codegen[0].message)
    assert "generating in this process instead" in text and len(text) < 400, text


def test_worker_refusal_of_the_library_is_raised_not_retried(monkeypatch):
    from nvmath.bindings.mathdx import MathdxError

    def refuse(request):
        raise MathdxError(1, "cufftdxFinalizeCode", "refused")

    monkeypatch.setattr(mathdx, "_build_in_worker", refuse)
    monkeypatch.setattr(mathdx, "_build_here", lambda request: pytest.fail("retried in this process"))
    with pytest.raises(MathdxError):
        mathdx._build_in_worker_or_here(_LocalRequest(3))


SCRIPT = textwrap.dedent(
    """
    import json, sys, warnings
    sys.path.insert(0, {lib!r})  # the only way this process finds this copy of nvmath

    import numpy as np
    from numba import cuda
    from numba.cuda import types

    import nvmath
    from nvmath.device import FFT
    from nvmath.device.extern import compile_kernel
    from nvmath.device.lto import mathdx

    in_worker = []
    build_in_worker = mathdx._build_in_worker

    def recording(request):
        in_worker.append(request.describe())
        return build_in_worker(request)

    mathdx._build_in_worker = recording

    first = FFT(32, np.float32, "c2c", "Thread", direction="forward", sm=90)
    second = FFT(16, np.float32, "c2c", "Thread", direction="inverse", sm=90)

    def kernel(inp, out):
        data = cuda.local.array(first.storage_size, first.value_type)
        for i in range(second.storage_size):
            data[i] = inp[i]
        first.execute(data)
        second.execute(data)
        for i in range(second.storage_size):
            out[i] = data[i]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compiled = compile_kernel(kernel, [types.complex64[::1]] * 2, cc=(9, 0))
    print(json.dumps({{
        "nvmath": nvmath.__file__,
        "warnings": [f"{{w.category.__name__}}: {{w.message}}" for w in caught],
        "in_worker": in_worker,
        "linked": [name for name in compiled.linked if name.startswith("nvmath_cufftdx_")],
        "sass": compiled.sass_counts(),
    }}))
    """
)

# Appended to the copy's worker module: each worker records which nvmath it imported.
_PROBE = """

import os as _os

with open(_os.environ["NVMATH_TEST_WORKER_LOG"], "a") as _f:
    _f.write(__file__ + "\\n")
"""


@pytest.mark.slow
def test_worker_imports_the_parents_nvmath_from_sys_path():
    base = tempfile.mkdtemp(prefix="nvmath-worker-path-")
    try:
        lib = os.path.join(base, "lib")  # a copy of nvmath that only the script's sys.path finds
        shutil.copytree(
            os.path.join(REPO, "nvmath"), os.path.join(lib, "nvmath"), ignore=shutil.ignore_patterns("__pycache__")
        )
        with open(os.path.join(lib, "nvmath", "device", "lto", "codegen_worker.py"), "a") as f:
            f.write(_PROBE)
        cwd = os.path.join(base, "cwd")
        os.makedirs(os.path.join(cwd, "nvmath"))
        with open(os.path.join(cwd, "nvmath", "__init__.py"), "w") as f:
            f.write(DECOY)
        scripts = os.path.join(base, "scripts")
        os.makedirs(scripts)
        script = os.path.join(scripts, "user_script.py")
        with open(script, "w") as f:
            f.write(SCRIPT.format(lib=lib))
        log = os.path.join(base, "workers.log")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env.update(
            NVMATH_CACHE_DIR=os.path.join(base, "cache"),  # empty: both descriptors are generated
            NVMATH_CODEGEN_WORKERS="4",
            NVMATH_DISABLE_CACHE="0",
            NVMATH_TEST_WORKER_LOG=log,
        )
        result = subprocess.run([sys.executable, script], cwd=cwd, env=env, capture_output=True, text=True, timeout=540)
        assert result.returncode == 0, result.stderr[-4000:]
        report = json.loads(result.stdout.strip().splitlines()[-1])
        worker_imports = open(log).read().split() if os.path.exists(log) else []
    finally:
        shutil.rmtree(base)
    assert not os.path.exists(base)
    assert report["nvmath"].startswith(os.path.join(lib, "nvmath")), report["nvmath"]
    assert report["in_worker"], "no descriptor was generated in a worker process"
    assert worker_imports, "no worker process imported nvmath"
    assert all(p.startswith(os.path.join(lib, "nvmath")) for p in worker_imports), worker_imports
    assert not [w for w in report["warnings"] if "CodegenWarning" in w], report["warnings"]
    linked = sorted(report["linked"])  # both descriptors' code, the worker's included, is linked
    assert len(linked) == 2 and linked[0].startswith("nvmath_cufftdx_c2c_16_") and "_c2c_32_" in linked[1], linked
    assert report["sass"] == {"CALL": 0, "LDL": 0, "STL": 0}
