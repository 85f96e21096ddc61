"""nvmath.linalg.advanced on a device other than the current one (needs 2 GPUs; skipped otherwise).

Checks that results are right and live on the operands' device, that the caller's current device
(CuPy's, PyTorch's and the driver's context) is unchanged, that host operands run on the device
``options.device_id`` names, that each device gets its own cuBLASLt handle, and that GPU operands
with another ``device_id`` are an error.

Run: ``python -m pytest -p no:cacheprovider -m gpu tests/host/test_matmul_multi_gpu.py``.
"""

import numpy as np
import pytest

from nvmath._gpu import gpu_count
from nvmath.host import matmul as hm
from nvmath.linalg.advanced import Matmul, MatmulEpilog, PlanCache, matmul

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(gpu_count() < 2, reason="needs 2 CUDA GPUs"),
]

RNG = np.random.default_rng()


def _random(shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _current_context() -> int:
    from cuda.bindings import driver

    err, ctx = driver.cuCtxGetCurrent()
    assert int(err) == 0
    return int(ctx)


def _error(result, reference) -> float:
    return float(np.linalg.norm(result - reference) / np.linalg.norm(reference))


def test_cupy_operands_on_device_1():
    cupy = pytest.importorskip("cupy")
    an, bn, bias_n = _random((48, 32)), _random((32, 24)), _random(48)
    with cupy.cuda.Device(1):
        a, b, bias = cupy.asarray(an), cupy.asarray(bn), cupy.asarray(bias_n)
    cupy.cuda.Device(0).use()
    context = _current_context()
    d = matmul(a, b, epilog=MatmulEpilog.RELU_BIAS, epilog_inputs={"bias": bias})
    assert d.device.id == 1
    assert cupy.cuda.runtime.getDevice() == 0 and _current_context() == context
    reference = np.maximum(an.astype(np.float64) @ bn + bias_n[:, None], 0)
    with cupy.cuda.Device(1):
        cupy.cuda.get_current_stream().synchronize()
        assert _error(cupy.asnumpy(d), reference) < 1e-5
    with Matmul(a, b, alpha=2.0) as mm:  # stateful, on device 1
        mm.plan()
        mm.autotune(iterations=2)
        d = mm.execute()
        assert d.device.id == 1 and cupy.cuda.runtime.getDevice() == 0 and _current_context() == context
        with cupy.cuda.Device(1):
            cupy.cuda.get_current_stream().synchronize()
            assert _error(cupy.asnumpy(d), 2 * an.astype(np.float64) @ bn) < 1e-5


def test_torch_operands_on_device_1():
    torch = pytest.importorskip("torch")
    an, bn = _random((40, 16)), _random((16, 8))
    a, b = torch.from_numpy(an).to("cuda:1"), torch.from_numpy(bn).to("cuda:1")
    torch.cuda.set_device(0)
    d = matmul(a, b, options={"blocking": True})
    assert d.device == torch.device("cuda", 1) and torch.cuda.current_device() == 0
    assert _error(d.cpu().numpy(), an.astype(np.float64) @ bn) < 1e-5


def test_host_operands_run_on_options_device_id():
    an, bn = _random((24, 12)), _random((12, 6))
    context = _current_context()
    d = matmul(an, bn, options={"device_id": 1})
    assert isinstance(d, np.ndarray) and _current_context() == context
    assert _error(d, an.astype(np.float64) @ bn) < 1e-5
    with Matmul(an, bn, options={"device_id": 1}) as mm:
        assert mm.device_id == 1
        mm.plan()
        assert _error(mm.execute(), an.astype(np.float64) @ bn) < 1e-5
    with pytest.raises(ValueError, match="device_id"):
        matmul(an, bn, options={"device_id": gpu_count()})


def test_one_cublaslt_handle_per_device():
    an, bn = _random((8, 8)), _random((8, 8))
    matmul(an, bn, options={"device_id": 0})
    matmul(an, bn, options={"device_id": 1})
    assert hm._handle_for(0) != hm._handle_for(1)
    assert hm._handle_for(1) == hm._handle_for(1)  # kept for the process


def test_gpu_operands_and_another_device_id_is_an_error():
    cupy = pytest.importorskip("cupy")
    with cupy.cuda.Device(1):
        a = cupy.ones((4, 4), cupy.float32)
    with pytest.raises(ValueError, match=r"cuda:1.*device_id = 0"):
        matmul(a, a, options={"device_id": 0})
    with cupy.cuda.Device(0):
        b = cupy.ones((4, 4), cupy.float32)
    with pytest.raises(ValueError, match="different places"):
        matmul(a, b)


def test_plan_cache_keeps_plans_per_device():
    cupy = pytest.importorskip("cupy")
    an, bn = _random((16, 8)), _random((8, 4))
    cache = PlanCache()
    results = []
    for device in (0, 1, 0, 1):
        with cupy.cuda.Device(device):
            a, b = cupy.asarray(an), cupy.asarray(bn)
            d = cache.matmul(a, b)
            assert d.device.id == device
            cupy.cuda.get_current_stream().synchronize()
            results.append(cupy.asnumpy(d))
    assert (cache.misses, cache.hits, len(cache)) == (2, 2, 2)
    assert max(_error(r, an.astype(np.float64) @ bn) for r in results) < 1e-5
    cache.clear()
