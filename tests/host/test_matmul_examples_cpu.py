"""The host matmul examples (examples/matmul/*.py) compile, and without a GPU say so and exit 0.

Host matmul runs on cuBLASLt only, so each example checks for a GPU before it imports CuPy or
PyTorch; here each runs in a subprocess with no visible GPU (``CUDA_VISIBLE_DEVICES=''``, which
also holds on a GPU host) and must print its "needs a GPU" line and exit with status 0. The
benchmark module must import and say the same from ``main()``.
"""

import os
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES_DIR = ROOT / "examples" / "matmul"
EXAMPLES = [
    "numpy_matmul",
    "cupy_matmul",
    "torch_matmul",
    "batched",
    "stateful_reuse",
    "epilog_bias_relu",
    "epilog_backward",
    "fp8_scales",
    "autotune",
    "streams",
    "logging_example",
    "linear_layer",
]


def _no_gpu_env() -> dict:
    return dict(os.environ, CUDA_VISIBLE_DEVICES="", PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                os.environ.get("PYTHONPATH")])))  # fmt: skip


def test_every_example_file_is_listed():
    found = sorted(p.stem for p in EXAMPLES_DIR.glob("*.py") if not p.name.startswith("_"))
    assert found == sorted(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_compiles(name, tmp_path):
    py_compile.compile(str(EXAMPLES_DIR / f"{name}.py"), cfile=str(tmp_path / f"{name}.pyc"), doraise=True)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_without_a_gpu_says_so_and_exits_0(name):
    result = subprocess.run(
        [sys.executable, str(EXAMPLES_DIR / f"{name}.py")],
        env=_no_gpu_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{name} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, f"{name} printed more than its one line:\n{result.stdout}"
    assert lines[0].startswith(f"{name}: needs a GPU"), lines
    assert "Traceback" not in result.stderr, result.stderr


def test_benchmark_without_a_gpu_says_so():
    script = "from benchmarks import host_matmul; host_matmul.main()"
    result = subprocess.run(
        [sys.executable, "-c", script], env=_no_gpu_env(), cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "host_matmul:" in result.stdout and "skipped" in result.stdout, result.stdout
