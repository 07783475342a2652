"""A conversation belongs to whoever holds its token: keyless callers may only use sessions the
server issued, and a forged, altered or foreign token is 403 and touches nothing. Help desks with
a key keep using their own ids (ticket numbers)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bot.store import Store
from tests.server.apps import started


def _counts(store: Store, session_id: str) -> tuple[int, bool]:
    return len(store.transcript(session_id)), store.open_escalation(session_id) is not None


def test_a_new_session_comes_with_its_token(client: FlaskClient) -> None:
    a, b = client.post("/v1/sessions").get_json(), client.post("/v1/sessions").get_json()
    assert len(a["session_id"]) == 32 and a["session_id"] != b["session_id"]
    assert a["session_token"] and a["session_token"] != b["session_token"]
    first = client.post("/v1/answer", json={"question": "forgot my password"}).get_json()
    assert first["session_id"] and first["session_token"]


@pytest.mark.parametrize("how", ["none", "forged", "altered", "foreign"])
def test_a_session_without_its_own_token_is_refused_and_untouched(client: FlaskClient, store: Store,
                                                                   how: str) -> None:
    victim, token = started(client)
    client.post("/v1/answer", json={"question": "forgot my password", "session_id": victim}, headers=token)
    _, other = started(client)
    bad = {"none": {}, "forged": {"X-Session-Token": "A" * 43},
           "altered": {"X-Session-Token": token["X-Session-Token"][:-1] + "x"}, "foreign": other}[how]
    before = _counts(store, victim)
    attempts = [
        client.post("/v1/answer", json={"question": "talk to a person", "session_id": victim}, headers=bad),
        client.post("/v1/handoff", json={"session_id": victim, "email": "attacker@evil.example"},
                    headers=bad),
        client.post("/v1/feedback", json={"session_id": victim, "turn_id": 2, "helpful": False},
                    headers=bad),
        client.post("/v1/choose", json={"session_id": victim, "article_id": "refund-timing"}, headers=bad),
        client.get(f"/v1/sessions/{victim}", headers=bad),
    ]
    assert [r.status_code for r in attempts] == [403] * 5
    assert all(r.get_json()["error"]["code"] == "forbidden" for r in attempts)
    assert _counts(store, victim) == before
    session = store.session(victim)
    assert session is not None and session.contact.email == ""


def test_a_client_chosen_id_cannot_be_read_or_started(client: FlaskClient) -> None:
    chosen = {"question": "hi", "session_id": "order-1234567890"}
    assert client.post("/v1/answer", json=chosen).status_code == 403
    assert client.get("/v1/sessions/order-1234567890").status_code == 403


def test_a_second_handoff_cannot_replace_the_contact_without_the_token(client: FlaskClient,
                                                                         store: Store) -> None:
    sid, token = started(client)
    first = client.post("/v1/handoff", json={"session_id": sid, "email": "jane@example.com"}, headers=token)
    assert first.status_code == 201
    hijack = client.post("/v1/handoff", json={"session_id": sid, "email": "attacker@evil.example"})
    assert hijack.status_code == 403
    escalation = store.open_escalation(sid)
    assert escalation is not None and escalation.contact.email == "jane@example.com"


def test_a_help_desk_uses_its_own_ticket_numbers(client: FlaskClient, helpdesk: dict[str, str],
                                                store: Store) -> None:
    r = client.post("/v1/answer", json={"question": "forgot my password", "session_id": "ticket-42"},
                    headers=helpdesk)
    assert r.status_code == 200 and r.get_json()["session_id"] == "ticket-42"
    read = client.get("/v1/sessions/ticket-42", headers=helpdesk)
    assert read.status_code == 200 and len(read.get_json()["turns"]) == 2
    assert client.get("/v1/sessions/ticket-42").status_code == 403  # not without the key
    assert client.get("/v1/sessions/ticket-42", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_tokens_survive_a_restart_and_are_shared_by_every_app_on_the_store(client: FlaskClient,
                                                                            bot: object,
                                                                            store: Store) -> None:
    from tests.server.apps import app_client

    sid, token = started(client)
    other_process = app_client(bot, store)  # type: ignore[arg-type]
    r = other_process.post("/v1/answer", json={"question": "forgot my password", "session_id": sid},
                           headers=token)
    assert r.status_code == 200
