"""The webhook worker against real HTTP servers and the real SQLite store."""

from __future__ import annotations

import json
import logging
import random
import socket
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.delivery import (
    DEAD,
    DELIVERED,
    RETRY,
    Backoff,
    DeliveryWorker,
    classify,
    retry_after_seconds,
    start_background,
)
from bot.records import DEAD as DEAD_ROW
from bot.records import DELIVERED as DELIVERED_ROW
from bot.records import PENDING, Candidate, Contact, Delivery, Escalation, Turn
from bot.store import open_store
from bot.store.base import Store
from bot.webhooks import payload_for, verify
from kb.handoff import WebhookConfig
from kb.settings import Settings

T = 1_800_000_000.0
SECRET = "hook-secret"
CUSTOMER_TEXT = "ขอคืนเงิน order 1234"
ANN = Contact(name="Ann", email="ann@example.com")


@dataclass
class Reply:
    status: int = 201
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"ticket": {"id": 1}}'
    delay: float = 0.0


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


class Target:
    """A help desk on 127.0.0.1 that answers with queued replies (then `default`) and records
    every request."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.default = Reply()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with target.lock:
                    target.received.append(Received(dict(self.headers.items()), body))
                    reply = target.replies.pop(0) if target.replies else target.default
                time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:  # the worker gave up waiting
                    pass

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2/tickets"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def keys(self) -> list[str]:
        with self.lock:
            return [r.headers["Idempotency-Key"] for r in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def target() -> Iterator[Target]:
    t = Target()
    yield t
    t.close()


def settings_for(*hooks: WebhookConfig, max_attempts: int = 8) -> Settings:
    return Settings(webhooks=hooks, delivery_max_attempts=max_attempts)


def hook(target: Target, fmt: str = "generic", name: str = "desk", **changes: object) -> WebhookConfig:
    base = WebhookConfig(name=name, url=target.url, format=fmt, secret=SECRET, timeout_seconds=5.0)
    return replace(base, **changes)  # type: ignore[arg-type]


def escalate(store: Store, n: int = 0, targets: tuple[str, ...] = ("desk",),
             contact: Contact = ANN,
             deliver_at: float = T) -> Escalation:
    sid = f"s{n}"
    turn = store.add_turn(Turn(sid, "customer", CUSTOMER_TEXT, T - 10, lang="th"))
    e = Escalation(escalation_id=f"esc{n:04d}", session_id=sid, reason="low_confidence", language="th",
                   priority="normal", queue="general", created_at=T - 5, transcript=(turn,),
                   candidates=(Candidate("refund-timing", "Refunds", 0.4),), contact=contact)
    return store.add_escalation(e, targets, deliver_at=deliver_at)


def only(store: Store, escalation_id: str = "esc0000") -> Delivery:
    rows = store.deliveries(escalation_id=escalation_id)
    assert len(rows) == 1
    return rows[0]


def worker(store: Store, *hooks: WebhookConfig, seed: int = 7, max_attempts: int = 8) -> DeliveryWorker:
    return DeliveryWorker(store, settings_for(*hooks, max_attempts=max_attempts), rng=random.Random(seed))


@pytest.mark.parametrize("fmt", ["generic", "zendesk", "freshdesk"])
def test_delivers_each_format_signed_with_the_stored_record(store: Store, target: Target, fmt: str) -> None:
    escalate(store, contact=Contact())
    # The customer's handoff form arrives after the escalation was created, before delivery.
    store.update_escalation("esc0000", contact=Contact(name="Late", email="late@example.com"))
    assert worker(store, hook(target, fmt)).run_once(now=T) == 1
    [req] = target.received
    assert req.headers["Idempotency-Key"] == "esc0000"
    assert req.headers["Content-Type"] == "application/json"
    assert verify(SECRET, req.body, req.headers["X-Faqbot-Signature"])
    stored = store.escalation("esc0000")
    assert stored is not None
    assert json.loads(req.body) == json.loads(json.dumps(payload_for(fmt, stored)))
    assert "late@example.com" in req.body.decode("utf-8")
    d = only(store)
    assert (d.status, d.delivered_at) == (DELIVERED_ROW, T)


def test_nothing_due_before_deliver_at(store: Store, target: Target) -> None:
    escalate(store)
    assert worker(store, hook(target)).run_once(now=T - 1) == 0
    assert target.received == [] and only(store).status == PENDING


def test_retries_after_500_with_exponential_backoff(store: Store, target: Target) -> None:
    escalate(store)
    target.replies = [Reply(500), Reply(502)]
    w = worker(store, hook(target), seed=3)
    rng = random.Random(3)
    d1, d2 = Backoff().delay(1, rng), Backoff().delay(2, rng)
    assert 1.6 <= d1 <= 2.4 and 3.2 <= d2 <= 4.8
    assert w.run_once(now=T) == 1
    first = only(store)
    assert (first.status, first.attempts, first.last_error) == (PENDING, 1, "HTTP 500")
    assert first.next_at == pytest.approx(T + d1)
    assert w.run_once(now=T + d1 - 0.01) == 0
    assert w.run_once(now=T + d1) == 1
    second = only(store)
    assert (second.attempts, second.last_error) == (2, "HTTP 502")
    assert second.next_at == pytest.approx(T + d1 + d2)
    assert w.run_once(now=T + d1 + d2) == 1
    assert only(store).status == DELIVERED_ROW
    assert target.keys() == ["esc0000"] * 3


@pytest.mark.parametrize("status,retry_after,delay", [
    (503, "120", 120.0),
    (429, formatdate(T + 300, usegmt=True), 300.0),
    (429, "86400", 3600.0),  # capped: a target asking for a day is still tried hourly
])
def test_honours_retry_after(store: Store, target: Target, status: int, retry_after: str,
                             delay: float) -> None:
    escalate(store)
    target.replies = [Reply(status, {"Retry-After": retry_after})]
    worker(store, hook(target)).run_once(now=T)
    d = only(store)
    assert (d.status, d.next_at) == (PENDING, pytest.approx(T + delay))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_dead_at_once(store: Store, target: Target, status: int) -> None:
    escalate(store)
    target.replies = [Reply(status, body=b'{"error": "RecordInvalid",\n "details": "requester"}')]
    worker(store, hook(target)).run_once(now=T)
    d = only(store)
    assert (d.status, d.attempts) == (DEAD_ROW, 1)
    assert d.last_error == f'HTTP {status}: {{"error": "RecordInvalid", "details": "requester"}}'


def test_redirect_is_dead_not_followed(store: Store, target: Target) -> None:
    escalate(store)
    target.replies = [Reply(301, {"Location": "https://moved.example/hook"})]
    worker(store, hook(target)).run_once(now=T)
    assert len(target.received) == 1
    assert only(store).status == DEAD_ROW
    assert "redirect to https://moved.example/hook" in only(store).last_error


def test_409_means_the_target_already_has_it(store: Store, target: Target) -> None:
    escalate(store)
    target.replies = [Reply(409, body=b'{"error": "IdempotencyConflict"}')]
    worker(store, hook(target)).run_once(now=T)
    assert only(store).status == DELIVERED_ROW


def test_gives_up_after_max_attempts_then_retry_dead_delivers(store: Store, target: Target) -> None:
    escalate(store)
    target.default = Reply(500)
    w = worker(store, hook(target), max_attempts=3)
    now = T
    for _ in range(3):
        assert w.run_once(now=now) == 1
        now = max(now, only(store).next_at)
    d = only(store)
    assert (d.status, d.attempts) == (DEAD_ROW, 3)
    assert d.last_error == "HTTP 500 (gave up after 3 attempts)"
    assert w.run_once(now=now + 3600) == 0  # dead letters wait for an operator
    target.default = Reply(201)
    store.retry_dead(d.delivery_id, now + 3600)
    assert w.run_once(now=now + 3600) == 1
    assert only(store).status == DELIVERED_ROW
    assert target.keys() == ["esc0000"] * 4


def test_slow_target_beyond_timeout_is_retried(store: Store, target: Target) -> None:
    escalate(store)
    target.replies = [Reply(201, delay=1.5)]
    w = worker(store, hook(target, timeout_seconds=0.3))
    w.run_once(now=T)
    d = only(store)
    assert (d.status, d.attempts) == (PENDING, 1)
    assert d.last_error in ("no answer within 0.3 s", "cannot connect: timed out")
    w.run_once(now=d.next_at)
    assert only(store).status == DELIVERED_ROW
    assert target.keys() == ["esc0000", "esc0000"]  # the target dedupes by the key


def test_unreachable_target_is_retried(store: Store) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    escalate(store)
    down = WebhookConfig(name="desk", url=f"http://127.0.0.1:{port}/hook")
    DeliveryWorker(store, settings_for(down)).run_once(now=T)
    d = only(store)
    assert (d.status, d.attempts) == (PENDING, 1)
    assert d.last_error.startswith("cannot connect: ")


def test_header_urllib_cannot_send_is_dead(store: Store, target: Target) -> None:
    escalate(store)
    worker(store, hook(target, headers={"Authorization": "Bearer \u2019token"})).run_once(now=T)
    d = only(store)
    assert d.status == DEAD_ROW and d.last_error.startswith("cannot send the request: UnicodeEncodeError")
    assert target.received == []


def test_session_erased_during_a_try_is_dropped(store: Store, target: Target) -> None:
    escalate(store)
    [leased] = store.lease_deliveries(T, 60.0, 1)
    assert store.delete_session("s0")["deliveries"] == 1
    assert worker(store, hook(target)).deliver(leased, now=T) == DEAD
    assert store.deliveries() == [] and target.received == []


def test_webhook_removed_from_settings_is_dead(store: Store, target: Target) -> None:
    escalate(store, targets=("old-desk",))
    worker(store, hook(target)).run_once(now=T)
    d = only(store)
    assert d.status == DEAD_ROW
    assert "webhook 'old-desk' is not configured" in d.last_error
    assert target.received == []


def test_each_webhook_gets_its_own_delivery(store: Store, target: Target) -> None:
    escalate(store, targets=("zd", "fd"))
    w = worker(store, hook(target, "zendesk", name="zd"), hook(target, "freshdesk", name="fd"))
    assert w.run_once(now=T) == 2
    bodies = {r.headers["X-Faqbot-Delivery"]: json.loads(r.body) for r in target.received}
    assert set(bodies) == {"zd:esc0000", "fd:esc0000"}
    assert "ticket" in bodies["zd:esc0000"] and "description" in bodies["fd:esc0000"]
    assert {d.status for d in store.deliveries()} == {DELIVERED_ROW}


def test_logs_outcomes_without_customer_text(store: Store, target: Target,
                                            caplog: pytest.LogCaptureFixture) -> None:
    escalate(store, 0)
    escalate(store, 1)
    # Help desks' validation errors may quote what they were sent.
    target.replies = [Reply(500, body=b"busy: Ann"),
                      Reply(400, body=b'{"email": "ann@example.com is taken"}')]
    with caplog.at_level(logging.DEBUG, logger="bot.delivery"):
        worker(store, hook(target, "zendesk")).run_once(now=T)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "esc0000" in text and "esc0001" in text and "dead letter" in text and "retry in" in text
    for secret in (CUSTOMER_TEXT, "ขอคืนเงิน", "ann@example.com", "Ann"):
        assert secret not in text
    errors = sorted(d.last_error for d in store.deliveries())
    assert errors == ['HTTP 400: {"email": "ann@example.com is taken"}', "HTTP 500"]  # 5xx bodies: noise


def test_two_workers_in_parallel_deliver_each_escalation_once(tmp_path: Path, target: Target) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    setup = open_store(url)
    ids = [escalate(setup, n).escalation_id for n in range(60)]
    target.default = Reply(201, delay=0.005)
    counts: list[int] = []
    start = threading.Barrier(2)

    def work() -> None:
        s = open_store(url)
        w = worker(s, hook(target))
        start.wait()
        done = 0
        while n := w.run_once(now=T):
            done += n
        counts.append(done)
        s.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(Counter(target.keys()).items()) == [(i, 1) for i in ids]
    assert sum(counts) == 60 and min(counts) > 0
    assert {d.status for d in setup.deliveries()} == {DELIVERED_ROW}
    setup.close()


def test_run_forever_survives_a_broken_store(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "broken.db"
    s = open_store(f"sqlite:///{db}")
    with sqlite3.connect(db) as raw:  # someone dropped the outbox under the running worker
        raw.execute("DROP TABLE deliveries")
    stop = threading.Event()
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            stop.set()

    w = DeliveryWorker(s, Settings(), sleep=sleep)
    with caplog.at_level(logging.ERROR, logger="bot.delivery"):
        w.run_forever(stop, poll_seconds=0.5)
    assert waits == [0.5, 0.5, 0.5]
    assert sum("delivery pass failed" in r.getMessage() for r in caplog.records) == 3
    s.close()


def test_background_thread_delivers_and_stops(store: Store, target: Target) -> None:
    escalate(store, 0, deliver_at=time.time())  # the thread reads the real clock
    escalate(store, 1, deliver_at=time.time())
    thread, stop = start_background(store, settings_for(hook(target)), poll_seconds=0.05)
    deadline = time.monotonic() + 30
    while store.deliveries(status=PENDING) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(10)
    assert not thread.is_alive()
    assert sorted(target.keys()) == ["esc0000", "esc0001"]


@pytest.mark.parametrize("attempt,low,high", [(1, 1.6, 2.4), (2, 3.2, 4.8), (5, 25.6, 38.4),
                                              (9, 409.6, 614.4), (10, 480.0, 720.0), (40, 480.0, 720.0)])
def test_backoff_grows_to_the_cap_with_jitter(attempt: int, low: float, high: float) -> None:
    rng = random.Random(11)
    delays = [Backoff().delay(attempt, rng) for _ in range(200)]
    assert low <= min(delays) < max(delays) <= high
    assert delays == [Backoff().delay(attempt, r) for r in [random.Random(11)] for _ in range(200)]


@pytest.mark.parametrize("kwargs,match", [({"base": 0}, "base > 0"), ({"jitter": 1.0}, "jitter"),
                                          ({"cap": 1.0}, "cap >= base")])
def test_backoff_rejects_bad_values(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Backoff(**kwargs)


def test_backoff_attempts_start_at_one() -> None:
    with pytest.raises(ValueError, match="got 0"):
        Backoff().delay(0, random.Random(1))


@pytest.mark.parametrize("value,expected", [
    ("30", 30.0), (" 0 ", 0.0), ("99999", 3600.0), (formatdate(T + 90, usegmt=True), 90.0),
    (formatdate(T - 90, usegmt=True), 0.0), ("soon", None), ("", None), (None, None), ("-5", None),
])
def test_retry_after_parsing(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, T) == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize("status,kind", [
    (200, DELIVERED), (201, DELIVERED), (202, DELIVERED), (204, DELIVERED), (409, DELIVERED),
    (408, RETRY), (429, RETRY), (500, RETRY), (502, RETRY), (503, RETRY), (504, RETRY),
    (301, DEAD), (307, DEAD), (400, DEAD), (401, DEAD), (403, DEAD), (404, DEAD), (410, DEAD), (422, DEAD),
])
def test_classify(status: int, kind: str) -> None:
    assert classify(status, {}, "", T).kind == kind


@pytest.mark.parametrize("kwargs,match", [({"lease_margin": -1.0}, "lease_margin"), ({"batch": 0}, "batch")])
def test_worker_rejects_bad_options(store: Store, kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        DeliveryWorker(store, Settings(), **kwargs)  # type: ignore[arg-type]


def test_lease_outlives_the_slowest_webhook(store: Store, target: Target) -> None:
    slow = hook(target, name="slow", timeout_seconds=45.0)
    w = DeliveryWorker(store, settings_for(hook(target), slow), lease_margin=5.0)
    assert w.lease_seconds == 50.0
