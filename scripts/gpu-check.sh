#!/usr/bin/env bash
# The whole GPU check in one command: environment report, GPU tests, examples, benchmarks.
# Run on a GPU host from the repository root (after the wheel setup in CONTRIBUTING.md).
# Logs go to $OUT (or ./gpu-logs); a short summary is printed last.
set -u
LOGS=${OUT:-gpu-logs}
mkdir -p "$LOGS"
export NVMATH_CACHE_DIR=${NVMATH_CACHE_DIR:-/tmp/nvmath-gpu-check-cache}
export PYTHONUNBUFFERED=1
summary=()
step() {  # step NAME COMMAND...: run, log to $LOGS/NAME.log, remember the last line
    local name=$1; shift
    local start=$SECONDS
    "$@" >"$LOGS/$name.log" 2>&1
    local rc=$?
    summary+=("$(printf '%-14s rc=%-3s %4ss  %s' "$name" "$rc" "$((SECONDS - start))" "$(grep -v '^\s*$' "$LOGS/$name.log" | tail -n 1 | cut -c1-100)")")
}
step env python3 -m nvmath
step tests env NVMATH_CODEGEN_WORKERS=1 python3 -m pytest -q -p no:cacheprovider -n 12 -o addopts="" tests
step compile-time python3 -m pytest -q -s -p no:cacheprovider -o addopts="" tests/compile/test_extern.py -k warm_cache
step examples bash -c 'for e in examples/pipeline_demo.py examples/kernels/[a-z]*.py examples/fft/*.py examples/matmul/*.py; do echo "== $e"; python3 "$e" || echo "FAILED: $e"; done'
step benchmarks python3 -m benchmarks
grep -h "FAILED\|Error" "$LOGS/examples.log" | head -5
echo; printf '%s\n' "${summary[@]}"
