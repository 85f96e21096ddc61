"""Register nvmath's Numba typing and lowering (FFT and Matmul objects, tensors, vector types), once.

``nvmath.device`` does it when one of its public names is first used, and :class:`FFT` does
it when constructed, so kernels can use them; in the CUDA simulator there is nothing to register.

Example:
    >>> from nvmath.device.registration import register_numba_extensions
    >>> register_numba_extensions()
"""

import functools


@functools.cache
def register_numba_extensions() -> None:
    """Import the Numba typing and lowering modules (does nothing in the CUDA simulator)."""
    from nvmath.device.common import simulator_enabled

    if simulator_enabled():
        return
    from nvmath.device import (  # noqa: F401  (importing registers them)
        numba_lowering,
        numba_lowering_matmul,
        numba_typing,
        numba_typing_matmul,
    )
