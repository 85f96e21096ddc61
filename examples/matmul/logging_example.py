"""Logging: INFO reports each plan (layout, epilog, algorithms, workspace) and its duration, DEBUG the operands.

Shows: nvmath logs through the standard ``logging`` module, under the ``"nvmath"`` logger;
``logging.basicConfig(level=logging.DEBUG)`` shows the problem as cuBLASLt sees it (layouts,
compute and scale types, device, stream), planning and autotuning times; ``options={'logger':
mine}`` sends one call's messages to your own logger instead. The results are checked against
NumPy in float64. On a GPU it prints the host time of a small stateless ``matmul`` with DEBUG
logging on and off against ``cupy.matmul`` (logging costs only when enabled).

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/logging_example.py
"""

import logging
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"logging_example: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import cupy as cp  # noqa: E402
import numpy as np  # noqa: E402

from nvmath.linalg.advanced import Matmul, MatmulEpilog, matmul  # noqa: E402

logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)-5s %(name)s: %(message)s")

rng = np.random.default_rng()
a_h = rng.standard_normal((6, 40, 24)).astype(np.float32)
b_h = rng.standard_normal((24, 16)).astype(np.float32)
a, b = cp.asarray(a_h), cp.asarray(b_h)
reference = np.matmul(a_h.astype(np.float64), b_h)

d = matmul(a, b, epilog=MatmulEpilog.RELU)  # logs through the "nvmath" logger
assert np.allclose(cp.asnumpy(d), np.maximum(reference, 0), rtol=1e-5, atol=1e-5)

mine = logging.getLogger("my_app.matmul")
mine.setLevel(logging.INFO)
with Matmul(a, b, options={"logger": mine}) as mm:  # or through your own logger
    mm.plan(preferences={"limit": 4})
    mm.autotune(iterations=3)  # INFO: the measured time of each algorithm
    assert np.allclose(cp.asnumpy(mm.execute()), reference, rtol=1e-5, atol=1e-5)

try:
    from benchmarks.timing import print_table, time_host
except ImportError as exc:
    print(f"(timing skipped: {exc})")
else:
    stream = cp.cuda.get_current_stream()

    def stateless():
        matmul(a, b)
        stream.synchronize()

    def peer():
        cp.matmul(a, b)
        stream.synchronize()

    logging.getLogger("nvmath").setLevel(logging.WARNING)
    quiet = time_host(stateless, warmup=20, repeat=200)
    logging.getLogger().handlers[0].setLevel(logging.CRITICAL)  # records are made, the handler drops them
    logging.getLogger("nvmath").setLevel(logging.DEBUG)
    loud = time_host(stateless, warmup=20, repeat=200)
    logging.getLogger("nvmath").setLevel(logging.WARNING)
    rows = [("nvmath matmul, logging off", quiet), ("nvmath matmul, DEBUG on", loud),
            ("cupy.matmul", time_host(peer, warmup=20, repeat=200))]  # fmt: skip
    print_table("float32 6 x (40 x 24 @ 24 x 16), one call incl. sync (host clock)", rows, baseline="cupy.matmul")
print("logging_example: OK")
