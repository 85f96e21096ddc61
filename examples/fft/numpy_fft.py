"""FFTs of NumPy arrays: the data is copied to the GPU, transformed by cuFFT, and copied back.

Run: python examples/fft/numpy_fft.py
"""

import numpy as np

import nvmath

x = np.random.default_rng(0).standard_normal((64, 1000)) + 1j * np.random.default_rng(1).standard_normal((64, 1000))

y = nvmath.fft.fft(x, axes=(-1,))  # batched 1-D C2C over the last axis
assert isinstance(y, np.ndarray)
assert np.allclose(y, np.fft.fft(x, axis=-1))

# Inverse transforms are not normalised (cuFFT's convention).
x2 = nvmath.fft.ifft(y, axes=(-1,)) / x.shape[-1]
assert np.allclose(x2, x)

# Real-to-complex and back; axes (0, 2) of a 3-D array, no copy needed on the GPU side.
r = np.random.default_rng(2).standard_normal((16, 8, 30))
spectrum = nvmath.fft.rfft(r, axes=(0, 2))
assert np.allclose(spectrum, np.fft.rfftn(r, axes=(0, 2)))
back = nvmath.fft.irfft(spectrum, axes=(0, 2)) / (16 * 30)
assert np.allclose(back, r)
print("numpy_fft: OK", y.shape, spectrum.shape)
