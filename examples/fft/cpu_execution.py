"""Host FFTs on the CPU, no GPU needed: ``execution='cpu'`` runs NumPy arrays through Intel oneMKL.

Needs the CPU extra: ``pip install 'nvmath[cpu]'``.

Run: python examples/fft/cpu_execution.py
"""

import numpy as np

import nvmath

rng = np.random.default_rng(0)

# C2C over the last axis of a batch (forward, then inverse: inverses are not normalised).
x = (rng.standard_normal((64, 1024)) + 1j * rng.standard_normal((64, 1024))).astype(np.complex64)
y = nvmath.fft.fft(x, axes=(-1,), execution="cpu")
assert isinstance(y, np.ndarray) and y.dtype == np.complex64
assert np.allclose(y, np.fft.fft(x, axis=-1), rtol=1e-4, atol=1e-3)
back = nvmath.fft.ifft(y, axes=(-1,), execution="cpu") / 1024
assert np.allclose(back, x, rtol=1e-4, atol=1e-5)

# Axes (0, 2) of a C-contiguous 3-D array, read in place (no copy), with 2 MKL threads.
cube = rng.standard_normal((32, 16, 48)) + 1j * rng.standard_normal((32, 16, 48))
spectrum = nvmath.fft.fft(cube, axes=(0, 2), execution=nvmath.fft.ExecutionCPU(num_threads=2))
assert np.allclose(spectrum, np.fft.fftn(cube, axes=(0, 2)))

# Real transforms: R2C, then C2R back to an odd length.
signal = rng.standard_normal((8, 999))
half = nvmath.fft.rfft(signal, execution="cpu", axes=(-1,))
assert half.shape == (8, 500) and np.allclose(half, np.fft.rfft(signal, axis=-1))
restored = nvmath.fft.irfft(half, axes=(-1,), execution="cpu", options={"last_axis_parity": "odd"}) / 999
assert np.allclose(restored, signal)

# In place, with the direction given as nvmath-python spells it.
z = x.copy()
nvmath.fft.fft(z, axes=(-1,), direction=nvmath.fft.FFTDirection.FORWARD, execution="cpu", options={"inplace": True})
assert np.allclose(z, np.fft.fft(x, axis=-1), rtol=1e-4, atol=1e-3)

print("cpu_execution: OK")
