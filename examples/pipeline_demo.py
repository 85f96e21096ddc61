"""The compile pipeline end to end, with no GPU needed.

A Numba kernel calls a C++ device function (compiled by NVRTC to LTO-IR); nvJitLink links
both into one sm_90 cubin with the C++ inlined. The second run of this script reads the
generated code and the cubin from the disk cache instead of compiling them.

    python examples/pipeline_demo.py
"""

import logging
import time

import numpy as np
from numba import cuda, types

from nvmath.compile import compile_cpp
from nvmath.device.extern import ExternFunction, LTOIRCode, compile_kernel

SOURCE = r"""
#include <cuda/std/complex>
extern "C" __device__ void rotate(float* z, float angle) {
    cuda::std::complex<float> a(z[0], z[1]);
    a *= cuda::std::polar(1.0f, angle);
    z[0] = a.real();
    z[1] = a.imag();
}
"""


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    start = time.perf_counter()
    code = compile_cpp(SOURCE, cc=(9, 0), name="rotate.cu")
    rotate = ExternFunction(
        "rotate", LTOIRCode(code.data, "rotate"), None, [types.CPointer(types.float32), types.float32]
    )

    def kernel(data, angle):
        i = cuda.grid(1)
        if i < data.shape[0]:
            z = cuda.local.array(2, types.float32)
            z[0] = data[i].real
            z[1] = data[i].imag
            rotate(z, angle)
            data[i] = complex(z[0], z[1])

    compiled = compile_kernel(kernel, [types.complex64[::1], types.float32], cc=(9, 0))
    print(f"linked an sm_90 cubin of {len(compiled.cubin)} bytes in {time.perf_counter() - start:.2f} s")
    print("SASS instruction counts:", compiled.sass_counts(), "(0 CALL: the C++ function is inlined)")

    if cuda.is_available():
        data = (np.random.standard_normal(4096) + 1j * np.random.standard_normal(4096)).astype(np.complex64)
        d = cuda.to_device(data)
        cuda.jit(kernel)[(data.size + 255) // 256, 256](d, np.float32(0.5))
        error = np.abs(d.copy_to_host() - data * np.exp(0.5j)).max()
        name = cuda.get_current_device().name
        print(f"ran on {name.decode() if isinstance(name, bytes) else name}: max error {error:.2e}")
        assert error < 1e-5
    else:
        print("no GPU here: compiled and linked only")


if __name__ == "__main__":
    main()
