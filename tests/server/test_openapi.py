"""GET /openapi.json: a valid OpenAPI 3.1 document that lists exactly the app's routes and limits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from flask import Flask
from schemathesis.specs.openapi.definitions import OPENAPI_31

from bot import Bot
from bot.store import Store
from kb import Settings
from server.console import console_paths
from server.openapi import observe_paths, openapi_document
from tests.server.apps import make_app, started

_AUTOMATIC = {"HEAD", "OPTIONS"}  # Flask answers these for every rule


@pytest.fixture
def app(bot: Bot, store: Store) -> Flask:
    return make_app(bot, store)


@pytest.fixture
def doc(app: Flask) -> dict[str, Any]:
    r = app.test_client().get("/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def _resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = doc["components"]["schemas"][name]
    return node


def test_document_is_valid_openapi_3_1(doc: dict[str, Any]) -> None:
    jsonschema_rs.Draft202012Validator(OPENAPI_31).validate(doc)
    assert doc["openapi"].startswith("3.1")


def test_served_document_is_the_built_one(app: Flask, doc: dict[str, Any]) -> None:
    assert doc == openapi_document(app.extensions["faqbot"].settings,
                                   extra_paths={**observe_paths(), **console_paths(app)})


def test_every_route_is_documented_and_every_documented_route_exists(app: Flask,
                                                                       doc: dict[str, Any]) -> None:
    routes = {(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
              for rule in app.url_map.iter_rules() for method in (rule.methods or set()) - _AUTOMATIC}
    documented = {(path, method) for path, method, _ in _operations(doc)}
    assert routes == documented


def test_every_operation_documents_its_errors_and_auth(doc: dict[str, Any]) -> None:
    for path, method, op in _operations(doc):
        codes = set(op["responses"])
        assert {"500", "503"} <= codes, (method, path)
        assert codes & {"200", "201"}, (method, path)
        if "requestBody" in op:
            assert {"400", "413"} <= codes, (method, path)
        if path.startswith("/v1/agent/") or path == "/v1/analytics":
            assert op["security"] == [{"agentKey": []}] and {"401", "403"} <= codes, (method, path)
        elif path == "/metrics":  # metrics_key, or this machine only
            assert "security" not in op and {"401", "403"} <= codes
        elif path.startswith("/v1/channels/"):  # a platform's webhook: its signature, else 401
            assert "security" not in op and "404" in codes, (method, path)
            assert "401" in codes if method == "post" else "403" in codes, (method, path)
        elif any(p["name"] == "X-Session-Token" for p in op.get("parameters", [])):
            # A session's: a keyless caller's token (403 when it is not theirs), a help desk's key.
            assert "security" not in op and {"401", "403"} <= codes, (method, path)
        else:
            assert "security" not in op and "401" not in codes, (method, path)
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    assert set(doc["components"]["responses"]) >= {f"E{c}" for c in
                                                   (400, 401, 403, 404, 405, 409, 413, 500, 503)}


def test_request_bodies_are_closed_objects(doc: dict[str, Any]) -> None:
    bodies = {path: _resolve(doc, op["requestBody"]["content"]["application/json"]["schema"])
              for path, _, op in _operations(doc) if "requestBody" in op}
    assert set(bodies) == {"/v1/answer", "/v1/choose", "/v1/handoff", "/v1/feedback", "/v1/search",
                           "/v1/agent/sessions/{session_id}/reply"}
    for schema in bodies.values():
        assert schema["type"] == "object" and schema["additionalProperties"] is False
    assert bodies["/v1/answer"]["required"] == ["question"]
    assert bodies["/v1/feedback"]["required"] == ["session_id", "turn_id"]
    csat = bodies["/v1/feedback"]["properties"]["csat"]
    assert (csat["type"], csat["minimum"], csat["maximum"]) == (["integer", "null"], 1, 5)


@pytest.mark.parametrize(("overrides", "field", "limit"), [
    ({}, "question", 1000),
    ({"max_question_chars": 40}, "question", 40),
    ({"max_question_chars": 40}, "query", 40),
    ({"max_question_chars": 40}, "message", 160),
])
def test_documented_length_limits_are_the_enforced_ones(bot: Bot, store: Store, overrides: dict[str, Any],
                                                        field: str, limit: int) -> None:
    app = make_app(bot, store, **overrides)
    doc = app.test_client().get("/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    request = {"question": "AnswerRequest", "query": "SearchRequest", "message": "HandoffRequest"}[field]
    prop = schemas[request]["properties"][field]
    assert prop["maxLength"] == limit
    path = {"question": "/v1/answer", "query": "/v1/search", "message": "/v1/handoff"}[field]
    client = app.test_client()
    sid, token = started(client)
    base = {"session_id": sid} if field == "message" else {}
    over = client.post(path, json={**base, field: "a" * (limit + 1)}, headers=token)
    assert over.status_code == 400 and "too long" in over.get_json()["error"]["message"]
    at = client.post(path, json={**base, field: "a " * (limit // 2)}, headers=token)
    assert at.status_code in (200, 201)


@pytest.mark.parametrize("max_k", [5, 50])
def test_documented_k_range_is_the_enforced_one(bot: Bot, store: Store, max_k: int) -> None:
    app = make_app(bot, store, max_k=max_k)
    client = app.test_client()
    k = client.get("/openapi.json").get_json()["components"]["schemas"]["SearchRequest"]["properties"]["k"]
    assert (k["minimum"], k["maximum"]) == (1, max_k)
    assert client.post("/v1/search", json={"query": "refund", "k": max_k}).status_code == 200
    assert client.post("/v1/search", json={"query": "refund", "k": max_k + 1}).status_code == 400


@pytest.mark.parametrize(("per_minute", "limited"), [(0, False), (60, True)])
def test_429_is_documented_only_on_public_endpoints_and_only_with_a_rate_limit(per_minute: int,
                                                                               limited: bool) -> None:
    doc = openapi_document(Settings(rate_limit_per_minute=per_minute))
    for path, method, op in _operations(doc):
        public = path.startswith("/v1/") and not path.startswith("/v1/agent/") and path != "/v1/analytics"
        assert ("429" in op["responses"]) == (limited and public), (method, path)


def test_observe_paths_extend_the_document() -> None:
    doc = openapi_document(Settings(), extra_paths=observe_paths())
    jsonschema_rs.Draft202012Validator(OPENAPI_31).validate(doc)
    assert {"/metrics", "/readyz"} <= set(doc["paths"])
    assert "/metrics" not in openapi_document(Settings())["paths"]
