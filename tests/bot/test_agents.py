"""The agent side (bot/agents.py): replies claim, one takeover line per agent, release and resolve
are distinct and both in the transcript, notes, and every action in the audit log."""

from __future__ import annotations

import pytest

from bot import Bot
from bot.agents import NOTE_MAX, Agents
from bot.records import BOT, HANDED_OFF, Escalation
from bot.store import Store
from kb.errors import ConflictError, NotFoundError, RequestError
from tests.bot.test_desk import SUNDAY_NOON, Clock, make_desk


@pytest.fixture
def agents(store: Store) -> Agents:
    return Agents(store, clock=Clock(SUNDAY_NOON + 100))


def _escalated(bot: Bot, store: Store, sid: str = "sess-a") -> Escalation:
    esc = make_desk(bot, store).ask("talk to a human", session_id=sid).escalation
    assert esc is not None
    return esc


def _lines(store: Store, sid: str) -> list[str]:
    return [t.reason for t in store.transcript(sid) if t.role == "system"]


def test_claiming_twice_writes_one_takeover_line(bot: Bot, store: Store, agents: Agents) -> None:
    esc = _escalated(bot, store)
    agents.claim(esc.escalation_id, "ann")
    agents.claim(esc.escalation_id, "ann")
    assert _lines(store, esc.session_id) == ["claimed"]
    with pytest.raises(ConflictError, match="claimed by 'ann'"):
        agents.claim(esc.escalation_id, "bob")
    assert _lines(store, esc.session_id) == ["claimed"]


def test_a_reply_claims_an_open_escalation(bot: Bot, store: Store, agents: Agents) -> None:
    esc = _escalated(bot, store)
    agents.reply(esc.session_id, "ann", "Hello, Ann here")
    found = store.escalation(esc.escalation_id)
    assert found is not None and (found.status, found.agent) == ("claimed", "ann")
    with pytest.raises(ConflictError, match="claimed by 'ann'"):
        agents.reply(esc.session_id, "bob", "me too")
    assert [t.agent for t in store.transcript(esc.session_id) if t.role == "agent"] == ["ann"]
    assert _lines(store, esc.session_id) == ["claimed"]


def test_resolve_and_release_are_distinct_and_both_in_the_transcript(bot: Bot, store: Store,
                                                                       agents: Agents) -> None:
    esc = _escalated(bot, store)
    agents.claim(esc.escalation_id, "ann")
    resolved = agents.resolve(esc.escalation_id, "ann")
    assert resolved.status == "resolved"
    assert store.session(esc.session_id).state == HANDED_OFF  # type: ignore[union-attr]
    session = agents.release(esc.session_id, "ann")
    assert session.state == BOT
    assert _lines(store, esc.session_id) == ["claimed", "resolved", "handed_back"]


def test_release_first_then_resolve_still_works(bot: Bot, store: Store, agents: Agents) -> None:
    esc = _escalated(bot, store)
    agents.claim(esc.escalation_id, "ann")
    agents.release(esc.session_id, "ann")
    assert store.escalation(esc.escalation_id).status == "claimed"  # type: ignore[union-attr]
    assert agents.resolve(esc.escalation_id, "ann").status == "resolved"
    assert _lines(store, esc.session_id) == ["claimed", "handed_back", "resolved"]
    with pytest.raises(ConflictError, match="already resolved"):
        agents.resolve(esc.escalation_id, "ann")


def test_someone_elses_conversation_cannot_be_handed_back(bot: Bot, store: Store, agents: Agents) -> None:
    esc = _escalated(bot, store)
    agents.claim(esc.escalation_id, "ann")
    with pytest.raises(ConflictError, match="claimed by 'ann'"):
        agents.release(esc.session_id, "bob")


def test_notes(bot: Bot, store: Store, agents: Agents) -> None:
    esc = _escalated(bot, store)
    agents.add_note(esc.escalation_id, "ann", "  called the warehouse  ")
    assert [n.text for n in store.notes(esc.escalation_id)] == ["called the warehouse"]
    assert all("warehouse" not in t.text for t in store.transcript(esc.session_id))
    with pytest.raises(RequestError, match="note is empty"):
        agents.add_note(esc.escalation_id, "ann", "   ")
    with pytest.raises(RequestError, match="too long"):
        agents.add_note(esc.escalation_id, "ann", "x" * (NOTE_MAX + 1))
    with pytest.raises(NotFoundError, match="no escalation 'nope'"):
        agents.add_note("nope", "ann", "x")


def test_every_action_is_audited(bot: Bot, store: Store, agents: Agents) -> None:
    esc = _escalated(bot, store)
    agents.claim(esc.escalation_id, "ann")
    agents.reply(esc.session_id, "ann", "hi")
    agents.add_note(esc.escalation_id, "ann", "note")
    agents.resolve(esc.escalation_id, "ann")
    agents.release(esc.session_id, "ann")
    log = store.audit_log(escalation_id=esc.escalation_id)
    assert [(e.actor, e.action) for e in reversed(log)] == [
        ("ann", "claim"), ("ann", "reply"), ("ann", "note"), ("ann", "resolve"), ("ann", "release")]
    assert all(e.session_id == esc.session_id and "hi" not in e.detail for e in log)
