"""Call external LTO-IR device functions from Numba kernels, fully inlined, with a cached link.

This is the building block of the device APIs (cuFFTDx, cuBLASDx) and of user C++ functions:

- :class:`LTOIRCode` marks LTO-IR that nvmath generated (or that the user hands to it).
- :func:`call_extern` emits, inside a Numba lowering function, a call to a C-ABI device
  function defined in such code; arrays (local, shared or global) are passed as pointers to
  their data.
- :class:`ExternFunction` is a function that kernels call directly.
- Kernels that link an :class:`LTOIRCode` are linked by :func:`nvmath.compile.link` instead of
  Numba's own linker: link-time optimization inlines the external code, unused globals are
  dropped, and the cubin is cached on disk, so a second process skips nvJitLink. numba-cuda
  has no hook for its link step, so :func:`install_hooks` wraps it; libraries that link no
  :class:`LTOIRCode` are untouched.
- :func:`compile_kernel` compiles a kernel to a cubin without a GPU (for CI and inspection).

Example:
    >>> from numba import cuda, types
    >>> from nvmath.compile import compile_cpp
    >>> from nvmath.device.extern import ExternFunction, LTOIRCode
    >>> code = compile_cpp('extern "C" __device__ void twice(float* x) { x[0] *= 2; }', cc=(9, 0))
    >>> twice = ExternFunction("twice", LTOIRCode(code.data, "twice"), None, [types.CPointer(types.float32)])
    >>> @cuda.jit
    ... def kernel(x):
    ...     twice(x)  # an array argument is passed as a pointer to its data
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import sys
from collections.abc import Sequence
from types import SimpleNamespace as types_namespace

from cuda.core import ObjectCode
from llvmlite import ir
from numba.core.errors import TypingError
from numba.cuda import LTOIR, cgutils, types
from numba.cuda.extending import lower_builtin, type_callable

from nvmath._gpu import check_driver
from nvmath.compile import Code, link
from nvmath.compile.code import normalize_cc
from nvmath.compile.pyfunc import code_from_linkable, compile_kernel_ltoir, ordered_linkables


class LTOIRCode(LTOIR):
    """LTO-IR to link into the kernels that call it, through nvmath's cached linker.

    Args:
        data: the LTO-IR bytes.
        name: a name for logs and link errors.
        arch_specific: the code uses the arch-specific feature set (``sm_90a``: wgmma): kernels
            that link it are linked for ``sm_XYa``.

    Example:
        >>> code = LTOIRCode(ltoir_bytes, "fft_512_c2c")  # doctest: +SKIP
    """

    def __init__(self, data: bytes, name: str, arch_specific: bool = False) -> None:
        super().__init__(bytes(data), name=name)
        self.arch_specific = arch_specific

    def __hash__(self) -> int:  # linking files live in a set: equal code links once
        return hash((self.name, self.data))

    def __eq__(self, other) -> bool:
        return isinstance(other, LTOIRCode) and (self.name, self.data) == (other.name, other.data)


def _llvm_arg(context, builder, argtype, value):
    """Lower one argument for a C-ABI call: arrays become pointers to their data."""
    if isinstance(argtype, types.Array):
        array = cgutils.create_struct_proxy(argtype)(context, builder, value=value)
        return array.data
    return value


def _llvm_type(context, argtype):
    if isinstance(argtype, types.Array):
        return context.get_value_type(types.CPointer(argtype.dtype))
    return context.get_value_type(argtype)


def call_extern(context, builder, symbol: str, code: LTOIRCode, restype, argtypes: Sequence, args: Sequence):
    """Emit a call to C-ABI device function ``symbol`` (defined in ``code``) from a lowering function.

    Args:
        context: the Numba target context given to the lowering function.
        builder: the llvmlite IR builder given to the lowering function.
        symbol: the unmangled name of the device function.
        code: the LTO-IR that defines it; linked into the kernel being compiled.
        restype: Numba return type, or None / ``types.void``.
        argtypes: the Numba types of ``args``; arrays are passed as pointers to their data.
        args: the LLVM values.

    Returns:
        The call's LLVM value (None for void).

    Example:
        >>> from numba.cuda.extending import intrinsic
        >>> @intrinsic  # doctest: +SKIP
        ... def run(typingctx, data):
        ...     def codegen(context, builder, sig, args):
        ...         call_extern(context, builder, "fft_run", code, None, sig.args, args)
        ...     return types.void(data), codegen
    """
    void = restype is None or restype == types.void
    return_llvm = ir.VoidType() if void else context.get_value_type(restype)
    values = [_llvm_arg(context, builder, t, v) for t, v in zip(argtypes, args, strict=True)]
    result = call_extern_values(context, builder, symbol, code, return_llvm, values)
    return None if void else result


def call_extern_values(context, builder, symbol: str, code: LTOIRCode, return_llvm, values: Sequence):
    """Like :func:`call_extern`, for arguments already lowered to the C ABI's LLVM values.

    The function is declared with the LLVM types of ``values`` (e.g. an identified struct
    passed by value, as libmathdx's opaque tensors are).

    Example:
        >>> call_extern_values(context, builder, "f", code, ir.VoidType(), [tensor_struct])  # doctest: +SKIP
    """
    context.active_code_library.add_linking_file(code)
    fnty = ir.FunctionType(return_llvm, [v.type for v in values])
    fn = cgutils.get_or_insert_function(builder.module, fnty, symbol)
    return builder.call(fn, list(values))


def _accepts(param, arg) -> bool:
    if isinstance(param, types.CPointer):
        if isinstance(arg, types.Array):
            return arg.dtype == param.dtype
        return arg == param
    if isinstance(param, (types.Number, types.Boolean)):
        return isinstance(arg, (types.Number, types.Boolean))
    return arg == param


class ExternFunction:
    """A C-ABI device function that Numba kernels call directly.

    Pointer parameters (``types.CPointer(T)``) accept arrays of dtype ``T`` in any memory
    space (the pointer to their data is passed); number parameters accept any number (cast).
    Calling it outside a kernel raises ``TypeError``.

    Args:
        symbol: the unmangled name of the device function.
        code: the LTO-IR that defines it.
        restype: Numba return type, or None for void.
        argtypes: Numba parameter types.

    Example:
        >>> twice = ExternFunction("twice", code, None, [types.CPointer(types.float32)])  # doctest: +SKIP
    """

    def __init__(self, symbol: str, code: LTOIRCode, restype, argtypes: Sequence) -> None:
        self.symbol = symbol
        self.code = code
        self.restype = types.void if restype is None else restype
        self.argtypes = tuple(argtypes)
        type_callable(self)(self._typer)
        lower_builtin(self, types.VarArg(types.Any))(self._lower)

    def __repr__(self) -> str:
        params = ", ".join(map(str, self.argtypes))
        return f"ExternFunction({self.symbol}({params}) -> {self.restype})"

    def __call__(self, *args):
        raise TypeError(f"{self!r} can only be called inside a CUDA kernel or device function.")

    def _typer(self, context):
        def typer(*args):
            if len(args) != len(self.argtypes):
                params = ", ".join(map(str, self.argtypes))
                raise TypingError(f"{self.symbol}() takes {len(self.argtypes)} arguments ({params}), got {len(args)}")
            for index, (param, arg) in enumerate(zip(self.argtypes, args, strict=True)):
                if not _accepts(param, arg):
                    wanted = (
                        f"an array of {param.dtype} or {param}" if isinstance(param, types.CPointer) else str(param)
                    )
                    raise TypingError(f"{self.symbol}() argument {index} must be {wanted}, got {arg}")
            return self.restype

        # A fixed positional signature, so that Numba does not treat the arguments as *args.
        typer.pysig = inspect.Signature(
            [inspect.Parameter(f"arg{i}", inspect.Parameter.POSITIONAL_ONLY) for i in range(len(self.argtypes))]
        )
        return typer

    def _lower(self, context, builder, sig, args):
        values, arg_types = [], []
        for param, arg, value in zip(self.argtypes, sig.args, args, strict=True):
            if isinstance(param, (types.Number, types.Boolean)):
                values.append(context.cast(builder, value, arg, param))
                arg_types.append(param)
            else:
                values.append(value)
                arg_types.append(arg if isinstance(arg, types.Array) else param)
        result = call_extern(context, builder, self.symbol, self.code, self.restype, arg_types, values)
        return context.get_dummy_value() if result is None else result


# --- the link and load steps -------------------------------------------------------------


def _links_nvmath_code(library) -> bool:
    return any(isinstance(item, LTOIRCode) for item in library._linking_files)


def _nvmath_get_cubin(original, self, cc=None):
    if not _links_nvmath_code(self):
        return original(self, cc)
    requested = self._ensure_cc(cc)
    cubin = self._cubin_cache.get(requested)
    if cubin:
        return cubin
    cc = normalize_cc(requested)  # generic sm_XY code, also for (9, 0, "a") devices
    codes = [Code(bytes(self.get_ltoir(cc=cc)), "ltoir", self.name)]
    codes += [code_from_linkable(item, cc) for item in ordered_linkables(self._linking_files)]
    if self.needs_cudadevrt:
        from numba.cuda.cudadrv.libs import get_cudalib

        codes.append(code_from_linkable(get_cudalib("cudadevrt", static=True), cc))
    # numba-cuda works with cuda.core ObjectCode objects (it loads them and disassembles .code)
    cubin = ObjectCode.from_cubin(link(codes, cc=cc, max_registers=self._max_registers), name=self.name)
    self._cubin_cache[requested] = cubin
    self._linkerinfo_cache[requested] = ""
    return cubin


def _allow_large_dynamic_shared_memory(cufunc) -> None:
    """Let launches ask for more than 48 KiB of dynamic shared memory, up to the device's opt-in limit.

    CUDA requires a per-kernel opt-in above 48 KiB, which numba-cuda never makes; cuFFTDx
    descriptors of large sizes need more.
    """
    from cuda.bindings import driver

    device = cufunc.device
    err, limit = driver.cuDeviceGetAttribute(
        driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, device.id
    )
    if err != driver.CUresult.CUDA_SUCCESS:
        return
    attribute = driver.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
    (err,) = driver.cuKernelSetAttribute(attribute, limit - cufunc.attrs.shared, cufunc.handle, device.id)
    check_driver(err, f"cuKernelSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES) for {cufunc.name}")


def _nvmath_get_cufunc(original, self):
    if not _links_nvmath_code(self):
        return original(self)
    from numba.cuda.cudadrv import devices

    first_load = devices.get_context().device.id not in self._cufunc_cache
    cufunc = original(self)
    if first_load:
        _allow_large_dynamic_shared_memory(cufunc)
    return cufunc


@functools.cache
def install_hooks() -> None:
    """Route the link and load steps of kernels that use nvmath code through nvmath.

    numba-cuda offers no hook for these steps (this is the one place where nvmath patches
    numba-cuda's private API), so ``CUDACodeLibrary.get_cubin`` and ``get_cufunc`` are wrapped;
    code libraries that link no :class:`LTOIRCode` take numba-cuda's own path unchanged. For
    those that do:

    - the link goes through :func:`nvmath.compile.link` (cached on disk, unused globals dropped);
    - the loaded kernel may use the device's whole opt-in dynamic shared memory.

    Called when this module is imported; calling it again does nothing.
    """
    from numba.cuda.codegen import CUDACodeLibrary

    original_get_cubin = CUDACodeLibrary.get_cubin
    original_get_cufunc = CUDACodeLibrary.get_cufunc

    @functools.wraps(original_get_cubin)
    def get_cubin(self, cc=None):
        return _nvmath_get_cubin(original_get_cubin, self, cc)

    @functools.wraps(original_get_cufunc)
    def get_cufunc(self):
        return _nvmath_get_cufunc(original_get_cufunc, self)

    CUDACodeLibrary.get_cubin = get_cubin
    CUDACodeLibrary.get_cufunc = get_cufunc
    _install_argument_hook()


def _install_argument_hook() -> None:
    """Let kernel arguments of Numba types with a ``kernel_argument(value)`` method pass what it returns.

    numba-cuda marshals only the argument kinds it knows (unless every kernel is given
    ``extensions=``), so ``_Kernel._prepare_args`` is wrapped; arguments of other types take
    numba-cuda's own path unchanged. :class:`nvmath.device.DevicePipeline` passes its state's
    address this way.
    """
    from numba.cuda.dispatcher import _Kernel

    original = _Kernel._prepare_args

    @functools.wraps(original)
    def _prepare_args(self, ty, val, stream, retr, kernelargs):
        convert = getattr(ty, "kernel_argument", None)
        if convert is None:
            return original(self, ty, val, stream, retr, kernelargs)
        kernelargs.append(convert(val))

    _Kernel._prepare_args = _prepare_args


def compiling_a_kernel() -> bool:
    """Whether the function being lowered is a kernel (its array parameters are global memory).

    Lowering does not say; the innermost ``numba.cuda.compiler.compile_cuda`` on the stack does,
    through its caller: ``numba.cuda.compile*(..., device=False)`` or a ``@cuda.jit`` kernel
    (``_Kernel``), or a device function (then a parameter may be a caller's local array, and
    it is not checked). Frames of numba-cuda's compile-lock wrappers are skipped. It reads
    numba-cuda 0.30's private call structure (this module is the one place that does): when
    that changes, it answers False and kernel parameters simply go unchecked.

    Example:
        >>> compiling_a_kernel()  # outside any compile
        False
    """
    from numba.cuda import compiler, dispatcher

    def skip_wrappers(frame):
        while frame is not None and frame.f_code.co_name in ("_acquire_compile_lock", "wrapper", "_inner"):
            frame = frame.f_back
        return frame

    frame = sys._getframe(1)
    while frame is not None and not (
        frame.f_code.co_name == "compile_cuda" and frame.f_code.co_filename == compiler.__file__
    ):
        frame = frame.f_back
    caller = skip_wrappers(frame.f_back) if frame is not None else None
    if caller is None:
        return False
    if caller.f_code.co_name == "_compile_pyfunc_with_fixup" and caller.f_code.co_filename == compiler.__file__:
        return caller.f_locals.get("device") is False
    return caller.f_code.co_name == "__init__" and isinstance(caller.f_locals.get("self"), dispatcher._Kernel)


install_hooks()


# --- GPU-less compilation -----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CompiledKernel:
    """A kernel linked into a cubin without a GPU.

    Attributes:
        name: the kernel's Python name.
        cc: the compute capability it was linked for.
        cubin: the linked cubin.
        linked: the names of the code objects linked: the kernel's LTO-IR first, then what it
            calls (e.g. the cuFFTDx device functions' symbols).

    Example:
        >>> compiled = compile_kernel(kernel, [types.float32[::1]], cc=(9, 0))  # doctest: +SKIP
        >>> compiled.sass_counts()  # doctest: +SKIP
        {'CALL': 0, 'LDL': 0, 'STL': 0}
    """

    name: str
    cc: tuple[int, int]
    cubin: bytes
    linked: tuple[str, ...] = ()

    def sass(self) -> str:
        """Return the SASS text (``cuobjdump -sass``)."""
        from nvmath.compile.sass import disassemble

        return disassemble(self.cubin)

    def resource_usage(self) -> dict[str, dict[str, int]]:
        """Return registers, stack, shared and local memory per function."""
        from nvmath.compile.sass import resource_usage

        return resource_usage(self.cubin)

    def sass_counts(self) -> dict[str, int]:
        """Return the number of ``CALL``, ``LDL`` and ``STL`` instructions (0 when fully inlined, no spills)."""
        from nvmath.compile.sass import calls_and_local_memory

        return calls_and_local_memory(self.cubin)


def compile_kernel(pyfunc, argtypes: Sequence, *, cc, fastmath: bool = False) -> CompiledKernel:
    """Compile a Python kernel and link it (with the nvmath code it calls) into a cubin; no GPU needed.

    Args:
        pyfunc: the kernel as a plain Python function (or a ``cuda.jit`` dispatcher).
        argtypes: the Numba types of its arguments, e.g. ``[types.complex64[::1]]``.
        cc: compute capability, e.g. ``(9, 0)``.
        fastmath: allow fast-math transformations.

    Example:
        >>> from numba import cuda, types
        >>> def kernel(x):
        ...     x[cuda.grid(1)] *= 2
        >>> compile_kernel(kernel, [types.float32[::1]], cc=(9, 0)).cubin[:4]
        b'\\x7fELF'
    """
    pyfunc = getattr(pyfunc, "py_func", pyfunc)
    cc = normalize_cc(cc)
    with _target_device_without_gpu(cc):
        codes = compile_kernel_ltoir(pyfunc, argtypes, cc=cc, fastmath=fastmath)
    return CompiledKernel(pyfunc.__qualname__, cc, link(codes, cc=cc), tuple(code.name for code in codes))


@contextlib.contextmanager
def _target_device_without_gpu(cc):
    """Without a GPU, make numba-cuda's "current device" report ``cc`` while a kernel compiles.

    numba-cuda compiles some helpers (behind ``array.view``, for one) for the current device,
    which fails when there is no driver. With a GPU present nothing is changed.
    """
    from nvmath._gpu import gpu_count

    if gpu_count() > 0:
        yield
        return
    import numba.cuda.dispatcher as dispatcher

    original = dispatcher.get_current_device
    dispatcher.get_current_device = lambda: types_namespace(compute_capability=cc)
    try:
        yield
    finally:
        dispatcher.get_current_device = original
