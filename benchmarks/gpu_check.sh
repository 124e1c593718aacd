#!/usr/bin/env bash
# GPU check for a machine with CuPy, torch and a CUDA GPU (installs nothing): the CuPy tests, then the
# GPU benchmark (engine on CuPy vs torch.nn.LSTM with cuDNN); the short table comes last.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
python - <<'PY'
import cupy, torch
print("cupy", cupy.__version__, "| devices:", cupy.cuda.runtime.getDeviceCount(),
      "| torch", torch.__version__, "| cuda:", torch.cuda.is_available())
PY
python -m pytest -q -rs tests/test_cupy_backend.py tests/test_cell_kernels.py
status=$?
python benchmarks/bench_gpu.py
exit $status
