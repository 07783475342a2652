"""Report fixes on the seeded store: suggestions are not unanswered, agent figures, filters."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from bot import Bot
from bot.analytics import analytics
from bot.store import Store


def test_suggestions_are_not_unanswered(seeded: tuple[Store, Bot, Any]) -> None:
    store, _, _ = seeded
    suggested = set()
    turns = store.turns()
    for asked, reply in zip(turns, turns[1:], strict=False):
        if asked.role == "customer" and reply.session_id == asked.session_id and reply.decision == "suggest":
            suggested.add(" ".join(asked.text.casefold().split()))
    report = analytics(store, top=1000)
    assert report.top_unanswered
    assert not suggested & {q for q, _, _ in report.top_unanswered}


def test_agent_figures_per_agent_and_queue(seeded: tuple[Store, Bot, Any]) -> None:
    store, _, _ = seeded
    report = analytics(store)
    rows = {(a.agent, a.queue): a for a in report.agents}
    everyone = rows[("all", "all")]
    escalations = store.escalations(limit=100_000)
    assert everyone.escalations == len(escalations) == sum(report.totals.escalations_by_reason.values())
    # the generator's agents reply 150 s to 100 min after the escalation and resolve 80% of them
    assert everyone.first_reply_s_p50 is not None and 150 <= everyone.first_reply_s_p50 <= 6000
    assert everyone.resolution_s_p50 is not None and everyone.resolution_s_p50 > everyone.first_reply_s_p50
    assert {"Ann", "Bo", "Chai"} <= {a for a, _ in rows}
    per_agent = [rows[(a, "all")].escalations for a, q in rows if q == "all" and a != "all"]
    assert sum(per_agent) == everyone.escalations
    resolved = sum(e.status == "resolved" for e in escalations)
    assert everyone.resolved == resolved


def test_language_filter_and_out_of_hours(seeded: tuple[Store, Bot, Any]) -> None:
    store, _, _ = seeded
    first: dict[str, str] = {}
    for t in store.turns():
        if t.role == "customer":
            first.setdefault(t.session_id, t.lang)
    per_lang = defaultdict(int)
    for lang in first.values():
        per_lang[lang] += 1
    for lang, n in per_lang.items():
        report = analytics(store, lang=lang)
        assert report.totals.conversations == n and {r.lang for r in report.by_day_lang} == {lang}
    general = analytics(store, queue="general")
    assert general.totals.conversations == len({e.session_id for e in store.escalations(limit=100_000)})
    assert analytics(store, queue="nope").totals.conversations == 0
    # the default queue is always open
    assert general.totals.out_of_hours == 0 and general.totals.out_of_hours_share == 0.0
