"""Console sign-in: an API key exchanged for a session cookie; role guards; CSRF on every change.

The cookie holds a random token (the store keeps only its SHA-256), is HttpOnly (no script reads
it), SameSite=Strict (no other site's page sends it) and Secure when the request came over TLS
(directly or through `trusted_proxies`). The sign-in form itself is protected by a pre-session
cookie whose value the form must repeat, so another site cannot sign a browser in either.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import Forbidden

from bot.console_messages import CONSOLE_LANGS, NATIVE_NAMES, console_message
from bot.console_messages import MESSAGES as CONSOLE_MESSAGES
from bot.keys import authenticate, hash_secret, may_act_as
from bot.store.console import AuditEntry
from kb.errors import AuthError, ForbiddenError
from server.context import services

COOKIE = "faqbot_console"
PRE_COOKIE = "faqbot_console_signin"
LANG_COOKIE = "faqbot_console_lang"
_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint("console_auth", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static", static_url_path="/static")


@dataclass(frozen=True)
class ConsoleUser:
    key_id: str
    name: str  # the key's name: who the API and the audit log say acted
    role: str
    csrf: str


def now() -> float:
    from server.console import EXTENSION

    clock: Callable[[], float] = current_app.extensions[EXTENSION].clock
    return clock()


def current_user() -> ConsoleUser | None:
    """Who is signed in on this request (None before sign-in)."""
    if "console_user" not in g:
        g.console_user = _load_user()
    user: ConsoleUser | None = g.console_user
    return user


def _load_user() -> ConsoleUser | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    store = services().store
    idle = services().settings.console_idle_minutes * 60
    found = store.console_session(hash_secret(token), now(), idle)
    if found is None:
        return None
    key = next((k for k in store.api_keys() if k.key_id == found.key_id and k.revoked_at is None), None)
    if key is None:  # revoked since: the session dies with it
        store.end_console_session(hash_secret(token), now())
        return None
    return ConsoleUser(key.key_id, key.name, key.role, found.csrf)


def console_required(role: str) -> Callable[[F], F]:
    """Guard a console view: no session → redirect to sign-in; a lower role → 403 page."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return redirect(url_for("console_auth.sign_in", next=request.full_path.rstrip("?")), 303)
            if not may_act_as(user.role, role):
                return render_template("console/error.html", message=t("console.forbidden")), 403
            return view(*args, **kwargs)

        return cast(F, guarded)

    return wrap


def csrf() -> str:
    user = current_user()
    return user.csrf if user else ""


def check_csrf() -> None:
    """Before every console request: a state change needs a same-origin request (when the browser
    says where it came from) and the session's CSRF token (the sign-in form: its own)."""
    if request.method not in _CHANGES or not request.path.startswith("/console"):
        return
    origin = request.headers.get("Origin")
    if origin and origin != "null" and _origin(origin) != _origin(request.host_url):
        abort(403, "cross-site request refused")
    sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
    if request.endpoint == "console_auth.sign_in":
        expected = request.cookies.get(PRE_COOKIE, "")
    else:
        user = current_user()
        expected = user.csrf if user else ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(403, "missing or wrong CSRF token: reload the page and try again")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def ui_lang() -> str:
    """The console's language: the one chosen (cookie), else the browser's, else English."""
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE, "")
    if chosen in CONSOLE_LANGS:
        return chosen
    best = request.accept_languages.best_match(CONSOLE_LANGS)
    if best is None:
        prefixes = {lang.split("-")[0]: lang for lang in reversed(CONSOLE_LANGS)}
        best = next((prefixes[v.split("-")[0].lower()] for v, _ in request.accept_languages
                     if v.split("-")[0].lower() in prefixes), None)
    return best or "en"


def t(key: str, **values: str) -> str:
    return console_message(key, ui_lang(), **values)


def label(kind: str, value: str) -> str:
    """The UI word for a value of a closed set (a status, priority, role...); the value itself for
    one the catalog does not know yet, so a new state added elsewhere never breaks a page."""
    key = f"console.{kind}_{value}"
    return t(key) if key in CONSOLE_MESSAGES else str(value)


@bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    from server.console import NAV

    user = current_user() if request.path.startswith("/console") else None
    nav = [(e, url_for(e.endpoint)) for e in NAV if user and may_act_as(user.role, e.role)]
    return {"t": t, "label": label, "csrf": csrf, "user": user, "nav": nav, "ui_lang": ui_lang(),
            "console_langs": [(code, NATIVE_NAMES[code]) for code in CONSOLE_LANGS]}


@bp.app_template_filter("console_time")
def _console_time(at: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


@bp.before_app_request
def _guard_changes() -> None:
    check_csrf()


@bp.after_app_request
def _remember_lang(response: Response) -> Response:
    chosen = request.args.get("lang")
    if request.path.startswith("/console") and chosen in CONSOLE_LANGS:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, path="/console", samesite="Strict",
                            secure=request.is_secure, httponly=True)
    if request.path.startswith("/console") and response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"  # transcripts stay out of shared caches
    return response


@bp.app_errorhandler(Forbidden)
def _forbidden(e: Forbidden) -> Any:
    if not request.path.startswith("/console"):
        from flask import jsonify

        return jsonify(error={"code": "forbidden", "message": e.description or ""}), 403
    return render_template("console/error.html", message=e.description), 403


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    target = _safe_next(request.values.get("next", ""))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(target, 303)
        return _sign_in_page(target, "", 200)
    store = services().store
    try:
        key = authenticate(store, f"Bearer {request.form.get('key', '').strip()}", "agent")
    except (AuthError, ForbiddenError) as e:
        store.audit(AuditEntry(now(), "-", "sign_in_refused", detail=type(e).__name__))
        forbidden = isinstance(e, ForbiddenError)
        message = t("console.sign_in_forbidden" if forbidden else "console.sign_in_bad_key")
        return _sign_in_page(target, message, 403 if forbidden else 401)
    token, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    store.add_console_session(hash_secret(token), key.key_id, csrf_token, now())
    store.audit(AuditEntry(now(), key.name, "sign_in", detail=f"key {key.key_id} ({key.role})"))
    response = redirect(target, 303)
    # No max_age: the cookie ends with the browser, the session server-side after the idle timeout.
    response.set_cookie(COOKIE, token, path="/console", httponly=True, samesite="Strict",
                        secure=request.is_secure)
    response.delete_cookie(PRE_COOKIE, path="/console")
    return response


def _sign_in_page(target: str, error: str, status: int) -> Response:
    pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(32)
    response = Response(render_template("console/sign_in.html", pre=pre, next=target, error=error),
                        status=status, mimetype="text/html")
    response.set_cookie(PRE_COOKIE, pre, path="/console", httponly=True, samesite="Strict",
                        secure=request.is_secure, max_age=3600)
    return response


def _safe_next(target: str) -> str:
    """Only a path of this console: never another site (an open redirect)."""
    if target.startswith("/console") and not target.startswith(("//", "/console//")) and "\\" not in target:
        return target
    return url_for("console.inbox")


@bp.post("/sign-out")
def sign_out() -> Any:
    user = current_user()
    token = request.cookies.get(COOKIE)
    if token:
        services().store.end_console_session(hash_secret(token), now())
    if user is not None:
        services().store.audit(AuditEntry(now(), user.name, "sign_out", detail=f"key {user.key_id}"))
    response = redirect(url_for("console_auth.sign_in"), 303)
    response.delete_cookie(COOKIE, path="/console", httponly=True, samesite="Strict",
                           secure=request.is_secure)
    return response
