"""Fused epilogs: bias + ReLU and bias + GELU applied by cuBLASLt as the result is written, with their aux outputs.

Shows, on bfloat16 torch tensors: ``RELU_BIAS`` (``relu(a @ b + bias)``) and ``GELU_BIAS``
(``gelu(a @ b + bias)``, cuBLASLt's tanh approximation), where ``bias`` has one value per row of the
result (length M, cuBLASLt's convention; see linear_layer.py for torch.nn.Linear's per-column
bias); ``RELU_AUX_BIAS`` also returns ``'relu_aux'`` (a uint8 bit mask of where the input was
positive, the input of a later DRELU backward step, see epilog_backward.py) and ``GELU_AUX_BIAS``
returns ``'gelu_aux'`` (the GELU input ``a @ b + bias``). Each result is checked against NumPy in
float64. On a GPU it prints the fused epilogs' times against torch doing the same unfused
(``torch.relu(a @ b + bias[:, None])``) on the same 4096^3 data (CUDA events).

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/epilog_bias_relu.py
"""

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"epilog_bias_relu: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from nvmath.linalg.advanced import MatmulEpilog, matmul  # noqa: E402


def f64(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float64).cpu().numpy()


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh approximation (what cuBLASLt computes)."""
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def check(name, result, reference, tol=1e-2):
    got = f64(result)
    assert got.shape == reference.shape, (name, got.shape, reference.shape)
    error = np.linalg.norm(got - reference) / np.linalg.norm(reference)
    print(f"  {name:<40} {str(tuple(result.shape)):<12} {str(result.dtype):<16} rel. error {error:.1e}")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


print("epilog_bias_relu:")
m, k, n = 512, 256, 384
a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
b = torch.randn(k, n, device="cuda", dtype=torch.bfloat16)
bias = torch.randn(m, device="cuda", dtype=torch.bfloat16)  # one value per row of the result
z = f64(a) @ f64(b) + f64(bias)[:, None]  # the epilogs' input, in float64

d = matmul(a, b, epilog=MatmulEpilog.RELU_BIAS, epilog_inputs={"bias": bias})
check("RELU_BIAS: relu(a @ b + bias)", d, np.maximum(z, 0))
d = matmul(a, b, epilog=MatmulEpilog.GELU_BIAS, epilog_inputs={"bias": bias})
check("GELU_BIAS: gelu(a @ b + bias)", d, gelu(z))

# With aux outputs: (result, {name: array}).
d, aux = matmul(a, b, epilog=MatmulEpilog.RELU_AUX_BIAS, epilog_inputs={"bias": bias})
check("RELU_AUX_BIAS: result", d, np.maximum(z, 0))
mask_bits = aux["relu_aux"]  # uint8, shape (N, bytes per column): bit i of column j is z[i, j] > 0
assert mask_bits.dtype == torch.uint8 and mask_bits.shape[0] == n, (mask_bits.dtype, mask_bits.shape)
mask = np.unpackbits(mask_bits.cpu().numpy(), axis=-1, bitorder="little")[:, :m].T.astype(bool)
assert np.array_equal(mask, f64(d) > 0), "relu_aux does not mark the positive results"
print(f"  RELU_AUX_BIAS: relu_aux {tuple(mask_bits.shape)} uint8 bit mask, {mask.mean():.1%} set, matches result > 0")

d, aux = matmul(a, b, epilog=MatmulEpilog.GELU_AUX_BIAS, epilog_inputs={"bias": bias})
check("GELU_AUX_BIAS: result", d, gelu(z))
check("GELU_AUX_BIAS: gelu_aux (the GELU input)", aux["gelu_aux"], z)

try:
    from benchmarks.timing import print_table, time_gpu
    from nvmath.host.streams import cupy_stream

    stream = cupy_stream(torch.cuda.current_stream().cuda_stream, torch.cuda.current_device())
except ImportError as exc:
    print(f"  (timing skipped: {exc})")
else:
    size = 4096
    a = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(size, size, device="cuda", dtype=torch.bfloat16)
    bias = torch.randn(size, device="cuda", dtype=torch.bfloat16)
    col = bias[:, None]
    for epilog, unfused, label in (
        (MatmulEpilog.RELU_BIAS, lambda: torch.relu(a @ b + col), "torch.relu(a @ b + bias)"),
        (MatmulEpilog.GELU_BIAS, lambda: torch.nn.functional.gelu(a @ b + col, approximate="tanh"),
         "torch gelu(a @ b + bias)"),
    ):  # fmt: skip
        fused = matmul(a, b, epilog=epilog, epilog_inputs={"bias": bias})
        diff = (fused.float() - unfused().float()).norm() / unfused().float().norm()
        rows = [
            (f"nvmath {epilog.name} (fused)",
             time_gpu(lambda e=epilog: matmul(a, b, epilog=e, epilog_inputs={"bias": bias}), warmup=5, repeat=30,
                      stream=stream)),
            (f"{label} (unfused)", time_gpu(unfused, warmup=5, repeat=30, stream=stream)),
        ]  # fmt: skip
        print_table(f"bfloat16 {size}^3 + {epilog.name}, CUDA events (vs torch: rel. diff {diff:.1e})", rows,
                    baseline=f"{label} (unfused)")  # fmt: skip
print("epilog_bias_relu: OK")
