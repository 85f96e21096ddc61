"""Choosing the cuBLASLt algorithm: heuristics, autotuning, and algorithms saved and given back.

Shows, on bfloat16 torch tensors: ``Matmul.plan(preferences={'limit': 8})`` asks the cuBLASLt
heuristics for up to 8 algorithms (fastest first by their estimate); ``autotune(iterations=...,
prune=...)`` times each on the GPU and reorders ``algorithms`` by measured time, keeping the
fastest ``prune``; each ``Algorithm`` shows its id, tile, split-K and workspace; ``execute(algorithm=...)``
runs a specific one; an algorithm pickled and unpickled is given back to ``plan(algorithms=[...])``
of a new Matmul of the same problem (no heuristics) and to the stateless ``matmul(...,
algorithm=...)``. Every result is checked against NumPy in float64. On a GPU it prints the times
of the heuristic first choice, the autotuned choice and ``torch.matmul`` on the same data
(CUDA events).

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/autotune.py
"""

import logging
import os
import pickle
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"autotune: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from nvmath.linalg.advanced import Matmul, MatmulPlanPreferences, matmul  # noqa: E402


def f64(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float64).cpu().numpy()


def check(name, result, reference, tol=1e-2):
    error = np.linalg.norm(f64(result) - reference) / np.linalg.norm(reference)
    print(f"  {name:<52} rel. error {error:.1e}")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


logging.basicConfig(level=logging.WARNING)
logging.getLogger("nvmath").setLevel(logging.INFO)  # autotune logs the measured times at INFO

print("autotune:")
m, k, n = 2048, 4096, 3072
a = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
b = torch.randn(k, n, device="cuda", dtype=torch.bfloat16)
reference = f64(a) @ f64(b)

mm = Matmul(a, b)
algorithms = mm.plan(preferences=MatmulPlanPreferences(limit=8))
print(f"  heuristics returned {len(algorithms)} algorithm(s):")
for algo in algorithms:
    print(f"    {algo}")
heuristic_first = algorithms[0]
check("execute() with the heuristics' first choice", mm.execute(), reference)

try:
    from benchmarks.timing import print_table, time_gpu
    from nvmath.host.streams import cupy_stream

    stream = cupy_stream(torch.cuda.current_stream().cuda_stream, torch.cuda.current_device())
except ImportError as exc:
    print(f"  (timing skipped: {exc})")
    time_gpu = None
rows = []
if time_gpu is not None:
    rows.append(("nvmath, heuristic first", time_gpu(mm.execute, warmup=10, repeat=50, stream=stream, warmup_s=0.5)))

mm.autotune(iterations=20, prune=4)  # measured on the GPU; algorithms reordered, 4 kept
print(f"  after autotune(iterations=20, prune=4): {len(mm.algorithms)} kept, fastest {mm.algorithms[0]}")
best = mm.algorithms[0]
check("execute() with the autotuned choice", mm.execute(), reference)
for algo in mm.algorithms[1:]:
    check(f"execute(algorithm=<id {algo.algorithm_id}>)", mm.execute(algorithm=algo), reference)
if time_gpu is not None:
    rows.append(("nvmath, autotuned", time_gpu(mm.execute, warmup=10, repeat=50, stream=stream)))
    rows.append(("torch.matmul", time_gpu(lambda: torch.matmul(a, b), warmup=10, repeat=50, stream=stream)))
    print_table(f"bfloat16 {m} x {k} @ {k} x {n}, CUDA events", rows, baseline="torch.matmul")
    print(f"  (heuristic first was id {heuristic_first.algorithm_id}, autotuned first is id {best.algorithm_id})")
mm.free()

# Save the winner and give it back to a new plan of the same problem: no heuristics needed.
saved = pickle.dumps(best)
restored = pickle.loads(saved)
a2 = torch.randn(m, k, device="cuda", dtype=torch.bfloat16)
with Matmul(a2, b) as again:
    again.plan(algorithms=[restored])
    assert again.algorithms[0].algorithm_id == best.algorithm_id
    check(f"new Matmul planned with the unpickled algorithm ({len(saved)} B)", again.execute(), f64(a2) @ f64(b))
check("stateless matmul(..., algorithm=restored)", matmul(a2, b, algorithm=restored), f64(a2) @ f64(b))
print("autotune: OK")
