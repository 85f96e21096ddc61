"""FFTs of CuPy arrays: results are CuPy arrays on the operand's device; calls do not block.

Run: python examples/fft/cupy_fft.py
"""

import cupy as cp
import numpy as np

import nvmath

x = cp.random.standard_normal((8, 6, 256), dtype=cp.float32).astype(cp.complex64)

# Strided views and any axes cuFFT's advanced layout can describe work without copies.
view = x[:, ::2, :]
y = nvmath.fft.fft(view, axes=(0, 2))
assert isinstance(y, cp.ndarray) and y.device == x.device
assert cp.allclose(y, cp.fft.fftn(view, axes=(0, 2)), rtol=1e-4, atol=1e-3)

# A layout cuFFT cannot describe in one plan is refused with a hint, not silently copied.
try:
    nvmath.fft.fft(cp.ones((3, 4, 5, 6), cp.complex64), axes=(1, 3))
except nvmath.fft.UnsupportedLayoutError as e:
    print("refused:", str(e)[:100], "...")

# No dtype promotion: real input needs rfft (or an explicit complex copy).
try:
    nvmath.fft.fft(cp.ones(8, cp.float32))
except TypeError as e:
    print("refused:", e)

# In place, C2C only.
z = cp.asarray(np.arange(16, dtype=np.complex128))
nvmath.fft.fft(z, options={"inplace": True})
assert cp.allclose(z, cp.fft.fft(cp.arange(16, dtype=cp.complex128)))
print("cupy_fft: OK")
