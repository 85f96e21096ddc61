"""Matrix products of PyTorch tensors: CUDA tensors stay on their device, CPU tensors come back as CPU tensors.

Shows: ``matmul`` on CUDA tensors in bfloat16, float16 and float32 (the work is ordered on
torch's current stream, the call does not wait), on CPU tensors (copied to the GPU and back; the
call blocks), a lazily conjugated complex tensor (``x.conj()`` is read as conjugated, no copy),
and a transposed view (``w.T``). Each result is checked against NumPy in float64. On a GPU it
prints the time of ``matmul`` and ``torch.matmul`` on the same bfloat16 4096^3 data (CUDA events
on torch's stream, back to back after warm-up).

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/torch_matmul.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"torch_matmul: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from nvmath.linalg.advanced import matmul  # noqa: E402


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A float64 (complex128) NumPy copy of a tensor of any dtype and device."""
    t = t.detach().resolve_conj()
    t = t.to(torch.complex128 if t.is_complex() else torch.float64)
    return t.cpu().numpy()


def check(name, result, reference, tol, device):
    assert isinstance(result, torch.Tensor) and result.device.type == device, (type(result), result.device)
    got = to_numpy(result)
    error = np.linalg.norm(got - reference) / np.linalg.norm(reference)
    print(f"  {name:<40} {str(tuple(result.shape)):<12} {str(result.dtype):<16} {device:<5} rel. error {error:.1e}")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


print("torch_matmul:")
for dtype, tol in ((torch.bfloat16, 1e-2), (torch.float16, 1e-2), (torch.float32, 1e-5)):
    a = torch.randn(256, 192, device="cuda").to(dtype)
    b = torch.randn(192, 128, device="cuda").to(dtype)
    check(f"matmul(a, b) {dtype}", matmul(a, b), to_numpy(a) @ to_numpy(b), tol, "cuda")

# CPU tensors: copied to the GPU and back; the result is a CPU tensor.
a_cpu, b_cpu = torch.randn(128, 64), torch.randn(64, 32)
check("matmul(a_cpu, b_cpu) float32", matmul(a_cpu, b_cpu), to_numpy(a_cpu) @ to_numpy(b_cpu), 1e-5, "cpu")

# A lazily conjugated tensor and a transposed view, both read in place.
x = torch.randn(96, 80, dtype=torch.complex64, device="cuda")
w = torch.randn(64, 80, dtype=torch.complex64, device="cuda")
check("matmul(x.conj(), w.T) complex64", matmul(x.conj(), w.T), np.conj(to_numpy(x)) @ to_numpy(w).T, 1e-5, "cuda")

try:
    from benchmarks.timing import print_table, time_gpu
    from nvmath.host.streams import cupy_stream

    stream = cupy_stream(torch.cuda.current_stream().cuda_stream, torch.cuda.current_device())
except ImportError as exc:  # CuPy (for the events) or the repository is missing
    print(f"  (timing skipped: {exc})")
else:
    n = 4096
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    rows = [
        ("nvmath matmul", time_gpu(lambda: matmul(a, b), warmup=5, repeat=30, stream=stream)),
        ("torch.matmul", time_gpu(lambda: torch.matmul(a, b), warmup=5, repeat=30, stream=stream)),
    ]
    print_table(f"bfloat16 {n}^3, torch CUDA tensors, CUDA events", rows, baseline="torch.matmul")
    for name, timing in rows:
        print(f"  {name}: {2 * n**3 / timing.median_ms / 1e9:.1f} TFLOP/s")
print("torch_matmul: OK")
