"""Inspect linked cubins: SASS text and resource usage, through cuobjdump from the pip wheels.

Example:
    >>> from nvmath.compile import sass
    >>> text = sass.disassemble(cubin)  # doctest: +SKIP
    >>> sass.resource_usage(cubin)  # doctest: +SKIP
    {'k': {'REG': 16, 'STACK': 0, 'SHARED': 0, 'LOCAL': 0, ...}}
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile

from nvmath.compile.toolchain import find_binary


def _run_on_cubin(tool: str, args: list[str], cubin: bytes) -> str:
    with tempfile.TemporaryDirectory(prefix="nvmath-sass-") as tmp:
        path = os.path.join(tmp, "module.cubin")
        with open(path, "wb") as f:
            f.write(cubin)
        result = subprocess.run([find_binary(tool), *args, path], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def disassemble(cubin: bytes) -> str:
    """Return the SASS of every function in ``cubin`` (``cuobjdump -sass``)."""
    return _run_on_cubin("cuobjdump", ["-sass"], cubin)


_RESOURCE_LINE = re.compile(r"Function (\S+):\s*(.*)")


def resource_usage(cubin: bytes) -> dict[str, dict[str, int]]:
    """Return ``{function: {"REG": n, "STACK": n, "SHARED": n, "LOCAL": n, ...}}`` (``cuobjdump -res-usage``)."""
    usage: dict[str, dict[str, int]] = {}
    current = None
    for line in _run_on_cubin("cuobjdump", ["-res-usage"], cubin).splitlines():
        match = _RESOURCE_LINE.search(line)
        if match:
            current = match.group(1)
            usage[current] = {}
            line = match.group(2)
        elif current is None:
            continue
        for field, value in re.findall(r"([A-Z_]+):(\d+)", line):
            usage[current][field] = int(value)
    return usage


def calls_and_local_memory(cubin: bytes) -> dict[str, int]:
    """Count SASS ``CALL`` instructions and local-memory loads/stores (``LDL``/``STL``) in ``cubin``.

    A fully inlined kernel without spills has zero of both.
    """
    text = disassemble(cubin)
    return {
        "CALL": len(re.findall(r"\bCALL\.", text)),
        "LDL": len(re.findall(r"\bLDL\b", text)),
        "STL": len(re.findall(r"\bSTL\b", text)),
    }
