"""gunicorn (`gunicorn -c server/gunicorn.conf.py server.wsgi:app`, 2 gthread workers) over one memory-mapped
index: questions answered, one delivery process per deployment, SIGHUP reloads every worker."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.conftest import TINY_KB, write_kb
from tests.processes import faqbot_env, free_port, index_kb, running, wait_until
from tests.server.test_reindex import refused_and_still_serving, reindex_under_load

GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "server/gunicorn.conf.py", "server.wsgi:app"]


class _HelpDesk(BaseHTTPRequestHandler):
    received: list[dict[str, object]]

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append({"key": self.headers["Idempotency-Key"], "body": json.loads(body)})
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def helpdesk() -> Iterator[tuple[str, list[dict[str, object]]]]:
    received: list[dict[str, object]] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), type("Desk", (_HelpDesk,), {"received": received}))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/tickets", received
    httpd.shutdown()


@pytest.fixture
def gunicorn(tmp_path: Path, helpdesk: tuple[str, list[dict[str, object]]]
             ) -> Iterator[tuple[Path, dict[str, str], str, Path, int]]:
    """(kb, env, base URL, log, master pid) of a running 2-worker gunicorn."""
    port = free_port()
    env = faqbot_env(tmp_path, port, FAQBOT_WORKERS="2", FAQBOT_THREADS="4",
                     FAQBOT_WEBHOOKS=json.dumps([{"name": "desk", "url": helpdesk[0], "format": "generic"}]))
    kb = write_kb(tmp_path / "kb", TINY_KB)
    index_kb(kb, env)
    log = tmp_path / "gunicorn.log"
    with running(GUNICORN, env, port, log) as proc:
        # Both workers booted (the first healthy answer may come before the second is up).
        wait_until(lambda: len(_children(proc.pid)) == 3, 60, "two workers and the delivery process")
        yield kb, env, f"http://127.0.0.1:{port}", log, proc.pid


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in path.read_text().split()] if path.exists() else []


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


@pytest.mark.parametrize(("question", "article"), [
    ("forgot my password", "reset-password"), ("ลืมรหัสผ่านทำไงดี", "reset-password"),
    ("運費多少錢", "shipping-costs"), ("kaua tagasimakse aega võtab", "refund-timing")])
def test_workers_answer_questions(gunicorn: tuple[Path, dict[str, str], str, Path, int],
                                  question: str, article: str) -> None:
    _, _, base, _, _ = gunicorn
    for _ in range(4):  # the kernel spreads connections over both workers
        r = requests.post(f"{base}/v1/answer", json={"question": question}, timeout=30)
        assert r.status_code == 200, r.text
        assert r.json()["answer"]["article_id"] == article


def test_workers_serve_the_console(gunicorn: tuple[Path, dict[str, str], str, Path, int]) -> None:
    _, _, base, _, _ = gunicorn
    r = requests.get(f"{base}/console", timeout=30, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/console/sign-in")
    page = requests.get(f"{base}/console/sign-in", timeout=30)
    assert page.status_code == 200 and 'name="key"' in page.text
    assert requests.get(f"{base}/console/static/console.js", timeout=30).status_code == 200


def test_workers_share_one_mapped_index_and_one_delivery_process(
        gunicorn: tuple[Path, dict[str, str], str, Path, int],
        helpdesk: tuple[str, list[dict[str, object]]]) -> None:
    _, env, base, _, master = gunicorn
    children = _children(master)
    deliver = [p for p in children if "cli deliver" in _cmdline(p)]
    workers = [p for p in children if p not in deliver]
    assert len(deliver) == 1 and len(workers) == 2
    vectors = str(Path(env["FAQBOT_INDEX_DIR"]).resolve() / "vectors.faiss")
    for pid in workers:
        maps = Path(f"/proc/{pid}/maps").read_text()
        assert vectors in maps and "classifier.npz" in maps and "bm25.npz" in maps
    # An escalation reaches the help desk exactly once, from the one delivery process.
    r = requests.post(f"{base}/v1/answer", json={"question": "talk to a person"}, timeout=30)
    escalation_id = r.json()["escalation"]["escalation_id"]
    received = helpdesk[1]
    wait_until(lambda: any(x["key"] == escalation_id for x in received), 60, "the webhook")
    assert [x["key"] for x in received] == [escalation_id]


def test_sighup_to_master_reloads_every_worker_under_load(
        gunicorn: tuple[Path, dict[str, str], str, Path, int]) -> None:
    kb, env, base, log, master = gunicorn
    workers_before = set(_children(master))
    result = reindex_under_load(base, kb, env, lambda: os.kill(master, signal.SIGHUP))
    assert result.errors == 0, result.error_kinds
    assert result.requests > 0
    wait_until(lambda: log.read_text(errors="replace").count("reload: now serving index") >= 2, 30,
               "both workers to reload")
    versions = {requests.get(f"{base}/healthz", timeout=5).json()["index_version"] for _ in range(10)}
    assert versions == {Path(env["FAQBOT_INDEX_DIR"]).resolve().name}
    assert set(_children(master)) == workers_before  # reloaded in place, no worker restarted


def test_broken_index_is_refused_by_every_worker(
        gunicorn: tuple[Path, dict[str, str], str, Path, int]) -> None:
    kb, env, base, log, master = gunicorn
    refused_and_still_serving(base, kb, env, log, "truncated_vectors",
                              lambda: os.kill(master, signal.SIGHUP), n_refusals=2)
    assert len(_children(master)) == 3


LIMIT = 6


def test_two_workers_admit_the_limit_once_not_per_worker(tmp_path: Path) -> None:
    """With the counts in Redis, 2 workers × limit L admit L requests of one client, not 2L; and
    the client behind the one trusted proxy is its own, whatever X-Forwarded-For it rotates."""
    from tests.processes import redis_server

    port = free_port()
    with redis_server(tmp_path) as redis_url:
        env = faqbot_env(tmp_path, port, FAQBOT_WORKERS="2", FAQBOT_THREADS="2",
                         FAQBOT_RATE_LIMIT_PER_MINUTE=str(LIMIT), FAQBOT_RATE_LIMIT_BURST=str(LIMIT),
                         FAQBOT_RATE_LIMIT_STORAGE=redis_url, FAQBOT_TRUSTED_PROXIES="1",
                         FAQBOT_DELIVERY_IN_MASTER="0")
        index_kb(write_kb(tmp_path / "kb", TINY_KB), env)
        with running(GUNICORN, env, port, tmp_path / "gunicorn.log") as proc:
            wait_until(lambda: len(_children(proc.pid)) == 2, 60, "two workers")
            statuses = []
            for i in range(3 * LIMIT):
                # A new connection each time, so the kernel spreads them over both workers.
                r = requests.post(f"http://127.0.0.1:{port}/v1/search", json={"query": "refund"},
                                  headers={"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.9",
                                           "Connection": "close"}, timeout=30)
                statuses.append(r.status_code)
            assert statuses.count(200) == LIMIT and statuses.count(429) == 2 * LIMIT, statuses
            other = requests.post(f"http://127.0.0.1:{port}/v1/search", json={"query": "refund"},
                                  headers={"X-Forwarded-For": "203.0.113.10"}, timeout=30)
            assert other.status_code == 200  # another customer behind the same proxy
