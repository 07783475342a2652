"""Input limits at the HTTP edge: every malformed or hostile input is a JSON 4xx, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.server.apps import started

SID = "limits-session-0001"  # checks of the body come before the session's








def _raw(client: FlaskClient, path: str, data: str | bytes, headers: dict[str, str] | None = None,
         content_type: str = "application/json") -> Any:
    return client.post(path, data=data, content_type=content_type, headers=headers or {})


def _error(r: Any, status: int, match: str) -> None:
    assert r.status_code == status, r.get_data(as_text=True)
    error = r.get_json()["error"]
    assert set(error) == {"code", "message"}
    assert match in error["message"], error["message"]


@pytest.mark.parametrize(("path", "body", "match"), [
    # question length (max_question_chars) and emptiness after cleaning
    ("/v1/answer", {"question": "a" * 1001}, "question is too long (1001 characters, limit 1000)"),
    ("/v1/answer", {"question": "\x00\x07 \u2028"}, "question is empty"),
    ("/v1/search", {"query": "q" * 1001}, "query is too long"),
    # k range and type
    ("/v1/search", {"query": "refund", "k": 0}, "k must be an integer from 1 to 50, got 0"),
    ("/v1/search", {"query": "refund", "k": 51}, "got 51"),
    ("/v1/search", {"query": "refund", "k": -1}, "got -1"),
    ("/v1/search", {"query": "refund", "k": 2.0}, "got 2.0"),
    ("/v1/search", {"query": "refund", "k": None}, "got None"),
    ("/v1/search", {"query": "refund", "k": False}, "got False"),
    # control characters outside question/query are refused
    ("/v1/answer", {"question": "hi", "lang": "en\x00"}, "lang contains a control character (U+0000)"),
    ("/v1/answer", {"question": "hi", "contact": {"name": "Ja\x07ne"}}, "name contains a control character"),
    ("/v1/handoff", {"session_id": SID, "message": "a\x00b"}, "message contains a control character"),
    ("/v1/handoff", {"session_id": SID, "email": "a@b.ee\x1b"}, "email contains a control character"),
    ("/v1/feedback", {"session_id": SID, "turn_id": 1, "comment": "\x85"}, "control character (U+0085)"),
    # session ids
    ("/v1/answer", {"question": "hi", "session_id": ""}, "session_id must be 1-128 letters"),
    ("/v1/answer", {"question": "hi", "session_id": "s" * 129}, "session_id is too long"),
    ("/v1/answer", {"question": "hi", "session_id": "abc\n"}, "session_id contains a control character"),
    ("/v1/answer", {"question": "hi", "session_id": "a b"}, "session_id must be 1-128"),
    ("/v1/answer", {"question": "hi", "session_id": "séance"}, "session_id must be 1-128"),
    ("/v1/answer", {"question": "hi", "session_id": "ａｂｃ"}, "session_id must be 1-128"),
    ("/v1/answer", {"question": "hi", "session_id": ["a"]}, "session_id must be 1-128"),
    # turn ids and other numbers
    ("/v1/feedback", {"session_id": SID, "turn_id": 0, "helpful": True}, "turn_id must be a positive"),
    ("/v1/feedback", {"session_id": SID, "turn_id": True, "helpful": True}, "turn_id must be a positive"),
    ("/v1/feedback", {"session_id": SID, "turn_id": "1", "helpful": True}, "turn_id must be a positive"),
    ("/v1/feedback", {"session_id": SID, "turn_id": 1.0, "helpful": True}, "turn_id must be a positive"),
    ("/v1/feedback", {"session_id": SID, "turn_id": 2**63, "helpful": True}, "integers must be within"),
    ("/v1/feedback", {"session_id": SID, "turn_id": -(2**70), "helpful": True}, "integers must be within"),
    ("/v1/feedback", {"session_id": SID, "turn_id": 1, "csat": 6}, "csat must be an integer from 1 to 5"),
    ("/v1/feedback", {"session_id": SID, "turn_id": 1, "csat": 0}, "csat must be an integer from 1 to 5"),
    ("/v1/feedback", {"session_id": SID, "turn_id": 1, "csat": 4.5}, "csat must be an integer"),
    ("/v1/feedback", {"session_id": SID, "turn_id": 1, "helpful": 1}, "helpful must be true or false"),
    ("/v1/feedback", {"session_id": SID, "turn_id": 1, "comment": 5}, "comment must be a string"),
    # article ids and falsy non-strings that used to pass as ""
    ("/v1/choose", {"session_id": SID, "article_id": "x" * 201}, "article_id is too long"),
    ("/v1/handoff", {"session_id": SID, "name": False}, "name must be a string"),
    ("/v1/handoff", {"session_id": SID, "message": 0}, "message must be a string"),
    ("/v1/handoff", {"session_id": SID, "message": []}, "message must be a string"),
    # nesting: nothing here takes more than an object of strings
    ("/v1/answer", {"question": "hi", "contact": {"name": [[[[[[[[["x"]]]]]]]]]}}, "nested more than 8"),
    ("/v1/answer", {"question": "hi", "contact": {"name": ["x"]}}, "name must be a string"),
])
def test_bad_values_are_400(client: FlaskClient, path: str, body: dict[str, Any], match: str) -> None:
    _error(client.post(path, json=body), 400, match)


@pytest.mark.parametrize(("path", "data", "match"), [
    # invalid UTF-8, including UTF-8-encoded surrogates (CESU-8) and a Latin-1 body
    ("/v1/answer", b'{"question": "\xff"}', "not valid UTF-8 (byte 14)"),
    ("/v1/answer", b'{"question": "\xed\xa0\x80"}', "not valid UTF-8"),
    ("/v1/answer", '{"question": "café"}'.encode("latin-1"), "not valid UTF-8"),
    ("/v1/answer", b"\xff\xfe{\x00}\x00", "not valid UTF-8"),
    # lone surrogates as JSON escapes: the store cannot encode them
    ("/v1/answer", '{"question": "hi \\ud800"}', "question contains a lone surrogate (U+D800)"),
    ("/v1/answer", '{"question": "hi \\udfff there"}', "lone surrogate (U+DFFF)"),
    ("/v1/answer", '{"question": "hi", "session_id": "\\ud800"}', "session_id contains a lone surrogate"),
    ("/v1/answer", '{"question": "hi", "contact": {"\\ud800": "x"}}', "a key of contact contains a lone"),
    ("/v1/answer", '{"question": "hi", "\\udc00": 1}', "unknown field(s) ['\\udc00']"),
    ("/v1/handoff", f'{{"session_id": "{SID}", "name": "\\ud83d"}}', "name contains a lone surrogate"),
    ("/v1/feedback", f'{{"session_id": "{SID}", "turn_id": 1, "comment": "\\udbff"}}', "comment contains"),
    # not JSON, or JSON that Python would take but the standard does not
    ("/v1/answer", "{bad json", "not valid JSON"),
    ("/v1/answer", "", "not valid JSON"),
    ("/v1/search", '{"query": "x", "k": NaN}', "NaN is not a JSON number"),
    ("/v1/search", '{"query": "x", "k": -Infinity}', "-Infinity is not a JSON number"),
    ("/v1/search", '{"query": "x", "k": 1e999}', "number '1e999' is out of range"),
    ("/v1/search", '{"query": "x", "k": ' + "9" * 5000 + "}", "not valid JSON: Exceeds the limit"),
    ("/v1/answer", '{"question": ' + "[" * 20_000 + "]" * 20_000 + "}", "nested more than 8 levels"),
    ("/v1/answer", '{"question": "a", "question": "b", "x": 1}', "unknown field(s) ['x']"),
    ("/v1/answer", '"question"', "must be a JSON object, got str"),
])
def test_bad_bodies_are_400(client: FlaskClient, path: str, data: str | bytes, match: str) -> None:
    _error(_raw(client, path, data), 400, match)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonx", ""])
def test_wrong_content_type_is_400(client: FlaskClient, content_type: str) -> None:
    # The document lists 400 for it (the API has always answered 400, and the widget never sends it).
    _error(_raw(client, "/v1/answer", '{"question": "hi"}', content_type=content_type), 400,
           "send a JSON body with Content-Type: application/json")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/problem+json",
                                          "APPLICATION/JSON"])
def test_json_content_types_are_taken(client: FlaskClient, content_type: str) -> None:
    r = _raw(client, "/v1/answer", '{"question": "forgot my password"}', content_type=content_type)
    assert r.status_code == 200


@pytest.mark.parametrize("size", [64 * 1024 + 1, 1_000_000])
def test_bodies_over_64_kb_are_a_413_json_error(client: FlaskClient, size: int) -> None:
    data = json.dumps({"question": "a" * (size - 16)})
    assert len(data) >= size
    r = _raw(client, "/v1/answer", data)
    assert r.status_code == 413
    assert r.get_json()["error"]["code"] == "request_entity_too_large"


def test_body_just_under_64_kb_is_read(client: FlaskClient) -> None:
    sid, token = started(client)
    data = json.dumps({"question": "forgot my password", "session_id": sid}).ljust(64 * 1024)
    assert client.post("/v1/answer", data=data, content_type="application/json",
                       headers=token).status_code == 200


def test_nfkc_and_control_characters_in_questions(client: FlaskClient) -> None:
    sid, token = started(client)
    r = client.post("/v1/answer", json={"question": "ｆｏｒｇｏｔ\x00ｍｙ\u200bｐａｓｓｗｏｒｄ\x07",
                                        "session_id": sid}, headers=token)
    assert r.status_code == 200 and r.get_json()["answer"]["article_id"] == "reset-password"
    customer = client.get(f"/v1/sessions/{sid}", headers=token).get_json()["turns"][0]
    assert customer["text"] == "forgot my password"


def test_nfkc_in_contact_details_and_newlines_kept_in_messages(client: FlaskClient,
                                                               agent: dict[str, str]) -> None:
    sid, token = started(client)
    r = client.post("/v1/handoff", json={"session_id": sid, "name": "Ｊａｎｅ",
                                         "message": "line one\nline two",
                                         "email": "ｊａｎｅ＠ｅｘａｍｐｌｅ.ｃｏｍ"}, headers=token)
    assert r.status_code == 201
    esc_id = r.get_json()["escalation"]["escalation_id"]
    esc = client.get(f"/v1/agent/escalations/{esc_id}", headers=agent).get_json()
    assert esc["contact"] == {"name": "Jane", "email": "jane@example.com", "phone": ""}
    reply = client.post(f"/v1/agent/sessions/{sid}/reply", json={"text": "Hi Jane,\n\tdone."}, headers=agent)
    assert reply.status_code == 201 and reply.get_json()["text"] == "Hi Jane,\n\tdone."
    _error(client.post(f"/v1/agent/sessions/{sid}/reply", json={"text": "\x00"}, headers=agent), 400,
           "text contains a control character")
    _error(_raw(client, f"/v1/agent/sessions/{sid}/reply", '{"text": "\\ud800"}', headers=agent), 400,
           "text contains a lone surrogate")


def test_surrogate_pairs_are_fine(client: FlaskClient) -> None:
    r = _raw(client, "/v1/answer", '{"question": "forgot my password \\ud83d\\ude00"}')
    assert r.status_code == 200


@pytest.mark.parametrize(("path", "status", "match"), [
    ("/v1/sessions/%00aaaaaaaaaaaaaaaaaaaa", 400, "path parameter session_id contains a control character"),
    ("/v1/sessions/short", 403, "is not yours"),
    ("/v1/sessions/%F0%9F%98%80aaaaaaaaaaaaaaaaaa", 400, "session_id must be 1-128"),
    (f"/v1/sessions/{SID}%0A", 400, "control character (U+000A)"),
    (f"/v1/sessions/{SID}?after=%C2%B2", 400, "after must be an integer from 0 to"),
    (f"/v1/sessions/{SID}?after=%D9%A3", 400, "after must be an integer"),
    (f"/v1/sessions/{SID}?after=-1", 400, "after must be an integer"),
    (f"/v1/sessions/{SID}?after=99999999999999999999", 400, "after must be an integer"),
    (f"/v1/sessions/{SID}?after=1%00", 400, "query parameter after contains a control character"),
    ("/v1/articles/popular?k=%D9%A3", 400, "k must be an integer from 1 to 20"),
    ("/v1/articles/popular?k=21", 400, "k must be an integer from 1 to 20"),
    ("/v1/articles/popular?lang=en%00", 400, "query parameter lang contains a control character"),
    ("/v1/articles/%00", 400, "path parameter article_id contains a control character"),
    ("/v1/articles/..%2F..%2Fetc", 404, ""),
    ("/v1/articles/reset-password%ED%A0%80", 404, "no article"),
    ("/v1/articles/reset-password?lang=%ED%A0%80", 400, "unknown language code"),
    ("/static/%00", 400, "path parameter name contains a control character"),
    ("/static/..%2Fapi.py", 404, ""),
    ("/static/%2E%2E/api.py", 404, ""),
])
def test_odd_path_and_query_parameters(client: FlaskClient, path: str, status: int, match: str) -> None:
    _error(client.get(path), status, match)


@pytest.mark.parametrize(("path", "status", "match"), [
    ("/v1/agent/escalations/%00", 400, "path parameter escalation_id contains a control character"),
    ("/v1/agent/escalations/%ED%A0%80", 404, "no escalation"),
    ("/v1/agent/escalations/" + "e" * 5000, 404, "no escalation"),
    ("/v1/agent/escalations?limit=%C2%B9", 400, "limit must be an integer from 1 to 500"),
    ("/v1/agent/escalations?queue=%00", 400, "query parameter queue contains a control character"),
    ("/v1/agent/escalations?status=%ED%A0%80", 400, "status must be open, claimed or resolved"),
    ("/v1/analytics?since=2026-13-01", 400, "since must be an ISO 8601 date"),
    ("/v1/analytics?until=not-a-date", 400, "until must be an ISO 8601 date"),
])
def test_odd_agent_parameters(client: FlaskClient, agent: dict[str, str], path: str, status: int,
                              match: str) -> None:
    _error(client.get(path, headers=agent), status, match)


@pytest.mark.parametrize(("path", "anonymous"), [
    ("/v1/agent/sessions/a%20b/release", 401),  # the key is checked before the session id
    ("/v1/agent/sessions/a%0A/release", 400),  # control characters never reach a handler
])
def test_agent_session_ids(client: FlaskClient, agent: dict[str, str], path: str, anonymous: int) -> None:
    assert client.post(path).status_code == anonymous
    _error(client.post(path, headers=agent), 400, "session_id")
