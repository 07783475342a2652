#!/usr/bin/env bash
# One command from a fresh clone to the full test suite (and lint + type checks).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
APT_LOG=.venv/apt.log

# Debian packages the tests need, installed once: one line, apt's output shown only if it fails.
apt_install() {
  local why=$1
  shift
  echo "==> installing Debian $* ($why)" >&2
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"; } \
      >"$APT_LOG" 2>&1; then
    echo "!! apt-get failed (full output below, also in $APT_LOG)" >&2
    cat "$APT_LOG" >&2
    exit 1
  fi
}

# Browser tests (HTML report, widget) drive Debian's Chromium; never `playwright install`.
[ -x /usr/bin/chromium ] || apt_install "browser tests" chromium
# The store tests run the same suite against a real PostgreSQL server they start themselves.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install "store tests" postgresql
# Shared rate limits are tested against a real Redis server the tests start themselves.
[ -x /usr/bin/redis-server ] || apt_install "rate-limit tests" redis-server
# The email channel is tested against a real IMAP server (Dovecot) the tests start themselves.
[ -x /usr/sbin/dovecot ] || apt_install "email channel tests" dovecot-imapd
# Headless Chromium needs Thai and CJK fonts for the widget tests and screenshots.
# (no `fc-list | grep -q`: grep's early exit fails the pipe under pipefail, reinstalling every run)
if [ -z "$(fc-list :lang=th 2>/dev/null)" ] || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  apt_install "Thai and CJK text in the browser" fonts-thai-tlwg fonts-noto-cjk
fi
# axe-core (accessibility checks) comes from npm, pinned, when tests/web first needs it.
export FAQBOT_REQUIRE_BROWSER=1 FAQBOT_REQUIRE_POSTGRES=1 FAQBOT_REQUIRE_REDIS=1 FAQBOT_REQUIRE_DOVECOT=1
echo "==> ruff" >&2
.venv/bin/ruff check .
echo "==> mypy" >&2
.venv/bin/mypy
echo "==> pytest" >&2
exec .venv/bin/python -m pytest "$@"
