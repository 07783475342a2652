#!/usr/bin/env bash
# One command from a fresh clone to the full test suite (and lint + type checks).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
