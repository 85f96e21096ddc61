"""An explicit, small LRU cache of planned :class:`~nvmath.fft.FFT` objects.

The stateless functions (:func:`nvmath.fft.fft` ...) never cache plans: planning costs far more
than executing a small transform, and hidden caches hold GPU memory nobody asked for. When the
same transform runs many times on different arrays of one layout, keep a :class:`PlanCache`
and call its methods instead: a hit costs a key computation and an execution.

Keys are :meth:`FFT.create_key` plus the stream, so a plan is only reused on the stream it was
made for. Evicted plans are freed.

Example:
    >>> import cupy as cp  # doctest: +SKIP
    >>> from nvmath.fft import PlanCache
    >>> cache = PlanCache(maxsize=8)
    >>> x = cp.ones((32, 64), cp.complex64)  # doctest: +SKIP
    >>> y = cache.fft(x, axes=(-1,))  # doctest: +SKIP
    >>> y = cache.fft(x + 1, axes=(-1,))  # same layout: the plan is reused  # doctest: +SKIP
    >>> len(cache)  # doctest: +SKIP
    1
    >>> cache.clear()  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict

from nvmath._validation import check_positive_int
from nvmath.host import operands as _ops
from nvmath.host.fft import FFT, _create_key, _ensure_gpu_for
from nvmath.host.options import ExecutionCPU, ExecutionCUDA, FFTOptions, parse_execution, parse_fft_options_shared
from nvmath.host.streams import current_stream_handle, stream_handle

__all__ = ["PlanCache"]


class PlanCache:
    """Keep up to ``maxsize`` planned FFTs, least recently used evicted first.

    Args:
        maxsize: the most plans kept (each holds its cuFFT plan and workspace).

    Example:
        >>> cache = PlanCache(maxsize=2)
        >>> len(cache), cache.maxsize  # doctest: +SKIP
        (0, 2)
    """

    def __init__(self, maxsize: int = 16):
        self.maxsize = check_positive_int("maxsize", maxsize)
        self._plans: OrderedDict[tuple, FFT] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self._fast: dict[tuple, tuple[tuple, FFT]] = {}  # cheap key of a GPU operand -> (key, plan)
        self._typed: dict = {}  # (id(parsed options), fft_type) -> (parsed, parsed with fft_type)

    def __len__(self) -> int:
        return len(self._plans)

    def __enter__(self) -> PlanCache:
        return self

    def __exit__(self, *exc_info) -> None:
        self.clear()

    def clear(self) -> None:
        """Free every cached plan."""
        self._fast.clear()
        while self._plans:
            _, plan = self._plans.popitem(last=False)
            plan.free()

    def get(self, operand, *, fft_type=None, axes=None, options=None, execution=None, prolog=None, epilog=None,
            stream=None) -> FFT:  # fmt: skip
        """A planned :class:`FFT` for ``operand`` (its operand set to ``operand``), from the cache or new.

        Example:
            >>> f = cache.get(x, axes=(-1,))  # doctest: +SKIP
            >>> y = f.execute()  # doctest: +SKIP
        """
        fast_key = _fast_key(operand, fft_type, axes, options, execution, prolog, epilog, stream)
        if fast_key is not None:
            try:
                entry = self._fast.get(fast_key)
            except TypeError:  # an unhashable value (in options, say): the full path decides
                entry = fast_key = None
            if entry is not None and entry[1]._point_at(operand):
                full_key, plan = entry
                self._plans.move_to_end(full_key)
                self.hits += 1
                return plan
        options = self._options(options, fft_type)
        execution = parse_execution(execution)
        op = _ops.wrap_operand(operand)
        key = _create_key(op, axes, options, execution, prolog, epilog)
        device = key[2]
        if isinstance(execution, ExecutionCPU):  # no stream, no GPU: the CPU space needs neither
            handle = None
        else:
            # A given stream resolves without a GPU (its kind is checked first); None asks the driver.
            if stream is not None:
                handle = stream_handle(stream, package=op.stream_package, device_id=device)
            _ensure_gpu_for(op, device, "nvmath.fft.PlanCache")
            if stream is None:
                handle = stream_handle(None, package=op.stream_package, device_id=device)
        full_key = (key, handle)
        plan = self._plans.get(full_key)
        if plan is not None and plan._reset_wrapped_if_alive(op):
            self._plans.move_to_end(full_key)
            self.hits += 1
        else:
            self.misses += 1
            plan = FFT(operand, axes=axes, options=options, execution=execution, stream=handle)
            plan.plan(prolog=prolog, epilog=epilog)
            self._plans[full_key] = plan
            while len(self._plans) > self.maxsize:
                _, old = self._plans.popitem(last=False)
                old.free()
                self._fast = {k: v for k, v in self._fast.items() if v[1] is not old}
        if fast_key is not None:
            if len(self._fast) >= 4 * self.maxsize:  # several spellings per plan: start over
                self._fast.clear()
            self._fast[fast_key] = (full_key, plan)
        return plan

    def _options(self, options, fft_type) -> FFTOptions:
        """Parsed options (shared between calls) with ``fft_type`` set."""
        parsed = parse_fft_options_shared(options)
        if fft_type is None or parsed.fft_type == fft_type:
            return parsed
        memo_key = (id(parsed), fft_type)
        typed = self._typed.get(memo_key)
        if typed is None or typed[0] is not parsed:
            typed = (parsed, dataclasses.replace(parsed, fft_type=fft_type))
            if len(self._typed) < 64:
                self._typed[memo_key] = typed
        return typed[1]

    def _run(self, fft_type, direction, operand, axes, options, execution, prolog, epilog, stream):
        plan = self.get(operand, fft_type=fft_type, axes=axes, options=options, execution=execution, prolog=prolog,
                        epilog=epilog, stream=stream)  # fmt: skip
        return plan.execute(direction=direction)

    def fft(self, operand, /, *, axes=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
        """:func:`nvmath.fft.fft` through the cache.

        Example:
            >>> y = cache.fft(x)  # doctest: +SKIP
        """
        return self._run("C2C", "forward", operand, axes, options, execution, prolog, epilog, stream)

    def ifft(self, operand, /, *, axes=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
        """:func:`nvmath.fft.ifft` through the cache (shares plans with :meth:`fft`)."""
        return self._run("C2C", "inverse", operand, axes, options, execution, prolog, epilog, stream)

    def rfft(self, operand, /, *, axes=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
        """:func:`nvmath.fft.rfft` through the cache."""
        return self._run("R2C", "forward", operand, axes, options, execution, prolog, epilog, stream)

    def irfft(self, operand, /, *, axes=None, options=None, execution=None, prolog=None, epilog=None, stream=None):
        """:func:`nvmath.fft.irfft` through the cache."""
        return self._run("C2R", "inverse", operand, axes, options, execution, prolog, epilog, stream)


def _fast_key(operand, fft_type, axes, options, execution, prolog, epilog, stream) -> tuple | None:
    """A key that identifies the plan for a CuPy array or CUDA tensor from the arguments as given
    (type, shape, strides, dtype, device of the operand; fft_type, axes, options, execution,
    stream), without parsing them, or None where only the full :meth:`FFT.create_key` path
    applies (callbacks, host operands, unusual arguments). Equal fast keys imply equal full
    keys; one plan may have several fast keys (``axes=[-1]`` and ``(-1,)``, say). The result may
    hold unhashable values (an options dict's): the caller's lookup raises TypeError then."""
    if prolog is not None or epilog is not None:
        return None
    package = _ops.array_package(type(operand))
    if package == "cupy":
        device_id = operand.data.device_id  # an int attribute (ndarray.device builds a Device)
        layout = (operand.shape, operand.strides, operand.dtype)
    elif package == "torch":
        device = operand.device
        if device.type != "cuda" or device.index is None:
            return None
        device_id = device.index
        layout = (operand.shape, operand.stride(), operand.dtype)
    else:
        return None
    if options is None or type(options) is dict and not options:
        opts = None
    elif type(options) is dict:  # with the types: True == 1, but only True is a valid 'blocking'
        opts = (tuple(options.items()), tuple(map(type, options.values())))
    elif isinstance(options, FFTOptions):  # by value: the object may change between calls
        opts = (options.fft_type, options.key(), options.blocking, id(options.allocator), id(options.logger))
    else:
        return None
    if execution is not None and not isinstance(execution, (str, ExecutionCUDA)):
        return None
    if type(axes) is list:
        axes = tuple(axes)
    if stream is None:
        handle = current_stream_handle(package, device_id)
    elif type(stream) is int:
        handle = stream
    else:
        return None
    return (type(operand), device_id, layout, fft_type, axes, opts, execution, handle)
