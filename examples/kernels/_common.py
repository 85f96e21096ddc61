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


def compare_with(title, nvmath_fn, peer_name, peer_fn, **timing):
    """On a GPU, print median times of ``nvmath_fn`` and ``peer_fn`` (CUDA events) and their ratio.

    ``peer_name`` labels the peer's row (e.g. ``"torch.bmm"``); ``timing`` goes to
    :func:`benchmarks.timing.time_gpu` (``warmup``, ``repeat``, ``warmup_s``). Returns the two
    timings (None without a GPU).
    """
    if not ON_GPU:
        return None
    from benchmarks.timing import print_table, time_gpu

    ours, theirs = time_gpu(nvmath_fn, **timing), time_gpu(peer_fn, **timing)
    print_table(title, [("nvmath.device kernel", ours), (peer_name, theirs)], baseline=peer_name)
    return ours, theirs


def pack(matrices, arrangement, ld):
    """Matrices ``(batch, rows, cols)`` as flat ``(batch, ld * cols or rows * ld)`` arrays in a cuBLASDx layout.

    ``arrangement`` is ``'row_major'`` (row ``r`` at ``r * ld``) or ``'col_major'`` (column
    ``c`` at ``c * ld``); padding elements are zero.
    """
    matrices = np.asarray(matrices)
    batch, rows, cols = matrices.shape
    if arrangement == "col_major":
        matrices = matrices.transpose(0, 2, 1)
        rows, cols = cols, rows
    out = np.zeros((batch, rows, ld), matrices.dtype)
    out[:, :, :cols] = matrices
    return out.reshape(batch, rows * ld)


def unpack(flat, rows, cols, arrangement, ld):
    """The inverse of :func:`pack`: flat ``(batch, n)`` arrays -> matrices ``(batch, rows, cols)``."""
    flat = np.asarray(flat)
    batch = flat.shape[0]
    outer, inner = (cols, rows) if arrangement == "col_major" else (rows, cols)
    m = flat[:, : outer * ld].reshape(batch, outer, ld)[:, :, :inner]
    return m.transpose(0, 2, 1) if arrangement == "col_major" else m


def random(rng, shape, dtype, complex_=False):
    """Random numbers of ``dtype`` in [-1, 1) (complex when ``complex_``), for problems and tests."""
    x = rng.uniform(-1, 1, shape)
    if complex_:
        x = x + 1j * rng.uniform(-1, 1, shape)
    return x.astype(dtype)
