"""Plan once on the CPU, execute many times: the stateful FFT object with ``execution='cpu'``.

The MKL plan (a committed DFTI descriptor) is made by ``plan()`` and reused by every
``execute``; ``reset_operand`` swaps in new data of the same layout and ``release_operand``
drops the reference to it between uses. Needs ``pip install 'nvmath[cpu]'``.

Run: python examples/fft/cpu_stateful_reuse.py
"""

import numpy as np

import nvmath

rng = np.random.default_rng(1)
shape = (256, 512)


def batch():
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(np.complex128)


a = batch()
with nvmath.fft.FFT(a, axes=(-1,), execution={"name": "cpu", "num_threads": 2}) as f:
    f.plan()
    fa = f.execute()  # forward
    ia = f.execute(direction=nvmath.fft.FFTDirection.INVERSE)  # the same object, inverse (not normalised)
    assert np.allclose(fa, np.fft.fft(a, axis=-1))
    assert np.allclose(ia / shape[-1], np.fft.ifft(a, axis=-1))
    for _ in range(5):  # new data, same plan
        b = batch()
        f.reset_operand(b)
        assert np.allclose(f.execute(), np.fft.fft(b, axis=-1))
    f.release_operand()  # the FFT no longer keeps b alive
    print("input layout", f.get_input_layout(), "output layout", f.get_output_layout())

try:
    f.execute()
except RuntimeError as e:
    print("after free:", e)
print("cpu_stateful_reuse: OK")
