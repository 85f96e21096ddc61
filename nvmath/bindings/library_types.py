"""``cudaDataType`` (CUDA's ``library_types.h``), shared by the cuFFT and cuBLASLt bindings.

Example:
    >>> from nvmath.bindings.library_types import DataType, data_type
    >>> data_type("complex64")
    <DataType.C_32F: 4>
"""

from __future__ import annotations

import enum

__all__ = ["DataType", "data_type"]


class DataType(enum.IntEnum):
    """``cudaDataType``: element types (values from ``library_types.h``, CUDA 13)."""

    R_16F = 2
    C_16F = 6
    R_16BF = 14
    C_16BF = 15
    R_32F = 0
    C_32F = 4
    R_64F = 1
    C_64F = 5
    R_4I = 16
    C_4I = 17
    R_4U = 18
    C_4U = 19
    R_8I = 3
    C_8I = 7
    R_8U = 8
    C_8U = 9
    R_16I = 20
    C_16I = 21
    R_16U = 22
    C_16U = 23
    R_32I = 10
    C_32I = 11
    R_32U = 12
    C_32U = 13
    R_64I = 24
    C_64I = 25
    R_64U = 26
    C_64U = 27
    R_8F_E4M3 = 28
    R_8F_E5M2 = 29
    R_8F_UE8M0 = 30
    R_6F_E2M3 = 31
    R_6F_E3M2 = 32
    R_4F_E2M1 = 33
    R_8F_UE5M3 = 34


# NumPy-style dtype names (as nvmath.host.operands reports them) -> cudaDataType.
_BY_NAME = {
    "float16": DataType.R_16F,
    "complex32": DataType.C_16F,
    "bfloat16": DataType.R_16BF,
    "float32": DataType.R_32F,
    "complex64": DataType.C_32F,
    "float64": DataType.R_64F,
    "complex128": DataType.C_64F,
    "int8": DataType.R_8I,
    "uint8": DataType.R_8U,
    "int32": DataType.R_32I,
    "float8_e4m3fn": DataType.R_8F_E4M3,
    "float8_e5m2": DataType.R_8F_E5M2,
}


def data_type(dtype_name: str) -> DataType:
    """The ``cudaDataType`` of a dtype name such as ``"float32"`` or ``"complex64"``.

    Raises:
        ValueError: a dtype with no cudaDataType here; the message lists the known ones.

    Example:
        >>> data_type("bfloat16").name
        'R_16BF'
    """
    try:
        return _BY_NAME[dtype_name]
    except KeyError:
        raise ValueError(f"dtype {dtype_name!r} has no cudaDataType: known are {sorted(_BY_NAME)}.") from None
