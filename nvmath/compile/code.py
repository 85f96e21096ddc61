"""The unit of compiled code that moves through the pipeline."""

from __future__ import annotations

import dataclasses

CODE_KINDS = ("ltoir", "ptx", "cubin", "fatbin", "object", "library")


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
        if self.kind not in CODE_KINDS:
            raise ValueError(f"Argument 'kind' = {self.kind!r} is not supported: allowed values are {CODE_KINDS}.")
        if not isinstance(self.data, bytes):
            object.__setattr__(self, "data", bytes(self.data))

    def __repr__(self) -> str:
        return f"Code(kind={self.kind!r}, name={self.name!r}, {len(self.data)} bytes)"


def normalize_cc(cc) -> tuple[int, int]:
    """Return a compute capability as ``(major, minor)`` from ``(9, 0)``, ``90`` or ``"sm_90"``.

    An architecture-specific suffix (``(9, 0, "a")``, ``"sm_90a"``, as Numba reports for some
    devices) is dropped: nvmath builds generic code, which runs on those devices too.

    Example:
        >>> normalize_cc(90), normalize_cc("sm_90a"), normalize_cc((9, 0, "a"))
        ((9, 0), (9, 0), (9, 0))
    """
    value = cc
    if isinstance(value, str):
        value = value.lower().removeprefix("sm_").removeprefix("compute_").rstrip("a")
        if value.isdigit():
            value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10:
        return value // 10, value % 10
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[2], str):
        value = value[:2]
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return value
    raise ValueError(
        f"Argument 'cc' = {cc!r} is not a compute capability: pass (major, minor) such as (9, 0), 90 or 'sm_90'."
    )
