"""Find the CUDA toolchain pieces the package uses, and report their versions.

Everything is found through ``cuda.pathfinder`` (pip wheels first, then a CUDA toolkit).
A missing piece raises :class:`ToolchainError` naming the pip package that provides it.

Example:
    >>> from nvmath.compile import toolchain
    >>> toolchain.versions()["nvrtc"]  # doctest: +SKIP
    '13.4'
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import shutil

import cuda.pathfinder

# Library name (as cuda.pathfinder knows it) -> the pip requirement that provides it.
LIBRARY_PACKAGES = {
    "nvrtc": "cuda-toolkit[nvrtc]>=13.0,<13.5",
    "nvJitLink": "nvidia-nvjitlink",
    "nvvm": "numba-cuda[cu13]",
    "cudart": "cuda-toolkit[cudart]",
    "mathdx": "nvidia-libmathdx-cu13==0.4.1.*",
    "cufft": "nvidia-cufft",
    "cublasLt": "nvidia-cublas",
}

# Distributions whose versions go into bug reports and into every cache key.
DISTRIBUTIONS = (
    "nvmath",
    "numba",
    "numba-cuda",
    "llvmlite",
    "numpy",
    "cuda-core",
    "cuda-bindings",
    "cuda-pathfinder",
    "nvidia-libmathdx-cu13",
    "nvidia-cuda-nvrtc",
    "nvidia-nvjitlink",
    "nvidia-nvvm",
    "nvidia-cuda-cccl",
    "cupy-cuda13x",
    "torch",
)


class ToolchainError(RuntimeError):
    """A piece of the CUDA toolchain could not be found or loaded."""


@functools.cache
def load_library(name: str):
    """Load shared library ``name`` once and return cuda.pathfinder's ``LoadedDL``.

    ``"mathdx"`` loads NVRTC and the CUDA runtime first: libmathdx needs NVRTC, and its
    cuBLASDx trait queries fail (``COMMONDX_INTERNAL_ERROR``, no error text) when llvmlite is
    loaded (``import numba``) and libcudart is not: numba.cuda's import loads it, a plain
    ``import numba`` or the CUDA simulator does not.

    Example:
        >>> load_library("nvrtc").abs_path  # doctest: +SKIP
        '.../nvidia/cu13/lib/libnvrtc.so.13'
    """
    if name not in LIBRARY_PACKAGES:
        raise ValueError(
            f"Argument 'name' = {name!r} is not a known library: allowed values are {sorted(LIBRARY_PACKAGES)}."
        )
    if name == "mathdx":
        load_library("nvrtc")
        load_library("cudart")
    try:
        return cuda.pathfinder.load_nvidia_dynamic_lib(name)
    except Exception as exc:  # pathfinder raises several error types; all mean "not usable"
        raise ToolchainError(
            f"Could not load the {name} library ({exc.__class__.__name__}: {str(exc).splitlines()[0]}). "
            f"Install it with: pip install '{LIBRARY_PACKAGES[name]}'"
        ) from exc


@functools.cache
def include_dirs() -> tuple[str, ...]:
    """Return the CUDA runtime header directory and the CCCL one (libcu++, CUB, Thrust).

    Example:
        >>> len(include_dirs())  # doctest: +SKIP
        2
    """
    dirs = []
    for name, package in (("cudart", "numba-cuda[cu13]"), ("cccl", "numba-cuda[cu13]")):
        found = cuda.pathfinder.find_nvidia_header_directory(name)
        if found is None:
            raise ToolchainError(f"CUDA headers '{name}' not found. Install them with: pip install '{package}'")
        dirs.append(found)
    return tuple(dict.fromkeys(dirs))


def find_binary(name: str) -> str:
    """Return the path of a CUDA binary utility such as ``cuobjdump`` or ``nvdisasm``.

    Example:
        >>> find_binary("cuobjdump")  # doctest: +SKIP
        '.../nvidia/cu13/bin/cuobjdump'
    """
    path = cuda.pathfinder.find_nvidia_binary_utility(name) or shutil.which(name)
    if path is None:
        raise ToolchainError(f"{name} not found. Install it with: pip install nvidia-cuda-{name}")
    return path


def distribution_versions() -> dict[str, str]:
    """Return ``{distribution: version}`` for the installed distributions that matter."""
    found = {}
    for dist in DISTRIBUTIONS:
        try:
            found[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def _nvrtc_version() -> str:
    load_library("nvrtc")
    from cuda.bindings import nvrtc

    _, major, minor = nvrtc.nvrtcVersion()
    return f"{major}.{minor}"


def _nvjitlink_version() -> str:
    load_library("nvJitLink")
    from cuda.bindings import nvjitlink

    return "{}.{}".format(*nvjitlink.version())


def _nvvm_version() -> str:
    load_library("nvvm")
    from cuda.bindings import nvvm

    return "{}.{}".format(*nvvm.version())


def _mathdx_version() -> str:
    import ctypes

    lib = ctypes.CDLL(load_library("mathdx").abs_path)
    major, minor, patch = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    lib.mathdxGetVersionEx(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch))
    return f"{major.value}.{minor.value}.{patch.value}"


_LIBRARY_VERSION_QUERIES = {
    "nvrtc": _nvrtc_version,
    "nvJitLink": _nvjitlink_version,
    "nvvm": _nvvm_version,
    "mathdx": _mathdx_version,
}


@functools.cache
def library_version(name: str) -> str:
    """Return the version that library ``name`` itself reports (e.g. ``'13.4'`` for NVRTC).

    Example:
        >>> library_version("nvJitLink")  # doctest: +SKIP
        '13.5'
    """
    return _LIBRARY_VERSION_QUERIES[name]()


def versions() -> dict[str, str]:
    """Return the version of each toolchain library, or why it is unusable.

    Example:
        >>> sorted(versions())
        ['mathdx', 'nvJitLink', 'nvrtc', 'nvvm']
    """
    report = {}
    for name in _LIBRARY_VERSION_QUERIES:
        try:
            report[name] = library_version(name)
        except ToolchainError as exc:
            report[name] = f"unavailable: {exc}"
    return report


def library_paths() -> dict[str, str]:
    """Return where each library of :data:`LIBRARY_PACKAGES` is (or why it is not found)."""
    paths = {}
    for name in LIBRARY_PACKAGES:
        try:
            paths[name] = load_library(name).abs_path
        except ToolchainError:
            paths[name] = f"not found (pip install '{LIBRARY_PACKAGES[name]}')"
    return paths


def _cccl_version() -> str:
    header = os.path.join(include_dirs()[-1], "cuda", "std", "__cccl", "version.h")
    try:
        with open(header) as f:
            match = re.search(r"#define\s+CCCL_VERSION\s+(\d+)", f.read())
    except OSError:
        return "unknown"
    return match.group(1) if match else "unknown"


@functools.cache
def fingerprint() -> dict[str, str]:
    """Versions that every cache key includes: compilers, linker, headers, and the Python front end.

    Cheap to compute (no distribution-metadata scan): the libraries report their own versions,
    the Python packages their ``__version__``. Code generators with versions of their own
    (libmathdx) add them to their keys.
    """
    import llvmlite
    import numba
    import numba_cuda

    import nvmath

    parts = {name: library_version(name) for name in ("nvrtc", "nvJitLink", "nvvm")}
    parts["cccl"] = _cccl_version()
    parts["nvmath"] = nvmath.__version__
    parts["numba"] = numba.__version__
    parts["numba-cuda"] = numba_cuda.__version__
    parts["llvmlite"] = llvmlite.__version__
    return parts
