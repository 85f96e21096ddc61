"""The GEMM kernel examples (examples/kernels/gemm_*.py) compile and link for sm_90 without a GPU.

Each example builds its kernels with an importable ``compile_targets(sm)`` (``{name: (kernel,
argtypes)}``); every kernel is compiled with :func:`nvmath.device.extern.compile_kernel` and its
SASS checked: the cuBLASDx (and cuFFTDx) code is fully inlined (no CALL) and nothing spills to
local memory (no LDL/STL). Each example's descriptors cost libmathdx compiles of seconds.
"""

import importlib
import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples" / "kernels"
EXAMPLES = [
    "gemm_simple",
    "gemm_runtime_ld",
    "gemm_mixed_precision",
    "gemm_complex",
    "gemm_tensor_accumulator",
    "gemm_batched",
    "gemm_bias_relu",
    "gemm_chained",
    "gemm_fft",
    "gemm_autotuning",
]
INLINED = {"CALL": 0, "LDL": 0, "STL": 0}


def import_example(name: str):
    """Import ``examples/kernels/<name>.py`` as a module without switching numba to the simulator."""
    before = os.environ.get("NUMBA_ENABLE_CUDASIM")
    sys.path.insert(0, str(EXAMPLES_DIR))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(EXAMPLES_DIR))
        # examples/kernels/_common.py asks for the simulator when no GPU is visible; numba is
        # already imported here (GPU mode), so only the variable is undone for child processes.
        if before is None:
            os.environ.pop("NUMBA_ENABLE_CUDASIM", None)
        else:
            os.environ["NUMBA_ENABLE_CUDASIM"] = before


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_kernels_compile_fully_inlined_for_sm90(name):
    from nvmath.device.common import simulator_enabled
    from nvmath.device.extern import compile_kernel

    if simulator_enabled():
        pytest.skip("compiles real kernels: run without NUMBA_ENABLE_CUDASIM")
    example = import_example(name)
    targets = example.compile_targets(90)
    assert targets, f"{name}: no kernels"
    for kernel_name, (kernel, argtypes) in targets.items():
        compiled = compile_kernel(kernel, argtypes, cc=(9, 0))
        assert compiled.sass_counts() == INLINED, f"{name}.{kernel_name}: {compiled.sass_counts()}"
        assert any("cublasdx" in code for code in compiled.linked), f"{name}.{kernel_name}: {compiled.linked}"
