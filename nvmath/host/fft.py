"""FFTs of NumPy, CuPy and PyTorch arrays through cuFFT: the stateless functions and :class:`FFT`.

``fft`` / ``ifft`` (C2C), ``rfft`` (R2C) and ``irfft`` (C2R) transform up to 3 axes of an operand,
batched over the others. The result belongs to the operand's package and device; NumPy arrays
and CPU tensors are copied to the GPU and back, and those calls block. Inverse transforms are
not normalised (as in cuFFT): ``ifft(fft(x)) == x * n``; fuse a scaling epilog if needed.

The stateless functions plan, execute and free every time (they never cache plans). For
repeated transforms use :class:`FFT` (plan once, :meth:`FFT.execute` many times, swap data with
:meth:`FFT.reset_operand`) or :class:`nvmath.fft.PlanCache`.

``execution='cpu'`` (or :class:`~nvmath.fft.ExecutionCPU`) runs the transform on the host
through Intel oneMKL instead (:mod:`nvmath.host.cpu_fft`; ``pip install 'nvmath[cpu]'``): NumPy
arrays and CPU tensors only, no GPU needed.

Example:
    >>> import cupy as cp  # doctest: +SKIP
    >>> import nvmath
    >>> x = cp.random.rand(8, 1024).astype(cp.complex64)  # doctest: +SKIP
    >>> y = nvmath.fft.fft(x, axes=(-1,))  # doctest: +SKIP
    >>> with nvmath.fft.FFT(x, axes=(-1,)) as f:  # doctest: +SKIP
    ...     f.plan()
    ...     y = f.execute()
"""

from __future__ import annotations

import ctypes
import logging
import math
import time

from nvmath._gpu import NoGPUError
from nvmath._logging import get_logger
from nvmath.bindings import cufft
from nvmath.bindings.library_types import data_type
from nvmath.host import cpu_fft, devices, streams
from nvmath.host import operands as _ops
from nvmath.host.fft_callbacks import check_callback, resolve_callback
from nvmath.host.fft_layout import (
    COMPLEX_OF,
    FFTLayout,
    check_dtype,
    check_half_sizes,
    normalize_axes,
    plan_layout,
    result_dtype,
)
from nvmath.host.memory import allocate, default_memory_manager
from nvmath.host.options import (
    ExecutionCPU,
    ExecutionCUDA,
    FFTDirection,
    FFTOptions,
    parse_direction,
    parse_execution,
    parse_fft_options,
    parse_fft_options_shared,
)
from nvmath.host.planned import Freeable, Lifetime, PlanFreedError, PlanStream, ResultPool, Workspace

__all__ = ["FFT", "FFTDirection", "fft", "ifft", "irfft", "rfft"]

_C_DIRECTIONS = {"forward": ctypes.c_int(-1), "inverse": ctypes.c_int(1)}  # cufftXtExec's direction


class FFTFreedError(PlanFreedError):
    """An :class:`FFT` was used after :meth:`FFT.free`."""


def _device_for(op: _ops.Operand, execution: ExecutionCUDA, options: FFTOptions) -> int:
    wanted = execution.device_id if execution.device_id is not None else options.device_id
    if op.on_host:
        return 0 if wanted is None else wanted
    if wanted is not None and wanted != op.device_id:
        raise ValueError(
            f"The operand is on cuda:{op.device_id} but execution/options ask for device_id={wanted}: GPU operands "
            "are transformed on their own device (leave device_id None or move the operand)."
        )
    return op.device_id


def _input_strides(op: _ops.Operand, fft_type: str) -> tuple[tuple[int, ...], bool]:
    """The layout the transform reads, and whether the operand is first copied into it.

    Host operands are copied to a dense device buffer (their own order if dense, else C order).
    GPU C2R operands are copied to a dense buffer of the same order, because cuFFT's C2R
    overwrites its input.
    """
    if op.on_host:
        if _ops.is_dense(op.shape, op.strides) and all(s > 0 for s in op.strides):
            return op.strides, True
        return _ops.c_strides(op.shape), True
    if fft_type == "C2R":
        return _ops.dense_strides_like(op.shape, op.strides), True
    return op.strides, False


def _resolve_fft_type(options: FFTOptions, op: _ops.Operand) -> str:
    if options.fft_type is not None:
        return options.fft_type
    return "C2C" if (op.dtype.startswith("complex")) else "R2C"


class FFT(Freeable):
    """A planned cuFFT transform of one operand layout, executed as often as needed.

    Args:
        operand: a NumPy/CuPy array or PyTorch tensor; later executions may use another
            operand of the same package, device, dtype, shape and strides
            (:meth:`reset_operand`).
        axes: up to 3 axes to transform (None: all, for up to 3-D operands). The last one is
            the halved axis of R2C/C2R.
        options: :class:`FFTOptions` or a dict with its keys; ``fft_type`` defaults to C2C for
            complex operands and R2C for real ones (C2R must be asked for).
        execution: ``'cuda'``, ``ExecutionCUDA(device_id)``, ``'cpu'``,
            ``ExecutionCPU(num_threads)`` or a dict with a ``'name'`` key; None means CUDA.
            The CPU runs NumPy arrays and CPU tensors through MKL, without a GPU.
        stream: the stream of planning and execution: an int handle, CuPy/PyTorch/cuda.core
            stream; None: the operand package's current stream (captured now). Must be None
            for ``execution='cpu'``.

    Example:
        >>> import cupy as cp  # doctest: +SKIP
        >>> a = cp.ones((4, 64), cp.complex64)  # doctest: +SKIP
        >>> with FFT(a, axes=(-1,)) as f:  # doctest: +SKIP
        ...     f.plan()
        ...     b = f.execute()
        ...     c = f.execute(direction="inverse")
    """

    def __init__(self, operand, /, *, axes=None, options=None, execution=None, stream=None, _function=None,
                 _fft_type=None):  # fmt: skip
        self._exec_fn = None  # planned and has an operand; None means "not ready" in execute's one check
        self._planned_fn = None
        self._cpu = None  # the CPU execution space's CPUTransform (execution='cpu')
        self._cpu_ready = None  # the CPUTransform once planned and with an operand
        self._cpu_planned = False
        self._life = Lifetime("FFT", FFTFreedError)
        self._handle = None
        self._workspace = None
        self._buffers = []
        self._callbacks = ()
        options = parse_fft_options(options)
        execution = parse_execution(execution)
        self.options = options
        self.logger = get_logger(options.logger)
        op = _ops.wrap_operand(operand)
        fft_type = _fft_type or _resolve_fft_type(options, op)
        check_dtype(fft_type, op.dtype, op.package, _function)
        on_cpu = isinstance(execution, ExecutionCPU)
        if on_cpu:
            cpu_fft.check_cpu_operand(op)
            _check_cpu_stream(stream)
            device_id = None
        else:
            device_id = _device_for(op, execution, options)
        _check_axes(axes)
        in_strides, staged = _input_strides(op, fft_type)
        layout = plan_layout(
            op.shape,
            in_strides,
            axes=axes,
            fft_type=fft_type,
            last_axis_parity=options.last_axis_parity,
            result_layout=options.result_layout,
            inplace=options.inplace,
        )
        check_half_sizes(layout, op.dtype)
        self.fft_type = fft_type
        self.layout: FFTLayout = layout
        self.device_id = device_id
        self.operand_dtype = op.dtype
        self.result_dtype = result_dtype(fft_type, op.dtype)
        self._package = op.package
        self._on_host = op.on_host
        self._staged = staged
        self._inplace = options.inplace
        self._blocking = options.blocking is True or op.on_host
        self._operand = op
        self._default_direction = "inverse" if fft_type == "C2R" else "forward"
        reuse = op.package == "cupy" and not op.on_host
        self._results = ResultPool(op.package, layout.result_shape, layout.result_strides, self.result_dtype, device_id,
                                   reuse=reuse)  # fmt: skip
        self.execution = execution
        if on_cpu:
            self._cpu = cpu_fft.CPUTransform(layout, op, inplace=options.inplace, num_threads=execution.num_threads,
                                             logger=self.logger)  # fmt: skip
            if self.logger.isEnabledFor(logging.DEBUG):
                self.logger.debug("FFT operand: %s; CPU (MKL); layout: %s", op.describe(), layout.describe())
            return

        if stream is not None:  # its kind, before NoGPUError (resolving it needs no GPU)
            streams.stream_handle(stream, package="host", device_id=0)
        # ---- GPU work starts here ------------------------------------------------------------
        _ensure_gpu_for(op, device_id)
        self._ctx = devices.primary_context(device_id)
        self._check_ctx = devices.device_count() > 1
        with devices.device_scope(device_id):
            self._stream = PlanStream(stream, package=op.stream_package, device_id=device_id)
            self._allocator = options.allocator or _default_manager(op, device_id)
            self._workspace = Workspace(self._allocator)
            self._make_buffers()
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug(
                "FFT operand: %s; device %d, stream %#x; layout: %s",
                op.describe(), device_id, self._stream.handle, layout.describe(),
            )  # fmt: skip

    # ------------------------------------------------------------------------------------------
    # Buffers
    # ------------------------------------------------------------------------------------------

    def _make_buffers(self) -> None:
        """Device buffers the transform reads/writes when it does not use the operand directly."""
        lay = self.layout
        self._in_buffer = self._out_buffer = self._scratch = None
        if self._on_host:
            in_bytes = math.prod(lay.input_shape) * _ops.ITEMSIZE[self.operand_dtype]
            self._in_buffer = allocate(self._allocator, in_bytes, self._stream.handle)
            self._buffers.append(self._in_buffer)
            if not self._inplace:
                out_bytes = math.prod(lay.result_shape) * _ops.ITEMSIZE[self.result_dtype]
                self._out_buffer = allocate(self._allocator, out_bytes, self._stream.handle)
                self._buffers.append(self._out_buffer)
        elif self._staged:  # GPU C2R: a scratch copy of the operand, of the operand's package
            self._scratch = _ops.empty_like_package(
                self._package, lay.input_shape, lay.input_strides, self.operand_dtype, self.device_id,
                self._stream.handle,
            )  # fmt: skip

    def _input_pointer(self) -> int:
        if self._on_host:
            return self._in_buffer[0].device_ptr
        if self._scratch is not None:
            return _ops.data_pointer(self._scratch)
        return self._operand.data_ptr

    # ------------------------------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------------------------------

    def plan(self, *, prolog=None, epilog=None, stream=None) -> None:
        """Create the cuFFT plan (with optional LTO callbacks) and its workspace.

        Args:
            prolog: ``{'ltoir': bytes, 'data': ptr_or_gpu_array}`` or a
                :class:`~nvmath.fft.DeviceCallable` from :func:`~nvmath.fft.compile_prolog`.
            epilog: likewise, from :func:`~nvmath.fft.compile_epilog`.
            stream: the stream to plan on and execute on from now on.

        Example:
            >>> f.plan(epilog={"ltoir": ltoir, "data": filter_array})  # doctest: +SKIP
        """
        self._life.check()
        if self._operand is None:
            raise RuntimeError("This FFT has no operand (reset_operand(None) was called): call reset_operand(operand).")
        if self._cpu is not None:
            cpu_fft.check_no_callbacks(prolog, epilog)
            _check_cpu_stream(stream)
            self._cpu.plan(self._default_direction)
            self._cpu_planned = True
            self._cpu_ready = self._cpu
            return
        callbacks = tuple(
            cb
            for cb in (
                resolve_callback("prolog", prolog, self.operand_dtype),
                resolve_callback("epilog", epilog, self.result_dtype),
            )
            if cb is not None
        )
        with devices.device_scope(self.device_id):
            if stream is not None:
                self._stream.switch(stream)
            if self._handle is not None:
                self._exec_fn = self._planned_fn = None
                self._workspace.release(self._stream.handle)
                self._destroy_plan()
            lib = cufft.library()
            if callbacks and not cufft.jit_callback_supported():
                raise RuntimeError(
                    f"The loaded cuFFT {cufft.get_version()} does not support LTO callbacks (prolog/epilog): they "
                    "need cuFFT 11.3 or newer (pip install nvidia-cufft)."
                )
            start = time.perf_counter()
            handle = cufft.create()
            self._handle = handle
            cufft.set_auto_allocation(handle, False)
            for cb in callbacks:
                cufft.xt_set_jit_callback(handle, cb.symbol, cb.ltoir, cb.cb_type, [cb.data_ptr])
            lay = self.layout
            in_type = data_type(self.operand_dtype)
            out_type = data_type(self.result_dtype)
            exec_type = data_type(COMPLEX_OF.get(self.operand_dtype, self.operand_dtype))
            try:
                work_size = cufft.xt_make_plan_many(
                    handle, lay.rank, list(lay.n), list(lay.inembed), lay.istride, lay.idist, in_type,
                    list(lay.onembed), lay.ostride, lay.odist, out_type, lay.batch, exec_type,
                )  # fmt: skip
            except cufft.cuFFTError as exc:
                self._destroy_plan()
                hint = ""
                if callbacks:
                    hint = " (with LTO callbacks: check that the callback was compiled for this GPU and element type)"
                raise cufft.cuFFTError(exc.status, f"cufftXtMakePlanMany for {lay.describe()}{hint}") from None
            cufft.set_stream(handle, self._stream.handle)
            self._workspace.size = work_size
            self._allocate_workspace()
            elapsed = time.perf_counter() - start
        self._callbacks = callbacks
        self._planned_fn = self._exec_fn = lib.cufftXtExec
        self._c_handle = ctypes.c_int(handle)
        self._c_default_dir = _C_DIRECTIONS[self._default_direction]
        self._c_in = ctypes.c_void_p(self._input_pointer())
        self._c_out_fixed = self._fixed_output_pointer()
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info(
                "cuFFT plan %s created in %.3f ms (workspace %d bytes%s)",
                lay.describe(), elapsed * 1e3, work_size,
                ", callbacks: " + ", ".join(cb.phase for cb in callbacks) if callbacks else "",
            )  # fmt: skip
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug(
                "cuFFT plan handle %d: input %#x, workspace %#x, stream %#x",
                handle, self._c_in.value or 0, self._workspace.pointer, self._stream.handle,
            )  # fmt: skip

    def _fixed_output_pointer(self):
        if self._inplace:
            return self._c_in
        if self._on_host:
            return ctypes.c_void_p(self._out_buffer[0].device_ptr)
        return None  # a new result array per execution

    def _allocate_workspace(self) -> None:
        if self._workspace.size > 0:
            cufft.set_work_area(self._handle, self._workspace.ensure(self._workspace.size, self._stream.handle))

    # ------------------------------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------------------------------

    def execute(self, *, direction: str | FFTDirection | None = None, stream=None, release_workspace: bool = False):
        """Run the planned transform and return the result.

        Args:
            direction: :class:`FFTDirection` ``FORWARD`` / ``INVERSE`` or ``'forward'`` /
                ``'inverse'`` for C2C (default forward); R2C is always forward and C2R always
                inverse.
            stream: run on this stream from now on (None: the plan's stream; must be None on
                the CPU).
            release_workspace: give the workspace back to the allocator after this execution
                (it is allocated again by the next one).

        Returns:
            The result, an array of the operand's package on its device (NumPy/CPU operands: a
            host array). In-place transforms return the operand. For CuPy operands the
            previous result array is reused when the caller no longer references it.

        Example:
            >>> y = f.execute()  # doctest: +SKIP
            >>> x2 = f.execute(direction=FFTDirection.INVERSE)  # doctest: +SKIP
        """
        if release_workspace is not False and release_workspace is not True:  # the one check: two `is`
            _bad_release_workspace(release_workspace)
        cpu = self._cpu_ready
        if cpu is not None:
            if stream is not None:
                _check_cpu_stream(stream)
            return cpu.execute(self._default_direction if direction is None else self._direction_name(direction))
        exec_fn = self._exec_fn
        if exec_fn is None:
            self._raise_not_ready()
        c_dir = self._c_default_dir if direction is None else self._direction_arg(direction)
        if stream is not None:
            self._switch_stream(stream)
        if self._workspace.size and not self._workspace.allocated:
            self._allocate_workspace()
        if self._check_ctx:
            with devices.device_scope(self.device_id):
                result = self._run(exec_fn, c_dir)
        else:
            result = self._run(exec_fn, c_dir)
        if release_workspace:
            self._workspace.release(self._stream.handle)
        return result

    def _run(self, exec_fn, c_dir):
        if self._staged:
            return self._run_staged(exec_fn, c_dir)
        c_out = self._c_out_fixed
        if c_out is None:
            result = self._new_result()
            c_out = ctypes.c_void_p(_ops.data_pointer(result))
        else:
            result = self._operand.obj
        status = exec_fn(self._c_handle, self._c_in, c_out, c_dir)
        if status:
            self._raise_exec(status)
        if self._blocking:
            streams.synchronize(self._stream.handle)
        return result

    def _new_result(self):
        return self._results.new(self._stream.handle)

    def _run_staged(self, exec_fn, c_dir):
        op = self._operand
        lay = self.layout
        stream = self._stream.handle
        if self._scratch is not None:  # GPU C2R: keep the operand intact
            _ops.copy_array(self._scratch, op.obj, stream)
            result = self._new_result()
            status = exec_fn(self._c_handle, self._c_in, ctypes.c_void_p(_ops.data_pointer(result)), c_dir)
            if status:
                self._raise_exec(status)
            if self._blocking:
                streams.synchronize(stream)
            return result
        # Host operand: copy in, transform, copy out, wait.
        source = op
        if op.strides != lay.input_strides:
            dense = _ops.empty_like_package(op.package, op.shape, lay.input_strides, op.dtype, None)
            dense[...] = op.obj
            source = _ops.wrap_operand(dense)
        in_bytes = math.prod(lay.input_shape) * _ops.ITEMSIZE[self.operand_dtype]
        _ops.host_to_device(self._in_buffer[0].device_ptr, source, in_bytes, stream)
        status = exec_fn(self._c_handle, self._c_in, self._c_out_fixed, c_dir)
        if status:
            self._raise_exec(status)
        out_strides = lay.input_strides if self._inplace else lay.result_strides
        result = _ops.empty_like_package(op.package, lay.result_shape, out_strides, self.result_dtype, None)
        out_bytes = math.prod(lay.result_shape) * _ops.ITEMSIZE[self.result_dtype]
        _ops.device_to_host(_ops.data_pointer(result), self._c_out_fixed.value, out_bytes, stream)
        streams.synchronize(stream)
        del source
        if self._inplace:
            op.obj[...] = result
            return op.obj
        return result

    def _direction_arg(self, direction):
        return _C_DIRECTIONS[self._direction_name(direction)]

    def _direction_name(self, direction) -> str:
        """``'forward'`` / ``'inverse'`` for a direction argument, checked against the FFT type."""
        name = direction if direction.__class__ is str and direction in _C_DIRECTIONS else None
        if name is None:
            try:
                name = parse_direction(direction)
            except ValueError:
                name = None
        if name is None or (self.fft_type != "C2C" and name != self._default_direction):
            allowed = ("forward", "inverse") if self.fft_type == "C2C" else (self._default_direction,)
            raise ValueError(
                f"Argument 'direction' = {direction!r} is not supported for a {self.fft_type} FFT: allowed values "
                f"are {', '.join(repr(a) for a in allowed)}, the FFTDirection members (or None)."
            )
        return name

    def _raise_exec(self, status: int):
        raise cufft.cuFFTError(status, f"cufftXtExec for {self.layout.describe()}")

    def _raise_not_ready(self):
        self._life.check()
        if self._operand is None:
            raise RuntimeError("This FFT has no operand (reset_operand(None) was called): call reset_operand(operand).")
        raise RuntimeError("This FFT is not planned yet: call plan() before execute().")

    # ------------------------------------------------------------------------------------------
    # Streams and operands
    # ------------------------------------------------------------------------------------------

    def _switch_stream(self, stream) -> None:
        if self._stream.switch(stream) and self._handle is not None:
            cufft.set_stream(self._handle, self._stream.handle)

    def reset_operand(self, operand=None, *, stream=None) -> None:
        """Use ``operand`` in the next executions (same package, device, dtype, shape and strides).

        ``None`` drops the reference to the current operand (execute then raises until a new
        one is given). Host operands need only the same shape and dtype.

        Raises:
            ValueError / TypeError: naming what differs from the planned operand.

        Example:
            >>> f.reset_operand(b)  # doctest: +SKIP
            >>> y = f.execute()  # doctest: +SKIP
        """
        self._life.check()
        if operand is None:
            self.release_operand()
            return
        self._reset_wrapped(_ops.wrap_operand(operand), stream)

    def release_operand(self) -> None:
        """Drop this FFT's reference to the user's operand (and to nothing else) between uses.

        The plan stays; :meth:`execute` raises until :meth:`reset_operand` gives a new operand.
        GPU work already queued still reads the old operand: keep it alive until then.

        Example:
            >>> f.release_operand()  # doctest: +SKIP
            >>> f.reset_operand(b)  # doctest: +SKIP
        """
        self._life.check()
        self._operand = None
        self._exec_fn = None
        self._cpu_ready = None
        if self._cpu is not None:
            self._cpu.release()

    def reset_operand_unchecked(self, operand, *, stream=None) -> None:
        """:meth:`reset_operand` without the checks: ``operand`` must have the planned operand's
        package, device, dtype, shape and strides (otherwise results are wrong or memory is
        read out of bounds). For hot loops where the caller guarantees the layout.

        Example:
            >>> f.reset_operand_unchecked(b)  # doctest: +SKIP
        """
        self._life.check()
        self._use(_ops.wrap_operand(operand))
        if stream is not None:
            if self._cpu is not None:
                _check_cpu_stream(stream)
            self._switch_stream(stream)

    def get_input_layout(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The (shape, strides in elements) of the data the transform reads.

        Example:
            >>> FFT(np.ones((4, 8), np.complex64), execution="cpu").get_input_layout()  # doctest: +SKIP
            ((4, 8), (8, 1))
        """
        if self._cpu is not None and not self._cpu.staged:
            return self.layout.input_shape, self._cpu.strides
        return self.layout.input_shape, self.layout.input_strides

    def get_output_layout(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The (shape, strides in elements) of the result (the operand's for in-place transforms).

        Example:
            >>> FFT(np.ones((4, 8), np.float32), execution="cpu").get_output_layout()  # doctest: +SKIP
            ((4, 5), (5, 1))
        """
        if self._inplace:
            return self.get_input_layout()
        return self.layout.result_shape, self.layout.result_strides

    def _reset_wrapped(self, op: _ops.Operand, stream=None) -> None:
        lay = self.layout
        expected_pkg = self._package
        if op.package != expected_pkg or op.on_host != self._on_host:
            where = "host" if self._on_host else "GPU"
            raise TypeError(
                f"The new operand is a {op.describe()}; this FFT was planned for a {expected_pkg} {where} operand."
            )
        if not op.on_host and op.device_id != self.device_id:
            raise ValueError(f"The new operand is on cuda:{op.device_id}; this FFT runs on cuda:{self.device_id}.")
        if op.dtype != self.operand_dtype:
            raise TypeError(f"The new operand's dtype is {op.dtype}; this FFT was planned for {self.operand_dtype}.")
        if op.shape != lay.input_shape:
            raise ValueError(
                f"The new operand's shape is {op.shape}; this FFT was planned for shape {lay.input_shape}."
            )
        if self._cpu is not None:
            if stream is not None:
                _check_cpu_stream(stream)
            self._cpu.check_strides(op)
        elif not self._staged and op.strides != lay.input_strides:
            raise ValueError(
                f"The new operand's strides are {op.strides} (elements); this FFT was planned for strides "
                f"{lay.input_strides}: pass an operand with the same layout or create a new FFT."
            )
        self._use(op)
        if stream is not None:
            self._switch_stream(stream)

    def _use(self, op: _ops.Operand) -> None:
        """Read ``op`` (already checked against the plan) in the next executions."""
        self._operand = op
        if self._cpu is not None:
            self._cpu.use(op)
            self._cpu_ready = self._cpu if self._cpu_planned else None
            return
        self._exec_fn = self._planned_fn
        if self._handle is not None and not self._staged:
            self._c_in = ctypes.c_void_p(op.data_ptr)
            if self._inplace:
                self._c_out_fixed = self._c_in

    def _reset_wrapped_if_alive(self, op: _ops.Operand) -> bool:
        """:meth:`reset_operand` for :class:`~nvmath.fft.PlanCache`: False (and nothing done) if freed."""
        if self._life.freed:
            return False
        self._reset_wrapped(op)
        return True

    def _point_at(self, obj) -> bool:
        """Read ``obj`` in the next executions: a CuPy array or CUDA tensor that the caller knows
        has the planned operand's type, device, dtype, shape and strides (PlanCache's fast path).
        False (and nothing done) if this FFT is freed or has no operand."""
        old = self._operand
        if old is None or self._life.freed:
            return False
        self._use(_ops.Operand(obj, old.package, old.shape, old.strides, old.dtype, old.itemsize, old.device_id,
                               _ops.data_pointer(obj)))  # fmt: skip
        return True

    # ------------------------------------------------------------------------------------------
    # Lifetime
    # ------------------------------------------------------------------------------------------

    def _destroy_plan(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            cufft.destroy(handle)

    def free(self) -> None:
        """Destroy the plan and give back the workspace and buffers. Idempotent.

        Example:
            >>> f.free()  # doctest: +SKIP
        """
        if not self._life.end():
            return
        self._exec_fn = self._planned_fn = None
        self._cpu_ready = None
        try:
            if self._cpu is not None:
                self._cpu.free()
            elif self._handle is not None:
                with devices.device_scope(self.device_id):
                    self._workspace.release(self._stream.handle)
                    self._destroy_plan()
                    for pointer, ordered in self._buffers:
                        if not ordered:
                            streams.synchronize(self._stream.handle)
                        pointer.free()
            else:
                for pointer, _ordered in self._buffers:
                    pointer.free()
        finally:
            self._buffers = []
            self._operand = None
            self._scratch = None
            self._results.clear()
            self._callbacks = ()

    # ------------------------------------------------------------------------------------------
    # Keys
    # ------------------------------------------------------------------------------------------

    @staticmethod
    def create_key(operand, *, axes=None, options=None, execution=None, prolog=None, epilog=None) -> tuple:
        """A hashable key: equal keys mean the same plan fits (package, device, dtype, layout, options, callbacks).

        Needs no GPU. Used by :class:`nvmath.fft.PlanCache`.

        Example:
            >>> import numpy as np
            >>> FFT.create_key(np.ones(8, np.complex64)) == FFT.create_key(np.zeros(8, np.complex64))
            True
        """
        return _create_key(_ops.wrap_operand(operand), axes, parse_fft_options(options), parse_execution(execution),
                           prolog, epilog)  # fmt: skip


def _create_key(op: _ops.Operand, axes, options: FFTOptions, execution, prolog, epilog) -> tuple:
    _check_axes(axes)
    fft_type = _resolve_fft_type(options, op)
    in_strides, _ = _input_strides(op, fft_type)
    if isinstance(execution, ExecutionCPU):  # MKL reads the operand's own strides; no device
        cpu_fft.check_cpu_operand(op)
        cpu_fft.check_no_callbacks(prolog, epilog)
        return (
            op.package, True, None, op.dtype, op.shape, op.strides, normalize_axes(axes, len(op.shape)), fft_type,
            options.key(), ("cpu", execution.num_threads), id(options.logger) if options.logger is not None else None,
        )  # fmt: skip
    device = _device_for(op, execution, options)
    callbacks = []
    for phase, cb, dtype in (("prolog", prolog, op.dtype), ("epilog", epilog, None)):
        if cb is not None:
            resolved = resolve_callback(phase, cb, dtype or _safe_result_dtype(fft_type, op.dtype))
            callbacks.append(resolved.key())
    return (
        op.package,
        op.on_host,
        device,
        op.dtype,
        op.shape,
        in_strides,
        normalize_axes(axes, len(op.shape)),
        fft_type,
        options.key(),
        options.blocking,
        id(options.allocator) if options.allocator is not None else None,
        id(options.logger) if options.logger is not None else None,
        tuple(callbacks),
    )


def _safe_result_dtype(fft_type: str, dtype: str) -> str:
    try:
        return result_dtype(fft_type, dtype)
    except KeyError:
        return dtype


def _check_axes(axes) -> None:
    """``axes`` must be None, an int or a list / tuple (ordered: a set's order is arbitrary)."""
    if axes is None or type(axes) is tuple or type(axes) is list:
        return
    if isinstance(axes, (tuple, list)) or (isinstance(axes, int) and not isinstance(axes, bool)):
        return
    text = repr(axes)
    text = text if len(text) <= 60 else text[:57] + "..."
    raise TypeError(
        f"Argument 'axes' = {text} must be None, an int or a list / tuple of ints (in the order to transform), "
        f"not {type(axes).__name__}."
    )


def _bad_release_workspace(value) -> None:
    raise TypeError(f"Argument 'release_workspace' = {value!r} must be a bool (True or False).")


def _ensure_gpu_for(op: _ops.Operand, device_id: int, what: str = "nvmath.fft") -> None:
    """Raise :class:`~nvmath.host.devices.NoGPUError` unless ``device_id`` is usable for ``op``'s transform.

    For host operands the message points at ``execution='cpu'``.

    Example:
        >>> _ensure_gpu_for(_ops.wrap_operand(np.ones(8, np.complex64)), 0)  # doctest: +SKIP
    """
    try:
        devices.ensure_gpu(device_id, what)
    except NoGPUError as exc:
        if not op.on_host:
            raise
        raise NoGPUError(
            f"{exc} For NumPy arrays and CPU tensors, execution='cpu' runs the FFT on the host without a GPU "
            "(pip install 'nvmath[cpu]')."
        ) from None


def _check_cpu_stream(stream) -> None:
    if stream is not None:
        raise ValueError(
            f"Argument 'stream' = {stream!r} has no meaning for execution='cpu' (MKL runs on host threads and "
            "returns when the result is ready): leave it None."
        )


def _default_manager(op: _ops.Operand, device_id: int):
    return default_memory_manager(op.stream_package, device_id)


# --------------------------------------------------------------------------------------------
# Stateless functions
# --------------------------------------------------------------------------------------------


def _stateless(fft_type, direction, function, operand, axes, options, execution, prolog, epilog, stream):
    direction = parse_direction(direction)  # checked before any work
    check_callback("prolog", prolog)  # their form, before NoGPUError; the plan checks them against the layout
    check_callback("epilog", epilog)
    options = parse_fft_options_shared(options)  # the plan is internal: parsed dicts can be shared
    if options.fft_type not in (None, fft_type):
        raise ValueError(
            f"Option 'fft_type' = {options.fft_type!r} contradicts {function}, which computes a {fft_type} FFT: "
            "leave it None."
        )
    with FFT(operand, axes=axes, options=options, execution=execution, stream=stream, _function=function,
             _fft_type=fft_type) as plan:  # fmt: skip
        plan.plan(prolog=prolog, epilog=epilog)
        return plan.execute(direction=direction)


def fft(operand, /, *, axes=None, direction=None, options=None, execution=None, prolog=None, epilog=None,
        stream=None):  # fmt: skip
    """Forward complex-to-complex FFT over ``axes`` (up to 3), batched over the other axes.

    Args:
        operand: a complex NumPy/CuPy array or PyTorch tensor (complex64, complex128;
            torch.complex32 for power-of-2 lengths). Real operands are an error: use
            :func:`rfft` or pass a complex array.
        axes: the axes to transform; None: all (up to 3-D).
        direction: :class:`FFTDirection` (or ``'forward'`` / ``'inverse'``); None: forward.
        options: :class:`FFTOptions` or a dict.
        execution: ``'cuda'``, ``ExecutionCUDA(device_id)`` (device for host operands),
            ``'cpu'``, ``ExecutionCPU(num_threads)`` (host operands through MKL, no GPU) or a
            dict with a ``'name'`` key; None means CUDA.
        prolog, epilog: LTO callbacks (see :func:`compile_prolog`, :func:`compile_epilog`).
        stream: int handle or CuPy/PyTorch/cuda.core stream; None: the package's current stream.

    Returns:
        The transform, an array of the operand's package on the operand's device.

    Example:
        >>> import numpy as np
        >>> x = np.random.rand(16, 64) + 1j * np.random.rand(16, 64)
        >>> y = fft(x, axes=(-1,))  # doctest: +SKIP
        >>> np.allclose(y, np.fft.fft(x, axis=-1))  # doctest: +SKIP
        True
        >>> y = fft(x, axes=(-1,), execution="cpu")  # doctest: +SKIP
    """
    direction = "forward" if direction is None else direction
    return _stateless("C2C", direction, "fft", operand, axes, options, execution, prolog, epilog, stream)


def ifft(operand, /, *, axes=None, direction=None, options=None, execution=None, prolog=None, epilog=None,
         stream=None):  # fmt: skip
    """Inverse complex-to-complex FFT, not normalised: ``ifft(fft(x)) == x * prod(lengths)``.

    Arguments as :func:`fft`; ``direction`` None means inverse.

    Example:
        >>> x2 = ifft(fft(x)) / x.shape[-1]  # doctest: +SKIP
    """
    direction = "inverse" if direction is None else direction
    return _stateless("C2C", direction, "ifft", operand, axes, options, execution, prolog, epilog, stream)


def rfft(operand, /, *, axes=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
    """Real-to-complex FFT; the last of ``axes`` has ``n // 2 + 1`` elements in the result.

    Args:
        operand: a real array (float32, float64; torch.float16 for power-of-2 lengths).
            Other arguments as :func:`fft`.

    Example:
        >>> import numpy as np
        >>> y = rfft(np.random.rand(8, 100))  # doctest: +SKIP
        >>> y.shape  # doctest: +SKIP
        (8, 51)
    """
    return _stateless("R2C", "forward", "rfft", operand, axes, options, execution, prolog, epilog, stream)


def irfft(operand, /, *, axes=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
    """Complex-to-real inverse FFT, not normalised; the last axis of the result has
    ``2 * (m - 1)`` (``options.last_axis_parity='even'``) or ``2 * m - 1`` (``'odd'``) elements.

    The operand is left unchanged (cuFFT's C2R overwrites its input, so it reads a copy).

    Example:
        >>> x = irfft(rfft(a), options={"last_axis_parity": "odd"})  # doctest: +SKIP
    """
    return _stateless("C2R", "inverse", "irfft", operand, axes, options, execution, prolog, epilog, stream)
