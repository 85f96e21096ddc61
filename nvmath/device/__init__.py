"""nvmath.device: NVIDIA device math libraries (cuFFTDx) callable inside Numba CUDA kernels."""
