"""End to end: `faqbot index` a small multilingual KB, start `faqbot serve`, ask over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

FAQBOT = [sys.executable, "-m", "cli"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _HelpDesk(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], dict[str, object]]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), json.loads(body)))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def helpdesk() -> Iterator[tuple[str, list[tuple[dict[str, str], dict[str, object]]]]]:
    """A real HTTP server standing in for a help desk's ticket API."""
    received: list[tuple[dict[str, str], dict[str, object]]] = []
    handler = type("HelpDesk", (_HelpDesk,), {"received": received})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/tickets", received
    httpd.shutdown()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory,
           helpdesk: tuple[str, list[tuple[dict[str, str], dict[str, object]]]]) -> Iterator[str]:
    from tests.conftest import TINY_KB, write_kb

    root = tmp_path_factory.mktemp("e2e")
    kb = write_kb(root / "kb", TINY_KB)
    env = {**os.environ, "FAQBOT_CONFIG": str(root / "none.toml"),
           "FAQBOT_STORE_URL": f"sqlite:///{root}/store.db",
           "FAQBOT_WEBHOOKS": json.dumps([{"name": "desk", "url": helpdesk[0], "format": "generic"}])}
    done = subprocess.run([*FAQBOT, "index", str(kb), "--out", str(root / "index")], env=env,
                          capture_output=True, text=True, timeout=300, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    assert "Indexed" in done.stdout
    port = _free_port()
    proc = subprocess.Popen([*FAQBOT, "serve", "--index", str(root / "index"), "--port", str(port)],
                            env=env, cwd=Path(__file__).parent.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.parametrize(("question", "article", "lang"), [
    ("how long will shipping take and what does it cost", "shipping-costs", "en"),
    ("ลืมรหัสผ่าน ทำยังไงดี", "reset-password", "th"),
    ("kaua võtab raha tagastamine aega", "refund-timing", "et"),
    ("寄送要多久 運費多少", "shipping-costs", "zh-TW"),
])
def test_right_article_in_each_language(server: str, question: str, article: str, lang: str) -> None:
    r = requests.post(f"{server}/v1/answer", json={"question": question}, timeout=10)
    assert r.status_code == 200
    d = r.json()
    assert d["decision"] == "answered", d
    assert d["answer"]["article_id"] == article
    assert d["language"] == lang


def test_unrelated_question_is_not_answered(server: str) -> None:
    d = requests.post(f"{server}/v1/answer", json={"question": "who won the world cup in 1998"},
                      timeout=10).json()
    assert d["decision"] != "answered"
    assert d["answer"] is None


def test_bad_input_over_the_wire(server: str) -> None:
    r = requests.post(f"{server}/v1/answer", data="{nope", timeout=10,
                      headers={"Content-Type": "application/json"})
    message = r.json()["error"]["message"]
    assert r.status_code == 400 and message.startswith("request body is not valid JSON: Expecting property")


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "kb"
    bad.mkdir()
    (bad / "a.md").write_text("---\nid: a\nlang: xx\ntitle: A\n---\nbody")
    done = subprocess.run([*FAQBOT, "index", str(bad), "--out", str(tmp_path / "i")],
                          capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert "a.md:1: unknown language code 'xx'" in done.stderr
    done = subprocess.run([*FAQBOT, "ask", "hello", "--index", str(tmp_path / "none")],
                          capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert done.returncode == 1 and "no index here" in done.stderr


def test_escalation_reaches_the_help_desk(
        server: str, helpdesk: tuple[str, list[tuple[dict[str, str], dict[str, object]]]]) -> None:
    d = requests.post(f"{server}/v1/answer", timeout=10, json={
        "question": "I want to talk to a person", "contact": {"email": "jane@example.com"}}).json()
    assert d["decision"] == "escalated" and d["reason"] == "human_requested"
    escalation_id = d["escalation"]["escalation_id"]
    deadline = time.monotonic() + 30
    while not any(h.get("Idempotency-Key") == escalation_id for h, _ in helpdesk[1]):
        assert time.monotonic() < deadline, "the serve process's worker never delivered"
        time.sleep(0.2)
    body = next(b for h, b in helpdesk[1] if h.get("Idempotency-Key") == escalation_id)
    assert body["event"] == "escalation.created"
    assert body["escalation"]["contact"]["email"] == "jane@example.com"  # type: ignore[index]
