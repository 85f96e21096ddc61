"""The cuBLASDx tensor API for kernels: opaque tensors, copies between memory spaces, register fragments.

A tensor is an array seen through a :class:`~nvmath.device.matmul.Layout` of a
:class:`~nvmath.device.Matmul` (``MM.get_layout_gmem_a(ld)``, ``MM.suggest_layout_smem_a()``,
...): ``make_tensor(array, layout)``. Block-wide copies (:func:`copy`, asynchronous where the
hardware allows: wait with :func:`copy_wait`), register fragments (``MM.suggest_accumulator()``,
:func:`make_fragment_like`) and their arithmetic (:func:`clear`, :func:`axpby`) are cuBLASDx's own
device functions, generated when a kernel that uses them is compiled and fully inlined.

These functions run inside ``@cuda.jit`` kernels (and under ``NUMBA_ENABLE_CUDASIM=1``, where
they are NumPy references); called elsewhere they raise ``RuntimeError``.

Example:
    >>> from numba import cuda
    >>> from nvmath.device import copy, copy_wait, make_tensor
    >>> @cuda.jit
    ... def kernel(a, b, c):  # doctest: +SKIP
    ...     smem_a = cuda.shared.array(MM.a_size, MM.a_value_type)
    ...     copy(make_tensor(a, MM.get_layout_gmem_a()), make_tensor(smem_a, MM.suggest_layout_smem_a()))
    ...     copy_wait()
"""

from __future__ import annotations

from nvmath.device.common import simulator_enabled

__all__ = ["axpby", "clear", "copy", "copy_wait", "make_fragment_like", "make_tensor"]


def _kernel_only(name: str, *args):
    if simulator_enabled():
        from nvmath.device import simulator_matmul

        return getattr(simulator_matmul, name)(*args)
    raise RuntimeError(f"nvmath.device.{name}() runs inside @cuda.jit kernels only (or under NUMBA_ENABLE_CUDASIM=1).")


def make_tensor(array, layout):
    """An opaque tensor: ``array`` (global, shared or register memory) seen through ``layout``.

    Args:
        array: a 1-D (or, for global memory, any contiguous) array holding the matrix; its
            dtype is the matrix's element type (or, for bfloat16 / fp8 data, an unsigned
            integer of the same width carrying the bits).
        layout: from ``MM.get_layout_gmem_a(ld)``, ``MM.get_layout_smem_b()``,
            ``MM.suggest_layout_smem_c()`` ...

    Example:
        >>> gmem_a = make_tensor(a, MM.get_layout_gmem_a())  # doctest: +SKIP
    """
    return _kernel_only("make_tensor", array, layout)


def copy(src, dst):
    """Copy a matrix between tensors (global <-> shared, shared/global <-> this thread's register part).

    All threads of the block call it. Global-to-shared copies may be asynchronous: call
    :func:`copy_wait` before reading ``dst``.

    Example:
        >>> copy(gmem_a, smem_a)  # doctest: +SKIP
    """
    return _kernel_only("copy", src, dst)


def copy_wait():
    """Wait until the block's copies are complete: a synchronization point of the block (cuBLASDx's copy_wait).

    Example:
        >>> copy_wait()  # doctest: +SKIP
    """
    return _kernel_only("copy_wait")


def clear(tensor):
    """Set a register fragment (or accumulator) to zero.

    Example:
        >>> clear(acc)  # doctest: +SKIP
    """
    return _kernel_only("clear", tensor)


def axpby(alpha, x, beta, y):
    """``y = alpha * x + beta * y`` on register fragments of one partition.

    Example:
        >>> axpby(1.0, acc.get_results(), 1.0, frag_c)  # doctest: +SKIP
    """
    return _kernel_only("axpby", alpha, x, beta, y)


def make_fragment_like(tensor, dtype):
    """A new register fragment with the partition of ``tensor`` and elements of ``dtype``.

    Example:
        >>> out = make_fragment_like(acc.get_results(), numba.float16)  # doctest: +SKIP
    """
    return _kernel_only("make_fragment_like", tensor, dtype)
