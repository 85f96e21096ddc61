"""nvmath.fft on a device other than the current one (needs 2 GPUs; skipped otherwise).

Checks that results are right and live on the operand's device, that the caller's current
device (CuPy's, PyTorch's and the driver's context) is unchanged, and that host operands run
on the device that ``ExecutionCUDA(device_id)`` names.
"""

import numpy as np
import pytest

from nvmath import fft as nvfft
from nvmath._gpu import gpu_count

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(gpu_count() < 2, reason="needs 2 CUDA GPUs"),
]

RNG = np.random.default_rng()


def _random(shape):
    return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(np.complex64)


def _current_context() -> int:
    from cuda.bindings import driver

    err, ctx = driver.cuCtxGetCurrent()
    assert int(err) == 0
    return int(ctx)


def _error(result, reference) -> float:
    return float(np.linalg.norm(result - reference) / np.linalg.norm(reference))


def test_cupy_operand_on_device_1():
    cupy = pytest.importorskip("cupy")
    host = _random((32, 256))
    with cupy.cuda.Device(1):
        x = cupy.asarray(host)
    cupy.cuda.Device(0).use()
    context = _current_context()
    y = nvfft.fft(x, axes=(-1,))
    assert y.device.id == 1
    assert cupy.cuda.runtime.getDevice() == 0 and _current_context() == context
    with cupy.cuda.Device(1):
        cupy.cuda.get_current_stream().synchronize()
        result = cupy.asnumpy(y)
    assert _error(result, np.fft.fft(host.astype(np.complex128), axis=-1)) < 1e-5
    with nvfft.FFT(x, axes=(-1,)) as f:  # stateful, inverse, on device 1
        f.plan()
        z = f.execute(direction="inverse")
        assert z.device.id == 1 and cupy.cuda.runtime.getDevice() == 0
        with cupy.cuda.Device(1):
            cupy.cuda.get_current_stream().synchronize()
            result = cupy.asnumpy(z)
    assert _error(result, np.fft.ifft(host.astype(np.complex128), axis=-1) * 256) < 1e-5


def test_torch_operand_on_device_1():
    torch = pytest.importorskip("torch")
    host = _random((16, 128))
    x = torch.from_numpy(host).to("cuda:1")
    torch.cuda.set_device(0)
    y = nvfft.fft(x, axes=(-1,), options={"blocking": True})
    assert y.device == torch.device("cuda", 1)
    assert torch.cuda.current_device() == 0
    assert _error(y.cpu().numpy(), np.fft.fft(host.astype(np.complex128), axis=-1)) < 1e-5
    r = nvfft.irfft(nvfft.rfft(x.real.contiguous(), axes=(-1,)), axes=(-1,), options={"blocking": True})
    assert r.device == torch.device("cuda", 1)
    assert _error(r.cpu().numpy(), host.real * 128) < 1e-5


def test_numpy_operand_runs_on_the_named_device():
    host = _random((8, 64))
    context = _current_context()
    y = nvfft.fft(host, axes=(-1,), execution=nvfft.ExecutionCUDA(device_id=1))
    assert isinstance(y, np.ndarray) and _current_context() == context
    assert _error(y, np.fft.fft(host.astype(np.complex128), axis=-1)) < 1e-5
    with pytest.raises(ValueError, match="device_id"):
        nvfft.fft(host, execution={"device_id": gpu_count()})


def test_gpu_operand_and_another_device_is_an_error():
    cupy = pytest.importorskip("cupy")
    with cupy.cuda.Device(1):
        x = cupy.ones(64, cupy.complex64)
    with pytest.raises(ValueError, match="cuda:1.*device_id=0"):
        nvfft.fft(x, execution={"device_id": 0})


def test_plan_cache_keeps_plans_per_device():
    cupy = pytest.importorskip("cupy")
    host = _random((4, 64))
    cache = nvfft.PlanCache()
    results = []
    for device in (0, 1, 0, 1):
        with cupy.cuda.Device(device):
            x = cupy.asarray(host)
            y = cache.fft(x, axes=(-1,))
            assert y.device.id == device
            cupy.cuda.get_current_stream().synchronize()
            results.append(cupy.asnumpy(y))
    assert (cache.misses, cache.hits, len(cache)) == (2, 2, 2)
    reference = np.fft.fft(host.astype(np.complex128), axis=-1)
    assert max(_error(r, reference) for r in results) < 1e-5
    cache.clear()
