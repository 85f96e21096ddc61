"""Shared test setup: the ``gpu`` marker skips (with the reason) when no CUDA GPU is usable,
and every test session gets its own empty compile cache unless NVMATH_CACHE_DIR is set."""

import os
import tempfile

import pytest

# Matmul(...) starts generating its shared-memory execute speculatively; tests that only
# describe GEMMs would spend the CPU on code no kernel asks for.
os.environ.setdefault("NVMATH_CODEGEN_SPECULATE", "0")

if "NVMATH_CACHE_DIR" not in os.environ:
    os.environ["NVMATH_CACHE_DIR"] = tempfile.mkdtemp(prefix="nvmath-test-cache-")


def pytest_collection_modifyitems(config, items):
    from nvmath._gpu import gpu_count, no_gpu_reason

    if gpu_count() > 0:
        return
    skip = pytest.mark.skip(reason=f"needs a CUDA GPU: {no_gpu_reason()}")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
