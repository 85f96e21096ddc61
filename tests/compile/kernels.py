"""A kernel that calls a C++ device function through nvmath's extern building block.

Used by the CPU tests (compile to an sm_90 cubin, cold/warm timing in fresh processes) and
by the GPU test (launch through @cuda.jit). Run as a script, it compiles the kernel for
sm_90 and prints the compile time in seconds as JSON.
"""

import json
import sys
import time

# Two C++ device functions of the kind users bring: a complex multiply-add in libcu++
# (z = z * w + n on (re, im) pairs) and a block-wide sum with CUB (128 threads).
BLOCK = 128
CPP_SOURCE = r"""
#include <cub/block/block_reduce.cuh>
#include <cuda/std/complex>
extern "C" __device__ void cmul_add(float* z, const float* w, int n) {
    cuda::std::complex<float> a(z[0], z[1]), b(w[0], w[1]);
    a = a * b + static_cast<float>(n);
    z[0] = a.real();
    z[1] = a.imag();
}
extern "C" __device__ float block_sum_128(float x) {
    using BlockReduce = cub::BlockReduce<float, 128>;
    __shared__ typename BlockReduce::TempStorage storage;
    return BlockReduce(storage).Sum(x);  // valid in thread 0
}
"""


def make_kernel(cc=(9, 0)):
    """Return (kernel function, cmul_add extern function) for compute capability ``cc``.

    ``kernel(data, w, n, sums)``: ``data`` holds (re, im) pairs, each replaced by
    ``z * w + n``; ``sums[block]`` gets the sum of the new real parts of the block's 128 pairs.
    Launch with 128 threads per block.
    """
    from numba import cuda, types

    from nvmath.compile import compile_cpp
    from nvmath.device.extern import ExternFunction, LTOIRCode

    code = LTOIRCode(compile_cpp(CPP_SOURCE, cc=cc, name="user_functions.cu").data, "user_functions")
    cmul_add = ExternFunction(
        "cmul_add", code, None, [types.CPointer(types.float32), types.CPointer(types.float32), types.int32]
    )
    block_sum = ExternFunction("block_sum_128", code, types.float32, [types.float32])

    def kernel(data, w, n, sums):
        i = cuda.grid(1)
        z = cuda.local.array(2, types.float32)  # local (register) array
        ws = cuda.shared.array(2, types.float32)  # shared array
        if cuda.threadIdx.x == 0:
            ws[0] = w[0]
            ws[1] = w[1]
        cuda.syncthreads()
        z[0] = 0
        z[1] = 0
        if i < data.shape[0] // 2:
            z[0] = data[2 * i]
            z[1] = data[2 * i + 1]
            cmul_add(z, ws, n)
            data[2 * i] = z[0]
            data[2 * i + 1] = z[1]
        total = block_sum(z[0] if i < data.shape[0] // 2 else 0.0)
        if cuda.threadIdx.x == 0:
            sums[cuda.blockIdx.x] = total

    return kernel, cmul_add


def argtypes():
    from numba import types

    return [types.float32[::1], types.float32[::1], types.int32, types.float32[::1]]


def _noop(x):
    pass


def main() -> None:
    """Print JSON: the kernel's compile time, and the same plus Numba's one-time setup.

    Numba builds its typing and target contexts at the first compile of a process (0.2 s here,
    0.5 s on slower hosts), kernel or not; nvmath cannot cache that, so ``seconds`` times the
    kernel's own compile after it and ``seconds_with_numba_setup`` includes it.
    """
    from numba import cuda, types  # noqa: F401  (imports are not part of the compile time)

    from nvmath.compile.pyfunc import compile_kernel_ltoir
    from nvmath.device.extern import compile_kernel

    start_setup = time.perf_counter()
    compile_kernel_ltoir(_noop, [types.float32[::1]], cc=(9, 0))  # Numba's per-process setup
    start = time.perf_counter()
    kernel, _ = make_kernel()
    compiled = compile_kernel(kernel, argtypes(), cc=(9, 0))
    end = time.perf_counter()
    json.dump(
        {"seconds": end - start, "seconds_with_numba_setup": end - start_setup, "cubin_bytes": len(compiled.cubin)},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
