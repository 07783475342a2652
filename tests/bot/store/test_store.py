"""One suite for the `Store` protocol, run against SQLite and a real PostgreSQL server."""

from __future__ import annotations

import dataclasses
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest

from bot.records import (
    BOT,
    CLAIMED,
    DEAD,
    DELIVERED,
    HANDED_OFF,
    OPEN,
    PENDING,
    RESOLVED,
    ApiKey,
    Candidate,
    Contact,
    Escalation,
    Feedback,
    Label,
    Turn,
)
from bot.store import Store, open_store
from kb.errors import ConflictError, NotFoundError, StoreError

UNICODE = {
    "thai": "ขอคืนเงินได้กี่วัน ครับ",
    "chinese": "發票可以打統編嗎？优惠码用不了",
    "emoji": "thanks 🙏🏽 👩‍👩‍👧 🇪🇪 𝄞",
}


def turn(session_id: str = "s1", role: str = "customer", text: str = "hello", at: float = 100.0,
         **kw: Any) -> Turn:
    return Turn(session_id, role, text, at, **kw)


def escalation(escalation_id: str = "e1", session_id: str = "s1", at: float = 200.0, **kw: Any) -> Escalation:
    kw = {"reason": "low_confidence", "language": "en", "priority": "normal", "queue": "general", **kw}
    return Escalation(escalation_id, session_id, created_at=at, **kw)


def escalated(store: Store, escalation_id: str = "e1", session_id: str = "s1", at: float = 200.0,
              targets: tuple[str, ...] = ("helpdesk",), **kw: Any) -> Escalation:
    """An escalation stored after one customer turn and one bot turn of its session."""
    store.add_turn(turn(session_id, at=at - 2))
    store.add_turn(turn(session_id, "bot", "an answer", at - 1, decision="escalated"))
    return store.add_escalation(escalation(escalation_id, session_id, at, **kw), targets, deliver_at=at)


# --- sessions and transcripts ---

def test_add_turn_round_trips_and_creates_the_session(store: Store) -> None:
    t = turn(role="bot", text="Track your order", lang="en", decision="answered", article_id="order-status",
             confidence=0.93, reason="confident", took_ms=9.5)
    stored = store.add_turn(t)
    assert stored.turn_id > 0
    assert stored == dataclasses.replace(t, turn_id=stored.turn_id)
    assert store.transcript("s1") == [stored]
    session = store.session("s1")
    assert session is not None
    assert (session.state, session.lang, session.created_at, session.updated_at) == (BOT, "en", 100.0, 100.0)
    assert session.contact == Contact()


def test_add_turns_stores_a_question_and_its_answer_together(store: Store) -> None:
    asked, answered = store.add_turns(turn(text="where is my parcel"),
                                      turn(role="bot", text="Track your order", at=101.0, lang="en"))
    assert 0 < asked.turn_id < answered.turn_id
    assert store.transcript("s1") == [asked, answered]
    # One bad turn refuses both: nothing of the pair is kept.
    with pytest.raises(ValueError, match="NUL"):
        store.add_turns(turn(text="fine"), turn(role="bot", text="a\x00b", at=102.0))
    assert store.transcript("s1") == [asked, answered]


@pytest.mark.parametrize("langs", [("th", ""), ("", "th"), ("et", "th")])
def test_add_turns_leaves_the_session_as_one_turn_at_a_time_would(store: Store,
                                                                  langs: tuple[str, str]) -> None:
    one_by_one, together = "one", "two"
    for sid in (one_by_one, together):
        store.add_turn(turn(sid, at=90.0, lang="en"))
    first = turn(one_by_one, at=100.0, lang=langs[0])
    second = turn(one_by_one, "bot", "ok", 95.0, lang=langs[1])  # written late: time must not go back
    for t in (first, second):
        store.add_turn(t)
    store.add_turns(dataclasses.replace(first, session_id=together),
                    dataclasses.replace(second, session_id=together))
    fresh = store.add_turns(turn("new", at=100.0, lang=langs[0]),
                            turn("new", "bot", "ok", 95.0, lang=langs[1]))
    a, b, c = store.session(one_by_one), store.session(together), store.session("new")
    assert a is not None and b is not None and c is not None
    assert (b.lang, b.created_at, b.updated_at) == (a.lang, a.created_at, a.updated_at)
    assert (c.lang, c.created_at, c.updated_at) == (langs[1] or langs[0], 100.0, 100.0)
    assert 0 < fresh[0].turn_id < fresh[1].turn_id


def test_turns_keep_the_session_language_and_latest_activity(store: Store) -> None:
    store.add_turn(turn(at=100.0, lang="th"))
    store.add_turn(turn(at=110.0))  # no language detected: keep th
    store.add_turn(turn(at=105.0, role="agent", agent="ann"))  # late write must not move time back
    session = store.session("s1")
    assert session is not None
    assert (session.lang, session.created_at, session.updated_at) == ("th", 100.0, 110.0)
    store.add_turn(turn(at=120.0, lang="et"))
    assert store.session("s1").lang == "et"  # type: ignore[union-attr]


@pytest.mark.parametrize("text", UNICODE.values(), ids=UNICODE.keys())
def test_unicode_text_round_trips_everywhere(store: Store, text: str) -> None:
    store.add_turn(turn(text=text))
    bot_turn = store.add_turn(turn(role="bot", text=text, at=101.0))
    assert [t.text for t in store.transcript("s1")] == [text, text]
    contact = Contact(name=text, email="ann@example.com", phone="+372 5555 5555")
    store.set_contact("s1", contact)
    assert store.session("s1").contact == contact  # type: ignore[union-attr]
    store.add_escalation(escalation(message=text, contact=contact,
                                    candidates=(Candidate("refund-timing", text, 0.41),)), ["hd"], 200.0)
    found = store.escalation("e1")
    assert found is not None
    assert (found.message, found.contact, found.candidates[0].title) == (text, contact, text)
    store.add_feedback(Feedback("s1", bot_turn.turn_id, 102.0, False, 2, comment=text))
    assert store.feedback()[0].comment == text


def test_transcript_is_oldest_first_and_empty_for_an_unknown_session(store: Store) -> None:
    rng = random.Random(7)
    times = [100.0 + i for i in range(10)]
    rng.shuffle(times)
    for at in times:
        store.add_turn(turn(at=at, text=f"t{at}"))
    store.add_turn(turn("other", at=50.0))
    assert [t.at for t in store.transcript("s1")] == sorted(times)
    assert store.transcript("nobody") == []
    assert store.session("nobody") is None


@pytest.mark.parametrize(("bad", "match"), [
    ({"role": "robot"}, "turn role must be one of .*'robot'"),
    ({"session_id": ""}, "session_id must be a non-empty string"),
    ({"turn_id": 5}, "already stored"),
    ({"text": "a\x00b"}, "NUL"),
    ({"text": "a\ud800b"}, "unpaired surrogate"),
])
def test_add_turn_refuses_bad_values(store: Store, bad: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        store.add_turn(dataclasses.replace(turn(), **bad))
    assert store.turns() == []


def test_set_state_and_contact(store: Store) -> None:
    store.add_turn(turn())
    assert store.set_state("s1", HANDED_OFF).state == HANDED_OFF
    assert store.set_state("s1", BOT).state == BOT
    contact = Contact(email="ann@example.com")
    assert store.set_contact("s1", contact).contact == contact
    assert store.session("s1").contact == contact  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="session state must be one of .*'closed'"):
        store.set_state("s1", "closed")
    with pytest.raises(NotFoundError, match="no session 'nobody'"):
        store.set_state("nobody", BOT)
    with pytest.raises(NotFoundError, match="no session 'nobody'"):
        store.set_contact("nobody", contact)


# --- escalations and the outbox ---

def test_add_escalation_stores_outbox_rows_and_hands_the_session_off(store: Store) -> None:
    e = escalated(store, targets=("helpdesk", "slack"), priority="high", expected_reply_at=900.0,
                  out_of_hours=True, candidates=(Candidate("a", "A", 0.4), Candidate("b", "B", 0.3)))
    assert store.session("s1").state == HANDED_OFF  # type: ignore[union-attr]
    assert [t.text for t in e.transcript] == ["hello", "an answer"]
    assert e == store.escalation("e1")
    assert (e.priority, e.expected_reply_at, e.out_of_hours, e.status, e.updated_at) == \
        ("high", 900.0, True, OPEN, 200.0)
    assert [c.article_id for c in e.candidates] == ["a", "b"]
    out = store.deliveries(escalation_id="e1")
    assert [(d.target, d.status, d.attempts, d.next_at) for d in out] == \
        [("helpdesk", PENDING, 0, 200.0), ("slack", PENDING, 0, 200.0)]
    assert store.escalation("nope") is None


def test_an_escalation_may_open_a_session(store: Store) -> None:
    store.add_escalation(escalation(session_id="new", language="th", contact=Contact(name="Ann")), [], 200.0)
    session = store.session("new")
    assert session is not None
    assert (session.state, session.lang, session.created_at, session.contact.name) == \
        (HANDED_OFF, "th", 200.0, "Ann")
    assert store.deliveries() == []


def test_a_refused_escalation_leaves_nothing_behind(store: Store) -> None:
    escalated(store, "e1", "s1")
    store.add_turn(turn("s2"))
    with pytest.raises(ConflictError, match="add_escalation e1"):  # same id, other session
        store.add_escalation(escalation("e1", "s2"), ["helpdesk", "slack"], 200.0)
    assert store.session("s2").state == BOT  # type: ignore[union-attr]
    assert [d.escalation_id for d in store.deliveries()] == ["e1"]
    assert store.open_escalation("s2") is None


def test_an_escalation_and_the_turns_that_made_it_are_one_transaction(store: Store) -> None:
    said = turn("s3", text="talk to a person", at=300.0)
    reply = turn("s3", "bot", "A person will reply.", 300.5, decision="escalated", reason="human_requested")
    e = store.add_escalation(escalation("e3", "s3", 300.0), ["helpdesk"], 300.0, turns=(said, reply))
    assert [(t.role, t.text) for t in e.transcript] == [("customer", "talk to a person"),
                                                        ("bot", "A person will reply.")]
    assert all(t.turn_id > 0 for t in e.transcript)
    assert store.session("s3").state == HANDED_OFF  # type: ignore[union-attr]
    # A refused escalation (its id is taken) rolls its turns back with it.
    with pytest.raises(ConflictError):
        store.add_escalation(escalation("e3", "s4", 400.0), [], 400.0, turns=(turn("s4", at=400.0),))
    assert store.session("s4") is None and store.transcript("s4") == []


def test_turns_of_another_session_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="turn of session 's9'"):
        store.add_escalation(escalation("e9", "s8"), [], 1.0, turns=(turn("s9"),))


def test_a_secret_is_made_once_and_shared(store: Store) -> None:
    first = store.secret("signing", lambda: "one")
    assert first == "one"
    assert store.secret("signing", lambda: "two") == "one"  # another process finds the first
    assert store.secret("other", lambda: "three") == "three"


@pytest.mark.parametrize(("change", "targets", "match"), [
    ({"priority": "asap"}, ["hd"], "priority must be one of .*'asap'"),
    ({"status": "closed"}, ["hd"], "status must be one of .*'closed'"),
    ({"escalation_id": ""}, ["hd"], "escalation_id must be a non-empty string"),
    ({}, ["hd", "hd"], "distinct"),
    ({}, [""], "non-empty"),
])
def test_add_escalation_refuses_bad_values(store: Store, change: dict[str, Any], targets: list[str],
                                           match: str) -> None:
    with pytest.raises(ValueError, match=match):
        store.add_escalation(dataclasses.replace(escalation(), **change), targets, 200.0)
    assert store.session("s1") is None


def test_open_escalation_is_the_newest_unresolved(store: Store) -> None:
    assert store.open_escalation("s1") is None
    escalated(store, "e1", at=200.0)
    escalated(store, "e2", at=300.0)
    assert store.open_escalation("s1").escalation_id == "e2"  # type: ignore[union-attr]
    store.resolve("e2", "ann", now=310.0)
    assert store.open_escalation("s1").escalation_id == "e1"  # type: ignore[union-attr]
    store.resolve("e1", "ann", now=320.0)
    assert store.open_escalation("s1") is None


def test_escalations_filter_by_status_queue_and_time(store: Store) -> None:
    for i, queue in enumerate(["billing", "general", "billing", "general"]):
        escalated(store, f"e{i}", f"s{i}", at=100.0 * (i + 1), queue=queue)
    store.claim("e2", "ann", now=500.0)

    def ids(**kw: Any) -> list[str]:
        return [e.escalation_id for e in store.escalations(**kw)]

    assert ids() == ["e3", "e2", "e1", "e0"]
    assert ids(queue="billing") == ["e2", "e0"]
    assert ids(status=OPEN) == ["e3", "e1", "e0"]
    assert ids(status=CLAIMED, queue="billing") == ["e2"]
    assert ids(limit=2) == ["e3", "e2"]
    assert ids(since=200.0, until=400.0) == ["e2", "e1"]  # [since, until)
    assert [len(e.transcript) for e in store.escalations()] == [2, 2, 2, 2]
    with pytest.raises(ValueError, match="limit must be positive, got 0"):
        store.escalations(limit=0)
    with pytest.raises(ValueError, match="status must be one of .*'done'"):
        store.escalations(status="done")


def test_update_escalation_adds_the_handoff_form(store: Store) -> None:
    escalated(store)
    contact = Contact("Ann", "ann@example.com")
    e = store.update_escalation("e1", contact=contact, now=250.0)
    assert (e.contact, e.message, e.updated_at) == (contact, "", 250.0)
    e = store.update_escalation("e1", message="please call me", now=260.0)
    assert (e.contact, e.message, e.updated_at) == (contact, "please call me", 260.0)
    assert store.escalation("e1") == e
    with pytest.raises(NotFoundError, match="no escalation 'nope'"):
        store.update_escalation("nope", message="x")


def test_claim_and_resolve_follow_the_life_cycle(store: Store) -> None:
    escalated(store)
    claimed = store.claim("e1", "ann", now=300.0)
    assert (claimed.status, claimed.agent, claimed.updated_at) == (CLAIMED, "ann", 300.0)
    assert store.claim("e1", "ann", now=999.0) == claimed  # again by the same agent: no-op
    with pytest.raises(ConflictError, match="claimed by 'ann'"):
        store.claim("e1", "bob", now=310.0)
    resolved = store.resolve("e1", "bob", now=320.0)
    assert (resolved.status, resolved.agent, resolved.updated_at) == (RESOLVED, "bob", 320.0)
    with pytest.raises(ConflictError, match="e1 is already resolved"):
        store.resolve("e1", "ann", now=330.0)
    with pytest.raises(ConflictError, match="e1 is already resolved"):
        store.claim("e1", "ann", now=330.0)
    assert store.escalation("e1") == resolved


@pytest.mark.parametrize("action", ["claim", "resolve"])
def test_claim_and_resolve_of_an_unknown_escalation(store: Store, action: str) -> None:
    with pytest.raises(NotFoundError, match="no escalation 'nope'"):
        getattr(store, action)("nope", "ann")


# --- feedback and analytics ---

def test_a_second_rating_replaces_the_first(store: Store) -> None:
    store.add_turn(turn())
    answer = store.add_turn(turn(role="bot", at=101.0))
    store.add_feedback(Feedback("s1", answer.turn_id, 102.0, helpful=False))
    second = store.add_feedback(Feedback("s1", answer.turn_id, 103.0, helpful=True, csat=5, comment="great"))
    assert store.feedback() == [second]


def test_feedback_needs_a_bot_turn_of_that_session(store: Store) -> None:
    question = store.add_turn(turn())
    answer = store.add_turn(turn(role="bot", at=101.0))
    store.add_turn(turn("s2"))
    for session_id, turn_id in [("s1", question.turn_id), ("s2", answer.turn_id), ("s1", 10**9)]:
        with pytest.raises(NotFoundError, match=f"no bot turn {turn_id} in session '{session_id}'"):
            store.add_feedback(Feedback(session_id, turn_id, 102.0, helpful=True))
    with pytest.raises(ValueError, match="csat must be 1-5, got 6"):
        store.add_feedback(Feedback("s1", answer.turn_id, 102.0, csat=6))
    assert store.feedback() == []


def test_turns_and_feedback_filter_by_time(store: Store) -> None:
    answers = [store.add_turn(turn(f"s{i}", "bot", at=100.0 * i)) for i in range(1, 5)]
    for a in answers:
        store.add_feedback(Feedback(a.session_id, a.turn_id, a.at + 1, helpful=True))
    assert [t.at for t in store.turns()] == [100.0, 200.0, 300.0, 400.0]
    assert [t.at for t in store.turns(since=200.0, until=400.0)] == [200.0, 300.0]
    assert [t.at for t in store.turns(since=300.0)] == [300.0, 400.0]
    assert [f.at for f in store.feedback(until=301.0)] == [101.0, 201.0]
    assert [f.at for f in store.feedback(since=201.0, until=401.0)] == [201.0, 301.0]


# --- webhook outbox ---

def test_a_leased_delivery_waits_for_its_lease_to_expire(store: Store) -> None:
    escalated(store, "e1", at=100.0, targets=("a", "b", "c"))
    escalated(store, "e2", "s2", at=500.0, targets=("a",))  # not due before 500
    first = store.lease_deliveries(now=100.0, lease_seconds=60.0, limit=2)
    assert [(d.target, d.attempts, d.next_at) for d in first] == [("a", 0, 160.0), ("b", 0, 160.0)]
    assert [d.target for d in store.lease_deliveries(now=120.0, lease_seconds=60.0, limit=10)] == ["c"]
    assert store.lease_deliveries(now=159.0, lease_seconds=60.0, limit=10) == []
    again = store.lease_deliveries(now=181.0, lease_seconds=1000.0, limit=10)  # both leases expired
    assert [d.delivery_id for d in again] == [d.delivery_id for d in store.deliveries(escalation_id="e1")]
    assert [d.escalation_id for d in store.lease_deliveries(500.0, 60.0, 10)] == ["e2"]
    with pytest.raises(ValueError, match="limit must be positive, got 0"):
        store.lease_deliveries(500.0, 60.0, 0)
    with pytest.raises(ValueError, match="lease_seconds must be positive, got -1"):
        store.lease_deliveries(500.0, -1, 1)


def test_failed_deliveries_retry_then_die_and_can_be_revived(store: Store) -> None:
    escalated(store, at=100.0)
    (d,) = store.lease_deliveries(100.0, 60.0, 1)
    store.mark_failed(d.delivery_id, "HTTP 502 \x00 from helpdesk", retry_at=130.0)
    (d,) = store.deliveries()
    assert (d.status, d.attempts, d.next_at) == (PENDING, 1, 130.0)
    assert d.last_error == "HTTP 502 \ufffd from helpdesk"  # NUL replaced: PostgreSQL cannot store it
    assert store.lease_deliveries(129.0, 60.0, 1) == []
    (d,) = store.lease_deliveries(130.0, 60.0, 1)
    assert d.attempts == 1  # before this try
    store.mark_failed(d.delivery_id, "timeout", retry_at=None)
    (d,) = store.deliveries(status=DEAD)
    assert (d.attempts, d.last_error) == (2, "timeout")
    assert store.lease_deliveries(10_000.0, 60.0, 1) == []
    store.retry_dead(d.delivery_id, now=5000.0)
    (d,) = store.lease_deliveries(5000.0, 60.0, 1)
    assert (d.status, d.attempts) == (PENDING, 0)
    store.mark_delivered(d.delivery_id, now=5001.0)
    (d,) = store.deliveries(status=DELIVERED)
    assert (d.attempts, d.delivered_at) == (1, 5001.0)
    assert store.deliveries(status=PENDING) == []


def test_a_late_failure_does_not_undo_a_delivery(store: Store) -> None:
    escalated(store, at=100.0)
    (d,) = store.lease_deliveries(100.0, 60.0, 1)
    store.mark_delivered(d.delivery_id, now=101.0)
    store.mark_failed(d.delivery_id, "worker whose lease expired", retry_at=200.0)
    store.mark_delivered(d.delivery_id, now=300.0)
    (d,) = store.deliveries()
    assert (d.status, d.attempts, d.delivered_at, d.last_error) == (DELIVERED, 1, 101.0, "")


@pytest.mark.parametrize("call", [
    lambda s: s.mark_delivered(999, 1.0),
    lambda s: s.mark_failed(999, "x", None),
    lambda s: s.retry_dead(999, 1.0),
], ids=["mark_delivered", "mark_failed", "retry_dead"])
def test_outbox_calls_on_an_unknown_delivery(store: Store, call: Callable[[Store], None]) -> None:
    with pytest.raises(NotFoundError, match="no delivery 999"):
        call(store)


def test_only_a_dead_delivery_can_be_retried(store: Store) -> None:
    escalated(store)
    (d,) = store.deliveries()
    with pytest.raises(ConflictError, match=f"delivery {d.delivery_id} is pending, not dead"):
        store.retry_dead(d.delivery_id, 300.0)
    with pytest.raises(ValueError, match="delivery status must be one of .*'sent'"):
        store.deliveries(status="sent")


# --- API keys ---

def test_keys_are_found_by_hash_until_revoked(store: Store) -> None:
    desk = store.add_key(ApiKey("k1", "helpdesk", "Zendesk", 10.0), "hash-1")
    admin = store.add_key(ApiKey("k2", "admin", "Ann 管理员", 20.0), "hash-2")
    assert store.api_keys() == [desk, admin]
    assert store.key_for_hash("hash-1") == desk
    assert store.key_for_hash("hash-3") is None
    revoked = store.revoke_key("k1", now=30.0)
    assert revoked == dataclasses.replace(desk, revoked_at=30.0)
    assert store.key_for_hash("hash-1") is None
    assert store.revoke_key("k1", now=40.0).revoked_at == 30.0
    assert store.api_keys() == [revoked, admin]
    with pytest.raises(ConflictError, match="add_key k1") as raised:
        store.add_key(ApiKey("k1", "agent", "again", 50.0), "hash-4")
    with pytest.raises(ConflictError, match="add_key k5"):
        store.add_key(ApiKey("k5", "agent", "same secret", 50.0), "hash-2")
    assert "hash" not in str(raised.value)
    with pytest.raises(NotFoundError, match="no API key 'k9'"):
        store.revoke_key("k9", now=1.0)


# --- privacy ---

def test_delete_session_erases_everything_of_the_session(store: Store) -> None:
    escalated(store, "e1", "s1", at=200.0, targets=("a", "b"))
    escalated(store, "e2", "s1", at=300.0, targets=("a",))
    answer = store.transcript("s1")[1]
    store.add_feedback(Feedback("s1", answer.turn_id, 201.0, helpful=False, comment="no"))
    kept = escalated(store, "e3", "s2", at=400.0)
    kept_answer = store.transcript("s2")[1]
    store.add_feedback(Feedback("s2", kept_answer.turn_id, 401.0, helpful=True))
    store.add_label(Label("s1", answer.turn_id - 1, "q", "en", "", "writer", 202.0))
    store.add_label(Label("s2", kept_answer.turn_id - 1, "q", "en", "a1", "writer", 402.0))

    counts = store.delete_session("s1")
    assert counts == {"sessions": 1, "turns": 4, "feedback": 1, "escalations": 2, "deliveries": 3,
                      "channel_sessions": 0, "channel_messages": 0, "channel_outbox": 0,
                      "notes": 0, "customer_seen": 0, "followups": 0, "labels": 1}
    assert [label.session_id for label in store.labels()] == ["s2"]
    assert store.session("s1") is None
    assert store.transcript("s1") == []
    assert store.open_escalation("s1") is None
    assert [e.escalation_id for e in store.escalations()] == ["e3"]
    assert {d.escalation_id for d in store.deliveries()} == {"e3"}
    assert [f.session_id for f in store.feedback()] == ["s2"]
    assert {t.session_id for t in store.turns()} == {"s2"}
    assert store.escalation("e3") == kept
    assert store.delete_session("s1") == dict.fromkeys(counts, 0)


# --- the store as a whole ---

def test_threads_adding_turns_at_once_lose_nothing(store: Store) -> None:
    n_threads, per_thread = 8, 25
    barrier = threading.Barrier(n_threads)
    stored: list[list[Turn]] = [[] for _ in range(n_threads)]
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            barrier.wait()
            for j in range(per_thread):
                # Half the threads share one session: the upsert of the session row races.
                sid = "shared" if i % 2 else f"own{i}"
                stored[i].append(store.add_turn(turn(sid, text=f"{i}-{j}", at=1000.0 + j)))
        except BaseException as e:  # surfaced below; a thread's exception would be lost
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    all_turns = [t for group in stored for t in group]
    assert len({t.turn_id for t in all_turns}) == n_threads * per_thread
    assert sorted(t.text for t in store.turns()) == sorted(t.text for t in all_turns)
    assert len(store.transcript("shared")) == per_thread * (n_threads // 2)


def test_reopening_keeps_the_data_and_the_schema(store: Store, store_url: str) -> None:
    escalated(store)
    again = open_store(store_url)
    try:
        assert again.escalation("e1") == store.escalation("e1")
        assert again.url == store.url
    finally:
        again.close()


def test_a_newer_schema_is_refused(store: Store, store_url: str, execute: Callable[[str, str], None]) -> None:
    store.close()
    execute(store_url, "UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="schema version 99 is newer than this faqbot supports"):
        open_store(store_url)


def test_a_closed_store_refuses_calls(store: Store) -> None:
    store.close()
    with pytest.raises(StoreError, match="the store is closed"):
        store.session("s1")


def test_each_thread_has_its_own_connection_until_it_ends(store: Store) -> None:
    def add(i: int) -> None:
        store.add_turn(turn(f"t{i}"))

    for i in range(5):  # one short-lived thread after another, as a server's worker churn
        t = threading.Thread(target=add, args=(i,))
        t.start()
        t.join()
    store.add_turn(turn("main"))
    assert len(store._conns) <= 2  # type: ignore[attr-defined]  # this thread's + the last ended one
    assert {t.session_id for t in store.turns()} == {"t0", "t1", "t2", "t3", "t4", "main"}


def test_delivery_counts_by_status(store: Store) -> None:
    assert store.delivery_counts() == {"pending": 0, "delivered": 0, "dead": 0, "attempts": 0}
    escalated(store, "e1", "s1", targets=("a", "b"))
    escalated(store, "e2", "s2", targets=("a",))
    first, second = store.lease_deliveries(200.0, 60.0, 2)
    store.mark_delivered(first.delivery_id, now=201.0)
    store.mark_failed(second.delivery_id, "HTTP 400", retry_at=None)
    assert store.delivery_counts() == {"pending": 1, "delivered": 1, "dead": 1, "attempts": 2}
