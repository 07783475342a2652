"""The OpenAPI 3.1 document of the HTTP API (`GET /openapi.json`), built once per app from settings.

Every constraint written here is one `api.py` enforces, so a request the document calls invalid is
always refused with a 4xx (the fuzz test in tests/api/test_fuzz.py holds both to that).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.types import THRESHOLD_SCOPES, THRESHOLD_SOURCES
from kb.settings import Settings

MAX_BODY_BYTES = 64 * 1024
MAX_INT = 2**63 - 1  # what both stores can keep in an INTEGER / BIGINT column
MAX_AFTER = 10**18 - 1  # 18 digits: always below MAX_INT
MAX_JSON_DEPTH = 8
SESSION_ID = "^[A-Za-z0-9_.:-]{1,128}$"
READABLE_SESSION_ID = "^[A-Za-z0-9_.:-]{16,128}$"
Schema = dict[str, Any]


def string_limits(settings: Settings) -> dict[str, int]:
    """Longest raw value (before NFKC) of each JSON string field, by field name."""
    q = settings.max_question_chars
    return {"question": q, "query": q, "lang": 64, "session_id": 128, "article_id": 200,
            "name": 200, "email": 200, "phone": 200, "message": q * 4, "comment": 2000,
            "text": 10_000}


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(props: Mapping[str, Schema], required: tuple[str, ...] | None = None) -> Schema:
    """A closed object; every property is required unless `required` says otherwise."""
    return {"type": "object", "additionalProperties": False, "properties": dict(props),
            "required": list(props if required is None else required)}


_STR: Schema = {"type": "string"}
_INT: Schema = {"type": "integer"}
_NUM: Schema = {"type": "number"}
_BOOL: Schema = {"type": "boolean"}
_TIME: Schema = _nullable({"type": "string", "format": "date-time"})
_STATE: Schema = {"type": "string", "enum": ["bot", "handed_off"]}


def _schemas(settings: Settings) -> dict[str, Schema]:
    lim = string_limits(settings)

    def text(name: str, min_length: int = 0) -> Schema:
        return {"type": "string", "minLength": min_length, "maxLength": lim[name]}

    lang = _nullable(text("lang"))
    session = {"type": "string", "pattern": SESSION_ID}
    contact = _obj({f: text(f) for f in ("name", "email", "phone")})
    escalation: dict[str, Schema] = {"escalation_id": _STR, "session_id": _STR, "queue": _STR, "reason": _STR,
                  "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]},
                  "status": {"type": "string", "enum": ["open", "claimed", "resolved"]},
                  "expected_reply_at": _TIME, "out_of_hours": _BOOL}
    article = {"article_id": _STR, "lang": _STR, "title": _STR, "body": _STR, "url": _STR}
    return {
        "Error": _obj({"error": _obj({"code": _STR, "message": _STR})}),
        "Turn": _obj({"turn_id": _INT, "role": {"type": "string",
                                                 "enum": ["customer", "bot", "agent", "system"]},
                      "text": _STR, "at": _TIME, "lang": _STR, "decision": _nullable(_STR),
                      "article_id": _nullable(_STR), "confidence": _nullable(_NUM),
                      "agent": _nullable(_STR), "reason": _nullable(_STR)}),
        "Contact": contact,
        "Escalation": _obj(escalation),
        "EscalationDetail": _obj({
            **escalation, "language": _STR, "created_at": _TIME, "updated_at": _TIME,
            "agent": _nullable(_STR), "contact": _ref("Contact"), "message": _STR,
            "candidates": {"type": "array", "items": _obj({"article_id": _STR, "title": _STR,
                                                           "confidence": _NUM})},
            "transcript": {"type": "array", "items": _ref("Turn")}}),
        "Article": _obj(article),
        "Reply": _obj({
            "decision": {"type": "string", "enum": ["answered", "suggest", "escalated", "handed_off"]},
            "confidence": _nullable(_NUM), "language": _STR, "answer": _nullable(_ref("Article")),
            "suggestions": {"type": "array", "items": _obj({"article_id": _STR, "lang": _STR,
                                                            "title": _STR, "confidence": _NUM})},
            "reason": _STR, "notice": _STR, "session_id": _STR, "turn_id": _INT, "state": _STATE,
            "escalation": _nullable(_ref("Escalation")), "took_ms": _NUM}),
        "AnswerRequest": _obj({"question": text("question", 1), "lang": lang,
                               "session_id": _nullable(session),
                               "contact": _nullable(_obj({f: _nullable(text(f))
                                                          for f in ("name", "email", "phone")}, ()))},
                              ("question",)),
        "ChooseRequest": _obj({"session_id": session, "article_id": text("article_id"),
                               "lang": lang}, ("session_id", "article_id")),
        "HandoffRequest": _obj({"session_id": session, "lang": lang,
                                **{f: _nullable(text(f)) for f in ("name", "email", "phone", "message")}},
                               ("session_id",)),
        "FeedbackRequest": _obj({
            "session_id": session, "turn_id": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
            "helpful": _nullable(_BOOL),
            "csat": _nullable({"type": "integer", "minimum": 1, "maximum": 5}),
            "comment": _nullable(text("comment"))}, ("session_id", "turn_id")),
        "SearchRequest": _obj({"query": text("query", 1), "lang": lang,
                               "k": {"type": "integer", "minimum": 1, "maximum": settings.max_k}},
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
    "403": "The key's role may not do this",
    "404": "No such session, article, escalation or file",
    "409": "Conflicts with the current state",
    "413": f"Body over {MAX_BODY_BYTES} bytes",
    "500": "Unexpected error",
    "503": "Conversation store unavailable",
}


def _op(summary: str, ok: Schema, errors: str, body: str | None = None,
        params: list[Schema] | None = None, agent: bool = False, status: str = "200") -> Schema:
    """One operation; `errors` lists its 4xx statuses besides the ones every operation has."""
    codes = [*errors.split(), *(("401", "403") if agent else ()), *(("400", "413") if body else ()),
             "500", "503"]
    op: Schema = {"summary": summary, "responses": {status: ok, **{c: {"$ref": f"#/components/responses/E{c}"}
                                                                   for c in sorted(set(codes))}}}
    if body:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": _ref(body)}}}
    if params:
        op["parameters"] = params
    if agent:
        op["security"] = [{"agentKey": []}]
    return op


def _param(name: str, where: str, schema: Schema, required: bool = False) -> Schema:
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema}


def _file(media: str) -> Schema:
    return {"description": "OK", "content": {media: {"schema": _STR}}}


def _paths() -> dict[str, Schema]:
    lang_q = _param("lang", "query", _STR)
    sid = [_param("session_id", "path", {"type": "string", "pattern": SESSION_ID})]
    esc = [_param("escalation_id", "path", {"type": "string", "minLength": 1})]
    detail = _json(_ref("EscalationDetail"))
    threshold = _obj({"value": _NUM, "source": {"type": "string", "enum": list(THRESHOLD_SOURCES)},
                      "scope": {"type": "string", "enum": list(THRESHOLD_SCOPES)}})
    health = _obj({"status": {"type": "string", "const": "ok"}, "index_version": _STR,
                   "articles": _INT, "languages": {"type": "array", "items": _STR},
                   "threshold": _obj({"target_precision": _NUM, "global": threshold, "per_language": {
                       "type": "object", "additionalProperties": threshold}})})
    transcript = _obj({"session_id": _STR, "state": _STATE, "language": _STR,
                       "turns": {"type": "array", "items": _ref("Turn")}})
    transcript_params = [
        _param("session_id", "path", {"type": "string", "pattern": READABLE_SESSION_ID}),
        _param("after", "query", {"type": "integer", "minimum": 0, "maximum": MAX_AFTER})]
    feedback = _obj({"ok": {"type": "boolean", "const": True}, "session_id": _STR, "state": _STATE,
                     "notice": _STR, "escalation": _nullable(_ref("Escalation"))})
    hits = _obj({"hits": {"type": "array", "items": _obj({
        "article_id": _STR, "lang": _STR, "title": _STR, "snippet": _STR, "url": _STR, "score": _NUM})}})
    popular = _obj({"articles": {"type": "array", "items": _obj({
        "article_id": _STR, "lang": _STR, "title": _STR, "url": _STR})}})
    popular_params = [lang_q, _param("k", "query", {"type": "integer", "minimum": 1, "maximum": 20})]
    article_params = [_param("article_id", "path", {"type": "string", "minLength": 1}), lang_q]
    config = _obj({"default_lang": _STR, "languages": {"type": "array", "items": _STR},
                   "rtl": {"type": "array", "items": _STR},
                   "strings": {"type": "object", "additionalProperties": {
                       "type": "object", "additionalProperties": _STR}}})
    escalations = _obj({"escalations": {"type": "array", "items": _ref("EscalationDetail")}})
    escalations_params = [
        _param("status", "query", {"type": "string", "enum": ["open", "claimed", "resolved"]}),
        _param("queue", "query", _STR),
        _param("limit", "query", {"type": "integer", "minimum": 1, "maximum": 500})]
    released = _obj({"session_id": _STR, "state": _STATE})
    report = {"type": "object", "required": ["since", "until", "totals", "by_day_lang", "top_unanswered"]}
    since_until = [_param("since", "query", _STR), _param("until", "query", _STR)]
    return {
        "/healthz": {"get": _op("Index version, article count, languages, answer thresholds in force",
                                _json(health), "")},
        "/openapi.json": {"get": _op("This document", _json({"type": "object"}), "")},
        "/v1/answer": {"post": _op("Answer a customer's question", _json(_ref("Reply")), "",
                                   "AnswerRequest")},
        "/v1/choose": {"post": _op("The customer picked a suggested article", _json(_ref("Reply")),
                                   "404", "ChooseRequest")},
        "/v1/handoff": {"post": _op("Handoff form: hand the session to a person",
                                    _json(_ref("Reply"), "Escalated"), "", "HandoffRequest",
                                    status="201")},
        "/v1/feedback": {"post": _op("Rate an answer (may escalate)", _json(feedback), "404",
                                     "FeedbackRequest")},
        "/v1/sessions/{session_id}": {"get": _op("The customer-visible transcript", _json(transcript),
                                                 "400 404", params=transcript_params)},
        "/v1/search": {"post": _op("KB search", _json(hits), "", "SearchRequest")},
        "/v1/articles/popular": {"get": _op("Most asked-for articles", _json(popular), "400",
                                            params=popular_params)},
        "/v1/articles/{article_id}": {"get": _op("One article in the best language",
                                                 _json(_ref("Article")), "400 404", params=article_params)},
        "/v1/widget/config": {"get": _op("Widget languages and UI strings", _json(config), "")},
        "/v1/agent/escalations": {"get": _op("Escalations, newest first", _json(escalations), "400",
                                             params=escalations_params, agent=True)},
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
        "/widget.js": {"get": _op("The chat widget script", _file("application/javascript"), "")},
        "/static/{name}": {"get": _op("Files of the widget and demo page", _file("*/*"), "400 404",
                                      params=[_param("name", "path", _STR)])},
        "/": {"get": _op("The demo store page", _file("text/html"), "")},
    }


def observe_paths() -> dict[str, Schema]:
    """Path items of api_observe's routes, for `openapi_document(extra_paths=...)` once installed."""
    ready = _obj({"status": {"type": "string", "enum": ["ready"]}, "index_version": _STR})
    down = _json(_obj({"status": {"type": "string", "enum": ["unavailable"]}, "reason": _STR}),
                 "Store unavailable")
    return {
        "/metrics": {"get": _op("Prometheus metrics", _file("text/plain"), "")},
        "/readyz": {"get": {**_op("Ready for traffic: index loaded, store answering", _json(ready), ""),
                            "responses": {"200": _json(ready), "500": {"$ref": "#/components/responses/E500"},
                                          "503": down}}},
    }


def _rate_limited(paths: dict[str, Schema]) -> dict[str, Schema]:
    """api_limits answers 429 on the public /v1/ endpoints when a rate limit is set."""
    ref = {"$ref": "#/components/responses/E429"}
    return {path: {method: {**op, "responses": {**op["responses"], "429": ref}}
                   if path.startswith("/v1/") and not path.startswith("/v1/agent/")
                   and path != "/v1/analytics" else op for method, op in item.items()}
            for path, item in paths.items()}


def openapi_document(settings: Settings, extra_paths: Mapping[str, Schema] | None = None) -> Schema:
    """The whole document; `extra_paths` adds path items registered outside api.py (/metrics)."""
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
            "securitySchemes": {"agentKey": {"type": "http", "scheme": "bearer",
                                             "description": "An agent or admin key: fqb_..."}},
        },
    }
