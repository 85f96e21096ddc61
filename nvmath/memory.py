"""Device memory for nvmath's host APIs: the allocator protocol and the default allocators.

The public home of :class:`BaseCUDAMemoryManager` and :class:`MemoryPointer` (also
``nvmath.BaseCUDAMemoryManager`` and ``nvmath.MemoryPointer``); the implementation lives in
:mod:`nvmath.host.memory`.

Example:
    >>> import nvmath
    >>> nvmath.memory.MemoryPointer is nvmath.MemoryPointer
    True
"""

from nvmath.host.memory import (
    BaseCUDAMemoryManager,
    CudaCoreMemoryManager,
    CupyMemoryManager,
    MemoryPointer,
    TorchMemoryManager,
    allocate,
    default_memory_manager,
)

__all__ = [
    "BaseCUDAMemoryManager",
    "CudaCoreMemoryManager",
    "CupyMemoryManager",
    "MemoryPointer",
    "TorchMemoryManager",
    "allocate",
    "default_memory_manager",
]
