"""Link LTO-IR / PTX / cubin objects into one cubin through nvJitLink; cached on disk.

Link-time optimization is on, so external device functions (cuFFTDx, user C++) are inlined
into the kernels that call them. By default globals that no kernel uses are dropped
(``-variables-used`` naming no real variable), which removes unused twiddle tables
(an FFT cubin goes from ~2.3 MB to ~11 KB). ``-kernels-used`` is never passed: a wrong name
there silently deletes the kernel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from nvmath._logging import get_logger
from nvmath.compile.cache import cached
from nvmath.compile.code import Code, check_bool, check_str_sequence, normalize_cc, short_repr
from nvmath.compile.toolchain import load_library

# A name no program defines: with -variables-used naming only it, nvJitLink keeps just the
# globals that device code references.
_NO_HOST_VARIABLES = "__nvmath_no_host_referenced_variables__"


class LinkError(RuntimeError):
    """nvJitLink failed; the message carries its error log."""


def _input_type(kind: str):
    from cuda.bindings import nvjitlink

    return {
        "ltoir": nvjitlink.InputType.LTOIR,
        "ptx": nvjitlink.InputType.PTX,
        "cubin": nvjitlink.InputType.CUBIN,
        "fatbin": nvjitlink.InputType.FATBIN,
        "object": nvjitlink.InputType.OBJECT,
        "library": nvjitlink.InputType.LIBRARY,
    }[kind]


def _link(codes: Sequence[Code], options: list[str]) -> bytes:
    load_library("nvJitLink")
    from cuda.bindings import nvjitlink

    handle = nvjitlink.create(len(options), options)
    try:
        try:
            for code in codes:
                nvjitlink.add_data(handle, _input_type(code.kind), code.data, len(code.data), code.name)
            nvjitlink.complete(handle)
        except nvjitlink.nvJitLinkError as exc:
            size = nvjitlink.get_error_log_size(handle)
            log = bytearray(size)
            nvjitlink.get_error_log(handle, log)
            names = ", ".join(c.name for c in codes)
            raise LinkError(f"nvJitLink could not link [{names}]: {exc}\n{log.decode(errors='replace')}") from exc
        size = nvjitlink.get_linked_cubin_size(handle)
        cubin = bytearray(size)
        nvjitlink.get_linked_cubin(handle, cubin)
        return bytes(cubin)
    finally:
        nvjitlink.destroy(handle)


def link(
    codes: Sequence[Code],
    *,
    cc,
    strip_unused_globals: bool = True,
    max_registers: int | None = None,
    options: Sequence[str] = (),
) -> bytes:
    """Link ``codes`` into a cubin for compute capability ``cc``; works without a GPU; cached.

    Args:
        codes: the objects to link (at least one holds the kernels).
        cc: compute capability, e.g. ``(9, 0)``; the link targets ``sm_90a`` when a code object
            is ``arch_specific``.
        strip_unused_globals: drop globals that no device code references.
        max_registers: register cap per thread, if any.
        options: extra nvJitLink options.

    Returns:
        The cubin bytes.

    Example:
        >>> from nvmath.compile import compile_cpp, link
        >>> src = 'extern "C" __global__ void k(float* x) { x[threadIdx.x] *= 2; }'
        >>> cubin = link([compile_cpp(src, cc=(9, 0))], cc=(9, 0))
        >>> cubin[:4]
        b'\\x7fELF'
    """
    if isinstance(codes, (str, bytes)) or not isinstance(codes, Sequence):
        raise TypeError(
            f"Argument 'codes' = {short_repr(codes)} must be a list of nvmath.compile.Code, not {type(codes).__name__}."
        )
    if not codes:
        raise ValueError("Argument 'codes' is empty: pass at least one Code to link.")
    for code in codes:
        if not isinstance(code, Code):
            raise TypeError(
                f"Argument 'codes' holds {short_repr(code)} ({type(code).__name__}): every item must be an "
                "nvmath.compile.Code (e.g. Code(data, 'ltoir'))."
            )
    check_bool("strip_unused_globals", strip_unused_globals)
    if max_registers is not None and (
        not isinstance(max_registers, int) or isinstance(max_registers, bool) or not 16 <= max_registers <= 255
    ):
        raise ValueError(
            f"Argument 'max_registers' = {short_repr(max_registers)} is not allowed: use None (no cap) or an "
            "integer from 16 to 255 (registers per thread)."
        )
    options = check_str_sequence("options", options)
    major, minor = normalize_cc(cc)
    suffix = "a" if any(code.arch_specific for code in codes) else ""
    all_options = [f"-arch=sm_{major}{minor}{suffix}"]
    if any(code.kind == "ltoir" for code in codes):
        all_options.append("-lto")
    if strip_unused_globals:
        all_options.append(f"-variables-used={_NO_HOST_VARIABLES}")
    if max_registers is not None:
        all_options.append(f"-maxrregcount={max_registers}")
    all_options += list(options)
    key_parts = {
        "inputs": [[code.kind, hashlib.sha256(code.data).hexdigest()] for code in codes],
        "options": all_options,
    }
    names = ", ".join(code.name for code in codes)
    return cached(
        "cubin",
        key_parts,
        lambda: _link(codes, all_options),
        description=f"[{names}] for sm_{major}{minor}{suffix}",
        logger=get_logger(),
    )
