"""Options of :mod:`nvmath.linalg.advanced`: :class:`MatmulOptions` and :class:`MatmulPlanPreferences`.

Both are dataclasses that validate themselves on creation; every API also accepts a plain ``dict``
with the same keys (unknown keys are a ``TypeError`` naming the known ones). The names and meanings
are nvmath-python 1.0's.

Example:
    >>> from nvmath.host.matmul_options import MatmulOptions, parse_matmul_options
    >>> parse_matmul_options({"memory_limit": "2 GiB", "blocking": True}).memory_limit
    '2 GiB'
    >>> MatmulOptions(result_type="float16").result_type
    <DataType.R_16F: 2>
"""

from __future__ import annotations

import dataclasses
import enum
import re
from typing import Any

from nvmath._validation import check_options, check_positive_int
from nvmath.bindings import cublaslt
from nvmath.bindings.library_types import DataType, data_type
from nvmath.host.options import HostOptions, parse_options_shared

__all__ = [
    "MatmulOptions",
    "MatmulPlanPreferences",
    "parse_matmul_options",
    "parse_matmul_options_shared",
    "parse_preferences",
    "resolve_memory_limit",
]

ALL_NUMERICAL_IMPLS = (1 << 64) - 1  # every cublasLtNumericalImplFlags_t bit

_MEMORY_PATTERN = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(%|[kmgt]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"Argument {name!r} = {value!r} must be a bool.")


def _check_enum(name: str, value: Any, cls: type[enum.IntEnum]):
    """``value`` as a member of ``cls`` (an int or a member), or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"Argument {name!r} = {value!r} must be None or a {cls.__name__} (an int), not {type(value).__name__}."
        )
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(m.name for m in cls)
        raise ValueError(
            f"Argument {name!r} = {value!r} is not a {cls.__name__}: allowed values are {allowed}."
        ) from None


def data_type_of(name: str, value: Any) -> DataType | None:
    """A ``cudaDataType`` from None, a :class:`DataType` / int, or a dtype name or object
    (``'float16'``, ``numpy.float32``, ``torch.bfloat16``).

    Example:
        >>> data_type_of("result_type", "float8_e4m3fn")
        <DataType.R_8F_E4M3: 28>
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return _check_enum(name, value, DataType)
    text = value.__name__ if isinstance(value, type) else str(value)  # numpy.float16, torch.float16, 'float16'
    text = text.removeprefix("torch.")
    try:
        return data_type(text)
    except ValueError:
        raise ValueError(
            f"Argument {name!r} = {value!r} is not a data type: pass a cudaDataType "
            f"(nvmath.bindings.library_types.DataType) or a dtype name such as 'float16' or 'float8_e4m3fn'."
        ) from None


def check_memory_limit(value: Any) -> None:
    """Raise unless ``value`` is a positive int (bytes) or a string like ``'80%'``, ``'2 GiB'``, ``'512m'``.

    Example:
        >>> check_memory_limit("1.5GiB")
        >>> check_memory_limit("lots")
        Traceback (most recent call last):
        ...
        ValueError: Argument 'memory_limit' = 'lots' must be a positive int (bytes) or a string such as '80%', '2 GiB', '512 MB' or '1024'.
    """  # noqa: E501
    if isinstance(value, bool):
        raise TypeError(f"Argument 'memory_limit' = {value!r} must be a positive int (bytes) or a string.")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"Argument 'memory_limit' = {value!r} must be positive.")
        return
    if not isinstance(value, str) or not _MEMORY_PATTERN.match(value) or float(_MEMORY_PATTERN.match(value)[1]) <= 0:
        raise ValueError(
            f"Argument 'memory_limit' = {value!r} must be a positive int (bytes) or a string such as '80%', "
            "'2 GiB', '512 MB' or '1024'."
        )
    number, unit = _MEMORY_PATTERN.match(value).groups()
    if unit == "%" and float(number) > 100:
        raise ValueError(
            f"Argument 'memory_limit' = {value!r} is more than the device's memory: a percentage must be in (0, 100]."
        )


def resolve_memory_limit(value: int | str, total_bytes: int) -> int:
    """The memory limit in bytes on a device with ``total_bytes`` of memory (K/M/G/T are powers of 1024).

    Example:
        >>> resolve_memory_limit("50%", 1000), resolve_memory_limit("2k", 1 << 30), resolve_memory_limit(77, 10)
        (500, 2048, 77)
    """
    if isinstance(value, int):
        return value
    number, unit = _MEMORY_PATTERN.match(value).groups()
    if unit == "%":
        return int(float(number) / 100 * total_bytes)
    return int(float(number) * _UNITS[(unit or "b")[0].lower()])


@dataclasses.dataclass
class MatmulOptions(HostOptions):
    """Options of :func:`nvmath.linalg.advanced.matmul` and :class:`nvmath.linalg.advanced.Matmul`.

    Args:
        compute_type: a :class:`nvmath.bindings.cublaslt.ComputeType` (the accumulation type);
            None chooses from the operands' dtype (``COMPUTE_32F`` for fp16/bf16/fp32/FP8 and
            complex64, ``COMPUTE_64F`` for fp64/complex128, ``COMPUTE_32I`` for int8). For fp32,
            ``COMPUTE_32F_FAST_TF32`` opts in to TF32 tensor cores (off by default).
        scale_type: the ``cudaDataType`` of alpha and beta; None: the compute type's default.
        result_type: the dtype of the result (a ``cudaDataType`` or a dtype name); only FP8
            operations may choose one (e.g. ``'float16'`` or ``'float8_e4m3fn'``), others must
            leave it None (no silent conversions).
        result_amax: also return the maximum absolute value of the result (before the D scale)
            as the auxiliary output ``'result_amax'``; FP8 results only.
        fast_accumulation: FP8 fast accumulation (faster, less accurate).
        sm_count_target: the number of SMs the heuristics should plan for (0: all).
        handle: a cuBLASLt handle (int) to use instead of nvmath's per-device handle.
        memory_limit: the most workspace memory planning may ask for: bytes (int), or a string
            such as ``'80%'`` (of the device memory), ``'2 GiB'``, ``'512m'``.
        device_id, logger, blocking, allocator: keyword-only, see
            :class:`nvmath.host.options.HostOptions`.

    Example:
        >>> from nvmath.bindings.cublaslt import ComputeType
        >>> MatmulOptions(compute_type=ComputeType.COMPUTE_32F_FAST_TF32, blocking=True).blocking
        True
        >>> MatmulOptions(sm_count_target=-1)
        Traceback (most recent call last):
        ...
        ValueError: Argument 'sm_count_target' = -1 must be a non-negative int (0: all SMs).
    """

    compute_type: int | None = None
    scale_type: int | str | None = None
    result_type: int | str | None = None
    result_amax: bool = False
    fast_accumulation: bool = False
    sm_count_target: int = 0
    handle: int | None = None
    memory_limit: int | str = "80%"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.compute_type = _check_enum("compute_type", self.compute_type, cublaslt.ComputeType)
        self.scale_type = data_type_of("scale_type", self.scale_type)
        self.result_type = data_type_of("result_type", self.result_type)
        _check_bool("result_amax", self.result_amax)
        _check_bool("fast_accumulation", self.fast_accumulation)
        if isinstance(self.sm_count_target, bool) or not isinstance(self.sm_count_target, int):
            raise TypeError(f"Argument 'sm_count_target' = {self.sm_count_target!r} must be an int.")
        if self.sm_count_target < 0:
            raise ValueError(
                f"Argument 'sm_count_target' = {self.sm_count_target!r} must be a non-negative int (0: all SMs)."
            )
        if self.handle is not None and (
            isinstance(self.handle, bool) or not isinstance(self.handle, int) or self.handle <= 0
        ):
            raise TypeError(f"Argument 'handle' = {self.handle!r} must be None or a cuBLASLt handle (a non-zero int).")
        check_memory_limit(self.memory_limit)

    def key(self) -> tuple:
        """The options that change a plan, as a hashable tuple (for plan cache keys).

        Example:
            >>> MatmulOptions().key() == MatmulOptions(blocking=True).key()
            True
        """
        return (
            self.compute_type, self.scale_type, self.result_type, self.result_amax, self.fast_accumulation,
            self.sm_count_target, self.handle, self.memory_limit, self.device_id,
        )  # fmt: skip


def parse_matmul_options(options: Any) -> MatmulOptions:
    """``options`` (None, dict or :class:`MatmulOptions`) as a validated MatmulOptions.

    Example:
        >>> parse_matmul_options({"result_amax": True}).result_amax
        True
        >>> parse_matmul_options({"computetype": 1})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        TypeError: Argument 'options' has unknown keys ['computetype']: the keys of MatmulOptions are [...].
    """
    return check_options(options, MatmulOptions, name="options")


def parse_matmul_options_shared(options: Any) -> MatmulOptions:
    """Like :func:`parse_matmul_options`, but None and dicts of hashable values are parsed once and
    the parsed object shared (for the stateless function and the plan cache, whose plans never
    reach the user).

    Example:
        >>> parse_matmul_options_shared({"blocking": True}) is parse_matmul_options_shared({"blocking": True})
        True
    """
    return parse_options_shared(options, MatmulOptions, parse_matmul_options)


@dataclasses.dataclass
class MatmulPlanPreferences:
    """Preferences of :meth:`nvmath.linalg.advanced.Matmul.plan` (cuBLASLt's heuristic search).

    Args:
        limit: the most algorithms the heuristics return (ordered fastest first).
        reduction_scheme_mask: allowed split-K reduction schemes
            (:class:`nvmath.bindings.cublaslt.ReductionScheme` values or-ed together).
        max_waves_count: exclude algorithms with more waves than this (0: no limit).
        numerical_impl_mask: allowed implementations
            (:class:`nvmath.bindings.cublaslt.NumericalImplFlags` or-ed together).

    Example:
        >>> MatmulPlanPreferences(limit=4).limit
        4
        >>> MatmulPlanPreferences(limit=0)
        Traceback (most recent call last):
        ...
        ValueError: Argument 'limit' = 0 must be a positive int.
    """

    limit: int = 8
    reduction_scheme_mask: int = cublaslt.ReductionScheme.MASK
    max_waves_count: float = 0.0
    numerical_impl_mask: int = ALL_NUMERICAL_IMPLS

    def __post_init__(self) -> None:
        check_positive_int("limit", self.limit)
        for name, bits in (("reduction_scheme_mask", 32), ("numerical_impl_mask", 64)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"Argument {name!r} = {value!r} must be an int (a bit mask).")
            if not 0 <= value < 1 << bits:
                raise ValueError(f"Argument {name!r} = {value!r} must be a {bits}-bit mask (0 <= value < 2**{bits}).")
        if isinstance(self.max_waves_count, bool) or not isinstance(self.max_waves_count, (int, float)):
            raise TypeError(f"Argument 'max_waves_count' = {self.max_waves_count!r} must be a number.")
        if self.max_waves_count < 0:
            raise ValueError(f"Argument 'max_waves_count' = {self.max_waves_count!r} must be >= 0 (0: no limit).")

    def key(self) -> tuple:
        """A hashable tuple of the preferences.

        Example:
            >>> MatmulPlanPreferences().key()[0]
            8
        """
        return (self.limit, int(self.reduction_scheme_mask), float(self.max_waves_count), int(self.numerical_impl_mask))


def _parse_preferences(preferences: Any) -> MatmulPlanPreferences:
    return check_options(preferences, MatmulPlanPreferences, name="preferences")


def parse_preferences(preferences: Any, shared: bool = False) -> MatmulPlanPreferences:
    """``preferences`` (None, dict or :class:`MatmulPlanPreferences`) as a validated object
    (``shared``: parse dicts once, see :func:`parse_matmul_options_shared`).

    Example:
        >>> parse_preferences({"limit": 2}).limit
        2
    """
    if shared:
        return parse_options_shared(preferences, MatmulPlanPreferences, _parse_preferences)
    return _parse_preferences(preferences)
