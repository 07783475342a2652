"""HTTP edge of faqbot: translates JSON requests to domain calls and errors to JSON responses."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request, send_from_directory
from werkzeug.exceptions import HTTPException

from bot import Bot
from bot.agents import Agents
from bot.analytics import analytics
from bot.desk import Desk, FeedbackResult, Reply, check_contact, check_session_id
from bot.keys import authenticate
from bot.messages import catalog_languages, ui_strings
from bot.records import Escalation, Turn
from bot.store import Store, open_store
from indexer import load_index, make_encoder
from kb.errors import FaqbotError, NotFoundError, RequestError
from kb.settings import Settings

log = logging.getLogger(__name__)
WEB = Path(__file__).resolve().parent / "web"
_RTL = ("ar", "he", "fa", "ur", "yi")


def create_app(settings: Settings, bot: Bot | None = None, store: Store | None = None) -> Flask:
    """The WSGI app; builds the bot and opens the store from `settings` unless given (tests)."""
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if bot is None:
        encoder = make_encoder(settings.encoder)
        bot = Bot(load_index(settings.index_dir, encoder.name), encoder, settings)
    store = store or open_store(settings.store_url)
    desk, agents = Desk(bot, store, bot.settings), Agents(store)
    app = Flask(__name__, static_folder=None)
    # Bodies bigger than this are refused before they are read.
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["faqbot"] = bot
    app.extensions["faqbot.store"] = store

    @app.errorhandler(FaqbotError)
    def _domain_error(e: FaqbotError) -> tuple[Response, int]:
        return jsonify(error={"code": e.code, "message": str(e)}), e.status

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException) -> tuple[Response, int]:
        code = (e.name or "error").lower().replace(" ", "_")
        return jsonify(error={"code": code, "message": e.description}), e.code or 500

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> tuple[Response, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error={"code": "internal_error", "message": "internal error"}), 500

    @app.after_request
    def _cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and request.path.startswith("/v1/") and (
                "*" in settings.cors_origins or origin in settings.cors_origins):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Max-Age"] = "600"
            response.vary.add("Origin")
        return response

    def key(needs: str) -> str:
        """The name of the agent (or admin) acting, from the request's API key."""
        return authenticate(store, request.headers.get("Authorization"), needs).name

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok", index_version=bot.index.version,
                       articles=len(bot.kb.ids), languages=bot.kb.languages)

    # --- customer side (the widget and help desks) ---
    @app.post("/v1/answer")
    def answer() -> Response:
        body = _json_object(("question", "lang", "session_id", "contact"))
        contact = body.get("contact")
        if contact is not None and not isinstance(contact, dict):
            raise RequestError("contact must be an object with name, email and/or phone")
        if contact is not None and set(contact) - {"name", "email", "phone"}:
            raise RequestError(f"unknown contact field(s) {sorted(set(contact) - {'name', 'email', 'phone'})}")
        reply = desk.ask(_required(body, "question"), body.get("lang"), body.get("session_id"),
                         check_contact(**contact) if contact else None)
        return jsonify(_reply_json(reply))

    @app.post("/v1/choose")
    def choose() -> Response:
        body = _json_object(("session_id", "article_id", "lang"))
        reply = desk.choose(_required(body, "session_id"), _required(body, "article_id"), body.get("lang"))
        return jsonify(_reply_json(reply))

    @app.post("/v1/handoff")
    def handoff() -> tuple[Response, int]:
        body = _json_object(("session_id", "name", "email", "phone", "message", "lang"))
        contact = check_contact(body.get("name"), body.get("email"), body.get("phone"))
        reply = desk.handoff(_required(body, "session_id"), contact, body.get("message") or "",
                             body.get("lang"))
        return jsonify(_reply_json(reply)), 201

    @app.post("/v1/feedback")
    def feedback() -> Response:
        body = _json_object(("session_id", "turn_id", "helpful", "csat", "comment"))
        result = desk.feedback(_required(body, "session_id"), _required(body, "turn_id"),
                               body.get("helpful"), body.get("csat"), body.get("comment") or "")
        return jsonify(_feedback_json(result))

    @app.get("/v1/sessions/<session_id>")
    def session(session_id: str) -> Response:
        after = request.args.get("after", "0")
        if not after.isdigit():
            raise RequestError(f"after must be a turn id (a non-negative integer), got {after!r}")
        info, turns = desk.transcript(session_id, int(after))
        return jsonify(session_id=info.session_id, state=info.state, language=info.lang,
                       turns=[_turn_json(t) for t in turns])

    @app.post("/v1/search")
    def search() -> Response:
        body = _json_object(("query", "lang", "k"))
        hits = bot.search(_required(body, "query"), body.get("lang"), body.get("k", 5))
        return jsonify(hits=[asdict(h) for h in hits])

    @app.get("/v1/articles/popular")
    def popular() -> Response:
        k = request.args.get("k", "5")
        if not k.isdigit() or not 1 <= int(k) <= 20:
            raise RequestError(f"k must be an integer from 1 to 20, got {k!r}")
        lang = bot.languages.detect("", bot.lang_hint(request.args.get("lang"))).lang
        return jsonify(articles=[{"article_id": a.id, "lang": a.lang, "title": a.title, "url": a.url}
                                 for a in desk.popular(lang, int(k))])

    @app.get("/v1/articles/<article_id>")
    def article(article_id: str) -> Response:
        if not bot.kb.translations(article_id):
            raise NotFoundError(f"no article with id {article_id!r}"[:200])
        lang = bot.languages.detect("", bot.lang_hint(request.args.get("lang"))).lang
        a = bot.version(article_id, lang)
        return jsonify(article_id=a.id, lang=a.lang, title=a.title, body=a.body, url=a.url)

    @app.get("/v1/widget/config")
    def widget_config() -> Response:
        langs = catalog_languages()
        return jsonify(default_lang=bot.languages.default, languages=list(bot.languages.served),
                       rtl=[x for x in langs if x.split("-")[0] in _RTL],
                       strings={x: ui_strings(x) for x in langs})

    # --- agents ---
    @app.get("/v1/agent/escalations")
    def list_escalations() -> Response:
        key("agent")
        limit = request.args.get("limit", "50")
        if not limit.isdigit() or not 1 <= int(limit) <= 500:
            raise RequestError(f"limit must be an integer from 1 to 500, got {limit!r}")
        status = request.args.get("status")
        if status not in (None, "open", "claimed", "resolved"):
            raise RequestError(f"status must be open, claimed or resolved, got {status!r}")
        found = store.escalations(status, request.args.get("queue"), int(limit))
        return jsonify(escalations=[_escalation_json(e, full=True) for e in found])

    @app.get("/v1/agent/escalations/<escalation_id>")
    def get_escalation(escalation_id: str) -> Response:
        key("agent")
        return jsonify(_escalation_json(agents.escalation(escalation_id), full=True))

    @app.post("/v1/agent/escalations/<escalation_id>/claim")
    def claim(escalation_id: str) -> Response:
        return jsonify(_escalation_json(agents.claim(escalation_id, key("agent")), full=True))

    @app.post("/v1/agent/escalations/<escalation_id>/resolve")
    def resolve(escalation_id: str) -> Response:
        return jsonify(_escalation_json(agents.resolve(escalation_id, key("agent")), full=True))

    @app.post("/v1/agent/sessions/<session_id>/reply")
    def agent_reply(session_id: str) -> tuple[Response, int]:
        agent = key("agent")
        body = _json_object(("text",))
        turn = agents.reply(check_session_id(session_id), agent, _required(body, "text"))
        return jsonify(_turn_json(turn)), 201

    @app.post("/v1/agent/sessions/<session_id>/release")
    def release(session_id: str) -> Response:
        info = agents.release(check_session_id(session_id), key("agent"))
        return jsonify(session_id=info.session_id, state=info.state)

    @app.get("/v1/analytics")
    def get_analytics() -> Response:
        key("agent")
        since, until = _time_arg("since"), _time_arg("until")
        try:
            report = analytics(store, since, until)
        except ValueError as e:
            raise RequestError(str(e)) from None
        return jsonify(report.to_dict())

    # --- the widget and the demo host page ---
    @app.get("/widget.js")
    def widget_js() -> Response:
        response = send_from_directory(WEB, "widget.js", mimetype="application/javascript", max_age=300)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @app.get("/static/<path:name>")
    def static_file(name: str) -> Response:
        return send_from_directory(WEB, name, max_age=300)

    @app.get("/")
    def index_page() -> Response:
        return send_from_directory(WEB, "store.html", mimetype="text/html")

    return app


def _iso(at: float | None) -> str | None:
    return None if at is None else dt.datetime.fromtimestamp(at, dt.UTC).isoformat().replace("+00:00", "Z")


def _time_arg(name: str) -> float | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RequestError(f"{name} must be an ISO 8601 date or time, got {value!r}"[:200]) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).timestamp()


def _turn_json(t: Turn) -> dict[str, Any]:
    return {"turn_id": t.turn_id, "role": t.role, "text": t.text, "at": _iso(t.at), "lang": t.lang,
            "decision": t.decision or None, "article_id": t.article_id or None,
            "confidence": t.confidence, "agent": t.agent or None, "reason": t.reason or None}


def _escalation_json(e: Escalation, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "escalation_id": e.escalation_id, "session_id": e.session_id, "queue": e.queue,
        "reason": e.reason, "priority": e.priority, "status": e.status,
        "expected_reply_at": _iso(e.expected_reply_at), "out_of_hours": e.out_of_hours}
    if full:
        out.update(language=e.language, created_at=_iso(e.created_at), updated_at=_iso(e.updated_at),
                   agent=e.agent or None, contact=asdict(e.contact), message=e.message,
                   candidates=[asdict(c) for c in e.candidates],
                   transcript=[_turn_json(t) for t in e.transcript])
    return out


def _reply_json(r: Reply) -> dict[str, Any]:
    return {
        "decision": r.decision, "confidence": r.confidence, "language": r.language,
        "answer": asdict(r.answer) if r.answer else None,
        "suggestions": [asdict(s) for s in r.suggestions], "reason": r.reason, "notice": r.notice,
        "session_id": r.session_id, "turn_id": r.turn_id, "state": r.state,
        "escalation": _escalation_json(r.escalation) if r.escalation else None, "took_ms": r.took_ms,
    }


def _feedback_json(r: FeedbackResult) -> dict[str, Any]:
    return {"ok": True, "session_id": r.session_id, "state": r.state, "notice": r.notice,
            "escalation": _escalation_json(r.escalation) if r.escalation else None}


def _json_object(allowed: tuple[str, ...]) -> dict[str, Any]:
    if not request.is_json:
        raise RequestError("send a JSON body with Content-Type: application/json")
    body = request.get_json(silent=True)
    if body is None:
        raise RequestError("request body is not valid JSON")
    if not isinstance(body, dict):
        raise RequestError(f"request body must be a JSON object, got {type(body).__name__}")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise RequestError(f"unknown field(s) {unknown}; allowed: {list(allowed)}")
    return body


def _required(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise RequestError(f"missing required field {name!r}")
    return body[name]
