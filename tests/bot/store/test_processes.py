"""The store shared by several OS processes: leasing and durability, on SQLite and PostgreSQL."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from bot.records import Escalation, Turn
from bot.store import Store, open_store

ROOT = Path(__file__).resolve().parents[3]

# Each worker leases until nothing is left, printing every id it got. The lease is far longer
# than the test, so an id printed twice means two workers held it at once.
LEASER = textwrap.dedent("""
    import sys
    import time
    from bot.store import open_store

    store = open_store(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()  # start together
    while batch := store.lease_deliveries(now=1000.0, lease_seconds=3600.0, limit=2):
        print(" ".join(str(d.delivery_id) for d in batch), flush=True)
        time.sleep(0.002)  # sending the webhooks
""")

# Writes until killed; prints a line only after the store acknowledged the write.
WRITER = textwrap.dedent("""
    import sys
    from bot.records import Escalation, Turn
    from bot.store import open_store

    store = open_store(sys.argv[1])
    i = 0
    while True:
        t = store.add_turn(Turn(f"s{i % 5}", "customer", f"message {i} ขอบคุณ 谢谢 🙏", 1000.0 + i))
        print("turn", t.turn_id, t.session_id, i, flush=True)
        if i % 10 == 9:
            e = Escalation(f"e{i}", t.session_id, "human_requested", "th", "high", "general", 1000.0 + i)
            store.add_escalation(e, ["helpdesk"], deliver_at=1000.0 + i)
            print("escalation", e.escalation_id, flush=True)
        i += 1
""")


def _python(code: str, url: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, url], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_processes_leasing_at_once_never_share_a_delivery(store: Store, store_url: str) -> None:
    targets = ("helpdesk", "slack", "email")
    for i in range(60):
        store.add_escalation(Escalation(f"e{i}", f"s{i}", "low_confidence", "en", "normal", "general",
                                        float(i)), targets, deliver_at=float(i))
    workers = [_python(LEASER, store_url) for _ in range(4)]
    for w in workers:  # every worker has started and opened the store ...
        assert w.stdout is not None and w.stdout.readline() == "ready\n", w.stderr
    for w in workers:  # ... before any of them leases
        assert w.stdin is not None
        w.stdin.write("go\n")
        w.stdin.flush()
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0] * 4, [err for _, err in outputs]
    leased = [int(x) for out, _ in outputs for x in out.split()]
    twice = [d for d, n in collections.Counter(leased).items() if n > 1]
    assert twice == []
    assert sorted(leased) == sorted(d.delivery_id for d in store.deliveries())
    assert len(leased) == 60 * len(targets)
    # More than one worker got work, or the test proved nothing about concurrency.
    assert sum(1 for out, _ in outputs if out.strip()) > 1


def test_acknowledged_writes_survive_a_killed_process(store: Store, store_url: str) -> None:
    store.close()
    writer = _python(WRITER, store_url)
    assert writer.stdout is not None
    acknowledged: list[list[str]] = []
    try:
        while len(acknowledged) < 150:
            line = writer.stdout.readline()
            assert line, writer.stderr.read() if writer.stderr else "writer exited"
            acknowledged.append(line.split())
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        rest, _ = writer.communicate(timeout=30)
    # Lines printed between our last read and the kill were acknowledged too; a cut-off last
    # line was not finished, so it promises nothing.
    acknowledged += [line.split() for line in rest.splitlines(keepends=True) if line.endswith("\n")]
    assert writer.returncode == -signal.SIGKILL

    reopened = open_store(store_url)
    try:
        turns = {t.turn_id: t for t in reopened.turns()}
        escalations = {e.escalation_id for e in reopened.escalations(limit=10_000)}
        for kind, *fields in acknowledged:
            if kind == "turn":
                turn_id, session_id, i = int(fields[0]), fields[1], int(fields[2])
                assert turns[turn_id] == Turn(session_id, "customer", f"message {i} ขอบคุณ 谢谢 🙏",
                                              1000.0 + i, turn_id=turn_id)
            else:
                assert fields[0] in escalations
                assert reopened.deliveries(escalation_id=fields[0])
        assert sum(1 for kind, *_ in acknowledged if kind == "escalation") >= 10
    finally:
        reopened.close()
