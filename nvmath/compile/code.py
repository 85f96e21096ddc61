"""The unit of compiled code that moves through the pipeline."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

CODE_KINDS = ("ltoir", "ptx", "cubin", "fatbin", "object", "library")

# The compute capabilities the CUDA 13 toolchain (NVRTC, NVVM, nvJitLink) targets: 7.5 to 12.x.
MIN_CC = (7, 5)
MAX_MAJOR = 12


def short_repr(value, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters (error messages never quote a whole blob).

    Example:
        >>> short_repr(b"x" * 100, 12)
        "b'xxxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_str_sequence(name: str, value) -> list[str]:
    """Return ``value`` as a list if it is a sequence (not a string) of strings, else raise TypeError.

    Example:
        >>> check_str_sequence("options", ("-O3",))
        ['-O3']
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"Argument '{name}' = {short_repr(value)} must be a list or tuple of strings (e.g. ['-O3']), "
            f"not {type(value).__name__}."
        )
    bad = [v for v in value if not isinstance(v, str)]
    if bad:
        raise TypeError(f"Argument '{name}' = {short_repr(value)} holds {short_repr(bad[0])}, not a string.")
    return list(value)


def check_bool(name: str, value) -> bool:
    """Return ``value`` if it is a bool, else raise TypeError (no truthiness of strings or numbers).

    Example:
        >>> check_bool("fastmath", True)
        True
    """
    if not isinstance(value, bool):
        raise TypeError(f"Argument '{name}' = {short_repr(value)} must be True or False, not {type(value).__name__}.")
    return value


@dataclasses.dataclass(frozen=True)
class Code:
    """Compiled device code to link: LTO-IR, PTX, a cubin, a fatbin, an object or a library.

    Attributes:
        data: the bytes (PTX text as UTF-8 bytes).
        kind: one of ``"ltoir" | "ptx" | "cubin" | "fatbin" | "object" | "library"``.
        name: a name for error messages and logs.
        arch_specific: it needs the arch-specific feature set (``sm_90a``); a link that includes
            it targets ``sm_XYa``.

    Example:
        >>> Code(b"...", "ltoir", "my_function").kind
        'ltoir'
    """

    data: bytes
    kind: str
    name: str = "code"
    arch_specific: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or self.kind not in CODE_KINDS:
            raise ValueError(
                f"Argument 'kind' = {short_repr(self.kind)} is not supported: allowed values are {CODE_KINDS}."
            )
        if not isinstance(self.data, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"Argument 'data' = {short_repr(self.data)} must be bytes (PTX text encoded as UTF-8), "
                f"not {type(self.data).__name__}."
            )
        if not isinstance(self.data, bytes):
            object.__setattr__(self, "data", bytes(self.data))
        if not self.data:
            raise ValueError(f"Argument 'data' of code {self.name!r} is empty: there is nothing to link.")
        if not isinstance(self.name, str):
            raise TypeError(f"Argument 'name' = {short_repr(self.name)} must be a str, not {type(self.name).__name__}.")
        check_bool("arch_specific", self.arch_specific)

    def __repr__(self) -> str:
        return f"Code(kind={self.kind!r}, name={self.name!r}, {len(self.data)} bytes)"


def normalize_cc(cc, name: str = "cc") -> tuple[int, int]:
    """Return a compute capability as ``(major, minor)`` from ``(9, 0)``, ``90`` or ``"sm_90"``.

    An architecture-specific suffix (``(9, 0, "a")``, ``"sm_90a"``, as Numba reports for some
    devices) is dropped: nvmath builds generic code, which runs on those devices too. Only what
    the CUDA 13 toolchain targets is accepted: 7.5 to 12.x.

    Args:
        cc: the compute capability.
        name: the argument's name in the error message.

    Raises:
        ValueError: not a compute capability, or out of the toolchain's range.

    Example:
        >>> normalize_cc(90), normalize_cc("sm_90a"), normalize_cc((9, 0, "a"))
        ((9, 0), (9, 0), (9, 0))
    """
    value = cc
    result = None
    if isinstance(value, str):
        value = value.lower().removeprefix("sm_").removeprefix("compute_").rstrip("af")
        if value.isdigit():
            value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10:
        result = (value // 10, value % 10)
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[2], str):
        value = value[:2]
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 0 <= value[1] <= 9
    ):
        result = (int(value[0]), int(value[1]))
    if result is None:
        raise ValueError(
            f"Argument '{name}' = {short_repr(cc)} is not a compute capability: pass (major, minor) such as "
            "(9, 0), 90 or 'sm_90'."
        )
    if result < MIN_CC or result[0] > MAX_MAJOR:
        raise ValueError(
            f"Argument '{name}' = {short_repr(cc)} is out of range: the CUDA 13 toolchain targets compute "
            f"capabilities {MIN_CC[0]}.{MIN_CC[1]} to {MAX_MAJOR}.x (e.g. 90 for Hopper)."
        )
    return result
