"""HTTP edge of faqbot: translates JSON requests to domain calls and errors to JSON responses."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request, send_from_directory
from werkzeug.exceptions import HTTPException

import api_limits
import api_observe
from api_input import arg, check_parameters, int_arg, json_object, printable, required, time_arg
from api_observe import configure_logging
from api_spec import MAX_AFTER, MAX_BODY_BYTES, observe_paths, openapi_document, string_limits
from bot import Bot
from bot.agents import Agents
from bot.analytics import analytics
from bot.desk import Desk, FeedbackResult, Reply, check_contact, check_session_id
from bot.keys import authenticate
from bot.messages import catalog_languages, text_direction, ui_strings
from bot.records import Escalation, Turn
from bot.store import Store, open_store
from bot.timestamps import iso
from indexer import load_index, make_encoder
from kb.errors import FaqbotError, NotFoundError, RequestError
from kb.settings import Settings

log = logging.getLogger(__name__)
WEB = Path(__file__).resolve().parent / "web"
def create_app(settings: Settings, bot: Bot | None = None, store: Store | None = None) -> Flask:
    """The WSGI app; builds the bot and opens the store from `settings` unless given (tests)."""
    configure_logging(settings.log_level, settings.log_format)
    if bot is None:
        encoder = make_encoder(settings.encoder)
        bot = Bot(load_index(settings.index_dir, encoder.name), encoder, settings)
    store = store or open_store(settings.store_url)
    desk, agents = Desk(bot, store, bot.settings), Agents(store)
    limits = string_limits(bot.settings)
    app = Flask(__name__, static_folder=None)
    # Bodies bigger than this are refused before they are read.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["faqbot"] = bot
    app.extensions["faqbot.store"] = store

    @app.errorhandler(FaqbotError)
    def _domain_error(e: FaqbotError) -> tuple[Response, int]:
        return jsonify(error={"code": e.code, "message": printable(str(e))}), e.status

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException) -> tuple[Response, int]:
        code = (e.name or "error").lower().replace(" ", "_")
        return jsonify(error={"code": code, "message": printable(e.description or "")}), e.code or 500

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> tuple[Response, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error={"code": "internal_error", "message": "internal error"}), 500

    app.before_request(check_parameters)

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

    def body(*allowed: str) -> dict[str, Any]:
        return json_object(allowed, limits)

    def key(needs: str) -> str:
        """The name of the agent (or admin) acting, from the request's API key."""
        return authenticate(store, request.headers.get("Authorization"), needs).name

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok", index_version=bot.index.version,
                       articles=len(bot.kb.ids), languages=bot.kb.languages, threshold=bot.thresholds())

    # --- customer side (the widget and help desks) ---
    @app.post("/v1/answer")
    def answer() -> Response:
        b = body("question", "lang", "session_id", "contact")
        contact = b.get("contact")
        if contact is not None and not isinstance(contact, dict):
            raise RequestError("contact must be an object with name, email and/or phone")
        if contact is not None and set(contact) - {"name", "email", "phone"}:
            raise RequestError(f"unknown contact field(s) {sorted(set(contact) - {'name', 'email', 'phone'})}"[:200])
        reply = desk.ask(required(b, "question"), b.get("lang"), b.get("session_id"),
                         check_contact(**contact) if contact else None)
        api_observe.count(reply)
        return jsonify(_reply_json(reply))

    @app.post("/v1/choose")
    def choose() -> Response:
        b = body("session_id", "article_id", "lang")
        reply = desk.choose(required(b, "session_id"), required(b, "article_id"), b.get("lang"))
        api_observe.count(reply)
        return jsonify(_reply_json(reply))

    @app.post("/v1/handoff")
    def handoff() -> tuple[Response, int]:
        b = body("session_id", "name", "email", "phone", "message", "lang")
        contact = check_contact(b.get("name"), b.get("email"), b.get("phone"))
        message = b.get("message")
        reply = desk.handoff(required(b, "session_id"), contact, "" if message is None else message,
                             b.get("lang"))
        api_observe.count(reply)
        return jsonify(_reply_json(reply)), 201

    @app.post("/v1/feedback")
    def feedback() -> Response:
        b = body("session_id", "turn_id", "helpful", "csat", "comment")
        comment = b.get("comment")
        result = desk.feedback(required(b, "session_id"), required(b, "turn_id"), b.get("helpful"),
                               b.get("csat"), "" if comment is None else comment)
        return jsonify(_feedback_json(result))

    @app.get("/v1/sessions/<session_id>")
    def session(session_id: str) -> Response:
        info, turns = desk.transcript(session_id, int_arg("after", 0, 0, MAX_AFTER))
        return jsonify(session_id=info.session_id, state=info.state, language=info.lang,
                       turns=[_turn_json(t) for t in turns])

    @app.post("/v1/search")
    def search() -> Response:
        b = body("query", "lang", "k")
        hits = bot.search(required(b, "query"), b.get("lang"), b.get("k", 5))
        return jsonify(hits=[asdict(h) for h in hits])

    @app.get("/v1/articles/popular")
    def popular() -> Response:
        k = int_arg("k", 5, 1, 20)
        lang = bot.languages.detect("", bot.lang_hint(arg("lang"))).lang
        return jsonify(articles=[{"article_id": a.id, "lang": a.lang, "title": a.title, "url": a.url}
                                 for a in desk.popular(lang, k)])

    @app.get("/v1/articles/<article_id>")
    def article(article_id: str) -> Response:
        if not bot.kb.translations(article_id):
            raise NotFoundError(f"no article with id {article_id!r}"[:200])
        lang = bot.languages.detect("", bot.lang_hint(arg("lang"))).lang
        a = bot.version(article_id, lang)
        return jsonify(article_id=a.id, lang=a.lang, title=a.title, body=a.body, url=a.url)

    @app.get("/v1/widget/config")
    def widget_config() -> Response:
        langs = catalog_languages()
        return jsonify(default_lang=bot.languages.default, languages=list(bot.languages.served),
                       rtl=[x for x in langs if text_direction(x) == "rtl"],
                       strings={x: ui_strings(x) for x in langs})

    # --- agents ---
    @app.get("/v1/agent/escalations")
    def list_escalations() -> Response:
        key("agent")
        limit = int_arg("limit", 50, 1, 500)
        status = arg("status")
        if status not in (None, "open", "claimed", "resolved"):
            raise RequestError(f"status must be open, claimed or resolved, got {status!r}"[:200])
        found = store.escalations(status, arg("queue"), limit)
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
        turn = agents.reply(check_session_id(session_id), agent, required(body("text"), "text"))
        return jsonify(_turn_json(turn)), 201

    @app.post("/v1/agent/sessions/<session_id>/release")
    def release(session_id: str) -> Response:
        agent = key("agent")
        info = agents.release(check_session_id(session_id), agent)
        return jsonify(session_id=info.session_id, state=info.state)

    @app.get("/v1/analytics")
    def get_analytics() -> Response:
        key("agent")
        since, until = time_arg("since"), time_arg("until")
        try:
            report = analytics(store, since, until)
        except ValueError as e:
            raise RequestError(str(e)) from None
        return jsonify(report.to_dict())

    # --- the document of all of the above ---
    # api_observe registers its routes (/metrics) here, before the document is built, and passes
    # their path items to openapi_document(extra_paths=...).
    api_limits.install(app, bot.settings, store)
    api_observe.install(app, bot, store)
    spec = openapi_document(bot.settings, extra_paths=observe_paths())

    @app.get("/openapi.json")
    def openapi_json() -> Response:
        return jsonify(spec)

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


def _turn_json(t: Turn) -> dict[str, Any]:
    return {"turn_id": t.turn_id, "role": t.role, "text": t.text, "at": iso(t.at), "lang": t.lang,
            "decision": t.decision or None, "article_id": t.article_id or None,
            "confidence": t.confidence, "agent": t.agent or None, "reason": t.reason or None}


def _escalation_json(e: Escalation, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "escalation_id": e.escalation_id, "session_id": e.session_id, "queue": e.queue,
        "reason": e.reason, "priority": e.priority, "status": e.status,
        "expected_reply_at": iso(e.expected_reply_at), "out_of_hours": e.out_of_hours}
    if full:
        out.update(language=e.language, created_at=iso(e.created_at), updated_at=iso(e.updated_at),
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
