"""``nvmath.linalg.advanced``: matrix multiplication of NumPy, CuPy and PyTorch arrays through cuBLASLt.

``F(alpha * a @ b + beta * c)`` with ``numpy.matmul`` batching and broadcasting, transposes and
strided views read in place (no copies), conjugation through ``qualifiers``, and ``F`` one of
cuBLASLt's fused epilogs (:class:`MatmulEpilog`). The names and meanings are nvmath-python 1.0's.

- :func:`matmul`: stateless (plans, executes and frees every call; never caches plans);
- :class:`Matmul`: plan once (:meth:`Matmul.plan`, :meth:`Matmul.autotune`), execute many times,
  swap data with :meth:`Matmul.reset_operands`; works under CUDA graph capture;
- :class:`PlanCache`: an explicit LRU of plans for repeated stateless-style calls;
- :class:`MatmulOptions`, :class:`MatmulPlanPreferences` (plain dicts are accepted too),
  :class:`MatmulQuantizationScales` (FP8), :class:`Algorithm` (picklable, can be given back);
- the errors: :class:`MatmulShapeError`, :class:`MatmulLayoutError`, :class:`MatmulDtypeError`,
  :class:`MatmulEpilogError`, :class:`MatmulUnsupportedError`, :class:`MatmulResetError`,
  :class:`MatmulFreedError` (all raised before any GPU work where the arguments decide).

Bias is per row of the result (length M, as in cuBLASLt). For ``torch.nn.Linear``'s per-column
bias (``y = x @ W.T + bias``), multiply transposed: ``matmul(W, x.T, epilog=MatmulEpilog.BIAS,
epilog_inputs={'bias': bias}).T``.

Example:
    >>> import numpy as np
    >>> from nvmath.linalg.advanced import matmul, MatmulEpilog, MatmulOptions
    >>> a = np.random.rand(64, 32).astype(np.float32)
    >>> b = np.random.rand(32, 16).astype(np.float32)
    >>> d = matmul(a, b, epilog=MatmulEpilog.RELU)  # doctest: +SKIP
    >>> np.allclose(d, np.maximum(a @ b, 0), rtol=1e-5)  # doctest: +SKIP
    True
    >>> matmul(a, b.astype(np.float64))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nvmath.host.matmul.MatmulDtypeError: Operands 'a' and 'b' have different dtypes (float32 and float64): ...
"""

from nvmath.bindings.cublaslt import ComputeType as MatmulComputeType
from nvmath.bindings.cublaslt import MatmulInnerShape
from nvmath.bindings.cublaslt import NumericalImplFlags as MatmulNumericalImplFlags
from nvmath.bindings.cublaslt import ReductionScheme as MatmulReductionScheme
from nvmath.host.devices import NoGPUError
from nvmath.host.matmul import (
    Algorithm,
    Matmul,
    MatmulDtypeError,
    MatmulEpilog,
    MatmulEpilogError,
    MatmulFreedError,
    MatmulLayoutError,
    MatmulQuantizationScales,
    MatmulResetError,
    MatmulShapeError,
    MatmulUnsupportedError,
    matmul,
    matrix_qualifiers_dtype,
)
from nvmath.host.matmul_options import MatmulOptions, MatmulPlanPreferences
from nvmath.host.matmul_plan_cache import PlanCache

__all__ = [
    "Algorithm",
    "Matmul",
    "MatmulComputeType",
    "MatmulDtypeError",
    "MatmulEpilog",
    "MatmulEpilogError",
    "MatmulFreedError",
    "MatmulInnerShape",
    "MatmulLayoutError",
    "MatmulNumericalImplFlags",
    "MatmulOptions",
    "MatmulPlanPreferences",
    "MatmulQuantizationScales",
    "MatmulReductionScheme",
    "MatmulResetError",
    "MatmulShapeError",
    "MatmulUnsupportedError",
    "NoGPUError",
    "PlanCache",
    "matmul",
    "matrix_qualifiers_dtype",
]
