"""Conversations over HTTP: sessions, handoff form, feedback, agent API with keys, analytics."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bot import Bot
from bot.keys import create_key
from bot.store import Store
from tests.server.apps import app_client, started


def test_conversation_round_trip(client: FlaskClient) -> None:
    first = client.post("/v1/answer", json={"question": "forgot my password"}).get_json()
    sid, token = first["session_id"], {"X-Session-Token": first["session_token"]}
    assert first["state"] == "bot" and first["turn_id"] > 0 and first["escalation"] is None
    second = client.post("/v1/answer", json={"question": "how much is delivery", "session_id": sid},
                         headers=token)
    assert second.get_json()["session_id"] == sid
    assert second.get_json()["session_token"] == first["session_token"]
    d = client.get(f"/v1/sessions/{sid}", headers=token).get_json()
    assert [t["role"] for t in d["turns"]] == ["customer", "bot", "customer", "bot"]
    assert d["turns"][1]["article_id"] == "reset-password" and d["turns"][1]["at"].endswith("Z")
    later = client.get(f"/v1/sessions/{sid}?after={first['turn_id']}", headers=token).get_json()["turns"]
    assert len(later) == 2


def test_handoff_feedback_and_agent_flow(client: FlaskClient, agent: dict[str, str]) -> None:
    sid, token = started(client)
    answered = client.post("/v1/answer", json={"question": "forgot my password", "session_id": sid},
                           headers=token)
    fb = client.post("/v1/feedback", json={"session_id": sid, "turn_id": answered.get_json()["turn_id"],
                                           "helpful": True, "csat": 5}, headers=token)
    assert fb.status_code == 200 and fb.get_json()["ok"] and fb.get_json()["escalation"] is None
    r = client.post("/v1/handoff", json={"session_id": sid, "name": "Jane", "email": "jane@example.com",
                                         "message": "I need help with an invoice"}, headers=token)
    assert r.status_code == 201
    esc = r.get_json()["escalation"]
    assert r.get_json()["state"] == "handed_off" and esc["reason"] == "customer_form"
    listed = client.get("/v1/agent/escalations?status=open", headers=agent).get_json()["escalations"]
    assert [e["escalation_id"] for e in listed] == [esc["escalation_id"]]
    assert listed[0]["contact"]["email"] == "jane@example.com" and "transcript" not in listed[0]
    assert client.get(f"/v1/agent/escalations/{esc['escalation_id']}", headers=agent).get_json()["transcript"]
    claimed = client.post(f"/v1/agent/escalations/{esc['escalation_id']}/claim", headers=agent)
    assert claimed.get_json()["status"] == "claimed" and claimed.get_json()["agent"] == "Ann"
    reply = client.post(f"/v1/agent/sessions/{sid}/reply", headers=agent, json={"text": "Hi Jane!"})
    assert reply.status_code == 201
    waiting = client.post("/v1/answer", json={"question": "hello?", "session_id": sid},
                          headers=token).get_json()
    assert waiting["decision"] == "handed_off" and waiting["answer"] is None and waiting["notice"]
    turns = client.get(f"/v1/sessions/{sid}", headers=token).get_json()["turns"]
    assert any(t["role"] == "agent" and t["text"] == "Hi Jane!" for t in turns)
    back = client.post(f"/v1/agent/sessions/{sid}/release", headers=agent).get_json()
    assert back["state"] == "bot"
    again = client.post("/v1/answer", json={"question": "forgot my password", "session_id": sid},
                        headers=token)
    assert again.get_json()["decision"] == "answered"
    stats = client.get("/v1/analytics", headers=agent).get_json()
    assert stats["totals"]["conversations"] == 1 and stats["totals"]["csat_avg"] == 5.0


@pytest.mark.parametrize(("method", "path", "headers", "status", "code"), [
    ("get", "/v1/agent/escalations", {}, 401, "unauthorized"),
    ("get", "/v1/agent/escalations", {"Authorization": "Bearer nope"}, 401, "unauthorized"),
    ("get", "/v1/agent/escalations", {"Authorization": "Bearer fqb_0123abcd_" + "x" * 40}, 401,
     "unauthorized"),
    ("get", "/v1/analytics", {}, 401, "unauthorized"),
    ("post", "/v1/agent/escalations/esc_missing/claim", {}, 401, "unauthorized"),
])
def test_agent_endpoints_need_a_key(client: FlaskClient, method: str, path: str,
                                    headers: dict[str, str], status: int, code: str) -> None:
    r = getattr(client, method)(path, headers=headers)
    assert r.status_code == status and r.get_json()["error"]["code"] == code


def test_helpdesk_key_may_not_act_as_agent(client: FlaskClient, store: Store) -> None:
    _, secret = create_key(store, "helpdesk", "zendesk")
    r = client.get("/v1/agent/escalations", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 403 and "needs a agent key" in r.get_json()["error"]["message"]


def test_revoked_key_is_refused(client: FlaskClient, store: Store) -> None:
    record, secret = create_key(store, "agent", "Bob")
    store.revoke_key(record.key_id, 1.0)
    r = client.get("/v1/agent/escalations", headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 401


@pytest.mark.parametrize(("path", "body", "status", "match"), [
    ("/v1/handoff", {"session_id": "s", "email": "not-an-email"}, 400, "email is not a valid address"),
    ("/v1/handoff", {"session_id": "s", "email": 'eve"<img>@example.com'}, 400, "not a valid address"),
    ("/v1/answer", {"question": "hi", "contact": {"email": "a..b@example.com"}}, 400, "two periods in a row"),
    ("/v1/handoff", {"email": "a@b.co"}, 400, "missing required field 'session_id'"),
    ("/v1/handoff", {"session_id": "s", "phone": "call me"}, 400, "phone is not a valid number"),
    ("/v1/feedback", {"session_id": "nope", "turn_id": 1, "helpful": True}, 404, "no session"),
    ("/v1/feedback", {"session_id": "s", "turn_id": "1", "helpful": True}, 400, "turn_id must be"),
    ("/v1/choose", {"session_id": "s", "article_id": "nope"}, 404, "no article"),
    ("/v1/answer", {"question": "hi", "contact": "jane"}, 400, "contact must be an object"),
    ("/v1/answer", {"question": "hi", "contact": {"fax": "1"}}, 400, "unknown contact field"),
])
def test_bad_requests(client: FlaskClient, helpdesk: dict[str, str], path: str, body: dict[str, object],
                      status: int, match: str) -> None:
    # A help desk with its own session ids, so the checks behind the session's are reached.
    r = client.post(path, json=body, headers=helpdesk)
    assert r.status_code == status and match in r.get_json()["error"]["message"]


@pytest.mark.parametrize(("path", "status", "match"), [
    ("/v1/sessions/ticket-1234", 404, "no session"),
    ("/v1/sessions/unknown-session-0001?after=x", 400, "after must be"),
    ("/v1/articles/popular?k=0", 400, "k must be"),
    ("/v1/articles/nope", 404, "no article"),
    ("/v1/analytics?since=yesterday", 401, "API key"),
])
def test_bad_reads(client: FlaskClient, helpdesk: dict[str, str], path: str, status: int, match: str) -> None:
    r = client.get(path, headers=helpdesk if path.startswith("/v1/sessions/") else {})
    assert r.status_code == status and match in r.get_json()["error"]["message"]


def test_widget_reads(client: FlaskClient) -> None:
    config = client.get("/v1/widget/config").get_json()
    assert config["default_lang"] == "en" and set(config["languages"]) >= {"en", "th"}
    assert {"en", "th", "et", "zh-TW", "zh-CN", "ar", "he"} <= set(config["strings"])
    assert config["strings"]["th"]["talk_to_person"] != config["strings"]["en"]["talk_to_person"]
    assert set(config["rtl"]) >= {"ar", "he"}
    popular = client.get("/v1/articles/popular?lang=zh-TW&k=2").get_json()["articles"]
    assert len(popular) == 2 and {"article_id", "lang", "title", "url"} == set(popular[0])
    article = client.get("/v1/articles/shipping-costs?lang=zh-TW").get_json()
    assert article["lang"] == "zh-TW" and "運費" in article["body"]


def test_cors_for_the_widget(bot: Bot, store: Store) -> None:
    client = app_client(bot, store, cors_origins=("https://shop.example",))
    r = client.options("/v1/answer", headers={"Origin": "https://shop.example",
                                              "Access-Control-Request-Method": "POST"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://shop.example"
    assert {"Content-Type", "X-Session-Token"} <= {h.strip() for h in
                                                  r.headers["Access-Control-Allow-Headers"].split(",")}
