#!/usr/bin/env bash
# Create .venv and install faqbot into it, exactly the versions in requirements/ (with their hashes).
# Usage: scripts/setup.sh [--test]
#   (none)  the base install: requirements/base.txt
#   --test  + the sentence-transformers backend (torch 2.13.0, CPU build), the PostgreSQL and Redis
#           drivers and the test tools: requirements/lock.txt
# One line per step and pip's progress; pip's full output goes to .venv/setup.log and is printed
# whole when a step fails. FAQBOT_VERBOSE=1 shows everything as it happens.
# The lock files come from pyproject.toml through `bash scripts/lock.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
LOCK=requirements/base.txt
WHAT="faqbot"
if [ "${1:-}" = "--test" ]; then
  LOCK=requirements/lock.txt
  WHAT="faqbot[st,postgres,redis,test] with torch 2.13.0 (CPU)"
fi
LOG=.venv/setup.log
started=$SECONDS

# Run a step with its output in $LOG (shown whole if it fails, or live with FAQBOT_VERBOSE=1).
quietly() {
  if [ "${FAQBOT_VERBOSE:-0}" = 1 ]; then
    "$@" 2>&1 | tee -a "$LOG"
    return "${PIPESTATUS[0]}"
  fi
  if ! "$@" >>"$LOG" 2>&1; then
    echo "!! failed: $*  (full output below, also in $LOG)" >&2
    cat "$LOG" >&2
    return 1
  fi
}

# pip installing a lock file, with one progress line (rewritten in place on a terminal) instead of
# pip's line per package; everything pip says still lands in $LOG.
with_progress() {
  local total=$1
  shift
  if [ "${FAQBOT_VERBOSE:-0}" = 1 ]; then
    quietly "$@"
    return
  fi
  local tty=0
  [ -t 2 ] && tty=1
  set +e
  "$@" 2>&1 | tee -a "$LOG" | awk -v total="$total" -v tty="$tty" '
    /^Requirement already satisfied/ { same++ }
    /^Collecting / || /^Processing .*\(from -r/ || /^Requirement already satisfied/ {
      n++; if ($1 == "Requirement") $2 = $4; name = $2; sub(/.*\//, "", name); sub(/(==|-[0-9]).*/, "", name)
      if (tty) printf "\r    %d/%d %-50s", n, total, name > "/dev/stderr"
      else if (n % 25 == 0 || n == total) printf "    %d/%d packages found\n", n, total > "/dev/stderr" }
    /^ *Downloading .*\)$/ { size = $(NF - 1); unit = $NF; gsub(/[()]/, "", size); gsub(/[()]/, "", unit)
                             mb += size * (unit == "GB" ? 1024 : unit == "MB" ? 1 : unit == "kB" ? 1 / 1024 : 0) }
    /^Installing collected packages/ { if (tty) printf "\r%-60s\r", "" > "/dev/stderr"
                                       printf "    installing (%.0f MB downloaded)\n", mb > "/dev/stderr" }
    /^Successfully installed/ { printf "    installed %d packages\n", NF - 2 > "/dev/stderr" }
    END { if (tty) printf "\r%-60s\r", "" > "/dev/stderr"
          if (same == n && n > 0) printf "    all %d packages already installed\n", n > "/dev/stderr" }'
  local rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" != 0 ]; then
    echo "!! failed: $*  (full output below, also in $LOG)" >&2
    cat "$LOG" >&2
    return "$rc"
  fi
}

if [ ! -x .venv/bin/python ]; then
  echo "==> [1/4] creating .venv with $("$PY" --version)" >&2
  "$PY" -m venv .venv
else
  echo "==> [1/4] using .venv ($(.venv/bin/python --version))" >&2
fi
: >"$LOG"
PIP=(.venv/bin/python -m pip --disable-pip-version-check)
echo "==> [2/4] pip and setuptools from requirements/build.txt" >&2
quietly "${PIP[@]}" install --quiet --require-hashes -r requirements/build.txt
packages=$(grep -c '^[A-Za-z0-9]' "$LOCK")
echo "==> [3/4] $packages locked packages for $WHAT from $LOCK" >&2
with_progress "$packages" "${PIP[@]}" install --progress-bar off --require-hashes -r "$LOCK"
echo "==> [4/4] faqbot itself (editable)" >&2
quietly "${PIP[@]}" install --quiet --no-deps --no-build-isolation -e .
echo "==> ready in $((SECONDS - started)) s: .venv ($LOG has pip's full output)" >&2
