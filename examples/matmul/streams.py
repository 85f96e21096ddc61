"""Streams: int handles, CuPy, PyTorch and cuda.core streams; the caller's current stream is never changed.

Shows: the stateless ``matmul(..., stream=s)`` on a CuPy stream (returns at once: the work is
ordered on ``s``); ``options={'blocking': True}`` waits for the result; a cuda.core stream; a
``Matmul`` planned on a raw ``cudaStream_t`` int handle and moved to another stream with
``execute(stream=...)``; torch tensors on a ``torch.cuda.Stream``; and that none of this changes
CuPy's or torch's current stream. Each result is checked against NumPy in float64. On a GPU it
prints the time of two independent products, each planned on its own stream, against
``cupy.matmul`` doing both on one stream (CUDA events on the default stream around both).

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/streams.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"streams: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import cupy as cp  # noqa: E402
import numpy as np  # noqa: E402
from cuda.core import Device  # noqa: E402

from nvmath.linalg.advanced import Matmul, matmul  # noqa: E402

rng = np.random.default_rng()


def check(name, result, reference, tol=1e-5):
    got = result.detach().double().cpu().numpy() if hasattr(result, "detach") else cp.asnumpy(result).astype(float)
    error = np.linalg.norm(got - reference) / np.linalg.norm(reference)
    print(f"  {name:<52} rel. error {error:.1e}")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


print("streams:")
a_h = rng.standard_normal((512, 256)).astype(np.float32)
b_h = rng.standard_normal((256, 384)).astype(np.float32)
reference = a_h.astype(np.float64) @ b_h
a, b = cp.asarray(a_h), cp.asarray(b_h)
cp.cuda.get_current_stream().synchronize()  # a and b are ready before other streams read them
current = cp.cuda.get_current_stream()

s1 = cp.cuda.Stream(non_blocking=True)
d1 = matmul(a, b, stream=s1)  # returns at once ('auto' blocking, GPU operands)
s1.synchronize()
check("matmul(a, b, stream=<cupy Stream>)", d1, reference)

device = Device(a.device.id)
device.set_current()
s2 = device.create_stream()  # a cuda.core stream
d2 = matmul(a, b, stream=s2, options={"blocking": True})  # waits for the result
check("matmul(..., stream=<cuda.core Stream>, blocking=True)", d2, reference)

with Matmul(a, b, stream=s1.ptr) as mm:  # a raw cudaStream_t handle
    mm.plan()
    d3 = mm.execute()
    s1.synchronize()
    check("Matmul(..., stream=<int handle>).execute()", d3, reference)
    d4 = mm.execute(stream=s2)  # from now on on s2
    s2.sync()
    check("execute(stream=<another stream>)", d4, reference)
assert cp.cuda.get_current_stream().ptr == current.ptr, "CuPy's current stream was changed"

try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    ta, tb = torch.as_tensor(a, device="cuda"), torch.as_tensor(b, device="cuda")
    torch.cuda.synchronize()
    before = torch.cuda.current_stream()
    side = torch.cuda.Stream()
    d5 = matmul(ta, tb, stream=side)
    side.synchronize()
    check("torch tensors, stream=<torch.cuda.Stream>", d5, reference)
    with torch.cuda.stream(side):  # the default is the package's current stream: here `side`
        d6 = matmul(ta, tb)
    side.synchronize()
    check("torch tensors under `with torch.cuda.stream(side)`", d6, reference)
    assert torch.cuda.current_stream() == before, "torch's current stream was changed"

try:
    from benchmarks.timing import print_table, time_gpu
except ImportError as exc:
    print(f"  (timing skipped: {exc})")
else:
    # Two independent products, each on its own stream, joined back into the default stream.
    n = 2048
    x = [cp.random.standard_normal((n, n), dtype=cp.float32) for _ in range(4)]
    streams = [cp.cuda.Stream(non_blocking=True) for _ in range(2)]
    plans = [Matmul(x[0], x[1], stream=streams[0]), Matmul(x[2], x[3], stream=streams[1])]
    for plan in plans:
        plan.plan()
    main = cp.cuda.get_current_stream()

    def two_streams():
        ready = main.record()
        for plan, stream in zip(plans, streams, strict=True):
            stream.wait_event(ready)
            plan.execute()
            main.wait_event(stream.record())

    def one_stream():
        cp.matmul(x[0], x[1])
        cp.matmul(x[2], x[3])

    rows = [
        ("nvmath, two Matmuls on two streams", time_gpu(two_streams, warmup=5, repeat=30)),
        ("cupy.matmul twice on one stream", time_gpu(one_stream, warmup=5, repeat=30)),
    ]
    print_table(f"two float32 {n}^3 products, CUDA events on the default stream", rows,
                baseline="cupy.matmul twice on one stream")  # fmt: skip
    for plan in plans:
        plan.free()
print("streams: OK")
