"""The LRU core of the host plan caches: planned objects by key, least recently used freed first.

A plan cache (:class:`nvmath.linalg.advanced.PlanCache`; ``nvmath.fft.PlanCache`` has the same
structure) keeps two maps:

- the *full* key (computed from the parsed arguments, exact) -> the planned object;
- *fast* keys (computed from the arguments as given, without parsing or wrapping them) -> the
  full key and the object. Equal fast keys imply equal full keys; one object may have several
  fast keys (``options=None`` and ``options={}``, say).

:class:`PlanLRU` holds both, counts hits and misses, and frees evicted objects (``obj.free()``).
What a key is and how an object is pointed at new operands is the cache's business.

Example:
    >>> class Plan:
    ...     def free(self):
    ...         print("freed")
    >>> lru = PlanLRU(maxsize=1)
    >>> lru.insert("k1", Plan())
    >>> lru.insert("k2", Plan())
    freed
    >>> len(lru), lru.lookup("k1"), lru.lookup("k2") is not None
    (1, None, True)
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from nvmath._validation import check_positive_int

__all__ = ["PlanLRU"]


class PlanLRU:
    """Up to ``maxsize`` planned objects, least recently used evicted (and freed) first.

    Args:
        maxsize: the most objects kept.

    Attributes:
        hits, misses: counted by :meth:`touch` and :meth:`insert`.

    Example:
        >>> PlanLRU(4).maxsize
        4
    """

    __slots__ = ("maxsize", "hits", "misses", "_plans", "_fast")

    def __init__(self, maxsize: int = 16) -> None:
        self.maxsize = check_positive_int("maxsize", maxsize)
        self.hits = 0
        self.misses = 0
        self._plans: OrderedDict[Any, Any] = OrderedDict()
        self._fast: dict = {}

    def __len__(self) -> int:
        return len(self._plans)

    def lookup_fast(self, fast_key) -> tuple | None:
        """``(full_key, plan)`` remembered for ``fast_key``, or None (also for an unhashable key).

        Example:
            >>> PlanLRU().lookup_fast(("k", [1]))  # unhashable: no entry
        """
        try:
            return self._fast.get(fast_key)
        except TypeError:
            return None

    def lookup(self, full_key):
        """The plan stored under ``full_key``, or None (no LRU update: see :meth:`touch`)."""
        return self._plans.get(full_key)

    def touch(self, full_key) -> None:
        """Mark ``full_key`` most recently used and count a hit."""
        self._plans.move_to_end(full_key)
        self.hits += 1

    def insert(self, full_key, plan) -> None:
        """Store a new plan (a miss), freeing the least recently used ones beyond ``maxsize``."""
        self.misses += 1
        old = self._plans.pop(full_key, None)
        if old is not None and old is not plan:
            self._forget(old)
        self._plans[full_key] = plan
        while len(self._plans) > self.maxsize:
            _, evicted = self._plans.popitem(last=False)
            self._forget(evicted)

    def remember_fast(self, fast_key, full_key, plan) -> None:
        """Let ``fast_key`` find ``plan`` (ignored if the key is unhashable)."""
        if len(self._fast) >= 4 * self.maxsize:  # several spellings per plan: start over
            self._fast.clear()
        try:
            self._fast[fast_key] = (full_key, plan)
        except TypeError:
            pass

    def _forget(self, plan) -> None:
        self._fast = {k: v for k, v in self._fast.items() if v[1] is not plan}
        plan.free()

    def clear(self) -> None:
        """Free every plan."""
        self._fast.clear()
        while self._plans:
            _, plan = self._plans.popitem(last=False)
            plan.free()
