"""One operand layer for the host APIs: NumPy arrays, CuPy arrays and PyTorch tensors.

:func:`wrap_operand` reads what a host API needs to know about a user's array (package, device,
shape, strides in elements, dtype, data pointer) without copying it and without touching the
GPU, so that every check can run before any GPU work. NumPy arrays and CuPy arrays are read
through ``cuda.core``'s ``StridedMemoryView``; PyTorch tensors through their own attributes
(DLPack has no ``complex32``). CuPy and PyTorch are imported only when an operand of theirs is
seen.

The remaining functions create arrays of the operand's package (results), and move data between
host and device on a given stream.

Example:
    >>> import numpy as np
    >>> from nvmath.host.operands import wrap_operand
    >>> op = wrap_operand(np.zeros((4, 8), np.complex64)[:, ::2])
    >>> op.package, op.shape, op.strides, op.dtype, op.device_id
    ('numpy', (4, 4), (8, 2), 'complex64', None)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nvmath._gpu import check_driver, cuda_driver
from nvmath.host.streams import package_stream, torch_current_stream_function

__all__ = [
    "Operand",
    "c_strides",
    "dense_strides_like",
    "empty_like_package",
    "is_dense",
    "wrap_operand",
    "wrap_operands",
]

SUPPORTED_PACKAGES = "numpy.ndarray, cupy.ndarray or torch.Tensor"

# Element sizes in bytes of the dtypes the host APIs may see.
ITEMSIZE = {
    "float16": 2,
    "bfloat16": 2,
    "float32": 4,
    "float64": 8,
    "complex32": 4,
    "complex64": 8,
    "complex128": 16,
}

_TORCH_DTYPE_NAMES = {
    "torch.float16": "float16",
    "torch.bfloat16": "bfloat16",
    "torch.float32": "float32",
    "torch.float64": "float64",
    "torch.complex32": "complex32",
    "torch.complex64": "complex64",
    "torch.complex128": "complex128",
}


@dataclass(slots=True)
class Operand:
    """What the host APIs know about one user array.

    Attributes:
        obj: the user's array (kept alive by this object).
        package: ``"numpy"``, ``"cupy"`` or ``"torch"``.
        shape: the shape.
        strides: the strides in elements (not bytes).
        dtype: the dtype name, e.g. ``"complex64"`` (``"complex32"`` for ``torch.complex32``).
        itemsize: bytes per element (0 for dtypes the host APIs never use).
        device_id: the CUDA device, or None for host memory (NumPy, CPU tensors).
        data_ptr: the address of element ``(0, ..., 0)``.

    Example:
        >>> import numpy as np
        >>> wrap_operand(np.ones(3)).on_host
        True
    """

    obj: Any
    package: str
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    dtype: str
    itemsize: int
    device_id: int | None
    data_ptr: int

    @property
    def on_host(self) -> bool:
        """Whether the data lives in host memory."""
        return self.device_id is None

    @property
    def stream_package(self) -> str:
        """Whose current stream is the default: ``"cupy"``, ``"torch"`` or ``"host"``."""
        return "host" if self.device_id is None else self.package

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    def describe(self) -> str:
        """A one-line description for logs and error messages."""
        where = "host" if self.device_id is None else f"cuda:{self.device_id}"
        return f"{self.package} {self.dtype} array of shape {self.shape}, strides {self.strides} (elements), on {where}"


def c_strides(shape: Sequence[int]) -> tuple[int, ...]:
    """C-order (row-major) strides in elements.

    Example:
        >>> c_strides((2, 3, 4))
        (12, 4, 1)
    """
    strides = []
    step = 1
    for extent in reversed(shape):
        strides.append(step)
        step *= max(extent, 1)
    return tuple(reversed(strides))


def _memory_order(shape: Sequence[int], strides: Sequence[int]) -> list[int]:
    """Axes from outermost to innermost by stride (stable, by axis index for ties)."""
    return sorted(range(len(shape)), key=lambda a: (-abs(strides[a]), -a if shape[a] == 1 else a))


def is_dense(shape: Sequence[int], strides: Sequence[int]) -> bool:
    """Whether the elements fill a gapless block with positive strides, in some axis order.

    Example:
        >>> is_dense((3, 4), (1, 3)), is_dense((3, 4), (8, 2)), is_dense((3, 4), (-4, 1))
        (True, False, False)
    """
    step = 1
    for axis in reversed(_memory_order(shape, strides)):
        if shape[axis] == 1:
            continue
        if strides[axis] != step:
            return False
        step *= shape[axis]
    return True


def dense_strides_like(shape: Sequence[int], strides: Sequence[int]) -> tuple[int, ...]:
    """Dense strides with the same axis order (by stride) as ``strides``.

    Example:
        >>> dense_strides_like((3, 4), (2, 12))
        (1, 3)
    """
    result = [0] * len(shape)
    step = 1
    for axis in reversed(_memory_order(shape, strides)):
        result[axis] = step
        step *= max(shape[axis], 1)
    return tuple(result)


def dense_strides_in_order(shape: Sequence[int], order: Sequence[int]) -> tuple[int, ...]:
    """Dense strides for axes laid out in ``order`` (outermost first).

    Example:
        >>> dense_strides_in_order((3, 4, 5), (1, 0, 2))
        (5, 15, 1)
    """
    result = [0] * len(shape)
    step = 1
    for axis in reversed(order):
        result[axis] = step
        step *= max(shape[axis], 1)
    return tuple(result)


_ARRAY_PACKAGES: dict[type, str | None] = {}


def array_package(cls: type) -> str | None:
    """``"numpy"``, ``"cupy"`` or ``"torch"`` for an array type of that package, else None
    (memoised per type: the host APIs' hot paths call it).

    Example:
        >>> array_package(np.ndarray), array_package(list)
        ('numpy', None)
    """
    try:
        return _ARRAY_PACKAGES[cls]
    except KeyError:
        pass
    module = cls.__module__ or ""
    package = None
    if issubclass(cls, np.ndarray):
        package = "numpy"
    elif module.startswith("cupy"):
        if any(c.__name__ == "ndarray" and (c.__module__ or "").startswith("cupy") for c in cls.__mro__):
            package = "cupy"
    elif module.startswith("torch"):
        import torch  # already imported: the type comes from it

        if issubclass(cls, torch.Tensor):
            package = "torch"
    _ARRAY_PACKAGES[cls] = package
    return package


def wrap_operand(obj, name: str = "operand") -> Operand:
    """Describe ``obj`` (a NumPy/CuPy array or a PyTorch tensor) as an :class:`Operand`.

    No data is copied and the GPU is not touched.

    Raises:
        TypeError: if ``obj`` is not one of the supported array types (message names ``name``).

    Example:
        >>> import numpy as np
        >>> wrap_operand(np.zeros((2, 3), np.float32).T).strides
        (1, 3)
    """
    package = array_package(type(obj))
    if package == "torch":
        dtype = _TORCH_DTYPE_NAMES.get(str(obj.dtype), str(obj.dtype).removeprefix("torch."))
        device = obj.device
        device_id = None
        if device.type == "cuda":
            import torch

            device_id = device.index if device.index is not None else torch.cuda.current_device()
        elif device.type != "cpu":
            raise TypeError(
                f"Argument {name!r} is a torch.Tensor on device {device}: only 'cpu' and 'cuda' tensors are supported."
            )
        return Operand(
            obj, "torch", tuple(obj.shape), tuple(obj.stride()), dtype, ITEMSIZE.get(dtype, obj.element_size()),
            device_id, obj.data_ptr(),
        )  # fmt: skip
    if package is None:
        raise TypeError(
            f"Argument {name!r} must be a {SUPPORTED_PACKAGES}, not {type(obj).__module__}.{type(obj).__name__}."
        )
    from cuda.core.utils import StridedMemoryView

    _check_dtype(obj, name)
    if package == "cupy":  # its own attributes: ~10x faster than the CAI dictionary
        name, itemsize = _dtype_info(obj.dtype)
        strides = tuple(s // itemsize for s in obj.strides)
        return Operand(obj, "cupy", obj.shape, strides, name, itemsize, obj.device.id, obj.data.ptr)
    view = StridedMemoryView.from_any_interface(obj, stream_ptr=-1)
    device_id = None
    shape = tuple(view.shape)
    strides = tuple(view.strides) if view.strides is not None else c_strides(shape)
    name, itemsize = _dtype_info(view.dtype)
    return Operand(obj, package, shape, strides, name, itemsize, device_id, int(view.ptr))


_DTYPE_OK: dict = {}  # NumPy dtype -> None (readable) or why not
_ALLOWED_DTYPES = "bool, integers, float16/32/64, complex64/128 (torch also bfloat16, complex32, float8)"


def _check_dtype(obj, name: str) -> None:
    """Refuse dtypes DLPack cannot describe (object, structured, longdouble) before reading the array."""
    dtype = getattr(obj, "dtype", None)
    if dtype is None:
        return
    why = _DTYPE_OK.get(dtype, 0)
    if why == 0:
        try:
            np_dtype = np.dtype(dtype)
        except TypeError:
            why = "not a NumPy dtype"
        else:
            if np_dtype.fields is not None:
                why = "a structured dtype"
            elif np_dtype.kind not in "iufcb":
                why = f"of kind {np_dtype.kind!r}"
            elif np_dtype.char in "gG":
                why = "extended precision (long double)"
            else:
                why = None
        _DTYPE_OK[dtype] = why
    if why is not None:
        raise TypeError(
            f"Argument {name!r} has dtype {dtype} ({why}), which no host API reads: allowed are {_ALLOWED_DTYPES}."
        )


def wrap_operands(**named) -> dict[str, Operand]:
    """Describe several arrays that one operation uses together (None values are skipped).

    They must belong to one package and live in one place: all in host memory, or all on one
    CUDA device.

    Raises:
        TypeError: an array is not supported, or the arrays mix packages.
        ValueError: the arrays are on different devices (host memory counts as one place).

    Example:
        >>> import numpy as np
        >>> ops = wrap_operands(a=np.ones((2, 3)), b=np.ones((3, 4)), c=None)
        >>> sorted(ops), ops["b"].shape
        (['a', 'b'], (3, 4))
    """
    wrapped = {name: wrap_operand(obj, name) for name, obj in named.items() if obj is not None}
    if not wrapped:
        return wrapped
    first_name, first = next(iter(wrapped.items()))
    for name, op in wrapped.items():
        if op.package != first.package:
            raise TypeError(
                f"Operands {first_name!r} and {name!r} belong to different packages ({first.package} and "
                f"{op.package}): pass arrays of one package (convert one, e.g. with cupy.asarray or torch.as_tensor)."
            )
        if op.device_id != first.device_id:
            where = {None: "host memory"}
            raise ValueError(
                f"Operands {first_name!r} and {name!r} are in different places "
                f"({where.get(first.device_id, f'cuda:{first.device_id}')} and "
                f"{where.get(op.device_id, f'cuda:{op.device_id}')}): move them to one device first."
            )
    return wrapped


_DTYPE_INFO: dict = {}


def _dtype_info(dtype) -> tuple[str, int]:
    """(name, itemsize) of a NumPy dtype, memoised (``dtype.name`` is slow)."""
    info = _DTYPE_INFO.get(dtype)
    if info is None:
        np_dtype = np.dtype(dtype)
        info = _DTYPE_INFO[dtype] = (np_dtype.name, np_dtype.itemsize)
    return info


# --------------------------------------------------------------------------------------------
# Creating arrays of a package, and copies
# --------------------------------------------------------------------------------------------


def _torch_dtype(name: str):
    import torch

    return getattr(torch, name)


def empty_like_package(
    package: str,
    shape: Sequence[int],
    strides: Sequence[int],
    dtype: str,
    device_id: int | None,
    stream: int | None = None,
):
    """A new uninitialised array of ``package`` with the given shape and (dense) strides in elements.

    GPU arrays come from the package's own allocator on ``device_id``, ordered on ``stream``
    (int handle; None: the package's current stream). Host arrays for ``device_id=None``.

    Example:
        >>> a = empty_like_package("numpy", (2, 3), (1, 2), "complex64", None)
        >>> a.shape, a.strides
        ((2, 3), (8, 16))
    """
    shape = tuple(shape)
    count = math.prod(shape)
    if package == "numpy" or (package == "cupy" and device_id is None):
        itemsize = np.dtype(dtype).itemsize
        base = np.empty(count, dtype)
        return np.ndarray(shape, dtype, buffer=base, strides=tuple(s * itemsize for s in strides))
    if package == "cupy":
        import cupy

        itemsize = np.dtype(dtype).itemsize
        if stream is None:
            stream = cupy.cuda.get_current_stream(device_id).ptr
        with package_stream("cupy", stream, device_id):
            base = cupy.empty(count, dtype)
        return cupy.ndarray(shape, dtype, memptr=base.data, strides=tuple(s * itemsize for s in strides))
    if package == "torch":
        import torch

        tdtype = _torch_dtype(dtype)
        if device_id is None:
            return torch.empty_strided(shape, tuple(strides), dtype=tdtype, device="cpu")
        device = torch.device("cuda", device_id)
        if stream is None:
            stream = torch.cuda.current_stream(device).cuda_stream
        with package_stream("torch", stream, device_id):
            return torch.empty_strided(shape, tuple(strides), dtype=tdtype, device=device)
    raise ValueError(f"Unknown package {package!r}.")


def result_factory(package: str, shape, strides, dtype: str, device_id: int, stream: int):
    """A no-argument function returning a new GPU array of ``package`` (shape, dense strides),
    allocated from the package's pool for use on ``stream``, with everything that can be
    prepared once prepared now (for the execute hot path).

    Example:
        >>> new = result_factory("cupy", (4, 8), (8, 1), "complex64", 0, 0)  # doctest: +SKIP
        >>> new().shape  # doctest: +SKIP
        (4, 8)
    """
    shape = tuple(shape)
    count = math.prod(shape)
    if package == "cupy":
        import cupy

        np_dtype = np.dtype(dtype)
        byte_strides = tuple(s * np_dtype.itemsize for s in strides)
        empty, ndarray = cupy.empty, cupy.ndarray
        get_device, get_current_stream = cupy.cuda.runtime.getDevice, cupy.cuda.get_current_stream

        scope = []  # the stream context, built on first use off the hot path

        def new_cupy():
            if get_device() == device_id and get_current_stream().ptr == stream:  # the hot path
                base = empty(count, np_dtype)
            else:
                if not scope:
                    scope.append(package_stream("cupy", stream, device_id))
                with scope[0]:
                    base = empty(count, np_dtype)
            return ndarray(shape, np_dtype, memptr=base.data, strides=byte_strides)

        return new_cupy
    if package == "torch":
        import torch

        tdtype = _torch_dtype(dtype)
        device = torch.device("cuda", device_id)
        strides = tuple(strides)
        empty_strided = torch.empty_strided
        current_raw_stream = torch_current_stream_function()

        scope = []  # the stream context, built on first use off the hot path

        def new_torch():
            if current_raw_stream(device_id) == stream:  # the hot path
                return empty_strided(shape, strides, dtype=tdtype, device=device)
            if not scope:
                scope.append(package_stream("torch", stream, device_id))
            with scope[0]:
                return empty_strided(shape, strides, dtype=tdtype, device=device)

        return new_torch
    raise ValueError(f"result_factory needs a GPU package, not {package!r}.")


def data_pointer(array) -> int:
    """The device or host address of a NumPy/CuPy array or PyTorch tensor's first element."""
    package = array_package(type(array))
    if package == "cupy":
        return array.data.ptr
    if package == "torch":
        return array.data_ptr()
    return array.ctypes.data


def copy_array(dst, src, stream: int) -> None:
    """``dst[...] = src`` for two GPU arrays of the same package, ordered on ``stream``.

    Example:
        >>> copy_array(scratch, operand, stream)  # doctest: +SKIP
    """
    package = array_package(type(dst))
    if package == "cupy":
        import cupy

        with package_stream("cupy", stream, dst.device.id):
            cupy.copyto(dst, src)
    elif package == "torch":
        with package_stream("torch", stream, dst.device.index):
            dst.copy_(src)
    else:
        raise ValueError(f"copy_array needs GPU arrays, not {package}.")


def host_to_device(dst_ptr: int, src: Operand, nbytes: int, stream: int) -> None:
    """Copy ``nbytes`` from the host operand's first element to device address ``dst_ptr``.

    The host operand must be dense (:func:`is_dense`). The copy is queued on ``stream``; the
    host buffer must stay alive until the stream reaches it.
    """
    driver = cuda_driver()
    (err,) = driver.cuMemcpyHtoDAsync(dst_ptr, src.data_ptr, nbytes, driver.CUstream(stream))
    check_driver(err, "cuMemcpyHtoDAsync")


def device_to_host(dst_ptr: int, src_ptr: int, nbytes: int, stream: int) -> None:
    """Copy ``nbytes`` from device address ``src_ptr`` to host address ``dst_ptr`` on ``stream``."""
    driver = cuda_driver()
    (err,) = driver.cuMemcpyDtoHAsync(dst_ptr, src_ptr, nbytes, driver.CUstream(stream))
    check_driver(err, "cuMemcpyDtoHAsync")
