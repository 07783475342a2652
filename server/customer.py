"""Customer-side routes: what the widget and help desks call (answers, choices, handoff, feedback,
transcripts, KB search and the articles the widget shows)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify, request

from bot.desk import Reply, check_contact, new_session_id
from bot.keys import authenticate
from bot.messages import catalog_languages, text_direction, ui_strings
from kb.errors import ForbiddenError, NotFoundError, shown
from server import observe, views
from server.context import body, services
from server.input import query
from server.openapi import SESSION_TOKEN

bp = Blueprint("customer", __name__)


def _session(session_id: str | None) -> str:
    """The session this request may act on. A help desk (any valid key) may use its own ids, such
    as ticket numbers; a keyless caller only sessions the server issued, proven by the token it
    got with the id (`X-Session-Token`). No id: a new session."""
    s = services()
    authorization = request.headers.get("Authorization")
    if authorization:
        authenticate(s.store, authorization, "helpdesk")
        return session_id or new_session_id()
    if session_id is None:
        return new_session_id()
    token = request.headers.get(SESSION_TOKEN, "")
    if not token or not s.tokens.valid(session_id, token):
        raise ForbiddenError(f"session {shown(session_id)} is not yours: send the {SESSION_TOKEN} "
                             "header this server returned with the session id, or start a new one")
    return session_id


def _reply(reply: Reply, status: int = 200) -> tuple[Response, int]:
    observe.count(reply)
    return jsonify(views.reply(reply, services().tokens.token(reply.session_id))), status


@bp.post("/v1/sessions")
def start_session() -> tuple[Response, int]:
    session_id = _session(None)
    return jsonify(session_id=session_id, session_token=services().tokens.token(session_id)), 201


@bp.post("/v1/answer")
def answer() -> tuple[Response, int]:
    b = body()
    given = b.get("contact")
    contact = check_contact(**{k: v or "" for k, v in given.items()}, lang=b.get("lang")) if given else None
    session_id = _session(b.get("session_id"))
    return _reply(services().desk.ask(b["question"], b.get("lang"), session_id, contact,
                                      b.get("handoff_policy")))


@bp.post("/v1/choose")
def choose() -> tuple[Response, int]:
    b = body()
    return _reply(services().desk.choose(_session(b["session_id"]), b["article_id"], b.get("lang")))


@bp.post("/v1/handoff")
def handoff() -> tuple[Response, int]:
    b = body()
    contact = check_contact(b.get("name") or "", b.get("email") or "", b.get("phone") or "", b.get("lang"))
    session_id = _session(b["session_id"])
    return _reply(services().desk.handoff(session_id, contact, b.get("message") or "", b.get("lang")), 201)


@bp.post("/v1/feedback")
def feedback() -> Response:
    b = body()
    result = services().desk.feedback(_session(b["session_id"]), b["turn_id"], b.get("helpful"),
                                      b.get("csat"), b.get("comment") or "")
    return jsonify(views.feedback(result))


@bp.get("/v1/sessions/<session_id>")
def session(session_id: str) -> Response:
    s = services()
    info, turns = s.desk.transcript(_session(session_id), query("after", 0))
    if turns and not request.headers.get("Authorization"):
        # The customer's widget has now shown these: no e-mail follow-up for them (bot/followup.py).
        s.store.mark_seen(info.session_id, max(t.turn_id for t in turns), s.desk.clock())
    names = s.store.display_names([t.agent for t in turns if t.agent])
    return jsonify(session_id=info.session_id, state=info.state, language=info.lang,
                   turns=[views.turn(t, names) for t in turns])


@bp.post("/v1/search")
def search() -> Response:
    b = body()
    hits = services().bot.search(b["query"], b.get("lang"), b.get("k", 5))
    return jsonify(hits=[asdict(h) for h in hits])


@bp.get("/v1/articles/popular")
def popular() -> Response:
    s = services()
    lang = s.bot.resolve_language("", query("lang"))
    return jsonify(articles=[{"article_id": a.id, "lang": a.lang, "title": a.title, "url": a.url}
                             for a in s.desk.popular(lang, query("k", 5))])


@bp.get("/v1/articles/<article_id>")
def article(article_id: str) -> Response:
    bot = services().bot
    if not bot.kb.translations(article_id):
        raise NotFoundError(f"no article with id {shown(article_id)}")
    a = bot.version(article_id, bot.resolve_language("", query("lang")))
    return jsonify(article_id=a.id, lang=a.lang, title=a.title, body=a.body, url=a.url)


@bp.get("/v1/widget/config")
def widget_config() -> Response:
    langs = catalog_languages()
    detector = services().bot.languages
    return jsonify(default_lang=detector.default, languages=list(detector.served),
                   rtl=[x for x in langs if text_direction(x) == "rtl"],
                   strings={x: ui_strings(x) for x in langs})
