"""Device FFT benchmark: the fused 512-point convolution kernel (nvmath.device.FFT) vs CuPy.

1. Throughput: c2c fp32, 512-point rows, 1 GiB of data; one fused kernel (FFT -> filter ->
   inverse FFT) against ``cupy.fft.fft`` * filter + ``cupy.fft.ifft``, same process, CUDA
   events, warm-up, medians, ratio (examples/kernels/fused_convolution.py).
2. Compile latency: the first launch of that kernel (a forward and an inverse FFT) in a new
   process with an empty cache (``NVMATH_CACHE_DIR`` pointed at a fresh directory), then in
   another new process with that cache filled.

Run: ``python -m benchmarks device_fft``
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "kernels" / "fused_convolution.py"

_FIRST_LAUNCH = r"""
import importlib.util, json, sys, time
t0 = time.perf_counter()
spec = importlib.util.spec_from_file_location("fused_convolution", sys.argv[1])
ex = importlib.util.module_from_spec(spec); spec.loader.exec_module(ex)
from numba import cuda
import cupy
forward, inverse = ex.make_ffts()
kernel = ex.make_kernel(forward, inverse)
data, response, filt = ex.make_problem(4 * forward.ffts_per_block)
d_data, d_filt = cupy.asarray(data), cupy.asarray(filt)
t1 = time.perf_counter()
kernel[ex.grid_size(data.shape[0], forward), forward.block_dim, 0, forward.shared_memory_size](d_data, d_filt)
cuda.synchronize()
t2 = time.perf_counter()
print(json.dumps({"setup_s": t1 - t0, "first_launch_s": t2 - t1}))
"""


def _load_example():
    spec = importlib.util.spec_from_file_location("fused_convolution", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _first_launch(env: dict) -> dict | None:
    """Run the first launch in a new process; its times, or None (after printing why) if it failed."""
    result = subprocess.run([sys.executable, "-c", _FIRST_LAUNCH, str(EXAMPLE)], env=env,
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        print(f"  FAILED\n{result.stderr[-3000:]}")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def compile_latency(repeat: int = 3) -> None:
    """Print the first-launch time of the fused kernel with a cold and a warm disk cache.

    Each of ``repeat`` rounds starts from an empty cache (cold), then runs again with the
    cache that run filled (warm); one more cold run generates the code at lowering instead
    of in the background (``NVMATH_CODEGEN_WORKERS=0``). Medians are printed last.
    """
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    print("\nfirst launch of the fused kernel (forward + inverse FFT), new process each:")
    samples: dict[str, list[float]] = {"cold cache": [], "warm cache": [], "cold, codegen at lowering": []}
    at_lowering = ("cold, codegen at lowering", None, {"NVMATH_CODEGEN_WORKERS": "0"})
    rounds = [("cold cache", "warm cache", {})] * repeat + [at_lowering]
    for cold_label, warm_label, extra in rounds:
        with tempfile.TemporaryDirectory(prefix="nvmath-bench-cache-") as cache:
            env = dict(os.environ, NVMATH_CACHE_DIR=cache, PYTHONPATH=pythonpath, **extra)
            for label in filter(None, (cold_label, warm_label)):
                times = _first_launch(env)
                if times is None:
                    continue
                samples[label].append(times["first_launch_s"])
                print(f"  {label:<26} first launch {times['first_launch_s']:7.3f} s   "
                      f"(imports + FFT objects {times['setup_s']:.3f} s)")
    for label, values in samples.items():
        if values:
            print(f"  median, {label:<26} {statistics.median(values):7.3f} s over {len(values)} run(s)")


def main() -> None:
    from nvmath._gpu import gpu_count, no_gpu_reason

    if gpu_count() == 0:
        print(f"device_fft: skipped, needs a CUDA GPU ({no_gpu_reason()})")
        return
    _load_example().run_gpu()
    compile_latency()


if __name__ == "__main__":
    main()
