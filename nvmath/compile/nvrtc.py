"""C++ source -> LTO-IR (or PTX) through NVRTC, cached on disk."""

from __future__ import annotations

from collections.abc import Sequence

from nvmath._logging import get_logger
from nvmath.compile.cache import cached
from nvmath.compile.code import Code, check_str_sequence, normalize_cc, short_repr
from nvmath.compile.toolchain import include_dirs, load_library


class NVRTCError(RuntimeError):
    """NVRTC rejected the source; the message carries NVRTC's log."""


def _check(result, what: str) -> None:
    from cuda.bindings import nvrtc

    if result != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        _, text = nvrtc.nvrtcGetErrorString(result)
        raise NVRTCError(f"{what} failed: {text.decode()}")


def _compile(source: str, name: str, options: list[str], output: str) -> bytes:
    load_library("nvrtc")
    from cuda.bindings import nvrtc

    result, program = nvrtc.nvrtcCreateProgram(source.encode(), name.encode(), 0, [], [])
    _check(result, "nvrtcCreateProgram")
    try:
        encoded = [o.encode() for o in options]
        (result,) = nvrtc.nvrtcCompileProgram(program, len(encoded), encoded)
        if result != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            _, size = nvrtc.nvrtcGetProgramLogSize(program)
            log = b" " * size
            nvrtc.nvrtcGetProgramLog(program, log)
            raise NVRTCError(f"NVRTC could not compile {name}:\n{log.decode(errors='replace').rstrip(chr(0))}")
        if output == "ltoir":
            result, size = nvrtc.nvrtcGetLTOIRSize(program)
            _check(result, "nvrtcGetLTOIRSize")
            data = b" " * size
            _check(nvrtc.nvrtcGetLTOIR(program, data)[0], "nvrtcGetLTOIR")
        else:
            result, size = nvrtc.nvrtcGetPTXSize(program)
            _check(result, "nvrtcGetPTXSize")
            data = b" " * size
            _check(nvrtc.nvrtcGetPTX(program, data)[0], "nvrtcGetPTX")
            data = data.rstrip(b"\0")
        return data
    finally:
        nvrtc.nvrtcDestroyProgram(program)


def compile_cpp(
    source: str,
    *,
    cc,
    name: str = "source.cu",
    options: Sequence[str] = (),
    output: str = "ltoir",
) -> Code:
    """Compile CUDA C++ ``source`` for compute capability ``cc`` with NVRTC; cached on disk.

    The CUDA runtime and CCCL headers (libcu++) are on the include path; ``-rdc=true`` and
    C++17 are on, so ``extern "C" __device__`` functions are kept for linking.

    Args:
        source: CUDA C++ source text.
        cc: compute capability, e.g. ``(9, 0)``.
        name: the file name NVRTC reports in errors.
        options: extra NVRTC options.
        output: ``"ltoir"`` (default, for link-time optimization) or ``"ptx"``.

    Returns:
        :class:`~nvmath.compile.Code` of kind ``output``.

    Example:
        >>> code = compile_cpp('extern "C" __device__ float twice(float x) { return 2 * x; }', cc=(9, 0))
        >>> code.kind
        'ltoir'
    """
    if not isinstance(source, str):
        raise TypeError(
            f"Argument 'source' = {short_repr(source)} must be CUDA C++ source text (str), not {type(source).__name__}."
        )
    if not isinstance(name, str) or not name:
        raise TypeError(f"Argument 'name' = {short_repr(name)} must be a non-empty str (a file name for NVRTC's log).")
    options = check_str_sequence("options", options)
    if not isinstance(output, str) or output not in ("ltoir", "ptx"):
        raise ValueError(
            f"Argument 'output' = {short_repr(output)} is not supported: allowed values are 'ltoir', 'ptx'."
        )
    major, minor = normalize_cc(cc)
    all_options = [f"-arch=sm_{major}{minor}", "-rdc=true", "-std=c++17", "-default-device"]
    if output == "ltoir":
        all_options.append("-dlto")
    all_options += [f"-I{d}" for d in include_dirs()]
    all_options += list(options)
    key_parts = {"source": source, "name": name, "options": all_options[:4] + list(options), "output": output}
    data = cached(
        f"nvrtc-{output}",
        key_parts,
        lambda: _compile(source, name, all_options, output),
        description=f"{name} for sm_{major}{minor}",
        logger=get_logger(),
    )
    return Code(data, output, name)
