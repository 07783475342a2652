"""The agent side of a handoff: list, claim and resolve escalations, reply, hand the session back.

Every action is written to the audit log (who, what, when), whether it came from the API or the
console. Claiming, resolving and handing back are distinct, and each leaves one line in the
transcript: claiming again is a no-op without a second "took over" line; resolving closes the
request but keeps the session with people; handing back returns the session to the bot and leaves
the escalation as it was (resolve it before or after).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.messages import message
from bot.records import (
    BOT,
    CLAIMED,
    HANDED_OFF,
    OPEN,
    Escalation,
    EscalationItem,
    EscalationQuery,
    Role,
    Session,
    Turn,
)
from bot.store import Store
from bot.store.console import AuditEntry, Note
from kb.errors import ConflictError, NotFoundError, RequestError, shown

NOTE_MAX = 4000  # characters of an internal note


class Agents:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store, self.clock = store, clock

    def escalations(self, query: EscalationQuery) -> list[EscalationItem]:
        return self.store.escalation_items(query)

    def escalation(self, escalation_id: str) -> Escalation:
        esc = self.store.escalation(escalation_id)
        if esc is None:
            raise NotFoundError(f"no escalation {shown(escalation_id)}")
        return esc

    def claim(self, escalation_id: str, agent: str) -> Escalation:
        """OPEN → CLAIMED by `agent`, with one "took over" line; claiming one's own claim again
        changes nothing; someone else's claim is a ConflictError naming them."""
        before = self.escalation(escalation_id)
        esc = self.store.claim(before.escalation_id, agent, now=self.clock())
        if before.status == CLAIMED and before.agent == agent:
            return esc
        self._system(esc.session_id, esc.language, f"{agent} took over the conversation.", "claimed")
        self._audit(agent, "claim", esc)
        return self.escalation(escalation_id)

    def resolve(self, escalation_id: str, agent: str) -> Escalation:
        """→ RESOLVED; the session stays with people until someone hands it back."""
        esc = self.store.resolve(self.escalation(escalation_id).escalation_id, agent, now=self.clock())
        self._system(esc.session_id, esc.language, f"{agent} resolved the request.", "resolved")
        self._audit(agent, "resolve", esc)
        return self.escalation(escalation_id)

    def reply(self, session_id: str, agent: str, text: str) -> Turn:
        """The agent's message to the customer, added to the transcript the widget polls. Replying
        to an unclaimed escalation claims it; one claimed by someone else is a ConflictError."""
        session = self._session(session_id)
        if not text.strip():
            raise RequestError("text is empty")
        if session.state != HANDED_OFF:
            raise ConflictError(f"session {shown(session_id)} is with the bot; claim an escalation first")
        esc = self.store.open_escalation(session_id)
        if esc is not None and esc.status == OPEN:
            self.claim(esc.escalation_id, agent)
        elif esc is not None and esc.status == CLAIMED and esc.agent != agent:
            raise ConflictError(f"escalation {esc.escalation_id} is claimed by {esc.agent!r}")
        turn = self.store.add_turn(Turn(session_id, Role.AGENT, text.strip(), self.clock(), session.lang,
                                        agent=agent))
        self.store.audit(AuditEntry(self.clock(), agent, "reply", esc.escalation_id if esc else "",
                                    session_id, f"turn {turn.turn_id}"))
        return turn

    def release(self, session_id: str, agent: str) -> Session:
        """Hand the session back to the bot. Its escalation is left as it is: resolving is its own
        action (before or after), so a later `resolve` still works."""
        session = self._session(session_id)
        if session.state == BOT:
            raise ConflictError(f"session {shown(session_id)} is already with the bot")
        esc = self.store.open_escalation(session_id)
        if esc is not None and esc.status == CLAIMED and esc.agent != agent:
            raise ConflictError(f"escalation {esc.escalation_id} is claimed by {esc.agent!r}")
        session = self.store.set_state(session_id, BOT)
        self._system(session_id, session.lang, message("handed_back", session.lang), "handed_back")
        latest = self.store.latest_escalation_id(session_id)
        self.store.audit(AuditEntry(self.clock(), agent, "release", latest, session_id))
        return session

    def add_note(self, escalation_id: str, agent: str, text: str) -> Note:
        """An internal note: agents see it, the customer never does."""
        text = text.strip()
        if not text:
            raise RequestError("note is empty")
        if len(text) > NOTE_MAX:
            raise RequestError(f"note is too long ({len(text)} characters, limit {NOTE_MAX})")
        esc = self.escalation(escalation_id)
        note = self.store.add_note(Note(esc.escalation_id, agent, text, self.clock()))
        self._audit(agent, "note", esc, f"note {note.note_id}")
        return note

    def _audit(self, agent: str, action: str, esc: Escalation, detail: str = "") -> None:
        self.store.audit(AuditEntry(self.clock(), agent, action, esc.escalation_id, esc.session_id, detail))

    def _session(self, session_id: str) -> Session:
        session = self.store.session(session_id)
        if session is None:
            raise NotFoundError(f"no session {shown(session_id)}")
        return session

    def _system(self, session_id: str, lang: str, text: str, reason: str) -> None:
        self.store.add_turn(Turn(session_id, Role.SYSTEM, text, self.clock(), lang, reason=reason))

