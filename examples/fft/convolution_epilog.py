"""Fused convolution: the pointwise product with a filter runs inside cuFFT as an epilog callback
written in Python (compiled to LTO-IR once, cached on disk), instead of a separate kernel.

Run: python examples/fft/convolution_epilog.py
"""

import cupy as cp

import nvmath


def multiply(data_out, offset, element, user_info, unused):
    # offset indexes the result's layout; the filter has the same (dense, C-order) layout.
    data_out[offset] = element * user_info[offset]


signal = cp.random.standard_normal((4096, 1024), dtype=cp.float32).astype(cp.complex64)
kernel = cp.zeros((4096, 1024), cp.complex64)
kernel[:, :5] = 0.2  # a moving average
filt = cp.fft.fft(kernel, axis=-1)

epilog = nvmath.fft.compile_epilog(multiply, "complex64", "complex64")

with nvmath.fft.FFT(signal, axes=(-1,)) as forward:
    forward.plan(epilog={"ltoir": epilog, "data": filt})
    spectrum = forward.execute()  # FFT and product in one pass
convolved = nvmath.fft.ifft(spectrum, axes=(-1,)) / 1024

expected = cp.fft.ifft(cp.fft.fft(signal, axis=-1) * filt, axis=-1)
assert cp.allclose(convolved, expected, rtol=1e-3, atol=1e-4)
print("convolution_epilog: OK")
