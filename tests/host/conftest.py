"""Helpers for the host FFT tests: a fake-GPU fixture for CPU tests of the stateful object."""

import contextlib

import pytest

import nvmath


class FakeAllocator:
    """A user allocator handing out fake device addresses (never dereferenced in CPU tests)."""

    def __init__(self):
        self.sizes = []
        self.freed = 0

    def memalloc(self, size):
        self.sizes.append(size)

        def release():
            self.freed += 1

        return nvmath.MemoryPointer(0x1000 * len(self.sizes), size, finalizer=release)


@pytest.fixture
def fake_gpu(monkeypatch):
    """Let FFT objects be constructed without a GPU (everything up to planning is host-side).

    Planning (cuFFT) is not faked: tests using this fixture must not call plan()/execute().
    """
    from nvmath.host import devices, streams

    monkeypatch.setattr(devices, "ensure_gpu", lambda device_id=0, what="": None)
    monkeypatch.setattr(devices, "primary_context", lambda device_id: 1)
    monkeypatch.setattr(devices, "device_count", lambda: 1)
    monkeypatch.setattr(devices, "device_scope", lambda device_id: contextlib.nullcontext())
    monkeypatch.setattr(streams, "stream_handle", lambda stream, package, device_id: 0 if stream is None else stream)
    return FakeAllocator()
