"""Matrix multiplication of NumPy, CuPy and PyTorch arrays through cuBLASLt: :func:`matmul` and :class:`Matmul`.

``matmul(a, b, c, alpha=..., beta=..., epilog=...)`` computes ``F(alpha * a @ b + beta * c)`` with
``numpy.matmul`` semantics (1-D operands promoted and squeezed, batch dimensions broadcast), where
``F`` is a fused cuBLASLt epilog (:class:`MatmulEpilog`: RELU, GELU, bias, their auxiliary outputs
and gradients). Transposed and strided views are read in place (their strides become cuBLASLt
layouts, see :mod:`nvmath.host.matmul_layout`); nothing is copied or converted silently: operands of
different dtypes are an error. The result belongs to the operands' package and device; NumPy
arrays and CPU tensors are copied to the GPU and back, and those calls block.

The stateless :func:`matmul` plans, executes and frees every time (it never caches plans). For
repeated products use :class:`Matmul` (plan once, :meth:`Matmul.execute` many times, swap data with
:meth:`Matmul.reset_operands`) or :class:`nvmath.linalg.advanced.PlanCache`.

The names and meanings are nvmath-python 1.0's (``nvmath.linalg.advanced``), so code moves over
unchanged; differences are listed in the docstrings (e.g. ``beta`` without ``c`` is an error here).

Example:
    >>> import cupy as cp  # doctest: +SKIP
    >>> from nvmath.linalg.advanced import matmul, Matmul, MatmulEpilog
    >>> a = cp.random.rand(64, 32, dtype=cp.float32)  # doctest: +SKIP
    >>> b = cp.random.rand(32, 16, dtype=cp.float32)  # doctest: +SKIP
    >>> d = matmul(a, b, epilog=MatmulEpilog.RELU)  # doctest: +SKIP
    >>> with Matmul(a, b) as mm:  # doctest: +SKIP
    ...     algorithms = mm.plan()
    ...     d = mm.execute()
"""

from __future__ import annotations

import ctypes
import dataclasses
import enum
import functools
import logging
import math
import numbers
import threading
import time
import types
from collections.abc import Mapping
from typing import Any

import numpy as np

from nvmath._gpu import check_driver, cuda_driver
from nvmath._logging import get_logger
from nvmath.bindings import cublaslt
from nvmath.bindings.cublaslt import ComputeType, MatmulDescAttribute, MatrixLayoutAttribute
from nvmath.bindings.library_types import DataType, data_type
from nvmath.host import devices, streams
from nvmath.host import operands as _ops
from nvmath.host.matmul_layout import (
    MatmulLayout,
    MatmulLayoutError,
    MatmulShapeError,
    MatrixLayout,
    aux_layout,
    check_bias,
    column_major_form,
    plan_matmul,
)
from nvmath.host.matmul_options import (
    MatmulOptions,
    MatmulPlanPreferences,
    parse_matmul_options,
    parse_matmul_options_shared,
    parse_preferences,
    resolve_memory_limit,
)
from nvmath.host.memory import allocate, default_memory_manager
from nvmath.host.planned import Freeable, Lifetime, PlanFreedError, PlanStream, ResultPool, Workspace

__all__ = [
    "Algorithm",
    "Matmul",
    "MatmulDtypeError",
    "MatmulEpilog",
    "MatmulEpilogError",
    "MatmulFreedError",
    "MatmulLayoutError",
    "MatmulQuantizationScales",
    "MatmulResetError",
    "MatmulShapeError",
    "MatmulUnsupportedError",
    "matmul",
    "matrix_qualifiers_dtype",
]

WHAT = "nvmath.linalg.advanced"

# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class MatmulFreedError(PlanFreedError):
    """A :class:`Matmul` was used after :meth:`Matmul.free`."""


class MatmulDtypeError(TypeError):
    """The operands' dtypes are not supported or do not go together (nothing is converted silently).

    Example:
        >>> import numpy as np
        >>> Matmul(np.ones((2, 2), np.float32), np.ones((2, 2), np.float64))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        nvmath.host.matmul.MatmulDtypeError: Operands 'a' and 'b' have different dtypes (float32 and float64): ...
    """


class MatmulEpilogError(ValueError):
    """An epilog, or one of its inputs, does not fit the matrix multiplication.

    Example:
        >>> import numpy as np
        >>> a = np.ones((4, 3), np.float32)
        >>> matmul(a, a.T, epilog=MatmulEpilog.BIAS)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        nvmath.host.matmul.MatmulEpilogError: Epilog BIAS needs the epilog input(s) ['bias'], but epilog_inputs has [].
    """


class MatmulUnsupportedError(ValueError):
    """A valid request that cuBLASLt cannot serve here (a dtype/compute type combination, FP8 on
    a GPU without FP8, a layout the FP8 kernels do not take, ...); the message says what works."""


class MatmulResetError(ValueError):
    """:meth:`Matmul.reset_operands` got an operand that does not fit the plan (shape, dtype, strides,
    package, device or alignment differ): create a new :class:`Matmul` for it."""


# --------------------------------------------------------------------------------------------
# Public small types
# --------------------------------------------------------------------------------------------


class MatmulEpilog(enum.IntEnum):
    """The fused epilogs (``cublasLtEpilogue_t``, same values).

    Inputs (``epilog_inputs``) and outputs (the dict returned next to the result):

    - ``*BIAS*`` forward epilogs read ``'bias'``: one value per row of the result (length M,
      cuBLASLt's convention), shape ``(M,)`` / ``(M, 1)`` or batched ``batch + (M,)`` /
      ``batch + (M, 1)``; the result's dtype (float32 is accepted for float16/bfloat16 results).
      For ``torch.nn.Linear``'s per-column bias, multiply transposed:
      ``matmul(W, x.T, epilog=BIAS, epilog_inputs={'bias': b}).T`` is ``x @ W.T + b``.
    - ``RELU_AUX``, ``RELU_AUX_BIAS`` return ``'relu_aux'`` (a uint8 bit mask), ``GELU_AUX``,
      ``GELU_AUX_BIAS`` return ``'gelu_aux'`` (the GELU input, M x N); the backward epilogs
      ``DRELU``, ``DRELU_BGRAD`` read ``'relu_aux'`` and ``DGELU``, ``DGELU_BGRAD`` read
      ``'gelu_aux'`` from a forward matmul of the same result shape.
    - ``DRELU_BGRAD``, ``DGELU_BGRAD`` return ``'drelu_bgrad'`` / ``'dgelu_bgrad'`` (the sum of
      each result row, length M), ``BGRADA`` returns ``'bgrada'`` (row sums of a, length M) and
      ``BGRADB`` returns ``'bgradb'`` (column sums of b, length N); batched: ``batch + (length,)``.

    GELU is cuBLASLt's tanh approximation. Epilogs other than DEFAULT and BIAS are for real
    dtypes; FP8 takes DEFAULT, RELU, GELU and the ``*_BIAS`` forms without aux; int8 only DEFAULT.

    Example:
        >>> MatmulEpilog.RELU_BIAS, MatmulEpilog["GELU_AUX"].value
        (<MatmulEpilog.RELU_BIAS: 6>, 160)
    """

    DEFAULT = cublaslt.Epilogue.DEFAULT
    RELU = cublaslt.Epilogue.RELU
    RELU_AUX = cublaslt.Epilogue.RELU_AUX
    BIAS = cublaslt.Epilogue.BIAS
    RELU_BIAS = cublaslt.Epilogue.RELU_BIAS
    RELU_AUX_BIAS = cublaslt.Epilogue.RELU_AUX_BIAS
    GELU = cublaslt.Epilogue.GELU
    GELU_AUX = cublaslt.Epilogue.GELU_AUX
    GELU_BIAS = cublaslt.Epilogue.GELU_BIAS
    GELU_AUX_BIAS = cublaslt.Epilogue.GELU_AUX_BIAS
    DRELU = cublaslt.Epilogue.DRELU
    DRELU_BGRAD = cublaslt.Epilogue.DRELU_BGRAD
    DGELU = cublaslt.Epilogue.DGELU
    DGELU_BGRAD = cublaslt.Epilogue.DGELU_BGRAD
    BGRADA = cublaslt.Epilogue.BGRADA
    BGRADB = cublaslt.Epilogue.BGRADB


#: nvmath-python's qualifier record: ``numpy.zeros(3, matrix_qualifiers_dtype)``, then set
#: ``q[0]['is_conjugate'] = True`` to conjugate ``a`` (``q[1]``: ``b``; ``c`` cannot be).
matrix_qualifiers_dtype = np.dtype([("structure", object), ("is_conjugate", "<i4")])


@dataclasses.dataclass
class MatmulQuantizationScales:
    """Per-tensor scales of an FP8 matmul: ``D = d * (alpha * (a * A) @ (b * B) + beta * (c * C))``.

    Each scale is a number, or a one-element float32 array (shape ``()`` or ``(1,)``) of the
    operands' package on their device (read by the GPU at execution: change it in place between
    executions or CUDA graph replays). ``c`` applies to FP8 ``c`` only and ``d`` to FP8 results
    only (cuBLASLt's rules); the defaults are 1.

    Example:
        >>> MatmulQuantizationScales(a=0.5, d=4.0)
        MatmulQuantizationScales(a=0.5, b=1.0, c=1.0, d=4.0)
    """

    a: Any = 1.0
    b: Any = 1.0
    c: Any = 1.0
    d: Any = 1.0

    def __post_init__(self) -> None:
        for name in "abcd":
            value = getattr(self, name)
            if value is None or (isinstance(value, (numbers.Real, np.generic)) and not isinstance(value, bool)):
                continue
            if isinstance(value, bool) or _ops.array_package(type(value)) is None:
                raise TypeError(
                    f"MatmulQuantizationScales.{name} = {value!r} must be a real number or a one-element float32 "
                    "array (numpy.ndarray, cupy.ndarray or torch.Tensor), not "
                    f"{type(value).__module__}.{type(value).__name__}."
                )


def _cublaslt_version() -> int:
    global _VERSION
    if _VERSION is None:
        _VERSION = cublaslt.get_version()
    return _VERSION


_VERSION: int | None = None


def _config_property(attr, kind=None, *, doc: str) -> property:
    """A read/write :class:`Algorithm` property over one ``MatmulAlgoConfigAttribute``.

    ``kind`` converts what is read (an enum, ``bool``; a value the enum does not know stays an
    int); ``bool`` settings are written as 0 or 1.
    """
    if kind is bool:
        return property(lambda self: bool(self._get(attr)), lambda self, value: self._set(attr, bool(value)), doc=doc)
    return property(lambda self: self._get(attr, kind), lambda self, value: self._set(attr, value), doc=doc)


class Algorithm:
    """One cuBLASLt algorithm for a planned matmul (it wraps a ``cublasLtMatmulHeuristicResult_t``,
    whose first 64 bytes are the ``cublasLtMatmulAlgo_t``).

    Get them from :meth:`Matmul.plan` / :attr:`Matmul.algorithms`; configure them (``tile``,
    ``stages``, ``split_k``, ...) within the ranges of :attr:`capabilities`; pickle them and give them
    back to ``Matmul.plan(algorithms=[...])`` or ``matmul(..., algorithm=...)`` for the same problem,
    with the same cuBLASLt version, to skip the heuristics.

    Example:
        >>> import pickle
        >>> algorithms = mm.plan()  # doctest: +SKIP
        >>> saved = pickle.dumps(algorithms[0])  # doctest: +SKIP
        >>> mm2.plan(algorithms=[pickle.loads(saved)])  # doctest: +SKIP
    """

    __slots__ = ("_result", "_version", "__weakref__")

    def __init__(self, result: cublaslt.MatmulHeuristicResult, *, _version: int | None = None) -> None:
        if not isinstance(result, cublaslt.MatmulHeuristicResult):
            raise TypeError(
                f"Algorithm wraps a cublaslt.MatmulHeuristicResult, not {type(result).__name__}: get algorithms "
                "from Matmul.plan()."
            )
        self._result = cublaslt.MatmulHeuristicResult.from_buffer_copy(bytes(result))
        self._version = _version if _version is not None else _cublaslt_version()

    @classmethod
    def _restore(cls, data: bytes, version: int) -> Algorithm:
        return cls(cublaslt.MatmulHeuristicResult.from_buffer_copy(data), _version=version)

    def __reduce__(self):
        return (Algorithm._restore, (bytes(self._result), self._version))

    @property
    def algo(self) -> cublaslt.MatmulAlgo:
        """The ``cublasLtMatmulAlgo_t`` (shares this object's memory)."""
        return self._result.algo

    @property
    def cublaslt_version(self) -> int:
        """The cuBLASLt version that produced it (algorithms do not carry over between versions)."""
        return self._version

    @property
    def workspace_size(self) -> int:
        """Bytes of workspace the heuristics reported for it."""
        return self._result.workspaceSize

    @property
    def waves_count(self) -> float:
        """The heuristics' device utilisation estimate (1.0: one full wave)."""
        return self._result.wavesCount

    def _get(self, attr, kind=None):
        value = cublaslt.matmul_algo_config_get_attribute(self._result.algo, attr)
        if kind is not None:
            try:
                return kind(value)
            except ValueError:
                return value
        return value

    def _set(self, attr, value) -> None:
        cublaslt.matmul_algo_config_set_attribute(self._result.algo, attr, int(value))

    @property
    def algorithm_id(self) -> int:
        """The cuBLASLt algorithm id."""
        return self._get(cublaslt.MatmulAlgoConfigAttribute.ID)

    @property
    def id(self) -> int:
        """The cuBLASLt algorithm id (the same as :attr:`algorithm_id`)."""
        return self.algorithm_id

    @property
    def capabilities(self) -> types.SimpleNamespace:
        """What the algorithm supports (``MatmulAlgoCapAttribute`` names in lower case: ``splitk_support``,
        ``tile_ids``, ``stages_ids``, ``epilogue_mask``, ...). Needs the cuBLASLt library."""
        caps = {}
        for attr in cublaslt.MatmulAlgoCapAttribute:
            try:
                caps[attr.name.lower()] = cublaslt.matmul_algo_cap_get_attribute(self._result.algo, attr)
            except (cublaslt.cuBLASLtError, ValueError):
                pass
        return types.SimpleNamespace(**caps)

    tile = _config_property(
        cublaslt.MatmulAlgoConfigAttribute.TILE_ID,
        cublaslt.MatmulTile,
        doc="The tile (``MatmulTile``), one of ``capabilities.tile_ids``.",
    )
    stages = _config_property(
        cublaslt.MatmulAlgoConfigAttribute.STAGES_ID,
        cublaslt.MatmulStages,
        doc="The stages (``MatmulStages``), one of ``capabilities.stages_ids``.",
    )
    split_k = _config_property(
        cublaslt.MatmulAlgoConfigAttribute.SPLITK_NUM,
        doc="The number of split-K slices (settable when ``capabilities.splitk_support``).",
    )
    reduction_scheme = _config_property(
        cublaslt.MatmulAlgoConfigAttribute.REDUCTION_SCHEME,
        cublaslt.ReductionScheme,
        doc="The split-K reduction scheme (``ReductionScheme``), within ``capabilities.reduction_scheme_mask``.",
    )
    cta_swizzling = _config_property(
        cublaslt.MatmulAlgoConfigAttribute.CTA_SWIZZLING,
        bool,
        doc="CTA swizzling on or off (settable when ``capabilities.cta_swizzling_support``).",
    )
    custom_option = _config_property(
        cublaslt.MatmulAlgoConfigAttribute.CUSTOM_OPTION,
        doc="The custom option, below ``capabilities.custom_option_max``.",
    )
    inner_shape = _config_property(
        cublaslt.MatmulAlgoConfigAttribute.INNER_SHAPE_ID,
        cublaslt.MatmulInnerShape,
        doc="The inner shape (``MatmulInnerShape``).",
    )
    cluster_shape = _config_property(
        cublaslt.MatmulAlgoConfigAttribute.CLUSTER_SHAPE_ID,
        cublaslt.ClusterShape,
        doc="The cluster shape (``ClusterShape``).",
    )

    def __repr__(self) -> str:
        try:
            ident = f"id={self.algorithm_id}, tile={getattr(self.tile, 'name', self.tile)}, split_k={self.split_k}, "
        except Exception:  # no library
            ident = ""
        return f"Algorithm({ident}workspace_size={self.workspace_size}, waves_count={self.waves_count:g})"


# --------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------

_ITEMSIZE = {
    "float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "complex32": 4, "complex64": 8, "complex128": 16,
    "int8": 1, "int32": 4, "uint8": 1, "float8_e4m3fn": 1, "float8_e5m2": 1,
}  # fmt: skip
_FP8 = ("float8_e4m3fn", "float8_e5m2")
_FLOATS = ("float16", "bfloat16", "float32", "float64")
_COMPLEX = ("complex32", "complex64", "complex128")
_SUPPORTED = (*_FLOATS, *_COMPLEX, *_FP8, "int8")
_ML_DTYPES = ("bfloat16", *_FP8)

_CT = ComputeType
_R16, _R32, _R64, _C32, _C64, _I32 = (
    DataType.R_16F,
    DataType.R_32F,
    DataType.R_64F,
    DataType.C_32F,
    DataType.C_64F,
    DataType.R_32I,
)

# compute type -> {scale type: input dtypes} (cublasLtMatmul's table of supported combinations).
_F32_IN = ("float32", "bfloat16", "float16", *_FP8)
_COMPUTE_SUPPORT = {
    _CT.COMPUTE_16F: {_R16: ("float16",)},
    _CT.COMPUTE_16F_PEDANTIC: {_R16: ("float16",)},
    _CT.COMPUTE_32F: {_R32: _F32_IN, _C32: ("complex32", "complex64")},
    _CT.COMPUTE_32F_PEDANTIC: {_R32: _F32_IN, _C32: ("complex32", "complex64")},
    _CT.COMPUTE_32F_FAST_16F: {_R32: ("float32",), _C32: ("complex64",)},
    _CT.COMPUTE_32F_FAST_16BF: {_R32: ("float32",), _C32: ("complex64",)},
    _CT.COMPUTE_32F_FAST_TF32: {_R32: ("float32",), _C32: ("complex64",)},
    _CT.COMPUTE_32F_EMULATED_16BFX9: {_R32: ("float32",), _C32: ("complex64",)},
    _CT.COMPUTE_64F: {_R64: ("float64",), _C64: ("complex128",)},
    _CT.COMPUTE_64F_PEDANTIC: {_R64: ("float64",), _C64: ("complex128",)},
    _CT.COMPUTE_64F_EMULATED_FIXEDPOINT: {_R64: ("float64",), _C64: ("complex128",)},
    _CT.COMPUTE_32I: {_I32: ("int8",)},
    _CT.COMPUTE_32I_PEDANTIC: {_I32: ("int8",)},
}
_DEFAULT_COMPUTE = {
    **{d: _CT.COMPUTE_32F for d in ("float16", "bfloat16", "float32", *_FP8, "complex32", "complex64")},
    "float64": _CT.COMPUTE_64F,
    "complex128": _CT.COMPUTE_64F,
    "int8": _CT.COMPUTE_32I,
}
_COMPUTE_FOR_SCALE = {_R16: _CT.COMPUTE_16F, _R32: _CT.COMPUTE_32F, _C32: _CT.COMPUTE_32F, _R64: _CT.COMPUTE_64F,
                      _C64: _CT.COMPUTE_64F, _I32: _CT.COMPUTE_32I}  # fmt: skip

# FP8 (A, B) -> allowed result dtypes (cublasLtMatmul's FP8 table); C is the result's dtype, or
# float16/bfloat16 for FP8 results.
_FP8_RESULTS = {
    ("float8_e4m3fn", "float8_e4m3fn"): ("float32", "float16", "bfloat16", "float8_e4m3fn"),
    ("float8_e4m3fn", "float8_e5m2"): ("float32", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2"),
    ("float8_e5m2", "float8_e4m3fn"): ("float32", "float16", "bfloat16", "float8_e4m3fn", "float8_e5m2"),
}

_DTYPE_NAMES = {}  # DataType -> dtype name


def _dtype_name(dt: DataType) -> str:
    if not _DTYPE_NAMES:
        from nvmath.bindings import library_types

        _DTYPE_NAMES.update({v: k for k, v in library_types._BY_NAME.items()})
    try:
        return _DTYPE_NAMES[dt]
    except KeyError:
        raise MatmulUnsupportedError(
            f"The data type {dt!r} is not one matmul supports ({', '.join(_SUPPORTED)})."
        ) from None


# --------------------------------------------------------------------------------------------
# Scalars (alpha, beta) in the scale type, host memory
# --------------------------------------------------------------------------------------------


def _scalar_buffer(scale_type: DataType):
    if scale_type in (_C32, _C64):
        return ((ctypes.c_float if scale_type == _C32 else ctypes.c_double) * 2)()
    return {_R16: ctypes.c_uint16, _R32: ctypes.c_float, _R64: ctypes.c_double, _I32: ctypes.c_int32}[scale_type]()


def _store_scalar(buffer, scale_type: DataType, value, name: str, default) -> Any:
    """Write ``value`` (None: ``default``) into ``buffer`` (None: only check it); return the value stored.
    Raises naming ``name``."""
    if value is None:
        value = default
    if type(value) is float and scale_type in (_R32, _R64):  # the hot path (plan cache hits)
        if buffer is not None:
            buffer.value = value
        return value
    if isinstance(value, bool) or not isinstance(value, (numbers.Number, np.generic)):
        raise TypeError(f"Argument {name!r} = {value!r} must be a number, not {type(value).__name__}.")
    if scale_type in (_C32, _C64):
        value = complex(value)
        if buffer is not None:
            buffer[0], buffer[1] = value.real, value.imag
        return value
    if isinstance(value, (complex, np.complexfloating)):
        if value.imag != 0:
            raise TypeError(
                f"Argument {name!r} = {value!r} is complex, but the scale type is real ({scale_type.name}): pass a "
                "real number (complex scalars need complex operands)."
            )
        value = value.real
    if scale_type == _I32:
        if not float(value).is_integer():
            raise TypeError(f"Argument {name!r} = {value!r} must be an integer for int8 operands (scale type int32).")
        value = int(value)
        if not -(1 << 31) <= value < 1 << 31:
            raise ValueError(f"Argument {name!r} = {value!r} does not fit the int32 scale type.")
        if buffer is not None:
            buffer.value = value
        return value
    value = float(value)
    if buffer is None:
        return value
    if scale_type == _R16:
        buffer.value = int(np.float16(value).view(np.uint16))
    else:
        buffer.value = value
    return value


# --------------------------------------------------------------------------------------------
# The problem, as given (no GPU needed)
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class _Problem:
    """Everything the operands and options fix about a matmul, before the epilog is known (treated
    as immutable; not frozen because frozen dataclasses cost microseconds to build)."""

    package: str
    on_host: bool
    device_id: int
    stream_package: str
    names: tuple[str, ...]  # 'a', 'b' (, 'c')
    shapes: dict
    strides: dict  # as the GPU reads them (host operands: the dense copy's strides)
    dtypes: dict
    conj: tuple[bool, bool]
    kind: str  # 'real', 'complex', 'fp8', 'int8'
    d_dtype: str
    c_dtype: str  # of cuBLASLt's C (the result's dtype without c, except float16 for FP8 results)
    compute_type: ComputeType
    scale_type: DataType
    alignments: tuple  # (a, b, c) pointer alignment classes (None for host operands)
    base_layout: MatmulLayout  # no epilog

    @property
    def has_c(self) -> bool:
        return "c" in self.names

    def layout(self, result_order: str | None) -> MatmulLayout:
        """The plan for a result order (None: the planner's rule)."""
        if result_order is None or self.has_c:
            return self.base_layout
        return plan_matmul(
            self.shapes["a"], self.strides["a"], self.shapes["b"], self.strides["b"], qualifiers=self.conj,
            dtype=self.dtypes["a"], result_order=result_order,
        )  # fmt: skip


def _alignment(ptr: int) -> int:
    """The largest power of two up to 256 dividing ``ptr`` (cuBLASLt's MIN_ALIGNMENT_*_BYTES)."""
    return min(256, ptr & -ptr) if ptr else 256


def _host_strides(shape: tuple, strides: tuple) -> tuple:
    """The dense layout a host operand is copied to: C-ordered batch, its own matrix order."""
    if len(shape) >= 2 and strides[-1] != 1 and strides[-2] == 1 and shape[-2] > 1:
        s = _ops.c_strides(shape[:-2] + (shape[-1], shape[-2]))
        return s[:-2] + (s[-1], s[-2])
    return _ops.c_strides(shape)


def _check_array_type(obj, name: str) -> None:
    if isinstance(obj, np.generic):
        raise MatmulShapeError(
            f"Operand {name!r} = {obj!r} is a NumPy scalar (shape ()): matmul needs arrays of at least 1 dimension; "
            "multiply by the scalar instead (alpha=...), or pass numpy.full((1, 1), x)."
        )
    if type(obj) is np.ndarray and obj.dtype.name in _ML_DTYPES:
        raise MatmulDtypeError(
            f"Operand {name!r} is a NumPy {obj.dtype.name} (ml_dtypes) array, which the array layer cannot read "
            f"(no DLPack type): pass a torch.Tensor (torch.{obj.dtype.name}) instead."
        )


def _wrap(**named) -> dict[str, _ops.Operand]:
    for name, obj in named.items():
        if obj is not None:
            _check_array_type(obj, name)
        elif name in ("a", "b"):
            raise TypeError(
                f"Argument {name!r} = None: matmul needs arrays a and b ({_ops.SUPPORTED_PACKAGES}), not None."
            )
    return _ops.wrap_operands(**named)


def _parse_qualifiers(qualifiers) -> tuple[bool, bool]:
    if qualifiers is None:
        return (False, False)
    if isinstance(qualifiers, np.ndarray) and qualifiers.dtype.names and "is_conjugate" in qualifiers.dtype.names:
        flags = [bool(q) for q in qualifiers["is_conjugate"].ravel()]
    else:
        try:
            flags = [bool(q) for q in qualifiers]
        except TypeError:
            flags = None
    if flags is None or len(flags) not in (2, 3):
        raise ValueError(
            f"Argument 'qualifiers' = {qualifiers!r} must be None, 2 or 3 bools (conjugate a, b[, c]) or a NumPy "
            "array of matrix_qualifiers_dtype (one record per operand)."
        )
    if len(flags) == 3 and flags[2]:
        raise MatmulUnsupportedError(
            f"Argument 'qualifiers' = {qualifiers!r} conjugates c: cuBLASLt cannot conjugate C; pass c.conj() instead."
        )
    return flags[0], flags[1]


def _torch_flags(op: _ops.Operand, name: str) -> bool:
    """Whether a torch tensor is a lazily conjugated view (its memory holds the conjugate)."""
    obj = op.obj
    if op.on_host:
        return False  # host operands are copied to the GPU, which resolves the lazy conjugation
    if obj.is_neg():
        raise MatmulLayoutError(
            f"Operand {name!r} is a torch tensor with its negative bit set (a lazily negated view): cuBLASLt reads "
            f"memory as stored; pass {name}.resolve_neg()."
        )
    return bool(obj.is_conj())


def _device_for(op: _ops.Operand, options: MatmulOptions) -> int:
    if op.on_host:
        return 0 if options.device_id is None else options.device_id
    if options.device_id is not None and options.device_id != op.device_id:
        raise ValueError(
            f"The operands are on cuda:{op.device_id} but options.device_id = {options.device_id}: GPU operands are "
            "multiplied on their own device (leave device_id None or move the operands)."
        )
    return op.device_id


def _resolve_types(dtypes: dict, options: MatmulOptions) -> tuple[str, str, str, ComputeType, DataType]:
    """(kind, result dtype, C dtype, compute type, scale type), or an error naming what is wrong."""
    a, b = dtypes["a"], dtypes["b"]
    c = dtypes.get("c")
    for name, dt in (("a", a), ("b", b), ("c", c)):
        if dt is not None and dt not in _SUPPORTED and not (name == "c" and dt == "int32"):
            raise MatmulDtypeError(
                f"Operand {name!r} has dtype {dt}, which matmul does not support: supported are "
                f"{', '.join(_SUPPORTED)} (int8 a and b give an int32 result)."
            )
    result_type = None if options.result_type is None else _dtype_name(options.result_type)
    if a in _FP8 or b in _FP8:
        if a not in _FP8 or b not in _FP8:
            raise MatmulDtypeError(
                f"Operands 'a' and 'b' have dtypes {a} and {b}: FP8 needs both a and b in FP8 "
                "(float8_e4m3fn / float8_e5m2); nothing is converted silently."
            )
        allowed = _FP8_RESULTS.get((a, b))
        if allowed is None:
            raise MatmulDtypeError(
                "Operands 'a' and 'b' are both float8_e5m2: cuBLASLt multiplies e4m3 x e4m3, e4m3 x e5m2 and "
                "e5m2 x e4m3 only; make one of them float8_e4m3fn."
            )
        d = result_type or c or a
        if d not in allowed:
            raise MatmulDtypeError(
                f"The result dtype would be {d} ({'options.result_type' if result_type else 'from c' if c else 'from a'}), "  # noqa: E501
                f"but FP8 {a} x {b} gives one of {', '.join(allowed)}: set options.result_type."
            )
        if d in _FP8:
            if c is not None and c not in ("float16", "bfloat16"):
                raise MatmulDtypeError(
                    f"Operand 'c' has dtype {c}, but with an FP8 result ({d}) c must be float16 or bfloat16."
                )
            c_layout = c or "float16"
        else:
            if c is not None and c != d:
                raise MatmulDtypeError(f"Operand 'c' has dtype {c}, but the FP8 result is {d}: c must be {d} too.")
            c_layout = d
        kind = "fp8"
    elif a == "int8" or b == "int8":
        if a != b:
            raise MatmulDtypeError(
                f"Operands 'a' and 'b' have different dtypes ({a} and {b}): int8 needs both int8; nothing is "
                "converted silently."
            )
        if c is not None and c != "int32":
            raise MatmulDtypeError(
                f"Operand 'c' has dtype {c}, but int8 a and b give an int32 result: c must be int32."
            )
        if result_type not in (None, "int32"):
            raise MatmulUnsupportedError(
                f"Option 'result_type' = {result_type} is not available for int8 operands: the result is int32."
            )
        d = c_layout = "int32"
        kind = "int8"
    else:
        if a != b:
            raise MatmulDtypeError(
                f"Operands 'a' and 'b' have different dtypes ({a} and {b}): nothing is converted silently; convert one "
                f"first (e.g. b.astype({a!r}), torch: b.to(a.dtype))."
            )
        if c is not None and c != a:
            raise MatmulDtypeError(
                f"Operand 'c' has dtype {c}, but 'a' and 'b' are {a}: c must have the operands' dtype (convert it, "
                f"e.g. c.astype({a!r}))."
            )
        if result_type not in (None, a):
            raise MatmulUnsupportedError(
                f"Option 'result_type' = {result_type} differs from the operands' dtype {a}: other result types are "
                "for FP8 operations only; leave it None."
            )
        d = c_layout = a
        kind = "complex" if a in _COMPLEX else "real"
    if options.result_amax and d not in _FP8:
        raise MatmulUnsupportedError(
            f"Option 'result_amax' = True needs an FP8 result, but the result is {d}: leave it False."
        )
    if options.fast_accumulation and kind != "fp8":
        raise MatmulUnsupportedError(
            f"Option 'fast_accumulation' = True is for FP8 operations, but the operands are {a}: leave it False."
        )
    compute, scale = _resolve_compute(a, b, kind, options)
    return kind, d, c_layout, compute, scale


def _resolve_compute(a: str, b: str, kind: str, options: MatmulOptions) -> tuple[ComputeType, DataType]:
    compute, scale = options.compute_type, options.scale_type
    if compute is None and scale is None:
        compute = _DEFAULT_COMPUTE[a]
    elif compute is None:
        compute = _COMPUTE_FOR_SCALE.get(scale)
        if compute is None:
            raise MatmulUnsupportedError(
                f"Option 'scale_type' = {scale!r} is not a cuBLASLt scale type: allowed are "
                f"{', '.join(s.name for s in _COMPUTE_FOR_SCALE)}."
            )
    if scale is None:
        scales = _COMPUTE_SUPPORT[compute]
        complex_ = kind == "complex"
        scale = next((s for s in scales if (s in (_C32, _C64)) == complex_), next(iter(scales)))
    inputs = _COMPUTE_SUPPORT[compute].get(scale, ())
    if a not in inputs:
        combos = [f"{s.name} for {'/'.join(v)}" for s, v in _COMPUTE_SUPPORT[compute].items()]
        raise MatmulUnsupportedError(
            f"Options compute_type = {compute.name} and scale_type = {scale.name} do not go with {a} x {b} operands: "
            f"{compute.name} takes scale types {'; '.join(combos)} (leave compute_type/scale_type None for the default)."  # noqa: E501
        )
    if kind == "fp8" and compute not in (_CT.COMPUTE_32F, _CT.COMPUTE_32F_PEDANTIC):
        raise MatmulUnsupportedError(f"FP8 operations need compute_type COMPUTE_32F, not {compute.name}.")
    return compute, scale


def _describe(ops: dict[str, _ops.Operand], qualifiers, options: MatmulOptions) -> _Problem:
    """Check the operands and options together (no GPU work) and describe the problem."""
    a = ops["a"]
    names = tuple(n for n in ("a", "b", "c") if n in ops)
    conj = list(_parse_qualifiers(qualifiers))
    if a.package == "torch":
        for i, name in enumerate(("a", "b")):
            conj[i] ^= _torch_flags(ops[name], name)
        if "c" in ops and _torch_flags(ops["c"], "c"):
            raise MatmulUnsupportedError(
                "Operand 'c' is a lazily conjugated torch tensor: cuBLASLt cannot conjugate C; pass c.resolve_conj()."
            )
    dtypes = {n: ops[n].dtype for n in names}
    kind, d_dtype, c_dtype, compute, scale = _resolve_types(dtypes, options)
    if any(conj) and kind != "complex":
        raise ValueError(
            f"Argument 'qualifiers' = {qualifiers!r} conjugates an operand, but the operands are {a.dtype}: "
            "conjugation is for complex operands only; drop the qualifier."
        )
    device_id = _device_for(a, options)
    shapes = {n: tuple(ops[n].shape) for n in names}
    if a.on_host:
        strides = {n: _host_strides(shapes[n], tuple(ops[n].strides)) for n in names}
        alignments = (None, None, None)
    else:
        strides = {n: tuple(ops[n].strides) for n in names}
        alignments = tuple(_alignment(ops[n].data_ptr) if n in ops else None for n in ("a", "b", "c"))
    narrow = kind in ("fp8", "int8")
    layout = plan_matmul(
        shapes["a"], strides["a"], shapes["b"], strides["b"], shapes.get("c"), strides.get("c"),
        qualifiers=tuple(conj), dtype=a.dtype, result_order="col" if narrow else None,
    )  # fmt: skip
    if narrow and layout.c is not None and layout.c.order != "col" and layout.trivial is None:
        raise MatmulUnsupportedError(
            f"Operand 'c' (shape {shapes['c']}, strides {strides['c']}) is row-major, but {kind} matmuls write a "
            "column-major result and need c column-major too: pass c as a transposed view of a row-major (N, M) "
            "array (numpy.asfortranarray(c); torch: c.T.contiguous().T)."
        )
    return _Problem(
        package=a.package, on_host=a.on_host, device_id=device_id, stream_package=a.stream_package, names=names,
        shapes=shapes, strides=strides, dtypes=dtypes, conj=(conj[0], conj[1]), kind=kind, d_dtype=d_dtype,
        c_dtype=c_dtype, compute_type=compute, scale_type=scale, alignments=alignments, base_layout=layout,
    )  # fmt: skip


def _check_narrow_layout(problem: _Problem, cc: tuple[int, int]) -> None:
    """FP8 / int8 rules that depend on the GPU (cublasLtMatmul: "TN" format before Blackwell, 16-byte
    aligned dimensions for FP8)."""
    if problem.kind == "fp8" and cc < (8, 9):
        raise MatmulUnsupportedError(
            f"FP8 matmuls need a GPU of compute capability 8.9 or newer (Ada, Hopper, Blackwell); "
            f"cuda:{problem.device_id} is {cc[0]}.{cc[1]}."
        )
    lay = problem.base_layout
    if lay.trivial is not None:
        return
    if problem.kind == "fp8":
        bad = [f"{x}={v}" for x, v in (("M", lay.m), ("N", lay.n), ("K", lay.k)) if v % 16]
        bad += [
            f"ld of {x}={m.ld}" for x, m in (("a", lay.a), ("b", lay.b), ("c", lay.c)) if m is not None and m.ld % 16
        ]
        if bad:
            raise MatmulUnsupportedError(
                f"FP8 matmuls need M, N, K and the leading dimensions to be multiples of 16 (16-byte aligned): "
                f"{', '.join(bad)} (shapes a {problem.shapes['a']}, b {problem.shapes['b']})."
            )
    tn_only = problem.kind == "int8" or cc < (10, 0)
    if tn_only and (lay.a.order != "row" or lay.b.order != "col"):
        what = "FP8" if problem.kind == "fp8" else "int8"
        raise MatmulUnsupportedError(
            f"{what} matmuls on compute capability {cc[0]}.{cc[1]} need the 'TN' layout: a row-major (its last stride "
            f"1) and b column-major (its second to last stride 1), but a is {lay.a.order}-major (strides "
            f"{problem.strides['a']}) and b is {lay.b.order}-major (strides {problem.strides['b']}). Pass a "
            "C-contiguous a and b as the transpose of a C-contiguous (N, K) array (b = bt.T)."
        )


# --------------------------------------------------------------------------------------------
# The epilog and the final cuBLASLt description (no GPU needed)
# --------------------------------------------------------------------------------------------

_E = MatmulEpilog
_EPILOG_INPUTS = {
    _E.BIAS: "bias", _E.RELU_BIAS: "bias", _E.RELU_AUX_BIAS: "bias", _E.GELU_BIAS: "bias", _E.GELU_AUX_BIAS: "bias",
    _E.DRELU: "relu_aux", _E.DRELU_BGRAD: "relu_aux", _E.DGELU: "gelu_aux", _E.DGELU_BGRAD: "gelu_aux",
}  # fmt: skip
_EPILOG_AUX_OUTPUTS = {_E.RELU_AUX: "relu_aux", _E.RELU_AUX_BIAS: "relu_aux", _E.GELU_AUX: "gelu_aux",
                       _E.GELU_AUX_BIAS: "gelu_aux"}  # fmt: skip
_EPILOG_BGRAD_OUTPUTS = {_E.DRELU_BGRAD: "drelu_bgrad", _E.DGELU_BGRAD: "dgelu_bgrad", _E.BGRADA: "bgrada",
                         _E.BGRADB: "bgradb"}  # fmt: skip
_FREE_ORDER = (_E.DEFAULT, _E.RELU, _E.GELU)  # every other epilog writes a column-major result
# BGRADA reduces A over K: cuBLASLt's 16-bit kernels for it take a transposed A only (op T of a column-major
# description, i.e. a row-major a), with a column-major D.
_BGRADA_TRANSPOSED_A = ("float16", "bfloat16")
_COMPLEX_EPILOGS = (_E.DEFAULT, _E.BIAS)
_FP8_EPILOGS = (_E.DEFAULT, _E.RELU, _E.GELU, _E.BIAS, _E.RELU_BIAS, _E.GELU_BIAS)


def parse_epilog(epilog) -> MatmulEpilog:
    """``epilog`` (None, a :class:`MatmulEpilog` / ``cublaslt.Epilogue`` / int, or a name) as a MatmulEpilog.

    Example:
        >>> parse_epilog("relu_bias"), parse_epilog(None)
        (<MatmulEpilog.RELU_BIAS: 6>, <MatmulEpilog.DEFAULT: 1>)
    """
    if epilog is None:
        return _E.DEFAULT
    try:
        if isinstance(epilog, str):
            return _E[epilog.upper()]
        if isinstance(epilog, int) and not isinstance(epilog, bool):
            return _E(epilog)
    except (KeyError, ValueError):
        pass
    raise MatmulEpilogError(
        f"Argument 'epilog' = {epilog!r} is not an epilog: allowed are None or MatmulEpilog."
        f"{{{', '.join(e.name for e in _E)}}}."
    )


@dataclasses.dataclass(slots=True)
class _Input:
    """An epilog input: the user's array and how cuBLASLt reads it."""

    name: str
    op: _ops.Operand
    attr: MatmulDescAttribute  # its pointer attribute
    shape: tuple
    strides: tuple  # as the GPU reads it (host inputs: the staging copy's)
    alloc_shape: tuple  # the staging buffer of a host input
    alloc_strides: tuple


@dataclasses.dataclass(frozen=True, slots=True)
class _Output:
    """An epilog (or amax) output: what to allocate and what the user gets."""

    name: str
    dtype: str
    attr: MatmulDescAttribute
    alloc_shape: tuple
    alloc_strides: tuple
    view_shape: tuple
    view_strides: tuple

    @property
    def nbytes(self) -> int:
        return math.prod(self.alloc_shape) * _ITEMSIZE[self.dtype]


@dataclasses.dataclass(slots=True)
class _Spec:
    """The final description of a planned matmul (epilog included)."""

    epilog: MatmulEpilog
    layout: MatmulLayout
    a: MatrixLayout | None
    op_a: str
    b: MatrixLayout | None
    op_b: str
    inputs: list
    outputs: list
    attrs: list  # (MatmulDescAttribute, value): fixed descriptor attributes of the epilog
    c: MatrixLayout | None = None  # cuBLASLt's C and D (the layout's, or their column-major form)
    d: MatrixLayout | None = None
    swap: bool = False  # cuBLASLt's A and B are the user's b and a (D^T = op(b)^T op(a)^T)

    @property
    def trivial(self) -> str | None:
        return self.layout.trivial

    def describe(self) -> str:
        """The layout, and what cuBLASLt is given when it differs (for error messages and logs)."""
        line = self.layout.describe()
        if self.a is None:
            return line
        c = self.c.describe() if self.c is not None else "-"
        return (
            f"{line}; cuBLASLt{' (a and b swapped: D^T = op(b)^T op(a)^T)' if self.swap else ''}: "
            f"A({self.a.describe()}) op {self.op_a}, B({self.b.describe()}) op {self.op_b}, C({c}), "
            f"D({self.d.describe()})"
        )


def _transposed(mat: MatrixLayout) -> MatrixLayout:
    return MatrixLayout(mat.cols, mat.rows, mat.ld, "col" if mat.order == "row" else "row", mat.batch_count,
                        mat.batch_offset)  # fmt: skip


def _as_col(mat: MatrixLayout) -> tuple[MatrixLayout, str]:
    """A (not conjugated) operand as a column-major description and op N / T (FP8, int8)."""
    return (mat, "N") if mat.order == "col" else (_transposed(mat), "T")


def _vector(length: int, layout: MatmulLayout) -> tuple[tuple, tuple, int]:
    """(shape, strides, batch offset) of a per-batch vector output (bias gradients)."""
    if not layout.batch_shape:
        return (length,), (1,), 0
    shape = layout.batch_shape + (length,)
    return shape, _ops.c_strides(shape), length


def _wrap_epilog_inputs(problem: _Problem, epilog_inputs) -> dict[str, _ops.Operand]:
    if epilog_inputs is None:
        return {}
    if not isinstance(epilog_inputs, Mapping):
        raise TypeError(
            f"Argument 'epilog_inputs' = {epilog_inputs!r} must be a dict of arrays (e.g. {{'bias': bias}}), not "
            f"{type(epilog_inputs).__name__}."
        )
    wrapped = {}
    for name, obj in epilog_inputs.items():
        _check_array_type(obj, f"epilog_inputs[{name!r}]")
        op = _ops.wrap_operand(obj, f"epilog_inputs[{name!r}]")
        if (
            op.package != problem.package
            or op.on_host != problem.on_host
            or (not op.on_host and op.device_id != problem.device_id)
        ):
            where = "host memory" if problem.on_host else f"cuda:{problem.device_id}"
            raise MatmulEpilogError(
                f"Epilog input {name!r} is a {op.describe()}, but the operands are {problem.package} arrays in "
                f"{where}: epilog inputs must be of the operands' package, in the same place."
            )
        wrapped[name] = op
    return wrapped


def _plan_spec(
    problem: _Problem, epilog: MatmulEpilog, inputs: dict[str, _ops.Operand], options: MatmulOptions
) -> _Spec:
    """Check the epilog and its inputs against the problem and describe the whole plan (no GPU work)."""
    kind, d_dtype = problem.kind, problem.d_dtype
    if kind == "complex" and epilog not in _COMPLEX_EPILOGS:
        raise MatmulEpilogError(
            f"Epilog {epilog.name} is for real operands, but the operands are {problem.dtypes['a']}: complex matmuls "
            f"take {', '.join(e.name for e in _COMPLEX_EPILOGS)}."
        )
    if kind == "fp8" and epilog not in _FP8_EPILOGS:
        raise MatmulEpilogError(
            f"Epilog {epilog.name} is not available for FP8 operands here: FP8 matmuls take "
            f"{', '.join(e.name for e in _FP8_EPILOGS)}."
        )
    if kind == "int8" and epilog != _E.DEFAULT:
        raise MatmulEpilogError(
            f"Epilog {epilog.name} is not available for int8 operands: int8 matmuls take DEFAULT only."
        )
    needed = _EPILOG_INPUTS.get(epilog)
    expected = {needed} if needed else set()
    if set(inputs) != expected:
        if expected:
            raise MatmulEpilogError(
                f"Epilog {epilog.name} needs the epilog input(s) {sorted(expected)}, but epilog_inputs has "
                f"{sorted(inputs)}."
                + (" ('relu_aux' / 'gelu_aux' come from a RELU_AUX / GELU_AUX matmul.)" if needed != "bias" else "")
            )
        raise MatmulEpilogError(
            f"Epilog {epilog.name} takes no epilog inputs, but epilog_inputs has {sorted(inputs)}: drop them "
            "(or choose an epilog that reads them, e.g. BIAS for 'bias')."
        )
    narrow = kind in ("fp8", "int8")
    order = "col" if narrow or epilog not in _FREE_ORDER else None
    base = problem.base_layout
    if order == "col" and problem.has_c and base.trivial is None and base.c.order == "row":
        raise MatmulEpilogError(
            f"Epilog {epilog.name} writes a column-major result and needs a column-major c, but c (shape "
            f"{problem.shapes['c']}, strides {problem.strides['c']}) is row-major: pass numpy.asfortranarray(c) "
            "(torch: c.T.contiguous().T), or apply the epilog without c."
        )
    lay = problem.layout(order)
    form = None
    if kind == "complex" and lay.trivial is None and "C" in (lay.op_a, lay.op_b):
        # cuBLASLt conjugates column-major matrices only: describe everything column-major, swapping a and b
        # for a row-major result; a result order that cannot work is changed when it is free (no c, DEFAULT).
        try:
            form = column_major_form(lay)
        except MatmulLayoutError:
            if order is not None or problem.has_c:
                raise
            lay = problem.layout("col" if lay.d.order == "row" else "row")
            form = column_major_form(lay)
        if form.swap and epilog != _E.DEFAULT:  # (bias epilogs write column-major results: never swapped)
            raise MatmulEpilogError(f"Epilog {epilog.name} needs a column-major result for conjugated operands.")
    if lay.trivial is not None and lay.trivial.startswith("k == 0") and epilog != _E.DEFAULT:
        raise MatmulEpilogError(
            f"Epilog {epilog.name} with K == 0 (a {problem.shapes['a']} @ b {problem.shapes['b']}) is not supported: "
            "cuBLASLt is not called for an empty product; apply the epilog yourself to beta * c."
        )
    if epilog in (_E.DRELU, _E.DRELU_BGRAD) and lay.k == 1:
        raise MatmulEpilogError(
            f"Epilog {epilog.name} needs K > 1 (cuBLASLt does not support K = 1 for DRELU), K is 1."
        )
    m, n = lay.m, lay.n
    attrs = []
    spec_inputs = []
    outputs = []
    for name, op in inputs.items():
        spec_inputs.append(_epilog_input(problem, lay, name, op, attrs))
    aux = _EPILOG_AUX_OUTPUTS.get(epilog)
    if aux is not None:
        al = aux_layout(lay, aux)
        dtype = "uint8" if aux == "relu_aux" else d_dtype
        outputs.append(_Output(aux, dtype, MatmulDescAttribute.EPILOGUE_AUX_POINTER, al.shape, al.strides,
                               al.view_shape, al.view_strides))  # fmt: skip
        attrs += [(MatmulDescAttribute.EPILOGUE_AUX_LD, al.ld),
                  (MatmulDescAttribute.EPILOGUE_AUX_BATCH_STRIDE, al.batch_offset)]  # fmt: skip
    bgrad = _EPILOG_BGRAD_OUTPUTS.get(epilog)
    if bgrad is not None:
        shape, strides, offset = _vector(n if epilog == _E.BGRADB else m, lay)
        outputs.append(_Output(bgrad, d_dtype, MatmulDescAttribute.BIAS_POINTER, shape, strides, shape, strides))
        attrs.append((MatmulDescAttribute.BIAS_BATCH_STRIDE, offset))
    if options.result_amax:
        outputs.append(_Output("result_amax", "float32", MatmulDescAttribute.AMAX_D_POINTER, (1,), (1,), (1,), (1,)))
    if epilog != _E.DEFAULT:
        attrs.insert(0, (MatmulDescAttribute.EPILOGUE, int(epilog)))
    if lay.trivial is not None:
        return _Spec(epilog, lay, None, "N", None, "N", spec_inputs, outputs, attrs, lay.c, lay.d)
    if form is not None:
        return _Spec(epilog, lay, form.a, form.op_a, form.b, form.op_b, spec_inputs, outputs, attrs, form.c, form.d,
                     form.swap)  # fmt: skip
    a, op_a, b, op_b = lay.a, lay.op_a, lay.b, lay.op_b
    if narrow:
        (a, op_a), (b, op_b) = _as_col(a), _as_col(b)
    elif epilog == _E.BGRADA:  # the mirror of BGRADB below: cuBLASLt's BGRADA reads A transposed
        a, op_a = _as_col(a)
        if op_a == "N" and d_dtype in _BGRADA_TRANSPOSED_A:
            raise MatmulUnsupportedError(
                f"Epilog BGRADA with {d_dtype} operands needs a row-major a (its last stride 1; cuBLASLt's bias "
                f"gradient of A takes A transposed), but a (shape {problem.shapes['a']}, strides "
                f"{problem.strides['a']}) is column-major: pass a C-contiguous a (e.g. the (M, K) array itself, not "
                "the transpose of a (K, M) one), or compute the gradient with BGRADB on the transposed problem."
            )
    elif epilog == _E.BGRADB:  # cuBLASLt's BGRADB reads B transposed
        b, op_b = _transposed(b), "T"
    return _Spec(epilog, lay, a, op_a, b, op_b, spec_inputs, outputs, attrs, lay.c, lay.d)


def _epilog_input(problem: _Problem, lay: MatmulLayout, name: str, op: _ops.Operand, attrs: list) -> _Input:
    """Check one epilog input and add its descriptor attributes to ``attrs``."""
    d_dtype = problem.d_dtype
    shape = tuple(op.shape)
    user_strides = tuple(op.strides)
    strides = _ops.c_strides(shape) if problem.on_host else user_strides
    m, n = lay.m, lay.n
    batch = lay.batch_shape
    head = f"Epilog input {name!r} (shape {shape}, strides {user_strides}, dtype {op.dtype})"
    if name == "bias":
        allowed = (d_dtype,)
        if d_dtype in ("float16", "bfloat16"):
            allowed = (d_dtype, "float32")
        elif d_dtype in _FP8:
            allowed = ("bfloat16", "float16")
        if op.dtype not in allowed:
            raise MatmulEpilogError(
                f"{head} has the wrong dtype: for a {d_dtype} result the bias must be {' or '.join(allowed)}."
            )
        # nvmath-python's (M, 1) / (..., M, 1) spellings are the (M,) / (..., M) vectors
        vshape, vstrides = shape, strides
        if len(shape) >= 2 and shape[-1] == 1 and shape[-2] == m:
            vshape, vstrides = shape[:-1], strides[:-1]
        try:
            vec = check_bias(lay, vshape, vstrides)
        except MatmulShapeError as exc:
            raise MatmulEpilogError(f"{head}: {exc}") from None
        except MatmulLayoutError as exc:
            raise MatmulEpilogError(f"{head}: {exc}") from None
        if lay.batch_count > 1:
            attrs.append((MatmulDescAttribute.BIAS_BATCH_STRIDE, vec.batch_offset))
        if op.dtype != d_dtype:
            attrs.append((MatmulDescAttribute.BIAS_DATA_TYPE, data_type(op.dtype)))
        return _Input(name, op, MatmulDescAttribute.BIAS_POINTER, shape, strides, shape, _ops.c_strides(shape))
    if name == "relu_aux":
        if op.dtype != "uint8":
            raise MatmulEpilogError(f"{head} must be the uint8 bit mask returned as 'relu_aux' by a RELU_AUX matmul.")
        ok = len(shape) == len(batch) + 2 and shape[:-2] == batch and shape[-2] == n
        ldb = shape[-1] if ok else 0
        ok = ok and ldb * 8 >= m and ldb % 16 == 0
        if not ok:
            want = aux_layout(lay, "relu_aux").shape
            raise MatmulEpilogError(
                f"{head} does not fit a {m} x {n} result with batch {batch}: pass the 'relu_aux' of a RELU_AUX matmul "
                f"with the same result shape (shape {want}: batch + (N, bytes per column), a multiple of 16 bytes)."
            )
        if not problem.on_host and strides != _ops.c_strides(shape):
            raise MatmulEpilogError(f"{head} must be C-contiguous, as RELU_AUX returns it.")
        attrs += [(MatmulDescAttribute.EPILOGUE_AUX_LD, ldb * 8),
                  (MatmulDescAttribute.EPILOGUE_AUX_BATCH_STRIDE, n * ldb * 8)]  # fmt: skip
        return _Input(name, op, MatmulDescAttribute.EPILOGUE_AUX_POINTER, shape, strides, shape, strides)
    # gelu_aux: the m x n GELU inputs, column-major with ld a multiple of 8
    if op.dtype != d_dtype:
        raise MatmulEpilogError(f"{head} must have the result's dtype {d_dtype} (the 'gelu_aux' of a GELU_AUX matmul).")
    standard = aux_layout(lay, "gelu_aux")
    if shape != standard.view_shape:
        raise MatmulEpilogError(
            f"{head} does not fit a {m} x {n} result with batch {batch}: pass the 'gelu_aux' of a GELU_AUX matmul "
            f"with the same result shape (shape {standard.view_shape})."
        )
    if problem.on_host:
        ld = standard.ld
        strides = standard.view_strides
    else:
        ld = user_strides[-1] if n > 1 else (user_strides[-3] if batch and lay.batch_count > 1 else standard.ld)
        expected = _ops.c_strides(batch + (n, ld))[:-2] + (1, ld)
        fits = (
            ld % 8 == 0
            and ld >= m
            and all(s == e or extent == 1 for s, e, extent in zip(user_strides, expected, shape, strict=True))
        )
        if not fits:
            raise MatmulEpilogError(
                f"{head} must be column-major with a leading dimension that is a multiple of 8 and >= M = {m}, its "
                f"batch C-ordered, as GELU_AUX returns it (e.g. strides {standard.view_strides})."
            )
    attrs += [(MatmulDescAttribute.EPILOGUE_AUX_LD, ld), (MatmulDescAttribute.EPILOGUE_AUX_BATCH_STRIDE, n * ld)]
    return _Input(name, op, MatmulDescAttribute.EPILOGUE_AUX_POINTER, shape, strides, standard.shape,
                  standard.strides)  # fmt: skip


def _check_algorithms(algorithms) -> tuple[Algorithm, ...] | None:
    """``algorithms`` (None or a sequence of :class:`Algorithm` of the loaded cuBLASLt) as a tuple."""
    if algorithms is None:
        return None
    if isinstance(algorithms, Algorithm):
        algorithms = (algorithms,)
    try:
        algorithms = tuple(algorithms)
    except TypeError:
        algorithms = ()
    if not algorithms or not all(isinstance(x, Algorithm) for x in algorithms):
        raise TypeError(
            f"Argument 'algorithms' = {algorithms!r} must be a non-empty sequence of Algorithm objects (from "
            "Matmul.plan() or Matmul.algorithms)."
        )
    version = _cublaslt_version()
    for algo in algorithms:
        if algo.cublaslt_version != version:
            raise MatmulUnsupportedError(
                f"An algorithm in 'algorithms' was made by cuBLASLt {algo.cublaslt_version}, but cuBLASLt "
                f"{version} is loaded: algorithms do not carry over between versions; plan anew."
            )
    return algorithms


def _parse_scales(scales, current: MatmulQuantizationScales, package: str, device_id: int) -> MatmulQuantizationScales:
    """``scales`` (a MatmulQuantizationScales or a dict) checked, with ``current`` filling the keys not given."""
    if isinstance(scales, Mapping):
        unknown = sorted(set(scales) - {"a", "b", "c", "d"})
        if unknown:
            raise TypeError(
                f"Argument 'quantization_scales' has unknown keys {unknown}: the keys of MatmulQuantizationScales "
                "are ['a', 'b', 'c', 'd']."
            )
        scales = dataclasses.replace(current, **scales)
    elif not isinstance(scales, MatmulQuantizationScales):
        raise TypeError(
            f"Argument 'quantization_scales' = {scales!r} must be a MatmulQuantizationScales or a dict, not "
            f"{type(scales).__name__}."
        )
    for name in "abcd":
        value = getattr(scales, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.generic)):
            op = _ops.wrap_operand(value, f"quantization_scales.{name}")
            if op.dtype != "float32" or op.shape not in ((), (1,)):
                raise ValueError(
                    f"quantization_scales.{name} is a {op.describe()}: a scale array must be float32 with one "
                    "element (shape () or (1,))."
                )
            if not op.on_host and (op.package != package or op.device_id != device_id):
                raise ValueError(
                    f"quantization_scales.{name} is a {op.describe()}: GPU scales must be {package} arrays on "
                    f"cuda:{device_id}, like the operands (or pass a number)."
                )
            if not op.on_host and op.data_ptr % _SCALE_ALIGNMENT:
                raise ValueError(
                    f"quantization_scales.{name} starts at {op.data_ptr:#x}, which is not {_SCALE_ALIGNMENT}-byte "
                    "aligned: cuBLASLt's FP8 kernels need aligned scales; pass a freshly allocated one-element array "
                    "(not a view into a larger one) or a number."
                )
    return scales


def _check_call(problem: _Problem, alpha, beta, quantization_scales, stream=None) -> MatmulQuantizationScales | None:
    """The checks of the per-call arguments (beta with c, scalar values, FP8 scales, the stream), before
    any GPU work; returns the parsed scales (None for other than FP8)."""
    if stream is not None:  # a given stream is read without the GPU (None: the current stream, later)
        streams.stream_handle(stream, package=problem.stream_package, device_id=problem.device_id)
    if problem.has_c and beta is None:
        raise ValueError(
            "Argument 'beta' = None, but c is given: a value for beta must be provided with c (as in nvmath-python);"
            " pass beta=1 to add c."
        )
    if not problem.has_c and beta is not None:
        raise ValueError(f"Argument 'beta' = {beta!r} is given without c: beta scales c; pass c, or drop beta.")
    st = problem.scale_type
    if alpha is not None:
        _store_scalar(None, st, alpha, "alpha", 1)
    if beta is not None:
        _store_scalar(None, st, beta, "beta", 0)
    if problem.kind == "fp8":
        if quantization_scales is None:
            raise MatmulUnsupportedError(
                f"FP8 matmuls ({problem.dtypes['a']} x {problem.dtypes['b']}) need quantization_scales: pass "
                "quantization_scales=MatmulQuantizationScales(a=..., b=..., d=...) (or a dict)."
            )
        return _parse_scales(quantization_scales, MatmulQuantizationScales(), problem.package, problem.device_id)
    if quantization_scales is not None:
        raise MatmulUnsupportedError(
            f"Argument 'quantization_scales' is given, but the operands are {problem.dtypes['a']}: quantization "
            "scales are for FP8 operations (float8_e4m3fn / float8_e5m2) only; drop them."
        )
    return None


# --------------------------------------------------------------------------------------------
# cuBLASLt objects
# --------------------------------------------------------------------------------------------

# Each FP8 scale nvmath keeps on the GPU has its own 256-byte aligned slot: cuBLASLt's FP8 kernels read the
# scale pointers with wide loads and refuse (CUBLAS_STATUS_NOT_SUPPORTED at cublasLtMatmul, after the
# heuristics accepted the plan) scales that are only 4-byte aligned.
_SCALE_SLOT = 256
_SCALE_ALIGNMENT = 16  # the least alignment of a user's GPU scale array

_HANDLES: dict[int, int] = {}
_HANDLE_LOCK = threading.Lock()


def _handle_for(device_id: int) -> int:
    """nvmath's cuBLASLt handle of a device, created on first use and kept for the process."""
    handle = _HANDLES.get(device_id)
    if handle is None:
        with _HANDLE_LOCK:
            handle = _HANDLES.get(device_id)
            if handle is None:
                with devices.device_scope(device_id):
                    handle = _HANDLES[device_id] = cublaslt.create()
    return handle


_TOTAL_MEMORY: dict[int, int] = {}


def _total_memory(device_id: int) -> int:
    total = _TOTAL_MEMORY.get(device_id)
    if total is None:
        driver = cuda_driver()
        err, dev = driver.cuDeviceGet(device_id)
        check_driver(err, "cuDeviceGet")
        err, total = driver.cuDeviceTotalMem(dev)
        check_driver(err, "cuDeviceTotalMem")
        total = _TOTAL_MEMORY[device_id] = int(total)
    return total


@functools.cache
def _setter(cname: str) -> _Setter:
    """One :class:`_Setter` per C function (built on first use: it loads the library)."""
    return _Setter(cname)


class _Setter:
    """``cublasLt*SetAttribute`` with the attribute's C type (the binding's table), minimal overhead."""

    __slots__ = ("_fn", "_name")

    def __init__(self, cname: str):
        self._fn = getattr(cublaslt.library(), cname)
        self._name = cname

    def __call__(self, obj: int, attr, value) -> None:
        ctype = cublaslt.attribute_ctype(attr)
        buffer = ctype(value) if ctype is not ctypes.c_void_p else ctypes.c_void_p(value or None)
        status = self._fn(obj, int(attr), ctypes.byref(buffer), ctypes.sizeof(buffer))
        if status:
            raise cublaslt.cuBLASLtError(status, f"{self._name}({attr!r}={value!r})")

    def pointer_slot(self, obj: int, attr) -> tuple:
        """A prebuilt (function, args, buffer) to set a pointer attribute repeatedly: ``buffer.value = ptr; fn(*args)``."""  # noqa: E501
        buffer = ctypes.c_void_p()
        return self._fn, (ctypes.c_void_p(obj), int(attr), ctypes.byref(buffer), ctypes.sizeof(buffer)), buffer


def _matrix_layout(set_layout: _Setter, dtype: str, mat: MatrixLayout) -> int:
    layout = cublaslt.matrix_layout_create(data_type(dtype), mat.rows, mat.cols, mat.ld)
    try:
        if mat.order == "row":
            set_layout(layout, MatrixLayoutAttribute.ORDER, cublaslt.Order.ROW)
        if mat.batch_count > 1:
            set_layout(layout, MatrixLayoutAttribute.BATCH_COUNT, mat.batch_count)
            set_layout(layout, MatrixLayoutAttribute.STRIDED_BATCH_OFFSET, mat.batch_offset)
    except Exception:
        cublaslt.matrix_layout_destroy(layout)
        raise
    return layout


_OPERAND_INDEX = {"a": 0, "b": 1, "c": 2}
_OPS = {"N": cublaslt.Operation.N, "T": cublaslt.Operation.T, "C": cublaslt.Operation.C}


def _view(package: str, base, shape, strides, dtype: str):
    """``base`` (an allocation) seen with ``shape`` / ``strides`` (elements), offset 0."""
    if tuple(base.shape) == tuple(shape) and _ops.wrap_operand(base).strides == tuple(strides):
        return base
    if package == "torch":
        return base.as_strided(tuple(shape), tuple(strides))
    itemsize = _ITEMSIZE[dtype]
    byte_strides = tuple(s * itemsize for s in strides)
    if package == "cupy":
        import cupy

        return cupy.ndarray(tuple(shape), base.dtype, memptr=base.data, strides=byte_strides)
    return np.lib.stride_tricks.as_strided(base, tuple(shape), byte_strides)


def _new_host(package: str, shape, strides, dtype: str):
    return _ops.empty_like_package(package, shape, strides, dtype, None)


# --------------------------------------------------------------------------------------------
# Matmul
# --------------------------------------------------------------------------------------------


class Matmul(Freeable):
    """A planned ``F(alpha * a @ b + beta * c)`` (cuBLASLt), executed as often as needed.

    Args:
        a, b: NumPy/CuPy arrays or PyTorch tensors of one package, in one place, with
            ``numpy.matmul`` shapes (``(..., M, K)`` / ``(K,)`` and ``(..., K, N)`` / ``(K,)``), the
            same dtype (float16, bfloat16, float32, float64, complex32/64/128; int8 for an int32
            result; FP8 ``float8_e4m3fn`` / ``float8_e5m2`` (torch) with ``quantization_scales``).
            Any strides with a unit stride in each matrix work without copies (transposed views).
        c: optional; broadcastable to the result (batch broadcast only), the result's dtype.
        alpha: scale of ``a @ b`` (default 1).
        beta: scale of ``c``: required with ``c`` (as in nvmath-python), an error without it.
        qualifiers: ``(conjugate_a, conjugate_b)`` bools, or nvmath-python's NumPy array of
            :data:`matrix_qualifiers_dtype`; complex operands only. A lazily conjugated torch
            tensor (``x.conj()``) is read as such.
        quantization_scales: :class:`MatmulQuantizationScales` or a dict; required for FP8,
            an error (MatmulUnsupportedError) otherwise.
        options: :class:`MatmulOptions` or a dict with its keys.
        stream: the stream of planning and execution: an int handle, a CuPy/PyTorch/cuda.core
            stream; None: the operands' package's current stream (captured now).

    Raises:
        MatmulShapeError, MatmulLayoutError: shapes that do not multiply, layouts cuBLASLt cannot read.
        MatmulDtypeError, MatmulUnsupportedError, ValueError, TypeError: bad arguments (before any GPU work).
        nvmath.host.devices.NoGPUError: no GPU.

    Example:
        >>> import cupy as cp  # doctest: +SKIP
        >>> a = cp.random.rand(128, 64).astype(cp.float32)  # doctest: +SKIP
        >>> b = cp.random.rand(64, 32).astype(cp.float32)  # doctest: +SKIP
        >>> with Matmul(a, b) as mm:  # doctest: +SKIP
        ...     algorithms = mm.plan(epilog=MatmulEpilog.RELU)
        ...     d = mm.execute()
        ...     a[...] = 2 * a  # in-place changes are seen by the next execution
        ...     d2 = mm.execute()
    """

    def __init__(self, a, b, /, c=None, *, alpha=None, beta=None, qualifiers=None, quantization_scales=None,
                 options=None, stream=None, _problem: tuple | None = None):  # fmt: skip
        self._args = None  # the prebuilt cublasLtMatmul arguments; None means "not ready" (execute's one check)
        self._fast = False
        self._life = Lifetime("Matmul", MatmulFreedError)
        self._desc = None
        self._layouts: list[int] = []
        self._pref = None
        self._spec: _Spec | None = None
        self._algorithms: tuple[Algorithm, ...] = ()
        self._blocks: dict[str, tuple] = {}  # device buffers of host plans and FP8 scales: name -> (pointer, ordered)
        self._workspace = None
        if _problem is not None:
            ops, problem, options = _problem
        else:
            options = parse_matmul_options(options)
            ops = _wrap(a=a, b=b, c=c)
            problem = _describe(ops, qualifiers, options)
        self.options = options
        self.logger = get_logger(options.logger)
        scales = _check_call(problem, alpha, beta, quantization_scales, stream)
        self._problem = problem
        self._ops = ops
        self._epilog_ops: dict[str, _ops.Operand] = {}
        self.device_id = problem.device_id
        self.package = problem.package
        self.result_dtype = problem.d_dtype
        self._on_host = problem.on_host
        self._blocking = options.blocking is True or problem.on_host
        self._alpha = _scalar_buffer(problem.scale_type)
        self._beta = _scalar_buffer(problem.scale_type)
        self.alpha = _store_scalar(self._alpha, problem.scale_type, alpha, "alpha", 1)
        self.beta = _store_scalar(self._beta, problem.scale_type, beta, "beta", 0)
        self._scales = scales

        # ---- GPU work starts here ------------------------------------------------------------
        devices.ensure_gpu(problem.device_id, WHAT)
        if problem.kind in ("fp8", "int8"):
            _check_narrow_layout(problem, devices.compute_capability(problem.device_id))
        # Host operands are copied with driver calls, which need the device's context current.
        self._check_ctx = devices.device_count() > 1 or problem.on_host
        with devices.device_scope(self.device_id):
            self._stream = PlanStream(stream, package=problem.stream_package, device_id=self.device_id)
            self._allocator = options.allocator or default_memory_manager(problem.stream_package, self.device_id)
            self._workspace = Workspace(self._allocator)
            self._handle = options.handle or _handle_for(self.device_id)
            if self._on_host:
                for name in problem.names:
                    self._block(name, math.prod(problem.shapes[name]) * _ITEMSIZE[problem.dtypes[name]])
            if self._scales is not None:
                self._block("scales", 4 * _SCALE_SLOT)
                self._write_scales()
        if self.logger.isEnabledFor(logging.DEBUG):
            self.logger.debug(
                "Matmul %s: %s; compute %s, scale %s, result %s; device %d, stream %#x; %s",
                problem.kind, ", ".join(f"{n}: {ops[n].describe()}" for n in problem.names), problem.compute_type.name,
                problem.scale_type.name, problem.d_dtype, self.device_id, self._stream.handle,
                problem.base_layout.describe(),
            )  # fmt: skip

    # ------------------------------------------------------------------------------------------
    # Small helpers
    # ------------------------------------------------------------------------------------------

    def _block(self, name: str, nbytes: int) -> int:
        """A device buffer of at least ``nbytes`` kept under ``name`` (reallocated if smaller)."""
        old = self._blocks.get(name)
        if old is not None:
            if old[0].size >= nbytes:
                return old[0].device_ptr
            self._free_block(name)
        block = allocate(self._allocator, max(nbytes, 1), self._stream.handle)
        self._blocks[name] = block
        return block[0].device_ptr

    def _free_block(self, name: str) -> None:
        pointer, ordered = self._blocks.pop(name)
        if not ordered:
            streams.synchronize(self._stream.handle)
        pointer.free()

    @property
    def layout(self) -> MatmulLayout:
        """The cuBLASLt description of the problem (after :meth:`plan`: with the epilog's result order)."""
        return self._spec.layout if self._spec is not None else self._problem.base_layout

    @property
    def algorithms(self) -> tuple[Algorithm, ...]:
        """The planned algorithms, fastest first (after :meth:`autotune`: measured order, pruned).

        Example:
            >>> mm.algorithms[0].algorithm_id  # doctest: +SKIP
            66
        """
        return self._algorithms

    def _parse_scales(self, scales, current: MatmulQuantizationScales) -> MatmulQuantizationScales:
        return _parse_scales(scales, current, self.package, self.device_id)

    def _scale_pointer(self, name: str) -> int:
        """Where cuBLASLt reads scale ``name``: the user's GPU array, or nvmath's small buffer."""
        value = getattr(self._scales, name)
        if value is not None and not isinstance(value, (numbers.Real, np.generic)):
            op = _ops.wrap_operand(value)
            if not op.on_host:
                return op.data_ptr
        return self._blocks["scales"][0].device_ptr + _SCALE_SLOT * "abcd".index(name)

    def _write_scales(self) -> None:
        step = _SCALE_SLOT // 4
        values = np.ones(4 * step, np.float32)
        for i, name in enumerate("abcd"):
            value = getattr(self._scales, name)
            if value is None:
                continue
            if isinstance(value, (numbers.Real, np.generic)):
                values[i * step] = float(value)
            else:
                op = _ops.wrap_operand(value)
                if op.on_host:
                    values[i * step] = float(np.asarray(value.cpu() if op.package == "torch" else value).reshape(()))
        self._scale_values = values  # keep it alive until the copy is done
        _ops.host_to_device(self._blocks["scales"][0].device_ptr, _ops.wrap_operand(values), values.nbytes,
                            self._stream.handle)  # fmt: skip

    # ------------------------------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------------------------------

    def plan(self, *, preferences=None, algorithms=None, epilog=None, epilog_inputs=None, stream=None,
             _checked=None) -> tuple[Algorithm, ...]:  # fmt: skip
        """Choose algorithms (cuBLASLt heuristics, or the ``algorithms`` given) for the epilog, and allocate workspace.

        Args:
            preferences: :class:`MatmulPlanPreferences` or a dict (``limit``: how many algorithms).
            algorithms: a sequence of :class:`Algorithm` (e.g. unpickled from an earlier plan of the
                same problem) to use instead of the heuristics; each is checked with cuBLASLt.
            epilog: a :class:`MatmulEpilog` (default: none).
            epilog_inputs: the epilog's inputs, e.g. ``{'bias': bias}`` (see :class:`MatmulEpilog`).
            stream: the stream to plan on and execute on from now on.

        Returns:
            The algorithms (a tuple, fastest first); :meth:`execute` uses the first.

        Example:
            >>> algorithms = mm.plan(epilog=MatmulEpilog.BIAS, epilog_inputs={"bias": bias})  # doctest: +SKIP
        """
        self._life.check()
        if self._ops is None:
            raise RuntimeError(
                "This Matmul has no operands (release_operands() was called): call reset_operands(a, b, ...) first."
            )
        if _checked is not None:  # the stateless matmul checked everything before any GPU work
            spec, prefs, algorithms = _checked
        else:
            prefs = parse_preferences(preferences)
            spec = _plan_spec(self._problem, parse_epilog(epilog), _wrap_epilog_inputs(self._problem, epilog_inputs),
                              self.options)  # fmt: skip
            algorithms = _check_algorithms(algorithms)
        epilog = spec.epilog
        start = time.perf_counter()
        with devices.device_scope(self.device_id):
            if stream is not None:
                self._switch_stream(stream)
            self._teardown()
            self._spec = spec
            self._epilog_ops = {i.name: i.op for i in spec.inputs}
            if spec.trivial is None:
                self._build(spec, prefs, algorithms)
            else:
                self._algorithms = ()
                self._input_slots, self._output_slots = {}, None  # no descriptor: nothing to point at
                self._prepare_results(spec)
            self._args_ready()
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info(
                "Matmul planned in %.3f ms: %s, epilog %s, %d algorithm(s), workspace %d bytes%s",
                (time.perf_counter() - start) * 1e3, spec.describe(), epilog.name, len(self._algorithms),
                self._workspace.size, "" if spec.trivial is None else f" (no cuBLASLt call: {spec.trivial})",
            )  # fmt: skip
        return self._algorithms

    def _build(self, spec: _Spec, prefs: MatmulPlanPreferences, algorithms) -> None:
        problem = self._problem
        set_desc = _setter("cublasLtMatmulDescSetAttribute")
        set_layout = _setter("cublasLtMatrixLayoutSetAttribute")
        desc = self._desc = cublaslt.matmul_desc_create(problem.compute_type, problem.scale_type)
        A = MatmulDescAttribute
        if spec.op_a != "N":
            set_desc(desc, A.TRANSA, _OPS[spec.op_a])
        if spec.op_b != "N":
            set_desc(desc, A.TRANSB, _OPS[spec.op_b])
        if self.options.sm_count_target:
            set_desc(desc, A.SM_COUNT_TARGET, self.options.sm_count_target)
        for attr, value in spec.attrs:
            set_desc(desc, attr, value)
        if problem.kind == "fp8":
            set_desc(desc, A.A_SCALE_POINTER, self._scale_pointer("a"))
            set_desc(desc, A.B_SCALE_POINTER, self._scale_pointer("b"))
            if problem.d_dtype in _FP8:
                set_desc(desc, A.D_SCALE_POINTER, self._scale_pointer("d"))
            if self.options.fast_accumulation:
                set_desc(desc, A.FAST_ACCUM, 1)
        # epilog input pointers (GPU arrays, or the staging buffers of host ones)
        self._input_slots = {}
        for inp in spec.inputs:
            slot = set_desc.pointer_slot(desc, inp.attr)
            self._input_slots[inp.name] = slot
            if self._on_host:
                nbytes = math.prod(inp.alloc_shape) * _ITEMSIZE[inp.op.dtype]
                ptr = self._block(f"in:{inp.name}", nbytes)
            else:
                ptr = inp.op.data_ptr
            self._set_slot(slot, ptr)
        # outputs: placeholders (aligned) for the heuristics, real pointers per execution
        self._output_slots = [set_desc.pointer_slot(desc, out.attr) for out in spec.outputs]
        for out, slot in zip(spec.outputs, self._output_slots, strict=True):
            ptr = self._block(f"out:{out.name}", out.nbytes) if self._on_host else 256
            self._set_slot(slot, ptr)
        # layouts
        d_dtype = problem.d_dtype
        a_lay = _matrix_layout(set_layout, problem.dtypes["a"], spec.a)
        self._layouts.append(a_lay)
        b_lay = _matrix_layout(set_layout, problem.dtypes["b"], spec.b)
        self._layouts.append(b_lay)
        d_lay = _matrix_layout(set_layout, d_dtype, spec.d)
        self._layouts.append(d_lay)
        if problem.has_c:
            c_lay = _matrix_layout(set_layout, problem.c_dtype, spec.c)
            self._layouts.append(c_lay)
        elif problem.c_dtype != d_dtype:
            c_lay = _matrix_layout(set_layout, problem.c_dtype, spec.d)
            self._layouts.append(c_lay)
        else:
            c_lay = d_lay
        self._c_layouts = (a_lay, b_lay, c_lay, d_lay)
        handle = self._handle
        if algorithms is None:
            results = self._heuristics(desc, prefs, spec)
            self._algorithms = tuple(Algorithm(r) for r in results)
            sizes = [r.workspaceSize for r in results]
        else:
            sizes = []
            for i, algo in enumerate(algorithms):
                try:
                    check = cublaslt.matmul_algo_check(handle, desc, a_lay, b_lay, c_lay, d_lay, algo.algo)
                except cublaslt.cuBLASLtError as exc:
                    raise MatmulUnsupportedError(
                        f"algorithms[{i}] ({algo!r}) cannot run this matmul ({spec.describe()}): {exc}. Pass "
                        "algorithms planned for the same problem, or plan without 'algorithms'."
                    ) from None
                sizes.append(check.workspaceSize)
            self._algorithms = algorithms
        self._algo_workspace = {id(x): s for x, s in zip(self._algorithms, sizes, strict=True)}
        self._algo_bytes = {id(x): bytes(x.algo) for x in self._algorithms}
        self._workspace.size = max(sizes)
        self._workspace.ensure(self._workspace.size, self._stream.handle)
        self._prepare_results(spec)

    def _heuristics(self, desc: int, prefs: MatmulPlanPreferences, spec: _Spec) -> list:
        problem = self._problem
        P = cublaslt.MatmulPreferenceAttribute
        set_pref = _setter("cublasLtMatmulPreferenceSetAttribute")
        pref = self._pref = cublaslt.matmul_preference_create()
        limit = resolve_memory_limit(self.options.memory_limit, _total_memory(self.device_id))
        set_pref(pref, P.MAX_WORKSPACE_BYTES, limit)
        set_pref(pref, P.REDUCTION_SCHEME_MASK, prefs.reduction_scheme_mask)
        if prefs.max_waves_count:
            set_pref(pref, P.MAX_WAVES_COUNT, prefs.max_waves_count)
        set_pref(pref, P.IMPL_MASK, prefs.numerical_impl_mask)
        if not self._on_host:
            alignments = problem.alignments
            if spec.swap:
                alignments = (alignments[1], alignments[0], alignments[2])
            for attr, align in zip((P.MIN_ALIGNMENT_A_BYTES, P.MIN_ALIGNMENT_B_BYTES, P.MIN_ALIGNMENT_C_BYTES),
                                   alignments, strict=True):  # fmt: skip
                if align is not None:
                    set_pref(pref, attr, align)
        a_lay, b_lay, c_lay, d_lay = self._c_layouts
        start = time.perf_counter()
        try:
            results = cublaslt.matmul_algo_get_heuristic(self._handle, desc, a_lay, b_lay, c_lay, d_lay, pref,
                                                         prefs.limit)  # fmt: skip
        except cublaslt.cuBLASLtError as exc:
            results, error = [], exc
        else:
            error = None
        results = [r for r in results if r.state == 0]
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info("cuBLASLt heuristics took %.3f ms: %d algorithm(s)", (time.perf_counter() - start) * 1e3,
                             len(results))  # fmt: skip
        if not results:
            raise MatmulUnsupportedError(
                f"cuBLASLt has no algorithm for this matmul ({problem.dtypes['a']} x {problem.dtypes['b']} -> "
                f"{problem.d_dtype}, compute {problem.compute_type.name}, epilog {spec.epilog.name}, "
                f"{spec.describe()})"
                + (f": {error}" if error is not None else "")
                + ". Try another compute type, epilog or layout, or a larger memory_limit."
            )
        return results

    def _prepare_results(self, spec: _Spec) -> None:
        lay = spec.layout
        problem = self._problem
        if not self._on_host:
            self._results = ResultPool(self.package, lay.result_shape, lay.result_strides, problem.d_dtype,
                                       self.device_id, reuse=self.package == "cupy")  # fmt: skip
        elif spec.trivial is None:
            self._block("d", math.prod(lay.result_shape) * _ITEMSIZE[problem.d_dtype])
        self._out_factories = None
        self._out_stream = None

    def _args_ready(self) -> None:
        """Build the cublasLtMatmul arguments (and decide whether execute can take the short path)."""
        spec = self._spec
        self._new_result = None if self._on_host else self._results.new
        self._data_ptr = {"cupy": lambda x: x.data.ptr, "torch": lambda x: x.data_ptr()}.get(self.package)
        if spec.trivial is not None:
            self._args = []
            self._fast = False
            return
        a_lay, b_lay, c_lay, d_lay = self._c_layouts
        p = ctypes.c_void_p
        self._fn = cublaslt.matmul_function()
        self._algo_ref = ctypes.byref(self._algorithms[0].algo)
        if self._on_host:
            ptr = {n: self._blocks[n][0].device_ptr for n in self._problem.names}
            d_ptr = self._blocks["d"][0].device_ptr
        else:
            ptr = {n: self._ops[n].data_ptr for n in self._problem.names}
            d_ptr = 0
        # Without c, C is D (same layout) or, when C's type differs from D's (FP8 results), NULL: cuBLASLt
        # takes C == D only with identical layouts, and beta is 0 then.
        self._c_from_d = not self._problem.has_c and self._problem.c_dtype == self._problem.d_dtype
        first, second = ("b", "a") if spec.swap else ("a", "b")
        self._arg_slots = ((3, first, _OPERAND_INDEX[first]), (5, second, _OPERAND_INDEX[second]), (8, "c", 2))
        self._args = [
            p(self._handle), p(self._desc), p(ctypes.addressof(self._alpha)), ptr[first], p(a_lay), ptr[second],
            p(b_lay), p(ctypes.addressof(self._beta)), ptr.get("c", d_ptr if self._c_from_d else None), p(c_lay), d_ptr,
            p(d_lay), self._algo_ref, p(self._workspace.pointer or None), self._workspace.size, p(self._stream.handle),
        ]  # fmt: skip
        self._update_fast()

    def _update_fast(self) -> None:
        self._fast = (
            not self._on_host and not self._blocking and not self._spec.outputs and not self._check_ctx
            and self._workspace.allocated == (self._workspace.size > 0) and self._spec.trivial is None
        )  # fmt: skip

    @staticmethod
    def _set_slot(slot, ptr: int) -> None:
        fn, args, buffer = slot
        buffer.value = ptr or None
        status = fn(*args)
        if status:
            raise cublaslt.cuBLASLtError(status, "cublasLtMatmulDescSetAttribute")

    # ------------------------------------------------------------------------------------------
    # Autotuning
    # ------------------------------------------------------------------------------------------

    def autotune(self, iterations: int = 10, prune: int | None = None, stream=None, *,
                 release_workspace: bool = False) -> None:  # fmt: skip
        """Time every planned algorithm and reorder :attr:`algorithms` fastest first (keeping the ``prune`` fastest).

        Args:
            iterations: timed runs per algorithm (the minimum counts).
            prune: keep only this many algorithms (None: all).
            stream: run on this stream from now on.
            release_workspace: give the workspace back afterwards (keyword-only).

        Example:
            >>> mm.plan()  # doctest: +SKIP
            >>> mm.autotune(iterations=5, prune=2)  # doctest: +SKIP
            >>> len(mm.algorithms) <= 2  # doctest: +SKIP
            True
        """
        self._check_ready()
        if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
            raise ValueError(f"Argument 'iterations' = {iterations!r} must be a positive int.")
        if prune is not None and (isinstance(prune, bool) or not isinstance(prune, int) or prune < 1):
            raise ValueError(f"Argument 'prune' = {prune!r} must be None or a positive int.")
        if self._spec.trivial is not None:
            return
        if stream is not None:
            self._switch_stream(stream)
        driver = cuda_driver()
        start_time = time.perf_counter()
        with devices.device_scope(self.device_id):
            self._ensure_workspace()
            handle = self._stream.handle
            keep = []
            if self._on_host:
                keep += self._copy_in(handle)  # host temporaries stay alive until the stream is done
            else:
                result = self._new_result(handle)
                keep.append(result)
                self._set_d(self._data_ptr(result))
                keep += self._bind_outputs(handle)
            err, begin = driver.cuEventCreate(0)
            check_driver(err, "cuEventCreate")
            err, end = driver.cuEventCreate(0)
            check_driver(err, "cuEventCreate")
            cu_stream = driver.CUstream(handle)
            times = []
            try:
                for algo in self._algorithms:
                    args = list(self._args)
                    args[12] = ctypes.byref(algo.algo)
                    best = math.inf
                    for _ in range(iterations):
                        check_driver(driver.cuEventRecord(begin, cu_stream)[0], "cuEventRecord")
                        status = self._fn(*args)
                        if status:
                            self._raise_exec(status)
                        check_driver(driver.cuEventRecord(end, cu_stream)[0], "cuEventRecord")
                        check_driver(driver.cuEventSynchronize(end)[0], "cuEventSynchronize")
                        err, ms = driver.cuEventElapsedTime(begin, end)
                        check_driver(err, "cuEventElapsedTime")
                        best = min(best, ms)
                    times.append(best)
            finally:
                driver.cuEventDestroy(begin)
                driver.cuEventDestroy(end)
            order = sorted(range(len(times)), key=times.__getitem__)[: prune or len(times)]
            self._algorithms = tuple(self._algorithms[i] for i in order)
            self._algo_ref = ctypes.byref(self._algorithms[0].algo)
            self._args[12] = self._algo_ref
            if release_workspace:
                self._workspace.release(handle)
                self._update_fast()
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info(
                "Matmul autotuning took %.3f ms: times (ms) %s, order %s",
                (time.perf_counter() - start_time) * 1e3, ", ".join(f"{t:.4f}" for t in times), order,
            )  # fmt: skip

    # ------------------------------------------------------------------------------------------
    # Execution
    # ------------------------------------------------------------------------------------------

    def execute(self, *, algorithm: Algorithm | None = None, release_workspace: bool = False, stream=None):
        """Run the planned matmul and return the result (and the epilog's outputs).

        Args:
            algorithm: one of :attr:`algorithms` (default: the first).
            release_workspace: give the workspace back to the allocator afterwards (allocated
                again by the next execution).
            stream: run on this stream from now on (None: the plan's stream).

        Returns:
            The result, an array of the operands' package on their device (host operands: a host
            array); with an epilog that has outputs (or ``result_amax``), ``(result, {name: array})``.
            For CuPy operands the result array of an earlier execution is reused when the caller
            no longer holds it.

        Example:
            >>> d = mm.execute()  # doctest: +SKIP
            >>> d, aux = mm_relu_aux.execute()  # doctest: +SKIP
            >>> aux["relu_aux"].dtype  # doctest: +SKIP
            dtype('uint8')
        """
        args = self._args
        if args is None:
            self._raise_not_ready()
        if self._fast and algorithm is None and stream is None and not release_workspace:
            result = self._new_result(self._stream.handle)
            ptr = self._data_ptr(result)
            args[10] = ptr
            if self._c_from_d:
                args[8] = ptr
            status = self._fn(*args)
            if status:
                self._raise_exec(status)
            return result
        return self._execute(algorithm, release_workspace, stream)

    def _execute(self, algorithm, release_workspace, stream):
        if stream is not None:
            self._switch_stream(stream)
        spec = self._spec
        algo_ref = self._algo_ref if spec.trivial is None else None
        if algorithm is not None:
            algo_ref = self._algorithm_ref(algorithm)
        if self._check_ctx:
            with devices.device_scope(self.device_id):
                result = self._run(algo_ref)
        else:
            result = self._run(algo_ref)
        if release_workspace:
            self._workspace.release(self._stream.handle)
        self._update_fast()
        return result

    def _algorithm_ref(self, algorithm):
        if spec_trivial := self._spec.trivial:
            raise ValueError(f"Argument 'algorithm' is given, but this matmul calls no algorithm ({spec_trivial}).")
        if not any(algorithm is x for x in self._algorithms):
            raise ValueError(
                f"Argument 'algorithm' = {algorithm!r} is not one of this plan's algorithms (mm.algorithms): to use "
                "another algorithm, plan(algorithms=[algorithm])."
            )
        data = bytes(algorithm.algo)
        if data != self._algo_bytes[id(algorithm)]:  # reconfigured since planning: check it again
            a_lay, b_lay, c_lay, d_lay = self._c_layouts
            check = cublaslt.matmul_algo_check(self._handle, self._desc, a_lay, b_lay, c_lay, d_lay, algorithm.algo)
            self._algo_workspace[id(algorithm)] = check.workspaceSize
            self._algo_bytes[id(algorithm)] = data
        needed = self._algo_workspace[id(algorithm)]
        if needed > self._workspace.size:
            self._workspace.size = needed
            self._workspace.release(self._stream.handle)
        return ctypes.byref(algorithm.algo)

    def _ensure_workspace(self) -> None:
        if self._workspace.size and not self._workspace.allocated:
            self._workspace.ensure(self._workspace.size, self._stream.handle)
        if self._args:
            self._args[13] = ctypes.c_void_p(self._workspace.pointer or None)
            self._args[14] = self._workspace.size

    def _set_d(self, ptr: int) -> None:
        self._args[10] = ptr
        if self._c_from_d:
            self._args[8] = ptr

    def _bind_outputs(self, stream: int) -> list:
        """New output arrays (GPU plans), their pointers set in the descriptor; returns the user's views."""
        spec = self._spec
        if not spec.outputs:
            return []
        if self._out_factories is None or self._out_stream != stream:
            self._out_factories = [
                _ops.result_factory(self.package, out.alloc_shape, out.alloc_strides, out.dtype, self.device_id, stream)
                for out in spec.outputs
            ]
            self._out_stream = stream
        views = []
        for out, new, slot in zip(spec.outputs, self._out_factories, self._output_slots or [None] * len(spec.outputs),
                                  strict=True):  # fmt: skip
            base = new()
            if slot is not None:
                self._set_slot(slot, self._data_ptr(base))
            views.append(_view(self.package, base, out.view_shape, out.view_strides, out.dtype))
        return views

    def _run(self, algo_ref):
        spec = self._spec
        stream = self._stream.handle
        if spec.trivial is not None:
            return self._run_trivial(stream)
        self._ensure_workspace()
        if self._on_host:
            return self._run_host(algo_ref, stream)
        result = self._new_result(stream)
        self._set_d(self._data_ptr(result))
        outputs = self._bind_outputs(stream)
        args = self._args
        if algo_ref is not self._algo_ref:
            args = list(args)
            args[12] = algo_ref
        status = self._fn(*args)
        if status:
            self._raise_exec(status)
        if self._blocking:
            streams.synchronize(stream)
        if spec.outputs:
            return result, {out.name: view for out, view in zip(spec.outputs, outputs, strict=True)}
        return result

    def _copy_in(self, stream: int) -> list:
        """Copy the host operands and epilog inputs to their device buffers; returns host temporaries to keep."""
        keep = []
        problem = self._problem
        for name in problem.names:
            op = self._ops[name]
            keep.append(self._h2d(self._blocks[name][0].device_ptr, op, problem.shapes[name], problem.strides[name],
                                  problem.shapes[name], problem.strides[name], stream))  # fmt: skip
        for inp in self._spec.inputs:
            op = self._epilog_ops[inp.name]
            keep.append(self._h2d(self._blocks[f"in:{inp.name}"][0].device_ptr, op, inp.alloc_shape, inp.alloc_strides,
                                  inp.shape, inp.strides, stream))  # fmt: skip
        return keep

    def _h2d(self, dst: int, op: _ops.Operand, alloc_shape, alloc_strides, view_shape, view_strides, stream: int):
        conj = op.package == "torch" and (op.obj.is_conj() or op.obj.is_neg())
        if alloc_shape == tuple(op.shape) and alloc_strides == tuple(op.strides) and not conj:
            source = op
        else:
            base = _new_host(op.package, alloc_shape, alloc_strides, op.dtype)
            view = _view(op.package, base, view_shape, view_strides, op.dtype)
            view[...] = op.obj
            source = _ops.wrap_operand(base)
        nbytes = math.prod(alloc_shape) * _ITEMSIZE[op.dtype]
        if nbytes:
            _ops.host_to_device(dst, source, nbytes, stream)
        return source

    def _run_host(self, algo_ref, stream: int):
        spec = self._spec
        keep = self._copy_in(stream)
        args = self._args
        if algo_ref is not self._algo_ref:
            args = list(args)
            args[12] = algo_ref
        status = self._fn(*args)
        if status:
            self._raise_exec(status)
        lay = spec.layout
        result = _new_host(self.package, lay.result_shape, lay.result_strides, self.result_dtype)
        nbytes = math.prod(lay.result_shape) * _ITEMSIZE[self.result_dtype]
        _ops.device_to_host(_ops.data_pointer(result), self._blocks["d"][0].device_ptr, nbytes, stream)
        outputs = {}
        for out in spec.outputs:
            base = _new_host(self.package, out.alloc_shape, out.alloc_strides, out.dtype)
            if out.nbytes:
                _ops.device_to_host(_ops.data_pointer(base), self._blocks[f"out:{out.name}"][0].device_ptr, out.nbytes,
                                    stream)  # fmt: skip
            outputs[out.name] = _view(self.package, base, out.view_shape, out.view_strides, out.dtype)
        streams.synchronize(stream)
        del keep
        return (result, outputs) if spec.outputs else result

    def _run_trivial(self, stream: int):
        """An empty result, or K == 0 (D = beta * c, or zeros): no cuBLASLt call."""
        spec = self._spec
        lay = spec.layout
        c = self._ops.get("c")
        if self._on_host:
            result = _new_host(self.package, lay.result_shape, lay.result_strides, self.result_dtype)
            self._fill_trivial(result, c)
            outputs = [_new_host(self.package, o.alloc_shape, o.alloc_strides, o.dtype) for o in spec.outputs]
        else:
            result = self._new_result(stream)
            with streams.package_stream(self.package, stream, self.device_id):
                self._fill_trivial(result, c)
            outputs = self._bind_outputs(stream)
            if self._blocking:
                streams.synchronize(stream)
        if spec.outputs:
            return result, {out.name: view for out, view in zip(spec.outputs, outputs, strict=True)}
        return result

    def _fill_trivial(self, result, c) -> None:
        if 0 in tuple(result.shape):
            return
        if self._problem.kind == "fp8":
            raise MatmulUnsupportedError("An FP8 matmul with K == 0 is not supported.")
        if c is None or self.beta == 0:
            result[...] = 0
        else:
            result[...] = c.obj
            if self.beta != 1:
                result *= self.beta

    def _raise_exec(self, status: int):
        raise cublaslt.cuBLASLtError(status, f"cublasLtMatmul for {self._spec.describe()}")

    def _check_ready(self) -> None:
        self._life.check()
        if self._ops is None:
            raise RuntimeError(
                "This Matmul has no operands (release_operands() was called): call reset_operands(a, b, ...) with "
                "every operand first."
            )
        if self._args is None:
            raise RuntimeError("This Matmul is not planned yet: call plan() before execute() or autotune().")

    def _raise_not_ready(self):
        self._check_ready()
        raise RuntimeError("This Matmul is not ready.")  # pragma: no cover

    # ------------------------------------------------------------------------------------------
    # Streams and operands
    # ------------------------------------------------------------------------------------------

    def _switch_stream(self, stream) -> None:
        if self._stream.switch(stream) and self._args:
            self._args[15] = ctypes.c_void_p(self._stream.handle or None)

    def release_operands(self) -> None:
        """Drop the references to the operands and epilog inputs (execute raises until
        :meth:`reset_operands` gives all of them again).

        Example:
            >>> mm.release_operands()  # doctest: +SKIP
            >>> mm.reset_operands(a2, b2)  # doctest: +SKIP
        """
        self._life.check()
        self._ops = None
        self._epilog_ops = {}
        self._args_saved = self._args
        self._args = None
        self._fast = False

    def reset_operands(self, a=None, b=None, c=None, *, alpha=None, beta=None, epilog_inputs=None,
                       quantization_scales=None, stream=None) -> None:  # fmt: skip
        """Use new operands, scalars or epilog inputs in the next executions.

        Each new array must match the planned one: package, place (device), dtype, shape and, for
        GPU arrays, strides and (at least the planned) pointer alignment; otherwise
        :class:`MatmulResetError` says what differs (create a new :class:`Matmul` for it). Host
        operands need only the same shape and dtype. Arguments left None keep their current
        value (``alpha`` / ``beta`` too); with no argument at all this is :meth:`release_operands`.

        Example:
            >>> mm.reset_operands(a2, b2, alpha=0.5)  # doctest: +SKIP
            >>> d = mm.execute()  # doctest: +SKIP
        """
        self._life.check()
        given = {"a": a, "b": b, "c": c}
        if all(v is None for v in given.values()) and alpha is None and beta is None and epilog_inputs is None \
                and quantization_scales is None and stream is None:  # fmt: skip
            self.release_operands()
            return
        problem = self._problem
        if c is not None and not problem.has_c:
            raise MatmulResetError("Argument 'c' is given, but this Matmul was planned without c: create a new Matmul.")
        if beta is not None and not problem.has_c:
            raise ValueError(f"Argument 'beta' = {beta!r} is given, but this Matmul has no c: beta scales c.")
        released = self._ops is None
        if released:
            missing = [n for n in problem.names if given[n] is None]
            if self._spec is not None and self._spec.inputs:
                names = {i.name for i in self._spec.inputs}
                if epilog_inputs is None or set(epilog_inputs) != names:
                    missing.append(f"epilog_inputs {sorted(names)}")
            if missing:
                raise ValueError(
                    f"The operands were released: reset_operands needs all of them again; missing {missing}."
                )
        new = {}
        for name, obj in given.items():
            if obj is not None:
                _check_array_type(obj, name)
                op = _ops.wrap_operand(obj, name)
                self._check_operand(
                    name,
                    op,
                    problem.dtypes[name],
                    problem.shapes[name],
                    problem.strides[name],
                    problem.alignments[" abc".index(name) - 1] if not self._on_host else None,
                )
                new[name] = op
        new_inputs = {}
        if epilog_inputs is not None:
            planned = {i.name: i for i in (self._spec.inputs if self._spec is not None else [])}
            unknown = sorted(set(epilog_inputs) - set(planned))
            if unknown:
                raise MatmulResetError(
                    f"epilog_inputs has {unknown}, which the planned epilog does not read (it reads {sorted(planned)})."
                )
            for name, obj in epilog_inputs.items():
                _check_array_type(obj, f"epilog_inputs[{name!r}]")
                op = _ops.wrap_operand(obj, f"epilog_inputs[{name!r}]")
                inp = planned[name]
                self._check_operand(f"epilog_inputs[{name!r}]", op, inp.op.dtype, inp.shape, inp.strides,
                                    _alignment(inp.op.data_ptr) if not self._on_host else None)  # fmt: skip
                new_inputs[name] = op
        if quantization_scales is not None and self._scales is None:
            raise MatmulUnsupportedError(
                f"Argument 'quantization_scales' is given, but the operands are {problem.dtypes['a']}: quantization "
                "scales are for FP8 operations only; drop them."
            )
        scales = None if quantization_scales is None else self._parse_scales(quantization_scales, self._scales)
        alpha_value = None if alpha is None else _store_scalar(None, problem.scale_type, alpha, "alpha", 1)
        beta_value = None if beta is None else _store_scalar(None, problem.scale_type, beta, "beta", 0)
        # ---- all checked: apply ----
        if stream is not None:
            self._switch_stream(stream)
        if alpha_value is not None:
            self.alpha = _store_scalar(self._alpha, problem.scale_type, alpha_value, "alpha", 1)
        if beta_value is not None:
            self.beta = _store_scalar(self._beta, problem.scale_type, beta_value, "beta", 0)
        if released:
            self._ops = {}
            self._args = getattr(self, "_args_saved", None)
        self._ops.update(new)
        self._epilog_ops.update(new_inputs)
        if not self._on_host:
            if self._args:
                for i, name, _ in self._arg_slots:
                    if name in new:
                        self._args[i] = new[name].data_ptr
            for name, op in new_inputs.items():
                slot = self._input_slots.get(name)
                if slot is not None:
                    self._set_slot(slot, op.data_ptr)
        if self._spec is not None:
            for inp in self._spec.inputs:
                if inp.name in new_inputs:
                    inp.op = new_inputs[inp.name]
        if scales is not None:
            self._scales = scales
            with devices.device_scope(self.device_id):
                self._write_scales()
                if self._desc is not None:
                    set_desc = _setter("cublasLtMatmulDescSetAttribute")
                    set_desc(self._desc, MatmulDescAttribute.A_SCALE_POINTER, self._scale_pointer("a"))
                    set_desc(self._desc, MatmulDescAttribute.B_SCALE_POINTER, self._scale_pointer("b"))
                    if problem.d_dtype in _FP8:
                        set_desc(self._desc, MatmulDescAttribute.D_SCALE_POINTER, self._scale_pointer("d"))
        if self._args is not None:
            self._update_fast()

    def _check_operand(self, name: str, op: _ops.Operand, dtype, shape, strides, alignment) -> None:
        where = "host memory" if self._on_host else f"cuda:{self.device_id}"
        tail = "; this Matmul was planned for {}: plan anew (create a new Matmul) for a different operand."
        if (
            op.package != self.package
            or op.on_host != self._on_host
            or (not op.on_host and op.device_id != self.device_id)
        ):
            raise MatmulResetError(
                f"The new {name!r} is a {op.describe()}" + tail.format(f"{self.package} arrays in {where}")
            )
        if op.dtype != dtype:
            raise MatmulResetError(f"The new {name!r} has dtype {op.dtype}" + tail.format(dtype))
        if tuple(op.shape) != tuple(shape):
            raise MatmulResetError(
                f"The new {name!r} has shape {tuple(op.shape)}" + tail.format(f"shape {tuple(shape)}")
            )
        if self._on_host:
            return
        if tuple(op.strides) != tuple(strides):
            raise MatmulResetError(
                f"The new {name!r} has strides {tuple(op.strides)} (elements)"
                + tail.format(f"strides {tuple(strides)}")
            )
        if alignment is not None and op.data_ptr % alignment:
            raise MatmulResetError(
                f"The new {name!r} starts at {op.data_ptr:#x}, aligned to {_alignment(op.data_ptr)} bytes"
                + tail.format(f"{alignment}-byte aligned data")
            )
        if op.package == "torch" and name in ("a", "b"):
            orig = self._ops.get(name) if self._ops else None
            if orig is not None and bool(op.obj.is_conj()) != bool(orig.obj.is_conj()):
                raise MatmulResetError(
                    f"The new {name!r} differs in torch's lazy conjugation (is_conj())"
                    + tail.format("the original flag")
                )

    def _point_at(self, a, b, c, alpha, beta, epilog_inputs) -> bool:
        """Use new GPU arrays that the caller knows match the plan (PlanCache's fast path); False if
        this Matmul is freed or released (nothing done then). Sets alpha (None: 1) and beta (None: 0)."""
        args = self._args
        if not args or self._life.freed:  # (a trivial plan has no arguments: the full path resets it)
            return False
        problem = self._problem
        st = problem.scale_type
        alpha_value = _store_scalar(self._alpha, st, alpha, "alpha", 1)
        beta_value = _store_scalar(self._beta, st, beta, "beta", 0) if problem.has_c else 0
        ptr = self._data_ptr
        ops = self._ops
        # The Operand objects belong to this Matmul (nobody else holds them): update them in place.
        given = (a, b, c)
        for i, name, j in self._arg_slots:
            obj = given[j]
            if obj is not None:
                op = ops[name]
                op.obj = obj
                op.data_ptr = args[i] = ptr(obj)
        if epilog_inputs:
            for name, obj in epilog_inputs.items():
                op = self._epilog_ops[name]
                op.obj, op.data_ptr = obj, ptr(obj)
                self._set_slot(self._input_slots[name], op.data_ptr)
        self.alpha, self.beta = alpha_value, beta_value
        return True

    def _reset_wrapped_if_alive(self, ops, epilog_ops, alpha, beta, scales) -> bool:
        """PlanCache's full path on a hit: use these (already checked) operands, alpha (None: 1) and
        beta; False (and nothing done) if this Matmul is freed."""
        if self._life.freed:
            return False
        self.reset_operands(
            **{k: v.obj for k, v in ops.items()}, alpha=1 if alpha is None else alpha, beta=beta,
            epilog_inputs={k: v.obj for k, v in epilog_ops.items()} or None, quantization_scales=scales,
        )  # fmt: skip
        return True

    # ------------------------------------------------------------------------------------------
    # Lifetime
    # ------------------------------------------------------------------------------------------

    def _teardown(self) -> None:
        """Destroy the cuBLASLt descriptors of the current plan (the handle is shared and kept)."""
        self._args = None
        self._fast = False
        desc, self._desc = self._desc, None
        layouts, self._layouts = self._layouts, []
        pref, self._pref = self._pref, None
        for layout in layouts:
            cublaslt.matrix_layout_destroy(layout)
        if desc is not None:
            cublaslt.matmul_desc_destroy(desc)
        if pref is not None:
            cublaslt.matmul_preference_destroy(pref)

    def free(self) -> None:
        """Destroy the plan and give back the workspace and buffers. Idempotent; also after a CUDA
        graph captured :meth:`execute` (replaying that graph afterwards is then invalid).

        Example:
            >>> mm.free()  # doctest: +SKIP
        """
        if not self._life.end():
            return
        try:
            self._teardown()
            if self._workspace is not None and (self._workspace.allocated or self._blocks):
                with devices.device_scope(self.device_id):
                    self._workspace.release(self._stream.handle)
                    for name in list(self._blocks):
                        self._free_block(name)
        finally:
            self._blocks = {}
            self._ops = None
            self._epilog_ops = {}
            self._args_saved = None
            if getattr(self, "_results", None) is not None:
                self._results.clear()
            self._out_factories = None
            self._algorithms = ()

    # ------------------------------------------------------------------------------------------
    # Keys
    # ------------------------------------------------------------------------------------------

    @staticmethod
    def create_key(a, b, /, c=None, *, qualifiers=None, options=None, epilog=None, epilog_inputs=None,
                   preferences=None, algorithm=None) -> tuple:  # fmt: skip
        """A hashable key: equal keys mean one plan fits (package, device, dtypes, shapes, strides,
        alignment, options, epilog and its inputs' layouts, preferences). alpha, beta and the data
        are not part of it. Needs no GPU. Used by :class:`nvmath.linalg.advanced.PlanCache`.

        Example:
            >>> import numpy as np
            >>> x = np.ones((4, 4), np.float32)
            >>> Matmul.create_key(x, x) == Matmul.create_key(x + 1, x.copy())
            True
        """
        options = parse_matmul_options(options)
        ops = _wrap(a=a, b=b, c=c)
        problem = _describe(ops, qualifiers, options)
        spec = _plan_spec(problem, parse_epilog(epilog), _wrap_epilog_inputs(problem, epilog_inputs), options)
        return _plan_key(problem, options, spec, parse_preferences(preferences), _check_algorithms(algorithm))


def _plan_key(problem: _Problem, options: MatmulOptions, spec: _Spec, prefs: MatmulPlanPreferences,
              algorithms) -> tuple:  # fmt: skip
    """What identifies a plan (see :meth:`Matmul.create_key`), from the checked arguments."""
    input_key = tuple(
        (i.name, i.op.dtype, i.shape, i.strides, None if problem.on_host else _alignment(i.op.data_ptr))
        for i in spec.inputs
    )
    return (
        problem.package, problem.on_host, problem.device_id,
        tuple((n, problem.dtypes[n], problem.shapes[n], problem.strides[n]) for n in problem.names),
        problem.conj, problem.alignments, options.key(), options.blocking,
        id(options.allocator) if options.allocator is not None else None,
        id(options.logger) if options.logger is not None else None,
        int(spec.epilog), input_key, prefs.key(),
        None if algorithms is None else tuple(bytes(x.algo) for x in algorithms),
    )  # fmt: skip


# --------------------------------------------------------------------------------------------
# The stateless function
# --------------------------------------------------------------------------------------------


def matmul(a, b, /, c=None, *, alpha=None, beta=None, epilog=None, epilog_inputs=None, qualifiers=None,
           options=None, preferences=None, algorithm: Algorithm | None = None, quantization_scales=None, stream=None):  # fmt: skip  # noqa: E501
    """``F(alpha * a @ b + beta * c)`` in one call: plan, execute, free (no plan is cached).

    Args:
        a, b, c, alpha, beta, qualifiers, quantization_scales, options, stream: as :class:`Matmul`
            (``beta`` is required with ``c`` and an error without it).
        epilog: a :class:`MatmulEpilog`; epilog_inputs: its inputs (``{'bias': ...}``).
        preferences: :class:`MatmulPlanPreferences` or a dict.
        algorithm: an :class:`Algorithm` (e.g. unpickled) to use instead of the heuristics.

    Returns:
        The result, an array of the operands' package on their device; ``(result, {name: array})``
        for epilogs with outputs (see :class:`MatmulEpilog`) or ``options.result_amax``.

    Example:
        >>> import numpy as np
        >>> a, b = np.random.rand(8, 4), np.random.rand(4, 3)
        >>> d = matmul(a, b)  # doctest: +SKIP
        >>> np.allclose(d, a @ b)  # doctest: +SKIP
        True
        >>> W, x, bias = np.random.rand(16, 4), np.random.rand(32, 4), np.random.rand(16)
        >>> y = matmul(W, x.T, epilog=MatmulEpilog.BIAS, epilog_inputs={"bias": bias}).T  # doctest: +SKIP
        >>> np.allclose(y, x @ W.T + bias)  # torch.nn.Linear  # doctest: +SKIP
        True
    """
    # Every check runs here, before any GPU work (the plan is internal: parsed dicts can be shared).
    options = parse_matmul_options_shared(options)
    ops = _wrap(a=a, b=b, c=c)
    problem = _describe(ops, qualifiers, options)
    spec = _plan_spec(problem, parse_epilog(epilog), _wrap_epilog_inputs(problem, epilog_inputs), options)
    # Only the first algorithm is used: ask the heuristics for one unless preferences say otherwise.
    prefs = _STATELESS_PREFERENCES if preferences is None else parse_preferences(preferences, shared=True)
    if algorithm is not None and not isinstance(algorithm, Algorithm):
        raise TypeError(
            f"Argument 'algorithm' = {algorithm!r} must be None or an Algorithm (from Matmul.plan() or "
            f"Matmul.algorithms), not {type(algorithm).__name__}."
        )
    algorithms = _check_algorithms(algorithm)
    with Matmul(a, b, c, alpha=alpha, beta=beta, qualifiers=qualifiers, quantization_scales=quantization_scales,
                options=options, stream=stream, _problem=(ops, problem, options)) as plan:  # fmt: skip
        plan.plan(_checked=(spec, prefs, algorithms))
        return plan.execute()


_STATELESS_PREFERENCES = MatmulPlanPreferences(limit=1)
