#!/usr/bin/env bash
# Create .venv and install faqbot into it. Usage: scripts/setup.sh [--test]
# --test adds the sentence-transformers backend and the test tools. torch is pinned first to the
# CPU wheel, so that pip never resolves a multi-GB CUDA build for sentence-transformers.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "${1:-}" = "--test" ]; then
  echo "==> installing torch==2.13.0 (CPU) and faqbot[st,test]" >&2
  .venv/bin/python -m pip install --progress-bar off "torch==2.13.0"
  .venv/bin/python -m pip install --progress-bar off -e ".[st,test]"
else
  echo "==> installing faqbot" >&2
  .venv/bin/python -m pip install --progress-bar off -e .
fi
