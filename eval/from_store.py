"""Evaluation questions from live traffic: what customers really asked, with the right article.

Two sources, both in the conversation store:
- a writer's label in the console (an article, or "no article covers it");
- an escalation an agent resolved with an article: the customer's question that escalated, and the
  KB article the agent's reply linked to (its URL in any language, or the article id the reply
  carries). A label of the same question wins over the agent's link.
Only the stored (PII-redacted) text is read.
"""

from __future__ import annotations

import logging

from bot.records import RESOLVED, Escalation, Label, Turn
from bot.store import Store
from eval.queries import LabeledQuery
from kb.errors import KBError
from kb.models import KnowledgeBase

log = logging.getLogger(__name__)


def store_queries(store: Store, kb: KnowledgeBase, since: float | None = None,
                  until: float | None = None) -> list[LabeledQuery]:
    """Labelled questions asked in [since, until): labels first, then agent resolutions, oldest first.
    (A label counts by when the question was asked, not when it was labelled.)"""
    labels = [label for label in store.labels() if _asked_within(store, label, since, until)]
    labelled = {(label.session_id, label.turn_id) for label in labels}
    out = [LabeledQuery(label.text, label.article_id or None, label.lang, n)
           for n, label in enumerate(labels, 1)]
    urls = {a.url.rstrip("/"): a.id for a in kb if a.url}
    resolved = store.escalations(status=RESOLVED, since=since, until=until, limit=1_000_000)
    from_agents = 0
    for esc in sorted(resolved, key=lambda e: e.created_at):
        found = _resolution(esc, store.transcript(esc.session_id), urls, set(kb.ids))
        if found is None or (esc.session_id, found[0].turn_id) in labelled:
            continue
        asked, article_id = found
        out.append(LabeledQuery(" ".join(asked.text.split()), article_id, asked.lang, len(out) + 1))
        from_agents += 1
    log.info("%d questions from the store: %d labelled, %d resolved by agents with an article",
             len(out), len(labels), from_agents)
    if not out:
        raise KBError(f"{store.url}: no labelled questions yet: label questions in the console "
                      "(Insights → Gaps) or resolve escalations with a link to an article")
    return out


def _asked_within(store: Store, label: Label, since: float | None, until: float | None) -> bool:
    if since is None and until is None:
        return True
    asked = next((t for t in store.transcript(label.session_id) if t.turn_id == label.turn_id), None)
    if asked is None:
        return False
    return (since is None or asked.at >= since) and (until is None or asked.at < until)


def _resolution(esc: Escalation, transcript: list[Turn], urls: dict[str, str],
                ids: set[str]) -> tuple[Turn, str] | None:
    """(the question that escalated, the article the agent answered with), if both are there."""
    asked = None
    for t in transcript:
        if t.at > esc.created_at:
            break
        if t.role == "customer" and t.reason != "handoff_form":
            asked = t
    if asked is None:
        return None
    for t in transcript:
        if t.role != "agent" or t.at < esc.created_at:
            continue
        if t.article_id in ids:
            return asked, t.article_id
        for url, article_id in urls.items():
            if url in t.text:
                return asked, article_id
    return None
