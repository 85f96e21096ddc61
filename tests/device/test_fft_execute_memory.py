"""``fft.execute`` checks where its arrays live, at lowering (issue 12): CPU-only, no GPU needed.

Numba's array types carry neither the memory space nor the length, so a shared array as
``thread_data`` (arguments swapped), a local array shorter than ``storage_size`` and a kernel
argument (global memory) in place of local memory all type; nvmath finds them in the LLVM
values and raises a TypingError that says what is expected. Valid kernels, including device
functions that receive the arrays as parameters, must still compile (and fully inline).
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import cuda
from numba.core.errors import TypingError
from numba.cuda import types

from nvmath.device import FFT
from nvmath.device.extern import compile_kernel
from nvmath.device.numba_lowering import ExecuteTypingError


@pytest.fixture(scope="module")
def block_fft():
    return FFT(64, np.float32, "c2c", "Block", direction="forward", sm=90)


@pytest.fixture(scope="module")
def thread_fft():
    return FFT(8, np.float32, "c2c", "Thread", direction="forward", sm=90)


def _refused(kernel, argtypes=(types.complex64[::1],)) -> str:
    with pytest.raises(TypingError) as info:
        compile_kernel(kernel, list(argtypes), cc=(9, 0))
    assert isinstance(info.value, ExecuteTypingError)
    assert max(len(line) for line in str(info.value).splitlines()) < 400
    return str(info.value)


def test_swapped_arguments(block_fft):
    fft = block_fft

    def kernel(out):
        data = cuda.local.array(fft.storage_size, fft.value_type)
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(smem, data)

    message = _refused(kernel)
    assert "thread_data (argument 0) must be a local array" in message
    assert "got a shared array (arguments swapped?)" in message


def test_local_array_as_smem(block_fft):
    fft = block_fft

    def kernel(out):
        data = cuda.local.array(fft.storage_size, fft.value_type)
        other = cuda.local.array(fft.storage_size, fft.value_type)
        fft.execute(data, other)

    message = _refused(kernel)
    assert "smem (argument 1) must be a shared array" in message and "got a local array" in message


@pytest.mark.parametrize("missing", [1, 2])
def test_thread_data_shorter_than_storage_size(block_fft, missing):
    fft = block_fft
    length = fft.storage_size - missing

    def kernel(out):
        data = cuda.local.array(length, fft.value_type)
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(data, smem)

    message = _refused(kernel)
    assert f"at least storage_size = {fft.storage_size} elements" in message
    assert f"got a local array of {length} element" in message


def test_kernel_argument_as_thread_data(block_fft, thread_fft):
    def block_kernel(out):
        smem = cuda.shared.array(0, block_fft.value_type)
        block_fft.execute(out, smem)

    def thread_kernel(out):
        thread_fft.execute(out)

    for kernel in (block_kernel, thread_kernel):
        message = _refused(kernel)
        assert "thread_data (argument 0) must be a local array" in message
        assert "got a kernel argument (global memory)" in message


def test_kernel_argument_as_shared_memory_api_data(block_fft):
    fft = block_fft

    def kernel(out):
        fft.execute(out)

    assert "smem (argument 0) must be a shared array" in _refused(kernel)


def test_thread_data_through_variables_and_a_branch_still_checked(block_fft):
    fft = block_fft

    def kernel(out):
        short = cuda.local.array(2, fft.value_type)
        data = short
        smem = cuda.shared.array(0, fft.value_type)
        if out[0] == 0:
            data[0] = 1
        fft.execute(data, smem)

    assert "got a local array of 2 elements" in _refused(kernel)


def test_valid_kernels_compile_fully_inlined(block_fft, thread_fft):
    def block_kernel(x):
        data = cuda.local.array(block_fft.storage_size, block_fft.value_type)
        smem = cuda.shared.array(0, block_fft.value_type)
        for i in range(block_fft.storage_size):
            data[i] = x[i]
        block_fft.execute(data, smem)
        for i in range(block_fft.storage_size):
            x[i] = data[i]

    longer = block_fft.storage_size + 3  # a longer local array is fine

    def longer_local_and_static_shared(x):
        data = cuda.local.array(longer, block_fft.value_type)
        smem = cuda.shared.array(4096, block_fft.value_type)
        data[0] = x[0]
        block_fft.execute(data, smem)
        x[0] = data[0]

    def thread_kernel(x):
        data = cuda.local.array(thread_fft.storage_size, thread_fft.value_type)
        for i in range(thread_fft.storage_size):
            data[i] = x[i]
        thread_fft.execute(data)
        for i in range(thread_fft.storage_size):
            x[i] = data[i]

    def swapped_in_a_loop(x):  # the arrays change places in variables: each is still local and long enough
        a = cuda.local.array(block_fft.storage_size, block_fft.value_type)
        b = cuda.local.array(block_fft.storage_size, block_fft.value_type)
        smem = cuda.shared.array(0, block_fft.value_type)
        for i in range(block_fft.storage_size):
            a[i] = x[i]
        for _ in range(2):
            block_fft.execute(a, smem)
            a, b = b, a
        x[0] = b[0]

    for kernel in (block_kernel, longer_local_and_static_shared, thread_kernel, swapped_in_a_loop):
        compiled = compile_kernel(kernel, [types.complex64[::1]], cc=(9, 0))
        assert compiled.sass_counts()["CALL"] == 0


def test_device_function_parameters_are_not_taken_for_global_memory(thread_fft):
    fft = thread_fft

    @cuda.jit(device=True)
    def transform(data):
        fft.execute(data)  # data is the caller's local array: a parameter here, not global memory

    def kernel(x):
        data = cuda.local.array(fft.storage_size, fft.value_type)
        for i in range(fft.storage_size):
            data[i] = x[i]
        transform(data)
        for i in range(fft.storage_size):
            x[i] = data[i]

    compiled = compile_kernel(kernel, [types.complex64[::1]], cc=(9, 0))
    assert compiled.sass_counts()["CALL"] == 0


@pytest.mark.skipif(not cuda.is_available(), reason="needs a GPU: @cuda.jit compiles for the current device")
def test_cuda_jit_kernel_argument_as_thread_data_on_the_gpu(block_fft):
    fft = block_fft

    @cuda.jit
    def kernel(out):
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(out, smem)

    out = cuda.device_array(fft.size * fft.ffts_per_block, np.complex64)
    with pytest.raises(TypingError, match=r"thread_data \(argument 0\) must be a local array"):
        kernel[1, fft.block_dim, 0, fft.shared_memory_size](out)
