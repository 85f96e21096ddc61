"""Batched products with ``numpy.matmul`` semantics: batch dimensions, broadcasting, 1-D operands.

Shows, on CuPy arrays: a batch of products ``(B, M, K) @ (B, K, N)``; one matrix shared by the
whole batch ``(B, M, K) @ (K, N)`` (no copy: cuBLASLt reads it with batch stride 0); two batch
dimensions; 1-D operands promoted and squeezed as NumPy does; every other matrix of a batch (a
strided view); a ``c`` broadcast over the batch; and the error for a batch that broadcasts over
some batch dimensions but not others (one cuBLASLt strided batch cannot describe it), which
names the explicit broadcast that works. Each result is checked against ``numpy.matmul`` in
float64. On a GPU it prints the time of a 1024 x (128 x 128) float32 batch against
``cupy.matmul`` on the same data (CUDA events, back to back after warm-up).

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/batched.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"batched: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import cupy as cp  # noqa: E402
import numpy as np  # noqa: E402

from nvmath.linalg.advanced import MatmulLayoutError, MatmulShapeError, matmul  # noqa: E402

rng = np.random.default_rng()


def pair(shape_a, shape_b):
    """Fresh float32 operands on the GPU and their float64 NumPy twins."""
    a = rng.standard_normal(shape_a).astype(np.float32)
    b = rng.standard_normal(shape_b).astype(np.float32)
    return cp.asarray(a), cp.asarray(b), a.astype(np.float64), b.astype(np.float64)


def check(name, result, reference, tol=1e-5):
    got = cp.asnumpy(result).astype(np.float64)
    assert got.shape == reference.shape, (name, got.shape, reference.shape)
    error = np.linalg.norm(got - reference) / np.linalg.norm(reference)
    print(f"  {name:<40} -> {str(got.shape):<16} rel. error {error:.1e}")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


print("batched:")
cases = [
    ("(8, 40, 24) @ (8, 24, 16)", (8, 40, 24), (8, 24, 16)),
    ("(8, 40, 24) @ (24, 16): shared b", (8, 40, 24), (24, 16)),
    ("(40, 24) @ (8, 24, 16): shared a", (40, 24), (8, 24, 16)),
    ("(2, 3, 40, 24) @ (2, 3, 24, 16)", (2, 3, 40, 24), (2, 3, 24, 16)),
    ("(1, 40, 24) @ (5, 24, 16): batch of 1", (1, 40, 24), (5, 24, 16)),
    ("(24,) @ (8, 24, 16): 1-D a", (24,), (8, 24, 16)),
    ("(8, 40, 24) @ (24,): 1-D b", (8, 40, 24), (24,)),
    ("(24,) @ (24,): dot product", (24,), (24,)),
]
for name, shape_a, shape_b in cases:
    a, b, an, bn = pair(shape_a, shape_b)
    check(name, matmul(a, b), np.matmul(an, bn))

# Every other matrix of a batch: a strided view, read in place (batch stride 2 * M * K).
a, b, an, bn = pair((16, 40, 24), (8, 24, 16))
check("a[::2] @ b (strided batch view)", matmul(a[::2], b), np.matmul(an[::2], bn))

# c broadcast over the batch: alpha * a @ b + beta * c with one (M, N) c for all 8 products.
a, b, an, bn = pair((8, 40, 24), (8, 24, 16))
c_h = rng.standard_normal((40, 16)).astype(np.float32)
check("0.5 * a @ b + c, c broadcast", matmul(a, b, cp.asarray(c_h), alpha=0.5, beta=1.0), 0.5 * np.matmul(an, bn) + c_h)

# NumPy allows (2, 3, M, K) @ (3, K, N); one strided batch cannot read b that way: a clear error.
a, b, _, _ = pair((2, 3, 40, 24), (3, 24, 16))
try:
    matmul(a, b)
except (MatmulLayoutError, MatmulShapeError) as exc:
    print(f"  partial broadcast refused: {type(exc).__name__}: {str(exc)[:100]}...")
else:
    raise AssertionError("(2, 3, M, K) @ (3, K, N) should have been refused")
# Shapes that do not multiply: both shapes are named.
try:
    matmul(*pair((8, 40, 24), (8, 23, 16))[:2])
except MatmulShapeError as exc:
    print(f"  bad shapes: {type(exc).__name__}: {str(exc)[:100]}...")
else:
    raise AssertionError("K = 24 against 23 should have been refused")

try:
    from benchmarks.timing import print_table, time_gpu
except ImportError as exc:
    print(f"  (timing skipped: {exc})")
else:
    a, b, _, _ = pair((1024, 128, 128), (1024, 128, 128))
    rows = [
        ("nvmath matmul", time_gpu(lambda: matmul(a, b), warmup=10, repeat=100)),
        ("cupy.matmul", time_gpu(lambda: cp.matmul(a, b), warmup=10, repeat=100)),
    ]
    print_table("float32 batch of 1024 x (128 x 128 @ 128 x 128), CUDA events", rows, baseline="cupy.matmul")
print("batched: OK")
