"""The conversation service: sessions, transcripts, escalation triggers and the handoff to people.

`Bot` decides what one question deserves; `Desk` keeps the conversation around it. Every customer
message and bot reply is stored (PII-redacted) before the caller gets the reply, and an escalation
is committed, with its webhook outbox rows, before the customer is told a person will reply.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence

from bot.contact import check_contact
from bot.escalation import Trigger, TriggerDetector, default_sensitive_topics
from bot.messages import join_messages, language_name, message
from bot.offers import Handoffs, last_bot_turn
from bot.pii import redact
from bot.records import BOT, HANDED_OFF, Contact, Feedback, Role, Session, Turn
from bot.replies import FeedbackResult, Reply, elapsed_ms, new_escalation_id, new_session_id
from bot.service import Bot, clean_question
from bot.smalltalk import Act, SmallTalk, Talk
from bot.store import Store
from bot.types import Decision, Reason, Suggestion
from kb.errors import NotFoundError, RequestError, shown
from kb.handoff import Priority
from kb.models import Article
from kb.settings import Settings

# Reply, FeedbackResult, check_contact and the id makers lived here; re-exported for their callers.
__all__ = ["Desk", "FeedbackResult", "Reply", "check_contact", "new_escalation_id", "new_session_id",
           "unhelpful_streak"]
log = logging.getLogger(__name__)
_CUSTOMER_NOTES = {"handed_back"}
_POPULAR_TTL, _POPULAR_WINDOW = 600.0, 30 * 86400.0
_TOPICS = 4  # popular articles offered with a greeting or "help"
_NEXT_BEST_FLOOR = 0.05  # "not helpful": other articles at least this likely are worth a look


class Desk:
    def __init__(self, bot: Bot, store: Store, settings: Settings,
                 clock: Callable[[], float] = time.time) -> None:
        self.bot, self.store, self.settings, self.clock = bot, store, settings, clock
        configured = {t.name for t in settings.sensitive_topics}
        builtin = tuple(t for t in default_sensitive_topics() if t.name not in configured) \
            if settings.builtin_sensitive_topics else ()
        self.triggers = TriggerDetector((*builtin, *settings.sensitive_topics))
        self.talk = SmallTalk()
        self.handoffs = Handoffs(bot, store, settings, clock)
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
            contact: Contact | None = None, handoff_policy: str | None = None) -> Reply:
        started = time.perf_counter()
        text = clean_question(question, self.settings.max_question_chars)
        sid = session_id if session_id is not None else new_session_id()
        session = self.store.session(sid)
        previous = session.lang if session else None
        talk = self.talk.detect(text)
        if session is not None and session.state == HANDED_OFF:
            detected = previous or self.bot.resolve_language(text, lang, previous) if talk \
                else self.bot.resolve_language(text, lang, previous)
            if talk is not None and talk.act == Act.WITHDRAW:
                withdrawn = self.handoffs.withdraw(sid, detected, self._said(sid, text, detected), started)
                if withdrawn is not None:
                    return withdrawn
            turn = self._customer(sid, text, detected)
            return Reply(sid, turn.turn_id, Decision.HANDED_OFF, Reason.WITH_AGENT, detected, HANDED_OFF,
                         message("with_agent", detected), escalation=self.store.open_escalation(sid),
                         took_ms=_ms(started))
        if talk is not None:
            return self._small_talk(sid, text, talk, self._talk_lang(talk, text, lang, previous),
                                    started, contact)
        answer = self.bot.answer(text, lang, previous)
        detected = answer.language
        said = self._said(sid, text, detected)
        trigger = self.triggers.detect(text, detected, self.handoffs.tags(answer))
        if trigger is None and answer.decision == Decision.ANSWERED and answer.answer is not None:
            streak = unhelpful_streak(self.store.transcript(sid), answer.answer.article_id)
            if streak >= self.settings.unhelpful_limit:
                trigger = Trigger(Reason.UNHELPFUL, Priority.NORMAL, f"{streak} unhelpful answers")
        if trigger is not None:
            if self.handoffs.hands_over(trigger, handoff_policy):
                return self.handoffs.escalate(sid, detected, trigger, answer, started, contact, said=said)
            return self._keep_contact(sid, contact, self.handoffs.offer(sid, detected, trigger.reason, None,
                                                                        said, started))
        if answer.decision == Decision.ESCALATED:
            if (handoff_policy or self.settings.handoff_policy) == "immediate":
                return self.handoffs.escalate(sid, detected, Trigger(answer.reason, Priority.NORMAL), answer,
                                              started, contact, said=said)
            return self._keep_contact(sid, contact, self.handoffs.offer(sid, detected, answer.reason, answer,
                                                                        said, started))
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

    def _talk_lang(self, talk: Talk, text: str, hint: str | None, previous: str | None) -> str:
        """The language to reply to small talk in: the conversation's, else the caller's hint, else
        the words' own ("ok" has none: the default). Small talk never changes it on its own."""
        if previous:
            return previous
        if hint is not None:
            return self.bot.resolve_language("", hint, None)
        if talk.lang == "zh":  # which Chinese: the characters say
            return self.bot.resolve_language(text, None, None)
        return talk.lang if talk.lang in self.bot.languages.served else self.bot.languages.default

    def _small_talk(self, sid: str, text: str, talk: Talk, lang: str, started: float,
                    contact: Contact | None) -> Reply:
        """A short localized reply; after an offer of a person, "yes" takes it and "no" declines."""
        said = self._said(sid, text, lang)
        last = last_bot_turn(self.store.transcript(sid))
        if last is not None and last.decision == Decision.OFFERED:
            # "yes", "ok", "sure please" take the offer; "ok thanks" or "thanks, bye" close the topic.
            if (Act.YES in talk.acts or talk.acts == {Act.ACK}) and not talk.acts & {Act.NO, Act.WITHDRAW}:
                return self.handoffs.escalate(sid, lang, Trigger(Reason.OFFER_ACCEPTED, Priority.NORMAL),
                                              None, started, contact, said=said)
            if talk.acts & {Act.NO, Act.WITHDRAW}:
                return self._bot_says(sid, lang, said, Reason.OFFER_DECLINED, "offer.declined", started)
        key = {Act.YES: Act.ACK, Act.NO: Act.ACK, Act.WITHDRAW: Act.ACK}.get(talk.act, talk.act)
        topics: tuple[Suggestion, ...] = ()
        if talk.act in (Act.GREETING, Act.HELP):
            topics = tuple(Suggestion(a.id, a.lang, a.title, 0.0) for a in self.popular(lang, _TOPICS))
        return self._keep_contact(sid, contact, self._bot_says(sid, lang, said, talk.act.value,
                                                               f"talk.{key.value}", started, topics))

    def _bot_says(self, sid: str, lang: str, said: Turn, reason: str, key: str, started: float,
                  topics: tuple[Suggestion, ...] = ()) -> Reply:
        notice = message(key, lang)
        _, turn = self.store.add_turns(said, Turn(sid, Role.BOT, notice, self.clock(), lang,
                                                  Decision.SMALLTALK, reason=reason, took_ms=_ms(started)))
        return Reply(sid, turn.turn_id, Decision.SMALLTALK, reason, lang, BOT, notice, suggestions=topics,
                     took_ms=turn.took_ms or 0.0)

    def _keep_contact(self, sid: str, contact: Contact | None, reply: Reply) -> Reply:
        """`reply`, once the contact the caller sent is kept: after the reply's turns, which create
        a new session (a channel's first message carries the platform's contact details)."""
        if contact:
            self.store.set_contact(sid, contact)
        return reply

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
        # While a person owns the conversation the article is still there to read, but the reply
        # says so, as a typed question's does: the bot does not take the conversation back.
        handed = session is not None and session.state == HANDED_OFF
        decision = Decision.HANDED_OFF if handed else Decision.ANSWERED
        if handed:
            notice = join_messages(detected, notice, message("with_agent", detected))
        self._customer(sid, article.title, detected, reason=Reason.CHOSEN)
        turn = self.store.add_turn(Turn(sid, Role.BOT, article.title, self.clock(), detected,
                                        decision, article.id, None, Reason.CHOSEN, _ms(started)))
        ref = self.bot.ref(article)
        return Reply(sid, turn.turn_id, decision, Reason.CHOSEN, detected, HANDED_OFF if handed else BOT,
                     notice, None, ref, took_ms=_ms(started))

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
            when = self.handoffs.reply_time(esc.queue, esc.created_at, detected)
            notice = join_messages(detected, message("form_received", detected), when.notice)
            turn = self.store.add_turn(Turn(sid, Role.BOT, notice, self.clock(), detected,
                                            Decision.HANDED_OFF, reason=Reason.CUSTOMER_FORM,
                                            took_ms=_ms(started)))
            return Reply(sid, turn.turn_id, Decision.HANDED_OFF, Reason.CUSTOMER_FORM, detected,
                         HANDED_OFF, notice, escalation=esc, took_ms=_ms(started), reply_time=when)
        return self.handoffs.escalate(sid, detected, Trigger(Reason.CUSTOMER_FORM, Priority.NORMAL), None,
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
                reply = self.handoffs.escalate(sid, lang, Trigger(Reason.UNHELPFUL, Priority.NORMAL), None,
                                       time.perf_counter(), None, said=note)
                return FeedbackResult(sid, reply.state, reply.notice, reply.escalation)
            self.store.add_turn(note)
            if session.state == BOT:
                nexts = self._next_best(turns, turn_id, lang)
                notice = message("ui.next_best", lang) if nexts else message("offer.person", lang)
                return FeedbackResult(sid, session.state, notice, None, nexts)
        open_esc = self.store.open_escalation(sid) if session.state == HANDED_OFF else None
        return FeedbackResult(sid, session.state, message("ui.thanks_feedback", lang), open_esc)

    def _next_best(self, turns: Sequence[Turn], turn_id: int, lang: str) -> tuple[Suggestion, ...]:
        """After "not helpful": the likeliest other articles for the question that got the answer."""
        at = next((i for i, t in enumerate(turns) if t.turn_id == turn_id), None)
        asked = next((t for t in reversed(turns[:at]) if t.role == Role.CUSTOMER), None) if at else None
        if asked is None or asked.reason == Reason.CHOSEN or not asked.text.strip():
            return ()
        shown_before = {t.article_id for t in turns if t.role == Role.BOT and t.article_id}
        hits = [h for h in self.bot.rank(asked.text, lang)
                if h.article_id not in shown_before and h.confidence >= _NEXT_BEST_FLOOR][:2]
        return tuple(Suggestion(h.article_id, v.lang, v.title, round(h.confidence, 4))
                     for h in hits for v in (self.bot.version(h.article_id, lang),))

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


_ms = elapsed_ms
