"""FFTs of PyTorch tensors (CUDA tensors stay on their device; CPU tensors behave like NumPy).

Run: python examples/fft/torch_fft.py
"""

import torch

import nvmath

x = torch.randn(32, 512, dtype=torch.complex64, device="cuda")
y = nvmath.fft.fft(x, axes=(-1,))
assert isinstance(y, torch.Tensor) and y.device == x.device
assert torch.allclose(y, torch.fft.fft(x, dim=-1), rtol=1e-4, atol=1e-3)

# Half precision (power-of-2 lengths): float16 -> complex32, as only PyTorch can hold it.
h = torch.randn(4, 256, device="cuda").half()
hy = nvmath.fft.rfft(h, axes=(-1,))
assert hy.dtype == torch.complex32
assert torch.allclose(hy.to(torch.complex64), torch.fft.rfft(h.float(), dim=-1), rtol=1e-2, atol=0.5)

# CPU tensors are copied to the GPU and back.
c = torch.randn(16, 64, dtype=torch.float64)
cy = nvmath.fft.rfft(c)
assert cy.device.type == "cpu" and torch.allclose(cy, torch.fft.rfftn(c))
print("torch_fft: OK")
