"""Shared by the kernel examples: simulator fallback, checks against NumPy, timing against CuPy."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

from nvmath._gpu import gpu_count  # noqa: E402

ON_GPU = gpu_count() > 0
if not ON_GPU:
    # No GPU: run the same kernels in Numba's CUDA simulator (read when numba is imported).
    os.environ.setdefault("NUMBA_ENABLE_CUDASIM", "1")

import numpy as np  # noqa: E402


def sm():
    """Target compute capability: the current device's on a GPU, 90 in the simulator."""
    return None if ON_GPU else 90


def check(name, result, ref, tol):
    error = np.linalg.norm(np.asarray(result) - ref) / np.linalg.norm(ref)
    where = "GPU" if ON_GPU else "CUDA simulator (no GPU)"
    print(f"{name}: relative error vs NumPy {error:.2e} [{where}]")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


def compare_with_cupy(title, nvmath_fn, cupy_fn):
    """On a GPU, print median times of ``nvmath_fn`` and ``cupy_fn`` (CUDA events) and their ratio."""
    if not ON_GPU:
        return
    from benchmarks.timing import print_table, time_gpu

    rows = [("nvmath.device kernel", time_gpu(nvmath_fn)), ("CuPy", time_gpu(cupy_fn))]
    print_table(title, rows, baseline="CuPy")
