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
from nvmath.host.fft import FFT, _create_key
from nvmath.host.options import FFTOptions, parse_execution, parse_fft_options
from nvmath.host.streams import stream_handle

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
        self._memo: dict = {}

    def __len__(self) -> int:
        return len(self._plans)

    def __enter__(self) -> PlanCache:
        return self

    def __exit__(self, *exc_info) -> None:
        self.clear()

    def clear(self) -> None:
        """Free every cached plan."""
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
        options = self._options(options, fft_type)
        execution = parse_execution(execution)
        op = _ops.wrap_operand(operand)
        key = _create_key(op, axes, options, execution, prolog, epilog)
        device = key[2]
        handle = stream_handle(stream, package=op.stream_package, device_id=device)
        full_key = (key, handle)
        plan = self._plans.get(full_key)
        if plan is not None:
            self._plans.move_to_end(full_key)
            self.hits += 1
            plan._reset_wrapped(op)
            return plan
        self.misses += 1
        plan = FFT(operand, axes=axes, options=options, execution=execution, stream=handle)
        plan.plan(prolog=prolog, epilog=epilog)
        self._plans[full_key] = plan
        while len(self._plans) > self.maxsize:
            _, old = self._plans.popitem(last=False)
            old.free()
        return plan

    def _options(self, options, fft_type) -> FFTOptions:
        """Parsed options with ``fft_type`` set, memoised for dicts of hashable values."""
        memo_key = None
        if isinstance(options, dict):
            try:
                memo_key = (fft_type, tuple(sorted(options.items())))
                hash(memo_key)
            except TypeError:
                memo_key = None
        elif options is None:
            memo_key = (fft_type, None)
        if memo_key is not None:
            parsed = self._memo.get(memo_key)
            if parsed is not None:
                return parsed
        parsed = parse_fft_options(options)
        if fft_type is not None and parsed.fft_type != fft_type:
            parsed = dataclasses.replace(parsed, fft_type=fft_type)
        if memo_key is not None and len(self._memo) < 64:
            self._memo[memo_key] = parsed
        return parsed

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
