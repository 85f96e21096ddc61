"""Side-by-side timings against CuPy and PyTorch: ``python -m benchmarks [name ...]``."""
