#!/usr/bin/env bash
# Regenerate the lock files in requirements/ from pyproject.toml, for CPython 3.11 on Linux x86_64:
#   lock.txt   the base install + the st, postgres, redis and test extras (scripts/test.sh installs it)
#   base.txt   the base install alone (scripts/demo.sh), the same versions as lock.txt
#   build.txt  pip and the build backend for the editable install of faqbot itself
#   pylock.toml (repository root) lock.txt's versions in the standard PEP 751 format, for other tools
# Every line carries its hashes; pip installs them with --require-hashes. Run it after changing a
# dependency in pyproject.toml (tests/test_lock.py fails until you do), then commit requirements/.
# torch is locked to the CPU build (2.13.0+cpu), found in TORCH_WHEELS (default /opt/wheels, where
# this machine keeps it); elsewhere point it at https://download.pytorch.org/whl/cpu.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
TOOL="${FAQBOT_TOOL_CACHE:-$HOME/.cache/faqbot}/uv-$UV_VERSION"
if [ ! -x "$TOOL/bin/uv" ]; then
  echo "==> installing uv $UV_VERSION into $TOOL" >&2
  python3 -m venv "$TOOL"
  "$TOOL/bin/python" -m pip install --quiet "uv==$UV_VERSION"
fi
TORCH_WHEELS=${TORCH_WHEELS:-/opt/wheels}
case "$TORCH_WHEELS" in http*) torch_source=(--extra-index-url "$TORCH_WHEELS") ;;
                       *) torch_source=(--find-links "$TORCH_WHEELS") ;; esac
compile=("$TOOL/bin/uv" pip compile --quiet --python-version 3.11 --python-platform x86_64-manylinux_2_28
         --generate-hashes --custom-compile-command "bash scripts/lock.sh")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "torch==2.13.0+cpu" > "$tmp/torch.txt"
echo "==> requirements/lock.txt (base + st, postgres, redis, test)" >&2
"${compile[@]}" "${torch_source[@]}" pyproject.toml --extra st --extra postgres --extra redis --extra test \
  -c "$tmp/torch.txt" -o requirements/lock.txt
echo "==> requirements/base.txt (base install, versions from lock.txt)" >&2
"${compile[@]}" pyproject.toml -c requirements/lock.txt -o requirements/base.txt
echo "==> pylock.toml (PEP 751: lock.txt's versions)" >&2
"${compile[@]}" "${torch_source[@]}" pyproject.toml --extra st --extra postgres --extra redis --extra test \
  -c requirements/lock.txt --format pylock.toml -o pylock.toml
echo "==> requirements/build.txt (pip and pyproject's [build-system] requires)" >&2
python3 - > "$tmp/build.in" <<'PY'
import tomllib
print("pip")
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))
PY
"${compile[@]}" "$tmp/build.in" -o requirements/build.txt
sed -i "s|$tmp/build.in|pyproject.toml [build-system]|; s|-c $tmp/torch.txt|torch==2.13.0+cpu (scripts/lock.sh)|" \
  requirements/*.txt
echo "==> $(grep -c '^[a-z0-9]' requirements/lock.txt) packages locked; commit requirements/ and pylock.toml" >&2
