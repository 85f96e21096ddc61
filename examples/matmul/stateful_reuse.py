"""Plan once, execute many times: the stateful ``Matmul``, ``reset_operands`` and ``release_operands``.

Shows, on CuPy arrays: ``Matmul(a, b, c, alpha=..., beta=...)``, ``plan()`` (cuBLASLt heuristics,
workspace) and repeated ``execute()``; in-place changes to the operands are seen by the next
execution; ``reset_operands(a2, b2, alpha=..., beta=...)`` swaps in new arrays of the same layout
(checked: a different shape is a ``MatmulResetError`` that says to plan anew);
``release_operands()`` drops the references between uses and ``reset_operands`` gives them back;
``free()`` / the context manager, and the error after it. Each result is checked against NumPy
in float64. On a GPU it prints the host time of one small call (incl. synchronisation) for the
stateful execute, the stateless ``matmul`` and ``cupy.matmul`` on the same 64 x 64 data.

Host matmul has no CPU path: without a GPU this prints a "needs a GPU" line and exits 0.

Run: python examples/matmul/stateful_reuse.py
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # for benchmarks.timing

from nvmath._gpu import gpu_count, no_gpu_reason  # noqa: E402

if gpu_count() == 0:
    print(f"stateful_reuse: needs a GPU (nvmath.linalg.advanced runs on cuBLASLt, no CPU path): {no_gpu_reason()}")
    sys.exit(0)

import cupy as cp  # noqa: E402
import numpy as np  # noqa: E402

from nvmath.linalg.advanced import Matmul, MatmulFreedError, MatmulResetError, matmul  # noqa: E402

rng = np.random.default_rng()


def fresh(shape):
    """A fresh float32 array on the GPU and its float64 NumPy twin."""
    x = rng.standard_normal(shape).astype(np.float32)
    return cp.asarray(x), x.astype(np.float64)


def check(name, result, reference, tol=1e-5):
    got = cp.asnumpy(result).astype(np.float64)
    error = np.linalg.norm(got - reference) / np.linalg.norm(reference)
    print(f"  {name:<48} rel. error {error:.1e}")
    assert error < tol, f"{name}: relative error {error} >= {tol}"


print("stateful_reuse:")
m, k, n = 256, 128, 64
a, an = fresh((m, k))
b, bn = fresh((k, n))
c, cn = fresh((m, n))
with Matmul(a, b, c, alpha=2.0, beta=0.5) as mm:
    algorithms = mm.plan()  # heuristics once; execute() uses algorithms[0]
    print(f"  planned: {len(algorithms)} algorithm(s), first {algorithms[0]}")
    check("execute(): 2 a @ b + 0.5 c", mm.execute(), 2 * an @ bn + 0.5 * cn)

    a *= 3  # in place: the plan reads the same memory
    check("execute() after a *= 3", mm.execute(), 2 * (3 * an) @ bn + 0.5 * cn)

    for step in range(3):  # new arrays of the same layout: no planning
        a2, a2n = fresh((m, k))
        b2, b2n = fresh((k, n))
        mm.reset_operands(a2, b2, alpha=1.0 + step)
        check(f"reset_operands(a2, b2, alpha={1.0 + step})", mm.execute(), (1 + step) * a2n @ b2n + 0.5 * cn)

    c2, c2n = fresh((m, n))
    mm.reset_operands(c=c2, beta=-1.0)  # only c and beta; a, b and alpha are kept
    check("reset_operands(c=c2, beta=-1)", mm.execute(), 3 * a2n @ b2n - c2n)

    mm.release_operands()  # drop the references between uses (execute raises until reset)
    a3, a3n = fresh((m, k))
    b3, b3n = fresh((k, n))
    c3, c3n = fresh((m, n))
    mm.reset_operands(a3, b3, c3)
    check("release_operands(), reset_operands(a3, b3, c3)", mm.execute(), 3 * a3n @ b3n - c3n)

    try:
        mm.reset_operands(fresh((m + 1, k))[0])
    except MatmulResetError as exc:
        print(f"  different shape: {type(exc).__name__}: {str(exc)[:90]}...")
    else:
        raise AssertionError("a differently shaped operand should have been refused")
try:
    mm.execute()
except MatmulFreedError as exc:
    print(f"  after free(): {type(exc).__name__}: {exc}")
else:
    raise AssertionError("execute after free should raise")

try:
    from benchmarks.timing import print_table, time_host
except ImportError as exc:
    print(f"  (timing skipped: {exc})")
else:
    x, _ = fresh((64, 64))
    y, _ = fresh((64, 64))
    stream = cp.cuda.get_current_stream()  # nvmath and CuPy both run on it

    with Matmul(x, y) as small:
        small.plan()

        def stateful():
            small.execute()
            stream.synchronize()

        def stateless():
            matmul(x, y)
            stream.synchronize()

        def peer():
            cp.matmul(x, y)
            stream.synchronize()

        rows = [
            ("nvmath Matmul.execute + sync", time_host(stateful, warmup=200, repeat=2000)),
            ("nvmath matmul (stateless) + sync", time_host(stateless, warmup=20, repeat=300)),
            ("cupy.matmul + sync", time_host(peer, warmup=200, repeat=2000)),
        ]
    print_table("float32 64 x 64 @ 64 x 64, one call incl. sync (host clock)", rows, baseline="cupy.matmul + sync")
print("stateful_reuse: OK")
