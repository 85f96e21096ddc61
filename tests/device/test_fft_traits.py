"""FFT descriptions, traits, knobs and argument errors (CPU, no code generation: milliseconds each)."""

import math

import numpy as np
import pytest

from nvmath.bindings.mathdx import CommondxValueType as V
from nvmath.device import FFT, Dim3

SIZES = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 7, 12, 100, 243, 1000]
PRECISIONS = [np.float16, np.float32, np.float64]
COMPLEX = {np.float16: V.C_16F2, np.float32: V.C_32F, np.float64: V.C_64F}
REAL = {np.float16: V.R_16F2, np.float32: V.R_32F, np.float64: V.R_64F}


def make(size, precision, fft_type, execution="Block", **kw):
    if fft_type == "c2c":
        kw.setdefault("direction", "forward")
    return FFT(size, precision, fft_type, execution, sm=kw.pop("sm", 90), **kw)


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("fft_type", ["c2c", "r2c", "c2r"])
@pytest.mark.parametrize("size", SIZES)
def test_block_traits_follow_cufftdx_rules(size, precision, fft_type):
    fft = make(size, precision, fft_type)
    batching = 2 if precision is np.float16 else 1
    assert fft.implicit_type_batching == batching
    assert fft.traits.value_type == COMPLEX[precision]
    # stride = size / elements_per_thread (rounded up), and the block covers the transform
    assert fft.stride == math.ceil(size / fft.elements_per_thread)
    assert fft.stride * fft.elements_per_thread >= size
    assert fft.block_dim == Dim3(fft.stride, math.ceil(fft.ffts_per_block / batching), 1)
    assert fft.storage_size >= fft.elements_per_thread or fft_type != "c2c"
    assert fft.ffts_per_block == batching  # library default: one row of threads
    assert (fft.elements_per_thread,) in fft.valid("elements_per_thread")
    value_bytes = {np.float16: 8, np.float32: 8, np.float64: 16}[precision]
    assert fft.shared_memory_size % value_bytes == 0
    if fft.stride > 1:  # threads exchange data through shared memory: room for the block's transforms
        assert fft.shared_memory_size >= (size // 2) * value_bytes * fft.block_dim.y
    if fft_type == "c2c":
        assert (fft.input_length, fft.output_length) == (size, size)
        assert fft.traits.input_type == fft.traits.output_type == COMPLEX[precision]
    elif fft_type == "r2c":
        assert (fft.input_length, fft.output_length) == (size, size // 2 + 1)
        assert (fft.traits.input_type, fft.traits.output_type) == (REAL[precision], COMPLEX[precision])
        assert fft.direction == "forward"
    else:
        assert (fft.input_length, fft.output_length) == (size // 2 + 1, size)
        assert (fft.traits.input_type, fft.traits.output_type) == (COMPLEX[precision], REAL[precision])
        assert fft.direction == "inverse"
    # register storage holds every element the thread owns
    assert fft.storage_size * fft.stride >= max(fft.input_length, fft.output_length) // (2 if fft_type != "c2c" else 1)


@pytest.mark.parametrize("precision", PRECISIONS)
@pytest.mark.parametrize("size", [2, 4, 8, 16, 32, 7, 12])
def test_thread_traits(size, precision):
    fft = make(size, precision, "c2c", "Thread")
    assert (fft.elements_per_thread, fft.stride) == (size, 1)
    assert fft.storage_size >= size
    assert fft.block_dim is None and fft.shared_memory_size is None and fft.ffts_per_block is None
    assert fft.valid("elements_per_thread", "ffts_per_block") == [(size, 1)]


@pytest.mark.parametrize("size", [64, 512, 4096])
def test_suggested_knobs_and_valid(size):
    base = make(size, np.float32, "c2c")
    combos = base.valid("elements_per_thread", "ffts_per_block")
    assert combos == sorted(combos) and len(combos) >= 2
    assert base.valid("ffts_per_block", "elements_per_thread") == sorted((f, e) for e, f in combos)
    for ept, fpb in combos:
        fft = make(size, np.float32, "c2c", elements_per_thread=ept, ffts_per_block="suggested")
        assert (fft.elements_per_thread, fft.ffts_per_block) == (ept, fpb)
        assert fft.stride == size // ept and fft.block_dim == (size // ept, fpb, 1)
    suggested = make(size, np.float32, "c2c", elements_per_thread="suggested", ffts_per_block="suggested")
    assert suggested.elements_per_thread == base.elements_per_thread
    assert (suggested.elements_per_thread, suggested.ffts_per_block) in combos


def test_explicit_ffts_per_block_sets_block_dim():
    fft = make(256, np.float32, "c2c", elements_per_thread=8, ffts_per_block=5)
    assert fft.block_dim == (32, 5, 1) and fft.ffts_per_block == 5
    assert fft.shared_memory_size == 5 * make(256, np.float32, "c2c", elements_per_thread=8).shared_memory_size


def test_real_fft_options_change_layout():
    natural = make(128, np.float32, "r2c")
    packed = make(128, np.float32, "r2c", real_fft_options={"complex_layout": "packed"})
    full = make(128, np.float32, "r2c", real_fft_options={"complex_layout": "full", "real_mode": "normal"})
    assert (natural.output_length, packed.output_length, full.output_length) == (65, 64, 128)
    assert packed.real_fft_options == {"complex_layout": "packed", "real_mode": "normal"}


def test_sm_forms_and_equality():
    a = make(64, np.float32, "c2c", sm=90)
    assert make(64, np.float32, "c2c", sm=(9, 0)) == a and make(64, np.float32, "c2c", sm="sm_90") == a
    assert a.sm == 90 and hash(a) == hash(make(64, "float32", "c2c"))
    assert make(64, np.float32, "c2c", sm=80).sm == 80
    assert "size=64" in repr(a)


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        (dict(size=0), "size"),
        (dict(size=-4), "size"),
        (dict(size=100000), "size"),
        (dict(precision=np.int32), "precision"),
        (dict(precision=np.complex64), "precision"),
        (dict(fft_type="c2d"), "fft_type"),
        (dict(execution="Warp"), "execution"),
        (dict(direction="sideways"), "direction"),
        (dict(direction=None), "direction"),
        (dict(fft_type="r2c", direction="inverse"), "direction"),
        (dict(fft_type="c2r", direction="forward"), "direction"),
        (dict(elements_per_thread=3), "elements_per_thread"),
        (dict(elements_per_thread=0), "elements_per_thread"),
        (dict(elements_per_thread="best"), "elements_per_thread"),
        (dict(ffts_per_block=-1), "ffts_per_block"),
        (dict(ffts_per_block=100000), "ffts_per_block"),
        (dict(execution="Thread", ffts_per_block=4), "ffts_per_block"),
        (dict(execution="Thread", elements_per_thread=8), "elements_per_thread"),
        (dict(execution="Thread", size=4096), "size"),
        (dict(real_fft_options={"complex_layout": "natural"}), "real_fft_options"),
        (dict(fft_type="r2c", direction=None, real_fft_options={"complex_layout": "zigzag"}), "complex_layout"),
        (dict(fft_type="r2c", direction=None, real_fft_options={"mode": "normal"}), "real_fft_options"),
        (dict(sm=60), "sm"),
        (dict(sm="volta"), "sm"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, argument):
    args = dict(size=64, precision=np.float32, fft_type="c2c", execution="Block", direction="forward", sm=90)
    args.update(kwargs)
    with pytest.raises((ValueError, TypeError)) as info:
        FFT(args.pop("size"), args.pop("precision"), args.pop("fft_type"), args.pop("execution"), **args)
    assert argument in str(info.value)


def test_bad_elements_per_thread_lists_allowed_values():
    with pytest.raises(ValueError, match=r"allowed values are 2, 4, 8, 16, 32"):
        make(512, np.float32, "c2c", elements_per_thread=64)


def test_valid_rejects_unknown_knob():
    with pytest.raises(ValueError, match="knobs"):
        make(64, np.float32, "c2c").valid("block_dim")


def test_execute_outside_kernel_is_an_error():
    with pytest.raises(RuntimeError, match="inside @cuda.jit"):
        make(64, np.float32, "c2c").execute(np.zeros(8, np.complex64))


def test_default_sm_without_gpu_is_a_clear_error():
    from nvmath._gpu import gpu_count

    if gpu_count() > 0:
        pytest.skip("a GPU is present: the default sm is the current device's")
    with pytest.raises(RuntimeError, match="sm="):
        FFT(64, np.float32, "c2c", "Block", direction="forward")


@pytest.mark.parametrize("precision", ["f16", "f32", "f64"])
@pytest.mark.parametrize(
    "execution, knobs", [("Block", {}), ("Block", {"elements_per_thread": 8, "ffts_per_block": 3}), ("Thread", {})]
)
def test_c2c_inverse_on_registers_links_the_forward_code(precision, execution, knobs):
    from nvmath.device.lto.fft import FFTDescription, kernel_code_description, query_traits

    inverse = FFTDescription(512 if execution == "Block" else 16, precision, "c2c", "inverse", execution, 90, **knobs)
    linked, swap = kernel_code_description(inverse, "register")
    assert swap and linked == inverse.replace(direction="forward")
    assert query_traits(linked) == query_traits(inverse)  # same layout: a swap on each side is all it takes


@pytest.mark.parametrize(
    "fft_type, direction, api",
    [
        ("c2c", "forward", "register"),
        ("c2c", "inverse", "shared"),
        ("r2c", "forward", "register"),
        ("c2r", "inverse", "register"),
    ],
)
def test_other_transforms_link_their_own_code(fft_type, direction, api):
    from nvmath.device.lto.fft import FFTDescription, kernel_code_description

    description = FFTDescription(128, "f32", fft_type, direction, "Block", 90)
    assert kernel_code_description(description, api) == (description, False)
