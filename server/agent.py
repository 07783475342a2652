"""Agent-side routes (an agent or admin key): escalations, replies, hand-back, analytics."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from bot.analytics import analytics
from bot.records import EscalationQuery, EscalationSort
from server import views
from server.context import acting, body, services
from server.input import query, time_query

bp = Blueprint("agent", __name__)


@bp.get("/v1/agent/escalations")
def list_escalations() -> Response:
    agent = acting()
    assigned = query("assigned_to")
    replied = query("customer_replied")
    found = services().agents.escalations(EscalationQuery(
        statuses=(query("status"),) if query("status") else (), queue=query("queue"),
        language=query("language"), priority=query("priority"), reason=query("reason"),
        assigned_to={"me": agent, "none": ""}.get(assigned, assigned),
        customer_replied=None if replied is None else replied == "true",
        sort=query("sort", EscalationSort.OVERDUE), limit=query("limit", 50)))
    return jsonify(escalations=[views.escalation_item(item) for item in found])


@bp.get("/v1/agent/escalations/<escalation_id>")
def get_escalation(escalation_id: str) -> Response:
    acting()
    return jsonify(views.escalation(services().agents.escalation(escalation_id), full=True))


@bp.post("/v1/agent/escalations/<escalation_id>/claim")
def claim(escalation_id: str) -> Response:
    return jsonify(views.escalation(services().agents.claim(escalation_id, acting()), full=True))


@bp.post("/v1/agent/escalations/<escalation_id>/resolve")
def resolve(escalation_id: str) -> Response:
    return jsonify(views.escalation(services().agents.resolve(escalation_id, acting()), full=True))


@bp.post("/v1/agent/sessions/<session_id>/reply")
def agent_reply(session_id: str) -> tuple[Response, int]:
    agent = acting()
    turn = services().agents.reply(session_id, agent, body()["text"])
    return jsonify(views.turn(turn, services().store.display_names([agent]))), 201


@bp.post("/v1/agent/sessions/<session_id>/release")
def release(session_id: str) -> Response:
    info = services().agents.release(session_id, acting())
    return jsonify(session_id=info.session_id, state=info.state)


@bp.get("/v1/analytics")
def get_analytics() -> Response:
    acting()
    report = analytics(services().store, time_query("since"), time_query("until"))
    return jsonify(report.to_dict())
