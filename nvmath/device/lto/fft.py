"""cuFFTDx descriptor -> traits, valid knobs and LTO-IR, through libmathdx.

Everything here works without a GPU. Trait and knob queries take well under a millisecond and
are memoized per process; LTO-IR generation takes seconds and goes through the persistent
disk cache (:func:`nvmath.compile.cached`), keyed by the full description, the execute API,
the exported symbol and the libmathdx/cuFFTDx versions (the toolchain versions are added by
the cache itself).

Example:
    >>> from nvmath.device.lto.fft import FFTDescription, query_traits
    >>> d = FFTDescription(size=64, precision="f32", fft_type="c2c", direction="forward",
    ...                    execution="Block", sm=90)
    >>> query_traits(d).storage_size
    8
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
from collections.abc import Iterator

from nvmath.bindings import mathdx
from nvmath.device.lto import mathdx as dx

__all__ = [
    "CODEGEN_REQUESTS",
    "FFTCode",
    "FFTDescription",
    "FFTTraits",
    "descriptor",
    "is_supported",
    "generate_ltoir",
    "kernel_code_description",
    "prefetch_ltoir",
    "query_knobs",
    "query_traits",
    "symbol_name",
]

PRECISIONS = {
    "f16": mathdx.CommondxPrecision.F16,
    "f32": mathdx.CommondxPrecision.F32,
    "f64": mathdx.CommondxPrecision.F64,
}
FFT_TYPES = {"c2c": mathdx.CufftdxType.C2C, "r2c": mathdx.CufftdxType.R2C, "c2r": mathdx.CufftdxType.C2R}
DIRECTIONS = {"forward": mathdx.CufftdxDirection.FORWARD, "inverse": mathdx.CufftdxDirection.INVERSE}
EXECUTIONS = {"Block": mathdx.CommondxExecution.BLOCK, "Thread": mathdx.CommondxExecution.THREAD}
COMPLEX_LAYOUTS = {
    "natural": mathdx.CufftdxComplexLayout.NATURAL,
    "packed": mathdx.CufftdxComplexLayout.PACKED,
    "full": mathdx.CufftdxComplexLayout.FULL,
}
REAL_MODES = {"normal": mathdx.CufftdxRealMode.NORMAL, "folded": mathdx.CufftdxRealMode.FOLDED}
APIS = {"register": mathdx.CufftdxApi.LMEM, "shared": mathdx.CufftdxApi.SMEM}
KNOBS = {
    "elements_per_thread": mathdx.CufftdxKnobType.ELEMENTS_PER_THREAD,
    "ffts_per_block": mathdx.CufftdxKnobType.FFTS_PER_BLOCK,
}

@dataclasses.dataclass(frozen=True)
class FFTDescription:
    """A complete, normalized cuFFTDx description (hashable; the key of every query).

    Attributes:
        size: transform length.
        precision: ``"f16" | "f32" | "f64"``.
        fft_type: ``"c2c" | "r2c" | "c2r"``.
        direction: ``"forward" | "inverse"`` (always set, also for real transforms).
        execution: ``"Block" | "Thread"``.
        sm: compute capability as an integer, e.g. ``90``.
        ffts_per_block: None for the library default.
        elements_per_thread: None for the library default.
        complex_layout: None, or ``"natural" | "packed" | "full"`` (real transforms).
        real_mode: None, or ``"normal" | "folded"`` (real transforms).

    Example:
        >>> FFTDescription(64, "f32", "c2c", "forward", "Thread", 90).size
        64
    """

    size: int
    precision: str
    fft_type: str
    direction: str
    execution: str
    sm: int
    ffts_per_block: int | None = None
    elements_per_thread: int | None = None
    complex_layout: str | None = None
    real_mode: str | None = None

    def replace(self, **changes) -> FFTDescription:
        """Return a copy with ``changes`` applied.

        Example:
            >>> d = FFTDescription(64, "f32", "c2c", "forward", "Block", 90)
            >>> d.replace(elements_per_thread=8).elements_per_thread
            8
        """
        return dataclasses.replace(self, **changes)

    def key(self) -> dict:
        """The description as a JSON-serialisable dict (for cache keys and symbol names)."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class FFTTraits:
    """What libmathdx reports about a description (``CUFFTDX_TRAIT_*``).

    Value types are :class:`nvmath.bindings.mathdx.CommondxValueType` members. Block-only
    traits (``block_dim``, ``shared_memory_size``, ``ffts_per_block``,
    ``suggested_ffts_per_block``) are None for Thread execution.
    """

    value_type: mathdx.CommondxValueType
    input_type: mathdx.CommondxValueType
    output_type: mathdx.CommondxValueType
    implicit_type_batching: int
    elements_per_thread: int
    storage_size: int
    stride: int
    input_length: int
    output_length: int
    input_elements_per_thread: int
    output_elements_per_thread: int
    block_dim: tuple[int, int, int] | None
    shared_memory_size: int | None
    ffts_per_block: int | None
    suggested_ffts_per_block: int | None


@contextlib.contextmanager
def descriptor(desc: FFTDescription, api: str = "register", symbol: str | None = None) -> Iterator[int]:
    """Create a libmathdx cuFFTDx descriptor for ``desc`` (destroyed on exit).

    Raises:
        nvmath.bindings.mathdx.MathdxError: libmathdx refused an operator value.

    Example:
        >>> d = FFTDescription(64, "f32", "c2c", "forward", "Block", 90)
        >>> with descriptor(d) as h:
        ...     mathdx.cufftdx_is_supported(h)
        True
    """
    with dx.descriptor(mathdx.cufftdx_create_descriptor, mathdx.cufftdx_destroy_descriptor) as h:
        _set_operators(h, desc, api, symbol)
        yield h


def _set_operators(h: int, desc: FFTDescription, api: str, symbol: str | None) -> None:
    op = mathdx.CufftdxOperatorType
    mathdx.cufftdx_set_operator_int64(h, op.API, APIS[api])
    mathdx.cufftdx_set_operator_int64(h, op.EXECUTION, EXECUTIONS[desc.execution])
    mathdx.cufftdx_set_operator_int64(h, op.SIZE, desc.size)
    mathdx.cufftdx_set_operator_int64(h, op.TYPE, FFT_TYPES[desc.fft_type])
    mathdx.cufftdx_set_operator_int64(h, op.DIRECTION, DIRECTIONS[desc.direction])
    mathdx.cufftdx_set_operator_int64(h, op.PRECISION, PRECISIONS[desc.precision])
    mathdx.cufftdx_set_operator_int64(h, op.SM, desc.sm * 10)
    if desc.complex_layout is not None or desc.real_mode is not None:
        layout = COMPLEX_LAYOUTS[desc.complex_layout or "natural"]
        mode = REAL_MODES[desc.real_mode or "normal"]
        mathdx.cufftdx_set_operator_int64s(h, op.REAL_FFT_OPTIONS, [layout, mode])
    if desc.elements_per_thread is not None:
        mathdx.cufftdx_set_operator_int64(h, op.ELEMENTS_PER_THREAD, desc.elements_per_thread)
    if desc.ffts_per_block is not None:
        mathdx.cufftdx_set_operator_int64(h, op.FFTS_PER_BLOCK, desc.ffts_per_block)
    if symbol is not None:
        mathdx.cufftdx_set_option_str(h, mathdx.CommondxOption.SYMBOL_NAME, symbol)


@functools.lru_cache(maxsize=4096)
def is_supported(desc: FFTDescription) -> bool:
    """Whether cuFFTDx has an implementation of ``desc`` (``cufftdxIsSupported``).

    Example:
        >>> d = FFTDescription(64, "f32", "c2c", "forward", "Block", 90)
        >>> is_supported(d)
        True
    """
    try:
        with descriptor(desc) as h:
            return mathdx.cufftdx_is_supported(h)
    except mathdx.MathdxError:
        return False


@functools.lru_cache(maxsize=4096)
def query_traits(desc: FFTDescription) -> FFTTraits:
    """Return the traits of a supported ``desc`` (no compilation; well under 1 ms).

    Example:
        >>> d = FFTDescription(64, "f32", "c2c", "forward", "Block", 90)
        >>> query_traits(d).stride
        8
    """
    t = mathdx.CufftdxTraitType
    with descriptor(desc) as h:

        def dtype(trait):
            return mathdx.cufftdx_get_trait_commondx_data_type(h, trait)

        def integer(trait):
            return mathdx.cufftdx_get_trait_int64(h, trait)

        block = desc.execution == "Block"
        return FFTTraits(
            value_type=dtype(t.VALUE_TYPE),
            input_type=dtype(t.INPUT_TYPE),
            output_type=dtype(t.OUTPUT_TYPE),
            implicit_type_batching=integer(t.IMPLICIT_TYPE_BATCHING),
            elements_per_thread=integer(t.ELEMENTS_PER_THREAD),
            storage_size=integer(t.STORAGE_SIZE),
            stride=integer(t.STRIDE),
            input_length=integer(t.INPUT_LENGTH),
            output_length=integer(t.OUTPUT_LENGTH),
            input_elements_per_thread=integer(t.INPUT_ELEMENTS_PER_THREAD),
            output_elements_per_thread=integer(t.OUTPUT_ELEMENTS_PER_THREAD),
            block_dim=tuple(mathdx.cufftdx_get_trait_int64s(h, t.BLOCK_DIM, 3)) if block else None,
            shared_memory_size=integer(t.SHARED_MEMORY_SIZE) if block else None,
            ffts_per_block=integer(t.FFTS_PER_BLOCK) if block else None,
            suggested_ffts_per_block=integer(t.SUGGESTED_FFTS_PER_BLOCK) if block else None,
        )


@functools.lru_cache(maxsize=4096)
def query_knobs(desc: FFTDescription, knobs: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
    """Return the valid combinations of ``knobs`` for ``desc`` (``cufftdxGetKnobInt64s``).

    ``knobs`` are names among ``"elements_per_thread"`` and ``"ffts_per_block"``; each
    combination lists the values in that order. For ``ffts_per_block`` libmathdx reports the
    value it suggests for each ``elements_per_thread``.

    Example:
        >>> d = FFTDescription(64, "f32", "c2c", "forward", "Block", 90)
        >>> query_knobs(d, ("elements_per_thread", "ffts_per_block"))
        ((8, 32), (4, 15), (16, 28), (32, 64), (2, 12), (64, 32))
    """
    with descriptor(desc) as h:
        return tuple(mathdx.cufftdx_get_knob_int64s(h, [KNOBS[k] for k in knobs]))


@functools.lru_cache(maxsize=4096)
def kernel_code_description(desc: FFTDescription, api: str) -> tuple[FFTDescription, bool]:
    """The description whose code a kernel links for ``desc``/``api``, and whether to swap around the call.

    A c2c inverse FFT computed on ``thread_data`` (the register API) is
    ``swap(forward(swap(x)))``, where ``swap`` exchanges the real and imaginary parts of every
    element (``swap(z) = i * conj(z)``; for packed half precision, the real and imaginary
    halves). In registers a swap is a renaming and costs no instruction, so a kernel with a
    forward and an inverse FFT of the same shape links one cuFFTDx function instead of two:
    one code generation instead of two, and about half the link time of its first launch.
    The forward description is used only when its traits (layout, block shape, shared
    memory) are the inverse's; otherwise, and for every other case, ``(desc, False)`` is
    returned.

    Example:
        >>> inverse = FFTDescription(512, "f32", "c2c", "inverse", "Block", 90)
        >>> linked, swap = kernel_code_description(inverse, "register")
        >>> linked.direction, swap
        ('forward', True)
    """
    if desc.fft_type == "c2c" and desc.direction == "inverse" and api == "register":
        forward = desc.replace(direction="forward")
        if is_supported(forward) and query_traits(forward) == query_traits(desc):
            return forward, True
    return desc, False


def symbol_name(desc: FFTDescription, api: str) -> str:
    """The exported device-function name for ``desc`` and ``api``; stable across processes.

    Example:
        >>> d = FFTDescription(64, "f32", "c2c", "forward", "Block", 90)
        >>> symbol_name(d, "register")  # doctest: +ELLIPSIS
        'nvmath_cufftdx_c2c_64_f32_register_...'
    """
    digest = hashlib.sha256(json.dumps([desc.key(), api], sort_keys=True).encode()).hexdigest()[:16]
    return f"nvmath_cufftdx_{desc.fft_type}_{desc.size}_{desc.precision}_{api}_{digest}"


@dataclasses.dataclass(frozen=True)
class FFTCode:
    """The request for one cuFFTDx device function's LTO-IR (run by :mod:`nvmath.device.lto.mathdx`).

    Attributes:
        description: what to generate.
        api: ``"register"`` or ``"shared"``.

    Example:
        >>> d = FFTDescription(64, "f32", "c2c", "forward", "Block", 90)
        >>> FFTCode.from_key(FFTCode(d, "register").key()) == FFTCode(d, "register")
        True
    """

    description: FFTDescription
    api: str

    cache_kind = "mathdx-cufftdx-ltoir"

    def key(self) -> dict:
        """The request as a JSON-serialisable dict (the cache key, less the library versions)."""
        return {"description": self.description.key(), "api": self.api, "symbol": self.symbol()}

    @classmethod
    def from_key(cls, key: dict) -> FFTCode:
        """The request that :meth:`key` describes."""
        return cls(FFTDescription(**key["description"]), key["api"])

    def symbol(self) -> str:
        """The exported device-function name."""
        return symbol_name(self.description, self.api)

    def build(self) -> bytes:
        """Generate the LTO-IR through libmathdx (seconds)."""
        desc = self.description
        with descriptor(desc, api=self.api, symbol=self.symbol()) as h:
            return dx.ltoir_from_code(desc.sm, lambda code: mathdx.cufftdx_finalize_code(code, h), self.symbol())

    def describe(self) -> str:
        """A short text for logs."""
        d = self.description
        return f"cuFFTDx {d.fft_type} size {d.size} {d.precision} {d.execution} sm_{d.sm}"


#: The request types a code-generation worker may build from this module.
CODEGEN_REQUESTS = (FFTCode,)


def prefetch_ltoir(desc: FFTDescription, api: str) -> None:
    """Start generating the LTO-IR of ``desc``/``api`` in the background (if not started yet).

    Kernel typing calls this for every ``fft.execute`` it meets, so code generation runs
    while Numba types and lowers the kernel, and the descriptors of one kernel run in
    parallel (see :func:`nvmath.device.lto.mathdx.prefetch`).

    Example:
        >>> d = FFTDescription(64, "f32", "c2c", "forward", "Block", 90)
        >>> prefetch_ltoir(d, "register")  # doctest: +SKIP
    """
    dx.prefetch(FFTCode(desc, api))


def generate_ltoir(desc: FFTDescription, api: str) -> tuple[str, bytes]:
    """Return ``(symbol, ltoir)``: the device function for ``desc`` and ``api`` as LTO-IR.

    ``api`` is ``"register"`` (``void f(value_type* rmem[, value_type* smem])``) or
    ``"shared"`` (``void f(value_type* smem)``). Generation takes seconds (logged at INFO with
    its duration); the result is cached on disk and in memory.

    Example:
        >>> d = FFTDescription(64, "f32", "c2c", "forward", "Block", 90)
        >>> symbol, ltoir = generate_ltoir(d, "register")  # doctest: +SKIP
        >>> symbol == symbol_name(d, "register")  # doctest: +SKIP
        True
    """
    request = FFTCode(desc, api)
    return request.symbol(), dx.generate(request)
