"""A ``torch.nn.Linear``-style layer on cuBLASLt: ``y = act(x @ W.T + bias)`` with the bias (and activation) fused.

cuBLASLt adds the bias per *row* of the result (length M); ``torch.nn.Linear`` adds it per
*column* (one value per output feature). The layer computes the transposed problem instead:
``y.T = W @ x.T + bias`` has one bias value per row, so ``matmul(W, x.T, epilog=BIAS,
epilog_inputs={'bias': bias}).T`` is ``x @ W.T + bias``. Nothing is copied: ``x.T`` is a
column-major view of the C-contiguous ``x``, and the epilog writes a column-major ``y.T``, so
``y`` comes back C-contiguous. ``activation='relu'`` / ``'gelu'`` fuse the activation too
(``RELU_BIAS`` / ``GELU_BIAS``, GELU's tanh approximation). The layer keeps a
:class:`~nvmath.linalg.advanced.PlanCache`, so calls with inputs of one shape reuse one plan.

Shows: the layer in bfloat16 and float32 against ``torch.nn.functional.linear`` (and NumPy in
float64), with leading batch dimensions, and its plan reuse. On a GPU it prints the time of the
layer against ``F.linear`` (+ activation) on the same data: a 4096-token batch (CUDA events) and
a 16-token batch (host time per call incl. sync).

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/linear_layer.py
"""

from __future__ import annotations

import math
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"linear_layer: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402, N812

from nvmath.linalg.advanced import MatmulEpilog, PlanCache  # noqa: E402

_EPILOGS = {None: MatmulEpilog.BIAS, "relu": MatmulEpilog.RELU_BIAS, "gelu": MatmulEpilog.GELU_BIAS}


class Linear:
    """``y = activation(x @ weight.T + bias)`` for ``x`` of shape ``(..., in_features)``, like ``torch.nn.Linear``.

    Args:
        weight: ``(out_features, in_features)``, as ``torch.nn.Linear.weight``.
        bias: ``(out_features,)``, of the weight's dtype (or float32 for 16-bit weights).
        activation: None, ``'relu'`` or ``'gelu'`` (tanh approximation), fused into the matmul.

    Example:
        >>> layer = Linear(torch.randn(8, 4, device="cuda"), torch.randn(8, device="cuda"))  # doctest: +SKIP
        >>> layer(torch.randn(5, 4, device="cuda")).shape  # doctest: +SKIP
        torch.Size([5, 8])
    """

    def __init__(self, weight: torch.Tensor, bias: torch.Tensor, activation: str | None = None) -> None:
        if activation not in _EPILOGS:
            raise ValueError(f"Argument 'activation' = {activation!r} must be one of {list(_EPILOGS)}.")
        self.weight, self.bias = weight, bias
        self.epilog = _EPILOGS[activation]
        self.inputs = {"bias": bias}
        self.plans = PlanCache(maxsize=8)  # one plan per input shape

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        rows = x.reshape(-1, x.shape[-1])  # a view for contiguous x
        y_t = self.plans.matmul(self.weight, rows.T, epilog=self.epilog, epilog_inputs=self.inputs)
        return y_t.T.reshape(*x.shape[:-1], self.weight.shape[0])


def torch_reference(x, weight, bias, activation):
    y = F.linear(x, weight, bias)
    if activation == "relu":
        return torch.relu(y)
    if activation == "gelu":
        return F.gelu(y, approximate="tanh")
    return y


def numpy_reference(x, weight, bias, activation):
    y = np.matmul(x, weight.T) + bias
    if activation == "relu":
        return np.maximum(y, 0)
    if activation == "gelu":
        return 0.5 * y * (1 + np.tanh(math.sqrt(2 / math.pi) * (y + 0.044715 * y**3)))
    return y


def f64(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float64).cpu().numpy()


def rel_error(result, reference) -> float:
    return float(np.linalg.norm(f64(result) - reference) / np.linalg.norm(reference))


print("linear_layer:")
for dtype, tol in ((torch.bfloat16, 1e-2), (torch.float32, 2e-4)):  # float32 GELU: tanh may be approximated
    in_features, out_features = 192, 320
    weight = torch.randn(out_features, in_features, device="cuda", dtype=dtype) * in_features**-0.5
    bias = torch.randn(out_features, device="cuda", dtype=dtype)
    for activation in (None, "relu", "gelu"):
        layer = Linear(weight, bias, activation)
        for shape in ((64, in_features), (3, 50, in_features), (64, in_features)):
            x = torch.randn(*shape, device="cuda", dtype=dtype)
            y = layer(x)
            assert y.shape == (*shape[:-1], out_features) and y.is_contiguous(), (y.shape, y.stride())
            reference = numpy_reference(f64(x), f64(weight), f64(bias), activation)
            vs_numpy = rel_error(y, reference)
            vs_torch = rel_error(y, f64(torch_reference(x, weight, bias, activation)))
            print(f"  {str(dtype):<15} {str(activation):<5} x {str(shape):<15} -> y {str(tuple(y.shape)):<15} "
                  f"rel. error vs NumPy {vs_numpy:.1e}, vs F.linear {vs_torch:.1e}")  # fmt: skip
            assert vs_numpy < tol, f"relative error {vs_numpy} >= {tol}"
        assert layer.plans.hits >= 1, "the repeated input shape should reuse its plan"

try:
    from benchmarks.timing import print_table, time_gpu, time_host
    from nvmath.host.streams import cupy_stream

    stream = cupy_stream(torch.cuda.current_stream().cuda_stream, torch.cuda.current_device())
except ImportError as exc:
    print(f"  (timing skipped: {exc})")
else:
    features = 4096
    weight = torch.randn(features, features, device="cuda", dtype=torch.bfloat16) * features**-0.5
    bias = torch.randn(features, device="cuda", dtype=torch.bfloat16)
    for activation in (None, "gelu"):
        layer = Linear(weight, bias, activation)
        x = torch.randn(4096, features, device="cuda", dtype=torch.bfloat16)
        rows = [
            ("nvmath Linear", time_gpu(lambda f=layer, x=x: f(x), warmup=10, repeat=50, stream=stream)),
            ("torch F.linear", time_gpu(lambda x=x, act=activation: torch_reference(x, weight, bias, act), warmup=10,
                                        repeat=50, stream=stream)),
        ]  # fmt: skip
        print_table(f"bfloat16 Linear {features} -> {features}, activation {activation}, 4096 tokens, CUDA events",
                    rows, baseline="torch F.linear")  # fmt: skip
    layer = Linear(weight, bias)
    x = torch.randn(16, features, device="cuda", dtype=torch.bfloat16)
    torch_stream = torch.cuda.current_stream()

    def ours():
        layer(x)
        torch_stream.synchronize()

    def theirs():
        F.linear(x, weight, bias)
        torch_stream.synchronize()

    rows = [("nvmath Linear + sync", time_host(ours, warmup=100, repeat=1000)),
            ("torch F.linear + sync", time_host(theirs, warmup=100, repeat=1000))]  # fmt: skip
    print_table(f"bfloat16 Linear {features} -> {features}, 16 tokens, one call incl. sync (host clock)", rows,
                baseline="torch F.linear + sync")  # fmt: skip
print("linear_layer: OK")
