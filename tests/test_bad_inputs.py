"""Every bad input gets a clear error: a table of wrong arguments across the public API (issue 12).

Each row calls one public function with one wrong argument and checks that the call raises

- the package's own exception type (``ValueError``/``TypeError`` or a subclass the package
  defines; :class:`~nvmath.host.devices.NoGPUError` for valid input on a machine without a GPU;
  a Numba ``TypingError`` for misuse inside a kernel), never an ``AttributeError``,
  ``KeyError``, ``IndexError`` or ``BufferError``;
- raised by nvmath's own code (the innermost frame is in the ``nvmath`` package), not from
  deep inside a dependency;
- with a short message (< 400 characters) that names the argument.

``cuBLASDx`` descriptors (:class:`nvmath.device.Matmul`) with bad arguments must fail before
libmathdx compiles anything: each such row must take well under a second.

Set ``NVMATH_BAD_INPUT_TABLE=/path/table.md`` to write the table (input, exception type,
message) as Markdown. Rows the package does not yet handle are ``xfail(strict=True)`` with the
fix needed.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

import nvmath
from nvmath.host.devices import NoGPUError

NVMATH_DIR = os.path.dirname(os.path.abspath(nvmath.__file__))
MAX_MESSAGE = 400
FORBIDDEN = (AttributeError, KeyError, IndexError, BufferError)


def _gpu_present() -> bool:
    try:
        from numba import cuda

        return bool(cuda.is_available())
    except Exception:
        return False


HAS_GPU = _gpu_present()


@dataclass
class Case:
    """One row: ``call()`` must raise ``expect`` with a message naming one of ``names``."""

    api: str
    text: str
    call: Callable[[], object]
    names: tuple[str, ...]
    expect: tuple[type, ...] = (ValueError, TypeError)
    xfail: str | None = None
    fast: bool = False  # must fail in well under a second (no libmathdx compile)
    no_gpu_only: bool = False  # valid input: NoGPUError only where there is no GPU
    isolate: bool = False  # may crash the process (a bad C handle): run in a forked child
    kernel: bool = False  # misuse inside a kernel: Numba raises the TypingError nvmath's typing gave it
    outcome: dict = field(default_factory=dict)


CASES: list[Case] = []


def case(
    api,
    text,
    call,
    names,
    expect=(ValueError, TypeError),
    *,
    xfail=None,
    fast=False,
    no_gpu_only=False,
    isolate=False,
    kernel=False,
):
    if isinstance(names, str):
        names = (names,)
    CASES.append(Case(api, text, call, tuple(names), expect, xfail, fast, no_gpu_only, isolate, kernel))


# ------------------------------------------------------------------------------------------------
# Operands used by the rows
# ------------------------------------------------------------------------------------------------

C64 = np.zeros((4, 8), np.complex64)
R32 = np.zeros((4, 8), np.float32)
OBJ = np.empty((4, 8), dtype=object)
STRUCT = np.zeros((4, 8), dtype=[("re", np.float32), ("im", np.float32)])
EMPTY_C = np.zeros((0, 8), np.complex64)
A32 = np.ones((8, 4), np.float32)
B32 = np.ones((4, 6), np.float32)


def _fft():
    return nvmath.fft


def _la():
    from nvmath.linalg import advanced

    return advanced


def _dev():
    return nvmath.device


# ------------------------------------------------------------------------------------------------
# nvmath.fft: stateless functions (on the CPU execution space, so no GPU work is possible)
# ------------------------------------------------------------------------------------------------

for label, bad in [
    ("None", None),
    ("a str", "abc"),
    ("an int", 3),
    ("a dict", {"a": 1}),
    ("an object array", OBJ),
    ("a structured array", STRUCT),
    ("an empty array", EMPTY_C),
    ("an int32 array", np.zeros((4, 8), np.int32)),
    ("a bool array", np.zeros((4, 8), bool)),
    ("a complex256 array", np.zeros((4, 8), np.clongdouble)),
    ("a 0-d array", np.complex64(1)),
]:
    for fn in ("fft", "ifft"):
        case(
            "nvmath.fft",
            f"{fn}(operand={label}, execution='cpu')",
            (lambda f=fn, b=bad: getattr(_fft(), f)(b, execution="cpu")),
            "operand",
        )
case(
    "nvmath.fft",
    "fft(float32 operand) (no implicit promotion)",
    lambda: _fft().fft(R32, execution="cpu"),
    ("operand", "complex64"),
)
case("nvmath.fft", "rfft(complex64 operand)", lambda: _fft().rfft(C64, execution="cpu"), "operand")
case("nvmath.fft", "rfft(object operand)", lambda: _fft().rfft(OBJ, execution="cpu"), "operand")
case("nvmath.fft", "irfft(float32 operand)", lambda: _fft().irfft(R32, execution="cpu"), "operand")
case("nvmath.fft", "irfft(structured operand)", lambda: _fft().irfft(STRUCT, execution="cpu"), "operand")

for label, bad in [
    ("'x'", "x"),
    ("(5,)", (5,)),
    ("(-3,)", (-3,)),
    ("(0, 0)", (0, 0)),
    ("(1.5,)", (1.5,)),
    ("()", ()),
    ("4 axes", (0, 1, 2, 3)),
    ("{1}", {1}),
]:
    operand = np.zeros((2, 2, 2, 4), np.complex64) if label == "4 axes" else C64
    case("nvmath.fft", f"fft(axes={label})", (lambda b=bad, o=operand: _fft().fft(o, axes=b, execution="cpu")), "axes")

for label, bad in [("'sideways'", "sideways"), ("3", 3), ("1.0", 1.0), ("[]", [])]:
    case(
        "nvmath.fft",
        f"fft(direction={label})",
        (lambda b=bad: _fft().fft(C64, direction=b, execution="cpu")),
        "direction",
    )

for label, bad in [
    ("{'bogus': 1}", {"bogus": 1}),
    ("'fast'", "fast"),
    ("{'inplace': 'yes'}", {"inplace": "yes"}),
    ("{'last_axis_parity': 'middle'}", {"last_axis_parity": "middle"}),
    ("{'result_layout': 'sideways'}", {"result_layout": "sideways"}),
    ("{'blocking': False}", {"blocking": False}),
    ("{'fft_type': 'C2X'}", {"fft_type": "C2X"}),
    ("{'device_id': -1}", {"device_id": -1}),
    ("{'device_id': '0'}", {"device_id": "0"}),
    ("{'logger': 5}", {"logger": 5}),
    ("{'allocator': object()}", {"allocator": object()}),
    ("{'fft_type': 'R2C'} for a complex operand", {"fft_type": "R2C"}),
]:
    want = ("options",) + tuple(k for k in (bad if isinstance(bad, dict) else {}))
    case("nvmath.fft", f"fft(options={label})", (lambda b=bad: _fft().fft(C64, options=b, execution="cpu")), want)

for label, bad in [
    ("'tpu'", "tpu"),
    ("5", 5),
    ("{'name': 'cpu', 'bogus': 1}", {"name": "cpu", "bogus": 1}),
    ("{'name': 'gpu'}", {"name": "gpu"}),
    ("ExecutionCPU(num_threads=0)", "cpu0"),
    ("ExecutionCPU(num_threads=-2)", "cpu-2"),
    ("ExecutionCPU(num_threads='4')", "cpu'4'"),
    ("ExecutionCUDA(device_id=-1)", "cuda-1"),
    ("ExecutionCUDA(device_id=1.5)", "cuda1.5"),
]:

    def _call(b=bad):
        f = _fft()
        if b == "cpu0":
            b = f.ExecutionCPU(num_threads=0)
        elif b == "cpu-2":
            b = f.ExecutionCPU(num_threads=-2)
        elif b == "cpu'4'":
            b = f.ExecutionCPU(num_threads="4")
        elif b == "cuda-1":
            b = f.ExecutionCUDA(device_id=-1)
        elif b == "cuda1.5":
            b = f.ExecutionCUDA(device_id=1.5)
        return f.fft(C64, execution=b)

    case("nvmath.fft", f"fft(execution={label})", _call, ("execution", "num_threads", "device_id", "bogus", "name"))

for label, bad in [
    ("5", 5),
    ("'code'", "code"),
    ("{'ltoir': 'text'}", {"ltoir": "text"}),
    ("{'bogus': 1}", {"bogus": 1}),
    ("{'ltoir': b'x', 'data': -1}", {"ltoir": b"x", "data": -1}),
]:
    case(
        "nvmath.fft",
        f"fft(prolog={label})",
        (lambda b=bad: _fft().fft(C64, prolog=b)),
        ("prolog", "ltoir", "data", "bogus"),
    )
    case(
        "nvmath.fft",
        f"fft(epilog={label})",
        (lambda b=bad: _fft().fft(C64, epilog=b)),
        ("epilog", "ltoir", "data", "bogus"),
    )
case(
    "nvmath.fft",
    "fft(prolog=..., execution='cpu') (callbacks are GPU-only)",
    lambda: _fft().fft(C64, execution="cpu", prolog={"ltoir": b"x", "data": 0}),
    ("prolog", "cpu"),
)
for label, bad in [("'s'", "s"), ("-1", -1), ("1.5", 1.5), ("object()", object())]:
    case("nvmath.fft", f"fft(stream={label})", (lambda b=bad: _fft().fft(C64, stream=b)), "stream")

# stateful FFT
for label, bad in [("None", None), ("'abc'", "abc"), ("an object array", OBJ), ("an empty array", EMPTY_C)]:
    case(
        "nvmath.fft",
        f"FFT(operand={label}, execution='cpu')",
        (lambda b=bad: _fft().FFT(b, execution="cpu")),
        "operand",
    )
case("nvmath.fft", "FFT(axes=(7,))", lambda: _fft().FFT(C64, axes=(7,), execution="cpu"), "axes")
case(
    "nvmath.fft",
    "FFT(options={'bogus': 1})",
    lambda: _fft().FFT(C64, options={"bogus": 1}, execution="cpu"),
    ("options", "bogus"),
)
case("nvmath.fft", "FFT(execution='tpu')", lambda: _fft().FFT(C64, execution="tpu"), "execution")


def _planned_cpu():
    f = _fft().FFT(np.zeros((4, 8), np.complex64), execution="cpu")
    f.plan()
    return f


def _fft_execute(**kwargs):
    with _planned_cpu() as f:
        return f.execute(**kwargs)


def _fft_reset(operand):
    with _planned_cpu() as f:
        return f.reset_operand(operand)


def _fft_after_free():
    f = _planned_cpu()
    f.free()
    return f.execute()


case("nvmath.fft", "FFT.execute(direction='up')", lambda: _fft_execute(direction="up"), "direction")
case("nvmath.fft", "FFT.execute(direction=2)", lambda: _fft_execute(direction=2), "direction")
case(
    "nvmath.fft",
    "FFT.execute(release_workspace='yes')",
    lambda: _fft_execute(release_workspace="yes"),
    "release_workspace",
)
case("nvmath.fft", "FFT.reset_operand('x')", lambda: _fft_reset("x"), "operand")
case("nvmath.fft", "FFT.reset_operand(other shape)", lambda: _fft_reset(np.zeros((4, 16), np.complex64)), "operand")
case("nvmath.fft", "FFT.reset_operand(other dtype)", lambda: _fft_reset(np.zeros((4, 8), np.complex128)), "operand")
case("nvmath.fft", "FFT.reset_operand(object array)", lambda: _fft_reset(OBJ), "operand")
case("nvmath.fft", "FFT.execute() after free()", _fft_after_free, ("free", "freed"), expect=(RuntimeError,))
case("nvmath.fft", "FFT.plan(prolog=5)", lambda: _fft().FFT(C64, execution="cpu").plan(prolog=5), "prolog")
case(
    "nvmath.fft",
    "FFT.create_key(operand='x')",
    lambda: _fft().FFT.create_key("x", axes=None, options=None, execution="cpu", prolog=None, epilog=None),
    "operand",
)

# options and execution objects themselves
case("nvmath.fft", "FFTOptions(fft_type='X2Y')", lambda: _fft().FFTOptions(fft_type="X2Y"), "fft_type")
case("nvmath.fft", "FFTOptions(inplace=1)", lambda: _fft().FFTOptions(inplace=1), "inplace")
case(
    "nvmath.fft",
    "FFTOptions(last_axis_parity=None)",
    lambda: _fft().FFTOptions(last_axis_parity=None),
    "last_axis_parity",
)
case("nvmath.fft", "FFTOptions(result_layout=3)", lambda: _fft().FFTOptions(result_layout=3), "result_layout")
case("nvmath.fft", "FFTOptions(blocking='never')", lambda: _fft().FFTOptions(blocking="never"), "blocking")
case("nvmath.fft", "FFTOptions(device_id=-2)", lambda: _fft().FFTOptions(device_id=-2), "device_id")
case("nvmath.fft", "FFTOptions(logger='root')", lambda: _fft().FFTOptions(logger="root"), "logger")
case("nvmath.fft", "ExecutionCPU(num_threads=0)", lambda: _fft().ExecutionCPU(num_threads=0), "num_threads")
case("nvmath.fft", "ExecutionCPU(num_threads=True)", lambda: _fft().ExecutionCPU(num_threads=True), "num_threads")
case("nvmath.fft", "ExecutionCUDA(device_id='gpu0')", lambda: _fft().ExecutionCUDA(device_id="gpu0"), "device_id")
case("nvmath.fft", "ExecutionCUDA(device_id=-1)", lambda: _fft().ExecutionCUDA(device_id=-1), "device_id")
for label, bad in [("-1", -1), ("'a'", "a"), ("1.5", 1.5), ("None", None)]:
    case("nvmath.fft", f"PlanCache(maxsize={label})", (lambda b=bad: _fft().PlanCache(maxsize=b)), "maxsize")


# callbacks
def _prolog(data_in, offset, user_info, unused):
    return data_in[offset]


def _two_args(a, b):
    return a


for label, kwargs in [
    ("prolog_fn=5", dict(prolog_fn=5)),
    ("element_dtype='float99'", dict(element_dtype="float99")),
    ("element_dtype=object", dict(element_dtype=object)),
    ("user_info_dtype='blob'", dict(user_info_dtype="blob")),
    ("compute_capability=(1, 0)", dict(compute_capability=(1, 0))),
    ("compute_capability='sm_x'", dict(compute_capability="sm_x")),
    ("compute_capability=-90", dict(compute_capability=-90)),
    ("compute_capability=1000", dict(compute_capability=1000)),
    ("a function of 2 arguments", dict(prolog_fn=_two_args)),
]:
    args = {"prolog_fn": _prolog, "element_dtype": "complex64", "user_info_dtype": "float32", **kwargs}
    names = tuple(kwargs) + (("prolog function", "takes 4") if label.startswith("a function") else ())
    case(
        "nvmath.fft",
        f"compile_prolog({label})",
        (lambda a=args: _fft().compile_prolog(a.pop("prolog_fn"), **a)),
        names,
        fast=False,
    )
case(
    "nvmath.fft",
    "compile_epilog(epilog_fn=None)",
    lambda: _fft().compile_epilog(None, "complex64", "float32"),
    "epilog_fn",
)


def _epilog(data_out, offset, element, user_info, unused):
    data_out[offset] = element


case(
    "nvmath.fft",
    "compile_epilog(element_dtype=5)",
    lambda: _fft().compile_epilog(_epilog, 5, "float32"),
    "element_dtype",
)
case(
    "nvmath.fft",
    "compile_epilog(a prolog's signature)",
    lambda: _fft().compile_epilog(_prolog, "complex64", "float32"),
    ("epilog function", "takes 5"),
)
case("nvmath.fft", "DeviceCallable(ltoir='text')", lambda: _fft().DeviceCallable("text"), "ltoir")
case("nvmath.fft", "DeviceCallable(ltoir=b'')", lambda: _fft().DeviceCallable(b""), "ltoir")
case("nvmath.fft", "DeviceCallable(data=-1)", lambda: _fft().DeviceCallable(b"x", data=-1), "data")
case("nvmath.fft", "DeviceCallable(data='ptr')", lambda: _fft().DeviceCallable(b"x", data="ptr"), "data")
case("nvmath.fft", "DeviceCallable(symbol=5)", lambda: _fft().DeviceCallable(b"x", symbol=5), "symbol")

# valid input, no GPU: NoGPUError
case(
    "nvmath.fft",
    "fft(valid complex64) without a GPU",
    lambda: _fft().fft(C64),
    "GPU",
    expect=(NoGPUError,),
    no_gpu_only=True,
)
case(
    "nvmath.fft",
    "rfft(valid float32) without a GPU",
    lambda: _fft().rfft(R32),
    "GPU",
    expect=(NoGPUError,),
    no_gpu_only=True,
)
case(
    "nvmath.fft",
    "FFT(valid).plan() without a GPU",
    lambda: _fft().FFT(C64).plan(),
    "GPU",
    expect=(NoGPUError,),
    no_gpu_only=True,
)
case(
    "nvmath.fft",
    "ExecutionCUDA(0) fft without a GPU",
    lambda: _fft().fft(C64, execution=_fft().ExecutionCUDA(0)),
    "GPU",
    expect=(NoGPUError,),
    no_gpu_only=True,
)


def _plan_cache_gpu():
    cache = _fft().PlanCache()
    return cache.fft(C64)


case("nvmath.fft", "PlanCache on the GPU without a GPU", _plan_cache_gpu, "GPU", expect=(NoGPUError,), no_gpu_only=True)

# ------------------------------------------------------------------------------------------------
# nvmath.device.FFT (cuFFTDx descriptors): construction arguments
# ------------------------------------------------------------------------------------------------

DEV_FFT = dict(size=64, precision=np.float32, fft_type="c2c", execution="Block", direction="forward", sm=90)


def _dev_fft(**changes):
    args = {**DEV_FFT, **changes}
    return _dev().FFT(args.pop("size"), args.pop("precision"), args.pop("fft_type"), args.pop("execution"), **args)


for arg, values in {
    "size": [0, -1, 1.5, "64", True, 2**40, None],
    "precision": [None, np.int32, np.complex64, "float99", object],
    "fft_type": ["c2x", None, 5, "C2C2"],
    "execution": ["Grid", None, 7],
    "direction": ["up", 1],
    "sm": [0, -1, 1000, "sm_xx", (9,), (9, 0, 0), 9.5, True, 12],
    "ffts_per_block": [0, -1, "lots", 1.5],
    "elements_per_thread": [0, -3, "some", 2.5],
    "real_fft_options": ["natural", {"complex_layout": "bad"}, {"real_mode": "x"}, {"bogus": 1}],
}.items():
    for bad in values:
        changes = {arg: bad}
        if arg == "real_fft_options":
            changes.update(fft_type="r2c", direction=None)
        case("nvmath.device", f"FFT({arg}={bad!r})", (lambda c=changes: _dev_fft(**c)), arg)
case("nvmath.device", "FFT(c2c, direction=None)", lambda: _dev_fft(direction=None), "direction")
case(
    "nvmath.device", "FFT(r2c, direction='inverse')", lambda: _dev_fft(fft_type="r2c", direction="inverse"), "direction"
)
case(
    "nvmath.device",
    "FFT(c2c, real_fft_options=...)",
    lambda: _dev_fft(real_fft_options={"complex_layout": "natural"}),
    "real_fft_options",
)
case(
    "nvmath.device",
    "FFT(Thread, ffts_per_block=2)",
    lambda: _dev_fft(execution="Thread", size=16, ffts_per_block=2),
    "ffts_per_block",
)
case("nvmath.device", "FFT(size=7 * 2**20) (beyond cuFFTDx)", lambda: _dev_fft(size=7 * 2**20), "size")
case("nvmath.device", "FFT(...).valid('bogus')", lambda: _dev_fft().valid("bogus"), ("bogus", "valid"))

# Inside kernels: misuse of fft.execute is a Numba TypingError saying what is expected


def _typing_error():
    from numba.core.errors import TypingError

    return TypingError


_KERNEL_FFT = {}


def _kernel_fft():
    if not _KERNEL_FFT:
        _KERNEL_FFT["fft"] = _dev_fft()
    return _KERNEL_FFT["fft"]


def _compile_kernel(body: str):
    from numba import cuda, types

    fft = _kernel_fft()

    def swapped(out):
        data = cuda.local.array(fft.storage_size, fft.value_type)
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(smem, data)

    def short(out):
        data = cuda.local.array(1, fft.value_type)
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(data, smem)

    def global_array(out):
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(out, smem)

    def wrong_dtype(out):
        data = cuda.local.array(fft.storage_size, types.float64)
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(data, smem)

    def three_args(out):
        data = cuda.local.array(fft.storage_size, fft.value_type)
        smem = cuda.shared.array(0, fft.value_type)
        fft.execute(data, smem, 1)

    kernel = {"swapped": swapped, "short": short, "global": global_array, "dtype": wrong_dtype, "arity": three_args}
    return nvmath.compile.compile_kernel_ltoir(kernel[body], [types.complex64[::1]], cc=90)


for body, text, names in [
    ("swapped", "fft.execute(smem, thread_data) (arguments swapped)", ("thread_data", "local")),
    ("short", "fft.execute(thread_data of 1 < storage_size)", ("storage_size", "thread_data")),
    ("global", "fft.execute(global array, smem)", ("local", "thread_data")),
    ("dtype", "fft.execute(float64 thread_data)", ("value_type", "thread_data", "float64")),
    ("arity", "fft.execute(thread_data, smem, 1)", ("execute", "argument")),
]:
    case(
        "nvmath.device",
        f"in a kernel: {text}",
        (lambda b=body: _compile_kernel(b)),
        names,
        expect=("TypingError",),
        kernel=True,
    )

# ------------------------------------------------------------------------------------------------
# nvmath.device.Matmul (cuBLASDx descriptors): must fail before libmathdx compiles (fast)
# ------------------------------------------------------------------------------------------------

DEV_MM = dict(size=(16, 16, 16), precision=np.float32, data_type="real", sm=90, block_size=128)


def _dev_mm(**changes):
    args = {**DEV_MM, **changes}
    return _dev().Matmul(args.pop("size"), args.pop("precision"), args.pop("data_type"), **args)


for arg, values in {
    "size": [(0, 16, 16), (-1, 16, 16), (16, 16), "161616", (16.0, 16, 16), None, (16, 16, 16, 16), 16],
    "precision": [None, np.int16, "float99", (np.float32, np.float32), object],
    "data_type": ["imag", None, 1],
    "sm": [0, -5, 1000, "sm_90x", (9,), 9.0],
    "block_size": [0, -5, "lots", 1.5, 2048],
    "block_dim": [(0, 1, 1), "x", (1, 2, 3, 4), (-1, 1, 1)],
    "leading_dimension": [(-1, 16, 16), "suggest", (16, 16), (1, 1, 1)],
    "arrangement": [("row", "col_major", "col_major"), 5, ("row_major", "col_major")],
    "alignment": [(3, 16, 16), (32, 32, 32), (-4, 16, 16), "16"],
    "execution": ["Grid", None],
    "static_block_dim": ["yes"],
    "with_pipeline": [1, "no"],
    "enable_input_streaming": ["no"],
}.items():
    for bad in values:
        changes = {arg: bad}
        if arg == "block_dim":
            changes["block_size"] = None
        case("nvmath.device", f"Matmul({arg}={bad!r})", (lambda c=changes: _dev_mm(**c)), arg, fast=True)
case(
    "nvmath.device",
    "Matmul(block_size and block_dim)",
    lambda: _dev_mm(block_dim=(128, 1, 1)),
    ("block_size", "block_dim"),
    fast=True,
)
case(
    "nvmath.device",
    "Matmul(Thread, block_size=128)",
    lambda: _dev_mm(execution="Thread"),
    ("block_size", "execution"),
    fast=True,
)

# ------------------------------------------------------------------------------------------------
# nvmath.compile
# ------------------------------------------------------------------------------------------------


def _comp():
    return nvmath.compile


for label, bad in [
    ("-1", -1),
    ("0", 0),
    ("'abc'", "abc"),
    ("(9,)", (9,)),
    ("(9, -1)", (9, -1)),
    ("1000", 1000),
    ("True", True),
    ("None", None),
    ("9.5", 9.5),
    ("(1, 0)", (1, 0)),
]:
    case(
        "nvmath.compile",
        f"normalize_cc({label})",
        (lambda b=bad: _comp().normalize_cc(b)),
        ("cc", "compute capability"),
    )
for label, kwargs in [
    ("source=5", dict(source=5)),
    ("source=b'bytes'", dict(source=b"__global__ void f() {}")),
    ("cc=(1, 0)", dict(cc=(1, 0))),
    ("cc='sm_x'", dict(cc="sm_x")),
    ("name=5", dict(name=5)),
    ("options='-O3'", dict(options="-O3")),
    ("options=[5]", dict(options=[5])),
    ("output='ptx2'", dict(output="ptx2")),
]:
    args = {"source": 'extern "C" __global__ void f() {}', "cc": 90, **kwargs}
    case(
        "nvmath.compile",
        f"compile_cpp({label})",
        (lambda a=dict(args): _comp().compile_cpp(a.pop("source"), **a)),
        tuple(kwargs),
    )


def _code():
    return _comp().Code(b"\x00" * 16, "ltoir")


for label, kwargs in [
    ("codes=[]", dict(codes=[])),
    ("codes='abc'", dict(codes="abc")),
    ("codes=[b'raw']", dict(codes=[b"raw"])),
    ("codes=None", dict(codes=None)),
    ("cc=(1, 0)", dict(cc=(1, 0))),
    ("max_registers=0", dict(max_registers=0)),
    ("max_registers=-1", dict(max_registers=-1)),
    ("max_registers=300", dict(max_registers=300)),
    ("max_registers='32'", dict(max_registers="32")),
    ("max_registers=1.5", dict(max_registers=1.5)),
    ("options=5", dict(options=5)),
    ("options='-O3'", dict(options="-O3")),
    ("strip_unused_globals='no'", dict(strip_unused_globals="no")),
]:

    def _link(k=kwargs):
        a = {"codes": [_code()], "cc": 90, **k}
        return _comp().link(a.pop("codes"), **a)

    case("nvmath.compile", f"link({label})", _link, tuple(kwargs))
for label, kwargs in [
    ("data='text'", dict(data="text")),
    ("data=b''", dict(data=b"")),
    ("kind='bogus'", dict(kind="bogus")),
    ("kind=5", dict(kind=5)),
    ("name=5", dict(name=5)),
    ("arch_specific='yes'", dict(arch_specific="yes")),
]:
    args = {"data": b"\x00" * 16, "kind": "ltoir", **kwargs}
    case(
        "nvmath.compile",
        f"Code({label})",
        (lambda a=dict(args): _comp().Code(a.pop("data"), a.pop("kind"), **a)),
        tuple(kwargs),
    )


def _device_fn(x):
    return x + 1


for label, kwargs in [
    ("pyfunc=5", dict(pyfunc=5)),
    ("restype='int99'", dict(restype="int99")),
    ("argtypes='x'", dict(argtypes="x")),
    ("argtypes=[5]", dict(argtypes=[5])),
    ("symbol=''", dict(symbol="")),
    ("symbol='1 bad'", dict(symbol="1 bad")),
    ("symbol=5", dict(symbol=5)),
    ("cc=(2, 0)", dict(cc=(2, 0))),
]:

    def _cdf(k=kwargs):
        from numba import types

        a = {"pyfunc": _device_fn, "restype": types.float32, "argtypes": [types.float32], "symbol": "f", "cc": 90, **k}
        return _comp().compile_device_function(a.pop("pyfunc"), a.pop("restype"), a.pop("argtypes"), **a)

    case("nvmath.compile", f"compile_device_function({label})", _cdf, tuple(kwargs))
case("nvmath.compile", "compile_kernel_ltoir(pyfunc=5)", lambda: _comp().compile_kernel_ltoir(5, [], cc=90), "pyfunc")
case(
    "nvmath.compile",
    "compile_kernel_ltoir(argtypes=5)",
    lambda: _comp().compile_kernel_ltoir(_device_fn, 5, cc=90),
    "argtypes",
)
case("nvmath.compile", "compile_kernel_ltoir(cc=-1)", lambda: _comp().compile_kernel_ltoir(_device_fn, [], cc=-1), "cc")

_KEY = "0123abcd" * 8
_NOWHERE = os.path.join(tempfile.gettempdir(), "nvmath-bad-input-cache-never-created")
for label, call, names in [
    ("cached(kind='../x')", lambda: _comp().cached("../x", {}, lambda: b""), "kind"),
    ("cached(kind='')", lambda: _comp().cached("", {}, lambda: b""), "kind"),
    ("cached(kind=5)", lambda: _comp().cached(5, {}, lambda: b""), "kind"),
    ("cached(key_parts=[1])", lambda: _comp().cached("demo", [1], lambda: b""), "key_parts"),
    ("cached(key_parts={'f': object()})", lambda: _comp().cached("demo", {"f": object()}, lambda: b""), "key_parts"),
    ("cached(build=b'x')", lambda: _comp().cached("demo", {}, b"x"), "build"),
    ("cached(build returns str)", lambda: _comp().cached("demo", {"s": 1}, lambda: "text"), ("build", "bytes")),
    ("cached(description=5)", lambda: _comp().cached("demo", {"d": 1}, lambda: b"", description=5), "description"),
    ("cached(meta='m')", lambda: _comp().cached("demo", {"m": 1}, lambda: b"", meta="m"), "meta"),
    ("DiskCache(root=5)", lambda: _comp().DiskCache(5), "root"),
    ("DiskCache(root=None)", lambda: _comp().DiskCache(None), "root"),
    ("DiskCache.get(kind='a/b')", lambda: _comp().DiskCache(_NOWHERE).get("a/b", _KEY), "kind"),
    (
        "DiskCache.get(key='../../etc/passwd')",
        lambda: _comp().DiskCache(_NOWHERE).get("demo", "../../etc/passwd"),
        "key",
    ),
    (
        "DiskCache.put(payload='text')",
        lambda: _comp().DiskCache(_NOWHERE).put("demo", _KEY, "text"),
        "payload",
    ),
    (
        "DiskCache.put(meta=[1])",
        lambda: _comp().DiskCache(_NOWHERE).put("demo", _KEY, b"", meta=[1]),
        "meta",
    ),
    ("DiskCache.evict(limit=-1)", lambda: _comp().DiskCache(_NOWHERE).evict(-1), "limit"),
    ("DiskCache.prune(limit='x')", lambda: _comp().DiskCache(_NOWHERE).prune("x"), "limit"),
]:
    case("nvmath.compile", label, call, names)


def _lock(timeout):
    with _comp().DiskCache(_NOWHERE).build_lock("demo", _KEY, timeout=timeout):
        pass


case("nvmath.compile", "DiskCache.build_lock(timeout=-1)", lambda: _lock(-1), "timeout")
case("nvmath.compile", "DiskCache.build_lock(timeout='soon')", lambda: _lock("soon"), "timeout")

# ------------------------------------------------------------------------------------------------
# nvmath.memory
# ------------------------------------------------------------------------------------------------


def _mem():
    return nvmath.memory


class _NoMemalloc:
    pass


for label, call, names in [
    ("MemoryPointer(device_ptr=-1)", lambda: _mem().MemoryPointer(-1, 16), "device_ptr"),
    ("MemoryPointer(device_ptr='0x10')", lambda: _mem().MemoryPointer("0x10", 16), "device_ptr"),
    ("MemoryPointer(device_ptr=1.5)", lambda: _mem().MemoryPointer(1.5, 16), "device_ptr"),
    ("MemoryPointer(device_ptr=None)", lambda: _mem().MemoryPointer(None, 16), "device_ptr"),
    ("MemoryPointer(size=-5)", lambda: _mem().MemoryPointer(0, -5), "size"),
    ("MemoryPointer(size='16')", lambda: _mem().MemoryPointer(0, "16"), "size"),
    ("MemoryPointer(finalizer=5)", lambda: _mem().MemoryPointer(0, 16, finalizer=5), "finalizer"),
    ("allocate(manager=object())", lambda: _mem().allocate(_NoMemalloc(), 16, 0), "manager"),
    ("allocate(manager=None)", lambda: _mem().allocate(None, 16, 0), "manager"),
    ("allocate(size=-1)", lambda: _mem().allocate(_NoMemalloc(), -1, 0), ("size", "manager")),
    ("default_memory_manager(package='jax')", lambda: _mem().default_memory_manager("jax", 0), "package"),
    ("default_memory_manager(package=5)", lambda: _mem().default_memory_manager(5, 0), "package"),
    ("default_memory_manager(device_id=-1)", lambda: _mem().default_memory_manager("cupy", -1), "device_id"),
    ("default_memory_manager(device_id='0')", lambda: _mem().default_memory_manager("cupy", "0"), "device_id"),
    ("CupyMemoryManager(device_id=-1)", lambda: _mem().CupyMemoryManager(-1), "device_id"),
    ("TorchMemoryManager(device_id='x')", lambda: _mem().TorchMemoryManager("x"), "device_id"),
    ("CudaCoreMemoryManager(device_id=1.5)", lambda: _mem().CudaCoreMemoryManager(1.5), "device_id"),
]:
    case("nvmath.memory", label, call, names)

# ------------------------------------------------------------------------------------------------
# nvmath.bindings: the high-level helpers
# ------------------------------------------------------------------------------------------------


def _b(name):
    import importlib

    return importlib.import_module(f"nvmath.bindings.{name}")


for label, call, names in [
    ("library_types.data_type('float99')", lambda: _b("library_types").data_type("float99"), ("dtype", "float99")),
    ("library_types.data_type(5)", lambda: _b("library_types").data_type(5), ("dtype", "5")),
    ("library_types.data_type(None)", lambda: _b("library_types").data_type(None), ("dtype", "None")),
    ("cublaslt.attribute_ctype(5)", lambda: _b("cublaslt").attribute_ctype(5), ("attribute", "attr")),
    ("cublaslt.attribute_ctype('EPILOGUE')", lambda: _b("cublaslt").attribute_ctype("EPILOGUE"), ("attribute", "attr")),
    ("cublaslt.get_status_name('x')", lambda: _b("cublaslt").get_status_name("x"), "status"),
    ("mathdx.commondx_status_to_str(999)", lambda: _b("mathdx").commondx_status_to_str(999), "status"),
    (
        "mathdx.commondx_precision_to_str('x')",
        lambda: _b("mathdx").commondx_precision_to_str("x"),
        ("value", "precision"),
    ),
    ("mathdx.cufftdx_destroy_descriptor(-1)", lambda: _b("mathdx").cufftdx_destroy_descriptor(-1), "handle"),
    ("mathdx.cufftdx_destroy_descriptor('h')", lambda: _b("mathdx").cufftdx_destroy_descriptor("h"), "handle"),
    ("mathdx.commondx_destroy_code(None)", lambda: _b("mathdx").commondx_destroy_code(None), "code"),
    ("mathdx.cublasdx_finalize_tensors('abc')", lambda: _b("mathdx").cublasdx_finalize_tensors("abc"), "tensors"),
    ("mkl_dfti.create_descriptor(precision=99)", lambda: _b("mkl_dfti").create_descriptor(99, 32, 8), "precision"),
    ("mkl_dfti.create_descriptor(lengths=0)", lambda: _b("mkl_dfti").create_descriptor(35, 32, 0), "lengths"),
    ("mkl_dfti.create_descriptor(lengths=-4)", lambda: _b("mkl_dfti").create_descriptor(35, 32, -4), "lengths"),
    ("mkl_dfti.create_descriptor(lengths='8')", lambda: _b("mkl_dfti").create_descriptor(35, 32, "8"), "lengths"),
    (
        "mkl_dfti.create_descriptor(forward_domain='c')",
        lambda: _b("mkl_dfti").create_descriptor(35, "c", 8),
        "forward_domain",
    ),
    ("mkl_dfti.free_descriptor(-1)", lambda: _b("mkl_dfti").free_descriptor(-1), "handle"),
    ("mkl_dfti.set_num_threads_local(-1)", lambda: _b("mkl_dfti").set_num_threads_local(-1), "num_threads"),
    ("mkl_dfti.set_threading_layer('omp')", lambda: _b("mkl_dfti").set_threading_layer("omp"), "layer"),
]:
    case("nvmath.bindings", label, call, names, expect=(ValueError, TypeError), isolate=True)

# ------------------------------------------------------------------------------------------------
# nvmath.linalg.advanced (cuBLASLt)
# ------------------------------------------------------------------------------------------------

for label, a, b in [
    ("a=None", None, B32),
    ("b='x'", A32, "x"),
    ("a=[[1.0]]", [[1.0]], B32),
    ("a=object array", np.empty((8, 4), object), B32),
    ("a=structured", np.zeros((8, 4), [("x", np.float32)]), B32),
    ("a=int16", A32.astype(np.int16), B32.astype(np.int16)),
    ("a=bool", A32.astype(bool), B32.astype(bool)),
    ("shapes (8,4)@(8,4)", A32, A32),
    ("dtypes float32@float64", A32, B32.astype(np.float64)),
    ("a=0-d", np.float32(1), B32),
    ("batch (2,8,4)@(3,4,6)", np.ones((2, 8, 4), np.float32), np.ones((3, 4, 6), np.float32)),
    ("a=complex64 b=float32", A32.astype(np.complex64), B32),
]:
    names = ("a", "b", "operand")
    case("nvmath.linalg", f"matmul({label})", (lambda x=a, y=b: _la().matmul(x, y)), names)
    case("nvmath.linalg", f"Matmul({label})", (lambda x=a, y=b: _la().Matmul(x, y)), names)

for label, kwargs in [
    ("alpha='x'", dict(alpha="x")),
    ("alpha=[1, 2]", dict(alpha=[1, 2])),
    ("beta=1.0 without c", dict(beta=1.0)),
    ("c of the wrong shape", dict(c=np.ones((3, 3), np.float32), beta=1.0)),
    ("c of another dtype", dict(c=np.ones((8, 6), np.float64), beta=1.0)),
    ("c=object array", dict(c=np.empty((8, 6), object), beta=1.0)),
    ("epilog=5000", dict(epilog=5000)),
    ("epilog='relu_blah'", dict(epilog="relu_blah")),
    ("epilog=BIAS without bias", dict(epilog="BIAS_ONLY")),
    ("epilog_inputs={'bogus': 1}", dict(epilog="BIAS_BOGUS")),
    ("bias of the wrong length", dict(epilog="BIAS_LEN")),
    ("epilog_inputs without epilog", dict(epilog_inputs={"bias": np.ones(8, np.float32)})),
    ("qualifiers='conj'", dict(qualifiers="conj")),
    ("qualifiers of 3 entries", dict(qualifiers="Q3")),
    ("options={'bogus': 1}", dict(options={"bogus": 1})),
    ("options='fast'", dict(options="fast")),
    ("options={'memory_limit': '200%'}", dict(options={"memory_limit": "200%"})),
    ("options={'memory_limit': -1}", dict(options={"memory_limit": -1})),
    ("options={'memory_limit': 'lots'}", dict(options={"memory_limit": "lots"})),
    ("options={'sm_count_target': -1}", dict(options={"sm_count_target": -1})),
    ("options={'blocking': False}", dict(options={"blocking": False})),
    ("options={'device_id': -1}", dict(options={"device_id": -1})),
    ("options={'compute_type': 99999}", dict(options={"compute_type": 99999})),
    ("options={'scale_type': 'float99'}", dict(options={"scale_type": "float99"})),
    ("options={'result_type': 'blob'}", dict(options={"result_type": "blob"})),
    ("options={'result_amax': True} for float32", dict(options={"result_amax": True})),
    ("preferences={'limit': 0}", dict(preferences={"limit": 0})),
    ("preferences={'bogus': 1}", dict(preferences={"bogus": 1})),
    ("preferences='best'", dict(preferences="best")),
    ("algorithm='fastest'", dict(algorithm="fastest")),
    ("quantization_scales for float32", dict(quantization_scales="Q")),
    ("stream='s'", dict(stream="s")),
    ("stream=-1", dict(stream=-1)),
]:

    def _mm(k=kwargs):
        la = _la()
        k = dict(k)
        if k.get("epilog") == "BIAS_ONLY":
            k["epilog"] = la.MatmulEpilog.BIAS
        elif k.get("epilog") == "BIAS_BOGUS":
            k.update(epilog=la.MatmulEpilog.BIAS, epilog_inputs={"bias": np.ones(8, np.float32), "bogus": 1})
        elif k.get("epilog") == "BIAS_LEN":
            k.update(epilog=la.MatmulEpilog.BIAS, epilog_inputs={"bias": np.ones(5, np.float32)})
        if k.get("qualifiers") == "Q3":
            k["qualifiers"] = np.zeros(3, dtype=la.matrix_qualifiers_dtype)
        if k.get("quantization_scales") == "Q":
            k["quantization_scales"] = la.MatmulQuantizationScales(a=2.0)
        return la.matmul(A32, B32, **k)

    names = tuple(kwargs) + tuple(kwargs.get("options", {}) if isinstance(kwargs.get("options"), dict) else ())
    names += tuple(kwargs.get("preferences", {}) if isinstance(kwargs.get("preferences"), dict) else ())
    if label.startswith(("epilog=BIAS", "epilog_inputs=", "bias")):
        names += ("bias", "epilog_inputs", "epilog")
    case("nvmath.linalg", f"matmul({label})", _mm, names)

for label, call, names in [
    ("MatmulOptions(memory_limit='150%')", lambda: _la().MatmulOptions(memory_limit="150%"), "memory_limit"),
    ("MatmulOptions(sm_count_target=-3)", lambda: _la().MatmulOptions(sm_count_target=-3), "sm_count_target"),
    ("MatmulOptions(handle=-1)", lambda: _la().MatmulOptions(handle=-1), "handle"),
    ("MatmulOptions(result_amax='yes')", lambda: _la().MatmulOptions(result_amax="yes"), "result_amax"),
    ("MatmulOptions(fast_accumulation=2)", lambda: _la().MatmulOptions(fast_accumulation=2), "fast_accumulation"),
    ("MatmulOptions(scale_type='x')", lambda: _la().MatmulOptions(scale_type="x"), "scale_type"),
    ("MatmulPlanPreferences(limit=-1)", lambda: _la().MatmulPlanPreferences(limit=-1), "limit"),
    ("MatmulPlanPreferences(limit='8')", lambda: _la().MatmulPlanPreferences(limit="8"), "limit"),
    (
        "MatmulPlanPreferences(max_waves_count=-1)",
        lambda: _la().MatmulPlanPreferences(max_waves_count=-1),
        "max_waves_count",
    ),
    (
        "MatmulPlanPreferences(reduction_scheme_mask='x')",
        lambda: _la().MatmulPlanPreferences(reduction_scheme_mask="x"),
        "reduction_scheme_mask",
    ),
    (
        "MatmulPlanPreferences(numerical_impl_mask=-1)",
        lambda: _la().MatmulPlanPreferences(numerical_impl_mask=-1),
        "numerical_impl_mask",
    ),
    ("MatmulQuantizationScales(a='x')", lambda: _la().MatmulQuantizationScales(a="x"), "a"),
    ("MatmulQuantizationScales(d=[1, 2])", lambda: _la().MatmulQuantizationScales(d=[1, 2]), "d"),
    ("PlanCache(maxsize=-1)", lambda: _la().PlanCache(maxsize=-1), "maxsize"),
    ("PlanCache(maxsize='big')", lambda: _la().PlanCache(maxsize="big"), "maxsize"),
    ("Algorithm(result='x')", lambda: _la().Algorithm("x"), "result"),
]:
    case("nvmath.linalg", label, call, names)

# valid input, no GPU: NoGPUError
case(
    "nvmath.linalg",
    "matmul(valid float32) without a GPU",
    lambda: _la().matmul(A32, B32),
    "GPU",
    expect=(NoGPUError,),
    no_gpu_only=True,
)
case(
    "nvmath.linalg",
    "Matmul(valid float32) without a GPU",
    lambda: _la().Matmul(A32, B32),
    "GPU",
    expect=(NoGPUError,),
    no_gpu_only=True,
)


def _mm_plan_cache():
    cache = _la().PlanCache()
    return cache.matmul(A32, B32)


case(
    "nvmath.linalg",
    "PlanCache(valid float32) without a GPU",
    _mm_plan_cache,
    "GPU",
    expect=(NoGPUError,),
    no_gpu_only=True,
)

# ------------------------------------------------------------------------------------------------
# Rows the package does not handle yet (files outside this test's reach): the fix for each
# ------------------------------------------------------------------------------------------------

_NOGPU_FIRST_MM = (
    "nvmath/host/matmul.py: check qualifiers (length 2), options.memory_limit, quantization_scales (FP8 only) and "
    "stream before ensure_gpu; today NoGPUError comes first"
)
XFAIL = {}
XFAIL_WITHOUT_GPU = {
    "nvmath.linalg: matmul(qualifiers of 3 entries)": _NOGPU_FIRST_MM,
}


# ------------------------------------------------------------------------------------------------
# The runner
# ------------------------------------------------------------------------------------------------


def _innermost_file(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    return os.path.abspath(frames[-1].filename) if frames else ""


def _from_nvmath(exc: BaseException) -> bool:
    if type(exc).__module__.startswith("nvmath"):
        return True
    return _innermost_file(exc).startswith(NVMATH_DIR + os.sep)


def _matches(exc: BaseException, expect: tuple) -> bool:
    names = {cls.__name__ for cls in type(exc).__mro__}
    return any(e in names if isinstance(e, str) else isinstance(exc, e) for e in expect)


def _outcome(c: Case) -> dict:
    """Run the row here; describe what happened as plain data."""
    start = time.perf_counter()
    try:
        c.call()
    except Exception as exc:
        return {
            "raised": True,
            "type": type(exc).__name__,
            "qualified": f"{type(exc).__module__}.{type(exc).__qualname__}",
            "message": str(exc),
            "forbidden": isinstance(exc, FORBIDDEN),
            "expected": _matches(exc, c.expect),
            "from_nvmath": _from_nvmath(exc),
            "where": _innermost_file(exc),
            "elapsed": time.perf_counter() - start,
        }
    return {"raised": False, "type": "accepted (no error)", "message": "", "elapsed": time.perf_counter() - start}


def _outcome_in_child(c: Case) -> dict:
    """Run the row in a forked child (calls that may crash the process, e.g. bad C handles)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read)
            data = json.dumps(_outcome(c)).encode()
            os.write(write, data)
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = signal.Signals(os.WTERMSIG(status)).name
        return {"raised": True, "type": f"process crashed ({sig})", "crashed": sig, "message": "", "elapsed": 0.0}
    return json.loads(data)


def _params():
    seen: dict[str, int] = {}
    out = []
    for c in CASES:
        ident = f"{c.api}: {c.text}"
        seen[ident] = seen.get(ident, 0) + 1
        if seen[ident] > 1:
            ident += f" #{seen[ident]}"
        marks = []
        reason = c.xfail or XFAIL.get(ident)
        if reason:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        elif ident in XFAIL_WITHOUT_GPU:
            marks.append(pytest.mark.xfail(not HAS_GPU, strict=True, reason=XFAIL_WITHOUT_GPU[ident]))
        if c.no_gpu_only and HAS_GPU:
            marks.append(pytest.mark.skip(reason="valid input: NoGPUError only applies on a machine without a GPU"))
        out.append(pytest.param(c, id=ident, marks=marks))
    return out


@pytest.fixture(autouse=True)
def _no_background_codegen(monkeypatch, tmp_path):
    monkeypatch.setenv("NVMATH_CODEGEN_WORKERS", "0")  # descriptors: no speculative libmathdx work
    monkeypatch.setenv("NVMATH_CACHE_DIR", str(tmp_path / "cache"))  # rows reaching the cache: pytest's tmp


def test_table_has_200_rows_across_every_api():
    ids = {p.id for p in _params()}
    assert not (set(XFAIL) | set(XFAIL_WITHOUT_GPU)) - ids, "an xfail names no row"
    apis = {c.api for c in CASES}
    assert len(CASES) >= 200, len(CASES)
    assert apis >= {
        "nvmath.fft",
        "nvmath.device",
        "nvmath.compile",
        "nvmath.memory",
        "nvmath.bindings",
        "nvmath.linalg",
    }


@pytest.mark.parametrize("c", _params())
def test_bad_input_is_a_clear_error(c: Case):
    o = _outcome_in_child(c) if c.isolate else _outcome(c)
    c.outcome.update(o)
    assert "crashed" not in o, f"the process crashed ({o.get('crashed')}) on {c.text}"
    assert o["raised"], f"accepted: {c.text}"
    message, kind = o["message"], o["qualified"]
    assert not o["forbidden"], f"{kind} for {c.text}: {message[:300]}"
    assert o["expected"], f"{kind} (expected {[getattr(e, '__name__', e) for e in c.expect]}): {message[:300]}"
    if c.kernel:  # Numba raises it, around the message nvmath's typing gave it: that message must be short
        longest = max((len(line) for line in message.splitlines()), default=0)
        assert longest < MAX_MESSAGE, f"a line of {longest} characters in: {message[:300]}..."
    else:
        assert o["from_nvmath"], f"{kind} raised inside a dependency ({o['where']}): {message[:300]}"
        assert len(message) < MAX_MESSAGE, f"message of {len(message)} characters: {message[:300]}..."
    lowered = message.lower()
    assert any(n.lower() in lowered for n in c.names), f"message does not name any of {c.names}: {message}"
    if c.fast:
        assert o["elapsed"] < 1.0, f"took {o['elapsed']:.2f} s: libmathdx was called before the argument was checked"


def test_rows_created_no_cache_directory():
    assert not os.path.exists(_NOWHERE), "a refused call still created the cache directory"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def teardown_module(module):
    path = os.environ.get("NVMATH_BAD_INPUT_TABLE")
    if not path:
        return
    rows = ["| # | API | input | exception | message |", "|---|---|---|---|---|"]
    for i, c in enumerate(CASES, 1):
        if not c.outcome:
            continue
        name, message = c.outcome["type"], c.outcome["message"]
        if len(message) > 300:
            message = message[:297] + "..."
        rows.append(f"| {i} | {c.api} | `{_md(c.text)}` | {name} | {_md(message)} |")
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")
