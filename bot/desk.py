"""The conversation service: sessions, transcripts, escalation triggers and the handoff to people.

`Bot` decides what one question deserves; `Desk` keeps the conversation around it. Every customer
message and bot reply is stored (PII-redacted) before the caller gets the reply, and an escalation
is committed, with its webhook outbox rows, before the customer is told a person will reply.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot.escalation import Trigger, TriggerDetector, default_sensitive_topics
from bot.messages import join_messages, language_name, message
from bot.pii import redact, region_for
from bot.records import BOT, HANDED_OFF, Candidate, Contact, Escalation, Feedback, Role, Session, Turn
from bot.routing import expected_reply, reply_notice, route
from bot.service import Bot, clean_question
from bot.store import Store
from bot.types import SENSITIVE, Answer, ArticleRef, Decision, Reason, Suggestion
from kb.errors import NotFoundError, RequestError, shown
from kb.handoff import Priority
from kb.models import Article
from kb.settings import Settings

log = logging.getLogger(__name__)
_CANDIDATES = 3
_CUSTOMER_NOTES = {"handed_back"}
_POPULAR_TTL, _POPULAR_WINDOW = 600.0, 30 * 86400.0
_REASON_MESSAGES = {"human_requested": "human_requested", "unhelpful": "unhelpful",
                    "customer_form": "form_received"}


@dataclass(frozen=True)
class Reply:
    """What the customer gets back for one message, with the ids to continue the conversation."""

    session_id: str
    turn_id: int  # the bot's turn (rate it with feedback); the customer's turn when handed off
    decision: Decision
    reason: str  # a Reason, or "sensitive:<topic>"
    language: str
    state: str  # a SessionState
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


def check_contact(name: str = "", email: str = "", phone: str = "", lang: str | None = None) -> Contact:
    """The contact details a customer typed, tidied, or RequestError naming the one that is wrong.
    The address is checked by email-validator (syntax only: no DNS) and kept in its normalized form;
    the phone number by libphonenumber, read in the country `lang` implies unless it starts with
    +country code, and kept in international form ("+66 81 234 5678")."""
    email, phone = email.strip(), phone.strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as e:
            raise RequestError(f"email is not a valid address: {shown(email)} ({e})") from None
    if phone:
        phone = _phone_number(phone, lang)
    return Contact(" ".join(name.split()), email, phone)


def _phone_number(phone: str, lang: str | None) -> str:
    region = region_for(lang)
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        number = None
    # Valid, not merely possible: "081 234 5678" read as a US number has a possible length but is
    # a Thai number without its country code, which an agent could not call back.
    if number is None or not phonenumbers.is_valid_number(number):
        raise RequestError(f"phone is not a valid number: {shown(phone)} (read as a number in {region}; "
                           "write it with its country code, like +66 81 234 5678)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


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
                             if t.role == Role.BOT and t.decision == Decision.ANSWERED and t.article_id)
            kb = self.bot.kb
            fallback = sorted(kb.ids, key=lambda i: (-max(len(a.questions) for a in
                                                          kb.translations(i).values()), i))
            ranked = [i for i, _ in counts.most_common() if kb.translations(i)] + fallback
            self._popular = (now, list(dict.fromkeys(ranked)))
        return [self.bot.version(i, lang) for i in self._popular[1][:k]]

    # --- customer side ---
    def ask(self, question: str, lang: str | None = None, session_id: str | None = None,
            contact: Contact | None = None) -> Reply:
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        sid = session_id if session_id is not None else new_session_id()
        session = self.store.session(sid)
        previous = session.lang if session else None
        if session is not None and session.state == HANDED_OFF:
            detected = self.bot.resolve_language(text, lang, previous)
            turn = self._customer(sid, text, detected)
            return Reply(sid, turn.turn_id, Decision.HANDED_OFF, Reason.WITH_AGENT, detected, HANDED_OFF,
                         message("with_agent", detected), escalation=self.store.open_escalation(sid),
                         took_ms=_ms(started))
        answer = self.bot.answer(text, lang, previous)
        detected = answer.language
        said = self._said(sid, text, detected)
        top_tags = self._tags(answer)
        trigger = self.triggers.detect(text, detected, top_tags)
        if trigger is None and answer.decision == Decision.ANSWERED and answer.answer is not None:
            streak = unhelpful_streak(self.store.transcript(sid), answer.answer.article_id)
            if streak >= self.settings.unhelpful_limit:
                trigger = Trigger(Reason.UNHELPFUL, Priority.NORMAL, f"{streak} unhelpful answers")
        if trigger is None and answer.decision == Decision.ESCALATED:
            trigger = Trigger(answer.reason, Priority.NORMAL)
        if trigger is not None:
            return self._escalate(sid, detected, trigger, answer, started, contact, said=said)
        bot_text = (answer.answer.title if answer.answer is not None
                    else "\n".join([answer.notice, *(s.title for s in answer.suggestions)]))
        top = answer.hits[0] if answer.hits else None
        # The question and the answer in one commit (one fsync: half a repeated question's time).
        _, turn = self.store.add_turns(said, Turn(
            sid, Role.BOT, bot_text, self.clock(), detected, answer.decision,
            answer.answer.article_id if answer.answer else (top.article_id if top else ""),
            answer.confidence, answer.reason, _ms(started)))
        if contact:
            self.store.set_contact(sid, contact)
        return Reply(sid, turn.turn_id, answer.decision, answer.reason, detected, BOT, answer.notice,
                     answer.confidence, answer.answer, answer.suggestions, took_ms=turn.took_ms or 0.0)

    def choose(self, session_id: str, article_id: str, lang: str | None = None) -> Reply:
        """The customer picked a suggested article (did-you-mean or popular)."""
        started = time.perf_counter()
        sid = session_id
        if not self.bot.kb.translations(article_id):
            raise NotFoundError(f"no article with id {shown(article_id)}")
        session = self.store.session(sid)
        detected = self.bot.resolve_language("", lang, session.lang if session else None)
        article = self.bot.version(article_id, detected)
        notice = ""
        if article.lang != detected:
            notice = message("only_in", detected, language=language_name(article.lang, detected))
        self._customer(sid, article.title, detected, reason=Reason.CHOSEN)
        turn = self.store.add_turn(Turn(sid, Role.BOT, article.title, self.clock(), detected,
                                        Decision.ANSWERED, article.id, None, Reason.CHOSEN, _ms(started)))
        ref = ArticleRef(article.id, article.lang, article.title, article.body, article.url)
        state = session.state if session else BOT
        return Reply(sid, turn.turn_id, Decision.ANSWERED, Reason.CHOSEN, detected, state, notice, None,
                     ref, took_ms=_ms(started))

    def handoff(self, session_id: str, contact: Contact, text: str = "",
                lang: str | None = None) -> Reply:
        """The customer asked for a person through the handoff form."""
        started = time.perf_counter()
        sid = session_id
        note = " ".join(text.split())
        session = self.store.session(sid)
        detected = self.bot.resolve_language(note, lang, session.lang if session else None)
        said = self._said(sid, note or message("ui.talk_to_person", detected), detected,
                          reason="handoff_form")
        current = self.store.open_escalation(sid)
        if current is not None:
            self.store.add_turn(said)
            if contact:
                self.store.set_contact(sid, contact)
            esc = self.store.update_escalation(current.escalation_id, contact=contact or None,
                                               message=redact(note, detected) if note else None)
            notice = join_messages(detected, message("form_received", detected),
                                   self._reply_notice(esc, detected))
            turn = self.store.add_turn(Turn(sid, Role.BOT, notice, self.clock(), detected,
                                            Decision.HANDED_OFF, reason=Reason.CUSTOMER_FORM,
                                            took_ms=_ms(started)))
            return Reply(sid, turn.turn_id, Decision.HANDED_OFF, Reason.CUSTOMER_FORM, detected,
                         HANDED_OFF, notice, escalation=esc, took_ms=_ms(started))
        return self._escalate(sid, detected, Trigger(Reason.CUSTOMER_FORM, Priority.NORMAL), None,
                              started, contact, note, said=said)

    def feedback(self, session_id: str, turn_id: int, helpful: bool | None = None,
                 csat: int | None = None, comment: str = "") -> FeedbackResult:
        """A rating of the bot's turn `turn_id`: helpful or not, CSAT 1-5, a comment."""
        sid = session_id
        if helpful is None and csat is None and not comment.strip():
            raise RequestError("send at least one of helpful, csat or comment")
        session = self.store.session(sid)
        if session is None:
            raise NotFoundError(f"no session {sid!r}")
        lang = session.lang or self.bot.languages.default
        self.store.add_feedback(Feedback(sid, turn_id, self.clock(), helpful, csat,
                                         redact(" ".join(comment.split()), lang)))
        if helpful is False:
            turns = self.store.transcript(sid)
            rated = next((t for t in turns if t.turn_id == turn_id), None)
            note = Turn(sid, Role.SYSTEM, "The customer said this answer did not help.", self.clock(),
                        lang, article_id=rated.article_id if rated else "", reason=f"unhelpful:{turn_id}")
            if session.state == BOT and \
                    unhelpful_streak([*turns, note]) >= self.settings.unhelpful_limit:
                reply = self._escalate(sid, lang, Trigger(Reason.UNHELPFUL, Priority.NORMAL), None,
                                       time.perf_counter(), None, said=note)
                return FeedbackResult(sid, reply.state, reply.notice, reply.escalation)
            self.store.add_turn(note)
        open_esc = self.store.open_escalation(sid) if session.state == HANDED_OFF else None
        return FeedbackResult(sid, session.state, message("ui.thanks_feedback", lang), open_esc)

    def transcript(self, session_id: str, after: int = 0) -> tuple[Session, list[Turn]]:
        """The turns after `after`, for the customer's widget (the edge has checked the session is
        the caller's)."""
        sid = session_id
        session = self.store.session(sid)
        if session is None:
            raise NotFoundError(f"no session {sid!r}")
        # Notes for agents (ratings, claims) stay internal; the customer sees the conversation.
        return session, [t for t in self.store.transcript(sid) if t.turn_id > after
                         and (t.role != Role.SYSTEM or t.reason in _CUSTOMER_NOTES)]

    # --- helpers ---
    def _customer(self, sid: str, text: str, lang: str, reason: str = "") -> Turn:
        return self.store.add_turn(self._said(sid, text, lang, reason))

    def _said(self, sid: str, text: str, lang: str, reason: str = "") -> Turn:
        """The customer's message as the transcript keeps it (redacted), not stored yet."""
        return Turn(sid, Role.CUSTOMER, redact(text, lang), self.clock(), lang, reason=reason)

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
                  started: float, contact: Contact | None, note: str = "", *, said: Turn) -> Reply:
        """Hand the session to a person: the escalation, its deliveries, what the customer said
        (`said`) and the bot's reply are one transaction."""
        now = self.clock()
        tags = self._tags(answer) if answer else ()
        queue, priority = route(self.settings, lang, tags, trigger.reason, trigger.priority)
        reply = expected_reply(self.settings, queue, now)
        session = self.store.session(sid)
        known = contact or (session.contact if session else Contact())
        esc = Escalation(new_escalation_id(), sid, trigger.reason, lang, priority, queue, now,
                         candidates=self._candidates(answer, lang), contact=known,
                         message=redact(note, lang), expected_reply_at=reply.expected_at,
                         out_of_hours=reply.out_of_hours, updated_at=now)
        # Without contact details, give the customer a moment to fill in the handoff form first.
        deliver_at = now if known.email or known.phone else now + self.settings.handoff_grace_seconds
        key = _REASON_MESSAGES.get(trigger.reason.split(":")[0],
                                   SENSITIVE if trigger.reason.startswith(SENSITIVE) else "handoff")
        notice = join_messages(lang, message(key, lang),
                               reply_notice(reply, lang, self.settings.queue(queue).timezone))
        top = answer.hits[0] if answer and answer.hits else None
        bot_turn = Turn(sid, Role.BOT, notice, self.clock(), lang, Decision.ESCALATED,
                        top.article_id if top else "", answer.confidence if answer else None,
                        trigger.reason, _ms(started))
        esc = self.store.add_escalation(esc, [w.name for w in self.settings.webhooks], deliver_at,
                                        turns=(said, bot_turn))
        if contact:
            self.store.set_contact(sid, contact)
        turn = esc.transcript[-1]
        log.info("escalation=%s reason=%s queue=%s priority=%s lang=%s", esc.escalation_id,
                 trigger.reason, queue, priority, lang)
        return Reply(sid, turn.turn_id, Decision.ESCALATED, trigger.reason, lang, HANDED_OFF, notice,
                     answer.confidence if answer else None, escalation=esc, took_ms=turn.took_ms or 0.0)


def unhelpful_streak(turns: Sequence[Turn], current_article: str = "") -> int:
    """How many of the latest answers in a row did not help: the customer said so, or asked again
    and got the same article again (`current_article` is the answer about to be given)."""
    answers = [t for t in turns if t.role == Role.BOT and t.decision == Decision.ANSWERED]
    flagged = {t.reason.split(":", 1)[1] for t in turns
               if t.role == Role.SYSTEM and t.reason.startswith("unhelpful:")}
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
