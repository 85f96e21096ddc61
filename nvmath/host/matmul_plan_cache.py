"""An explicit, small LRU cache of planned :class:`~nvmath.linalg.advanced.Matmul` objects.

:func:`nvmath.linalg.advanced.matmul` never caches plans: planning (cuBLASLt heuristics, workspace)
costs far more than executing a small product, and hidden caches hold GPU memory nobody asked
for. When the same product runs many times on different arrays of one layout, keep a
:class:`PlanCache` and call :meth:`PlanCache.matmul` instead: a hit costs a key computation, a
pointer update and an execution.

Keys are :meth:`Matmul.create_key` (package, device, dtypes, shapes, strides, pointer alignment,
qualifiers, options, epilog and its inputs' layouts, preferences, algorithm) plus the stream, so a
plan is only reused on the stream it was made for. alpha, beta, the data and the quantization
scales are not part of the key: they are set on every call. Evicted plans are freed.

For CuPy arrays and CUDA tensors a hit is looked up from the arguments as given (no parsing),
see :func:`_fast_key`; other arguments (NumPy operands, FP8 scales, an ``algorithm``) take the
full path, which checks everything again.

Example:
    >>> import cupy as cp  # doctest: +SKIP
    >>> from nvmath.linalg.advanced import PlanCache
    >>> cache = PlanCache(maxsize=8)
    >>> a, b = cp.ones((64, 64), cp.float32), cp.ones((64, 64), cp.float32)  # doctest: +SKIP
    >>> d = cache.matmul(a, b)  # doctest: +SKIP
    >>> d = cache.matmul(a + 1, b, alpha=0.5)  # same layout: the plan is reused  # doctest: +SKIP
    >>> len(cache), cache.hits, cache.misses  # doctest: +SKIP
    (1, 1, 1)
    >>> cache.clear()
"""

from __future__ import annotations

from nvmath.host import devices
from nvmath.host import operands as _ops
from nvmath.host.lru import PlanLRU
from nvmath.host.matmul import (
    _STATELESS_PREFERENCES,
    WHAT,
    Algorithm,
    Matmul,
    _alignment,
    _check_algorithms,
    _check_call,
    _describe,
    _plan_key,
    _plan_spec,
    _wrap,
    _wrap_epilog_inputs,
    parse_epilog,
)
from nvmath.host.matmul_options import (
    MatmulOptions,
    MatmulPlanPreferences,
    parse_matmul_options_shared,
    parse_preferences,
)
from nvmath.host.streams import current_stream_handle, stream_handle

__all__ = ["PlanCache"]


class PlanCache:
    """Keep up to ``maxsize`` planned matmuls, least recently used evicted (and freed) first.

    Args:
        maxsize: the most plans kept (each holds its cuBLASLt descriptors and workspace).

    Attributes:
        hits, misses: how many calls found a plan, and how many planned a new one.

    Example:
        >>> cache = PlanCache(maxsize=2)
        >>> len(cache), cache.maxsize
        (0, 2)
        >>> PlanCache(maxsize=0)
        Traceback (most recent call last):
        ...
        ValueError: Argument 'maxsize' = 0 must be a positive int.
    """

    def __init__(self, maxsize: int = 16) -> None:
        self._lru = PlanLRU(maxsize)

    @property
    def maxsize(self) -> int:
        """The most plans kept."""
        return self._lru.maxsize

    @property
    def hits(self) -> int:
        """Calls that found their plan in the cache."""
        return self._lru.hits

    @property
    def misses(self) -> int:
        """Calls that planned a new matmul."""
        return self._lru.misses

    def __len__(self) -> int:
        return len(self._lru)

    def __enter__(self) -> PlanCache:
        return self

    def __exit__(self, *exc_info) -> None:
        self.clear()

    def clear(self) -> None:
        """Free every cached plan.

        Example:
            >>> PlanCache().clear()
        """
        self._lru.clear()

    def get(self, a, b, /, c=None, *, alpha=None, beta=None, epilog=None, epilog_inputs=None, qualifiers=None,
            options=None, preferences=None, algorithm: Algorithm | None = None, quantization_scales=None,
            stream=None) -> Matmul:  # fmt: skip
        """A planned :class:`Matmul` with these operands, scalars and epilog inputs set, from the cache or new.

        Arguments are those of :func:`nvmath.linalg.advanced.matmul` (``beta`` is required with
        ``c`` and an error without it). The returned object belongs to the cache: execute it, do
        not free it.

        Example:
            >>> mm = cache.get(a, b)  # doctest: +SKIP
            >>> d = mm.execute()  # doctest: +SKIP
        """
        if c is None and beta is not None:
            raise ValueError(f"Argument 'beta' = {beta!r} is given without c: beta scales c; pass c, or drop beta.")
        if c is not None and beta is None:
            raise ValueError(
                "Argument 'beta' = None, but c is given: a value for beta must be provided with c (as in "
                "nvmath-python); pass beta=1 to add c."
            )
        lru = self._lru
        fast_key = None
        if algorithm is None and quantization_scales is None:
            fast_key = _fast_key(a, b, c, epilog, epilog_inputs, qualifiers, options, preferences, stream)
        if fast_key is not None:
            entry = lru.lookup_fast(fast_key)
            if entry is not None and entry[1]._point_at(a, b, c, alpha, beta, epilog_inputs):
                lru.touch(entry[0])
                return entry[1]
        # The full path: every check of matmul(), before any GPU work.
        options = parse_matmul_options_shared(options)
        ops = _wrap(a=a, b=b, c=c)
        problem = _describe(ops, qualifiers, options)
        spec = _plan_spec(problem, parse_epilog(epilog), _wrap_epilog_inputs(problem, epilog_inputs), options)
        prefs = _STATELESS_PREFERENCES if preferences is None else parse_preferences(preferences, shared=True)
        if algorithm is not None and not isinstance(algorithm, Algorithm):
            raise TypeError(f"Argument 'algorithm' = {algorithm!r} must be None or an Algorithm.")
        algorithms = _check_algorithms(algorithm)
        _check_call(problem, alpha, beta, quantization_scales, stream)
        key = _plan_key(problem, options, spec, prefs, algorithms)
        devices.ensure_gpu(problem.device_id, WHAT)  # all checked: the GPU work starts with the stream
        handle = stream_handle(stream, package=problem.stream_package, device_id=problem.device_id)
        full_key = (key, handle)
        plan = lru.lookup(full_key)
        epilog_ops = {i.name: i.op for i in spec.inputs}
        if plan is not None and plan._reset_wrapped_if_alive(ops, epilog_ops, alpha, beta, quantization_scales):
            lru.touch(full_key)
        else:
            plan = Matmul(a, b, c, alpha=alpha, beta=beta, qualifiers=qualifiers,
                          quantization_scales=quantization_scales, options=options, stream=handle,
                          _problem=(ops, problem, options))  # fmt: skip
            try:
                plan.plan(_checked=(spec, prefs, algorithms))
            except BaseException:
                plan.free()
                raise
            lru.insert(full_key, plan)
        if fast_key is not None:
            lru.remember_fast(fast_key, full_key, plan)
        return plan

    def matmul(self, a, b, /, c=None, *, alpha=None, beta=None, epilog=None, epilog_inputs=None, qualifiers=None,
               options=None, preferences=None, algorithm: Algorithm | None = None, quantization_scales=None,
               stream=None):  # fmt: skip
        """:func:`nvmath.linalg.advanced.matmul` through the cache (same arguments, same result).

        Example:
            >>> d = cache.matmul(a, b, epilog="relu")  # doctest: +SKIP
        """
        return self.get(
            a, b, c, alpha=alpha, beta=beta, epilog=epilog, epilog_inputs=epilog_inputs, qualifiers=qualifiers,
            options=options, preferences=preferences, algorithm=algorithm, quantization_scales=quantization_scales,
            stream=stream,
        ).execute()  # fmt: skip


def _gpu_layout(x):
    """(type, device, shape, strides, dtype, alignment, conj) of a CuPy array or CUDA tensor, else None."""
    package = _ops.array_package(type(x))
    if package == "cupy":
        ptr = x.data.ptr
        return (type(x), x.data.device_id, x.shape, x.strides, x.dtype, _alignment(ptr), False)
    if package == "torch":
        device = x.device
        if device.type != "cuda" or device.index is None:
            return None
        return (
            type(x),
            device.index,
            x.shape,
            x.stride(),
            x.dtype,
            _alignment(x.data_ptr()),
            x.is_conj() or x.is_neg(),
        )
    return None


def _fast_key(a, b, c, epilog, epilog_inputs, qualifiers, options, preferences, stream) -> tuple | None:
    """A key identifying the plan for CuPy arrays / CUDA tensors from the arguments as given
    (layouts, pointer alignments and lazy-conjugation flags of the operands and epilog inputs;
    epilog, qualifiers, options, preferences as spelled; the stream), without parsing them, or
    None where only the full path applies. Equal fast keys imply equal full keys; one plan may
    have several fast keys (``options=None`` and ``{}``, say). It may hold unhashable values (an
    options dict's): the lookup then finds nothing and the full path decides."""
    la = _gpu_layout(a)
    if la is None:
        return None
    lb = _gpu_layout(b)
    if lb is None:
        return None
    lc = None
    if c is not None:
        lc = _gpu_layout(c)
        if lc is None:
            return None
    inputs = None
    if epilog_inputs:
        if type(epilog_inputs) is not dict:
            return None
        inputs = []
        for name, x in epilog_inputs.items():
            lx = _gpu_layout(x)
            if lx is None:
                return None
            inputs.append((name, lx))
        inputs = tuple(inputs)
    if options is None or type(options) is dict and not options:
        opts = None
    elif type(options) is dict:  # with the types: True == 1, but only True is a valid 'blocking'
        opts = (tuple(options.items()), tuple(map(type, options.values())))
    elif isinstance(options, MatmulOptions):  # by value: the object may change between calls
        opts = (options.key(), options.blocking, id(options.allocator), id(options.logger))
    else:
        return None
    if preferences is None or type(preferences) is dict and not preferences:
        prefs = None
    elif type(preferences) is dict:
        prefs = (tuple(preferences.items()), tuple(map(type, preferences.values())))
    elif isinstance(preferences, MatmulPlanPreferences):
        prefs = preferences.key()
    else:
        return None
    if qualifiers is not None:
        if type(qualifiers) not in (tuple, list):
            return None
        qualifiers = tuple(qualifiers)
    if stream is None:
        handle = current_stream_handle("cupy" if la[0].__module__.startswith("cupy") else "torch", la[1])
    elif type(stream) is int:
        handle = stream
    else:
        return None
    return (la, lb, lc, inputs, epilog, qualifiers, opts, prefs, handle)
