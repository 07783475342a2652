"""Content gaps from live traffic: what customers asked that the bot could not answer, grouped by need.

A question is a gap candidate when the bot's reply to it was an escalation for one of the bot's own
limits (low confidence, out of scope, no match, repeated unhelpful answers), an "I don't know" with
the offer of a person, a did-you-mean
suggestion, or an answer the customer rated unhelpful. Requests for a person, sensitive topics and
the handoff form are not content gaps. Questions the KB already lists (as an article's example
question or as out of scope) are left out: that gap has been dealt with. The stored text is already
PII-redacted (bot.pii); examples are redacted again so a store written before redaction never leaks.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from bot.clusters import cluster, normalized
from bot.pii import redact
from bot.records import Feedback, Turn
from bot.service import Bot
from bot.store import Store
from bot.types import Reason
from kb.models import KnowledgeBase

log = logging.getLogger(__name__)

EXAMPLES = 5
MAX_ARTICLES = 3
_BOT_LIMITS = {Reason.LOW_CONFIDENCE, Reason.OUT_OF_SCOPE, Reason.NO_MATCH, Reason.UNHELPFUL}

Embed = Callable[[list[str]], np.ndarray]


class Why(StrEnum):
    """How the bot failed the question."""

    ESCALATED = "escalated"
    OFFERED = "offered"  # "I don't know" and an offer of a person
    SUGGESTED = "suggested"
    UNHELPFUL = "unhelpful"


@dataclass(frozen=True)
class GapQuestion:
    text: str  # as stored (PII-redacted)
    lang: str
    at: float
    why: str  # a Why
    article_id: str  # the bot's first choice ("" when it had none)
    confidence: float | None
    session_id: str = ""
    turn_id: int = 0  # the customer's turn


@dataclass(frozen=True)
class Closest:
    article_id: str
    title: str
    confidence: float  # mean of the bot's confidence over the questions that ranked it first
    times: int


@dataclass(frozen=True)
class Gap:
    """One need the KB does not meet: its questions in every language, ranked by volume."""

    gap_id: str  # stable for the same questions: the most central question's position key
    size: int  # times asked
    by_lang: dict[str, int]
    by_why: dict[str, int]
    examples: tuple[tuple[str, str], ...]  # (text, lang), most central first
    questions: tuple[tuple[str, str], ...]  # every distinct (text, lang), most central first
    closest: tuple[Closest, ...]
    asked: tuple[GapQuestion, ...] = ()  # every time it was asked (for labelling them)

    def to_dict(self) -> dict[str, Any]:
        return {"gap_id": self.gap_id, "size": self.size, "by_lang": self.by_lang, "by_why": self.by_why,
                "examples": [{"text": t, "lang": lang} for t, lang in self.examples],
                "closest": [{"article_id": c.article_id, "title": c.title,
                             "confidence": round(c.confidence, 4), "times": c.times} for c in self.closest]}


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def gap_questions(store: Store, since: float | None = None, until: float | None = None,
                  kb: KnowledgeBase | None = None) -> list[GapQuestion]:
    """Every gap candidate asked in [since, until), oldest first."""
    by_session: dict[str, list[Turn]] = defaultdict(list)
    for t in store.turns(since, until):
        by_session[t.session_id].append(t)
    unhelpful = {(f.session_id, f.turn_id) for f in store.feedback(since, None) if _is_no(f)}
    known = _known(kb) if kb is not None else set()
    out = []
    for sid, turns in by_session.items():
        for asked, reply in zip(turns, turns[1:], strict=False):
            if asked.role != "customer" or reply.role != "bot" or asked.reason == "handoff_form":
                continue
            why = _why(reply, (sid, reply.turn_id) in unhelpful)
            if why is None or (asked.lang, _key(asked.text)) in known:
                continue
            out.append(GapQuestion(asked.text, asked.lang, asked.at, why, reply.article_id, reply.confidence,
                                   sid, asked.turn_id))
    out.sort(key=lambda q: q.at)
    return out


def _is_no(f: Feedback) -> bool:
    return f.helpful is False


def _why(reply: Turn, rated_unhelpful: bool) -> Why | None:
    if reply.decision == "escalated" and reply.reason in _BOT_LIMITS:
        return Why.ESCALATED
    if reply.decision == "offered":
        return Why.OFFERED
    if reply.decision == "suggest":
        return Why.SUGGESTED
    if reply.decision == "answered" and rated_unhelpful:
        return Why.UNHELPFUL
    return None


def _known(kb: KnowledgeBase) -> set[tuple[str, str]]:
    known = {(e.lang, _key(e.text)) for e in kb.out_of_scope}
    known |= {(a.lang, _key(q)) for a in kb for q in a.questions}
    return known


def language_backgrounds(units: Sequence[Any], vectors: np.ndarray) -> dict[str, np.ndarray]:
    """Per language, the mean vector of the index's example-question units (see bot.clusters)."""
    rows: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(units):
        if u.kind == "question":
            rows[u.lang].append(i)
    return {lang: normalized(vectors[r]).mean(axis=0) for lang, r in rows.items() if len(r) >= 10}


def find_gaps(questions: Sequence[GapQuestion], embed: Embed, kb: KnowledgeBase, *,
              background: dict[str, np.ndarray] | None = None, top: int = 20) -> list[Gap]:
    """Gap candidates grouped across languages by need, biggest first (at most `top`)."""
    counts = Counter((q.text, q.lang) for q in questions)
    distinct = list(counts)
    if not distinct:
        return []
    vectors = embed([t for t, _ in distinct])
    groups = cluster(vectors, [lang for _, lang in distinct], [counts[k] for k in distinct],
                     background=background)
    by_key: dict[tuple[str, str], list[GapQuestion]] = defaultdict(list)
    for q in questions:
        by_key[(q.text, q.lang)].append(q)
    gaps = [_gap([distinct[m] for m in g.members], by_key, kb) for g in groups[:top]]
    log.info("%d gap questions (%d distinct) in %d clusters", len(questions), len(distinct), len(groups))
    return gaps


def _gap(keys: list[tuple[str, str]], by_key: dict[tuple[str, str], list[GapQuestion]],
         kb: KnowledgeBase) -> Gap:
    asked = [q for k in keys for q in by_key[k]]
    langs = Counter(q.lang for q in asked)
    whys = Counter(q.why for q in asked)
    firsts: dict[str, list[float]] = defaultdict(list)
    for q in asked:
        if q.article_id and q.confidence is not None:
            firsts[q.article_id].append(q.confidence)
    closest = sorted((Closest(aid, _title(kb, aid, langs.most_common(1)[0][0]), float(np.mean(c)), len(c))
                      for aid, c in firsts.items()), key=lambda c: (-c.confidence, c.article_id))
    return Gap(gap_id=_gap_id(keys[0]), size=len(asked), by_lang=dict(langs.most_common()),
               by_why=dict(whys.most_common()),
               examples=tuple((redact(t, lang), lang) for t, lang in keys[:EXAMPLES]),
               questions=tuple((redact(t, lang), lang) for t, lang in keys),
               closest=tuple(closest[:MAX_ARTICLES]), asked=tuple(asked))


def _title(kb: KnowledgeBase, article_id: str, lang: str) -> str:
    versions = kb.translations(article_id)
    chosen = versions.get(lang) or versions.get(kb.default_lang) or next(iter(versions.values()), None)
    return chosen.title if chosen else ""


def _gap_id(key: tuple[str, str]) -> str:
    return hashlib.sha256(f"{key[1]}\n{key[0]}".encode()).hexdigest()[:12]


def live_gaps(bot: Bot, store: Store, since: float | None = None, until: float | None = None,
              top: int = 20) -> list[Gap]:
    """The gaps of [since, until) in `store`, clustered with the bot's encoder and its index's
    language backgrounds (what `faqbot gaps` and the console show)."""
    questions = gap_questions(store, since, until, bot.kb)
    background = language_backgrounds(bot.index.units, bot.index.vectors.vectors())
    return find_gaps(questions, bot.encoder.encode_queries, bot.kb, background=background, top=top)
