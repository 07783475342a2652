#!/usr/bin/env bash
# One command from a fresh clone to the full test suite (and lint + type checks).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# Browser tests (HTML report, widget) drive Debian's Chromium; never `playwright install`.
if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian chromium for the browser tests" >&2
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
# The store tests run the same suite against a real PostgreSQL server they start themselves.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "==> installing Debian postgresql for the store tests" >&2
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
# Headless Chromium needs Thai and CJK fonts for the widget tests and screenshots.
if ! fc-list :lang=th 2>/dev/null | grep -q . || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "==> installing Thai and CJK fonts for the browser tests" >&2
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    $SUDO apt-get install -y -qq fonts-thai-tlwg fonts-noto-cjk >/dev/null
fi
# axe-core (accessibility checks) from npm, into a cache outside the repo.
AXE_DIR="${FAQBOT_NPM_CACHE:-$HOME/.cache/faqbot-test/npm}"
[ -f "$AXE_DIR/node_modules/axe-core/axe.min.js" ] || npm install --silent --prefix "$AXE_DIR" axe-core@4 >/dev/null
export FAQBOT_REQUIRE_BROWSER=1 FAQBOT_REQUIRE_POSTGRES=1
.venv/bin/ruff check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
