"""The matmul plan cache: the LRU core (CPU), its keys (CPU), and reuse on the GPU (``gpu`` marker).

Run the GPU part: ``python -m pytest -p no:cacheprovider -m gpu tests/host/test_matmul_plan_cache.py``.
"""

import numpy as np
import pytest

from nvmath.host.lru import PlanLRU
from nvmath.host.matmul_plan_cache import _fast_key
from nvmath.linalg.advanced import Matmul, MatmulShapeError, PlanCache

try:
    import cupy
except Exception:  # optional
    cupy = None
try:
    import torch

    torch_cuda = torch if torch.cuda.is_available() else None
except Exception:  # optional
    torch = torch_cuda = None

RNG = np.random.default_rng()


class _Plan:
    def __init__(self):
        self.freed = 0

    def free(self):
        self.freed += 1


# ---------------------------------------------------------------------------------------------
# CPU: the LRU and the keys
# ---------------------------------------------------------------------------------------------


def test_lru_evicts_and_frees_the_least_recently_used():
    lru = PlanLRU(maxsize=2)
    p1, p2, p3 = _Plan(), _Plan(), _Plan()
    lru.insert("k1", p1)
    lru.insert("k2", p2)
    lru.remember_fast("f1", "k1", p1)
    lru.touch("k1")  # k2 is now the least recently used
    lru.insert("k3", p3)
    assert (p1.freed, p2.freed, p3.freed) == (0, 1, 0)
    assert lru.lookup("k2") is None and lru.lookup("k1") is p1 and len(lru) == 2
    assert lru.lookup_fast("f1") == ("k1", p1)
    assert (lru.hits, lru.misses) == (1, 3)
    lru.insert("k4", _Plan())  # evicts k1: its fast key goes too
    assert p1.freed == 1 and lru.lookup_fast("f1") is None
    lru.clear()
    assert len(lru) == 0 and p3.freed == 1


def test_lru_replacing_a_key_frees_the_old_plan():
    lru = PlanLRU(maxsize=4)
    old, new = _Plan(), _Plan()
    lru.insert("k", old)
    lru.insert("k", new)
    assert old.freed == 1 and new.freed == 0 and lru.lookup("k") is new


def test_lru_ignores_unhashable_fast_keys():
    lru = PlanLRU(maxsize=1)
    lru.remember_fast(("k", {"blocking": True}), "k", _Plan())
    assert lru.lookup_fast(("k", {"blocking": True})) is None


def test_lru_maxsize_must_be_positive():
    with pytest.raises(ValueError, match="maxsize"):
        PlanLRU(0)


def test_host_operands_take_the_full_path():
    a = np.ones((4, 4), np.float32)
    assert _fast_key(a, a, None, None, None, None, None, None, None) is None


def test_cache_errors_come_before_any_gpu_work():
    cache = PlanCache(maxsize=2)
    with pytest.raises(MatmulShapeError, match=r"\(2, 3\).*\(4, 5\)"):
        cache.matmul(np.ones((2, 3), np.float32), np.ones((4, 5), np.float32))
    with pytest.raises(ValueError, match="beta"):
        cache.matmul(np.ones((2, 3), np.float32), np.ones((3, 5), np.float32), beta=2.0)
    assert (len(cache), cache.hits, cache.misses) == (0, 0, 0)


# ---------------------------------------------------------------------------------------------
# GPU: reuse
# ---------------------------------------------------------------------------------------------


def _error(result, reference) -> float:
    if cupy is not None and isinstance(result, cupy.ndarray):
        result = cupy.asnumpy(result)
    elif torch is not None and isinstance(result, torch.Tensor):
        result = result.cpu().numpy()
    return float(np.linalg.norm(result - reference) / np.linalg.norm(reference))


def _pair(package, m=32, k=16, n=8):
    an, bn = RNG.standard_normal((m, k)).astype(np.float32), RNG.standard_normal((k, n)).astype(np.float32)
    if package == "cupy":
        return cupy.asarray(an), cupy.asarray(bn), an.astype(np.float64) @ bn
    return torch.from_numpy(an).cuda(), torch.from_numpy(bn).cuda(), an.astype(np.float64) @ bn


@pytest.mark.gpu
@pytest.mark.parametrize("package", ["cupy", "torch"])
def test_fast_path_hits_with_every_spelling_of_the_options(package):
    if (package == "cupy" and cupy is None) or (package == "torch" and torch_cuda is None):
        pytest.skip(f"{package} is not installed")
    with PlanCache(maxsize=4) as cache:
        for options in (None, {}, {"blocking": "auto"}, None):
            a, b, reference = _pair(package)
            d = cache.matmul(a, b, options=options, alpha=2.0)
            assert _error(d, 2 * reference) < 1e-5
        assert cache.misses == 1 and cache.hits == 3 and len(cache) == 1
        mm = cache.get(a, b)
        assert isinstance(mm, Matmul) and mm is cache.get(*_pair(package)[:2])


@pytest.mark.gpu
def test_plans_are_per_stream_and_evicted_plans_are_freed():
    if cupy is None:
        pytest.skip("cupy is not installed")
    cache = PlanCache(maxsize=1)
    a, b, reference = _pair("cupy")
    s1, s2 = cupy.cuda.Stream(non_blocking=True), cupy.cuda.Stream(non_blocking=True)
    first = cache.get(a, b, stream=s1)
    second = cache.get(a, b, stream=s2)  # another stream: another plan; the first is evicted
    assert first is not second and first._life.freed and not second._life.freed
    assert cache.misses == 2 and len(cache) == 1
    d = second.execute()
    s2.synchronize()
    assert _error(d, reference) < 1e-5
    a2, b2, _ = _pair("cupy", 48, 16, 8)  # another shape: another plan
    cache.matmul(a2, b2)
    assert second._life.freed and cache.misses == 3
    cache.clear()


@pytest.mark.gpu
def test_full_path_hits_for_host_operands():
    cache = PlanCache()
    for _ in range(3):
        an, bn = RNG.standard_normal((16, 8)), RNG.standard_normal((8, 4))
        assert _error(cache.matmul(an, bn), an @ bn) < 1e-12
    assert (cache.misses, cache.hits) == (1, 2)
    cache.clear()
