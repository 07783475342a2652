"""A help-desk stand-in that survives SIGKILL, run as a script by test_delivery_crash.py.

Every POST is logged before it is acted on (`received <key>`), then applied once per
Idempotency-Key (`applied <key>`, 201) or refused as a duplicate (`duplicate <key>`, 409). Each
line is appended and fsynced before the answer, and applied keys are reloaded from the log on
start, so a restarted target still dedupes what an earlier run applied.

    python tests/bot/webhook_target.py --port 8123 --log events.log [--delay 0.01] [--die-after-apply 50]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def read_events(log: Path) -> list[tuple[str, str]]:
    """(event, key) of every complete line of the log; a line torn by SIGKILL is ignored."""
    if not log.exists():
        return []
    text = log.read_text(encoding="utf-8")
    lines = text.split("\n")[:-1]  # the part after the last newline was never finished
    return [(a, b) for a, _, b in (line.partition(" ") for line in lines)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds between applying and answering, when a killed worker misses the answer")
    parser.add_argument("--die-after-apply", type=int, default=0,
                        help="SIGKILL itself once this many requests were applied, before answering")
    args = parser.parse_args(argv)
    applied = {key for event, key in read_events(args.log) if event == "applied"}
    fd = os.open(args.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    lock = threading.Lock()
    applied_here = 0

    def append(event: str, key: str) -> None:
        os.write(fd, f"{event} {key}\n".encode())
        os.fsync(fd)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server naming
            nonlocal applied_here
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            key = self.headers.get("Idempotency-Key", "")
            try:
                valid = isinstance(json.loads(body), dict)
            except ValueError:
                valid = False
            if not key or not valid:
                self.answer(400, {"error": "need an Idempotency-Key and a JSON object"})
                return
            with lock:
                append("received", key)
                if key in applied:
                    append("duplicate", key)
                    status = 409
                else:
                    append("applied", key)
                    applied.add(key)
                    applied_here += 1
                    status = 201
                    if applied_here == args.die_after_apply:
                        # Applied and durable, but the worker never hears back: it must retry,
                        # and the retry must be deduped.
                        os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(args.delay)
            self.answer(status, {"key": key, "duplicate": status == 409})

        def answer(self, status: int, payload: dict[str, object]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever(poll_interval=0.05)


if __name__ == "__main__":
    main()
