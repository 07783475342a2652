"""Crash safety: `faqbot serve` is SIGKILLed while customers escalate and rate answers; after a
restart every escalation and every feedback the server acknowledged (2xx) is in the store, and
every session has the customer's message that escalated it and its escalation, or neither."""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bot.store import open_store
from tests.conftest import TINY_KB, write_kb
from tests.processes import faqbot_env, free_port, index_kb, running, wait_until

SERVE = [sys.executable, "-m", "cli", "serve"]
CLIENTS = 12


@dataclass
class _Acked:
    escalations: set[str] = field(default_factory=set)
    feedback: set[tuple[str, int]] = field(default_factory=set)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _customer(n: int, base: str, stop: threading.Event, acked: _Acked) -> None:
    rng = random.Random(n)
    http = requests.Session()
    turn = 0
    while not stop.is_set():
        kind = (turn + rng.randrange(3)) % 3
        turn += 1
        try:
            if kind == 0:  # "talk to a person": escalated by the bot itself
                r = http.post(f"{base}/v1/answer", timeout=10, json={"question": "talk to a person please"})
                if r.ok:
                    with acked.lock:
                        acked.escalations.add(r.json()["escalation"]["escalation_id"])
                continue
            r = http.post(f"{base}/v1/answer", timeout=10, json={"question": "forgot my password"})
            if not r.ok:
                raise requests.ConnectionError(f"answer: {r.status_code}")
            session_id, token = r.json()["session_id"], {"X-Session-Token": r.json()["session_token"]}
            if kind == 1:
                turn_id = int(r.json()["turn_id"])
                r = http.post(f"{base}/v1/feedback", timeout=10, headers=token,
                              json={"session_id": session_id, "turn_id": turn_id, "helpful": True, "csat": 5})
                if r.ok:
                    with acked.lock:
                        acked.feedback.add((session_id, turn_id))
            else:
                r = http.post(f"{base}/v1/handoff", timeout=10, headers=token,
                              json={"session_id": session_id, "name": "Ann", "email": "ann@example.com",
                                    "message": "please call me"})
                if r.status_code == 201:
                    with acked.lock:
                        acked.escalations.add(r.json()["escalation"]["escalation_id"])
        except (requests.RequestException, ValueError):
            with acked.lock:
                acked.failures += 1
            time.sleep(0.05)


def test_kill_9_loses_nothing_acknowledged(tmp_path: Path) -> None:
    port = free_port()
    env = faqbot_env(tmp_path, port)
    index_kb(write_kb(tmp_path / "kb", TINY_KB), env)
    base, log = f"http://127.0.0.1:{port}", tmp_path / "serve.log"
    acked, stop = _Acked(), threading.Event()
    with running([*SERVE], env, port, log) as proc:
        threads = [threading.Thread(target=_customer, args=(n, base, stop, acked)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        wait_until(lambda: len(acked.escalations) >= 60 and len(acked.feedback) >= 30, 120,
                   "acknowledged escalations and feedback")
        failures_before = acked.failures
        os.kill(proc.pid, signal.SIGKILL)  # mid-run: CLIENTS requests are in flight
        proc.wait(10)
        wait_until(lambda: acked.failures >= failures_before + CLIENTS, 30, "clients to notice")
        stop.set()
        for t in threads:
            t.join(30)
    escalations, feedback = set(acked.escalations), set(acked.feedback)
    # A restarted server opens the same store and serves (SQLite recovers its WAL).
    with running([*SERVE], env, port, log):
        assert requests.post(f"{base}/v1/answer", json={"question": "forgot my password"},
                             timeout=30).status_code == 200
        store = open_store(env["FAQBOT_STORE_URL"])
        try:
            missing = [e for e in sorted(escalations) if store.escalation(e) is None]
            stored = {(f.session_id, f.turn_id) for f in store.feedback()}
            escalated = {e.session_id for e in store.escalations(limit=10**6)}
            asked = {t.session_id for t in store.turns() if t.role == "customer"
                     and (t.text == "talk to a person please" or t.reason == "handoff_form")}
        finally:
            store.close()
    assert not missing, f"{len(missing)} of {len(escalations)} acknowledged escalations lost"
    assert feedback <= stored, f"{len(feedback - stored)} of {len(feedback)} acknowledged feedback lost"
    # One transaction: a message that asked for a person and its escalation, or neither.
    assert asked == escalated, (f"{len(asked - escalated)} requests without their escalation, "
                                f"{len(escalated - asked)} escalations without the request")
