"""Shared test setup: the ``gpu`` marker skips (with the reason) when no CUDA GPU is usable,
and every test session gets its own empty compile cache unless NVMATH_CACHE_DIR is set (removed
when the session ends)."""

import atexit
import os
import shutil
import tempfile

import pytest

# Matmul(...) starts generating its shared-memory execute speculatively; tests that only
# describe GEMMs would spend the CPU on code no kernel asks for.
os.environ.setdefault("NVMATH_CODEGEN_SPECULATE", "0")

_SESSION_CACHE = None
_OWNER_PID = os.getpid()
if "NVMATH_CACHE_DIR" not in os.environ:
    _SESSION_CACHE = tempfile.mkdtemp(prefix="nvmath-test-cache-")
    os.environ["NVMATH_CACHE_DIR"] = _SESSION_CACHE


def _remove_session_cache() -> None:
    """Remove the compile cache this session created (never one the user named)."""
    if _SESSION_CACHE is not None and os.getpid() == _OWNER_PID:  # not from a forked child
        shutil.rmtree(_SESSION_CACHE, ignore_errors=True)


# atexit as well: a session that ends without pytest_sessionfinish (an interrupted collection) leaves nothing.
atexit.register(_remove_session_cache)


def pytest_sessionfinish(session, exitstatus):
    _remove_session_cache()


def pytest_collection_modifyitems(config, items):
    from nvmath._gpu import gpu_count, no_gpu_reason

    if gpu_count() > 0:
        return
    skip = pytest.mark.skip(reason=f"needs a CUDA GPU: {no_gpu_reason()}")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
