"""Acceptance test of crash-proof delivery: the worker and the help desk are SIGKILLed mid-run,
and every escalation still reaches the help desk and is applied there exactly once.

Both run as real processes: the worker is `DeliveryWorker.run_forever` on a SQLite store file,
configured through FAQBOT_* variables; the help desk is tests/bot/webhook_target.py, which logs
every request durably and dedupes by Idempotency-Key.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from bot.records import DEAD, DELIVERED, PENDING, Contact, Escalation, Turn
from bot.store import open_store
from bot.store.base import Store
from tests.bot.webhook_target import read_events

N = 200
TARGET = Path(__file__).with_name("webhook_target.py")
REPO = Path(__file__).resolve().parents[2]
WORKER = """
import logging, os, threading
from bot.delivery import DeliveryWorker
from bot.store import open_store
from kb.settings import load_settings
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
settings = load_settings(env=os.environ)
worker = DeliveryWorker(open_store(settings.store_url), settings, lease_margin=1.0)
worker.run_forever(threading.Event(), poll_seconds=0.1)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0, poll: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(poll)


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


def escalate_all(store: Store, rng: random.Random) -> list[str]:
    ids = []
    now = time.time()
    for n in range(N):
        sid = f"crash-{n}"
        turn = store.add_turn(Turn(sid, "customer", f"question {n}: where is my refund", now - 5, lang="en"))
        contact = rng.choice([Contact(), Contact(email=f"c{n}@example.com"), Contact(phone="+3725550000")])
        e = Escalation(escalation_id=f"{n:04d}{rng.getrandbits(32):08x}", session_id=sid,
                       reason="low_confidence", language="en", priority="normal", queue="general",
                       created_at=now - 1, transcript=(turn,), contact=contact)
        ids.append(store.add_escalation(e, ["desk"], deliver_at=now).escalation_id)
    return ids


class Processes:
    """Starts the target and worker processes, each with its output in a file; kills all at the end."""

    def __init__(self, root: Path, port: int, stack: ExitStack) -> None:
        self.root, self.port, self.stack = root, port, stack
        self.events = root / "events.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("FAQBOT_")}
        self.env.update({
            "PYTHONPATH": str(REPO),
            "FAQBOT_STORE_URL": f"sqlite:///{root / 'faqbot.db'}",
            "FAQBOT_WEBHOOKS": f'[{{"name": "desk", "url": "http://127.0.0.1:{port}/api/v2/tickets", '
                               f'"format": "zendesk", "secret": "s", "timeout_seconds": 2}}]',
            "FAQBOT_DELIVERY_MAX_ATTEMPTS": "30",
        })
        self.started = 0

    def _start(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        self.started += 1
        out = os.open(self.root / f"{self.started:02d}-{name}.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            proc = subprocess.Popen(args, cwd=self.root, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        finally:
            os.close(out)  # the child has its own copy
        self.stack.callback(proc.wait)
        self.stack.callback(proc.kill)  # callbacks run last-in first-out: kill, then reap
        return proc

    def target(self, *extra: str) -> subprocess.Popen[bytes]:
        proc = self._start([sys.executable, str(TARGET), "--port", str(self.port), "--log", str(self.events),
                            "--delay", "0.02", *extra], "target")
        wait_until(lambda: listening(self.port) or proc.poll() is not None, "the target to listen")
        assert proc.poll() is None, "the target did not start"
        return proc

    def worker(self) -> subprocess.Popen[bytes]:
        return self._start([sys.executable, "-c", WORKER], "worker")

    def count(self, event: str) -> int:
        return sum(e == event for e, _ in read_events(self.events))


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(10) == -signal.SIGKILL


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as s:
        yield s


@pytest.mark.slow
def test_sigkilled_worker_and_target_still_apply_every_escalation_once(tmp_path: Path,
                                                                       stack: ExitStack) -> None:
    procs = Processes(tmp_path, free_port(), stack)
    store = open_store(procs.env["FAQBOT_STORE_URL"])
    stack.callback(store.close)
    ids = escalate_all(store, random.Random(20261122))

    # The target kills itself right after durably applying its 120th request, before answering:
    # the worker never hears back and must retry a request the target already applied.
    target = procs.target("--die-after-apply", "120")
    worker = procs.worker()
    wait_until(lambda: procs.count("applied") >= 40, "40 applied requests", poll=0.002)
    kill(worker)  # mid-run, most likely while the target applied a POST and has not answered yet
    assert store.deliveries(status=PENDING), "the worker finished before it could be killed"

    worker = procs.worker()
    assert target.wait(60) == -signal.SIGKILL
    refused = lambda: any(d.last_error.startswith("cannot connect")  # noqa: E731
                          for d in store.deliveries(status=PENDING))
    wait_until(refused, "a failed attempt while the target is down")
    kill(worker)  # and the worker dies too while the target is down
    worker = procs.worker()
    time.sleep(1.0)
    target = procs.target()
    wait_until(lambda: procs.count("applied") >= 170, "170 applied requests")
    kill(target)  # killed from outside this time
    time.sleep(1.0)
    target = procs.target()

    wait_until(lambda: not store.deliveries(status=PENDING), "an empty outbox", timeout=180)
    kill(worker)
    kill(target)

    events = read_events(procs.events)
    received = Counter(k for e, k in events if e == "received")
    applied = Counter(k for e, k in events if e == "applied")
    duplicates = Counter(k for e, k in events if e == "duplicate")
    rows = store.deliveries()
    attempts = sum(d.attempts for d in rows)
    print(f"\nescalations {N}, received {received.total()}, applied {applied.total()}, "
          f"duplicates {duplicates.total()}, delivery attempts {attempts}")

    assert set(applied) == set(ids) and max(applied.values()) == 1  # each applied exactly once
    assert set(duplicates) <= set(applied)  # every duplicate was refused by its key
    assert duplicates.total() >= 1  # at least the request the target applied and then died on
    # A request the target logged but was killed before acting on: at most one per target kill.
    unhandled = received.total() - applied.total() - duplicates.total()
    assert 0 <= unhandled <= 2
    assert store.deliveries(status=DEAD) == []
    assert len(rows) == N and {d.status for d in rows} == {DELIVERED}
    assert attempts > N  # the outage forced retries
