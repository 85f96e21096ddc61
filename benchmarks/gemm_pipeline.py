"""Tiled 8192^3 GEMMs with the cuBLASDx pipeline API (examples/kernels/gemm_pipeline.py) vs torch.matmul.

bf16 and fp16 inputs (fp32 accumulation; wgmma on sm_90) and fp32, against torch.matmul
(cuBLASLt) in the same process: medians of CUDA-event timings after warm-up, TFLOP/s and the
throughput ratio. The issue's targets: >= 75% of cuBLASLt for bf16/fp16, >= 70% for fp32.

Run: ``python -m benchmarks gemm_pipeline`` (first run: libmathdx compiles, about a minute per
precision; then the disk cache). ``NVMATH_BENCH_PIPELINE_SWEEP=1`` also tries other tiles and
block sizes (a minute of compiles each, first time).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "kernels" / "gemm_pipeline.py"
SIZE = 8192
PRECISIONS = ("bfloat16", "float16", "float32")
# precision -> more (tile, block size) to try with NVMATH_BENCH_PIPELINE_SWEEP=1
SWEEP = {
    "bfloat16": [((128, 256, 64), 256), ((256, 128, 64), 256), ((128, 128, 32), 128)],
    "float16": [((128, 256, 64), 256), ((256, 128, 64), 256)],
    "float32": [((128, 128, 32), 128), ((128, 64, 32), 128)],
}


def _example():
    spec = importlib.util.spec_from_file_location("gemm_pipeline", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    from nvmath._gpu import gpu_count, no_gpu_reason

    if gpu_count() == 0:
        print(f"skipped: {no_gpu_reason()}")
        return
    example = _example()
    sweep = os.environ.get("NVMATH_BENCH_PIPELINE_SWEEP", "0") == "1"
    summary = []
    for precision in PRECISIONS:
        configs = [(None, None)] + (SWEEP[precision] if sweep else [])
        for tile, block_size in configs:
            ratio = example.compare_with_torch(SIZE, SIZE, SIZE, precision, tile, block_size)
            summary.append((precision, tile or example.CONFIGS[precision][0], block_size, ratio))
    print("summary (nvmath pipeline kernel throughput / torch.matmul):")
    for precision, tile, block_size, ratio in summary:
        print(f"  {precision:9s} tile {tile} block {block_size or 'default'}: {ratio:.1%}")


if __name__ == "__main__":
    main()
