"""Matrix products of NumPy arrays: copied to the GPU, multiplied by cuBLASLt, copied back.

Shows: ``nvmath.linalg.advanced.matmul`` on NumPy arrays (the result is a NumPy array and the
call blocks), float32/float64/complex128, ``alpha * a @ b + beta * c``, a transposed view read as
it is (its strides become the cuBLASLt layout), conjugation through ``qualifiers``, and the error
for mismatched dtypes (nothing is promoted). Each result is checked against NumPy in float64. On a
GPU it prints the time per call against CuPy doing the same round trip (copy in, ``cupy.matmul``,
copy out) and against NumPy on the CPU.

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/numpy_matmul.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"numpy_matmul: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import numpy as np  # noqa: E402

from nvmath.linalg.advanced import MatmulDtypeError, matmul  # noqa: E402

rng = np.random.default_rng()


def check(name, result, reference, tol):
    """Relative L2 error of ``result`` against the float64 ``reference``, asserted below ``tol``."""
    assert isinstance(result, np.ndarray), type(result)
    error = np.linalg.norm(result - reference) / np.linalg.norm(reference)
    print(f"  {name:<44} shape {str(result.shape):<14} {str(result.dtype):<10} rel. error {error:.1e}")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


m, k, n = 1024, 512, 768
a = rng.standard_normal((m, k)).astype(np.float32)
b = rng.standard_normal((k, n)).astype(np.float32)
c = rng.standard_normal((m, n)).astype(np.float32)
a64, b64, c64 = a.astype(np.float64), b.astype(np.float64), c.astype(np.float64)

print("numpy_matmul:")
check("matmul(a, b) float32", matmul(a, b), a64 @ b64, 1e-5)
check("0.5 * a @ b - 2 * c", matmul(a, b, c, alpha=0.5, beta=-2.0), 0.5 * a64 @ b64 - 2 * c64, 1e-5)

# A transposed view: at is (K, M) in memory, at.T is the (M, K) operand, read without a copy.
at = np.ascontiguousarray(a.T)
check("matmul(at.T, b) (transposed view)", matmul(at.T, b), a64 @ b64, 1e-5)

# float64 and complex128 (with a conjugated a through qualifiers).
x = rng.standard_normal((200, 300)) + 1j * rng.standard_normal((200, 300))
y = rng.standard_normal((300, 100)) + 1j * rng.standard_normal((300, 100))
check("matmul(a, b) float64", matmul(a64, b64), a64 @ b64, 1e-12)
check("matmul(x, y) complex128", matmul(x, y), x @ y, 1e-12)
check("conj(x) @ y (qualifiers=[True, False])", matmul(x, y, qualifiers=[True, False]), np.conj(x) @ y, 1e-12)

# No silent promotion: float32 times float64 is an error that says what to do.
try:
    matmul(a, b64)
except MatmulDtypeError as exc:
    print(f"  mismatched dtypes: {type(exc).__name__}: {str(exc)[:90]}...")
else:
    raise AssertionError("float32 @ float64 should have been refused")

try:
    import cupy
except ImportError:
    cupy = None
if cupy is None:
    print("  (CuPy is not installed: timing skipped)")
else:
    from benchmarks.timing import print_table, time_host

    def cupy_round_trip():
        return cupy.asnumpy(cupy.matmul(cupy.asarray(a), cupy.asarray(b)))

    rows = [
        ("nvmath matmul (NumPy in, NumPy out)", time_host(lambda: matmul(a, b), warmup=5, repeat=50)),
        ("CuPy: asarray, matmul, asnumpy", time_host(cupy_round_trip, warmup=5, repeat=50)),
        ("NumPy a @ b on the CPU", time_host(lambda: a @ b, warmup=2, repeat=10)),
    ]
    print_table(f"float32 {m}x{k} @ {k}x{n}, NumPy operands, one call incl. copies (host clock)", rows,
                baseline="CuPy: asarray, matmul, asnumpy")  # fmt: skip
print("numpy_matmul: OK")
