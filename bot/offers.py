"""The handoff state machine: the bot offers a person; it hands the conversation over only when the
customer accepts or asks, or a rule demands it; a customer still waiting can take it back.

    bot ──unanswerable──▶ bot + OFFERED ──"yes" / form / "talk to a person"──▶ handed_off (ESCALATED)
     │                        └──"no" / another question──▶ bot
     └──rule (sensitive, angry, urgent, unhelpful; `handoff_rules`)──▶ handed_off (ESCALATED)
    handed_off, nobody has claimed it ──"never mind"──▶ bot (WITHDRAWN)
    handed_off ──an agent releases it──▶ bot

`handoff_policy = "immediate"` (settings, or per request) restores the one-step behaviour: every
unanswerable question and every rule escalates at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from bot.escalation import Trigger
from bot.messages import join_messages, message
from bot.pii import redact
from bot.records import BOT, HANDED_OFF, OPEN, Candidate, Contact, Escalation, Role, Turn
from bot.replies import Reply, ReplyTime, elapsed_ms, new_escalation_id
from bot.routing import expected_reply, reply_notice, route
from bot.service import Bot
from bot.store import Store
from bot.types import SENSITIVE, Answer, Decision, Reason, Suggestion
from kb.handoff import Priority
from kb.settings import Settings

log = logging.getLogger(__name__)
_CANDIDATES = 3
_ALTERNATIVES, _ALTERNATIVE_FLOOR = 3, 0.15  # "these might help": only articles this likely
_REASON_MESSAGES = {"human_requested": "human_requested", "unhelpful": "unhelpful",
                    "customer_form": "form_received", "offer_accepted": "human_requested"}
ALWAYS = frozenset({Reason.HUMAN_REQUESTED, Reason.CUSTOMER_FORM, Reason.OFFER_ACCEPTED})


def rule_of(reason: str) -> str:
    """The handoff rule a trigger reason belongs to: "sensitive:legal" → "sensitive"."""
    return reason.split(":", 1)[0]


def last_bot_turn(turns: Sequence[Turn]) -> Turn | None:
    return next((t for t in reversed(turns) if t.role == Role.BOT), None)


class Handoffs:
    def __init__(self, bot: Bot, store: Store, settings: Settings, clock: Callable[[], float]) -> None:
        self.bot, self.store, self.settings, self.clock = bot, store, settings, clock

    def hands_over(self, trigger: Trigger, policy: str | None) -> bool:
        """Whether `trigger` takes the conversation to a person now, rather than offering one."""
        policy = policy or self.settings.handoff_policy
        return (policy == "immediate" or trigger.reason in ALWAYS
                or rule_of(trigger.reason) in self.settings.handoff_rules)

    def reply_time(self, queue: str, at: float, lang: str) -> ReplyTime:
        config = self.settings.queue(queue)
        reply = expected_reply(self.settings, config.name, at)
        return ReplyTime(config.name, config.timezone, reply.expected_at, reply.out_of_hours,
                         reply_notice(reply, lang, config.timezone))

    def offer(self, sid: str, lang: str, reason: str, answer: Answer | None, said: Turn,
              started: float) -> Reply:
        """"I don't know" (or "a person can help best"), the likeliest articles, and a person
        offered with the time they would reply by. Nothing is escalated yet."""
        hits = sorted((h for h in (answer.hits if answer else ())[:_ALTERNATIVES]
                       if h.confidence >= _ALTERNATIVE_FLOOR), key=lambda h: -h.confidence)
        versions = [self.bot.version(h.article_id, lang) for h in hits]
        alternatives = tuple(Suggestion(h.article_id, v.lang, v.title, round(h.confidence, 4))
                             for h, v in zip(hits, versions, strict=True))
        tags = self.tags(answer)
        queue, _ = route(self.settings, lang, tags, reason, Priority.NORMAL)
        when = self.reply_time(queue, self.clock(), lang)
        lead = "offer.rule" if answer is None or reason != answer.reason else "offer.unknown"
        notice = join_messages(lang, message(lead, lang),
                               message("offer.alternatives", lang) if alternatives else "",
                               message("offer.person", lang), when.notice)
        top = answer.hits[0] if answer and answer.hits else None
        # The question and the offer in one commit, as an answer is (one fsync, one write lock).
        _, turn = self.store.add_turns(said, Turn(
            sid, Role.BOT, notice, self.clock(), lang, Decision.OFFERED, top.article_id if top else "",
            answer.confidence if answer else None, reason, elapsed_ms(started)))
        return Reply(sid, turn.turn_id, Decision.OFFERED, reason, lang, BOT, notice,
                     answer.confidence if answer else None, suggestions=alternatives,
                     took_ms=turn.took_ms or 0.0, reply_time=when)

    def withdraw(self, sid: str, lang: str, said: Turn, started: float) -> Reply | None:
        """"Never mind" while no person has taken the request yet: it is resolved and the bot
        answers again. None when a person already owns the conversation."""
        esc = self.store.open_escalation(sid)
        if esc is not None and esc.status != OPEN:
            return None
        self.store.add_turn(said)
        if esc is not None:
            self.store.resolve(esc.escalation_id, "customer")
        self.store.set_state(sid, BOT)
        notice = message("offer.withdrawn", lang)
        turn = self.store.add_turn(Turn(sid, Role.BOT, notice, self.clock(), lang, Decision.WITHDRAWN,
                                        reason=Reason.WITHDRAW, took_ms=elapsed_ms(started)))
        log.info("escalation=%s withdrawn by the customer", esc.escalation_id if esc else None)
        return Reply(sid, turn.turn_id, Decision.WITHDRAWN, Reason.WITHDRAW, lang, BOT, notice,
                     took_ms=turn.took_ms or 0.0)

    def tags(self, answer: Answer | None) -> tuple[str, ...]:
        if answer is None or not answer.hits:
            return ()
        versions = self.bot.kb.translations(answer.hits[0].article_id)
        return tuple(sorted({t for a in versions.values() for t in a.tags}))

    def _candidates(self, answer: Answer | None, lang: str) -> tuple[Candidate, ...]:
        if answer is None:
            return ()
        return tuple(Candidate(h.article_id, self.bot.version(h.article_id, lang).title,
                               round(h.confidence, 4)) for h in answer.hits[:_CANDIDATES])

    def escalate(self, sid: str, lang: str, trigger: Trigger, answer: Answer | None,
                 started: float, contact: Contact | None, note: str = "", *, said: Turn) -> Reply:
        """Hand the session to a person: the escalation, its deliveries, what the customer said
        (`said`) and the bot's reply are one transaction."""
        now = self.clock()
        tags = self.tags(answer)
        queue, priority = route(self.settings, lang, tags, trigger.reason, trigger.priority)
        when = self.reply_time(queue, now, lang)
        session = self.store.session(sid)
        known = contact or (session.contact if session else Contact())
        esc = Escalation(new_escalation_id(), sid, trigger.reason, lang, priority, queue, now,
                         candidates=self._candidates(answer, lang), contact=known,
                         message=redact(note, lang), expected_reply_at=when.expected_at,
                         out_of_hours=when.out_of_hours, updated_at=now)
        # Without contact details, give the customer a moment to fill in the handoff form first.
        deliver_at = now if known.email or known.phone else now + self.settings.handoff_grace_seconds
        key = _REASON_MESSAGES.get(rule_of(trigger.reason),
                                   SENSITIVE if trigger.reason.startswith(SENSITIVE) else "handoff")
        notice = join_messages(lang, message(key, lang), when.notice)
        top = answer.hits[0] if answer and answer.hits else None
        bot_turn = Turn(sid, Role.BOT, notice, self.clock(), lang, Decision.ESCALATED,
                        top.article_id if top else "", answer.confidence if answer else None,
                        trigger.reason, elapsed_ms(started))
        esc = self.store.add_escalation(esc, [w.name for w in self.settings.webhooks], deliver_at,
                                        turns=(said, bot_turn))
        if contact:
            self.store.set_contact(sid, contact)
        turn = esc.transcript[-1]
        log.info("escalation=%s reason=%s queue=%s priority=%s lang=%s", esc.escalation_id,
                 trigger.reason, queue, priority, lang)
        return Reply(sid, turn.turn_id, Decision.ESCALATED, trigger.reason, lang, HANDED_OFF, notice,
                     answer.confidence if answer else None, escalation=esc, took_ms=turn.took_ms or 0.0,
                     reply_time=when)
