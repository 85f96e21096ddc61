"""Plan once, execute many times: the stateful FFT object, with reset_operand.

Run: python examples/fft/stateful_reuse.py
"""

import cupy as cp

import nvmath

a = cp.random.standard_normal((128, 1024), dtype=cp.float32).astype(cp.complex64)
b = cp.random.standard_normal((128, 1024), dtype=cp.float32).astype(cp.complex64)

with nvmath.fft.FFT(a, axes=(-1,)) as f:
    f.plan()
    fa = f.execute()  # forward
    ia = f.execute(direction="inverse")  # same plan, inverse (not normalised)
    f.reset_operand(b)  # same shape, dtype, strides, device
    fb = f.execute()

assert cp.allclose(fa, cp.fft.fft(a, axis=-1), rtol=1e-4, atol=1e-3)
assert cp.allclose(ia / 1024, cp.fft.ifft(a, axis=-1), rtol=1e-4, atol=1e-5)
assert cp.allclose(fb, cp.fft.fft(b, axis=-1), rtol=1e-4, atol=1e-3)

try:
    f.execute()
except RuntimeError as e:
    print("after free:", e)

# Plans for repeated stateless-style calls: an explicit LRU cache.
cache = nvmath.fft.PlanCache(maxsize=4)
for _ in range(10):
    x = cp.random.standard_normal((64, 256), dtype=cp.float32).astype(cp.complex64)
    assert cp.allclose(cache.fft(x, axes=(-1,)), cp.fft.fft(x, axis=-1), rtol=1e-4, atol=1e-3)
print("stateful_reuse: OK; cache hits", cache.hits, "misses", cache.misses)
cache.clear()
