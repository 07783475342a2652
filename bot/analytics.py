"""Support analytics per day and language, from the stored (PII-redacted) conversations.

A conversation counts on the day, and in the language, of its first customer message in the range.
It is auto-resolved when the bot answered at least once and the conversation had neither an
escalation nor a "not helpful" rating. A question is unanswered when the bot escalated it for one of
its own limits; a did-you-mean suggestion offered articles, so it is not counted as unanswered.
A report can be narrowed to one language (the conversation's first) and to one queue (the
conversations escalated to it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from bot.agent_stats import AgentStats, agent_stats
from bot.records import Escalation, Feedback, Turn
from bot.store import Store
from kb.errors import RequestError

# Suggestions offered articles, so they are not unanswered; smalltalk never counts.
_UNANSWERED = {"escalated", "offered"}
_BOT_LIMITS = {"low_confidence", "out_of_scope", "no_match"}


@dataclass(frozen=True)
class Stats:
    day: str  # "YYYY-MM-DD" (UTC), or "all"
    lang: str  # or "all"
    conversations: int = 0
    questions: int = 0
    answered: int = 0  # bot answers given (incl. articles the customer picked)
    auto_resolved: int = 0
    auto_resolution_rate: float | None = None
    escalations: int = 0
    escalation_rate: float | None = None  # escalated conversations / conversations
    escalations_by_reason: dict[str, int] = field(default_factory=dict)
    helpful_yes: int = 0
    helpful_no: int = 0
    csat_count: int = 0
    csat_avg: float | None = None
    response_ms_p50: float | None = None
    response_ms_p95: float | None = None
    out_of_hours: int = 0  # escalations made while their queue was closed
    out_of_hours_share: float | None = None  # ... / escalations


@dataclass(frozen=True)
class Report:
    since: float | None
    until: float | None
    totals: Stats
    by_day_lang: tuple[Stats, ...]
    top_unanswered: tuple[tuple[str, str, int], ...]  # (question, language, times asked)
    # Totals per channel the conversations came in on: "widget" (the widget and the answer API),
    # "line", "telegram", "whatsapp", "chatwoot", "email" (bot/channels).
    by_channel: dict[str, Stats] = field(default_factory=dict)
    agents: tuple[AgentStats, ...] = ()
    by_day: tuple[Stats, ...] = ()  # every language together (lang "all"), one row per day
    lang: str | None = None  # the filters the report was made with
    queue: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["top_unanswered"] = [{"question": q, "lang": lang, "count": n}
                                 for q, lang, n in self.top_unanswered]
        return out


def _day(at: float) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).date().isoformat()


def _stats(day: str, lang: str, sessions: Iterable[str], turns: dict[str, list[Turn]],
           escalations: dict[str, list[Escalation]], feedback: dict[str, list[Feedback]]) -> Stats:
    ids = list(sessions)
    questions = answered = resolved = escalated = 0
    reasons: Counter[str] = Counter()
    times: list[float] = []
    yes = no = 0
    csat: list[int] = []
    late = 0
    for sid in ids:
        session_turns = turns.get(sid, [])
        questions += sum(t.role == "customer" and t.reason != "handoff_form" for t in session_turns)
        bot_turns = [t for t in session_turns if t.role == "bot"]
        answered += sum(t.decision == "answered" for t in bot_turns)
        times += [t.took_ms for t in bot_turns if t.took_ms is not None]
        session_feedback = feedback.get(sid, [])
        yes += sum(f.helpful is True for f in session_feedback)
        no += sum(f.helpful is False for f in session_feedback)
        csat += [f.csat for f in session_feedback if f.csat is not None]
        session_escalations = escalations.get(sid, [])
        reasons.update(e.reason for e in session_escalations)
        escalated += bool(session_escalations)
        late += sum(e.out_of_hours for e in session_escalations)
        if (any(t.decision == "answered" for t in bot_turns) and not session_escalations
                and not any(f.helpful is False for f in session_feedback)):
            resolved += 1
    n = len(ids)
    p50, p95 = (float(np.percentile(times, 50)), float(np.percentile(times, 95))) if times else (None, None)
    return Stats(day, lang, n, questions, answered, resolved, resolved / n if n else None,
                 escalated, escalated / n if n else None, dict(sorted(reasons.items())), yes, no,
                 len(csat), sum(csat) / len(csat) if csat else None,
                 None if p50 is None else round(p50, 2), None if p95 is None else round(p95, 2),
                 late, late / sum(reasons.values()) if reasons else None)


def analytics(store: Store, since: float | None = None, until: float | None = None,
              top: int = 10, lang: str | None = None, queue: str | None = None) -> Report:
    """Per day and language statistics of conversations that started in [since, until), in
    language `lang` and escalated to `queue` when given."""
    if since is not None and until is not None and until <= since:
        raise RequestError(f"until ({until}) must be after since ({since})")
    turns: dict[str, list[Turn]] = defaultdict(list)
    for t in store.turns(since, until):
        turns[t.session_id].append(t)
    escalations: dict[str, list[Escalation]] = defaultdict(list)
    for e in store.escalations(since=since, until=until, limit=1_000_000):
        escalations[e.session_id].append(e)
    feedback: dict[str, list[Feedback]] = defaultdict(list)
    for f in store.feedback(since, until):
        feedback[f.session_id].append(f)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    unanswered: Counter[tuple[str, str]] = Counter()
    for sid, session_turns in turns.items():
        first = next((t for t in session_turns if t.role == "customer"), None)
        if first is None:
            continue
        if (lang is not None and first.lang != lang) or \
                (queue is not None and not any(e.queue == queue for e in escalations.get(sid, ()))):
            continue
        groups[(_day(first.at), first.lang)].append(sid)
        for asked, reply in zip(session_turns, session_turns[1:], strict=False):
            if (asked.role == "customer" and reply.role == "bot" and reply.decision in _UNANSWERED
                    and reply.reason in _BOT_LIMITS):
                unanswered[(" ".join(asked.text.casefold().split()), asked.lang)] += 1
    rows = tuple(_stats(day, day_lang, ids, turns, escalations, feedback)
                 for (day, day_lang), ids in sorted(groups.items()))
    everyone = [sid for ids in groups.values() for sid in ids]
    totals = _stats("all", "all", everyone, turns, escalations, feedback)
    common = tuple((q, q_lang, n) for (q, q_lang), n in unanswered.most_common(top))
    channel_of = store.channel_of_sessions()
    channels: dict[str, list[str]] = defaultdict(list)
    for sid in everyone:
        channels[channel_of.get(sid, "widget")].append(sid)
    by_channel = {name: _stats("all", "all", ids, turns, escalations, feedback)
                  for name, ids in sorted(channels.items())}
    handled = [e for sid in everyone for e in escalations.get(sid, ())
               if queue is None or e.queue == queue]
    days: dict[str, list[str]] = defaultdict(list)
    for (day, _), ids in groups.items():
        days[day] += ids
    by_day = tuple(_stats(day, "all", ids, turns, escalations, feedback) for day, ids in sorted(days.items()))
    return Report(since, until, totals, rows, common, by_channel,
                  agent_stats(handled, {sid: turns[sid] for sid in everyone}), by_day, lang, queue)
