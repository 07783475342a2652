"""The console's part of the store (bot/store/console.py) on SQLite and PostgreSQL: the agents'
list with filters and sorts, sign-in sessions, the audit log, notes, display names, what the
customer has seen, follow-ups, and erasure."""

from __future__ import annotations

import pytest

from bot.records import EscalationQuery
from bot.store import Store
from bot.store.console import AuditEntry, Note
from kb.errors import NotFoundError
from tests.bot.store.test_store import escalated, turn


def _ids(store: Store, **kw: object) -> list[str]:
    return [i.escalation.escalation_id for i in store.escalation_items(EscalationQuery(**kw))]  # type: ignore[arg-type]


@pytest.fixture
def three(store: Store) -> Store:
    """e1 oldest (reply due last), e2 (due first, low), e3 newest (no due time, urgent, Thai)."""
    escalated(store, "e1", "s1", at=100.0, expected_reply_at=900.0)
    escalated(store, "e2", "s2", at=200.0, expected_reply_at=400.0, priority="low", queue="billing")
    escalated(store, "e3", "s3", at=300.0, priority="urgent", language="th", reason="human_requested")
    return store


def test_default_sort_is_most_overdue_first_then_other_sorts(three: Store) -> None:
    assert _ids(three) == ["e2", "e1", "e3"]
    assert _ids(three, sort="oldest") == ["e1", "e2", "e3"]
    assert _ids(three, sort="newest") == ["e3", "e2", "e1"]
    assert _ids(three, sort="priority") == ["e3", "e1", "e2"]
    assert _ids(three, limit=1) == ["e2"]


def test_items_carry_no_transcript(three: Store) -> None:
    items = three.escalation_items(EscalationQuery())
    assert all(i.escalation.transcript == () for i in items)
    assert three.escalation("e1").transcript  # type: ignore[union-attr]


def test_filters(three: Store) -> None:
    assert _ids(three, queue="billing") == ["e2"]
    assert _ids(three, language="th") == ["e3"]
    assert _ids(three, priority="urgent") == ["e3"]
    assert _ids(three, reason="human_requested") == ["e3"]
    three.claim("e1", "ann")
    three.claim("e2", "bob")
    assert _ids(three, assigned_to="ann") == ["e1"]
    assert _ids(three, assigned_to="") == ["e3"]
    assert _ids(three, statuses=("claimed",)) == ["e2", "e1"]
    three.resolve("e2", "bob")
    assert _ids(three, statuses=("open", "claimed")) == ["e1", "e3"]
    assert _ids(three, assigned_to="bob") == []  # resolved is no longer assigned


def test_customer_replied_at_is_the_customers_message_since_the_last_agent_reply(three: Store) -> None:
    assert _ids(three, customer_replied=True) == []
    three.add_turn(turn("s1", "customer", "anyone there?", 500.0))
    three.add_turn(turn("s3", "customer", "hello?", 510.0))
    three.add_turn(turn("s3", "agent", "Hi, I'm here", 520.0, agent="ann"))
    items = {i.escalation.escalation_id: i for i in three.escalation_items(EscalationQuery())}
    assert items["e1"].customer_replied_at == 500.0
    assert items["e3"].customer_replied_at is None
    assert _ids(three, customer_replied=True) == ["e1"]
    assert _ids(three, customer_replied=False) == ["e2", "e3"]


def test_console_sessions_idle_out_and_end(store: Store) -> None:
    store.add_console_session("h1", "k1", "csrf1", 1000.0)
    found = store.console_session("h1", 1500.0, idle_seconds=600)
    assert found is not None and (found.key_id, found.csrf, found.seen_at) == ("k1", "csrf1", 1500.0)
    assert store.console_session("h1", 2099.0, idle_seconds=600) is not None  # 599 s after the last use
    assert store.console_session("h1", 2700.0, idle_seconds=600) is None
    assert store.console_session("h1", 2701.0, idle_seconds=10**9) is None  # ended for good
    store.add_console_session("h2", "k1", "c", 0.0)
    store.add_console_session("h3", "k1", "c", 0.0)
    store.end_console_session("h2", 1.0)
    assert store.console_session("h2", 2.0, 600) is None
    assert store.end_key_sessions("k1", 3.0) == 1
    assert store.console_session("h3", 4.0, 600) is None
    assert store.console_session("unknown", 4.0, 600) is None


def test_audit_log_newest_first_and_by_escalation(store: Store) -> None:
    store.audit(AuditEntry(1.0, "ann", "claim", "e1", "s1"))
    store.audit(AuditEntry(2.0, "ann", "reply", "e1", "s1", "turn 3"))
    store.audit(AuditEntry(3.0, "root", "key_create", detail="key abc"))
    assert [e.action for e in store.audit_log()] == ["key_create", "reply", "claim"]
    assert [e.action for e in store.audit_log(escalation_id="e1")] == ["reply", "claim"]
    assert store.audit_log(1)[0].detail == "key abc"


def test_notes_belong_to_an_escalation(store: Store) -> None:
    escalated(store, "e1", "s1")
    first = store.add_note(Note("e1", "ann", "VIP customer: 顧客", 300.0))
    store.add_note(Note("e1", "bob", "called them", 301.0))
    assert first.note_id > 0
    assert [(n.author, n.text) for n in store.notes("e1")] == [("ann", "VIP customer: 顧客"),
                                                              ("bob", "called them")]
    with pytest.raises(NotFoundError, match="no escalation"):
        store.add_note(Note("nope", "ann", "x", 1.0))


def test_display_names(store: Store) -> None:
    store.set_display_name("ann-laptop", "Ann")
    store.set_display_name("bob", "Bob B.")
    store.set_display_name("bob", "Bob")
    assert store.display_names() == {"ann-laptop": "Ann", "bob": "Bob"}
    assert store.display_names(["bob", "zed"]) == {"bob": "Bob"}
    store.set_display_name("bob", "")
    assert store.display_names() == {"ann-laptop": "Ann"}


def test_seen_never_moves_back_and_followups_replace(store: Store) -> None:
    assert store.seen("s1") == 0
    store.mark_seen("s1", 5, 10.0)
    store.mark_seen("s1", 3, 11.0)
    assert store.seen("s1") == 5
    store.record_followup(7, "s1", "failed", 20.0, "connection refused")
    store.record_followup(7, "s1", "sent", 30.0)
    store.record_followup(8, "s2", "skipped", 31.0)
    assert store.followups("s1") == [(7, "s1", "sent", 30.0, "")]
    assert len(store.followups()) == 2


def test_erasing_a_session_erases_its_console_rows(store: Store) -> None:
    escalated(store, "e1", "s1")
    store.add_note(Note("e1", "ann", "note", 300.0))
    store.mark_seen("s1", 1, 10.0)
    store.record_followup(2, "s1", "sent", 30.0)
    counts = store.delete_session("s1")
    assert (counts["notes"], counts["customer_seen"], counts["followups"]) == (1, 1, 1)
    assert store.notes("e1") == [] and store.seen("s1") == 0 and store.followups("s1") == []
