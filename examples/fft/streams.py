"""Streams: int handles, CuPy, PyTorch and cuda.core streams; the current stream is never changed.

Run: python examples/fft/streams.py
"""

import cupy as cp
from cuda.core import Device

import nvmath

x = cp.random.standard_normal((64, 4096), dtype=cp.float32).astype(cp.complex64)
expected = cp.fft.fft(x, axis=-1)

s1 = cp.cuda.Stream(non_blocking=True)
y1 = nvmath.fft.fft(x, axes=(-1,), stream=s1)  # returns at once ('auto' blocking, GPU operand)
s1.synchronize()

device = Device(x.device.id)
device.set_current()
s2 = device.create_stream()  # a cuda.core stream
y2 = nvmath.fft.fft(x, axes=(-1,), stream=s2, options={"blocking": True})  # waits for the result

with nvmath.fft.FFT(x, axes=(-1,), stream=s1.ptr) as f:  # a raw cudaStream_t handle
    f.plan()
    y3 = f.execute()
    y4 = f.execute(stream=s2)  # move execution to another stream
    s2.sync()
s1.synchronize()

for y in (y1, y2, y3, y4):
    assert cp.allclose(y, expected, rtol=1e-4, atol=1e-3)
print("streams: OK")
