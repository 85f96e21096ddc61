"""One training step of a two-layer MLP with fused cuBLASLt epilogs, forward and backward.

Shows, on float16 torch tensors, in cuBLASLt's "features x batch" layout (bias per row):

- forward: ``h, aux = matmul(W1, X, epilog=RELU_AUX_BIAS, epilog_inputs={'bias': b1})`` returns
  ``h = relu(W1 @ X + b1)`` and ``aux['relu_aux']``, the bit mask of where ``h > 0``; then
  ``y = W2 @ h + b2`` (``BIAS``), loss ``0.5 * |y - target|^2``, so ``dY = y - target``;
- backward: ``dW2, {'bgrada': db2} = matmul(dY, h.T, epilog=BGRADA)`` (the bias gradient is the
  row sums of ``dY``, fused); ``dZ1, {'drelu_bgrad': db1} = matmul(W2.T, dY, epilog=DRELU_BGRAD,
  epilog_inputs={'relu_aux': aux['relu_aux']})`` computes ``(W2.T @ dY) * relu'(Z1)`` and its row
  sums in one call, reading the forward's mask; then ``dW1 = dZ1 @ X.T``.

Every tensor is checked against NumPy in float64 (from the same inputs), and the gradients
against ``torch.autograd`` (float64). On a GPU it prints the fused backward step
(DRELU_BGRAD) against torch doing it unfused (``(W2.T @ dY) * (h > 0)``, ``.sum(1)``) on the same
4096-wide data (CUDA events).

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/epilog_backward.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"epilog_backward: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from nvmath.linalg.advanced import MatmulEpilog as E  # noqa: E402
from nvmath.linalg.advanced import matmul  # noqa: E402


def f64(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float64).cpu().numpy()


def check(name, result, reference, tol=1e-2):
    got = f64(result) if isinstance(result, torch.Tensor) else result
    assert got.shape == reference.shape, (name, got.shape, reference.shape)
    error = np.linalg.norm(got - reference) / np.linalg.norm(reference)
    print(f"  {name:<44} {str(reference.shape):<12} rel. error {error:.1e}")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


def layer_params(n_in, n_hidden, n_out, batch, dtype=torch.float16):
    """X (one column per sample), W1, b1, W2, b2 and the target, in ``dtype`` on the GPU."""
    return (
        torch.randn(n_in, batch, device="cuda").to(dtype),  # X
        (torch.randn(n_hidden, n_in, device="cuda") * n_in**-0.5).to(dtype),  # W1
        torch.randn(n_hidden, device="cuda").to(dtype),  # b1
        (torch.randn(n_out, n_hidden, device="cuda") * n_hidden**-0.5).to(dtype),  # W2
        torch.randn(n_out, device="cuda").to(dtype),  # b2
        torch.randn(n_out, batch, device="cuda").to(dtype),  # target
    )


print("epilog_backward:")
X, W1, b1, W2, b2, target = layer_params(n_in=96, n_hidden=256, n_out=64, batch=200)

# ---- forward ----
h, aux = matmul(W1, X, epilog=E.RELU_AUX_BIAS, epilog_inputs={"bias": b1})
y = matmul(W2, h, epilog=E.BIAS, epilog_inputs={"bias": b2})
dY = y - target  # d(loss)/dy

# ---- backward ----
dW2, extra = matmul(dY, h.T, epilog=E.BGRADA)
db2 = extra["bgrada"]
dZ1, extra = matmul(W2.T, dY, epilog=E.DRELU_BGRAD, epilog_inputs={"relu_aux": aux["relu_aux"]})
db1 = extra["drelu_bgrad"]
dW1 = matmul(dZ1, X.T)

# ---- float64 references from the same inputs ----
z1 = f64(W1) @ f64(X) + f64(b1)[:, None]
check("forward h = relu(W1 @ X + b1)", h, np.maximum(z1, 0))
check("forward y = W2 @ h + b2", y, f64(W2) @ f64(h) + f64(b2)[:, None])
g = f64(dY)
check("dW2 = dY @ h.T (BGRADA)", dW2, g @ f64(h).T)
check("db2 = dY.sum(1) (BGRADA's bgrada)", db2, g.sum(axis=1))
active = f64(h) > 0  # relu'(Z1), as the forward's relu_aux recorded it
dz1 = (f64(W2).T @ g) * active
check("dZ1 = (W2.T @ dY) * relu'(Z1) (DRELU_BGRAD)", dZ1, dz1)
check("db1 = dZ1.sum(1) (DRELU_BGRAD's drelu_bgrad)", db1, dz1.sum(axis=1))
check("dW1 = dZ1 @ X.T", dW1, f64(dZ1) @ f64(X).T)

# ---- the same step with torch.autograd (float64 from the same inputs, samples as rows as torch.nn has them) ----
params = [t.detach().double().requires_grad_() for t in (W1, b1, W2, b2)]
tw1, tb1, tw2, tb2 = params
xt = X.double().T
out = torch.nn.functional.linear(torch.relu(torch.nn.functional.linear(xt, tw1, tb1)), tw2, tb2)
(0.5 * ((out - target.double().T) ** 2).sum()).backward()
for name, ours, param in (("W1", dW1, tw1), ("b1", db1, tb1), ("W2", dW2, tw2), ("b2", db2, tb2)):
    check(f"d{name} against torch.autograd", ours, f64(param.grad), 2e-2)

try:
    from benchmarks.timing import print_table, time_gpu
    from nvmath.host.streams import cupy_stream

    stream = cupy_stream(torch.cuda.current_stream().cuda_stream, torch.cuda.current_device())
except ImportError as exc:
    print(f"  (timing skipped: {exc})")
else:
    X, W1, b1, W2, b2, target = layer_params(n_in=4096, n_hidden=4096, n_out=4096, batch=4096)
    h, aux = matmul(W1, X, epilog=E.RELU_AUX_BIAS, epilog_inputs={"bias": b1})
    dY = matmul(W2, h, epilog=E.BIAS, epilog_inputs={"bias": b2}) - target
    mask = aux["relu_aux"]
    W2t = W2.T

    def fused():
        return matmul(W2t, dY, epilog=E.DRELU_BGRAD, epilog_inputs={"relu_aux": mask})

    def unfused():
        dz = (W2t @ dY) * (h > 0)
        return dz, dz.sum(1)

    rows = [
        ("nvmath DRELU_BGRAD (fused)", time_gpu(fused, warmup=5, repeat=30, stream=stream)),
        ("torch (W2.T @ dY) * (h > 0), sum(1)", time_gpu(unfused, warmup=5, repeat=30, stream=stream)),
    ]
    print_table("float16 backward step, 4096 x 4096 x 4096, CUDA events", rows,
                baseline="torch (W2.T @ dY) * (h > 0), sum(1)")  # fmt: skip
print("epilog_backward: OK")
