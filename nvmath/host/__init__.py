"""Host APIs and the layer they share: operands (NumPy/CuPy/PyTorch), streams, devices, options.

- :mod:`nvmath.host.operands`: describe a user's array without copying it; create result arrays.
- :mod:`nvmath.host.streams`: ``stream=`` arguments to handles; the default current stream.
- :mod:`nvmath.host.devices`: GPU presence checks and device scoping (never changes the caller's device).
- :mod:`nvmath.host.options`: ``ExecutionCUDA``, ``FFTOptions``.
- :mod:`nvmath.host.fft`, :mod:`nvmath.host.fft_layout`, :mod:`nvmath.host.fft_callbacks`,
  :mod:`nvmath.host.plan_cache`: the FFT implementation behind :mod:`nvmath.fft`.

Example:
    >>> from nvmath.host.operands import wrap_operand
    >>> import numpy as np
    >>> wrap_operand(np.zeros(3)).package
    'numpy'
"""
