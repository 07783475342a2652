"""The agent side of a handoff: claim and resolve escalations, reply, hand the session back."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.messages import message
from bot.records import BOT, HANDED_OFF, OPEN, RESOLVED, Escalation, Role, Session, Turn
from bot.store import Store
from kb.errors import ConflictError, NotFoundError, RequestError, shown


class Agents:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store, self.clock = store, clock

    def escalation(self, escalation_id: str) -> Escalation:
        esc = self.store.escalation(escalation_id)
        if esc is None:
            raise NotFoundError(f"no escalation {shown(escalation_id)}")
        return esc

    def claim(self, escalation_id: str, agent: str) -> Escalation:
        esc = self.store.claim(self.escalation(escalation_id).escalation_id, agent)
        self._system(esc.session_id, esc.language, f"{agent} took over the conversation.", "claimed")
        return esc

    def resolve(self, escalation_id: str, agent: str) -> Escalation:
        esc = self.store.resolve(self.escalation(escalation_id).escalation_id, agent)
        self._system(esc.session_id, esc.language, f"{agent} resolved the request.", "resolved")
        return esc

    def reply(self, session_id: str, agent: str, text: str) -> Turn:
        """The agent's message to the customer, added to the transcript the widget polls."""
        session = self._session(session_id)
        if not text.strip():
            raise RequestError("text is empty")
        if session.state != HANDED_OFF:
            raise ConflictError(f"session {shown(session_id)} is with the bot; claim an escalation first")
        return self.store.add_turn(Turn(session_id, Role.AGENT, text.strip(), self.clock(), session.lang,
                                        agent=agent))

    def release(self, session_id: str, agent: str) -> Session:
        """Hand the session back to the bot, resolving its open escalation."""
        session = self._session(session_id)
        if session.state == BOT:
            raise ConflictError(f"session {shown(session_id)} is already with the bot")
        esc = self.store.open_escalation(session_id)
        if esc is not None and esc.status != RESOLVED:
            if esc.status == OPEN:
                self.store.claim(esc.escalation_id, agent)
            self.store.resolve(esc.escalation_id, agent)
        session = self.store.set_state(session_id, BOT)
        self._system(session_id, session.lang, message("handed_back", session.lang), "handed_back")
        return session

    def _session(self, session_id: str) -> Session:
        session = self.store.session(session_id)
        if session is None:
            raise NotFoundError(f"no session {shown(session_id)}")
        return session

    def _system(self, session_id: str, lang: str, text: str, reason: str) -> None:
        self.store.add_turn(Turn(session_id, Role.SYSTEM, text, self.clock(), lang, reason=reason))
