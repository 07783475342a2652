"""The OpenAPI 3.1 document of the HTTP API (`GET /openapi.json`), built once per app from settings.

It is also what the edge checks every request against (server/input.py): a body, query or path
parameter the document calls invalid is refused with a 400 whose message comes from the same
schema, so the document and the checks cannot disagree. Closed sets (decisions, reasons, states,
statuses, priorities) and limits come from the domain (bot/types.py, bot/records.py, bot/limits.py,
kb/handoff.py), never written out here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from bot.limits import (
    ESCALATIONS_PAGE_MAX,
    MAX_AFTER,
    POPULAR_MAX,
    SESSION_ID_MAX,
    SESSION_ID_PATTERN,
    SESSION_ID_RULE,
    TURN_ID_MAX,
    text_limits,
)
from bot.records import EscalationSort, EscalationStatus, Priority, Role, SessionState
from bot.types import SENSITIVE, THRESHOLD_SCOPES, THRESHOLD_SOURCES, Decision, Reason
from kb.handoff import HandoffPolicy
from kb.settings import Settings

MAX_BODY_BYTES = 64 * 1024
MAX_INT = TURN_ID_MAX
MAX_JSON_DEPTH = 8
ANY_QUERY = "x-faqbot-any-query"  # pages and scripts take any query (cache busters, utm_ tags)
ROLE = "x-faqbot-role"  # the key role a security scheme stands for (bot/keys.py)
SESSION_TOKEN = "X-Session-Token"  # proves a keyless caller's session is theirs (bot/sessions.py)
Schema = dict[str, Any]


def enum(values: Iterable[StrEnum]) -> Schema:
    return {"type": "string", "enum": [v.value for v in values]}


def reason_schema() -> Schema:
    return {"anyOf": [enum(Reason), {"type": "string", "pattern": f"^{SENSITIVE}:[A-Za-z0-9_.-]+$"}]}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    """The schema, or JSON null (a type list where the schema has one type, as the checks read)."""
    if isinstance(schema.get("type"), str):
        out = {**schema, "type": [schema["type"], "null"]}
        return {**out, "enum": [*schema["enum"], None]} if "enum" in schema else out
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(props: Mapping[str, Schema], required: tuple[str, ...] | None = None,
         description: str = "") -> Schema:
    """A closed object; every property is required unless `required` says otherwise."""
    out: Schema = {"type": "object", "additionalProperties": False, "properties": dict(props),
                   "required": list(props if required is None else required)}
    return {**out, "description": description} if description else out


def _int(low: int, high: int) -> Schema:
    return {"type": "integer", "minimum": low, "maximum": high}


_STR: Schema = {"type": "string"}
_INT: Schema = {"type": "integer"}
_NUM: Schema = {"type": "number"}
_BOOL: Schema = {"type": "boolean"}
_TIME: Schema = _nullable({"type": "string", "format": "date-time"})
_SESSION: Schema = {"type": "string", "maxLength": SESSION_ID_MAX, "pattern": SESSION_ID_PATTERN,
                    "description": SESSION_ID_RULE}


def _schemas(settings: Settings) -> dict[str, Schema]:
    lim = text_limits(settings)

    def text(name: str, min_length: int = 0) -> Schema:
        return {"type": "string", "minLength": min_length, "maxLength": lim[name]}

    lang = _nullable(text("lang"))
    contact = _obj({f: text(f) for f in ("name", "email", "phone")})
    escalation: dict[str, Schema] = {
        "escalation_id": _STR, "session_id": _STR, "queue": _STR, "reason": reason_schema(),
        "priority": enum(Priority), "status": enum(EscalationStatus), "expected_reply_at": _TIME,
        "out_of_hours": _BOOL}
    article = {"article_id": _STR, "lang": _STR, "title": _STR, "body": _STR, "url": _STR}
    contact_in = _obj({f: _nullable(text(f)) for f in ("name", "email", "phone")}, (),
                      "an object with name, email and/or phone")
    return {
        "Error": _obj({"error": _obj({"code": _STR, "message": _STR})}),
        "Turn": _obj({"turn_id": _INT, "role": enum(Role), "text": _STR, "at": _TIME, "lang": _STR,
                      "decision": _nullable(enum(Decision)), "article_id": _nullable(_STR),
                      "confidence": _nullable(_NUM), "agent": _nullable(_STR),
                      "agent_name": _nullable(_STR), "reason": _nullable(_STR)}),
        "Contact": contact,
        "Escalation": _obj(escalation),
        "EscalationDetail": _obj({
            **escalation, "language": _STR, "created_at": _TIME, "updated_at": _TIME,
            "agent": _nullable(_STR), "contact": _ref("Contact"), "message": _STR,
            "candidates": {"type": "array", "items": _obj({"article_id": _STR, "title": _STR,
                                                           "confidence": _NUM})},
            "transcript": {"type": "array", "items": _ref("Turn")}}),
        "EscalationItem": _obj({
            **escalation, "language": _STR, "created_at": _TIME, "updated_at": _TIME,
            "agent": _nullable(_STR), "contact": _ref("Contact"), "message": _STR,
            "candidates": {"type": "array", "items": _obj({"article_id": _STR, "title": _STR,
                                                           "confidence": _NUM})},
            "customer_replied_at": _TIME}),
        "Article": _obj(article),
        "AnswerArticle": _obj({**article, "passage": {
            "type": "string", "description": "the section or sentences of body that answer the question"}}),
        "ReplyTime": _obj({"queue": _STR, "timezone": {**_STR, "description": "the queue's IANA time zone"},
                           "expected_reply_at": _TIME, "out_of_hours": _BOOL, "notice": _STR},
                          description="when a person would (offered) or will (escalated) reply"),
        "Reply": _obj({
            "decision": enum(Decision), "confidence": _nullable(_NUM), "language": _STR,
            "answer": _nullable(_ref("AnswerArticle")),
            "suggestions": {"type": "array", "items": _obj({"article_id": _STR, "lang": _STR,
                                                            "title": _STR, "confidence": _NUM})},
            "reason": reason_schema(), "notice": _STR, "session_id": _STR, "session_token": _STR,
            "turn_id": _INT,
            "state": enum(SessionState), "escalation": _nullable(_ref("Escalation")),
            "took_ms": _NUM, "reply_time": _nullable(_ref("ReplyTime"))},
            description="decision: answered / suggest / smalltalk (a greeting, thanks, ok: never "
                        "escalated) / offered (\"I don't know\", alternatives and a person offered; "
                        "state stays bot) / escalated (handed to a person: accepted, asked for, or a "
                        "handoff rule) / handed_off (a person owns it) / withdrawn (\"never mind\" "
                        "before anyone claimed it: state back to bot)"),
        "AnswerRequest": _obj({"question": text("question", 1), "lang": lang,
                               "session_id": _nullable(_SESSION), "contact": _nullable(contact_in),
                               "handoff_policy": _nullable({**enum(HandoffPolicy), "description":
                                   "offer (default): offer a person; immediate: hand over at once"})},
                              ("question",)),
        "ChooseRequest": _obj({"session_id": _SESSION, "article_id": text("article_id"),
                               "lang": lang}, ("session_id", "article_id")),
        "HandoffRequest": _obj({"session_id": _SESSION, "lang": lang,
                                **{f: _nullable(text(f)) for f in ("name", "email", "phone", "message")}},
                               ("session_id",)),
        "FeedbackRequest": _obj({
            "session_id": _SESSION,
            "turn_id": {**_int(1, MAX_INT), "description": "a positive integer"},
            "helpful": _nullable({**_BOOL, "description": "true or false"}),
            "csat": _nullable(_int(1, 5)),
            "comment": _nullable(text("comment"))}, ("session_id", "turn_id")),
        "SearchRequest": _obj({"query": text("query", 1), "lang": lang, "k": _int(1, settings.max_k)},
                              ("query",)),
        "ReplyRequest": _obj({"text": text("text", 1)}),
    }


def _json(schema: Schema, description: str = "OK") -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> Schema:
    return _json(_ref("Error"), description)


_ERRORS = {
    "400": "Bad request: wrong type, unknown field, value out of range, bad JSON or UTF-8, wrong "
           "Content-Type, control characters, lone surrogates, nesting deeper than "
           f"{MAX_JSON_DEPTH}, integers beyond ±2^63",
    "401": "No, malformed, unknown or revoked API key",
    "403": "The key's role may not do this, or the session is not the caller's (no or wrong "
           f"{SESSION_TOKEN})",
    "404": "No such session, article, escalation or file",
    "409": "Conflicts with the current state",
    "413": f"Body over {MAX_BODY_BYTES} bytes",
    "500": "Unexpected error",
    "503": "Conversation store unavailable",
}


def _op(summary: str, ok: Schema, errors: str, body: str | None = None,
        params: list[Schema] | None = None, agent: bool = False, status: str = "200",
        any_query: bool = False, session: bool = False) -> Schema:
    """One operation; `errors` lists its 4xx statuses besides the ones every operation has.
    `session`: it acts on a session, so a keyless caller sends its token (a help desk its key)."""
    codes = [*errors.split(), *(("401", "403") if agent or session else ()), *(("400",) if session else ()),
             *(("400", "413") if body else ()), "500", "503"]
    if session:
        params = [*(params or []), _param(SESSION_TOKEN, "header", {"type": "string", "maxLength": 200})]
    op: Schema = {"summary": summary, "responses": {status: ok, **{c: {"$ref": f"#/components/responses/E{c}"}
                                                                   for c in sorted(set(codes))}}}
    if body:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": _ref(body)}}}
    if params:
        op["parameters"] = params
    if agent:
        op["security"] = [{"agentKey": []}]
    if any_query:
        op[ANY_QUERY] = True
    return op


def _param(name: str, where: str, schema: Schema, required: bool = False) -> Schema:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema}


def _file(media: str) -> Schema:
    return {"description": "OK", "content": {media: {"schema": _STR}}}


def _paths() -> dict[str, Schema]:
    lang_q = _param("lang", "query", _STR)
    sid = [_param("session_id", "path", _SESSION)]
    esc = [_param("escalation_id", "path", {"type": "string", "minLength": 1})]
    detail = _json(_ref("EscalationDetail"))
    threshold = _obj({"value": _NUM, "source": {"type": "string", "enum": list(THRESHOLD_SOURCES)},
                      "scope": {"type": "string", "enum": list(THRESHOLD_SCOPES)}})
    health = _obj({"status": {"type": "string", "const": "ok"}, "index_version": _STR,
                   "articles": _INT, "languages": {"type": "array", "items": _STR},
                   "threshold": _obj({"target_precision": _NUM, "global": threshold, "per_language": {
                       "type": "object", "additionalProperties": threshold}})})
    transcript = _obj({"session_id": _STR, "state": enum(SessionState), "language": _STR,
                       "turns": {"type": "array", "items": _ref("Turn")}})
    transcript_params = [_param("session_id", "path", _SESSION), _param("after", "query", _int(0, MAX_AFTER))]
    started = _obj({"session_id": _STR, "session_token": _STR})
    feedback = _obj({"ok": {"type": "boolean", "const": True}, "session_id": _STR,
                     "state": enum(SessionState), "notice": _STR,
                     "escalation": _nullable(_ref("Escalation")),
                     "suggestions": {"type": "array", "description": "not helpful: the next-best articles",
                                     "items": _obj({"article_id": _STR, "lang": _STR, "title": _STR,
                                                    "confidence": _NUM})}})
    hits = _obj({"hits": {"type": "array", "items": _obj({
        "article_id": _STR, "lang": _STR, "title": _STR, "snippet": _STR, "url": _STR, "score": _NUM})}})
    popular = _obj({"articles": {"type": "array", "items": _obj({
        "article_id": _STR, "lang": _STR, "title": _STR, "url": _STR})}})
    popular_params = [lang_q, _param("k", "query", _int(1, POPULAR_MAX))]
    article_params = [_param("article_id", "path", {"type": "string", "minLength": 1}), lang_q]
    config = _obj({"default_lang": _STR, "languages": {"type": "array", "items": _STR},
                   "rtl": {"type": "array", "items": _STR},
                   "strings": {"type": "object", "additionalProperties": {
                       "type": "object", "additionalProperties": _STR}}})
    escalations = _obj({"escalations": {"type": "array", "items": _ref("EscalationItem")}})
    escalations_params = [_param("status", "query", enum(EscalationStatus)),
                          _param("queue", "query", _STR),
                          _param("language", "query", _STR),
                          _param("priority", "query", enum(Priority)),
                          _param("reason", "query", reason_schema()),
                          _param("assigned_to", "query", {
                              "type": "string", "minLength": 1, "maxLength": 100,
                              "description": "an agent's name, 'me' or 'none'"}),
                          _param("customer_replied", "query", {
                              "type": "string", "enum": ["true", "false"],
                              "description": "true (the customer wrote since the last agent reply) "
                                             "or false"}),
                          _param("sort", "query", enum(EscalationSort)),
                          _param("limit", "query", _int(1, ESCALATIONS_PAGE_MAX))]
    released = _obj({"session_id": _STR, "state": enum(SessionState)})
    report = {"type": "object", "required": ["since", "until", "totals", "by_day_lang", "top_unanswered",
                                          "by_channel"]}
    when = {"type": "string", "description": "an ISO 8601 date or time"}
    since_until = [_param("since", "query", when), _param("until", "query", when)]
    return {
        "/healthz": {"get": _op("Index version, article count, languages, answer thresholds in force",
                                _json(health), "")},
        "/openapi.json": {"get": _op("This document", _json({"type": "object"}), "")},
        "/v1/sessions": {"post": _op("Start a session: its id and the token that proves it is yours",
                                     _json(started, "Started"), "", status="201", session=True)},
        "/v1/answer": {"post": _op("Answer a customer's question", _json(_ref("Reply")), "",
                                   "AnswerRequest", session=True)},
        "/v1/choose": {"post": _op("The customer picked a suggested article", _json(_ref("Reply")),
                                   "404", "ChooseRequest", session=True)},
        "/v1/handoff": {"post": _op("Handoff form: hand the session to a person",
                                    _json(_ref("Reply"), "Escalated"), "", "HandoffRequest",
                                    status="201", session=True)},
        "/v1/feedback": {"post": _op("Rate an answer (may escalate)", _json(feedback), "404",
                                     "FeedbackRequest", session=True)},
        "/v1/sessions/{session_id}": {"get": _op("The customer-visible transcript", _json(transcript),
                                                 "400 404", params=transcript_params, session=True)},
        "/v1/search": {"post": _op("KB search", _json(hits), "", "SearchRequest")},
        "/v1/articles/popular": {"get": _op("Most asked-for articles", _json(popular), "400",
                                            params=popular_params)},
        "/v1/articles/{article_id}": {"get": _op("One article in the best language",
                                                 _json(_ref("Article")), "400 404", params=article_params)},
        "/v1/widget/config": {"get": _op("Widget languages and UI strings", _json(config), "")},
        "/v1/agent/escalations": {"get": _op(
            "Escalations without transcripts, most overdue first (sort: overdue, oldest, newest, priority)",
            _json(escalations), "400", params=escalations_params, agent=True)},
        "/v1/agent/escalations/{escalation_id}": {"get": _op("One escalation", detail, "400 404",
                                                             params=esc, agent=True)},
        "/v1/agent/escalations/{escalation_id}/claim": {"post": _op(
            "Take an escalation", detail, "400 404 409", params=esc, agent=True)},
        "/v1/agent/escalations/{escalation_id}/resolve": {"post": _op(
            "Resolve an escalation", detail, "400 404 409", params=esc, agent=True)},
        "/v1/agent/sessions/{session_id}/reply": {"post": _op(
            "Write to the customer", _json(_ref("Turn"), "Stored"), "404 409", "ReplyRequest",
            params=sid, agent=True, status="201")},
        "/v1/agent/sessions/{session_id}/release": {"post": _op(
            "Hand the session back to the bot", _json(released), "400 404 409", params=sid, agent=True)},
        "/v1/analytics": {"get": _op("Conversation analytics", _json(report), "400", params=since_until,
                                     agent=True)},
        "/widget.js": {"get": _op("The chat widget script", _file("application/javascript"), "",
                                  any_query=True)},
        "/static/{name}": {"get": _op("Files of the widget and demo page", _file("*/*"), "400 404",
                                      params=[_param("name", "path", _STR)], any_query=True)},
        "/": {"get": _op("The demo store page", _file("text/html"), "", any_query=True)},
        **_channel_paths(),
    }


# --- messaging channels (server/channels.py, bot/channels) ---
CHANNEL_NAMES = ("line", "telegram", "whatsapp", "chatwoot")


def _channel_paths() -> dict[str, Schema]:
    """The platforms' webhooks: bodies are the platform's own (checked by its adapter after the
    signature), so no JSON schema of ours is imposed on them."""
    handled = _obj({"ok": {"type": "boolean", "const": True}, "answered": _INT, "duplicates": _INT,
                    "ignored": _INT})
    signed = {"401": _error("The platform's signature or secret token is missing or wrong; nothing "
                            "was read or stored"),
              "404": _error("The channel is not configured")}
    out: dict[str, Schema] = {}
    for name in CHANNEL_NAMES:
        op = _op(f"The {name} webhook: customers' messages answered on {name}", _json(handled), "400 413")
        out[f"/v1/channels/{name}/webhook"] = {"post": {**op, "responses": {**op["responses"], **signed}}}
    hub = [_param(f"hub.{x}", "query", _STR) for x in ("mode", "verify_token", "challenge")]
    handshake = _op("WhatsApp's webhook verification: the challenge echoed for our verify token",
                    _file("text/plain"), "400", params=hub)
    out["/v1/channels/whatsapp/webhook"]["get"] = {**handshake, "responses": {
        **handshake["responses"], "403": _error("Wrong verify token"), "404": signed["404"]}}
    return out


def observe_paths() -> dict[str, Schema]:
    """Path items of server/observe.py's routes, for `openapi_document(extra_paths=...)`."""
    ready = _obj({"status": {"type": "string", "enum": ["ready"]}, "index_version": _STR})
    down = _json(_obj({"status": {"type": "string", "enum": ["unavailable"]}, "reason": _STR}),
                 "Store unavailable")
    return {
        "/metrics": {"get": _op("Prometheus metrics (metrics_key, or this machine only)",
                                _file("text/plain"), "401 403")},
        "/readyz": {"get": {**_op("Ready for traffic: index loaded, store answering", _json(ready), ""),
                            "responses": {"200": _json(ready), "500": {"$ref": "#/components/responses/E500"},
                                          "503": down}}},
    }


def _rate_limited(paths: dict[str, Schema]) -> dict[str, Schema]:
    """server/limits.py answers 429 on the public /v1/ endpoints when a rate limit is set."""
    ref = {"$ref": "#/components/responses/E429"}
    return {path: {method: {**op, "responses": {**op["responses"], "429": ref}}
                   if path.startswith("/v1/") and not path.startswith("/v1/agent/")
                   and path != "/v1/analytics" else op for method, op in item.items()}
            for path, item in paths.items()}


def openapi_document(settings: Settings, extra_paths: Mapping[str, Schema] | None = None) -> Schema:
    """The whole document; `extra_paths` adds path items registered outside the blueprints."""
    paths = {**_paths(), **(extra_paths or {})}
    return {
        "openapi": "3.1.0",
        "info": {"title": "faqbot", "version": "1",
                 "description": "Multilingual FAQ bot: answers, handoff to people, agent desk. "
                                "Every error is JSON {\"error\": {\"code\", \"message\"}}; a method a "
                                "path does not list gets 405; CORS preflight (OPTIONS) and HEAD are "
                                "answered for every path."},
        "paths": _rate_limited(paths) if settings.rate_limit_per_minute else paths,
        "components": {
            "schemas": _schemas(settings),
            "responses": {f"E{c}": _error(d) for c, d in
                          {**_ERRORS, "405": "Method not allowed on this path",
                           "429": "Too many requests from this client (Retry-After says when)"}.items()},
            "securitySchemes": {"agentKey": {"type": "http", "scheme": "bearer", ROLE: "agent",
                                             "description": "An agent or admin key: fqb_..."}},
        },
    }
