"""The one validation helper of the package: argument checks with actionable messages.

Each check raises before any GPU work, naming the argument, the value given and what is
allowed.

Example:
    >>> from nvmath._validation import check_choice
    >>> check_choice("execution", "Block", ("Block", "Thread"))
    'Block'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def check_choice(name: str, value: Any, allowed: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``allowed``, else raise ``ValueError``.

    Example:
        >>> check_choice("fft_type", "c2c", ("c2c", "r2c", "c2r"))
        'c2c'
    """
    allowed = tuple(allowed)
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"Argument {name!r} = {value!r} is not supported: allowed values are {choices}.")
    return value


def check_positive_int(name: str, value: Any) -> int:
    """Return ``value`` if it is an ``int`` (not bool) greater than zero, else raise.

    Example:
        >>> check_positive_int("size", 64)
        64
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"Argument {name!r} = {value!r} must be a positive int, not {type(value).__name__}.")
    if value <= 0:
        raise ValueError(f"Argument {name!r} = {value!r} must be a positive int.")
    return value


def check_options(options: Any, cls: type[T], name: str = "options") -> T:
    """Turn ``options`` (None, an instance of dataclass ``cls``, or a dict) into a ``cls``.

    Unknown dict keys raise ``TypeError`` listing the known ones.

    Example:
        >>> import dataclasses
        >>> @dataclasses.dataclass
        ... class Opts:
        ...     inplace: bool = False
        >>> check_options({"inplace": True}, Opts)
        Opts(inplace=True)
    """
    if options is None:
        return cls()
    if isinstance(options, cls):
        return options
    if isinstance(options, dict):
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise TypeError(
                f"Argument {name!r} has unknown keys {unknown}: the keys of {cls.__name__} are {sorted(known)}."
            )
        return cls(**options)
    raise TypeError(
        f"Argument {name!r} = {options!r} must be a {cls.__name__} or a dict, not {type(options).__name__}."
    )
