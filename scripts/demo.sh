#!/usr/bin/env bash
# One command from a fresh clone to a running demo: install, index articles/, serve on :8000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "==> indexing the demo knowledge base (articles/)" >&2
.venv/bin/faqbot index articles --out var/index
# An agent key for trying the agent API (/v1/agent/*); created once, kept in var/agent-key.txt
# (readable by this user only, never printed: a key in a terminal log is a key in the wild).
umask 077
if [ ! -s var/agent-key.txt ]; then
  .venv/bin/faqbot keys create --role agent --name "Demo agent" > var/agent-key.txt 2>/dev/null
fi
echo "==> an agent API key is in var/agent-key.txt" >&2
echo "==> open http://127.0.0.1:${PORT:-8000}  (API: POST /v1/answer, /v1/search; Ctrl-C stops)" >&2
exec .venv/bin/faqbot serve --index var/index --port "${PORT:-8000}" --dev
