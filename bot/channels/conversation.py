"""A channel message becomes the widget's conversation: the same `Desk` (decisions, triggers,
handoff, languages, PII redaction, transcript), on a session derived from the channel identity,
answered once per platform message id, the reply queued in the channel outbox."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Callable

from bot.channels.base import PERSON, Adapter, Choice, Handoff, Inbound, Message, session_for
from bot.desk import Desk, Reply, check_contact
from bot.messages import message
from bot.records import BOT, HANDED_OFF, Contact, Role, Turn
from bot.types import ArticleRef, Decision
from kb.errors import FaqbotError, NotFoundError, RequestError
from kb.passages import sections

log = logging.getLogger(__name__)
_KEY = "channel_sessions"  # the store secret that keys channel session ids
_NUMBER = re.compile(r"^\s*#?\s*([0-9]{1,2})\s*[.)]?\s*$")
HANDLED, DUPLICATE, IGNORED = "answered", "duplicate", "ignored"


def passage(ref: ArticleRef, budget: int) -> str:
    """The part of the answer a chat shows: the passage that answers the question (bot.shaping),
    else (a chosen article) the article's first section, within `budget` characters; the link
    carries the rest."""
    if ref.passage:
        return ref.passage
    found = sections(ref.body)
    text = found[0][1] if found else ref.body
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    out = ""
    for p in paragraphs:
        if out and len(out) + len(p) + 2 > budget:
            break
        out = f"{out}\n\n{p}" if out else p
    return out


def to_message(reply: Reply, budget: int) -> Message:
    """The desk's reply as a channel message (any decision: what it says, its article, its choices)."""
    lang = reply.language
    choices = tuple(Choice(s.article_id, s.title) for s in reply.suggestions)
    handoff = None
    person = message("ui.talk_to_person", lang) if reply.state == BOT else ""
    if reply.escalation is not None and reply.decision == Decision.ESCALATED:
        e = reply.escalation
        handoff = Handoff(e.escalation_id, e.reason, e.language,
                          tuple(Choice(c.article_id, c.title) for c in e.candidates))
    if reply.answer is not None:
        ref = reply.answer
        text = "\n\n".join(x for x in (reply.notice, passage(ref, budget)) if x)
        return Message(lang, text, ref.title, ref.url, message("ui.read_more", lang), choices=choices,
                       handoff=handoff, person=person)
    prompt = reply.notice if choices else ""
    return Message(lang, "" if choices else reply.notice, prompt=prompt, choices=choices, handoff=handoff,
                   person=person)


class ChannelDesk:
    """Answers channel messages through `desk` and queues the replies."""

    def __init__(self, desk: Desk, clock: Callable[[], float] = time.time) -> None:
        self.desk, self.store, self.clock = desk, desk.store, clock
        self._key = self.store.secret(_KEY, lambda: secrets.token_hex(32))

    def session_id(self, inbound: Inbound) -> str:
        return session_for(self._key, inbound.channel, inbound.identity)

    def handle(self, adapter: Adapter, inbound: Inbound) -> str:
        """Answer `inbound` once: HANDLED (reply queued), DUPLICATE (already answered) or IGNORED
        (nothing the bot can read, like an empty message)."""
        sid = self.session_id(inbound)
        now = self.clock()
        channel = inbound.channel.value
        if not self.store.claim_channel_message(channel, inbound.message_id, sid, now):
            log.info("channel=%s session=%s: message already answered", channel, sid)
            return DUPLICATE
        try:
            self.store.set_channel_address(sid, channel, dict(inbound.address), now)
            if inbound.bot_owns:
                self._given_back(sid, channel, now)
            reply = self._reply(sid, inbound)
        except RequestError as e:
            log.info("channel=%s session=%s: not answered (%s)", channel, sid, type(e).__name__)
            return IGNORED
        except BaseException:
            self.store.release_channel_message(channel, inbound.message_id)  # the retry is answered
            raise
        msg = to_message(reply, self.desk.settings.passage_budget)
        self.store.set_channel_choices(sid, [(c.article_id, c.title) for c in msg.choices])
        self.store.add_channel_sends(sid, channel, adapter.parts(msg, inbound.context), self.clock())
        log.info("channel=%s session=%s decision=%s", channel, sid, reply.decision)
        return HANDLED

    def _given_back(self, sid: str, channel: str, now: float) -> None:
        """The platform's agents are done (the bot owns the conversation there again): resolve the
        open escalation and let the bot answer, as an agent's release would."""
        session = self.store.session(sid)
        if session is None or session.state != HANDED_OFF:
            return
        if self.store.channel_sends("pending", sid):
            return  # our own handoff (the switch to `open`) has not reached the platform yet
        esc = self.store.open_escalation(sid)
        if esc is not None:
            self.store.resolve(esc.escalation_id, channel, now=now)
        self.store.set_state(sid, BOT)
        self.store.add_turn(Turn(sid, Role.SYSTEM, f"{channel} gave the conversation back to the bot.", now,
                                 session.lang, reason="released"))
        log.info("channel=%s session=%s: back with the bot", channel, sid)

    def _reply(self, sid: str, inbound: Inbound) -> Reply:
        if inbound.choice == PERSON:
            return self.desk.handoff(sid, self._contact(inbound) or Contact(), "", inbound.lang)
        article = inbound.choice or self._numbered(sid, inbound.text)
        if article:
            try:
                return self.desk.choose(sid, article, inbound.lang)
            except NotFoundError:
                if not inbound.text:
                    raise RequestError(f"the chosen article {article!r} is gone") from None
        return self.desk.ask(inbound.text, inbound.lang, sid, self._contact(inbound))

    def _numbered(self, sid: str, text: str) -> str:
        """"2" after numbered choices (channels without buttons): the second one's article."""
        m = _NUMBER.match(text)
        found = self.store.channel_session(sid) if m else None
        if m is None or found is None:
            return ""
        choices = found[2]
        n = int(m.group(1))
        return choices[n - 1][0] if 1 <= n <= len(choices) else ""

    def _contact(self, inbound: Inbound) -> Contact | None:
        c = inbound.contact
        if c is None or not c:
            return None
        try:
            return check_contact(c.name, c.email, c.phone, inbound.lang)
        except FaqbotError:
            return Contact(c.name)  # a platform's odd number is no reason to refuse the question
