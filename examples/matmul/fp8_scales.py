"""FP8 (float8_e4m3fn) matmul with per-tensor quantization scales, a bfloat16 result, and amax for the next scale.

Shows, on torch tensors (FP8 needs compute capability 8.9 or newer):

- quantize float32 ``x`` and ``w`` to e4m3 with per-tensor scales (``scale = amax / 448``, the
  largest e4m3 value); ``a`` row-major and ``b = wt.T`` column-major, the layout FP8 kernels take;
- ``matmul(a, b, quantization_scales=MatmulQuantizationScales(a=sa, b=sb), options={'result_type':
  'bfloat16'})`` computes ``(sa * a) @ (sb * b)`` in float32 and writes bfloat16;
- an FP8 result: ``options={'result_type': 'float8_e4m3fn', 'result_amax': True}`` with a D scale
  returns ``(d, {'result_amax': ...})``, the max |result| before the D scale, from which the next
  step's D scale is set (delayed scaling, one bit of headroom); scales given as one-element GPU tensors are read at
  execution, so changing them in place is seen by the next ``execute()``.

Each result is checked against the dequantized product in float64. On a GPU with FP8 it prints
the time against ``torch._scaled_mm`` on the same 8192^3 data (CUDA events). On older GPUs it
says so and exits 0; without a GPU it prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/fp8_scales.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"fp8_scales: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from nvmath.linalg.advanced import Matmul, MatmulQuantizationScales, matmul  # noqa: E402

if torch.cuda.get_device_capability() < (8, 9):
    major, minor = torch.cuda.get_device_capability()
    print(f"fp8_scales: FP8 matmuls need compute capability 8.9 or newer; this GPU has {major}.{minor}. Skipped.")
    sys.exit(0)

E4M3_MAX = float(torch.finfo(torch.float8_e4m3fn).max)  # 448


def quantize(x: torch.Tensor) -> tuple[torch.Tensor, float]:
    """``x`` as e4m3 with a per-tensor scale: ``x ~ scale * q``."""
    scale = float(x.abs().max()) / E4M3_MAX
    return (x / scale).to(torch.float8_e4m3fn), scale


def f64(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float32).to(torch.float64).cpu().numpy()


def check(name, result, reference, tol):
    got = f64(result)
    error = np.linalg.norm(got - reference) / np.linalg.norm(reference)
    print(f"  {name:<52} {str(result.dtype):<20} rel. error {error:.1e}")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


print("fp8_scales:")
m, k, n = 256, 512, 128
x = torch.randn(m, k, device="cuda") * 3.0
wt = torch.randn(n, k, device="cuda") * 0.02  # a weight stored (N, K), as torch.nn.Linear does
a, sa = quantize(x)
bt, sb = quantize(wt)
b = bt.T  # (K, N), column-major: no copy
reference = (sa * f64(a)) @ (sb * f64(b))  # the dequantized product
print(f"  scales: a {sa:.3g}, b {sb:.3g}")

d = matmul(a, b, quantization_scales=MatmulQuantizationScales(a=sa, b=sb), options={"result_type": "bfloat16"})
assert d.dtype == torch.bfloat16
check("e4m3 x e4m3 -> bfloat16", d, reference, 1e-2)
print(f"  against float32 x @ w.T (quantization error included): "
      f"{float((d.float() - x @ wt.T).norm() / (x @ wt.T).norm()):.1e}")  # fmt: skip

# An FP8 result with a D scale from the amax of a previous step (delayed scaling).
scale_a = torch.full((1,), sa, device="cuda")  # read by the GPU at execution
scale_d = torch.full((1,), 1.0, device="cuda")
scales = MatmulQuantizationScales(a=scale_a, b=sb, d=scale_d)
options = {"result_type": "float8_e4m3fn", "result_amax": True}
with Matmul(a, b, quantization_scales=scales, options=options) as mm:
    mm.plan()
    d8, aux = mm.execute()
    amax = float(aux["result_amax"].reshape(-1)[0])
    print(f"  step 1: D scale 1, result_amax {amax:.4g} (reference {np.abs(reference).max():.4g})")
    assert abs(amax - np.abs(reference).max()) <= 1e-2 * np.abs(reference).max()
    next_scale = E4M3_MAX / (2 * amax)  # the next result fills half the e4m3 range (one bit of headroom)
    scale_d.fill_(next_scale)  # in place: read by the next execution
    d8, aux = mm.execute()
    assert d8.dtype == torch.float8_e4m3fn
    check(f"step 2: e4m3 result with D scale {next_scale:.3g}", d8, reference * next_scale, 7e-2)
    print(f"  step 2: max |d| = {float(d8.float().abs().max()):.4g} (e4m3 max {E4M3_MAX:g})")

try:
    from benchmarks.timing import print_table, time_gpu
    from nvmath.host.streams import cupy_stream

    stream = cupy_stream(torch.cuda.current_stream().cuda_stream, torch.cuda.current_device())
except ImportError as exc:
    print(f"  (timing skipped: {exc})")
else:
    size = 8192
    a = torch.randn(size, size, device="cuda").to(torch.float8_e4m3fn)
    b = torch.randn(size, size, device="cuda").to(torch.float8_e4m3fn).T
    one = torch.ones((), device="cuda")
    with Matmul(a, b, quantization_scales={"a": one, "b": one}, options={"result_type": "bfloat16"}) as mm:
        mm.plan()
        diff = (mm.execute().float() - torch._scaled_mm(a, b, one, one, out_dtype=torch.bfloat16).float()).norm()
        rows = [
            ("nvmath Matmul.execute", time_gpu(mm.execute, warmup=10, repeat=50, stream=stream, warmup_s=1.0)),
            ("torch._scaled_mm",
             time_gpu(lambda: torch._scaled_mm(a, b, one, one, out_dtype=torch.bfloat16), warmup=10, repeat=50,
                      stream=stream, warmup_s=1.0)),
        ]  # fmt: skip
    print_table(f"float8_e4m3fn {size}^3 -> bfloat16, CUDA events (|nvmath - torch| = {float(diff):.2g})", rows,
                baseline="torch._scaled_mm")  # fmt: skip
    for name, timing in rows:
        print(f"  {name}: {2 * size**3 / timing.median_ms / 1e9:.0f} TFLOP/s")
print("fp8_scales: OK")
