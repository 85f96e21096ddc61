"""Options shared by the host APIs: where to execute, and the FFT options.

Each option object is a dataclass that validates itself on creation; every API also accepts a
plain ``dict`` with the same keys (parsed by ``nvmath._validation.check_options``).

Example:
    >>> from nvmath.host.options import FFTOptions, ExecutionCUDA, parse_execution
    >>> FFTOptions(inplace=True).inplace
    True
    >>> parse_execution("cuda")
    ExecutionCUDA(device_id=None)
    >>> parse_execution({"name": "cpu", "num_threads": 2})
    ExecutionCPU(num_threads=2)
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import numbers
from collections.abc import Callable
from typing import Any, Literal

from nvmath._validation import check_choice, check_options

__all__ = [
    "ExecutionCPU",
    "ExecutionCUDA",
    "FFTDirection",
    "FFTOptions",
    "HostOptions",
    "check_device_id",
    "parse_direction",
    "parse_execution",
    "parse_fft_options",
    "parse_fft_options_shared",
    "parse_options_shared",
]

FFT_TYPES = ("C2C", "R2C", "C2R")


def check_device_id(value: Any, name: str = "device_id") -> None:
    """Raise ``ValueError`` unless ``value`` is None or a non-negative int (not a bool).

    Example:
        >>> check_device_id(0)
        >>> check_device_id(-1)
        Traceback (most recent call last):
        ...
        ValueError: Argument 'device_id' = -1 must be None or a non-negative int.
    """
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"Argument {name!r} = {value!r} must be None or a non-negative int.")


@dataclasses.dataclass(frozen=True)
class ExecutionCUDA:
    """Execute on a CUDA GPU.

    Args:
        device_id: the device for host (NumPy / CPU tensor) operands; None means device 0.
            For GPU operands it must be None or the operand's own device.

    Attributes:
        name: ``'cuda'`` (read-only, as in nvmath-python).

    Example:
        >>> ExecutionCUDA(device_id=1)
        ExecutionCUDA(device_id=1)
    """

    device_id: int | None = None
    name: Literal["cuda"] = dataclasses.field(default="cuda", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_device_id(self.device_id)


@dataclasses.dataclass(frozen=True)
class ExecutionCPU:
    """Execute on the host CPU, through Intel oneMKL (``pip install 'nvmath[cpu]'``).

    Only host operands (NumPy arrays, CPU tensors) can be transformed on the CPU; callbacks
    (prolog/epilog) are GPU-only.

    Args:
        num_threads: the number of CPU threads of each transform; None: the CPUs this process
            may run on (``len(os.sched_getaffinity(0))``), as in nvmath-python.

    Attributes:
        name: ``'cpu'`` (read-only, as in nvmath-python).

    Example:
        >>> ExecutionCPU(num_threads=4)
        ExecutionCPU(num_threads=4)
        >>> ExecutionCPU(num_threads=0)
        Traceback (most recent call last):
        ...
        ValueError: Argument 'num_threads' = 0 must be None or a positive int.
    """

    num_threads: int | None = None
    name: Literal["cpu"] = dataclasses.field(default="cpu", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = self.num_threads
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
            raise ValueError(f"Argument 'num_threads' = {n!r} must be None or a positive int.")


_DEFAULT_EXECUTION = ExecutionCUDA()
_EXECUTION_CLASSES = {"cuda": ExecutionCUDA, "cpu": ExecutionCPU}


def parse_execution(execution: Any) -> ExecutionCUDA | ExecutionCPU:
    """Turn ``execution`` (None, ``'cuda'``, ``'cpu'``, a dict with a ``'name'`` key, an
    :class:`ExecutionCUDA` or an :class:`ExecutionCPU`) into an execution object.

    None means CUDA (host operands are copied to the GPU and back); ask for ``'cpu'`` to run on
    the host.

    Example:
        >>> parse_execution({"name": "cuda", "device_id": 0})
        ExecutionCUDA(device_id=0)
        >>> parse_execution("CPU")
        ExecutionCPU(num_threads=None)
    """
    if execution is None:
        return _DEFAULT_EXECUTION
    if isinstance(execution, (ExecutionCUDA, ExecutionCPU)):
        return execution
    if isinstance(execution, str):
        name = execution.lower()
        check_choice("execution", name, ("cuda", "cpu"))
        return _EXECUTION_CLASSES[name]()
    if isinstance(execution, dict):
        values = dict(execution)
        name = str(values.pop("name", "cuda")).lower()
        check_choice("execution['name']", name, ("cuda", "cpu"))
        return check_options(values, _EXECUTION_CLASSES[name], name="execution")
    raise TypeError(
        f"Argument 'execution' = {execution!r} must be None, 'cuda', 'cpu', a dict, an ExecutionCUDA or an "
        f"ExecutionCPU, not {type(execution).__name__}."
    )


class FFTDirection(enum.IntEnum):
    """The direction of a transform (the values are cuFFT's and FFTW's sign of the exponent).

    Wherever a direction is accepted, the strings ``'forward'`` / ``'inverse'`` and the ints
    ``-1`` / ``1`` mean the same.

    Example:
        >>> FFTDirection.FORWARD, int(FFTDirection.INVERSE)
        (<FFTDirection.FORWARD: -1>, 1)
    """

    FORWARD = -1
    INVERSE = 1


_DIRECTION_NAMES: dict = {
    "forward": "forward",
    "inverse": "inverse",
    "FORWARD": "forward",
    "INVERSE": "inverse",
    FFTDirection.FORWARD: "forward",  # also the int -1 (an IntEnum hashes as its value)
    FFTDirection.INVERSE: "inverse",
}


def parse_direction(direction: Any) -> str:
    """``'forward'`` or ``'inverse'`` for a direction given as an :class:`FFTDirection`, a string or -1 / 1.

    Raises:
        ValueError: any other value (the message lists the allowed ones).

    Example:
        >>> parse_direction(FFTDirection.INVERSE), parse_direction("forward"), parse_direction(-1)
        ('inverse', 'forward', 'forward')
        >>> parse_direction(1.0)
        Traceback (most recent call last):
        ...
        ValueError: Argument 'direction' = 1.0 is not a direction: allowed values are FFTDirection.FORWARD, \
FFTDirection.INVERSE, 'forward', 'inverse', -1 and 1.
    """
    name = None
    if isinstance(direction, (str, int)) or isinstance(direction, numbers.Integral):  # type first: no float, list
        name = None if isinstance(direction, bool) else _DIRECTION_NAMES.get(direction)
    if name is None:
        raise ValueError(
            f"Argument 'direction' = {direction!r} is not a direction: allowed values are FFTDirection.FORWARD, "
            "FFTDirection.INVERSE, 'forward', 'inverse', -1 and 1."
        )
    return name


@dataclasses.dataclass(kw_only=True)
class HostOptions:
    """The options every host API shares (:class:`FFTOptions` and ``MatmulOptions`` extend it).

    Args:
        device_id: the device for host (NumPy / CPU tensor) operands; None means device 0.
        logger: a ``logging.Logger``; None uses the ``nvmath`` logger.
        blocking: ``'auto'`` (return without waiting for GPU operands; host operands always
            block) or ``True`` (always wait for the result).
        allocator: an object with ``memalloc(size) -> nvmath.MemoryPointer``
            (:class:`nvmath.BaseCUDAMemoryManager`); None uses the operand package's pool.

    Example:
        >>> HostOptions(blocking=True).blocking
        True
    """

    device_id: int | None = None
    logger: logging.Logger | None = None
    blocking: Literal["auto", True] = "auto"
    allocator: Any = None

    def __post_init__(self) -> None:
        check_device_id(self.device_id)
        if self.logger is not None and not isinstance(self.logger, logging.Logger):
            raise TypeError(f"Argument 'logger' = {self.logger!r} must be a logging.Logger or None.")
        if self.blocking is not True and self.blocking != "auto":
            raise ValueError(
                f"Argument 'blocking' = {self.blocking!r} is not supported: allowed values are 'auto', True."
            )
        if self.allocator is not None and not callable(getattr(self.allocator, "memalloc", None)):
            raise TypeError(
                f"Argument 'allocator' = {self.allocator!r} must have a memalloc(size) method returning an "
                "nvmath.MemoryPointer (see nvmath.BaseCUDAMemoryManager)."
            )


@dataclasses.dataclass
class FFTOptions(HostOptions):
    """Options of :func:`nvmath.fft.fft` and friends and of :class:`nvmath.fft.FFT`.

    Args:
        fft_type: ``'C2C'``, ``'R2C'`` or ``'C2R'``; None infers it from the operand's dtype
            (complex: C2C, real: R2C). Only the stateful :class:`~nvmath.fft.FFT` reads it.
        inplace: overwrite the operand with the result (C2C only).
        last_axis_parity: ``'even'`` or ``'odd'``: the length of the last transformed axis of
            a C2R result, ``2 * (m - 1)`` or ``2 * m - 1`` for ``m`` complex inputs.
        result_layout: ``'optimized'`` (the result's transformed axes are innermost, batch
            axes outermost: fastest) or ``'natural'`` (the result's axes are ordered in memory
            like the operand's, as NumPy does).
        device_id, logger, blocking, allocator: keyword-only, see :class:`HostOptions`.

    Example:
        >>> FFTOptions(result_layout="natural", blocking=True).blocking
        True
        >>> FFTOptions(inplace="yes")
        Traceback (most recent call last):
        ...
        TypeError: Argument 'inplace' = 'yes' must be a bool.
    """

    fft_type: Literal["C2C", "R2C", "C2R"] | None = None
    inplace: bool = False
    last_axis_parity: Literal["even", "odd"] = "even"
    result_layout: Literal["optimized", "natural"] = "optimized"

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.fft_type is not None:
            if isinstance(self.fft_type, str):
                self.fft_type = self.fft_type.upper()
            check_choice("fft_type", self.fft_type, (None, *FFT_TYPES))
        if not isinstance(self.inplace, bool):
            raise TypeError(f"Argument 'inplace' = {self.inplace!r} must be a bool.")
        check_choice("last_axis_parity", self.last_axis_parity, ("even", "odd"))
        check_choice("result_layout", self.result_layout, ("optimized", "natural"))

    def key(self) -> tuple:
        """The options other than ``fft_type`` that change a plan, as a hashable tuple (for
        :meth:`FFT.create_key`, which keys the FFT type after resolving None from the dtype)."""
        return (self.inplace, self.last_axis_parity, self.result_layout, self.device_id)


def parse_fft_options(options: Any) -> FFTOptions:
    """``options`` (None, dict or :class:`FFTOptions`) as a validated FFTOptions.

    Example:
        >>> parse_fft_options({"last_axis_parity": "odd"}).last_axis_parity
        'odd'
    """
    return check_options(options, FFTOptions, name="options")


_PARSED_OPTIONS: dict = {}


def parse_options_shared(options: Any, cls: type, parse: Callable[[Any], Any]) -> Any:
    """``parse(options)``, but ``None`` and dicts of hashable values are parsed once per ``cls``
    and the parsed object is shared: for internal objects that never reach the user (the
    stateless functions' plans, the plan caches), where parsing the same dict on every call
    would cost more than a small transform or matmul. A ``cls`` instance is returned as is.

    Example:
        >>> a = parse_options_shared({"blocking": True}, FFTOptions, parse_fft_options)
        >>> a is parse_options_shared({"blocking": True}, FFTOptions, parse_fft_options)
        True
    """
    if isinstance(options, cls):
        return options
    if options is None:
        key = (cls, None)
    elif isinstance(options, dict):
        try:  # with the types: True == 1, but only True is a valid 'blocking'
            key = (cls, frozenset((name, type(value), value) for name, value in options.items()))
        except TypeError:  # an unhashable value: parse every time
            return parse(options)
    else:
        return parse(options)  # raises the usual TypeError
    parsed = _PARSED_OPTIONS.get(key)
    if parsed is None:
        parsed = parse(options)
        if len(_PARSED_OPTIONS) < 512:
            _PARSED_OPTIONS[key] = parsed
    return parsed


def parse_fft_options_shared(options: Any) -> FFTOptions:
    """:func:`parse_fft_options` through :func:`parse_options_shared`.

    Example:
        >>> parse_fft_options_shared({"blocking": True}) is parse_fft_options_shared({"blocking": True})
        True
    """
    return parse_options_shared(options, FFTOptions, parse_fft_options)
