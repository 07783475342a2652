"""JSON shapes of the domain values the API returns (the OpenAPI document describes each)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from bot.desk import FeedbackResult, Reply
from bot.records import Escalation, EscalationItem, Turn
from bot.replies import ReplyTime
from bot.timestamps import iso


def turn(t: Turn, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`names`: agents' display names (the store's), shown to customers instead of key names."""
    return {"turn_id": t.turn_id, "role": t.role, "text": t.text, "at": iso(t.at), "lang": t.lang,
            "decision": t.decision or None, "article_id": t.article_id or None,
            "confidence": t.confidence, "agent": t.agent or None,
            "agent_name": (names or {}).get(t.agent, t.agent) if t.agent else None,
            "reason": t.reason or None}


def escalation(e: Escalation, full: bool = False, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "escalation_id": e.escalation_id, "session_id": e.session_id, "queue": e.queue,
        "reason": e.reason, "priority": e.priority, "status": e.status,
        "expected_reply_at": iso(e.expected_reply_at), "out_of_hours": e.out_of_hours}
    if full:
        out.update(language=e.language, created_at=iso(e.created_at), updated_at=iso(e.updated_at),
                   agent=e.agent or None, contact=asdict(e.contact), message=e.message,
                   candidates=[asdict(c) for c in e.candidates],
                   transcript=[turn(t, names) for t in e.transcript])
    return out


def escalation_item(item: EscalationItem) -> dict[str, Any]:
    """An escalation in the agents' list: the detail without its transcript."""
    out = escalation(item.escalation, full=True)
    del out["transcript"]
    out["customer_replied_at"] = iso(item.customer_replied_at)
    return out


def reply(r: Reply, session_token: str) -> dict[str, Any]:
    return {
        "decision": r.decision, "confidence": r.confidence, "language": r.language,
        "answer": asdict(r.answer) if r.answer else None,
        "suggestions": [asdict(s) for s in r.suggestions], "reason": r.reason, "notice": r.notice,
        "session_id": r.session_id, "session_token": session_token, "turn_id": r.turn_id,
        "state": r.state,
        "escalation": escalation(r.escalation) if r.escalation else None, "took_ms": r.took_ms,
        "reply_time": reply_time(r.reply_time) if r.reply_time else None,
    }


def reply_time(t: ReplyTime) -> dict[str, Any]:
    return {"queue": t.queue, "timezone": t.timezone, "expected_reply_at": iso(t.expected_at),
            "out_of_hours": t.out_of_hours, "notice": t.notice}


def feedback(r: FeedbackResult) -> dict[str, Any]:
    return {"ok": True, "session_id": r.session_id, "state": r.state, "notice": r.notice,
            "escalation": escalation(r.escalation) if r.escalation else None,
            "suggestions": [asdict(x) for x in r.suggestions]}
