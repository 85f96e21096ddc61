"""nvmath.device.Matmul on a GPU against NumPy (float64 / complex128 of the rounded inputs).

Precisions fp16, bf16, tf32, fp32, fp64, fp8 e4m3/e5m2 (fp32 C), int8 -> int32, mixed a/b/c,
real and complex; every arrangement; static, suggested and runtime leading dimensions; the
shared-memory pointer API and the tensor API with register accumulators (suggested and plain
partitions); sizes 8 to 128 per dimension; several block shapes; Warp/Thread execution where
cuBLASDx accepts it. Fresh random data, NaN-poisoned outputs, two GEMMs per launch (one per
block, so that per-block offsets are checked too). Relative error bounds: 1e-2 for half, bf16,
tf32 and fp8 inputs, 1e-5 fp32, 1e-12 fp64; integer GEMMs must be exact.

Each descriptor costs seconds of code generation; the cases are independent, so run with
``pytest -n 15``.
"""

from __future__ import annotations

import functools
import itertools

import ml_dtypes
import numpy as np
import pytest

pytestmark = pytest.mark.gpu

BATCH = 2  # GEMMs per launch, one per block
ALIGN = 16  # bytes between the matrices in dynamic shared memory

# name -> (precision given to Matmul, data_type)
PRECISIONS = {
    "f16": (np.float16, "real"),
    "tf32": (("tf32", "tf32", np.float32), "real"),
    "f32": (np.float32, "real"),
    "f64": (np.float64, "real"),
    "e4m3_f32": (("float8_e4m3fn", "float8_e4m3fn", np.float32), "real"),
    "e5m2_f32": (("float8_e5m2", "float8_e5m2", np.float32), "real"),
    "e4m3_e5m2_f32": (("float8_e4m3fn", "float8_e5m2", np.float32), "real"),
    "e4m3_f16": (("float8_e4m3fn", "float8_e4m3fn", np.float16), "real"),
    "i8_i32": ((np.int8, np.int8, np.int32), "real"),
    "f16_f32": ((np.float16, np.float16, np.float32), "real"),
    "bf16_f32": (("bfloat16", "bfloat16", np.float32), "real"),
    "f16_bf16_f32": ((np.float16, "bfloat16", np.float32), "real"),
    "c32": (np.float32, "complex"),
    "c64": (np.float64, "complex"),
    "tf32_c": (("tf32", "tf32", np.float32), "complex"),
}
SIZES = [(8, 8, 8), (16, 32, 8), (32, 16, 64), (64, 64, 64), (128, 128, 128), (8, 128, 32), (128, 8, 64)]
ARRANGEMENTS = list(itertools.product(("row_major", "col_major"), repeat=3))
HALF_CLASS = {"f16", "bf16", "tf32", "e4m3", "e5m2"}


# ---- host-side element types ------------------------------------------------------------------------


def _host_dtype(precision, data_type: str) -> np.dtype:
    """The NumPy dtype of one matrix's elements (ml_dtypes for bfloat16 / fp8)."""
    name = precision if isinstance(precision, str) else np.dtype(precision).name
    dtype = {
        "bfloat16": ml_dtypes.bfloat16,
        "tf32": np.float32,
        "float8_e4m3fn": ml_dtypes.float8_e4m3fn,
        "float8_e5m2": ml_dtypes.float8_e5m2,
    }.get(name, name)
    dtype = np.dtype(dtype)
    if data_type == "complex":
        dtype = np.dtype(np.complex64 if dtype.itemsize <= 4 else np.complex128)
    return dtype


def _storage_dtype(dtype: np.dtype) -> np.dtype:
    """What device arrays hold: the type itself, or an unsigned integer carrying bfloat16 / fp8 bits."""
    if dtype in (np.dtype(ml_dtypes.bfloat16),):
        return np.dtype(np.uint16)
    if dtype in (np.dtype(ml_dtypes.float8_e4m3fn), np.dtype(ml_dtypes.float8_e5m2)):
        return np.dtype(np.uint8)
    return dtype


def _short(precision) -> str:
    name = precision if isinstance(precision, str) else np.dtype(precision).name
    return {"float16": "f16", "bfloat16": "bf16", "float8_e4m3fn": "e4m3", "float8_e5m2": "e5m2"}.get(name, name)


def tolerance(case: str) -> float:
    """Relative error bound of a precision case (0: exact)."""
    precision, _ = PRECISIONS[case]
    triple = precision if isinstance(precision, tuple) else (precision,) * 3
    names = {_short(p) for p in triple}
    if "int8" in names:
        return 0.0
    if names & HALF_CLASS:
        return 1e-2
    return 1e-5 if "float32" in names else 1e-12


# ---- problems -------------------------------------------------------------------------------------------


def _random(rng, shape, dtype: np.dtype, is_c: bool):
    if dtype.kind in "iu":
        bound = 64 if is_c else 8
        return rng.integers(-bound, bound, shape).astype(dtype)
    x = rng.uniform(-1, 1, shape)
    if dtype.kind == "c":
        x = x + 1j * rng.uniform(-1, 1, shape)
    return x.astype(dtype)


def pack(matrices, arrangement: str, ld: int):
    """``(batch, rows, cols)`` -> flat ``(batch, n)`` in a cuBLASDx layout (padding zero)."""
    batch, rows, cols = matrices.shape
    if arrangement == "col_major":
        matrices = matrices.transpose(0, 2, 1)
        rows, cols = cols, rows
    out = np.zeros((batch, rows, ld), matrices.dtype)
    out[:, :, :cols] = matrices
    return out.reshape(batch, rows * ld)


def unpack(flat, rows: int, cols: int, arrangement: str, ld: int):
    """The inverse of :func:`pack`."""
    outer, inner = (cols, rows) if arrangement == "col_major" else (rows, cols)
    m = flat.reshape(flat.shape[0], -1)[:, : outer * ld].reshape(flat.shape[0], outer, ld)[:, :, :inner]
    return m.transpose(0, 2, 1) if arrangement == "col_major" else m


class Problem:
    """Random A, B, C of one Matmul, flat on the device in layouts of given leading dimensions."""

    def __init__(self, MM, lds=None, seed=None):
        from numba import cuda

        rng = np.random.default_rng(seed)
        m, n, k = MM.size
        data_type = MM.data_type
        self.dtypes = [_host_dtype(p, data_type) for p in MM.precision]
        self.lds = tuple(lds or MM.leading_dimension)
        self.arrangement = tuple(MM.arrangement)
        shapes = ((m, k), (k, n), (m, n))
        self.host = [
            _random(rng, (BATCH, *s), d, i == 2) for i, (s, d) in enumerate(zip(shapes, self.dtypes, strict=True))
        ]
        flat = [pack(x, self.arrangement[i], self.lds[i]) for i, x in enumerate(self.host)]
        self.sizes = [f.shape[1] for f in flat]
        self.device = [cuda.to_device(f.view(_storage_dtype(f.dtype)).ravel()) for f in flat]
        c_storage = _storage_dtype(self.dtypes[2])
        poison = np.full(BATCH * self.sizes[2], np.nan, self.dtypes[2]) if self.dtypes[2].kind in "fc" else None
        if poison is None:
            poison = np.full(BATCH * self.sizes[2], np.iinfo(self.dtypes[2]).min, self.dtypes[2])
        self.out = cuda.to_device(poison.view(c_storage))
        self.complex = data_type == "complex"
        scalar = np.complex128 if self.complex else np.float64
        self.alpha = scalar(1.25 - 0.5j) if self.complex else scalar(2 if self.dtypes[2].kind == "i" else 1.25)
        self.beta = scalar(-0.5 + 0.25j) if self.complex else scalar(-1 if self.dtypes[2].kind == "i" else -0.5)

    def kernel_scalars(self):
        """alpha and beta as kernel arguments (C's kind: int, float or complex)."""
        kind = self.dtypes[2].kind
        if kind == "i":
            return np.int32(self.alpha), np.int32(self.beta)
        if kind == "c":
            return np.complex128(self.alpha), np.complex128(self.beta)
        return np.float64(self.alpha), np.float64(self.beta)

    def reference(self):
        wide = np.complex128 if self.complex else np.float64
        a, b, c = (x.astype(wide) for x in self.host)
        return self.alpha * (a @ b) + self.beta * c

    def result(self, flat_device, ld_c: int | None = None):
        m, n = self.host[2].shape[1:]
        raw = flat_device.copy_to_host().view(self.dtypes[2]).reshape(BATCH, -1)
        return unpack(raw, m, n, self.arrangement[2], ld_c or self.lds[2])


def assert_close(case: str, result, ref, what: str) -> None:
    """Compare against the float64 reference with the case's bound (exact for integers)."""
    wide = np.complex128 if np.iscomplexobj(ref) else np.float64
    result = np.asarray(result).astype(wide)
    assert np.isfinite(result).all(), f"{what}: non-finite output (poison left or overflow)"
    tol = tolerance(case)
    if tol == 0.0:
        np.testing.assert_array_equal(result, ref, err_msg=what)
        return
    error = np.linalg.norm(result - ref) / np.linalg.norm(ref)
    assert error <= tol, f"{what}: relative error {error:.3e} > {tol}"


# ---- descriptors (cached per worker process) ---------------------------------------------------------------


@functools.cache
def matmul(case: str, size, **kw):
    """The Matmul of ``case`` (skips what cuBLASDx rejects, with its reason)."""
    from nvmath.device import Matmul

    precision, data_type = PRECISIONS[case]
    try:
        return Matmul(size, precision, data_type, **kw)
    except ValueError as exc:
        pytest.skip(f"not supported by cuBLASDx: {exc}")


def _offsets(MM, byte_sizes):
    """Offsets (bytes, 16-aligned) of consecutive buffers in dynamic shared memory, and the total."""
    offsets, total = [], 0
    for nbytes in byte_sizes:
        total = -(-total // ALIGN) * ALIGN
        offsets.append(total)
        total += nbytes
    return offsets, total


def _skip_if_too_big(nbytes: int) -> None:
    from numba import cuda

    limit = cuda.get_current_device().MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
    if nbytes > limit:
        pytest.skip(f"needs {nbytes} B of shared memory (device opt-in limit {limit} B)")


# ---- kernels ----------------------------------------------------------------------------------------------


@functools.cache
def smem_kernel(MM, dtypes, sizes):
    """Shared-memory pointer API: load A, B, C (default layouts) into dynamic shared memory, execute, store C."""
    from numba import cuda

    storage = [_storage_dtype(np.dtype(d)) for d in dtypes]
    offsets, total = _offsets(MM, [s * d.itemsize for s, d in zip(sizes, storage, strict=True)])
    (a_n, b_n, c_n), (a_t, b_t, c_t) = sizes, storage
    a_o, b_o, c_o = (o // d.itemsize for o, d in zip(offsets, storage, strict=True))
    threads = MM.block_size

    @cuda.jit
    def kernel(a, b, c, out, alpha, beta):
        dyn_a = cuda.shared.array(0, a_t)  # dynamic shared arrays alias: disjoint slices of one buffer
        dyn_b = cuda.shared.array(0, b_t)
        dyn_c = cuda.shared.array(0, c_t)
        sa, sb, sc = dyn_a[a_o : a_o + a_n], dyn_b[b_o : b_o + b_n], dyn_c[c_o : c_o + c_n]
        t = cuda.threadIdx.x + cuda.blockDim.x * (cuda.threadIdx.y + cuda.blockDim.y * cuda.threadIdx.z)
        blk = cuda.blockIdx.x
        for i in range(t, a_n, threads):
            sa[i] = a[blk * a_n + i]
        for i in range(t, b_n, threads):
            sb[i] = b[blk * b_n + i]
        for i in range(t, c_n, threads):
            sc[i] = c[blk * c_n + i]
        cuda.syncthreads()
        MM.execute(alpha, sa, sb, beta, sc)
        cuda.syncthreads()
        for i in range(t, c_n, threads):
            out[blk * c_n + i] = sc[i]

    return kernel, total


@functools.cache
def runtime_ld_kernel(MM, dtypes):
    """Runtime leading dimensions: ``MM.execute(alpha, a, lda, b, ldb, beta, c, ldc)``; sizes, offsets as arguments."""
    from numba import cuda

    a_t, b_t, c_t = (_storage_dtype(np.dtype(d)) for d in dtypes)
    threads = MM.block_size

    @cuda.jit
    def kernel(a, lda, a_n, b, ldb, b_n, b_o, c, ldc, c_n, c_o, out, alpha, beta):
        dyn_a = cuda.shared.array(0, a_t)
        dyn_b = cuda.shared.array(0, b_t)
        dyn_c = cuda.shared.array(0, c_t)
        sa, sb, sc = dyn_a[0:a_n], dyn_b[b_o : b_o + b_n], dyn_c[c_o : c_o + c_n]
        t, blk = cuda.threadIdx.x, cuda.blockIdx.x
        for i in range(t, a_n, threads):
            sa[i] = a[blk * a_n + i]
        for i in range(t, b_n, threads):
            sb[i] = b[blk * b_n + i]
        for i in range(t, c_n, threads):
            sc[i] = c[blk * c_n + i]
        cuda.syncthreads()
        MM.execute(alpha, sa, lda, sb, ldb, beta, sc, ldc)
        cuda.syncthreads()
        for i in range(t, c_n, threads):
            out[blk * c_n + i] = sc[i]

    return kernel


@functools.cache
def accumulator_kernel(MM, dtypes, suggested: bool):
    """Tensor API + register accumulator: gmem -> smem copies, ``MM.execute(A, B, acc)``, axpby with C, store D."""
    from numba import cuda

    from nvmath.device import axpby, copy, copy_wait, make_tensor

    a_t, b_t = (_storage_dtype(np.dtype(d)) for d in dtypes[:2])
    if suggested:
        layouts = (MM.suggest_layout_smem_a(), MM.suggest_layout_smem_b())
    else:
        layouts = (MM.get_layout_smem_a(), MM.get_layout_smem_b())
    (a_o, b_o), total = _offsets(MM, [layout.storage_bytes for layout in layouts])
    a_n, b_n = (layout.storage_bytes // d.itemsize for layout, d in zip(layouts, (a_t, b_t), strict=True))
    b_o //= b_t.itemsize
    sizes = MM.a_size, MM.b_size, MM.c_size

    if suggested:

        @cuda.jit
        def kernel(a, b, c, out, alpha, beta):
            A, B, C = sizes
            blk = cuda.blockIdx.x
            sa = make_tensor(cuda.shared.array(0, a_t)[0:a_n], MM.suggest_layout_smem_a())
            sb = make_tensor(cuda.shared.array(0, b_t)[b_o : b_o + b_n], MM.suggest_layout_smem_b())
            copy(make_tensor(a[blk * A : (blk + 1) * A], MM.get_layout_gmem_a()), sa)
            copy(make_tensor(b[blk * B : (blk + 1) * B], MM.get_layout_gmem_b()), sb)
            copy_wait()
            acc = MM.suggest_accumulator()
            acc.clear()
            MM.execute(sa, sb, acc)
            part = acc.make_partition_and_copy(make_tensor(c[blk * C : (blk + 1) * C], MM.get_layout_gmem_c()))
            axpby(alpha, acc.get_results(), beta, part)
            acc.partition_and_copy(part, make_tensor(out[blk * C : (blk + 1) * C], MM.get_layout_gmem_c()))

    else:

        @cuda.jit
        def kernel(a, b, c, out, alpha, beta):
            A, B, C = sizes
            blk = cuda.blockIdx.x
            sa = make_tensor(cuda.shared.array(0, a_t)[0:a_n], MM.get_layout_smem_a())
            sb = make_tensor(cuda.shared.array(0, b_t)[b_o : b_o + b_n], MM.get_layout_smem_b())
            copy(make_tensor(a[blk * A : (blk + 1) * A], MM.get_layout_gmem_a()), sa)
            copy(make_tensor(b[blk * B : (blk + 1) * B], MM.get_layout_gmem_b()), sb)
            copy_wait()
            acc = MM.get_accumulator()
            acc.clear()
            MM.execute(sa, sb, acc)
            part = acc.make_partition_and_copy(make_tensor(c[blk * C : (blk + 1) * C], MM.get_layout_gmem_c()))
            axpby(alpha, acc.get_results(), beta, part)
            acc.partition_and_copy(part, make_tensor(out[blk * C : (blk + 1) * C], MM.get_layout_gmem_c()))

    return kernel, total


# ---- runners --------------------------------------------------------------------------------------------


def run_smem(case: str, MM, what: str) -> None:
    p = Problem(MM)
    kernel, total = smem_kernel(MM, tuple(p.dtypes), tuple(p.sizes))
    _skip_if_too_big(total)
    alpha, beta = p.kernel_scalars()
    kernel[BATCH, MM.block_dim, 0, total](*p.device, p.out, alpha, beta)
    assert_close(case, p.result(p.out), p.reference(), f"{MM} ({what})")


def run_accumulator(case: str, MM, suggested: bool, what: str) -> None:
    p = Problem(MM)
    kernel, total = accumulator_kernel(MM, tuple(p.dtypes), suggested)
    _skip_if_too_big(total)
    alpha, beta = p.kernel_scalars()
    kernel[BATCH, MM.block_dim, 0, total](*p.device, p.out, alpha, beta)
    assert_close(case, p.result(p.out), p.reference(), f"{MM} ({what})")


# ---- tests ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("case", sorted(PRECISIONS))
def test_shared_memory_api(case, size):
    run_smem(case, matmul(case, size), "shared-memory API")


@pytest.mark.parametrize(
    "size", [(16, 16, 16), (64, 64, 64), (32, 128, 32), (128, 128, 64)], ids=lambda s: "x".join(map(str, s))
)
@pytest.mark.parametrize("case", sorted(PRECISIONS))
def test_tensor_api_with_suggested_accumulator(case, size):
    run_accumulator(case, matmul(case, size), True, "tensor API, suggested layouts and accumulator")


@pytest.mark.parametrize("case", ["f16", "bf16_f32", "f32", "f64", "c32", "i8_i32", "e4m3_f32"])
def test_tensor_api_with_plain_layouts_and_accumulator(case):
    run_accumulator(case, matmul(case, (32, 64, 16)), False, "tensor API, plain layouts, get_accumulator")


@pytest.mark.parametrize("arrangement", ARRANGEMENTS, ids=lambda a: "-".join(x[0] for x in a))
@pytest.mark.parametrize("case", ["f32", "f16_f32", "c32"])
def test_arrangements_shared_memory_api(case, arrangement):
    run_smem(case, matmul(case, (32, 16, 64), arrangement=arrangement), f"arrangement {arrangement}")


@pytest.mark.parametrize("arrangement", ARRANGEMENTS, ids=lambda a: "-".join(x[0] for x in a))
@pytest.mark.parametrize("case", ["f32", "bf16_f32"])
def test_arrangements_tensor_api(case, arrangement):
    run_accumulator(case, matmul(case, (64, 32, 16), arrangement=arrangement), True, f"arrangement {arrangement}")


@pytest.mark.parametrize("block", [32, 64, 96, 128, 256, 512, (16, 8, 1), (32, 2, 2)], ids=str)
@pytest.mark.parametrize("case", ["f32", "f16"])
def test_block_dims(case, block):
    kw = {"block_size": block} if isinstance(block, int) else {"block_dim": block}
    MM = matmul(case, (64, 64, 64), **kw)
    run_smem(case, MM, f"block {block}, shared-memory API")
    run_accumulator(case, MM, True, f"block {block}, accumulator")


@pytest.mark.parametrize("lds", [(40, 72, 36), "suggested"], ids=str)
@pytest.mark.parametrize("case", ["f32", "f64", "f16_f32", "c32"])
def test_static_leading_dimensions(case, lds):
    MM = matmul(case, (32, 64, 32), leading_dimension=lds)
    if lds != "suggested":
        assert tuple(MM.leading_dimension) == lds
    run_smem(case, MM, f"leading_dimension={lds}")


@pytest.mark.parametrize("arrangement", [None, ("col_major", "row_major", "row_major")], ids=str)
@pytest.mark.parametrize("case", ["f32", "f64", "f16_f32", "bf16_f32", "c32", "i8_i32"])
def test_runtime_leading_dimensions(case, arrangement):
    MM = matmul(case, (32, 16, 64), arrangement=arrangement)
    m, n, k = MM.size
    a, b, c = MM.arrangement  # the smallest leading dimensions: a row's length (row-major) or a column's
    minimum = [k if a == "row_major" else m, n if b == "row_major" else k, n if c == "row_major" else m]
    for pad in ((0, 0, 0), (8, 3, 5)):
        lds = tuple(x + d for x, d in zip(minimum, pad, strict=True))
        p = Problem(MM, lds=lds)
        kernel = runtime_ld_kernel(MM, tuple(p.dtypes))
        storage = [_storage_dtype(d) for d in p.dtypes]
        offsets, total = _offsets(MM, [s * d.itemsize for s, d in zip(p.sizes, storage, strict=True)])
        _skip_if_too_big(total)
        (a_n, b_n, c_n), (b_o, c_o) = p.sizes, (offsets[1] // storage[1].itemsize, offsets[2] // storage[2].itemsize)
        alpha, beta = p.kernel_scalars()
        i32 = np.int32
        kernel[BATCH, MM.block_dim, 0, total](
            p.device[0],
            i32(lds[0]),
            i32(a_n),
            p.device[1],
            i32(lds[1]),
            i32(b_n),
            i32(b_o),
            p.device[2],
            i32(lds[2]),
            i32(c_n),
            i32(c_o),
            p.out,
            alpha,
            beta,
        )
        assert_close(case, p.result(p.out), p.reference(), f"{MM} (runtime leading dimensions {lds})")


@pytest.mark.parametrize("execution", ["Warp", "Thread"])
def test_warp_and_thread_execution_where_supported(execution):
    MM = matmul("f32", (16, 16, 16), execution=execution)  # skips with cuBLASDx's reason if rejected
    run_smem("f32", MM, f"{execution} execution")


@functools.cache
def index_mapping_kernel(MM, dtypes):
    """Store each accumulator element by hand at ``acc.map_fragment_index(j)`` (row-major out), with predicates."""
    from numba import cuda

    from nvmath.device import copy, copy_wait, make_tensor

    a_t, b_t = (_storage_dtype(np.dtype(d)) for d in dtypes[:2])
    layouts = (MM.suggest_layout_smem_a(), MM.suggest_layout_smem_b())
    (_, b_o), total = _offsets(MM, [layout.storage_bytes for layout in layouts])
    a_n, b_n = (layout.storage_bytes // d.itemsize for layout, d in zip(layouts, (a_t, b_t), strict=True))
    b_o //= b_t.itemsize
    sizes = MM.a_size, MM.b_size
    m, n, _ = MM.size

    @cuda.jit
    def kernel(a, b, out):
        A, B = sizes
        blk = cuda.blockIdx.x
        sa = make_tensor(cuda.shared.array(0, a_t)[0:a_n], MM.suggest_layout_smem_a())
        sb = make_tensor(cuda.shared.array(0, b_t)[b_o : b_o + b_n], MM.suggest_layout_smem_b())
        copy(make_tensor(a[blk * A : (blk + 1) * A], MM.get_layout_gmem_a()), sa)
        copy(make_tensor(b[blk * B : (blk + 1) * B], MM.get_layout_gmem_b()), sb)
        copy_wait()
        acc = MM.suggest_accumulator()
        acc.clear()
        MM.execute(sa, sb, acc)
        results = acc.get_results()
        if acc.is_thread_active():
            for j in range(results.size):
                if acc.is_index_in_bounds(j):
                    row, col = acc.map_fragment_index(j)
                    out[blk * m * n + row * n + col] = results[j]

    return kernel, total


@pytest.mark.parametrize("size", [(64, 64, 64), (32, 16, 64), (8, 128, 32)], ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("case", ["f32", "f16_f32", "f64", "c32", "i8_i32"])
def test_accumulator_index_mapping_and_predicates(case, size):
    """``acc[j]``, ``acc.map_fragment_index(j)``, ``is_thread_active`` and ``is_index_in_bounds`` place C by hand."""
    from numba import cuda

    MM = matmul(case, size)
    p = Problem(MM)
    kernel, total = index_mapping_kernel(MM, tuple(p.dtypes))
    _skip_if_too_big(total)
    m, n, _ = MM.size
    out = cuda.to_device(p.out.copy_to_host()[: BATCH * m * n])  # poisoned, row-major m x n per GEMM
    kernel[BATCH, MM.block_dim, 0, total](p.device[0], p.device[1], out)
    wide = np.complex128 if p.complex else np.float64
    ref = p.host[0].astype(wide) @ p.host[1].astype(wide)
    result = out.copy_to_host().view(p.dtypes[2]).reshape(BATCH, m, n)
    assert_close(case, result, ref, f"{MM} (map_fragment_index)")
