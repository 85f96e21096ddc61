"""Matrix products of CuPy arrays: the result is a CuPy array on the operands' device.

Shows: ``matmul`` on CuPy arrays in float16, float32 and complex64; the call returns without
waiting (``blocking='auto'`` with GPU operands; the work is ordered on CuPy's current stream);
strided views read in place: a transposed operand and a sub-matrix of a wider array (its leading
dimension is the wider array's); ``alpha * a @ b + beta * c``, and the error for a ``c`` that would
broadcast inside the result's matrices (cuBLASLt cannot; nothing is copied silently). Each result is checked against
NumPy in float64. On a GPU it prints the time of ``matmul`` and of ``cupy.matmul`` on the same
4096^3 data (CUDA events, back to back after warm-up).

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/cupy_matmul.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"cupy_matmul: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import cupy as cp  # noqa: E402
import numpy as np  # noqa: E402

from nvmath.linalg.advanced import MatmulLayoutError, matmul  # noqa: E402

rng = np.random.default_rng()


def check(name, result, reference, tol):
    """Relative L2 error of the CuPy ``result`` against the float64 NumPy ``reference``."""
    assert isinstance(result, cp.ndarray), type(result)
    got = cp.asnumpy(result).astype(np.complex128 if np.iscomplexobj(reference) else np.float64)
    error = np.linalg.norm(got - reference) / np.linalg.norm(reference)
    print(f"  {name:<42} shape {str(result.shape):<14} {str(result.dtype):<10} rel. error {error:.1e}")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


def random(shape, dtype):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


print("cupy_matmul:")
for dtype, tol in (("float16", 1e-2), ("float32", 1e-5), ("complex64", 1e-5)):
    a_h, b_h = random((300, 200), dtype), random((200, 100), dtype)
    a, b = cp.asarray(a_h), cp.asarray(b_h)
    d = matmul(a, b)  # returns at once; d is ready in stream order
    check(f"matmul(a, b) {dtype}", d, a_h.astype(np.complex128) @ b_h if dtype == "complex64" else
          a_h.astype(np.float64) @ b_h.astype(np.float64), tol)  # fmt: skip

# Views are read in place: a transposed operand, and the left 200 columns of a 300 x 256 array.
wide_h = random((300, 256), "float32")
bt_h = random((100, 200), "float32")
wide, bt = cp.asarray(wide_h), cp.asarray(bt_h)
a_view, b_view = wide[:, :200], bt.T  # strides (256, 1) and (1, 200): no copies
c_h = random((300, 100), "float32")
d = matmul(a_view, b_view, cp.asarray(c_h), alpha=2.0, beta=1.0)
check("2 * wide[:, :200] @ bt.T + c (views)", d, 2 * wide_h[:, :200].astype(np.float64) @ bt_h.T + c_h, 1e-5)

# cuBLASLt cannot broadcast c inside a matrix: a c of shape (N,) is refused (never copied silently).
try:
    matmul(a_view, b_view, cp.asarray(c_h[0]), beta=1.0)
except MatmulLayoutError as exc:
    print(f"  c of shape (N,): {type(exc).__name__}: {str(exc)[:90]}...")
else:
    raise AssertionError("a c broadcast inside the matrix should have been refused")

try:
    from benchmarks.timing import print_table, time_gpu
except ImportError as exc:  # run from a copy without the repository
    print(f"  (timing skipped: {exc})")
else:
    n = 4096
    for dtype in ("float16", "float32"):
        a = cp.random.standard_normal((n, n), dtype=cp.float32).astype(dtype)
        b = cp.random.standard_normal((n, n), dtype=cp.float32).astype(dtype)
        rows = [
            ("nvmath matmul", time_gpu(lambda a=a, b=b: matmul(a, b), warmup=5, repeat=30)),
            ("cupy.matmul", time_gpu(lambda a=a, b=b: cp.matmul(a, b), warmup=5, repeat=30)),
        ]
        print_table(f"{dtype} {n}^3, CuPy operands, CUDA events", rows, baseline="cupy.matmul")
        t = rows[0][1].median_ms
        print(f"  nvmath: {2 * n**3 / t / 1e9:.1f} TFLOP/s")
print("cupy_matmul: OK")
