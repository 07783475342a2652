"""The agent console at /console: server-rendered pages (Jinja) and a little plain JavaScript,
on the same origin as the API, no build step.

Sign-in exchanges an agent, manager or admin API key for a session cookie (server/console/auth.py):
HttpOnly, SameSite=Strict, Secure behind TLS, only a hash of it stored, ended by sign-out, by
`console_idle_minutes` without a request, or by revoking the key. Every POST carries the session's
CSRF token. The key itself never reaches the browser's storage.

Plugging another page into the console (e.g. the insights pages):

1. Make a Blueprint whose routes start with /console (``Blueprint("insights", __name__,
   url_prefix="/console/insights", template_folder="templates")``) and guard every view with
   ``@console_required("manager")`` from server.console.auth (a role of bot.keys.ROLES; lower roles
   get a 403 page, no session a redirect to the sign-in page). ``current_user()`` is who is signed
   in (name, role, key_id).
2. Render templates that ``{% extends "console/base.html" %}`` and fill ``{% block title %}`` and
   ``{% block main %}``; ``t("console.some_key")`` gives a UI string in the user's language
   (bot/console_messages.py is the catalog: add your keys there, in en, th, et, zh-TW and zh-CN).
3. A form that changes anything posts ``<input type="hidden" name="csrf" value="{{ csrf() }}">``
   (or JavaScript sends the header ``X-CSRF-Token: {{ csrf() }}``, the value is also in
   ``<meta name="csrf-token">``); `server.console.auth.check_csrf` refuses any POST, PUT, PATCH or
   DELETE under /console without it, whatever the blueprint.
4. Add a ``NavEntry(endpoint, label_key, role)`` to NAV below (shown only to users whose role may
   open it) and register the blueprint in `install`.

Every /console route is listed in the OpenAPI document as a page (`console_paths`), so the
document's "every route is documented" check needs nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from server.openapi import ANY_QUERY, Schema

EXTENSION = "faqbot.console"


@dataclass(frozen=True)
class NavEntry:
    endpoint: str  # Flask endpoint of the page, e.g. "console.inbox"
    label: str  # catalog key of its label (bot/console_messages.py)
    role: str  # the least role that may open it (bot.keys.ROLES)


# The console's navigation, in order; each entry is shown to users whose role may open it.
NAV: tuple[NavEntry, ...] = (
    NavEntry("console.inbox", "console.nav_inbox", "agent"),
    NavEntry("insights.dashboard", "console.nav_insights", "manager"),
    NavEntry("console_admin.admin", "console.nav_admin", "admin"),
    NavEntry("console_admin.audit", "console.nav_audit", "admin"),
)


@dataclass(frozen=True)
class ConsoleConfig:
    """What the console's routes share besides `server.context.services()`: the clock."""

    clock: Callable[[], float]


def install(app: Flask, clock: Callable[[], float] | None = None) -> None:
    """Register the console's blueprints on `app` (before the OpenAPI document is built)."""
    import time

    from server.console import admin, auth, insights, insights_kb, pages

    app.extensions[EXTENSION] = ConsoleConfig(clock or time.time)
    app.register_blueprint(auth.bp)
    for blueprint in (pages.bp, admin.bp, insights.bp, insights_kb.bp):
        app.register_blueprint(blueprint)


def console_paths(app: Flask) -> dict[str, Schema]:
    """Every /console route of `app` as a documented page (HTML in, HTML or a redirect out)."""
    import re

    page = {"text/html": {"schema": {"type": "string"}}}
    html = {"description": "A console page (HTML)", "content": page}
    # A browser gets an error page, the console's own fetches the API's JSON error.
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}, **page}
    refs = {c: {"description": f"Error {c}: an HTML page, or JSON for the console's scripts",
                "content": error} for c in ("400", "403", "404", "409", "500", "503")}
    out: dict[str, Schema] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/console"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            responses: Schema = {"200": html, **refs}
            if method == "POST":
                responses["303"] = {"description": "Done: see the page it redirects to"}
            out.setdefault(path, {})[method.lower()] = {
                "summary": f"Console: {rule.endpoint}", "responses": responses, ANY_QUERY: True}
    return out
