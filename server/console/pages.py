"""The agents' pages: the inbox (filters, sort, live updates) and one conversation with its
actions (claim, reply, internal note, resolve, hand back)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from bot.console_messages import language_label
from bot.records import (
    CLAIMED,
    OPEN,
    PRIORITIES,
    Escalation,
    EscalationItem,
    EscalationQuery,
    EscalationSort,
    EscalationStatus,
)
from bot.routing import format_when
from kb.errors import ConflictError, NotFoundError, RequestError
from server.console.auth import ConsoleUser, console_required, current_user, now, t, ui_lang
from server.context import services

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")
_ACTIVE = "active"  # the inbox's default status filter: open or claimed


@dataclass(frozen=True)
class Filters:
    """The inbox's filters as the query string gives them ("" = any)."""

    status: str = _ACTIVE
    queue: str = ""
    language: str = ""
    priority: str = ""
    reason: str = ""
    assigned: str = ""  # "", "me", "none"
    replied: str = ""  # "", "true"
    sort: str = EscalationSort.OVERDUE.value

    @classmethod
    def from_args(cls) -> Filters:
        a = request.args
        status = a.get("status", _ACTIVE)
        return cls(
            status if status in (_ACTIVE, "", *EscalationStatus) else _ACTIVE, a.get("queue", "")[:100],
            a.get("language", "")[:20], a.get("priority", "") if a.get("priority") in PRIORITIES else "",
            a.get("reason", "")[:100], a.get("assigned", "") if a.get("assigned") in ("me", "none") else "",
            "true" if a.get("replied") == "true" else "",
            a.get("sort", "") if a.get("sort") in tuple(EscalationSort) else EscalationSort.OVERDUE.value)

    def query(self, user: ConsoleUser) -> EscalationQuery:
        statuses = (OPEN, CLAIMED) if self.status == _ACTIVE else ((self.status,) if self.status else ())
        return EscalationQuery(
            statuses=tuple(str(s) for s in statuses), queue=self.queue or None,
            language=self.language or None, priority=self.priority or None, reason=self.reason or None,
            assigned_to={"me": user.name, "none": ""}.get(self.assigned),
            customer_replied=True if self.replied else None, sort=self.sort, limit=200)


def duration(seconds: float) -> str:
    minutes = max(0, int(seconds // 60))
    if minutes < 60:
        return t("console.minutes", n=str(minutes))
    if minutes < 24 * 60:
        return t("console.hours", h=str(minutes // 60), m=str(minutes % 60))
    return t("console.days", d=str(minutes // 1440), h=str(minutes % 1440 // 60))


def when(at: float | None, queue: str) -> str:
    if at is None:
        return "—"
    timezone = services().settings.queue(queue).timezone if _known_queue(queue) else "UTC"
    return format_when(at, ui_lang(), timezone)


def _known_queue(name: str) -> bool:
    return any(q.name == name for q in services().settings.queues)


def _row(item: EscalationItem, at: float) -> dict[str, Any]:
    e = item.escalation
    return {"e": e, "waited": duration(at - e.created_at), "expected": when(e.expected_reply_at, e.queue),
            "overdue": (e.expected_reply_at is not None and e.expected_reply_at < at
                        and e.status != "resolved"),
            "replied": item.customer_replied_at is not None,
            "language": language_label(e.language, ui_lang())}


def _inbox_rows(user: ConsoleUser, filters: Filters) -> list[dict[str, Any]]:
    at = now()
    return [_row(item, at) for item in services().agents.escalations(filters.query(user))]


def _choices() -> dict[str, Any]:
    s = services()
    langs = list(dict.fromkeys([*s.bot.kb.languages, s.settings.default_lang]))
    return {"queues": [q.name for q in s.settings.queues], "priorities": PRIORITIES,
            "statuses": [str(x) for x in EscalationStatus], "sorts": [str(x) for x in EscalationSort],
            "languages": [(code, language_label(code, ui_lang())) for code in langs]}


@bp.get("")
@bp.get("/inbox")
@console_required("agent")
def inbox() -> str:
    user = _user()
    filters = Filters.from_args()
    return render_template("console/inbox.html", rows=_inbox_rows(user, filters), filters=filters,
                           **_choices())


@bp.get("/inbox/rows")
@console_required("agent")
def inbox_rows() -> Response:
    """The inbox table's rows for the page's polling: their ids and their HTML."""
    user = _user()
    rows = _inbox_rows(user, Filters.from_args())
    html = render_template("console/inbox_rows.html", rows=rows)
    return jsonify(ids=[r["e"].escalation_id for r in rows], html=html, count=len(rows))


@bp.get("/escalations/<escalation_id>")
@console_required("agent")
def conversation(escalation_id: str) -> Any:
    return _conversation(escalation_id, request.args.get("done", ""), "", 200)


def _conversation(escalation_id: str, done: str, error: str, status: int) -> Any:
    s = services()
    try:
        esc = s.agents.escalation(escalation_id)
    except NotFoundError:
        return render_template("console/error.html", message=t("console.not_found")), 404
    session = s.store.session(esc.session_id)
    names = s.store.display_names([turn.agent for turn in esc.transcript if turn.agent])
    done_key = f"console.done_{done}" if done in ("claim", "reply", "note", "resolve", "release") else ""
    return render_template(
        "console/conversation.html", esc=esc, session=session, names=names,
        notes=s.store.notes(esc.escalation_id), done=t(done_key) if done_key else "", error=error,
        waited=duration(now() - esc.created_at), expected=when(esc.expected_reply_at, esc.queue),
        language=language_label(esc.language, ui_lang()),
        audit=s.store.audit_log(50, esc.escalation_id)), status


def _after(escalation_id: str, action: str) -> Any:
    return redirect(url_for("console.conversation", escalation_id=escalation_id, done=action), 303)


def _act(escalation_id: str, action: str, run: Any) -> Any:
    """Run an action; a refusal (someone else has it, empty text) re-renders the page saying why."""
    try:
        run()
    except NotFoundError:
        return render_template("console/error.html", message=t("console.not_found")), 404
    except ConflictError as e:
        esc = services().store.escalation(escalation_id)
        holder = esc.agent if esc is not None and esc.status == CLAIMED else ""
        message = t("console.claim_conflict", name=holder) if holder and holder != _user().name \
            else t("console.conflict", detail=str(e))
        return _conversation(escalation_id, "", message, 409)
    except RequestError:
        return _conversation(escalation_id, "", t("console.empty_text"), 400)
    return _after(escalation_id, action)


@bp.post("/escalations/<escalation_id>/claim")
@console_required("agent")
def claim(escalation_id: str) -> Any:
    return _act(escalation_id, "claim", lambda: services().agents.claim(escalation_id, _user().name))


@bp.post("/escalations/<escalation_id>/reply")
@console_required("agent")
def reply(escalation_id: str) -> Any:
    def run() -> None:
        esc = services().agents.escalation(escalation_id)
        services().agents.reply(esc.session_id, _user().name, request.form.get("text", "")[:4000])

    return _act(escalation_id, "reply", run)


@bp.post("/escalations/<escalation_id>/note")
@console_required("agent")
def note(escalation_id: str) -> Any:
    return _act(escalation_id, "note", lambda: services().agents.add_note(
        escalation_id, _user().name, request.form.get("text", "")))


@bp.post("/escalations/<escalation_id>/resolve")
@console_required("agent")
def resolve(escalation_id: str) -> Any:
    return _act(escalation_id, "resolve", lambda: services().agents.resolve(escalation_id, _user().name))


@bp.post("/escalations/<escalation_id>/release")
@console_required("agent")
def release(escalation_id: str) -> Any:
    def run() -> None:
        esc: Escalation = services().agents.escalation(escalation_id)
        services().agents.release(esc.session_id, _user().name)

    return _act(escalation_id, "release", run)


def _user() -> ConsoleUser:
    user = current_user()
    if user is None:  # console_required ran first
        raise RuntimeError("no console user on a guarded route")
    return user
