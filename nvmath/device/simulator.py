"""Pure-Python reference of ``FFT.execute`` for Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``).

Kernels written for the GPU run unchanged on the CPU: ``fft.execute`` reads the threads'
register (or shared) arrays with cuFFTDx's data layout, computes the transforms with NumPy
in float64, and writes the results back in the same layout:

- element ``i`` of thread ``t`` (``threadIdx.x``) is element ``t + i * fft.stride`` of the
  transform held by thread row ``threadIdx.y`` (Thread execution: one thread, stride 1);
- real data (r2c input, c2r output) is the register array viewed as real numbers;
- half precision packs two transforms per element (``float16x4 = (re0, re1, im0, im1)``,
  ``float16x2 = (x0, x1)``);
- both directions are unnormalized (``inverse(forward(x)) == size * x``);
- the shared-memory API holds transform ``j`` of the block at ``smem[j * size + k]`` (c2c).

Supported complex layouts: ``natural``, ``packed``, ``full``; real mode ``normal``.

Example:
    >>> # NUMBA_ENABLE_CUDASIM=1 python my_kernel.py  runs my_kernel's FFTs here
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["execute", "reference_transform"]

_lock = threading.Lock()
_pending: dict[tuple, dict[tuple[int, int], np.ndarray]] = {}

_REAL = {"f16": np.float16, "f32": np.float32, "f64": np.float64}


def reference_transform(fft, x: np.ndarray) -> np.ndarray:
    """Apply ``fft`` (an :class:`nvmath.device.FFT`) to one input vector in float64, unnormalized.

    ``x`` holds ``fft.input_length`` elements (complex, or real for r2c); the result holds
    ``fft.output_length`` elements in the FFT's complex layout.

    Example:
        >>> reference_transform(fft, np.ones(8)).real[0]  # doctest: +SKIP
        8.0
    """
    d = fft.description
    n = d.size
    layout = d.complex_layout or "natural"
    if d.real_mode not in (None, "normal"):
        raise NotImplementedError("the simulator supports real_mode='normal' only")
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
    return np.fft.irfft(x, n=n, norm="forward")


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


class _Side:
    """How one side (input or output) of the transform sits in a thread's array."""

    def __init__(self, fft, is_input: bool) -> None:
        d = fft.description
        self.batches = fft.implicit_type_batching
        self.length = fft.input_length if is_input else fft.output_length
        self.per_thread = fft.input_elements_per_thread if is_input else fft.output_elements_per_thread
        self.stride = fft.stride
        self.real = (d.fft_type == "r2c" and is_input) or (d.fft_type == "c2r" and not is_input)

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


def _transform_shared(fft, smem: np.ndarray, rows: int) -> None:
    if fft.fft_type != "c2c":
        raise NotImplementedError("the simulator supports the shared-memory API (fft.execute(smem)) for c2c only")
    real = _REAL[fft.description.precision]
    f = smem.view(real)
    n, b = fft.size, fft.implicit_type_batching
    for row in range(rows):
        for batch in range(b):
            base = row * n
            x = np.array([complex(f[2 * b * (base + k) + batch], f[2 * b * (base + k) + b + batch]) for k in range(n)])
            y = reference_transform(fft, x)
            for k in range(n):
                f[2 * b * (base + k) + batch] = y[k].real
                f[2 * b * (base + k) + b + batch] = y[k].imag


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
