"""Pure-Python reference of ``FFT.execute`` for Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``).

Kernels written for the GPU run unchanged on the CPU: ``fft.execute`` reads the threads'
register (or shared) arrays with cuFFTDx's data layout, computes the transforms with NumPy
in float64, and writes the results back in the same layout. The layout follows the FFT's
libmathdx traits (``input_type``/``output_type``, ``input_length``/``output_length``,
``input_elements_per_thread``/``output_elements_per_thread``, ``stride``), as cuFFTDx's own
load/store code does:

- element ``i`` of thread ``t`` (``threadIdx.x``) is element ``t + i * fft.stride`` of the
  input (or output) held by thread row ``threadIdx.y`` (Thread execution: one thread,
  stride 1), for ``i`` below ``input_elements_per_thread`` (``output_elements_per_thread``)
  and ``t + i * stride`` below ``input_length`` (``output_length``);
- a real side (r2c input, c2r output, ``real_mode='normal'``) is the array viewed as real
  numbers; with ``real_mode='folded'`` both sides are complex: the ``size`` real values are
  read (or written) as ``size // 2`` complex values, real value ``2k`` as the real part and
  ``2k + 1`` as the imaginary part of complex element ``k``;
- half precision packs two transforms per element (``float16x4 = (re0, re1, im0, im1)``,
  ``float16x2 = (x0, x1)``);
- both directions are unnormalized (``inverse(forward(x)) == size * x``);
- the shared-memory API (``fft.execute(smem)``) reads the input of thread row ``y`` from
  ``smem`` viewed as ``input_type`` elements at ``y * input_length + k``, and writes the
  output, viewed as ``output_type`` elements, at ``y * output_length + k`` (c2c: both
  ``y * size + k``; r2c: ``size`` reals in, ``size // 2 + 1`` complex out). Every row is read
  before any is written, so the real and complex views may overlap.

Supported complex layouts: ``natural``, ``packed``, ``full``; real modes ``normal`` and
``folded``.

Example:
    >>> # NUMBA_ENABLE_CUDASIM=1 python my_kernel.py  runs my_kernel's FFTs here
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["execute", "reference_transform", "shared_api_bytes"]

_lock = threading.Lock()
_pending: dict[tuple, dict[tuple[int, int], np.ndarray]] = {}

_REAL = {"f16": np.float16, "f32": np.float32, "f64": np.float64}


def reference_transform(fft, x: np.ndarray) -> np.ndarray:
    """Apply ``fft`` (an :class:`nvmath.device.FFT`) to one input vector in float64, unnormalized.

    ``x`` holds ``fft.input_length`` elements of ``fft.input_type`` (complex, or real for an
    r2c input with ``real_mode='normal'``); the result holds ``fft.output_length`` elements of
    ``fft.output_type`` in the FFT's complex layout. With ``real_mode='folded'`` the real side
    is ``size // 2`` complex numbers ``x[2k] + 1j * x[2k + 1]``.

    Example:
        >>> reference_transform(fft, np.ones(8)).real[0]  # doctest: +SKIP
        8.0
    """
    d = fft.description
    n = d.size
    layout = d.complex_layout or "natural"
    folded = d.real_mode == "folded"
    if folded and d.fft_type == "r2c":  # size // 2 complex numbers -> size real numbers
        x = np.asarray(x, dtype=np.complex128)
        x = np.stack([x.real, x.imag], axis=-1).reshape(-1)
    if d.fft_type == "c2c":
        x = np.asarray(x, dtype=np.complex128)
        return np.fft.fft(x) if d.direction == "forward" else np.fft.ifft(x, norm="forward")
    if d.fft_type == "r2c":
        full = np.fft.fft(np.asarray(x, dtype=np.float64).real)
        if layout == "full":
            return full
        half = full[: n // 2 + 1].copy()
        if layout == "packed":
            packed = half[: n // 2].copy()
            packed[0] = complex(half[0].real, half[n // 2].real)
            return packed
        return half
    # c2r
    x = np.asarray(x, dtype=np.complex128)
    if layout == "packed":
        x = np.concatenate([[complex(x[0].real, 0.0)], x[1:], [complex(x[0].imag, 0.0)]])
    elif layout == "full":
        x = x[: n // 2 + 1]
    y = np.fft.irfft(x, n=n, norm="forward")
    return y[0::2] + 1j * y[1::2] if folded else y


def _check_args(fft, args) -> str:
    expected = np.dtype(fft.value_type)
    if fft.execution == "Thread":
        if len(args) != 1:
            raise TypeError(f"FFT.execute takes (thread_data) for Thread execution, got {len(args)} arguments")
    elif len(args) not in (1, 2):
        raise TypeError(f"FFT.execute takes (thread_data, smem) or (smem) for Block execution, got {len(args)}")
    for index, arg in enumerate(args):
        if not isinstance(arg, np.ndarray) or arg.ndim != 1 or arg.dtype != expected:
            got = f"{arg.ndim}-D array of {arg.dtype}" if isinstance(arg, np.ndarray) else type(arg).__name__
            raise TypeError(f"FFT.execute argument {index} must be a 1-D array of {expected}, got {got}")
    return "shared" if fft.execution == "Block" and len(args) == 1 else "register"


def _is_real(value_type) -> bool:
    """Whether a libmathdx value type (``CommondxValueType``) is a real one (``R_*``)."""
    return value_type.name.startswith("R_")


class _Side:
    """How one side (input or output) of the transform sits in an array (registers or shared).

    Element ``e`` of the side, for transform ``batch`` of the ``implicit_type_batching`` ones
    an element carries, is at scalar ``B * e + batch`` of the array viewed as real numbers
    (real side), or at ``2B * e + batch`` (real part) and ``2B * e + B + batch`` (imaginary
    part) (complex side).
    """

    def __init__(self, fft, is_input: bool) -> None:
        traits = fft.traits
        self.batches = fft.implicit_type_batching
        self.length = fft.input_length if is_input else fft.output_length
        self.per_thread = fft.input_elements_per_thread if is_input else fft.output_elements_per_thread
        self.stride = fft.stride
        self.real = _is_real(traits.input_type if is_input else traits.output_type)

    @property
    def scalars_per_element(self) -> int:
        return self.batches * (1 if self.real else 2)

    def positions(self, thread: int):
        """(register index, transform index) pairs held by ``thread``."""
        for i in range(self.per_thread):
            k = thread + i * self.stride
            if k < self.length:
                yield i, k

    def read(self, f: np.ndarray, i: int, batch: int):
        b = self.batches
        if self.real:
            return f[b * i + batch]
        return complex(f[2 * b * i + batch], f[2 * b * i + b + batch])

    def write(self, f: np.ndarray, i: int, batch: int, value) -> None:
        b = self.batches
        if self.real:
            f[b * i + batch] = np.real(value)
        else:
            f[2 * b * i + batch] = value.real
            f[2 * b * i + b + batch] = value.imag


def _transform_rows(fft, rows: dict[int, dict[int, np.ndarray]]) -> None:
    """``rows[y][x]`` is the register array of thread (x, y); transform each row in place."""
    real = _REAL[fft.description.precision]
    source, target = _Side(fft, True), _Side(fft, False)
    for threads in rows.values():
        views = {x: arr.view(real) for x, arr in threads.items()}
        for batch in range(fft.implicit_type_batching):
            x_in = np.zeros(source.length, dtype=np.complex128)
            for t, f in views.items():
                for i, k in source.positions(t):
                    x_in[k] = source.read(f, i, batch)
            y = reference_transform(fft, x_in if not source.real else x_in.real)
            for t, f in views.items():
                for i, k in target.positions(t):
                    target.write(f, i, batch, y[k])


def shared_api_bytes(fft) -> int:
    """Bytes of shared memory the data of ``fft.execute(smem)`` occupies (all thread rows).

    Row ``y`` holds its input at ``y * input_length`` ``input_type`` elements and its output at
    ``y * output_length`` ``output_type`` elements, so the larger of the two sides counts. The
    kernel must launch with at least ``max(fft.shared_memory_size, shared_api_bytes(fft))``.

    Example:
        >>> shared_api_bytes(FFT(64, np.float32, "r2c", "Block", sm=90))  # doctest: +SKIP
        264
    """
    itemsize = np.dtype(_REAL[fft.description.precision]).itemsize
    rows = fft.block_dim.y
    sides = (_Side(fft, True), _Side(fft, False))
    return max(rows * side.length * side.scalars_per_element * itemsize for side in sides)


def _transform_shared(fft, smem: np.ndarray, rows: int) -> None:
    f = smem.view(_REAL[fft.description.precision])
    needed = shared_api_bytes(fft)
    if f.nbytes < needed:
        raise ValueError(
            f"fft.execute(smem): smem holds {f.nbytes} bytes, the shared-memory API needs {needed} "
            f"({rows} thread rows of input_length={fft.input_length} / output_length={fft.output_length} "
            "elements); launch with max(fft.shared_memory_size, that many) bytes of dynamic shared memory."
        )
    source, target = _Side(fft, True), _Side(fft, False)
    results = []
    for row in range(rows):  # cuFFTDx reads every row into registers before writing any back
        for batch in range(fft.implicit_type_batching):
            x = np.array([source.read(f, row * source.length + k, batch) for k in range(source.length)])
            results.append((row, batch, reference_transform(fft, x)))
    for row, batch, y in results:
        for k in range(target.length):
            target.write(f, row * target.length + k, batch, y[k])


def execute(fft, *args) -> None:
    """Simulator implementation of ``fft.execute(*args)`` (called from simulated kernel threads).

    Example:
        >>> execute(fft, thread_data, smem)  # doctest: +SKIP
    """
    api = _check_args(fft, args)
    if fft.execution == "Thread":
        _transform_rows(fft, {0: {0: args[0]}})
        return
    # The simulator runs each CUDA thread as a Python thread that knows its indices.
    me = threading.current_thread()
    tx, ty = me.threadIdx.x, me.threadIdx.y
    key = (id(fft), *me.blockIdx)
    leader = tx == 0 and ty == 0 and me.threadIdx.z == 0
    if api == "register":
        with _lock:
            _pending.setdefault(key, {})[(tx, ty)] = args[0]
    me.syncthreads()
    if leader:
        if api == "register":
            with _lock:
                threads = _pending.pop(key)
            rows: dict[int, dict[int, np.ndarray]] = {}
            for (x, y), arr in threads.items():
                rows.setdefault(y, {})[x] = arr
            _transform_rows(fft, rows)
        else:
            _transform_shared(fft, args[0], fft.block_dim.y)
    me.syncthreads()
