"""CPU tests of nvmath.fft: options, axes, dtypes, layouts, streams, freed objects, keys, errors.

Nothing here needs a GPU or the cuFFT library.
"""

import logging

import numpy as np
import pytest

import nvmath
from nvmath import fft as nvfft
from nvmath._gpu import gpu_count
from nvmath.host import fft_layout
from nvmath.host.fft_layout import UnsupportedLayoutError, plan_layout
from nvmath.host.operands import is_dense, wrap_operand
from nvmath.host.options import (
    ExecutionCPU,
    ExecutionCUDA,
    FFTDirection,
    FFTOptions,
    parse_direction,
    parse_execution,
    parse_fft_options,
)
from nvmath.host.streams import stream_handle

try:
    import torch
except ImportError:  # torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")
no_gpu_only = pytest.mark.skipif(gpu_count() > 0, reason="checks the no-GPU error")

# ---------------------------------------------------------------------------------------------
# Options and execution
# ---------------------------------------------------------------------------------------------


def test_options_from_dict_and_dataclass():
    opts = parse_fft_options({"inplace": True, "last_axis_parity": "odd", "result_layout": "natural"})
    assert opts == FFTOptions(inplace=True, last_axis_parity="odd", result_layout="natural")
    assert parse_fft_options(None) == FFTOptions()
    assert parse_fft_options(opts) is opts
    assert FFTOptions(fft_type="c2r").fft_type == "C2R"


@pytest.mark.parametrize(
    "options, error, words",
    [
        ({"inplace": 1}, TypeError, ["inplace", "1", "bool"]),
        ({"last_axis_parity": "odd!"}, ValueError, ["last_axis_parity", "'odd!'", "'even'", "'odd'"]),
        ({"result_layout": "C"}, ValueError, ["result_layout", "'C'", "'optimized'", "'natural'"]),
        ({"blocking": False}, ValueError, ["blocking", "False", "'auto'"]),
        ({"fft_type": "R2R"}, ValueError, ["fft_type", "'R2R'", "'C2C'"]),
        ({"device_id": -1}, ValueError, ["device_id", "-1"]),
        ({"logger": "nvmath"}, TypeError, ["logger", "logging.Logger"]),
        ({"allocator": object()}, TypeError, ["allocator", "memalloc"]),
        ({"inplcae": True}, TypeError, ["inplcae", "inplace"]),
        ("fast", TypeError, ["options", "FFTOptions", "dict"]),
    ],
)
def test_bad_options_name_argument_value_and_allowed(options, error, words):
    with pytest.raises(error) as info:
        parse_fft_options(options)
    for word in words:
        assert word in str(info.value)


def test_execution_parsing():
    assert parse_execution(None) == ExecutionCUDA()
    assert parse_execution("cuda") == ExecutionCUDA()
    assert parse_execution({"name": "cuda", "device_id": 1}) == ExecutionCUDA(1)
    assert parse_execution("cpu") == ExecutionCPU()
    assert parse_execution("CPU") == ExecutionCPU()
    assert parse_execution({"name": "cpu", "num_threads": 3}) == ExecutionCPU(num_threads=3)
    cpu = ExecutionCPU(2)
    assert parse_execution(cpu) is cpu and cpu.name == "cpu" and ExecutionCUDA().name == "cuda"
    with pytest.raises(ValueError, match="'gpu'.*'cuda', 'cpu'"):
        parse_execution("gpu")
    with pytest.raises(ValueError, match=r"execution\['name'\]"):
        parse_execution({"name": "tpu"})
    with pytest.raises(TypeError, match="device_id"):
        parse_execution({"name": "cpu", "device_id": 0})
    with pytest.raises(ValueError, match="'num_threads' = 0"):
        ExecutionCPU(num_threads=0)
    with pytest.raises(ValueError, match="num_threads"):
        ExecutionCPU(num_threads=True)
    with pytest.raises(ValueError, match="device_id"):
        ExecutionCUDA(device_id=-2)
    with pytest.raises(TypeError, match="execution"):
        parse_execution(3)


def test_direction_parsing():
    assert parse_direction(FFTDirection.FORWARD) == parse_direction("forward") == parse_direction(-1) == "forward"
    assert parse_direction(FFTDirection.INVERSE) == parse_direction("INVERSE") == parse_direction(1) == "inverse"
    assert int(FFTDirection.FORWARD) == -1 and int(FFTDirection.INVERSE) == 1  # cuFFT's signs
    assert nvfft.FFTDirection is FFTDirection and nvfft.ExecutionCPU is ExecutionCPU
    for bad in ("backward", 0, True, None, 2):
        with pytest.raises(ValueError, match="'direction'"):
            parse_direction(bad)


def test_stateless_direction_is_checked_before_any_work():
    with pytest.raises(ValueError, match="'direction' = 'up'"):
        nvfft.fft(np.ones(8, np.complex64), direction="up")


# ---------------------------------------------------------------------------------------------
# Axes and dtypes (through the public functions: they fail before any GPU work)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "axes, match",
    [
        ((0, 0), "repeated"),
        ((3,), r"axis 3, out of range .* -3\.\.2"),
        ((), "empty"),
        ((0, 1, 2, 0), "cuFFT transforms 1 to 3"),
        ((0.5,), "must contain ints"),
    ],
)
def test_bad_axes(axes, match):
    x = np.ones((4, 5, 6), np.complex64)
    with pytest.raises((ValueError, TypeError), match=match):
        nvfft.fft(x, axes=axes)


def test_axes_none_needs_at_most_three_dims():
    with pytest.raises(ValueError, match="'axes' = None means all 4 axes"):
        nvfft.fft(np.ones((2, 2, 2, 2), np.complex64))


def test_real_operand_to_fft_is_an_error_not_a_promotion():
    with pytest.raises(TypeError) as info:
        nvfft.fft(np.ones(8, np.float32))
    assert "complex64" in str(info.value) and "rfft" in str(info.value)


def test_complex_operand_to_rfft_and_real_to_irfft():
    with pytest.raises(TypeError, match="rfft needs a real operand.*float64"):
        nvfft.rfft(np.ones(8, np.complex128))
    with pytest.raises(TypeError, match="irfft needs a complex operand.*complex128"):
        nvfft.irfft(np.ones(8, np.float64))


def test_unsupported_dtype():
    with pytest.raises(TypeError, match="int32.*complex64"):
        nvfft.fft(np.ones(8, np.int32))


def test_numpy_half_precision_is_explained():
    with pytest.raises(TypeError, match="complex32.*only PyTorch"):
        nvfft.rfft(np.ones(8, np.float16))


def test_fft_type_contradiction():
    with pytest.raises(ValueError, match="fft_type.*'R2C'.*fft"):
        nvfft.fft(np.ones(8, np.complex64), options={"fft_type": "R2C"})


def test_not_an_array():
    with pytest.raises(TypeError, match="operand.*numpy.ndarray, cupy.ndarray or torch.Tensor.*list"):
        nvfft.fft([1j, 2j])


def test_inplace_r2c_is_rejected():
    with pytest.raises(ValueError, match="inplace.*C2C transforms only"):
        nvfft.rfft(np.ones(8, np.float32), options={"inplace": True})


def test_c2r_length_parity():
    with pytest.raises(ValueError, match="last_axis_parity='odd'"):
        nvfft.irfft(np.ones(1, np.complex64))


@no_gpu_only
def test_no_gpu_gives_a_clear_runtime_error():
    with pytest.raises(RuntimeError, match="nvmath.fft needs a CUDA GPU"):
        nvfft.fft(np.ones(8, np.complex64))


@no_gpu_only
def test_compile_without_gpu_needs_compute_capability():
    def epilog(data_out, offset, value, user_info, unused):
        data_out[offset] = value

    with pytest.raises(RuntimeError, match="compute_capability"):
        nvfft.compile_epilog(epilog, "complex64", "complex64")


# ---------------------------------------------------------------------------------------------
# Layout planning (cuFFT's advanced layout)
# ---------------------------------------------------------------------------------------------


def test_axes_0_2_of_c_contiguous_3d_need_no_copy():
    lay = plan_layout((4, 5, 6), (30, 6, 1), axes=(0, 2), fft_type="C2C")
    assert lay.n == (4, 6)
    assert (lay.inembed[1], lay.istride, lay.idist, lay.batch) == (30, 1, 6, 5)
    # the optimized result has the transformed axes innermost, the batch outermost
    assert lay.result_strides == (6, 24, 1)
    assert (lay.onembed, lay.ostride, lay.odist) == ((4, 6), 1, 24)


def test_natural_result_layout_follows_the_operand():
    lay = plan_layout((4, 5, 6), (30, 6, 1), axes=(0, 2), fft_type="C2C", result_layout="natural")
    assert lay.result_strides == (30, 6, 1)
    lay = plan_layout((6, 8), (1, 6), axes=(0, 1), fft_type="C2C", result_layout="natural")
    assert lay.result_strides == (1, 6)


def test_axes_order_does_not_matter_for_c2c():
    a = plan_layout((6, 8), (8, 1), axes=(1, 0), fft_type="C2C")
    b = plan_layout((6, 8), (8, 1), axes=(0, 1), fft_type="C2C")
    assert a.n == b.n == (6, 8) and a.transform_axes == (0, 1)


def test_fortran_order_c2c():
    lay = plan_layout((6, 8), (1, 6), axes=(0, 1), fft_type="C2C")
    assert lay.transform_axes == (1, 0) and lay.n == (8, 6) and lay.istride == 1


def test_strided_view_becomes_istride_and_embed():
    # x[:, ::2] of a (10, 16) array: strides (16, 2)
    lay = plan_layout((10, 8), (16, 2), axes=(-1,), fft_type="C2C")
    assert (lay.istride, lay.idist, lay.batch, lay.inembed) == (2, 16, 10, (8,))
    assert (lay.ostride, lay.odist) == (1, 8)


def test_batch_axes_merge():
    lay = plan_layout((2, 3, 8), (24, 8, 1), axes=(2,), fft_type="C2C")
    assert (lay.batch, lay.idist, lay.batch_axes) == (6, 8, (0, 1))


def test_r2c_and_c2r_shapes():
    r2c = plan_layout((4, 10), (10, 1), axes=(0, 1), fft_type="R2C")
    assert r2c.result_shape == (4, 6) and r2c.n == (4, 10) and r2c.onembed == (4, 6)
    c2r = plan_layout((4, 6), (6, 1), axes=(0, 1), fft_type="C2R")
    assert c2r.result_shape == (4, 10) and c2r.n == (4, 10) and c2r.inembed == (4, 6)
    odd = plan_layout((4, 6), (6, 1), axes=(0, 1), fft_type="C2R", last_axis_parity="odd")
    assert odd.result_shape == (4, 11)


def test_r2c_halved_axis_must_be_innermost_of_the_transform():
    with pytest.raises(UnsupportedLayoutError, match="smallest stride.*ascontiguousarray"):
        plan_layout((6, 8), (1, 6), axes=(0, 1), fft_type="R2C")


def test_unmergeable_batch_axes_say_which_permutation_works():
    with pytest.raises(UnsupportedLayoutError) as info:
        plan_layout((3, 4, 5, 6), (120, 30, 6, 1), axes=(1, 3), fft_type="C2C")
    text = str(info.value)
    assert "batch axes (0, 2)" in text and "transpose((0, 2, 1, 3))" in text and "axes=(2, 3)" in text


def test_negative_and_zero_strides_are_rejected_with_a_copy_hint():
    with pytest.raises(UnsupportedLayoutError, match="negative.*copy"):
        plan_layout((8,), (-1,), axes=None, fft_type="C2C")
    with pytest.raises(UnsupportedLayoutError, match="zero.*broadcast"):
        plan_layout((4, 8), (0, 1), axes=(0, 1), fft_type="C2C")


def test_unsupported_layout_reaches_the_user_before_gpu_work():
    x = np.zeros((3, 4, 5, 6), np.complex64)  # host operands are copied densely: still one batch stride
    with pytest.raises(UnsupportedLayoutError):
        nvfft.fft(x, axes=(1, 3))


def test_size_one_axes_are_dropped_from_the_transform():
    lay = plan_layout((7, 1, 8), (8, 8, 1), axes=(1, 2), fft_type="C2C")
    assert lay.n == (8,) and lay.batch == 7


def test_empty_operand():
    with pytest.raises(ValueError, match="empty"):
        nvfft.fft(np.zeros((0, 4), np.complex64))


def test_half_precision_needs_power_of_two():
    lay = plan_layout((12,), (1,), axes=None, fft_type="C2C")
    with pytest.raises(ValueError, match="power-of-2"):
        fft_layout.check_half_sizes(lay, "complex32")


# ---------------------------------------------------------------------------------------------
# Operands
# ---------------------------------------------------------------------------------------------


def test_wrap_numpy_views():
    x = np.zeros((4, 8), np.complex64)
    op = wrap_operand(x[:, ::2])
    assert (op.package, op.shape, op.strides, op.device_id) == ("numpy", (4, 4), (8, 2), None)
    assert op.data_ptr == x.ctypes.data
    assert wrap_operand(x.T).strides == (1, 8)
    assert is_dense(x.T.shape, wrap_operand(x.T).strides)
    assert not is_dense((4, 4), (8, 2))


@needs_torch
def test_wrap_torch_cpu_tensors():
    t = torch.zeros(4, 8, dtype=torch.complex32)
    op = wrap_operand(t[:, 1::2])
    assert (op.package, op.dtype, op.shape, op.strides, op.device_id) == ("torch", "complex32", (4, 4), (8, 2), None)


@needs_torch
def test_torch_cpu_dtype_errors():
    with pytest.raises(TypeError, match="complex64.*rfft"):
        nvfft.fft(torch.ones(8, dtype=torch.float32))
    with pytest.raises(ValueError, match="power-of-2"):
        nvfft.fft(torch.ones(12, dtype=torch.complex32))
    with pytest.raises(TypeError, match="bfloat16"):
        nvfft.rfft(torch.ones(8, dtype=torch.bfloat16))


# ---------------------------------------------------------------------------------------------
# Streams
# ---------------------------------------------------------------------------------------------


def test_stream_arguments():
    assert stream_handle(1234, package="cupy", device_id=0) == 1234

    class ProtocolStream:
        def __cuda_stream__(self):
            return (0, 777)

    assert stream_handle(ProtocolStream(), package="cupy", device_id=0) == 777
    with pytest.raises(TypeError, match="stream.*int cudaStream_t handle"):
        stream_handle("default", package="cupy", device_id=0)
    with pytest.raises(TypeError, match="stream"):
        stream_handle(True, package="cupy", device_id=0)
    with pytest.raises(ValueError, match="negative"):
        stream_handle(-1, package="cupy", device_id=0)


# ---------------------------------------------------------------------------------------------
# The stateful object, with the GPU faked up to planning
# ---------------------------------------------------------------------------------------------


def test_fft_object_freed_raises_clear_error(fake_gpu):
    x = np.ones((4, 8), np.complex64)
    f = nvfft.FFT(x, axes=(-1,), options={"allocator": fake_gpu})
    assert fake_gpu.sizes == [4 * 8 * 8, 4 * 8 * 8]  # device copies of operand and result
    with pytest.raises(RuntimeError, match="not planned yet"):
        f.execute()
    f.free()
    f.free()  # idempotent
    assert fake_gpu.freed == 2
    for call in (f.execute, f.plan, lambda: f.reset_operand(x)):
        with pytest.raises(nvfft.FFTFreedError, match="freed.*create a new FFT"):
            call()


def test_fft_object_context_manager_frees(fake_gpu):
    x = np.ones(16, np.complex128)
    with nvfft.FFT(x, options={"allocator": fake_gpu}) as f:
        pass
    with pytest.raises(RuntimeError, match="freed"):
        f.execute(direction="inverse")


def test_reset_operand_checks(fake_gpu):
    x = np.ones((4, 8), np.complex64)
    f = nvfft.FFT(x, axes=(-1,), options={"allocator": fake_gpu})
    with pytest.raises(ValueError, match=r"shape is \(4, 9\).*\(4, 8\)"):
        f.reset_operand(np.ones((4, 9), np.complex64))
    with pytest.raises(TypeError, match="dtype is complex128.*complex64"):
        f.reset_operand(np.ones((4, 8), np.complex128))
    f.reset_operand(np.ones((8, 4), np.complex64).T.copy(order="F").T.T)  # any host layout of the same shape
    f.reset_operand(None)
    with pytest.raises(RuntimeError, match="no operand"):
        f.execute()
    f.free()


@needs_torch
def test_reset_operand_other_package(fake_gpu):
    f = nvfft.FFT(np.ones(8, np.complex64), options={"allocator": fake_gpu})
    with pytest.raises(TypeError, match="torch.*planned for a numpy host operand"):
        f.reset_operand(torch.ones(8, dtype=torch.complex64))
    f.free()


def test_direction_checks(fake_gpu):
    f = nvfft.FFT(np.ones(8, np.float32), options={"allocator": fake_gpu})
    assert f.fft_type == "R2C"
    with pytest.raises(ValueError, match="'inverse'.*R2C.*'forward'"):
        f._direction_arg("inverse")
    g = nvfft.FFT(np.ones(8, np.complex64), options={"allocator": fake_gpu})
    with pytest.raises(ValueError, match="'backward'.*'forward', 'inverse'"):
        g._direction_arg("backward")
    f.free()
    g.free()


def test_debug_log_names_layout(fake_gpu, caplog):
    logger = logging.getLogger("nvmath.test")
    with caplog.at_level(logging.DEBUG, logger="nvmath.test"):
        nvfft.FFT(np.ones((4, 6, 8), np.complex64), axes=(0, 2), options={"allocator": fake_gpu, "logger": logger})
    assert "C2C n=[4, 8] batch=6" in caplog.text


def test_create_key():
    x = np.ones((4, 8), np.complex64)
    key = nvfft.FFT.create_key(x, axes=(-1,))
    assert hash(key) == hash(nvfft.FFT.create_key(np.zeros((4, 8), np.complex64), axes=(1,)))
    assert key != nvfft.FFT.create_key(x, axes=(0,))
    assert key != nvfft.FFT.create_key(x.astype(np.complex128), axes=(-1,))
    assert key != nvfft.FFT.create_key(x, axes=(-1,), options={"result_layout": "natural"})
    assert key == nvfft.FFT.create_key(x, axes=(-1,), options={"fft_type": "C2C"})  # what None resolves to


def test_plan_cache_validates_maxsize():
    with pytest.raises(ValueError, match="maxsize"):
        nvfft.PlanCache(maxsize=0)


# ---------------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------------


def test_memory_pointer_and_protocol():
    freed = []
    p = nvmath.MemoryPointer(0x10, 8, finalizer=lambda: freed.append(1))
    p.free()
    p.free()
    assert freed == [1]

    class Bad:
        def memalloc(self, size):
            return size

    from nvmath.memory import allocate

    assert isinstance(Bad(), nvmath.BaseCUDAMemoryManager)
    with pytest.raises(TypeError, match="MemoryPointer"):
        allocate(Bad(), 16, 0)


def test_plan_cache_fast_key_separates_what_changes_a_plan(monkeypatch):
    """The attribute-only key of PlanCache: equal for arrays that fit one plan, different when
    layout, dtype, device, axes, options, execution or stream differ; None where it cannot judge."""
    from nvmath.host import plan_cache

    class MemoryPointer:
        def __init__(self, device_id):
            self.device_id = device_id

    class ndarray:  # stands in for cupy.ndarray: the key reads only these attributes
        def __init__(self, shape, strides, dtype="complex64", device=0):
            self.shape, self.strides, self.dtype, self.data = shape, strides, np.dtype(dtype), MemoryPointer(device)

    ndarray.__module__ = "cupy._core.core"
    monkeypatch.setattr(plan_cache, "current_stream_handle", lambda package, device_id: 7)
    opts = nvfft.FFTOptions()

    def key(arr=None, axes=(-1,), options=opts, execution=None, stream=None, prolog=None, fft_type="C2C"):
        arr = arr if arr is not None else ndarray((8, 64), (512, 8))
        return plan_cache._fast_key(arr, fft_type, axes, options, execution, prolog, None, stream)

    base = key()
    assert base is not None and base == key() and base == key(axes=[-1])
    assert key(ndarray((8, 64), (1024, 16))) != base  # strided view
    assert key(ndarray((8, 64), (512, 8), "complex128")) != base
    assert key(ndarray((8, 64), (512, 8), device=1)) != base
    assert key(axes=(0,)) != base
    assert key(options=nvfft.FFTOptions(inplace=True)) != base
    assert key(options=nvfft.FFTOptions(blocking=True)) != base
    assert key(options={"blocking": True}) != key(options={"blocking": 1})  # only True is valid
    assert key(options={"blocking": True}) == key(options={"blocking": True})
    assert key(fft_type="R2C") != base
    assert key(execution=nvfft.ExecutionCUDA(device_id=0)) != base
    assert key(stream=7) == base and key(stream=8) != base  # None means the current stream (7 here)
    assert key(prolog={"ltoir": b""}) is None  # callbacks: the full key decides
    assert key(execution={"name": "cuda"}) is None
    assert plan_cache._fast_key(np.ones(4, np.complex64), "C2C", None, opts, None, None, None, None) is None
