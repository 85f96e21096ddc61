"""nvmath.device.Matmul kernels in Numba's CUDA simulator against NumPy float64.

The same kernels as on the GPU (shared-memory pointer API, runtime leading dimensions, the
tensor API with register accumulators) run with ``NUMBA_ENABLE_CUDASIM=1``; fresh random data
each run, outputs poisoned first. Traits and tensor traits are the libmathdx ones (a few
descriptors, module-scoped: each new one costs libmathdx compiles of seconds).

Numba reads NUMBA_ENABLE_CUDASIM once, at import: in a plain test run this module runs itself
in a subprocess with the simulator on (``test_simulator_suite``). Run it directly with
``NUMBA_ENABLE_CUDASIM=1 python -m pytest -p no:cacheprovider tests/device/test_matmul_sim.py``.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SIMULATED = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

if not SIMULATED:

    def test_simulator_suite():
        env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1500,
        )
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]

else:
    from numba import cuda

    from nvmath.device import Matmul, axpby, clear, copy, copy_wait, make_fragment_like, make_tensor
    from nvmath.device.simulator_matmul import reference_gemm
    from tests.device import matmul_kernels

    RNG = np.random.default_rng()
    TOL = {"float16": 1e-2, "float32": 1e-5, "float64": 1e-12}

    def tolerance(mm) -> float:
        """The issue's bound for the lowest precision among A, B and C."""

        def real(dtype) -> str:
            dtype = np.dtype(dtype)
            return dtype.fields["x"][0].name if dtype.names else np.zeros(1, dtype).real.dtype.name

        names = {real(t) for t in (mm.a_value_type, mm.b_value_type, mm.c_value_type)}
        return max(TOL[name] for name in names)

    def random_values(shape, dtype) -> np.ndarray:
        """Random values of ``dtype`` (complex and (x, y) pairs included) and their complex128/float64 copy."""
        dtype = np.dtype(dtype)
        if dtype.names:
            out = np.empty(shape, dtype)
            out["x"], out["y"] = RNG.uniform(-1, 1, shape), RNG.uniform(-1, 1, shape)
            return out
        values = RNG.uniform(-1, 1, shape)
        if dtype.kind == "c":
            values = values + 1j * RNG.uniform(-1, 1, shape)
        return values.astype(dtype)

    def as_numbers(values: np.ndarray) -> np.ndarray:
        if values.dtype.names:
            return values["x"].astype(np.float64) + 1j * values["y"].astype(np.float64)
        return values.astype(np.complex128 if values.dtype.kind == "c" else np.float64)

    def poison(n, dtype) -> np.ndarray:
        dtype = np.dtype(dtype)
        out = np.empty(n, dtype)
        if dtype.names:
            out["x"], out["y"] = np.nan, np.nan
        else:
            out[...] = np.nan
        return out

    def matrix(flat: np.ndarray, rows: int, cols: int, ld: int, arrangement: str) -> np.ndarray:
        """The rows x cols matrix stored in ``flat`` (what the GPU kernel reads)."""
        if arrangement == "col_major":
            return np.stack([flat[j * ld : j * ld + rows] for j in range(cols)], axis=1)
        return np.stack([flat[i * ld : i * ld + cols] for i in range(rows)], axis=0)

    def stored(flat_size: int, mm, which: str, ld: int, dtype):
        """A random matrix ``which`` of ``mm`` stored with ``ld``; padding poisoned. (flat array, matrix)."""
        rows, cols = {"a": mm.a_dim, "b": mm.b_dim, "c": mm.c_dim}[which]
        flat = poison(flat_size, dtype)
        values = random_values((rows, cols), dtype)
        arrangement = getattr(mm.arrangement, which)
        for i in range(rows):
            for j in range(cols):
                flat[j * ld + i if arrangement == "col_major" else i * ld + j] = values[i, j]
        return flat, as_numbers(values)

    def relative_error(result: np.ndarray, expected: np.ndarray) -> float:
        return float(np.max(np.abs(result - expected)) / max(np.max(np.abs(expected)), 1e-30))

    # ---- descriptors (module-scoped: libmathdx compiles once each) ----------------------------------

    @pytest.fixture(scope="module")
    def mm_f32():
        return Matmul((16, 8, 12), np.float32, "real", sm=90, block_size=64)

    @pytest.fixture(scope="module")
    def mm_f64_padded():
        # every arrangement the other way round, padded static leading dimensions, a 2-D block
        return Matmul(
            (8, 12, 16),
            np.float64,
            "real",
            sm=90,
            block_dim=(32, 2, 1),
            arrangement=("col_major", "row_major", "row_major"),
            leading_dimension=(10, 14, 13),
        )

    @pytest.fixture(scope="module")
    def mm_f16_f32():
        return Matmul((16, 16, 8), (np.float16, np.float16, np.float32), "real", sm=90, block_size=32)

    @pytest.fixture(scope="module")
    def mm_c64():
        return Matmul((8, 8, 8), np.float32, "complex", sm=90, block_size=32, arrangement=("col_major",) * 3)

    @pytest.fixture(scope="module")
    def mm_c128():
        return Matmul((8, 4, 8), np.float64, "complex", sm=90, block_size=128, arrangement=("row_major",) * 3)

    @pytest.fixture(scope="module")
    def mm_c16():
        return Matmul((8, 8, 8), np.float16, "complex", sm=90, block_size=32)

    # ---- kernels (written for the GPU) ------------------------------------------------------------------

    def smem_kernel(MM):
        return cuda.jit(matmul_kernels.smem_kernel(MM))

    def dynamic_ld_kernel(MM, lda, ldb, ldc):
        kernel = cuda.jit(matmul_kernels.dynamic_ld_kernel(MM, lda, ldb, ldc))
        return kernel, matmul_kernels.dynamic_ld_sizes(MM, lda, ldb, ldc)

    def tensor_smem_kernel(MM, suggested):
        """Tensor API with C in shared memory: copy in, execute(alpha, A, B, beta, C), copy out."""

        def run(a, b, c, alpha, beta, ta, tb, tc):
            gc = make_tensor(c, MM.get_layout_gmem_c())
            copy(make_tensor(a, MM.get_layout_gmem_a()), ta)
            copy(make_tensor(b, MM.get_layout_gmem_b()), tb)
            copy(gc, tc)
            copy_wait()
            MM.execute(alpha, ta, tb, beta, tc)
            cuda.syncthreads()
            copy(tc, gc)

        run = cuda.jit(device=True)(run)

        @cuda.jit
        def suggested_kernel(a, b, c, alpha, beta):
            sa = cuda.shared.array(MM.a_size, MM.a_value_type)
            sb = cuda.shared.array(MM.b_size, MM.b_value_type)
            sc = cuda.shared.array(MM.c_size, MM.c_value_type)
            ta = make_tensor(sa, MM.suggest_layout_smem_a())
            tb = make_tensor(sb, MM.suggest_layout_smem_b())
            tc = make_tensor(sc, MM.suggest_layout_smem_c())
            run(a, b, c, alpha, beta, ta, tb, tc)

        @cuda.jit
        def plain_kernel(a, b, c, alpha, beta):
            sa = cuda.shared.array(MM.a_size, MM.a_value_type)
            sb = cuda.shared.array(MM.b_size, MM.b_value_type)
            sc = cuda.shared.array(MM.c_size, MM.c_value_type)
            ta = make_tensor(sa, MM.get_layout_smem_a())
            tb = make_tensor(sb, MM.get_layout_smem_b())
            tc = make_tensor(sc, MM.get_layout_smem_c())
            run(a, b, c, alpha, beta, ta, tb, tc)

        return suggested_kernel if suggested else plain_kernel

    def accumulator_kernel(MM, kind, lda, ldb, ldc):
        """Global (runtime ld) -> suggested shared -> register accumulator -> global; C = 2 A @ B."""

        def run(a, b, c, acc):
            ga = make_tensor(a, MM.get_layout_gmem_a(lda))
            gb = make_tensor(b, MM.get_layout_gmem_b(ldb))
            gc = make_tensor(c, MM.get_layout_gmem_c(ldc))
            sa = cuda.shared.array(MM.a_size, MM.a_value_type)
            sb = cuda.shared.array(MM.b_size, MM.b_value_type)
            ta = make_tensor(sa, MM.suggest_layout_smem_a())
            tb = make_tensor(sb, MM.suggest_layout_smem_b())
            copy(ga, ta)
            copy(gb, tb)
            copy_wait()
            acc.clear()
            MM.execute(ta, tb, acc)
            MM.execute(ta, tb, acc)
            acc.partition_and_copy(acc.get_results(), gc)

        run = cuda.jit(device=True)(run)

        @cuda.jit
        def suggested_kernel(a, b, c):
            run(a, b, c, MM.suggest_accumulator())

        @cuda.jit
        def plain_kernel(a, b, c):
            run(a, b, c, MM.get_accumulator())

        return suggested_kernel if kind == "suggested" else plain_kernel

    def epilogue_kernel(MM, out_dtype):
        """C = 0.5 * (A @ B) + 2 * C0 through fragments: make_partition_and_copy, axpby,
        make_fragment_like, clear; plus an explicit elementwise loop through map_fragment_index."""

        @cuda.jit
        def kernel(a, b, c, d, coords):
            ga = make_tensor(a, MM.get_layout_gmem_a())
            gb = make_tensor(b, MM.get_layout_gmem_b())
            gc = make_tensor(c, MM.get_layout_gmem_c())
            gd = make_tensor(d, MM.get_layout_gmem_c())
            sa = cuda.shared.array(MM.a_size, MM.a_value_type)
            sb = cuda.shared.array(MM.b_size, MM.b_value_type)
            ta = make_tensor(sa, MM.suggest_layout_smem_a())
            tb = make_tensor(sb, MM.suggest_layout_smem_b())
            copy(ga, ta)
            copy(gb, tb)
            copy_wait()
            acc = MM.suggest_accumulator()
            clear(acc)
            MM.execute(ta, tb, acc)
            c0 = acc.make_partition_and_copy(gc)
            axpby(0.5, acc.get_results(), 2.0, c0)  # c0 = 0.5 AB + 2 C0
            out = make_fragment_like(c0, out_dtype)
            clear(out)
            axpby(1.0, c0, 0.0, out)
            acc.partition_and_copy(out, gd)
            # element by element: how often each element of C is held, by which thread, its value
            t = cuda.threadIdx.x
            results = acc.get_results()
            if acc.is_thread_active():
                for i in range(acc.size):
                    if acc.is_index_in_bounds(i):
                        row, col = acc.map_fragment_index(i)
                        coords[row, col, 0] += 1
                        coords[row, col, 1] = t
                        coords[row, col, 2] = results[i]

        return kernel

    # ---- runners ------------------------------------------------------------------------------------------

    def run_smem(MM, alpha=1.5, beta=-0.5):
        lda, ldb, ldc = MM.leading_dimension
        a, A = stored(MM.a_size, MM, "a", lda, MM.a_value_type)
        b, B = stored(MM.b_size, MM, "b", ldb, MM.b_value_type)
        c, C = stored(MM.c_size, MM, "c", ldc, MM.c_value_type)
        smem_kernel(MM)[1, MM.block_dim](a, b, c, alpha, beta)
        return as_numbers(matrix(c, *MM.c_dim, ldc, MM.arrangement.c)), alpha * A @ B + beta * C

    # ---- tests ----------------------------------------------------------------------------------------------

    @pytest.mark.parametrize("name", ["mm_f32", "mm_f64_padded", "mm_f16_f32", "mm_c64", "mm_c128", "mm_c16"])
    def test_shared_memory_pointer_api(name, request):
        MM = request.getfixturevalue(name)
        result, expected = run_smem(MM, alpha=1.5 if MM.data_type == "real" else 1.5 - 0.25j)
        assert np.isfinite(result).all(), result
        assert relative_error(result, expected) < tolerance(MM), (MM, relative_error(result, expected))

    def test_shared_memory_layout_uses_the_padded_leading_dimensions(mm_f64_padded):
        MM = mm_f64_padded
        assert tuple(MM.leading_dimension) == (10, 14, 13)
        assert (MM.a_size, MM.b_size, MM.c_size) == (10 * 16, 14 * 16, 13 * 8)
        # the padding of C stays what the kernel wrote: execute touches C's elements only
        ldc = MM.leading_dimension.c
        c, _ = stored(MM.c_size, MM, "c", ldc, MM.c_value_type)
        a, _ = stored(MM.a_size, MM, "a", MM.leading_dimension.a, MM.a_value_type)
        b, _ = stored(MM.b_size, MM, "b", MM.leading_dimension.b, MM.b_value_type)
        padding = np.ones(MM.c_size, bool)
        for i in range(MM.c_dim[0]):
            padding[i * ldc : i * ldc + MM.c_dim[1]] = False
        smem_kernel(MM)[1, MM.block_dim](a, b, c, 1.0, 0.0)
        assert np.isnan(c[padding]).all() and np.isfinite(c[~padding]).all()

    @pytest.mark.parametrize(
        "name, lds", [("mm_f32", (17, 13, 21)), ("mm_f64_padded", (8, 12, 12)), ("mm_c64", (9, 11, 8))]
    )
    def test_runtime_leading_dimensions(name, lds, request):
        MM = request.getfixturevalue(name)
        kernel, sizes = dynamic_ld_kernel(MM, *lds)
        a, A = stored(sizes[0], MM, "a", lds[0], MM.a_value_type)
        b, B = stored(sizes[1], MM, "b", lds[1], MM.b_value_type)
        c, C = stored(sizes[2], MM, "c", lds[2], MM.c_value_type)
        alpha, beta = (0.75, 1.25) if MM.data_type == "real" else (0.5 + 1j, -0.25j)
        kernel[1, MM.block_dim](a, b, c, alpha, beta)
        result = as_numbers(matrix(c, *MM.c_dim, lds[2], MM.arrangement.c))
        assert relative_error(result, alpha * A @ B + beta * C) < tolerance(MM)

    @pytest.mark.parametrize("suggested", [True, False], ids=["suggested", "plain"])
    @pytest.mark.parametrize("name", ["mm_f32", "mm_f64_padded", "mm_c128"])
    def test_tensor_api_shared_memory_execute(name, suggested, request):
        MM = request.getfixturevalue(name)

        def gmem(which, dtype):
            rows, cols = {"a": MM.a_dim, "b": MM.b_dim, "c": MM.c_dim}[which]
            ld = rows if getattr(MM.arrangement, which) == "col_major" else cols
            return stored(rows * cols, MM, which, ld, dtype), ld

        (a, A), _ = gmem("a", MM.a_value_type)
        (b, B), _ = gmem("b", MM.b_value_type)
        (c, C), ldc = gmem("c", MM.c_value_type)
        alpha, beta = (2.0, 0.5) if MM.data_type == "real" else (1 - 1j, 0.5j)
        tensor_smem_kernel(MM, suggested)[1, MM.block_dim](a, b, c, alpha, beta)
        result = as_numbers(matrix(c, *MM.c_dim, ldc, MM.arrangement.c))
        assert relative_error(result, alpha * A @ B + beta * C) < tolerance(MM)

    @pytest.mark.parametrize("kind", ["suggested", "plain"])
    @pytest.mark.parametrize(
        "name, pad", [("mm_f32", (0, 0, 0)), ("mm_f16_f32", (3, 0, 5)), ("mm_c64", (1, 2, 0)), ("mm_c128", (0, 0, 0))]
    )
    def test_register_accumulator(name, pad, kind, request):
        MM = request.getfixturevalue(name)

        def ld_of(which, extra):
            rows, cols = {"a": MM.a_dim, "b": MM.b_dim, "c": MM.c_dim}[which]
            return (rows if getattr(MM.arrangement, which) == "col_major" else cols) + extra

        lds = [ld_of(w, p) for w, p in zip("abc", pad, strict=True)]

        def size(which, ld):
            rows, cols = {"a": MM.a_dim, "b": MM.b_dim, "c": MM.c_dim}[which]
            return ld * (cols if getattr(MM.arrangement, which) == "col_major" else rows)

        a, A = stored(size("a", lds[0]), MM, "a", lds[0], MM.a_value_type)
        b, B = stored(size("b", lds[1]), MM, "b", lds[1], MM.b_value_type)
        c, _ = stored(size("c", lds[2]), MM, "c", lds[2], MM.c_value_type)
        c[:] = poison(c.size, c.dtype)
        accumulator_kernel(MM, kind, *lds)[1, MM.block_dim](a, b, c)
        result = as_numbers(matrix(c, *MM.c_dim, lds[2], MM.arrangement.c))
        assert np.isfinite(result).all()
        assert relative_error(result, 2 * A @ B) < tolerance(MM)

    @pytest.mark.parametrize(
        "name, out", [("mm_f16_f32", np.float16), ("mm_f32", np.float64), ("mm_c128", np.complex64)]
    )
    def test_fragments_axpby_make_fragment_like_and_index_mapping(name, out, request):
        MM = request.getfixturevalue(name)
        m, n = MM.c_dim

        def gmem(which, dtype):
            rows, cols = {"a": MM.a_dim, "b": MM.b_dim, "c": MM.c_dim}[which]
            ld = rows if getattr(MM.arrangement, which) == "col_major" else cols
            return stored(rows * cols, MM, which, ld, dtype)

        a, A = gmem("a", MM.a_value_type)
        b, B = gmem("b", MM.b_value_type)
        c, C = gmem("c", MM.c_value_type)
        d = poison(m * n, MM.c_value_type)
        coords = np.zeros((m, n, 3), np.complex128 if MM.data_type == "complex" else np.float64)
        epilogue_kernel(MM, out)[1, MM.block_dim](a, b, c, d, coords)
        ld = m if MM.arrangement.c == "col_major" else n
        expected = 0.5 * A @ B + 2 * C
        result = as_numbers(matrix(d, m, n, ld, MM.arrangement.c))
        tol = max(tolerance(MM), 1e-2 if np.dtype(out) == np.float16 else 1e-6 if np.dtype(out) == np.complex64 else 0)
        assert relative_error(result, expected) < tol
        # every element of C is held by exactly one active thread, at the coordinates it reports
        assert (coords[:, :, 0].real == 1).all()
        assert relative_error(coords[:, :, 2], A @ B) < tolerance(MM)

    def test_partition_predicates(mm_c128):
        """8 x 4 complex C over 128 threads: inactive threads and the predicate agree with the coverage."""
        MM = mm_c128

        @cuda.jit
        def kernel(out):
            acc = MM.suggest_accumulator()
            t = cuda.threadIdx.x
            out[t, 0] = 1 if acc.is_thread_active() else 0
            out[t, 1] = 1 if acc.is_predicated() else 0
            count = 0
            for i in range(acc.size):
                if acc.is_index_in_bounds(i):
                    count += 1
            out[t, 2] = count
            out[t, 3] = acc.size

        out = np.full((MM.block_size, 4), -1, np.int64)
        kernel[1, MM.block_dim](out)
        size = out[0, 3]
        assert (out[:, 3] == size).all() and size >= 1
        assert out[:, 2].sum() == 8 * 4  # every element of C exactly once (with the mapping test above)
        assert ((out[:, 0] == 1) == (out[:, 2] > 0)).all()
        assert (out[:, 1] == int(out[:, 2].sum() != (out[:, 0] == 1).sum() * size)).all()

    def test_several_blocks_run_their_own_gemms(mm_f32):
        """A grid of blocks, each its own batch entry (global arrays offset by the block index)."""
        MM = mm_f32
        batch = 3

        @cuda.jit
        def kernel(a, b, c):
            bid = cuda.blockIdx.x
            ga = make_tensor(a[bid], MM.get_layout_gmem_a())
            gb = make_tensor(b[bid], MM.get_layout_gmem_b())
            gc = make_tensor(c[bid], MM.get_layout_gmem_c())
            sa = cuda.shared.array(MM.a_size, MM.a_value_type)
            sb = cuda.shared.array(MM.b_size, MM.b_value_type)
            ta = make_tensor(sa, MM.suggest_layout_smem_a())
            tb = make_tensor(sb, MM.suggest_layout_smem_b())
            copy(ga, ta)
            copy(gb, tb)
            copy_wait()
            acc = MM.suggest_accumulator()
            acc.clear()
            MM.execute(ta, tb, acc)
            acc.partition_and_copy(acc.get_results(), gc)

        m, n = MM.c_dim
        k = MM.a_dim[1]
        A = RNG.uniform(-1, 1, (batch, m, k)).astype(np.float32)
        B = RNG.uniform(-1, 1, (batch, k, n)).astype(np.float32)
        a = np.ascontiguousarray(A)  # row-major A: rows of k
        b = np.ascontiguousarray(B.transpose(0, 2, 1))  # column-major B: columns of k
        c = np.full((batch, n, m), np.nan, np.float32)  # column-major C
        kernel[batch, MM.block_dim](a, b, c)
        result = c.transpose(0, 2, 1).astype(np.float64)
        expected = A.astype(np.float64) @ B.astype(np.float64)
        assert relative_error(result, expected) < tolerance(MM)

    def test_reference_gemm_casts_to_the_type_of_c():
        a = RNG.uniform(-1, 1, (3, 4)).astype(np.float16)
        b = RNG.uniform(-1, 1, (4, 2)).astype(np.float16)
        c = RNG.uniform(-1, 1, (3, 2)).astype(np.float32)
        out = reference_gemm(2.0, a, b, -1.0, c)
        assert out.dtype == np.float32
        expected = 2.0 * a.astype(np.float64) @ b.astype(np.float64) - c.astype(np.float64)
        assert np.max(np.abs(out - expected)) < 1e-6

    def test_wrong_arguments_name_what_is_expected(mm_f32):
        MM = mm_f32

        @cuda.jit
        def wrong_dtype(out):
            sa = cuda.shared.array(MM.a_size, np.float64)
            sb = cuda.shared.array(MM.b_size, MM.b_value_type)
            sc = cuda.shared.array(MM.c_size, MM.c_value_type)
            MM.execute(1.0, sa, sb, 0.0, sc)

        with pytest.raises(TypeError, match="float32"):
            wrong_dtype[1, MM.block_dim](np.zeros(1))

        @cuda.jit
        def wrong_arity(out):
            sa = cuda.shared.array(MM.a_size, MM.a_value_type)
            MM.execute(1.0, sa, 0.0)

        with pytest.raises(TypeError, match="got 3 arguments"):
            wrong_arity[1, MM.block_dim](np.zeros(1))

        @cuda.jit
        def small_block(out):
            MM.suggest_accumulator()

        with pytest.raises(RuntimeError, match="block_size=64"):
            small_block[1, 32](np.zeros(1))

    def test_outside_kernels_it_is_an_error(mm_f32):
        with pytest.raises(RuntimeError, match="simulated kernels"):
            mm_f32.suggest_accumulator()

    class StubMatmul:
        """What the simulator reads of a Matmul, with chosen traits (no libmathdx)."""

        def __init__(self, size, block_size, per_thread, opaque_suggested):
            from types import SimpleNamespace

            from nvmath.device.matmul import Arrangement, LeadingDimension

            m, n, k = size
            self.a_dim, self.b_dim, self.c_dim = (m, k), (k, n), (m, n)
            self.block_size = block_size
            self.arrangement = Arrangement("row_major", "col_major", "col_major")
            self.leading_dimension = LeadingDimension(k + 1, k, m)
            self.a_value_type = self.b_value_type = self.c_value_type = np.dtype(np.float64)
            self._traits = {"rmem_c": per_thread, "suggested_rmem_c": per_thread}
            self._opaque = opaque_suggested
            self._ns = SimpleNamespace

        def tensor_traits(self, spec):
            name = spec.kind if self._opaque else spec.kind.removeprefix("suggested_")
            return self._ns(logical_size=self._traits.get(spec.kind, 0), opaque_name=name)

    def test_predicated_partition_covers_c_once():
        from nvmath.device.simulator_matmul import _Partition

        stub = StubMatmul((5, 5, 3), 32, 2, False)
        partition = _Partition(stub, 2)
        assert partition.active == 13 and partition.predicated
        held = np.concatenate([partition.positions(t) for t in range(32)])
        inside = held[held < 25]
        assert sorted(inside.tolist()) == list(range(25))
        assert not _Partition(StubMatmul((4, 4, 3), 32, 2, False), 2).predicated
        with pytest.raises(RuntimeError, match="cannot hold"):
            _Partition(StubMatmul((16, 16, 3), 32, 2, False), 2)

    @pytest.mark.parametrize("opaque", [False, True], ids=["plain", "opaque"])
    def test_suggested_shared_layouts(opaque):
        """A suggested layout libmathdx reports as the plain one is the plain one; else the other arrangement."""
        from nvmath.device.matmul import Layout
        from nvmath.device.simulator_matmul import make_tensor as sim_make_tensor

        stub = StubMatmul((4, 6, 3), 32, 1, opaque)
        smem = np.arange(stub.leading_dimension.a * 4, dtype=np.float64)
        view = sim_make_tensor(smem, Layout(stub, "suggested_smem_a")).view
        assert view.shape == (4, 3)
        if opaque:  # column-major, unpadded
            assert view[1, 0] == smem[1] and view[0, 1] == smem[4]
        else:  # row-major with lda = k + 1
            assert view[1, 0] == smem[4] and view[0, 1] == smem[1]
