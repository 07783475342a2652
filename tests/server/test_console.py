"""/console through the real app: sign-in and its cookie, CSRF, idle timeout, roles, the inbox,
a conversation's actions and the admin pages (the browser tests drive the same in Chromium)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot import Bot
from bot.keys import create_key
from bot.store import Store
from server.console import EXTENSION, ConsoleConfig
from tests.server.apps import make_app, started

HUMAN = "I want to talk to a human please"


class Clock:
    def __init__(self, at: float = 1_700_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(bot: Bot, store: Store, clock: Clock) -> Flask:
    app = make_app(bot, store, console_idle_minutes=30)
    app.extensions[EXTENSION] = ConsoleConfig(clock)
    return app


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client: FlaskClient, key: str, next_: str = "") -> tuple[int, str]:
    page = client.get("/console/sign-in" + (f"?next={next_}" if next_ else ""))
    r = client.post("/console/sign-in", data={"key": key, "csrf": _csrf(page.get_data(as_text=True)),
                                              "next": next_})
    return r.status_code, r.headers.get("Location", "")


def escalate(client: FlaskClient, text: str = HUMAN) -> tuple[str, str]:
    sid, headers = started(client)
    r = client.post("/v1/answer", json={"question": text, "session_id": sid}, headers=headers)
    assert r.get_json()["state"] == "handed_off", r.get_json()
    return sid, r.get_json()["escalation"]["escalation_id"]


def test_no_session_redirects_to_sign_in(app: Flask) -> None:
    r = app.test_client().get("/console/inbox?status=open")
    assert r.status_code == 303
    assert r.headers["Location"] == "/console/sign-in?next=/console/inbox?status%3Dopen"


def test_sign_in_sets_a_strict_httponly_cookie_and_only_its_hash_is_stored(app: Flask, store: Store) -> None:
    client = app.test_client()
    key = create_key(store, "agent", "Ann")[1]
    status, where = sign_in(client, key, "/console/inbox")
    assert (status, where) == (303, "/console/inbox")
    cookie = client.get_cookie("faqbot_console", path="/console")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict" and not cookie.secure
    assert key not in client.get("/console/inbox").get_data(as_text=True)
    with store._tx("peek", write=False) as tx:  # noqa: SLF001 - what is at rest
        stored = tx.all("SELECT token_hash FROM console_sessions")
    assert stored and cookie.value not in {row[0] for row in stored}


def test_cookie_is_secure_behind_tls(bot: Bot, store: Store) -> None:
    client = make_app(bot, store, trusted_proxies=1).test_client()
    key = create_key(store, "agent", "Ann")[1]
    page = client.get("/console/sign-in", headers={"X-Forwarded-Proto": "https"})
    r = client.post("/console/sign-in", data={"key": key, "csrf": _csrf(page.get_data(as_text=True))},
                    headers={"X-Forwarded-Proto": "https"})
    assert r.status_code == 303
    assert "Secure" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]


@pytest.mark.parametrize(("key", "status"), [("fqb_00000000_" + "x" * 40, 401), ("not a key", 401)])
def test_bad_keys_are_refused_with_a_message(app: Flask, key: str, status: int) -> None:
    client = app.test_client()
    page = client.get("/console/sign-in")
    r = client.post("/console/sign-in", data={"key": key, "csrf": _csrf(page.get_data(as_text=True))})
    assert r.status_code == status
    assert "unknown or revoked" in r.get_data(as_text=True)
    assert client.get_cookie("faqbot_console", path="/console") is None


def test_a_helpdesk_key_cannot_sign_in(app: Flask, store: Store) -> None:
    status, _ = sign_in(app.test_client(), create_key(store, "helpdesk", "Zendesk")[1])
    assert status == 403


def test_sign_in_without_its_form_token_is_refused(app: Flask, store: Store) -> None:
    key = create_key(store, "agent", "Ann")[1]
    r = app.test_client().post("/console/sign-in", data={"key": key})
    assert r.status_code == 403 and "CSRF" in r.get_data(as_text=True)


def test_every_change_needs_the_csrf_token(app: Flask, store: Store) -> None:
    client = app.test_client()
    _, esc = escalate(client)
    sign_in(client, create_key(store, "agent", "Ann")[1])
    for data in ({}, {"csrf": "wrong"}):
        r = client.post(f"/console/escalations/{esc}/claim", data=data)
        assert r.status_code == 403, data
    assert store.escalation(esc).status == "open"  # type: ignore[union-attr]
    token = _csrf(client.get(f"/console/escalations/{esc}").get_data(as_text=True))
    r = client.post(f"/console/escalations/{esc}/claim", data={"csrf": token},
                    headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "cross-site" in r.get_data(as_text=True)
    r = client.post(f"/console/escalations/{esc}/claim", data={"csrf": token})
    assert r.status_code == 303
    assert store.escalation(esc).status == "claimed"  # type: ignore[union-attr]


def test_idle_sessions_end_and_sign_out_ends_the_session(app: Flask, store: Store, clock: Clock) -> None:
    client = app.test_client()
    sign_in(client, create_key(store, "agent", "Ann")[1])
    clock.at += 29 * 60
    assert client.get("/console/inbox").status_code == 200  # use keeps it alive
    clock.at += 29 * 60
    assert client.get("/console/inbox").status_code == 200
    clock.at += 31 * 60
    assert client.get("/console/inbox").status_code == 303
    sign_in(client, create_key(store, "agent", "Bo")[1])
    cookie = client.get_cookie("faqbot_console", path="/console")
    assert cookie is not None
    token = _csrf(client.get("/console/inbox").get_data(as_text=True))
    assert client.post("/console/sign-out", data={"csrf": token}).status_code == 303
    # The old cookie, replayed, is dead on the server too.
    client.set_cookie("faqbot_console", cookie.value, path="/console")
    assert client.get("/console/inbox").status_code == 303
    assert [e.action for e in store.audit_log()][:2] == ["sign_out", "sign_in"]


def test_revoking_a_key_ends_its_sessions(app: Flask, store: Store) -> None:
    client = app.test_client()
    record, key = create_key(store, "agent", "Ann")
    sign_in(client, key)
    store.revoke_key(record.key_id, 1.0)
    assert client.get("/console/inbox").status_code == 303


@pytest.mark.parametrize(("role", "inbox", "admin"), [("agent", 200, 403), ("manager", 200, 403),
                                                      ("admin", 200, 200)])
def test_roles(app: Flask, store: Store, role: str, inbox: int, admin: int) -> None:
    client = app.test_client()
    sign_in(client, create_key(store, role, f"user-{role}")[1])
    assert client.get("/console/inbox").status_code == inbox
    r = client.get("/console/admin")
    assert r.status_code == admin
    assert client.get("/console/admin/audit").status_code == admin
    nav = client.get("/console/inbox").get_data(as_text=True)
    assert ('href="/console/admin"' in nav) == (role == "admin")


def test_open_redirects_are_refused(app: Flask, store: Store) -> None:
    for target in ("https://evil.example/", "//evil.example/console", "/console//evil.example"):
        _, where = sign_in(app.test_client(), create_key(store, "agent", "Ann")[1], target)
        assert where == "/console/inbox", target


def test_inbox_conversation_and_actions(app: Flask, store: Store) -> None:
    client = app.test_client()
    sid, esc = escalate(client, "<img src=x onerror=alert(1)> I want to talk to a human")
    sign_in(client, create_key(store, "agent", "Ann")[1])
    inbox = client.get("/console/inbox").get_data(as_text=True)
    assert f'data-id="{esc}"' in inbox
    rows = client.get("/console/inbox/rows?status=open").get_json()
    assert rows["ids"] == [esc] and rows["count"] == 1
    page = client.get(f"/console/escalations/{esc}").get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    token = _csrf(page)
    assert client.post(f"/console/escalations/{esc}/claim", data={"csrf": token}).status_code == 303
    r = client.post(f"/console/escalations/{esc}/reply", data={"csrf": token, "text": "Hi, Ann here"})
    assert r.status_code == 303
    blank = client.post(f"/console/escalations/{esc}/reply", data={"csrf": token, "text": " "})
    assert blank.status_code == 400
    r = client.post(f"/console/escalations/{esc}/note", data={"csrf": token, "text": "internal only"})
    assert r.status_code == 303
    assert client.post(f"/console/escalations/{esc}/resolve", data={"csrf": token}).status_code == 303
    assert client.post(f"/console/escalations/{esc}/release", data={"csrf": token}).status_code == 303
    page = client.get(f"/console/escalations/{esc}").get_data(as_text=True)
    assert "internal only" in page and "Hi, Ann here" in page
    assert all("internal only" not in t.text for t in store.transcript(sid))  # notes never reach customers
    assert [e.action for e in store.audit_log(escalation_id=esc)][::-1] == [
        "claim", "reply", "note", "resolve", "release"]


def test_a_second_agent_sees_who_has_it(app: Flask, store: Store) -> None:
    ann, bob = app.test_client(), app.test_client()
    _, esc = escalate(ann)
    sign_in(ann, create_key(store, "agent", "Ann")[1])
    sign_in(bob, create_key(store, "agent", "Bob")[1])
    bob_token = _csrf(bob.get(f"/console/escalations/{esc}").get_data(as_text=True))
    ann.post(f"/console/escalations/{esc}/claim",
             data={"csrf": _csrf(ann.get(f"/console/escalations/{esc}").get_data(as_text=True))})
    r = bob.post(f"/console/escalations/{esc}/claim", data={"csrf": bob_token})
    assert r.status_code == 409 and "Ann has already claimed this conversation." in r.get_data(as_text=True)
    r = bob.post(f"/console/escalations/{esc}/reply", data={"csrf": bob_token, "text": "me too"})
    assert r.status_code == 409


def test_admin_creates_renames_and_revokes_keys(app: Flask, store: Store) -> None:
    client = app.test_client()
    sign_in(client, create_key(store, "admin", "Root")[1])
    token = _csrf(client.get("/console/admin").get_data(as_text=True))
    r = client.post("/console/admin/keys", data={"csrf": token, "name": "Chai", "role": "agent"})
    page = r.get_data(as_text=True)
    secret = re.search(r'id="new-key" readonly value="(fqb_[^"]+)"', page)
    assert r.status_code == 200 and secret
    bad = client.post("/console/admin/keys", data={"csrf": token, "name": "X", "role": "god"})
    assert bad.status_code == 400
    chai = next(k for k in store.api_keys() if k.name == "Chai")
    r = client.post("/console/admin/display-names",
                    data={"csrf": token, "agent": "Chai", "display_name": "ชัย"})
    assert r.status_code == 303 and store.display_names() == {"Chai": "ชัย"}
    other = app.test_client()
    sign_in(other, secret.group(1))
    assert other.get("/console/inbox").status_code == 200
    r = client.post(f"/console/admin/keys/{chai.key_id}/revoke", data={"csrf": token})
    assert r.status_code == 303
    assert other.get("/console/inbox").status_code == 303
    actions = [e.action for e in store.audit_log()]
    assert {"key_create", "display_name", "key_revoke"} <= set(actions)
    audit = client.get("/console/admin/audit").get_data(as_text=True)
    assert "key_revoke" in audit


@pytest.mark.parametrize(("lang", "word"), [("th", "กล่องงาน"), ("et", "Postkast"), ("zh-TW", "收件匣"),
                                            ("zh-CN", "收件箱"), ("en", "Inbox")])
def test_ui_language_from_the_browser_or_the_picker(app: Flask, store: Store, lang: str, word: str) -> None:
    client = app.test_client()
    sign_in(client, create_key(store, "agent", "Ann")[1])
    page = client.get("/console/inbox",
                      headers={"Accept-Language": f"{lang},en;q=0.5"}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and word in page
    client.get(f"/console/inbox?lang={lang}")
    assert word in client.get("/console/inbox").get_data(as_text=True)
