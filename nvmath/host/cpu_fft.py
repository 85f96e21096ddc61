"""The CPU execution space of :mod:`nvmath.fft`: host operands transformed by Intel oneMKL (DFTI).

:class:`CPUTransform` turns one planned :class:`~nvmath.host.fft_layout.FFTLayout` of a host
operand (a NumPy array or a CPU ``torch.Tensor``) into committed MKL descriptors, made once and
reused by every execution. It reads the operand where it lies, with its own strides (MKL's
layout takes one stride per transformed axis, so any view the GPU path accepts works without a
copy, e.g. axes ``(0, 2)`` of a C-contiguous 3-D array); batch axes MKL cannot merge into one
distance become a loop of MKL calls. Operands with negative or zero strides are read through a
dense copy, as the GPU path does for host operands.

Results are arrays of the operand's package with the layout the GPU path gives
(``result_layout``); in-place C2C transforms overwrite the operand. Inverse transforms are not
normalised (cuFFT's convention). Callbacks (prolog/epilog) are GPU code and are refused.

Example:
    >>> import numpy as np
    >>> import nvmath
    >>> x = np.random.rand(8, 64) + 1j * np.random.rand(8, 64)
    >>> y = nvmath.fft.fft(x, axes=(-1,), execution="cpu")  # doctest: +SKIP
    >>> np.allclose(y, np.fft.fft(x, axis=-1))  # doctest: +SKIP
    True
"""

from __future__ import annotations

import ctypes
import itertools
import logging
import math
import os
import sys
import time

import numpy as np

from nvmath.bindings import mkl_dfti
from nvmath.host import operands as _ops
from nvmath.host.fft_layout import FFTLayout, result_dtype

__all__ = ["CPUTransform", "available_cpus", "check_cpu_operand", "check_no_callbacks", "load_mkl"]

_CV = mkl_dfti.ConfigValue
_CP = mkl_dfti.ConfigParam
_PRECISION = {
    "complex64": _CV.SINGLE,
    "float32": _CV.SINGLE,
    "complex128": _CV.DOUBLE,
    "float64": _CV.DOUBLE,
}


def available_cpus() -> int:
    """The CPUs this process may run on: the default ``num_threads`` of :class:`~nvmath.fft.ExecutionCPU`.

    Example:
        >>> available_cpus() >= 1
        True
    """
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def load_mkl() -> ctypes.CDLL:
    """The MKL runtime library (loaded once).

    Raises:
        nvmath.bindings.mkl_dfti.MKLNotFoundError: MKL is not installed; the message names the
            extra to install (``pip install 'nvmath[cpu]'``).

    Example:
        >>> load_mkl()  # doctest: +SKIP
        <CDLL '.../libmkl_rt.so.3', handle ... at ...>
    """
    try:
        return mkl_dfti.library()
    except mkl_dfti.MKLNotFoundError as exc:
        raise mkl_dfti.MKLNotFoundError(f"execution='cpu' is not available here: {exc}") from None


def check_cpu_operand(op: _ops.Operand) -> None:
    """Raise unless ``op`` can be transformed on the CPU (host memory, a precision MKL computes).

    Example:
        >>> from nvmath.host.operands import wrap_operand
        >>> check_cpu_operand(wrap_operand(np.ones(4, np.complex64)))
    """
    if not op.on_host:
        raise TypeError(
            f"execution='cpu' transforms host arrays, and the operand is a {op.describe()}: use execution='cuda' "
            "(or leave execution None) for GPU operands, or copy the operand to the host first "
            "(cupy.asnumpy(x), tensor.cpu())."
        )
    if op.dtype not in _PRECISION:
        raise TypeError(
            f"execution='cpu' supports float32, float64, complex64 and complex128 operands, and the operand is "
            f"{op.dtype}: MKL has no half precision FFT; use execution='cuda' or convert the operand."
        )


def check_no_callbacks(prolog, epilog) -> None:
    """Callbacks are cuFFT LTO-IR device code: raise if one is given for the CPU.

    Example:
        >>> check_no_callbacks(None, None)
    """
    for phase, cb in (("prolog", prolog), ("epilog", epilog)):
        if cb is not None:
            raise ValueError(
                f"Argument {phase!r} = {_short(cb)} is a GPU callback (LTO-IR for cuFFT) and cannot run with "
                "execution='cpu': use execution='cuda', or apply the function to the NumPy array before/after "
                "the transform."
            )


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _merge_batch(shape, in_strides, out_strides, axes) -> list[tuple[int, int, int]]:
    """Batch axes (outermost first) merged where both layouts allow: ``[(count, in_dist, out_dist)]``."""
    groups: list[list[int]] = []
    for a in axes:
        if groups:
            outer = groups[-1][-1]
            if in_strides[a] * shape[a] == in_strides[outer] and out_strides[a] * shape[a] == out_strides[outer]:
                groups[-1].append(a)
                continue
        groups.append([a])
    merged = []
    for g in groups:
        inner = g[-1]
        merged.append((math.prod(shape[a] for a in g), in_strides[inner], out_strides[inner]))
    return merged


class _Descriptor:
    """One committed DFTI descriptor (one direction, one layout pair) and its compute function."""

    __slots__ = ("handle", "c_handle", "compute")

    def __init__(self, handle: int, compute) -> None:
        self.handle = handle
        self.c_handle = ctypes.c_void_p(handle)
        self.compute = compute

    def free(self) -> None:
        handle, self.handle = self.handle, None
        if handle is not None:
            mkl_dfti.free_descriptor(handle)


class CPUTransform:
    """MKL plans for one FFT layout of host operands, and their execution.

    Args:
        layout: the planned layout (:func:`~nvmath.host.fft_layout.plan_layout`): lengths, axes,
            result shape and strides.
        op: the operand (host memory); its own strides are what MKL reads.
        inplace: overwrite the operand (C2C only).
        num_threads: MKL threads per transform; None: :func:`available_cpus`.
        logger: where plan creation is logged (INFO, with its duration).

    Example:
        >>> from nvmath.host.fft_layout import plan_layout
        >>> from nvmath.host.operands import wrap_operand
        >>> x = np.ones((4, 16), np.complex128)
        >>> t = CPUTransform(plan_layout(x.shape, (16, 1), axes=(-1,), fft_type="C2C"), wrap_operand(x))
        >>> t.plan("forward")  # doctest: +SKIP
        >>> y = t.execute("forward")  # doctest: +SKIP
    """

    def __init__(self, layout: FFTLayout, op: _ops.Operand, *, inplace: bool = False, num_threads: int | None = None,
                 logger: logging.Logger | None = None) -> None:  # fmt: skip
        check_cpu_operand(op)
        self._lib = load_mkl()
        self.layout = layout
        self.fft_type = layout.fft_type
        self.inplace = inplace
        self.num_threads = num_threads or available_cpus()
        # The descriptor's THREAD_LIMIT caps its threads; a count above MKL's default also needs
        # the calling thread's MKL setting raised around commit and compute.
        self._raise_threads = self.num_threads > mkl_dfti.get_max_threads()
        self.logger = logger or logging.getLogger("nvmath")
        self.package = op.package
        self.operand_dtype = op.dtype
        self.result_dtype = result_dtype(self.fft_type, op.dtype)
        self.strides = op.strides  # what the descriptors are made for
        self.staged = any(op.strides[a] <= 0 for a in range(len(op.shape)) if op.shape[a] > 1)
        in_strides = layout.input_strides if self.staged else op.strides
        self._in_strides = in_strides
        self._out_strides = in_strides if inplace else layout.result_strides
        self._in_itemsize = np.dtype(op.dtype).itemsize
        self._out_itemsize = np.dtype(self.result_dtype).itemsize
        self._descriptors: dict[str, _Descriptor] = {}
        self._loops: list[tuple[int, int, int]] = []  # Python-level batch loops: (count, in_bytes, out_bytes)
        self._batch = (1, 0, 0)
        self._plan_batches()
        self._results: list = []
        self._free_refs = None
        self._new_result = self._result_factory()
        self._op = None
        self._c_in = None
        self.use(op)

    # ---- planning -------------------------------------------------------------------------

    def _plan_batches(self) -> None:
        lay = self.layout
        groups = _merge_batch(lay.input_shape, self._in_strides, self._out_strides, lay.batch_axes)
        if groups:
            best = max(range(len(groups)), key=lambda i: groups[i][0])
            self._batch = groups[best]
            self._loops = [
                (count, din * self._in_itemsize, dout * self._out_itemsize)
                for i, (count, din, dout) in enumerate(groups)
                if i != best
            ]

    def _make(self, direction: str) -> _Descriptor:
        """Create and commit the descriptor that computes ``direction`` for this layout."""
        lay = self.layout
        start = time.perf_counter()
        lengths = list(lay.n)
        domain = _CV.COMPLEX if self.fft_type == "C2C" else _CV.REAL
        handle = mkl_dfti.create_descriptor(_PRECISION[self.operand_dtype], domain, lengths)
        try:
            in_s = [0, *(self._in_strides[a] for a in lay.transform_axes)]
            out_s = [0, *(self._out_strides[a] for a in lay.transform_axes)]
            count, in_dist, out_dist = self._batch
            # DFTI's FWD_* describe the forward domain (the input of a forward transform, the
            # output of a backward one), BWD_* the backward domain.
            fwd, bwd = (in_s, out_s) if direction == "forward" else (out_s, in_s)
            fwd_dist, bwd_dist = (in_dist, out_dist) if direction == "forward" else (out_dist, in_dist)
            set_value = mkl_dfti.set_value
            set_value(handle, _CP.PLACEMENT, _CV.INPLACE if self.inplace else _CV.NOT_INPLACE)
            if domain == _CV.REAL:
                set_value(handle, _CP.CONJUGATE_EVEN_STORAGE, _CV.COMPLEX_COMPLEX)
            set_value(handle, _CP.FWD_STRIDES, fwd)
            set_value(handle, _CP.BWD_STRIDES, bwd)
            if count > 1:
                set_value(handle, _CP.NUMBER_OF_TRANSFORMS, count)
                set_value(handle, _CP.FWD_DISTANCE, fwd_dist)
                set_value(handle, _CP.BWD_DISTANCE, bwd_dist)
            set_value(handle, _CP.THREAD_LIMIT, self.num_threads)
            with _ThreadScope(self.num_threads if self._raise_threads else None):
                mkl_dfti.commit_descriptor(handle)
        except BaseException:
            mkl_dfti.free_descriptor(handle)
            raise
        compute = self._lib.DftiComputeForward if direction == "forward" else self._lib.DftiComputeBackward
        desc = _Descriptor(handle, compute)
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info(
                "MKL %s %s plan %s committed in %.3f ms (%s threads)",
                self.fft_type, direction, lay.describe(), (time.perf_counter() - start) * 1e3,
                self.num_threads,
            )  # fmt: skip
        return desc

    def plan(self, direction: str) -> None:
        """Commit the descriptor of ``direction`` (``'forward'`` / ``'inverse'``) if not done yet."""
        if direction not in self._descriptors:
            self._descriptors[direction] = self._make(direction)

    def _threads(self):
        return _ThreadScope(self.num_threads if self._raise_threads else None)

    # ---- operands and results ---------------------------------------------------------------

    def use(self, op: _ops.Operand) -> None:
        """Read ``op`` in the next executions (checked against the plan by the caller)."""
        self._op = op
        self._c_in = ctypes.c_void_p(op.data_ptr)

    def release(self) -> None:
        """Drop the reference to the operand."""
        self._op = None
        self._c_in = None

    def check_strides(self, op: _ops.Operand) -> None:
        """Raise unless ``op`` has the strides the plan reads (any strides for a plan reading a copy)."""
        if not self.staged and op.strides != self.strides:
            raise ValueError(
                f"The new operand's strides are {op.strides} (elements); this FFT was planned for strides "
                f"{self.strides}: pass an operand with the same layout or create a new FFT."
            )

    def _result_factory(self):
        lay = self.layout
        shape, dtype = lay.result_shape, self.result_dtype
        strides = lay.result_strides
        if self.package == "torch":
            import torch

            tdtype = getattr(torch, dtype)

            def new_torch():
                result = torch.empty_strided(shape, strides, dtype=tdtype)
                return result, ctypes.c_void_p(result.data_ptr())

            return new_torch
        np_dtype = np.dtype(dtype)
        if strides == _ops.c_strides(shape):

            def new_c():
                result = np.empty(shape, np_dtype)
                return result, ctypes.c_void_p(result.ctypes.data)

            return new_c
        count = math.prod(shape)
        byte_strides = tuple(s * np_dtype.itemsize for s in strides)

        def new_strided():
            base = np.empty(count, np_dtype)
            result = np.ndarray(shape, np_dtype, buffer=base, strides=byte_strides)
            return result, ctypes.c_void_p(base.ctypes.data)

        return new_strided

    def _result(self):
        """A result array and its address; one the caller no longer references is reused."""
        free = self._free_refs
        for entry in self._results:
            if sys.getrefcount(entry[0]) == free:  # only the entry refers to it
                return entry
        entry = self._new_result()
        if len(self._results) >= 2:
            self._results.pop(0)
        self._results.append(entry)
        if free is None:  # what getrefcount says of a result only the entry holds, on this interpreter
            self._free_refs = sys.getrefcount(entry[0])
        return entry

    # ---- execution --------------------------------------------------------------------------

    def execute(self, direction: str):
        """Transform the current operand in ``direction`` and return the result (the operand if in place).

        Raises:
            nvmath.bindings.mkl_dfti.MKLDFTIError: MKL failed.
        """
        desc = self._descriptors.get(direction)
        if desc is None:
            self.plan(direction)
            desc = self._descriptors[direction]
        if self.staged:
            return self._execute_staged(desc)
        if self.inplace:
            result, c_out = self._op.obj, self._c_in
        else:
            result, c_out = self._result()
        if self._loops or self._raise_threads:
            self._compute(desc, self._c_in.value, c_out.value)
        else:
            status = desc.compute(desc.c_handle, self._c_in, c_out)
            if status:
                raise _exec_error(status, self.layout)
        return result

    def _compute(self, desc: _Descriptor, in_ptr: int, out_ptr: int) -> None:
        compute, handle = desc.compute, desc.c_handle
        with self._threads():
            if not self._loops:
                status = compute(handle, ctypes.c_void_p(in_ptr), ctypes.c_void_p(out_ptr))
                if status:
                    raise _exec_error(status, self.layout)
                return
            ranges = [range(count) for count, _, _ in self._loops]
            for index in itertools.product(*ranges):
                di = sum(i * step for i, (_, step, _) in zip(index, self._loops, strict=True))
                do = sum(i * step for i, (_, _, step) in zip(index, self._loops, strict=True))
                status = compute(handle, ctypes.c_void_p(in_ptr + di), ctypes.c_void_p(out_ptr + do))
                if status:
                    raise _exec_error(status, self.layout)

    def _execute_staged(self, desc: _Descriptor):
        """Operands with negative or zero strides: read (and for in-place, write back) a dense copy."""
        op, lay = self._op, self.layout
        dense = _ops.empty_like_package(op.package, op.shape, lay.input_strides, op.dtype, None)
        dense[...] = op.obj
        in_ptr = _ops.data_pointer(dense)
        if self.inplace:
            self._compute(desc, in_ptr, in_ptr)
            op.obj[...] = dense
            return op.obj
        result, c_out = self._new_result()
        self._compute(desc, in_ptr, c_out.value)
        return result

    def free(self) -> None:
        """Free the descriptors (idempotent)."""
        descriptors, self._descriptors = self._descriptors, {}
        for desc in descriptors.values():
            desc.free()
        self._results = []
        self.release()


class _ThreadScope:
    """``MKL_Set_Num_Threads_Local(n)`` for the calling thread inside a with-block (nothing for None)."""

    __slots__ = ("n", "previous")

    def __init__(self, n: int | None) -> None:
        self.n = n
        self.previous = 0

    def __enter__(self):
        if self.n is not None:
            self.previous = mkl_dfti.library().MKL_Set_Num_Threads_Local(self.n)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.n is not None:
            mkl_dfti.library().MKL_Set_Num_Threads_Local(self.previous)


def _exec_error(status: int, layout: FFTLayout) -> mkl_dfti.MKLDFTIError:
    return mkl_dfti.MKLDFTIError(status, f"DftiCompute for {layout.describe()}", mkl_dfti.error_message(status))
