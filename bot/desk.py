"""The conversation service: sessions, transcripts, escalation triggers and the handoff to people.

`Bot` decides what one question deserves; `Desk` keeps the conversation around it. Every customer
message and bot reply is stored (PII-redacted) before the caller gets the reply, and an escalation
is committed, with its webhook outbox rows, before the customer is told a person will reply.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.escalation import Trigger, TriggerDetector, default_sensitive_topics
from bot.messages import join_messages, language_name, message
from bot.pii import redact
from bot.records import BOT, HANDED_OFF, Candidate, Contact, Escalation, Feedback, Session, Turn
from bot.routing import expected_reply, reply_notice, route
from bot.service import Bot, clean_question
from bot.store import Store
from bot.types import Answer, ArticleRef, Suggestion
from kb.errors import NotFoundError, RequestError
from kb.models import Article
from kb.settings import Settings

log = logging.getLogger(__name__)
_SESSION_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}\Z")  # "$" would let a trailing newline in
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().-]{6,25}$")
_CANDIDATES = 3
_READABLE_ID = 16
_CUSTOMER_NOTES = {"handed_back"}
_POPULAR_TTL, _POPULAR_WINDOW = 600.0, 30 * 86400.0
_REASON_MESSAGES = {"human_requested": "human_requested", "unhelpful": "unhelpful",
                    "customer_form": "form_received"}


@dataclass(frozen=True)
class Reply:
    """What the customer gets back for one message, with the ids to continue the conversation."""

    session_id: str
    turn_id: int  # the bot's turn (rate it with feedback); the customer's turn when handed off
    decision: str  # "answered" | "suggest" | "escalated" | "handed_off"
    reason: str
    language: str
    state: str
    notice: str = ""
    confidence: float | None = None
    answer: ArticleRef | None = None
    suggestions: tuple[Suggestion, ...] = ()
    escalation: Escalation | None = None
    took_ms: float = 0.0


@dataclass(frozen=True)
class FeedbackResult:
    session_id: str
    state: str
    notice: str
    escalation: Escalation | None = None  # when this rating made it two unhelpful answers in a row


def check_session_id(session_id: object) -> str:
    if not isinstance(session_id, str) or not _SESSION_ID.match(session_id):
        raise RequestError(f"session_id must be 1-128 letters, digits, '_', '.', ':' or '-', "
                           f"got {session_id!r}"[:200])
    return session_id


def check_contact(name: object = "", email: object = "", phone: object = "") -> Contact:
    values: dict[str, str] = {}
    for field, value in (("name", name), ("email", email), ("phone", phone)):
        value = "" if value is None else value  # `value or ""` let false, 0 and [] pass as ""
        if not isinstance(value, str) or len(value) > 200:
            raise RequestError(f"{field} must be a string of at most 200 characters")
        values[field] = value
    email_s, phone_s = values["email"].strip(), values["phone"].strip()
    if email_s and not _EMAIL.match(email_s):
        raise RequestError(f"email is not a valid address: {email_s!r}")
    if phone_s and not _PHONE.match(phone_s):
        raise RequestError(f"phone is not a valid number: {phone_s!r}")
    return Contact(" ".join(values["name"].split()), email_s, phone_s)


class Desk:
    def __init__(self, bot: Bot, store: Store, settings: Settings,
                 clock: Callable[[], float] = time.time) -> None:
        self.bot, self.store, self.settings, self.clock = bot, store, settings, clock
        configured = {t.name for t in settings.sensitive_topics}
        builtin = tuple(t for t in default_sensitive_topics() if t.name not in configured) \
            if settings.builtin_sensitive_topics else ()
        self.triggers = TriggerDetector((*builtin, *settings.sensitive_topics))
        self._popular: tuple[float, list[str]] | None = None

    def popular(self, lang: str, k: int = 5) -> list[Article]:
        """The articles customers got most in the last 30 days (recounted every 10 minutes),
        topped up with the articles that have the most example questions."""
        now = self.clock()
        if self._popular is None or now - self._popular[0] > _POPULAR_TTL:
            counts = Counter(t.article_id for t in self.store.turns(now - _POPULAR_WINDOW, None)
                             if t.role == "bot" and t.decision == "answered" and t.article_id)
            kb = self.bot.kb
            fallback = sorted(kb.ids, key=lambda i: (-max(len(a.questions) for a in
                                                          kb.translations(i).values()), i))
            ranked = [i for i, _ in counts.most_common() if kb.translations(i)] + fallback
            self._popular = (now, list(dict.fromkeys(ranked)))
        return [self.bot.version(i, lang) for i in self._popular[1][:k]]

    # --- customer side ---
    def ask(self, question: object, lang: object = None, session_id: object = None,
            contact: Contact | None = None) -> Reply:
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        sid = check_session_id(session_id) if session_id is not None else new_session_id()
        session = self.store.session(sid)
        previous = session.lang if session else None
        if session is not None and session.state == HANDED_OFF:
            detected = self.bot.languages.detect(text, self.bot.lang_hint(lang), previous).lang
            turn = self._customer(sid, text, detected)
            return Reply(sid, turn.turn_id, "handed_off", "with_agent", detected, HANDED_OFF,
                         message("with_agent", detected), escalation=self.store.open_escalation(sid),
                         took_ms=_ms(started))
        answer = self.bot.answer(text, lang, previous)
        detected = answer.language
        self._customer(sid, text, detected)
        if contact:
            self.store.set_contact(sid, contact)
        top_tags = self._tags(answer)
        trigger = self.triggers.detect(text, detected, top_tags)
        if trigger is None and answer.decision == "answered" and answer.answer is not None:
            streak = unhelpful_streak(self.store.transcript(sid), answer.answer.article_id)
            if streak >= self.settings.unhelpful_limit:
                trigger = Trigger("unhelpful", "normal", f"{streak} unhelpful answers")
        if trigger is None and answer.decision == "escalated":
            trigger = Trigger(answer.reason, "normal")
        if trigger is not None:
            return self._escalate(sid, detected, trigger, answer, started, contact)
        bot_text = (answer.answer.title if answer.answer is not None
                    else "\n".join([answer.notice, *(s.title for s in answer.suggestions)]))
        top = answer.hits[0] if answer.hits else None
        turn = self.store.add_turn(Turn(
            sid, "bot", bot_text, self.clock(), detected, answer.decision,
            answer.answer.article_id if answer.answer else (top.article_id if top else ""),
            answer.confidence, answer.reason, _ms(started)))
        return Reply(sid, turn.turn_id, answer.decision, answer.reason, detected, BOT, answer.notice,
                     answer.confidence, answer.answer, answer.suggestions, took_ms=turn.took_ms or 0.0)

    def choose(self, session_id: object, article_id: object, lang: object = None) -> Reply:
        """The customer picked a suggested article (did-you-mean or popular)."""
        started = time.perf_counter()
        sid = check_session_id(session_id)
        if not isinstance(article_id, str) or not self.bot.kb.translations(article_id):
            raise NotFoundError(f"no article with id {article_id!r}"[:200])
        session = self.store.session(sid)
        detected = self.bot.languages.detect("", self.bot.lang_hint(lang),
                                             session.lang if session else None).lang
        article = self.bot.version(article_id, detected)
        notice = ""
        if article.lang != detected:
            notice = message("only_in", detected, language=language_name(article.lang, detected))
        self._customer(sid, article.title, detected, reason="chosen")
        turn = self.store.add_turn(Turn(sid, "bot", article.title, self.clock(), detected, "answered",
                                        article.id, None, "chosen", _ms(started)))
        ref = ArticleRef(article.id, article.lang, article.title, article.body, article.url)
        state = session.state if session else BOT
        return Reply(sid, turn.turn_id, "answered", "chosen", detected, state, notice, None, ref,
                     took_ms=_ms(started))

    def handoff(self, session_id: object, contact: Contact, text: object = "",
                lang: object = None) -> Reply:
        """The customer asked for a person through the handoff form."""
        started = time.perf_counter()
        sid = check_session_id(session_id)
        if not isinstance(text, str) or len(text) > self.settings.max_question_chars * 4:
            raise RequestError(f"message must be a string of at most "
                               f"{self.settings.max_question_chars * 4} characters")
        note = " ".join(text.split())
        session = self.store.session(sid)
        hint = self.bot.lang_hint(lang)
        previous = session.lang if session else None
        detected = self.bot.languages.detect(note, hint, previous).lang
        self._customer(sid, note or message("ui.talk_to_person", detected), detected,
                       reason="handoff_form")
        if contact:
            self.store.set_contact(sid, contact)
        current = self.store.open_escalation(sid)
        if current is not None:
            esc = self.store.update_escalation(current.escalation_id, contact=contact or None,
                                               message=redact(note) if note else None)
            notice = join_messages(detected, message("form_received", detected),
                                   self._reply_notice(esc, detected))
            turn = self.store.add_turn(Turn(sid, "bot", notice, self.clock(), detected, "handed_off",
                                            reason="customer_form", took_ms=_ms(started)))
            return Reply(sid, turn.turn_id, "handed_off", "customer_form", detected, HANDED_OFF,
                         notice, escalation=esc, took_ms=_ms(started))
        return self._escalate(sid, detected, Trigger("customer_form", "normal"), None, started,
                              contact, note)

    def feedback(self, session_id: object, turn_id: object, helpful: object = None,
                 csat: object = None, comment: object = "") -> FeedbackResult:
        sid = check_session_id(session_id)
        if not isinstance(turn_id, int) or isinstance(turn_id, bool) or turn_id < 1:
            raise RequestError(f"turn_id must be a positive integer, got {turn_id!r}"[:200])
        if helpful is not None and not isinstance(helpful, bool):
            raise RequestError(f"helpful must be true or false, got {helpful!r}"[:200])
        if csat is not None and (not isinstance(csat, int) or isinstance(csat, bool)
                                 or not 1 <= csat <= 5):
            raise RequestError(f"csat must be an integer from 1 to 5, got {csat!r}"[:200])
        if not isinstance(comment, str) or len(comment) > 2000:
            raise RequestError("comment must be a string of at most 2000 characters")
        if helpful is None and csat is None and not comment.strip():
            raise RequestError("send at least one of helpful, csat or comment")
        session = self.store.session(sid)
        if session is None:
            raise NotFoundError(f"no session {sid!r}")
        self.store.add_feedback(Feedback(sid, turn_id, self.clock(), helpful, csat,
                                         redact(" ".join(comment.split()))))
        lang = session.lang or self.bot.languages.default
        if helpful is False:
            turns = self.store.transcript(sid)
            rated = next((t for t in turns if t.turn_id == turn_id), None)
            self.store.add_turn(Turn(sid, "system", "The customer said this answer did not help.",
                                     self.clock(), lang, article_id=rated.article_id if rated else "",
                                     reason=f"unhelpful:{turn_id}"))
            if session.state == BOT:
                streak = unhelpful_streak(self.store.transcript(sid))
                if streak >= self.settings.unhelpful_limit:
                    reply = self._escalate(sid, lang, Trigger("unhelpful", "normal"), None,
                                           time.perf_counter(), None)
                    return FeedbackResult(sid, reply.state, reply.notice, reply.escalation)
        open_esc = self.store.open_escalation(sid) if session.state == HANDED_OFF else None
        return FeedbackResult(sid, session.state, message("ui.thanks_feedback", lang), open_esc)

    def transcript(self, session_id: object, after: int = 0) -> tuple[Session, list[Turn]]:
        """The turns after `after`, for the customer's widget. Short ids (a help desk's ticket
        numbers) are guessable, so only random-length ids can be read back this way."""
        sid = check_session_id(session_id)
        if len(sid) < _READABLE_ID:
            raise RequestError(f"only sessions with ids of at least {_READABLE_ID} characters can be "
                               "read back; let the widget create the session id")
        session = self.store.session(sid)
        if session is None:
            raise NotFoundError(f"no session {sid!r}")
        # Notes for agents (ratings, claims) stay internal; the customer sees the conversation.
        return session, [t for t in self.store.transcript(sid) if t.turn_id > after
                         and (t.role != "system" or t.reason in _CUSTOMER_NOTES)]

    # --- helpers ---
    def _customer(self, sid: str, text: str, lang: str, reason: str = "") -> Turn:
        return self.store.add_turn(Turn(sid, "customer", redact(text), self.clock(), lang, reason=reason))

    def _tags(self, answer: Answer) -> tuple[str, ...]:
        if not answer.hits:
            return ()
        versions = self.bot.kb.translations(answer.hits[0].article_id)
        return tuple(sorted({t for a in versions.values() for t in a.tags}))

    def _candidates(self, answer: Answer | None, lang: str) -> tuple[Candidate, ...]:
        if answer is None:
            return ()
        return tuple(Candidate(h.article_id, self.bot.version(h.article_id, lang).title,
                               round(h.confidence, 4)) for h in answer.hits[:_CANDIDATES])

    def _reply_notice(self, esc: Escalation, lang: str) -> str:
        queue = self.settings.queue(esc.queue)
        reply = expected_reply(self.settings, queue.name, esc.created_at)
        return reply_notice(reply, lang, queue.timezone)

    def _escalate(self, sid: str, lang: str, trigger: Trigger, answer: Answer | None,
                  started: float, contact: Contact | None, note: str = "") -> Reply:
        now = self.clock()
        tags = self._tags(answer) if answer else ()
        queue, priority = route(self.settings, lang, tags, trigger.reason, trigger.priority)
        reply = expected_reply(self.settings, queue, now)
        session = self.store.session(sid)
        known = contact or (session.contact if session else Contact())
        esc = Escalation(new_escalation_id(), sid, trigger.reason, lang, priority, queue, now,
                         candidates=self._candidates(answer, lang), contact=known,
                         message=redact(note), expected_reply_at=reply.expected_at,
                         out_of_hours=reply.out_of_hours, updated_at=now)
        # Without contact details, give the customer a moment to fill in the handoff form first.
        deliver_at = now if known.email or known.phone else now + self.settings.handoff_grace_seconds
        esc = self.store.add_escalation(esc, [w.name for w in self.settings.webhooks], deliver_at)
        key = _REASON_MESSAGES.get(trigger.reason.split(":")[0],
                                   "sensitive" if trigger.reason.startswith("sensitive") else "handoff")
        notice = join_messages(lang, message(key, lang),
                               reply_notice(reply, lang, self.settings.queue(queue).timezone))
        top = answer.hits[0] if answer and answer.hits else None
        turn = self.store.add_turn(Turn(sid, "bot", notice, self.clock(), lang, "escalated",
                                        top.article_id if top else "",
                                        answer.confidence if answer else None, trigger.reason,
                                        _ms(started)))
        log.info("escalation=%s reason=%s queue=%s priority=%s lang=%s", esc.escalation_id,
                 trigger.reason, queue, priority, lang)
        return Reply(sid, turn.turn_id, "escalated", trigger.reason, lang, HANDED_OFF, notice,
                     answer.confidence if answer else None, escalation=esc, took_ms=turn.took_ms or 0.0)


def unhelpful_streak(turns: Sequence[Turn], current_article: str = "") -> int:
    """How many of the latest answers in a row did not help: the customer said so, or asked again
    and got the same article again (`current_article` is the answer about to be given)."""
    answers = [t for t in turns if t.role == "bot" and t.decision == "answered"]
    flagged = {t.reason.split(":", 1)[1] for t in turns
               if t.role == "system" and t.reason.startswith("unhelpful:")}
    streak = 0
    if current_article and answers and str(answers[-1].turn_id) in flagged \
            and answers[-1].article_id == current_article:
        streak += 1  # about to repeat the very article the customer just rejected
    for i in range(len(answers) - 1, -1, -1):
        following = answers[i + 1].article_id if i + 1 < len(answers) else current_article
        if str(answers[i].turn_id) in flagged or (following and following == answers[i].article_id):
            streak += 1
        else:
            break
    return streak


def new_session_id() -> str:
    return secrets.token_hex(16)


def new_escalation_id() -> str:
    return "esc_" + secrets.token_hex(12)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
