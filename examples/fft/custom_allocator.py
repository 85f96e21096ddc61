"""A custom allocator for workspace and device copies: any object with memalloc(size).

Run: python examples/fft/custom_allocator.py
"""

import numpy as np
from cuda.core import Device

import nvmath


class CountingAllocator:
    """Allocate from cuda.core's device memory resource and count the bytes."""

    def __init__(self, device_id=0):
        self.device = Device(device_id)
        self.device.set_current()
        self.bytes = 0

    def memalloc(self, size):
        self.bytes += size
        buffer = self.device.allocate(size, stream=self.device.default_stream)
        return nvmath.MemoryPointer(int(buffer.handle), size, finalizer=buffer.close)


alloc = CountingAllocator()
assert isinstance(alloc, nvmath.BaseCUDAMemoryManager)
x = np.random.default_rng(0).standard_normal((8, 6, 1000)).astype(np.complex64)
y = nvmath.fft.fft(x, options={"allocator": alloc})
assert np.allclose(y, np.fft.fftn(x), rtol=1e-4, atol=1e-2)
print(f"custom_allocator: OK, {alloc.bytes} bytes allocated through the allocator")
