"""The shared compile pipeline: C++ (NVRTC) and Python (Numba) -> LTO-IR -> nvJitLink -> cubin.

Every step works without a GPU and goes through a persistent disk cache
(:mod:`nvmath.compile.cache`), so the second process that builds the same code skips the
compilers and the linker.

Example:
    >>> from nvmath.compile import compile_cpp, link
    >>> src = 'extern "C" __global__ void twice(float* x) { x[threadIdx.x] *= 2; }'
    >>> cubin = link([compile_cpp(src, cc=(9, 0))], cc=(9, 0))  # doctest: +SKIP
"""

from nvmath.compile.cache import CacheWarning, DiskCache, cached, get_cache
from nvmath.compile.code import Code, normalize_cc
from nvmath.compile.link import LinkError, link
from nvmath.compile.nvrtc import NVRTCError, compile_cpp
from nvmath.compile.pyfunc import compile_device_function, compile_kernel_ltoir
from nvmath.compile.toolchain import ToolchainError

__all__ = [
    "CacheWarning",
    "Code",
    "DiskCache",
    "LinkError",
    "NVRTCError",
    "ToolchainError",
    "cached",
    "compile_cpp",
    "compile_device_function",
    "compile_kernel_ltoir",
    "get_cache",
    "link",
    "normalize_cc",
]
