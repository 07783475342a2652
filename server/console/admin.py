"""Admin pages: API keys (create, list, revoke), agents' display names, queues and their hours,
and the audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for

from bot.keys import ROLES, create_key
from bot.records import CLAIMED, OPEN, EscalationQuery
from bot.store.console import AuditEntry
from kb.errors import NotFoundError, RequestError
from server.console.auth import console_required, current_user, now, t
from server.console.pages import when
from server.context import services

bp = Blueprint("console_admin", __name__, url_prefix="/console/admin", template_folder="templates")
DISPLAY_NAME_MAX = 60


def _actor() -> str:
    user = current_user()
    return user.name if user else "-"


def _page(new_key: str = "", done: str = "", error: str = "", status: int = 200) -> Any:
    s = services()
    keys = s.store.api_keys()
    names = s.store.display_names()
    waiting = s.store.escalation_items(EscalationQuery(statuses=(OPEN, CLAIMED), limit=10_000))
    at = now()
    queues = []
    for q in s.settings.queues:
        hours = q.business_hours()
        queues.append({"q": q, "open": hours.is_open(at),
                       "next": when(hours.next_open(at), q.name) if not hours.is_open(at) else "",
                       "waiting": sum(1 for i in waiting if i.escalation.queue == q.name)})
    return render_template("console/admin.html", keys=keys, names=names, roles=ROLES, queues=queues,
                           new_key=new_key, done=done, error=error,
                           created=lambda k: when(k.created_at, "")), status


@bp.get("")
@console_required("admin")
def admin() -> Any:
    done = request.args.get("done", "")
    return _page(done=t(f"console.done_{done}") if done in ("key_revoke", "display_name") else "")


@bp.post("/keys")
@console_required("admin")
def key_create() -> Any:
    role = request.form.get("role", "")
    try:
        record, secret = create_key(services().store, role, request.form.get("name", ""), now())
    except RequestError as e:
        return _page(error=str(e), status=400)
    services().store.audit(AuditEntry(now(), _actor(), "key_create", detail=f"key {record.key_id} "
                                      f"({record.role}) for {record.name}"))
    # Shown once, in this response only (never in a URL or a redirect).
    return _page(new_key=secret, done=t("console.done_key_create"))


@bp.post("/keys/<key_id>/revoke")
@console_required("admin")
def key_revoke(key_id: str) -> Any:
    s = services()
    try:
        record = s.store.revoke_key(key_id, now())
    except NotFoundError as e:
        return _page(error=str(e), status=404)
    ended = s.store.end_key_sessions(key_id, now())
    s.store.audit(AuditEntry(now(), _actor(), "key_revoke", detail=f"key {record.key_id} ({record.role}) "
                             f"for {record.name}; {ended} console session(s) ended"))
    return redirect(url_for("console_admin.admin", done="key_revoke"), 303)


@bp.post("/display-names")
@console_required("admin")
def display_name() -> Any:
    s = services()
    agent = request.form.get("agent", "")
    shown_name = " ".join(request.form.get("display_name", "").split())
    if agent not in {k.name for k in s.store.api_keys()}:
        return _page(error=f"no key named {agent!r}", status=404)
    if len(shown_name) > DISPLAY_NAME_MAX:
        return _page(error=f"display name is too long ({len(shown_name)} characters, limit "
                           f"{DISPLAY_NAME_MAX})", status=400)
    s.store.set_display_name(agent, shown_name)
    s.store.audit(AuditEntry(now(), _actor(), "display_name",
                             detail=f"{agent} → {shown_name or '(key name)'}"))
    return redirect(url_for("console_admin.admin", done="display_name"), 303)


@bp.get("/audit")
@console_required("admin")
def audit() -> Any:
    entries = services().store.audit_log(500)
    return render_template("console/audit.html", entries=entries, at=lambda e: when(e.at, ""))
