"""``nvmath.device.FFT``: a cuFFTDx FFT callable inside Numba CUDA kernels.

The object describes one FFT (size, precision, type, direction, Block or Thread execution,
knobs). Its traits come from libmathdx at construction (no compilation). Kernels that use it
(as a global or closure variable) call ``fft.execute(...)``; the cuFFTDx code is generated
when such a kernel is compiled, cached on disk, and fully inlined by the link step.

With ``NUMBA_ENABLE_CUDASIM=1`` the same kernels run on the CPU: ``fft.execute`` is then a
pure-Python reference with cuFFTDx's data layout, and the traits are the same.

Example:
    >>> import numpy as np
    >>> from numba import cuda
    >>> from nvmath.device import FFT
    >>> fft = FFT(64, np.float32, "c2c", "Thread", direction="forward", sm=90)
    >>> fft.storage_size, fft.stride
    (64, 1)
    >>> @cuda.jit
    ... def kernel(data):
    ...     thread_data = cuda.local.array(fft.storage_size, fft.value_type)
    ...     for i in range(fft.size):
    ...         thread_data[i] = data[cuda.grid(1), i]
    ...     fft.execute(thread_data)
    ...     for i in range(fft.size):
    ...         data[cuda.grid(1), i] = thread_data[i]
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from nvmath._validation import check_choice, check_positive_int
from nvmath.device.common import Dim3, normalize_precision, normalize_sm, simulator_enabled
from nvmath.device.lto import fft as backend
from nvmath.device.lto.fft import FFTDescription, FFTTraits

__all__ = ["FFT"]

_PRECISIONS = {"float16": "f16", "float32": "f32", "float64": "f64"}
_FFT_TYPES = ("c2c", "r2c", "c2r")
_EXECUTIONS = ("Block", "Thread")
_DIRECTIONS = ("forward", "inverse")
_COMPLEX_LAYOUTS = ("natural", "packed", "full")
_REAL_MODES = ("normal", "folded")
_MIN_SM = 70
_MAX_THREADS_PER_BLOCK = 1024


def _check_knob(name: str, value) -> int | str | None:
    if value is None or value == "suggested":
        return value
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"Argument {name!r} = {value!r} is not supported: allowed values are None, 'suggested' or a positive int."
        )
    return int(value)


def _check_real_fft_options(options, fft_type: str) -> tuple[str | None, str | None]:
    if options is None:
        return None, None
    if not isinstance(options, dict):
        raise ValueError(
            f"Argument 'real_fft_options' = {options!r} is not supported: pass a dict with keys "
            "'complex_layout' and/or 'real_mode'."
        )
    unknown = sorted(set(options) - {"complex_layout", "real_mode"})
    if unknown:
        raise ValueError(
            f"Argument 'real_fft_options' has unknown keys {unknown}: allowed keys are 'complex_layout', 'real_mode'."
        )
    if fft_type == "c2c":
        raise ValueError("Argument 'real_fft_options' applies to real transforms only (fft_type 'r2c' or 'c2r').")
    layout = options.get("complex_layout", "natural")
    mode = options.get("real_mode", "normal")
    check_choice("real_fft_options['complex_layout']", layout, _COMPLEX_LAYOUTS)
    check_choice("real_fft_options['real_mode']", mode, _REAL_MODES)
    return layout, mode


def _allowed(values) -> str:
    return ", ".join(str(v) for v in sorted(set(values)))


class FFT:
    """A cuFFTDx FFT for use inside ``@cuda.jit`` kernels.

    Args:
        size: transform length.
        precision: ``numpy.float16``, ``numpy.float32`` or ``numpy.float64``.
        fft_type: ``'c2c'``, ``'r2c'`` or ``'c2r'``.
        execution: ``'Block'`` (threads of a block cooperate) or ``'Thread'`` (one thread, one FFT).
        sm: compute capability, e.g. ``90``; default the current device. An explicit value
            allows describing and compiling FFTs without a GPU.
        direction: ``'forward'`` or ``'inverse'``; required for c2c, implied (and checked) for
            r2c (forward) and c2r (inverse).
        ffts_per_block: Block only: int, None (library default, 1) or ``'suggested'``.
        elements_per_thread: int, None (library default) or ``'suggested'``; for Thread
            execution it is always ``size``.
        real_fft_options: for r2c/c2r, ``{'complex_layout': 'natural'|'packed'|'full',
            'real_mode': 'normal'|'folded'}``. ``'folded'`` computes the size-``N`` real FFT as
            an ``N/2`` complex one: the real side is then ``N/2`` complex elements
            (``input_type``/``output_type`` are complex), element ``k`` holding the reals
            ``2k`` (real part) and ``2k + 1`` (imaginary part).

    Raises:
        ValueError: an argument is invalid, or cuFFTDx has no implementation for the
            combination; the message names the argument, the value and what is allowed.
        RuntimeError: ``sm`` is None and no GPU is visible.

    In a kernel: ``thread_data = cuda.local.array(fft.storage_size, fft.value_type)``,
    ``smem = cuda.shared.array(0, fft.value_type)``; then ``fft.execute(thread_data, smem)``
    (Block, data in registers), ``fft.execute(smem)`` (Block, data in shared memory) or
    ``fft.execute(thread_data)`` (Thread). Launch Block FFTs with
    ``kernel[grid, fft.block_dim, stream, fft.shared_memory_size]``. Element ``i`` of thread
    ``t`` is element ``t + i * fft.stride`` of the transform's input (``i`` below
    ``input_elements_per_thread``) or output (below ``output_elements_per_thread``). With
    ``fft.execute(smem)``, thread row ``y`` puts its input at ``smem`` viewed as ``input_type``
    elements ``y * input_length + k`` and finds its output at ``output_type`` elements
    ``y * output_length + k``; launch with enough shared memory for the larger side and for
    ``shared_memory_size``. Transforms are unnormalized in both directions.

    Example:
        >>> fft = FFT(512, np.float32, "c2c", "Block", direction="forward", sm=90,
        ...           ffts_per_block="suggested")
        >>> fft.block_dim, fft.elements_per_thread, fft.ffts_per_block
        (Dim3(x=64, y=3, z=1), 8, 3)
        >>> fft.valid("elements_per_thread", "ffts_per_block")
        [(2, 2), (4, 2), (8, 3), (16, 2), (32, 4)]
    """

    def __init__(
        self,
        size: int,
        precision: Any,
        fft_type: str,
        execution: str,
        *,
        sm: int | tuple[int, int] | str | None = None,
        direction: str | None = None,
        ffts_per_block: int | str | None = None,
        elements_per_thread: int | str | None = None,
        real_fft_options: dict | None = None,
    ) -> None:
        from nvmath.device.registration import register_numba_extensions

        register_numba_extensions()  # so kernels can use this object, however FFT was imported
        check_positive_int("size", size)
        precision_name = normalize_precision(precision, _PRECISIONS)
        check_choice("fft_type", fft_type, _FFT_TYPES)
        check_choice("execution", execution, _EXECUTIONS)
        direction = self._check_direction(fft_type, direction)
        ffts_per_block = _check_knob("ffts_per_block", ffts_per_block)
        elements_per_thread = _check_knob("elements_per_thread", elements_per_thread)
        layout, mode = _check_real_fft_options(real_fft_options, fft_type)
        if size % 2 and (layout == "packed" or mode == "folded"):
            raise ValueError(
                f"Argument 'real_fft_options' = {real_fft_options!r} is not supported for size={size}: "
                "'packed' and 'folded' need an even size."
            )
        if precision_name == "f16" and isinstance(ffts_per_block, int) and ffts_per_block % 2:
            raise ValueError(
                f"Argument 'ffts_per_block' = {ffts_per_block} is not supported for precision=float16: allowed "
                "values are multiples of 2 (each half-precision element holds two FFTs), None or 'suggested'."
            )
        if execution == "Thread":
            if ffts_per_block not in (None, "suggested", 1):
                raise ValueError(
                    f"Argument 'ffts_per_block' = {ffts_per_block!r} is not supported with execution='Thread': "
                    "allowed values are None, 'suggested' or 1 (one thread computes one FFT)."
                )
            if elements_per_thread not in (None, "suggested", size):
                raise ValueError(
                    f"Argument 'elements_per_thread' = {elements_per_thread!r} is not supported with "
                    f"execution='Thread': allowed values are None, 'suggested' or {size} (the size)."
                )
            ffts_per_block = elements_per_thread = None
        sm_value = normalize_sm(sm, library="cuFFTDx", min_sm=_MIN_SM)

        base = FFTDescription(
            size=int(size),
            precision=precision_name,
            fft_type=fft_type,
            direction=direction,
            execution=execution,
            sm=sm_value,
            complex_layout=layout,
            real_mode=mode,
        )
        self._description = self._resolve_knobs(base, ffts_per_block, elements_per_thread)
        self._traits: FFTTraits = backend.query_traits(self._description)
        self._precision = np.dtype(precision_name.replace("f", "float")).type
        self._real_fft_options = None if layout is None else {"complex_layout": layout, "real_mode": mode}

    # ---- validation helpers ------------------------------------------------------------

    @staticmethod
    def _check_direction(fft_type: str, direction: str | None) -> str:
        implied = {"r2c": "forward", "c2r": "inverse"}.get(fft_type)
        if implied is None:
            if direction is None:
                raise ValueError(
                    "Argument 'direction' is required for fft_type='c2c': allowed values are 'forward', 'inverse'."
                )
            return check_choice("direction", direction, _DIRECTIONS)
        if direction not in (None, implied):
            raise ValueError(
                f"Argument 'direction' = {direction!r} is not supported for fft_type={fft_type!r}: "
                f"allowed values are None or {implied!r}."
            )
        return implied

    @staticmethod
    def _what(desc: FFTDescription) -> str:
        return (
            f"size={desc.size}, precision={desc.precision}, fft_type={desc.fft_type!r}, "
            f"execution={desc.execution!r}, sm={desc.sm}"
        )

    def _resolve_knobs(self, base: FFTDescription, ffts_per_block, elements_per_thread) -> FFTDescription:
        if not backend.is_supported(base):
            raise ValueError(
                f"Argument 'size' = {base.size} is not supported by cuFFTDx for {self._what(base)}"
                + (
                    ": Thread execution supports small sizes only (try execution='Block')."
                    if base.execution == "Thread"
                    else "."
                )
            )
        desc = base
        if base.execution == "Thread":
            return desc
        epts = [combo[0] for combo in backend.query_knobs(base, ("elements_per_thread",))]
        if isinstance(elements_per_thread, int):
            if elements_per_thread not in epts:
                raise ValueError(
                    f"Argument 'elements_per_thread' = {elements_per_thread} is not supported for "
                    f"{self._what(base)}: allowed values are {_allowed(epts)}, None or 'suggested'."
                )
            desc = desc.replace(elements_per_thread=elements_per_thread)
        elif elements_per_thread == "suggested":
            desc = desc.replace(elements_per_thread=backend.query_traits(base).elements_per_thread)
        if isinstance(ffts_per_block, int):
            desc = desc.replace(ffts_per_block=ffts_per_block)
            if not backend.is_supported(desc):
                raise ValueError(
                    f"Argument 'ffts_per_block' = {ffts_per_block} is not supported for {self._what(base)} "
                    f"with elements_per_thread={desc.elements_per_thread}: the block would exceed the "
                    "thread or shared-memory limits; use a smaller value or 'suggested'."
                )
        elif ffts_per_block == "suggested":
            desc = desc.replace(ffts_per_block=backend.query_traits(desc).suggested_ffts_per_block)
        if isinstance(ffts_per_block, int) and backend.is_supported(desc):
            x, y, z = backend.query_traits(desc).block_dim
            if x * y * z > _MAX_THREADS_PER_BLOCK:
                raise ValueError(
                    f"Argument 'ffts_per_block' = {ffts_per_block} is not supported for {self._what(base)} with "
                    f"elements_per_thread={desc.elements_per_thread}: the block would need {x * y * z} threads "
                    f"(block_dim {x}x{y}x{z}); at most {_MAX_THREADS_PER_BLOCK} are allowed."
                )
        if not backend.is_supported(desc):
            raise ValueError(
                f"cuFFTDx has no implementation for {self._what(base)} with elements_per_thread="
                f"{desc.elements_per_thread}, ffts_per_block={desc.ffts_per_block}."
            )
        return desc

    # ---- description ------------------------------------------------------------------

    @property
    def description(self) -> FFTDescription:
        """The normalized description (hashable): what the code generation is keyed by."""
        return self._description

    @property
    def size(self) -> int:
        """Transform length."""
        return self._description.size

    @property
    def precision(self) -> type:
        """``numpy.float16``, ``numpy.float32`` or ``numpy.float64``."""
        return self._precision

    @property
    def fft_type(self) -> str:
        """``'c2c'``, ``'r2c'`` or ``'c2r'``."""
        return self._description.fft_type

    @property
    def execution(self) -> str:
        """``'Block'`` or ``'Thread'``."""
        return self._description.execution

    @property
    def direction(self) -> str:
        """``'forward'`` or ``'inverse'``."""
        return self._description.direction

    @property
    def sm(self) -> int:
        """Target compute capability as an integer, e.g. 90."""
        return self._description.sm

    @property
    def real_fft_options(self) -> dict | None:
        """The real FFT options given (None for the defaults)."""
        return None if self._real_fft_options is None else dict(self._real_fft_options)

    # ---- traits -------------------------------------------------------------------------

    @property
    def traits(self) -> FFTTraits:
        """All libmathdx traits of this FFT."""
        return self._traits

    @property
    def ffts_per_block(self) -> int | None:
        """FFTs computed by one block (Block execution); None for Thread execution."""
        return self._traits.ffts_per_block

    @property
    def elements_per_thread(self) -> int:
        """Elements each thread holds (Thread execution: ``size``)."""
        return self._traits.elements_per_thread

    @property
    def storage_size(self) -> int:
        """Length (in ``value_type`` elements) of the per-thread register array."""
        return self._traits.storage_size

    @property
    def stride(self) -> int:
        """Element ``i`` of thread ``t`` is element ``t + i * stride``."""
        return self._traits.stride

    @property
    def implicit_type_batching(self) -> int:
        """How many FFTs one ``value_type`` element carries (2 for half precision, else 1)."""
        return self._traits.implicit_type_batching

    @property
    def input_length(self) -> int:
        """Input length in ``input_type`` elements (e.g. ``size // 2 + 1`` for c2r)."""
        return self._traits.input_length

    @property
    def output_length(self) -> int:
        """Output length in ``output_type`` elements (e.g. ``size // 2 + 1`` for r2c)."""
        return self._traits.output_length

    @property
    def input_elements_per_thread(self) -> int:
        """Input elements each thread holds."""
        return self._traits.input_elements_per_thread

    @property
    def output_elements_per_thread(self) -> int:
        """Output elements each thread holds."""
        return self._traits.output_elements_per_thread

    @property
    def block_dim(self) -> Dim3 | None:
        """Block dimensions to launch with (Block execution); None for Thread execution."""
        return None if self._traits.block_dim is None else Dim3(*self._traits.block_dim)

    @property
    def shared_memory_size(self) -> int | None:
        """Dynamic shared memory in bytes to launch with (Block execution); None for Thread."""
        return self._traits.shared_memory_size

    @property
    def value_type(self):
        """Element type of the register and shared arrays (e.g. complex64, ``float16x4``).

        In kernels it is the Numba type; under the CUDA simulator a NumPy dtype.
        """
        return _element_type(self._traits.value_type)

    @property
    def input_type(self):
        """Type of input elements (e.g. float32 for r2c)."""
        return _element_type(self._traits.input_type)

    @property
    def output_type(self):
        """Type of output elements (e.g. float32 for c2r)."""
        return _element_type(self._traits.output_type)

    # ---- knobs --------------------------------------------------------------------------

    def valid(self, *knobs: str) -> list[tuple[int, ...]]:
        """List the valid combinations of ``knobs`` for this FFT (size, precision, type, ...).

        Args:
            knobs: names among ``'elements_per_thread'`` and ``'ffts_per_block'``, in the
                order the tuples should list them. For ``ffts_per_block`` the value cuFFTDx
                suggests for each ``elements_per_thread`` is given.

        Example:
            >>> fft = FFT(512, np.float32, "c2c", "Block", direction="forward", sm=90)
            >>> fft.valid("elements_per_thread")
            [(2,), (4,), (8,), (16,), (32,)]
        """
        if not knobs:
            raise ValueError("valid() needs at least one knob: 'elements_per_thread', 'ffts_per_block'.")
        for knob in knobs:
            check_choice("knobs", knob, ("elements_per_thread", "ffts_per_block"))
        if len(set(knobs)) != len(knobs):
            raise ValueError(f"Argument 'knobs' = {knobs!r} repeats a knob.")
        if self.execution == "Thread":
            values = {"elements_per_thread": self.size, "ffts_per_block": 1}
            return [tuple(values[k] for k in knobs)]
        base = self._description.replace(ffts_per_block=None, elements_per_thread=None)
        order = ("elements_per_thread", "ffts_per_block")
        wanted = tuple(k for k in order if k in knobs)
        combos = backend.query_knobs(base, wanted)
        result = {tuple(dict(zip(wanted, c, strict=True))[k] for k in knobs) for c in combos}
        return sorted(result)

    # ---- execution ----------------------------------------------------------------------

    def execute(self, *args) -> None:
        """Run the FFT inside a kernel: ``(thread_data, smem)``, ``(smem)`` or ``(thread_data)``.

        Only meaningful inside ``@cuda.jit`` kernels (where it compiles to the inlined cuFFTDx
        call) and under the CUDA simulator (where it runs the reference implementation).

        Example:
            >>> fft.execute(thread_data, smem)  # doctest: +SKIP
        """
        if simulator_enabled():
            from nvmath.device import simulator

            return simulator.execute(self, *args)
        raise RuntimeError(
            "FFT.execute() runs inside @cuda.jit kernels only (or under NUMBA_ENABLE_CUDASIM=1); "
            "for FFTs on host arrays use nvmath.fft."
        )

    # ---- code ---------------------------------------------------------------------------

    def ltoir(self, api: str = "register") -> tuple[str, bytes]:
        """Return ``(symbol, ltoir)`` of the device function for ``api`` (``'register'`` or ``'shared'``).

        Generated on first use (seconds) and cached on disk. Kernels call this themselves
        when compiled; call it directly to warm the cache. (A kernel's c2c inverse on
        ``thread_data`` links the forward FFT's function between two real/imaginary swaps:
        :func:`nvmath.device.lto.fft.kernel_code_description`.)

        Example:
            >>> symbol, code = fft.ltoir()  # doctest: +SKIP
        """
        check_choice("api", api, ("register", "shared"))
        if api == "shared" and self.execution == "Thread":
            raise ValueError("Argument 'api' = 'shared' is not supported with execution='Thread'.")
        return backend.generate_ltoir(self._description, api)

    def __repr__(self) -> str:
        d = self._description
        extra = ""
        if d.execution == "Block":
            extra = f", ffts_per_block={self.ffts_per_block}, elements_per_thread={self.elements_per_thread}"
        if self._real_fft_options:
            extra += f", real_fft_options={self._real_fft_options}"
        return (
            f"FFT(size={d.size}, precision={self._precision.__name__}, fft_type={d.fft_type!r}, "
            f"execution={d.execution!r}, direction={d.direction!r}, sm={d.sm}{extra})"
        )

    def __eq__(self, other) -> bool:
        return isinstance(other, FFT) and other._description == self._description

    def __hash__(self) -> int:
        return hash(self._description)


@functools.cache
def _element_type(value_type):
    """Map a libmathdx value type to the kernel-side type (Numba) or, in the simulator, a NumPy dtype."""
    from nvmath.device import element_types

    if simulator_enabled():
        return element_types.numpy_type(value_type)
    return element_types.numba_type(value_type)
