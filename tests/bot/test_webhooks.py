"""Webhook payloads (generic, Zendesk, Freshdesk) and the signed request that carries them."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from bot.records import PRIORITIES, Candidate, Contact, Escalation, Turn
from bot.webhooks import (
    EVENT,
    iso,
    payload_for,
    placeholder_email,
    request_for,
    sign,
    subject,
    tags,
    verify,
)
from kb.handoff import WebhookConfig

T0 = 1_777_000_000.0  # 2026-04-24T03:06:40Z
EMAIL = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+\.[a-z]+$")


def escalation(**changes: object) -> Escalation:
    sid = "sess-42"
    transcript = (
        Turn(sid, "customer", "ขอคืนเงิน <script>alert(1)</script> & now", T0, lang="th", turn_id=1),
        Turn(sid, "bot", "จะได้รับเงินคืนเมื่อไร", T0 + 1, lang="th", decision="suggest",
             article_id="refund-timing", confidence=0.41, reason="ambiguous", turn_id=2),
        Turn(sid, "customer", "I want a person", T0 + 20, lang="en", turn_id=3),
        Turn(sid, "agent", "Hi, Mai here", T0 + 60, agent="mai", turn_id=4),
    )
    e = Escalation(
        escalation_id="e5c0ffee", session_id=sid, reason="sensitive:legal", language="th",
        priority="high", queue="billing-th", created_at=T0 + 21, transcript=transcript,
        candidates=(Candidate("refund-timing", "When will I get my refund?", 0.41),
                    Candidate("return-policy", "Returns & exchanges", 0.22)),
        contact=Contact(name="Somchai", email="somchai@example.com", phone="+66 81 234 5678"),
        message="Please call me back", expected_reply_at=T0 + 3600, out_of_hours=True,
        updated_at=T0 + 30)
    return replace(e, **changes)  # type: ignore[arg-type]


def webhook(fmt: str, **changes: object) -> WebhookConfig:
    return replace(WebhookConfig(name=f"desk-{fmt}", url="http://127.0.0.1:9/hook", format=fmt),
                   **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("ts,expected", [
    (0.0, "1970-01-01T00:00:00.000Z"),
    (T0 + 0.25, "2026-04-24T03:06:40.250Z"),
    (None, None),
])
def test_iso_is_utc_with_milliseconds(ts: float | None, expected: str | None) -> None:
    assert iso(ts) == expected


def test_generic_payload_carries_every_field() -> None:
    e = escalation()
    payload = json.loads(json.dumps(payload_for("generic", e)))
    assert payload["event"] == EVENT
    body = payload["escalation"]
    assert body["escalation_id"] == "e5c0ffee" and body["session_id"] == "sess-42"
    assert (body["reason"], body["priority"], body["queue"], body["language"]) == \
        ("sensitive:legal", "high", "billing-th", "th")
    assert body["created_at"] == iso(T0 + 21) and body["expected_reply_at"] == iso(T0 + 3600)
    assert body["out_of_hours"] is True
    assert body["contact"] == {"name": "Somchai", "email": "somchai@example.com", "phone": "+66 81 234 5678"}
    assert body["message"] == "Please call me back"
    assert [t["role"] for t in body["transcript"]] == ["customer", "bot", "customer", "agent"]
    bot_turn = body["transcript"][1]
    assert {k: bot_turn[k] for k in ("text", "at", "lang", "decision", "article_id", "confidence")} == {
        "text": "จะได้รับเงินคืนเมื่อไร", "at": iso(T0 + 1), "lang": "th", "decision": "suggest",
        "article_id": "refund-timing", "confidence": 0.41}
    assert body["candidates"][0] == {"article_id": "refund-timing",
                                     "title": "When will I get my refund?", "confidence": 0.41}


def test_generic_payload_without_reply_promise_has_null_time() -> None:
    body = payload_for("generic", escalation(expected_reply_at=None, updated_at=0.0))["escalation"]
    assert body["expected_reply_at"] is None and body["updated_at"] is None


@pytest.mark.parametrize("contact,requester", [
    (Contact(name="Ann", email="ann@example.com"), {"name": "Ann", "email": "ann@example.com"}),
    (Contact(email="bo@example.com"), {"name": "bo", "email": "bo@example.com"}),
    (Contact(name="Ann", phone="+3725551234"), None),
    (Contact(), None),
])
def test_zendesk_requester_only_with_an_email(contact: Contact, requester: dict[str, str] | None) -> None:
    ticket = payload_for("zendesk", escalation(contact=contact))["ticket"]
    assert ticket.get("requester") == requester


def test_zendesk_ticket_shape() -> None:
    ticket = payload_for("zendesk", escalation())["ticket"]
    assert set(ticket) >= {"subject", "comment", "priority", "tags", "external_id"}
    assert ticket["external_id"] == "e5c0ffee"
    assert ticket["comment"]["public"] is False
    body = ticket["comment"]["body"]
    for needle in ("sensitive topic: legal", "ขอคืนเงิน", "Bot (suggest, refund-timing, 0.41)",
                   "Agent mai: Hi, Mai here", "refund-timing: When will I get my refund? (0.41)",
                   "Please call me back", "Somchai, somchai@example.com", "out of business hours",
                   "e5c0ffee", "2026-04-24 03:06:40 UTC"):
        assert needle in body
    assert ticket["tags"] == ["faqbot", "faqbot_sensitive_legal", "lang_th", "queue_billing_th",
                              "faqbot_out_of_hours"]
    assert all(re.fullmatch(r"[a-z0-9_]+", t) for t in ticket["tags"])


@pytest.mark.parametrize("priority", PRIORITIES)
def test_priorities_map_to_each_desk(priority: str) -> None:
    e = escalation(priority=priority)
    assert payload_for("zendesk", e)["ticket"]["priority"] == priority
    assert payload_for("freshdesk", e)["priority"] == PRIORITIES.index(priority) + 1


def test_freshdesk_ticket_shape_and_html_escaping() -> None:
    ticket = payload_for("freshdesk", escalation())
    assert (ticket["status"], ticket["source"], ticket["priority"]) == (2, 7, 3)
    assert ticket["email"] == "somchai@example.com" and ticket["name"] == "Somchai"
    assert "phone" not in ticket
    assert ticket["subject"].startswith("Chat handoff (sensitive:legal): ขอคืนเงิน")
    description = ticket["description"]
    assert "<script>" not in description
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; now" in description
    assert "Returns &amp; exchanges" in description
    assert "placeholder" not in description


@pytest.mark.parametrize("contact,expected", [
    (Contact(email="a@example.com", phone="+1 555"), {"email": "a@example.com"}),
    (Contact(phone="+3725551234"), {"phone": "+3725551234", "name": "Chat customer sess-42"}),
    (Contact(name="Mari", phone="+3725551234"), {"phone": "+3725551234", "name": "Mari"}),
    (Contact(name="Mari"), {"email": "session-sess-42@faqbot.invalid", "name": "Mari"}),
    (Contact(), {"email": "session-sess-42@faqbot.invalid"}),
])
def test_freshdesk_always_has_a_requester(contact: Contact, expected: dict[str, str]) -> None:
    ticket = payload_for("freshdesk", escalation(contact=contact))
    assert {k: ticket[k] for k in ("email", "phone", "name") if k in ticket} == expected
    placeholder = expected.get("email", "").endswith("@faqbot.invalid")
    assert ("is a placeholder" in ticket["description"]) == placeholder


@pytest.mark.parametrize("session_id", ["sess-42", "a b/c@d", "...", "ü" * 10, "x" * 200])
def test_placeholder_email_is_a_valid_address(session_id: str) -> None:
    address = placeholder_email(session_id)
    assert EMAIL.match(address) and address.endswith("@faqbot.invalid")
    assert len(address.split("@")[0]) <= 64


def test_contact_added_after_escalation_reaches_the_payload() -> None:
    before = escalation(contact=Contact())
    after = replace(before, contact=Contact(name="Late", email="late@example.com"))
    assert "requester" not in payload_for("zendesk", before)["ticket"]
    assert payload_for("zendesk", after)["ticket"]["requester"]["email"] == "late@example.com"
    assert payload_for("freshdesk", after)["email"] == "late@example.com"


def test_subject_is_short_and_falls_back_without_customer_text() -> None:
    long = escalation(transcript=(Turn("s", "customer", "word " * 100, T0),))
    assert len(subject(long)) <= len("Chat handoff (sensitive:legal): ") + 80
    assert subject(long).endswith("…")
    assert subject(escalation(transcript=())) == "Chat handoff (sensitive:legal)"


def test_tags_skip_empty_parts() -> None:
    assert tags(escalation(queue="", out_of_hours=False)) == ["faqbot", "faqbot_sensitive_legal", "lang_th"]


@pytest.mark.parametrize("fmt", ["generic", "zendesk", "freshdesk"])
def test_request_is_signed_json_with_idempotency_key(fmt: str) -> None:
    hook = webhook(fmt, secret="s3cret", headers={"Authorization": "Bearer abc"})
    url, headers, body = request_for(hook, escalation())
    assert url == "http://127.0.0.1:9/hook"
    parsed = json.loads(body.decode("utf-8"))
    assert parsed == json.loads(json.dumps(payload_for(fmt, escalation())))
    assert "ขอคืนเงิน".encode() in body  # UTF-8, not \u escapes
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == "e5c0ffee"
    assert headers["X-Faqbot-Event"] == EVENT
    assert headers["X-Faqbot-Delivery"] == f"desk-{fmt}:e5c0ffee"
    assert headers["Authorization"] == "Bearer abc"
    assert verify("s3cret", body, headers["X-Faqbot-Signature"])
    assert not verify("wrong", body, headers["X-Faqbot-Signature"])
    assert not verify("s3cret", body + b" ", headers["X-Faqbot-Signature"])


def test_unsigned_without_secret_and_configured_headers_win() -> None:
    _, headers, body = request_for(webhook("generic", headers={"User-Agent": "acme"}), escalation())
    assert "X-Faqbot-Signature" not in headers
    assert headers["User-Agent"] == "acme"
    assert sign("k", body).startswith("sha256=") and len(sign("k", body)) == 7 + 64


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="'slack'"):
        payload_for("slack", escalation())
