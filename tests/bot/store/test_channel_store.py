"""The channel tables (bot.store.channel_sql) on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import json

import pytest

from bot.records import DEAD, DELIVERED, PENDING, Turn
from bot.store import Store
from kb.errors import ConflictError, NotFoundError


def test_a_platform_message_is_claimed_once(store: Store) -> None:
    assert store.claim_channel_message("line", "m1", "line-abc", 1.0)
    assert not store.claim_channel_message("line", "m1", "line-abc", 2.0)  # redelivered
    assert store.claim_channel_message("telegram", "m1", "telegram-x", 2.0)  # another platform's id
    store.release_channel_message("line", "m1")
    assert store.claim_channel_message("line", "m1", "line-abc", 3.0)  # the retry after a failure


def test_address_and_choices_round_trip(store: Store) -> None:
    assert store.channel_session("line-abc") is None
    store.set_channel_address("line-abc", "line", {"to": "U4af4980629"}, 1.0)
    store.set_channel_address("line-abc", "line", {"to": "U4af4980629", "x": "ไทย"}, 2.0)
    store.set_channel_choices("line-abc", [("refund", "คืนเงิน"), ("ship", "Shipping")])
    assert store.channel_session("line-abc") == (
        "line",
        {"to": "U4af4980629", "x": "ไทย"},
        [["refund", "คืนเงิน"], ["ship", "Shipping"]],
    )
    assert store.channel_of_sessions() == {"line-abc": "line"}


def test_outbox_keeps_each_conversation_in_order(store: Store) -> None:
    store.set_channel_address("a", "line", {"to": "A"}, 0.0)
    store.set_channel_address("b", "line", {"to": "B"}, 0.0)
    a1, a2 = store.add_channel_sends("a", "line", [{"n": 1}, {"n": 2}], 10.0)
    (b1,) = store.add_channel_sends("b", "line", [{"n": 3}], 10.0)
    leased = store.lease_channel_sends(10.0, 30.0, 10)
    assert [d.outbox_id for d in leased] == [a1, b1]  # a2 waits for a1
    assert json.loads(leased[0].part) == {"n": 1} and leased[0].attempts == 0
    assert store.lease_channel_sends(10.0, 30.0, 10) == []  # leased rows are not handed out twice
    store.mark_channel_failed(a1, "HTTP 503", 50.0)
    store.mark_channel_sent(b1, 11.0)
    assert store.lease_channel_sends(49.0, 30.0, 10) == []  # a1 backs off, a2 still behind it
    (again,) = store.lease_channel_sends(50.0, 30.0, 10)
    assert again.outbox_id == a1 and again.attempts == 1 and again.last_error == "HTTP 503"
    store.mark_channel_failed(a1, "HTTP 400", None)  # dead: a2 may go
    assert [d.outbox_id for d in store.lease_channel_sends(50.0, 30.0, 10)] == [a2]
    assert [d.status for d in store.channel_sends(session_id="a")] == [DEAD, PENDING]
    assert [d.status for d in store.channel_sends(DELIVERED)] == [DELIVERED]
    with pytest.raises(NotFoundError, match="no channel send 999"):
        store.mark_channel_sent(999, 1.0)
    with pytest.raises(ConflictError, match=f"channel send {a2} is pending, not dead"):
        store.retry_dead_channel_send(a2, 60.0)
    store.retry_dead_channel_send(a1, 60.0)  # the operator fixed the token
    assert [(d.status, d.attempts) for d in store.channel_sends(session_id="a")] == [
        (PENDING, 0),
        (PENDING, 0),
    ]


def test_agent_turns_are_relayed_once(store: Store) -> None:
    store.set_channel_address("line-abc", "line", {"to": "U1"}, 0.0)
    store.add_turn(Turn("line-abc", "customer", "ขอคุยกับเจ้าหน้าที่", 1.0, "th"))
    store.add_turn(Turn("widget-1", "agent", "not a channel session", 2.0, "en", agent="Ann"))
    store.add_turn(Turn("line-abc", "agent", "สวัสดีค่ะ", 3.0, "th", agent="Ann"))
    assert store.relay_agent_turns(4.0) == 1
    assert store.relay_agent_turns(5.0) == 0  # already queued
    (row,) = store.channel_sends(session_id="line-abc")
    assert json.loads(row.part)["text"] == "สวัสดีค่ะ" and json.loads(row.part)["kind"] == "agent"
    store.add_turn(
        Turn(
            "line-abc", "system", "You're chatting with the assistant again.", 6.0, "en", reason="handed_back"
        )
    )
    store.add_turn(Turn("line-abc", "system", "Ann took over.", 6.0, "en", reason="claimed"))  # internal
    assert store.relay_agent_turns(7.0) == 1
    assert [json.loads(d.part)["kind"] for d in store.channel_sends(session_id="line-abc")] == [
        "agent",
        "note",
    ]


def test_erasing_a_session_erases_its_channel_rows(store: Store) -> None:
    store.set_channel_address("line-abc", "line", {"to": "U1"}, 0.0)
    store.claim_channel_message("line", "m1", "line-abc", 0.0)
    store.add_turn(Turn("line-abc", "customer", "hi", 1.0, "en"))
    store.add_channel_sends("line-abc", "line", [{"n": 1}], 1.0)
    counts = store.delete_session("line-abc")
    assert counts["channel_sessions"] == counts["channel_messages"] == counts["channel_outbox"] == 1
    assert store.channel_session("line-abc") is None and store.channel_sends() == []
