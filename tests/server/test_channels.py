"""The channels end to end: signed platform webhooks into the real app (real bot, real SQLite),
replies out of the channel outbox to local stand-ins that speak each platform's API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot import Bot
from bot.channels import adapters
from bot.channels.outbox import ChannelSender
from bot.keys import create_key
from bot.store import Store
from tests.bot.channels.platforms import (
    CHATWOOT_TOKEN,
    LINE_TOKEN,
    PHONE_NUMBER_ID,
    TELEGRAM_TOKEN,
    WHATSAPP_TOKEN,
    Platforms,
    serve,
)
from tests.server.apps import make_app

LINE_SECRET, TG_SECRET, WA_SECRET, WA_VERIFY, CW_SECRET = (
    "line-secret",
    "tg-secret",
    "wa-secret",
    "wa-verify",
    "cw-s",
)
THAI_USER = "U4af4980629b2f2d8a0f3c5e7d9a1b3c5"


@pytest.fixture
def platforms() -> Iterator[Platforms]:
    with serve() as p:
        yield p


@pytest.fixture
def app(bot: Bot, store: Store, platforms: Platforms) -> Flask:
    return make_app(
        bot,
        store,
        line_channel_secret=LINE_SECRET,
        line_channel_access_token=LINE_TOKEN,
        line_api_url=platforms.url,
        telegram_bot_token=TELEGRAM_TOKEN,
        telegram_secret_token=TG_SECRET,
        telegram_api_url=platforms.url,
        whatsapp_app_secret=WA_SECRET,
        whatsapp_access_token=WHATSAPP_TOKEN,
        whatsapp_verify_token=WA_VERIFY,
        whatsapp_phone_number_id=PHONE_NUMBER_ID,
        whatsapp_api_url=platforms.url,
        chatwoot_url=platforms.url,
        chatwoot_bot_token=CHATWOOT_TOKEN,
        chatwoot_webhook_secret=CW_SECRET,
        handoff_grace_seconds=0,
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def send_all(app: Flask, store: Store) -> int:
    settings = app.extensions["faqbot"].settings
    return ChannelSender(store, settings, adapters(settings)).run_once()


# --- the platforms' webhook requests, signed as each documents ---
def line_event(
    text: str = "",
    postback: str = "",
    message_id: str = "468789577898262530",
    token: str = "b60d432864f44d079f6d8efe86cf404b",
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "replyToken": token,
        "webhookEventId": f"01H{message_id}",
        "timestamp": int(time.time() * 1000),
        "mode": "active",
        "source": {"type": "user", "userId": THAI_USER},
        "deliveryContext": {"isRedelivery": False},
    }
    if postback:
        event |= {"type": "postback", "postback": {"data": postback}}
    else:
        event |= {
            "type": "message",
            "message": {"id": message_id, "type": "text", "quoteToken": "q", "text": text},
        }
    return {"destination": "Uxxxxxxxxxxxxxx", "events": [event]}


def post_line(
    client: FlaskClient, platforms: Platforms, body: dict[str, Any], secret: str = LINE_SECRET
) -> Any:
    raw = json.dumps(body, ensure_ascii=False).encode()
    for e in body["events"]:
        platforms.reply_tokens.add(e["replyToken"])
    signature = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    return client.post(
        "/v1/channels/line/webhook",
        data=raw,
        headers={"Content-Type": "application/json", "X-Line-Signature": signature},
    )


def test_thai_customer_on_line_gets_a_passage_quick_replies_and_reaches_a_person(
    app: Flask, client: FlaskClient, platforms: Platforms, store: Store
) -> None:
    r = post_line(client, platforms, line_event("ลืมรหัสผ่านทำไงดี", message_id="1001", token="t1"))
    assert r.status_code == 200 and r.get_json() == {"ok": True, "answered": 1, "duplicates": 0, "ignored": 0}
    assert platforms.sent == []  # replies leave from the outbox, not inside LINE's webhook
    assert send_all(app, store) == 1
    (reply,) = platforms.to("/v2/bot/message/reply")
    assert reply.body["replyToken"] == "t1" and reply.headers["authorization"] == f"Bearer {LINE_TOKEN}"
    (msg,) = reply.body["messages"]
    assert msg["text"].startswith('ลืมรหัสผ่านและการตั้งรหัสผ่านใหม่\n\nกด "ลืมรหัสผ่าน?"')  # title, passage
    assert "อ่านบทความฉบับเต็ม" not in msg["text"]  # this translation has no url to link to
    labels = [i["action"]["label"] for i in msg["quickReply"]["items"]]
    assert labels == ["คุยกับเจ้าหน้าที่"] and msg["quickReply"]["items"][0]["action"]["data"] == "person"
    # The same event again (LINE redelivers when it saw no 200): answered once.
    r = post_line(client, platforms, line_event("ลืมรหัสผ่านทำไงดี", message_id="1001", token="t1b"))
    assert r.get_json()["duplicates"] == 1 and send_all(app, store) == 0

    post_line(client, platforms, line_event("ขอคุยกับเจ้าหน้าที่หน่อยค่ะ", message_id="1002", token="t2"))
    assert send_all(app, store) == 1
    handed = platforms.to("/v2/bot/message/reply")[-1].body["messages"][0]
    assert "เจ้าหน้าที่" in handed["text"] and "quickReply" not in handed  # no button while handed off
    # The handoff is in the agents' inbox like a widget one, under a session that hides the LINE id.
    agent = {"Authorization": f"Bearer {create_key(store, 'agent', 'Ann')[1]}"}
    (esc,) = client.get("/v1/agent/escalations", headers=agent).get_json()["escalations"]
    assert esc["reason"] == "human_requested" and esc["language"] == "th"
    assert esc["session_id"].startswith("line-") and THAI_USER not in json.dumps(esc)
    detail = client.get(f"/v1/agent/escalations/{esc['escalation_id']}", headers=agent).get_json()
    assert [t["role"] for t in detail["transcript"]][:2] == ["customer", "bot"]
    # The agent's reply goes back out on LINE (pushed: the event's reply token is long used).
    r = client.post(f"/v1/agent/escalations/{esc['escalation_id']}/claim", headers=agent)
    assert r.status_code == 200
    r = client.post(
        f"/v1/agent/sessions/{esc['session_id']}/reply", headers=agent, json={"text": "สวัสดีค่ะ ยินดีช่วยค่ะ"}
    )
    assert r.status_code == 201
    assert send_all(app, store) == 1
    (push,) = platforms.to("/v2/bot/message/push")
    assert push.body == {"to": THAI_USER, "messages": [{"type": "text", "text": "สวัสดีค่ะ ยินดีช่วยค่ะ"}]}
    assert push.headers["x-line-retry-key"]


def test_a_bad_signature_is_401_and_touches_nothing(
    client: FlaskClient, platforms: Platforms, store: Store
) -> None:
    r = post_line(client, platforms, line_event("ลืมรหัสผ่าน", message_id="2001"), secret="forged")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthorized"
    raw = json.dumps(
        {
            "update_id": 1,
            "message": {"message_id": 1, "chat": {"id": 5, "type": "private"}, "date": 1, "text": "refund"},
        }
    ).encode()
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        r = client.post(
            "/v1/channels/telegram/webhook", data=raw, headers={"Content-Type": "application/json", **headers}
        )
        assert r.status_code == 401
    r = client.post("/v1/channels/whatsapp/webhook", data=b"{}", headers={"X-Hub-Signature-256": "sha256=00"})
    assert r.status_code == 401
    stamp = str(int(time.time()) - 3600)  # a replayed Chatwoot request: signed, but an hour old
    sig = hmac.new(CW_SECRET.encode(), f"{stamp}.".encode() + b"{}", hashlib.sha256).hexdigest()
    r = client.post(
        "/v1/channels/chatwoot/webhook",
        data=b"{}",
        headers={"X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": f"sha256={sig}"},
    )
    assert r.status_code == 401
    assert store.channel_of_sessions() == {} and store.turns() == [] and store.channel_sends() == []


def test_an_unconfigured_channel_is_404(bot: Bot, store: Store) -> None:
    client = make_app(bot, store).test_client()
    r = client.post("/v1/channels/line/webhook", data=b"{}", headers={"X-Line-Signature": "x"})
    assert r.status_code == 404 and "not configured" in r.get_json()["error"]["message"]


def tg_update(
    update_id: int, text: str = "", *, edited: bool = False, callback: str = "", message_id: int = 0
) -> dict[str, Any]:
    chat = {"id": 777000111, "type": "private", "first_name": "Mari"}
    sender = {"id": 777000111, "is_bot": False, "first_name": "Mari", "language_code": "et"}
    if callback:
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"4382bfdwdsb323b2d9{update_id}",
                "from": sender,
                "chat_instance": "-9",
                "message": {"message_id": 50, "chat": chat, "date": 1, "text": "…"},
                "data": callback,
            },
        }
    message = {
        "message_id": message_id or update_id,
        "from": sender,
        "chat": chat,
        "date": 1700000000,
        "text": text,
    }
    return {"update_id": update_id, ("edited_message" if edited else "message"): message}


def post_tg(client: FlaskClient, body: dict[str, Any]) -> Any:
    return client.post(
        "/v1/channels/telegram/webhook", json=body, headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    )


def test_telegram_answers_an_edited_message_once_and_retries_flood_control(
    app: Flask, client: FlaskClient, platforms: Platforms, store: Store
) -> None:
    assert post_tg(client, tg_update(1, "kaua tagasimakse aega võtab")).get_json()["answered"] == 1
    assert (
        post_tg(client, tg_update(2, "kaua tagasimakse aega võtab?", edited=True, message_id=1)).get_json()[
            "duplicates"
        ]
        == 1
    )
    platforms.fail_next(
        1,
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
    )
    settings = app.extensions["faqbot"].settings
    sender = ChannelSender(store, settings, adapters(settings))
    now = time.time()
    assert sender.run_once(now) == 1 and platforms.sent == []
    (row,) = store.channel_sends()
    assert row.status == "pending" and row.attempts == 1 and row.next_at == pytest.approx(now + 7)
    assert sender.run_once(now + 6) == 0  # Telegram asked for 7 s
    assert sender.run_once(now + 7) == 1
    (sent,) = platforms.to(f"/bot{TELEGRAM_TOKEN}/sendMessage")
    assert sent.body["chat_id"] == 777000111 and sent.body["parse_mode"] == "HTML"
    assert sent.body["text"].startswith("<b>Millal ma raha tagasi saan?</b>")  # Estonian, from the hint
    assert sent.body["reply_markup"]["inline_keyboard"] == [
        [{"text": "Räägi inimesega", "callback_data": "person"}]
    ]


def test_telegram_button_press_chooses_and_acknowledges(
    app: Flask, client: FlaskClient, platforms: Platforms, store: Store
) -> None:
    post_tg(client, tg_update(10, callback="c:shipping-costs"))
    assert send_all(app, store) == 2
    ack, sent = platforms.sent
    assert ack.path.endswith("/answerCallbackQuery") and ack.body == {
        "callback_query_id": "4382bfdwdsb323b2d910"
    }
    assert sent.body["text"].startswith(
        "<b>Shipping times and costs</b>\n\nSee artikkel on saadaval ainult inglise keeles.\n\n"
        "Standard delivery"
    )  # Telegram said the customer reads Estonian; the article exists only in English


def wa_post(client: FlaskClient, body: dict[str, Any], secret: str = WA_SECRET) -> Any:
    raw = json.dumps(body).encode()
    sig = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        "/v1/channels/whatsapp/webhook",
        data=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sig},
    )


def wa_message(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": "16315551181"}],
                            "messages": [
                                {
                                    "from": "16315551181",
                                    "id": "wamid.ABGGFlA5Fpa",
                                    "timestamp": "1504902988",
                                    **message,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def test_whatsapp_handshake_answers_and_retries_a_throttled_send(
    app: Flask, client: FlaskClient, platforms: Platforms, store: Store
) -> None:
    q = "/v1/channels/whatsapp/webhook?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token="
    r = client.get(q + WA_VERIFY)
    assert r.status_code == 200 and r.get_data(as_text=True) == "1158201444"
    assert client.get(q + "wrong").status_code == 403
    r = wa_post(client, wa_message({"type": "text", "text": {"body": "forgot my password"}}))
    assert r.get_json()["answered"] == 1
    statuses = wa_message({})  # a read receipt is no question
    statuses["entry"][0]["changes"][0]["value"] = {
        "messaging_product": "whatsapp",
        "statuses": [{"id": "wamid.X", "status": "read", "timestamp": "1", "recipient_id": "16315551181"}],
    }
    assert wa_post(client, statuses).get_json() == {"ok": True, "answered": 0, "duplicates": 0, "ignored": 0}
    platforms.fail_next(
        1, 400, {"error": {"message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429}}
    )
    settings = app.extensions["faqbot"].settings
    sender = ChannelSender(store, settings, adapters(settings))
    now = time.time()
    sender.run_once(now)
    (row,) = store.channel_sends()
    assert row.status == "pending" and "130429" in row.last_error
    sender.run_once(row.next_at)
    (sent,) = platforms.to(f"/{PHONE_NUMBER_ID}/messages")
    assert sent.body["to"] == "16315551181" and sent.headers["authorization"] == f"Bearer {WHATSAPP_TOKEN}"
    interactive = sent.body["interactive"]
    assert interactive["type"] == "button" and interactive["body"]["text"].startswith("*Reset your password*")
    assert "Read the full article: https://help.example/en/reset-password" in interactive["body"]["text"]
    assert interactive["action"]["buttons"][-1]["reply"] == {"id": "person", "title": "Talk to a person"}


def cw_post(client: FlaskClient, body: dict[str, Any]) -> Any:
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()))
    sig = hmac.new(CW_SECRET.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return client.post(
        "/v1/channels/chatwoot/webhook",
        data=raw,
        headers={
            "Content-Type": "application/json",
            "X-Chatwoot-Timestamp": stamp,
            "X-Chatwoot-Signature": f"sha256={sig}",
        },
    )


def cw_message(message_id: int, content: str, status: str = "pending") -> dict[str, Any]:
    return {
        "event": "message_created",
        "id": message_id,
        "content": content,
        "message_type": "incoming",
        "content_type": "text",
        "content_attributes": {},
        "private": False,
        "source_id": None,
        "created_at": "2026-12-02T10:00:00.000Z",
        "sender": {"id": 9, "name": "Anna", "email": "anna@example.com", "type": "contact"},
        "inbox": {"id": 3, "name": "Website"},
        "account": {"id": 1, "name": "Shop"},
        "conversation": {
            "id": 42,
            "status": status,
            "channel": "Channel::WebWidget",
            "additional_attributes": {},
        },
    }


def test_chatwoot_hands_over_with_a_private_note_and_opens_the_conversation(
    app: Flask, client: FlaskClient, platforms: Platforms, store: Store
) -> None:
    assert cw_post(client, cw_message(501, "I want to talk to a human")).get_json()["answered"] == 1
    assert send_all(app, store) == 3
    public, note, status = platforms.sent
    base = "/api/v1/accounts/1/conversations/42"
    assert public.path == f"{base}/messages" and public.body["private"] is False
    assert note.path == f"{base}/messages" and note.body["private"] is True
    assert (
        "the customer asked for a person" in note.body["content"] and "Language: en" in note.body["content"]
    )
    assert status.path == f"{base}/toggle_status" and status.body == {"status": "open"}
    assert public.headers["api_access_token"] == CHATWOOT_TOKEN
    # Chatwoot's agents have it now: the bot stays quiet in that conversation.
    assert cw_post(client, cw_message(502, "hello?", status="open")).get_json()["answered"] == 0
    # They resolve it; the customer writes again and Chatwoot hands the conversation to its bot.
    assert cw_post(client, cw_message(503, "how much is delivery")).get_json()["answered"] == 1
    (esc,) = store.escalations()
    assert esc.status == "resolved" and esc.agent == "chatwoot"
    assert store.session(esc.session_id).state == "bot"  # type: ignore[union-attr]
    send_all(app, store)
    assert platforms.sent[-1].body["content"].startswith("**Shipping times and costs**")


def test_analytics_count_conversations_by_channel(
    app: Flask, client: FlaskClient, platforms: Platforms, store: Store
) -> None:
    post_line(client, platforms, line_event("ลืมรหัสผ่านทำไงดี", message_id="3001", token="t31"))
    post_line(client, platforms, line_event("ขอคุยกับเจ้าหน้าที่", message_id="3002", token="t32"))
    post_tg(client, tg_update(30, "how long does a refund take"))
    r = client.post("/v1/sessions")
    widget = {"X-Session-Token": r.get_json()["session_token"]}
    client.post(
        "/v1/answer",
        json={"question": "how much is delivery", "session_id": r.get_json()["session_id"]},
        headers=widget,
    )
    agent = {"Authorization": f"Bearer {create_key(store, 'agent', 'Ann')[1]}"}
    report = client.get("/v1/analytics", headers=agent).get_json()
    by = report["by_channel"]
    assert sorted(by) == ["line", "telegram", "widget"]
    assert (by["line"]["conversations"], by["line"]["questions"], by["line"]["escalations"]) == (1, 2, 1)
    assert by["line"]["answered"] == 1 and by["telegram"]["answered"] == 1 and by["widget"]["answered"] == 1
    assert report["totals"]["conversations"] == 3


def test_line_suggestions_are_quick_replies_and_a_late_reply_is_pushed(
    bot: Bot, store: Store, platforms: Platforms
) -> None:
    app = make_app(
        bot,
        store,
        line_channel_secret=LINE_SECRET,
        line_channel_access_token=LINE_TOKEN,
        line_api_url=platforms.url,
        answer_threshold=0.999,
        suggest_threshold=0.01,
    )
    client = app.test_client()
    post_line(client, platforms, line_event("refund or password?", message_id="4001", token="t41"))
    settings = app.extensions["faqbot"].settings
    sender = ChannelSender(store, settings, adapters(settings))
    assert sender.run_once(time.time() + 120) == 1  # the sender was down two minutes: token too old
    assert platforms.to("/v2/bot/message/reply") == []
    (push,) = platforms.to("/v2/bot/message/push")
    (msg,) = push.body["messages"]
    items = msg["quickReply"]["items"]
    assert [i["action"]["data"] for i in items][-1] == "person" and len(items) >= 3
    first = items[0]["action"]
    assert (
        first["type"] == "postback"
        and first["data"].startswith("choose:")
        and first["label"].startswith("1. ")
    )
    # The customer taps it: LINE sends a postback event, and the article is the answer.
    chosen = first["data"].removeprefix("choose:")
    post_line(client, platforms, line_event(postback=first["data"], message_id="4002", token="t42"))
    sender.run_once()
    (reply,) = platforms.to("/v2/bot/message/reply")
    title = app.extensions["faqbot"].bot.version(chosen, "en").title
    assert reply.body["messages"][0]["text"].startswith(title)
    assert [t.reason for t in store.turns() if t.role == "bot"][-1] == "chosen"


def test_chatwoot_input_select_pick_is_the_chosen_article(
    bot: Bot, store: Store, platforms: Platforms
) -> None:
    app = make_app(
        bot,
        store,
        chatwoot_url=platforms.url,
        chatwoot_bot_token=CHATWOOT_TOKEN,
        chatwoot_webhook_secret=CW_SECRET,
        answer_threshold=0.999,
        suggest_threshold=0.01,
    )
    client = app.test_client()
    assert cw_post(client, cw_message(601, "refund or password?")).get_json()["answered"] == 1
    send_all(app, store)
    (select,) = [s for s in platforms.sent if s.body.get("content_type") == "input_select"]
    items = select.body["content_attributes"]["items"]
    assert items and all(set(i) == {"title", "value"} for i in items)
    picked = {
        **cw_message(602, select.body["content"]),
        "event": "message_updated",
        "message_type": "outgoing",
        "content_type": "input_select",
        "content_attributes": {"items": items, "submitted_values": [items[1]]},
    }
    assert cw_post(client, picked).get_json()["answered"] == 1
    send_all(app, store)
    assert platforms.sent[-1].body["content"].startswith(f"**{items[1]['title']}**")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"events": [{"type": "message", "source": {"userId": "U1"}, "message": {"type": "text"}}]}',
        b'{"events": 5}',
    ],
)
def test_a_signed_body_that_is_not_lines_shape_is_400_and_stores_nothing(
    client: FlaskClient, store: Store, body: bytes
) -> None:
    signature = base64.b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    r = client.post("/v1/channels/line/webhook", data=body, headers={"X-Line-Signature": signature})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"
    assert store.turns() == [] and store.channel_sends() == []


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 1, "message": {"message_id": 1, "text": "no chat"}},
        {"update_id": 2, "callback_query": {"id": "1", "data": "c:x", "message": {"chat": {}}}},
    ],
)
def test_a_malformed_telegram_update_is_400(
    client: FlaskClient, store: Store, update: dict[str, Any]
) -> None:
    assert post_tg(client, update).status_code == 400 and store.turns() == []


def test_a_platform_that_is_down_gets_retries_with_backoff_then_a_dead_letter(
    bot: Bot, store: Store, platforms: Platforms
) -> None:
    app = make_app(
        bot,
        store,
        telegram_bot_token=TELEGRAM_TOKEN,
        telegram_secret_token=TG_SECRET,
        telegram_api_url=platforms.url,
        delivery_max_attempts=4,
    )
    client = app.test_client()
    post_tg(client, tg_update(50, "how much is delivery"))
    settings = app.extensions["faqbot"].settings
    sender = ChannelSender(store, settings, adapters(settings))
    platforms.fail_next(4, 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    now, waits = time.time(), []
    for _ in range(4):
        sender.run_once(now)
        (row,) = store.channel_sends()
        if row.status == "dead":
            break
        waits.append(row.next_at - now)
        now = row.next_at
    assert row.status == "dead" and row.attempts == 4 and "gave up after 4 attempts" in row.last_error
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'faqbot_channel_sends{channel="telegram",status="dead"} 1.0' in metrics
    assert 1.6 <= waits[0] <= 2.4 and 3.2 <= waits[1] <= 4.8 and 6.4 <= waits[2] <= 9.6  # 2, 4, 8 s ± 20 %
    assert platforms.sent == []


def test_chatwoot_is_not_given_back_before_the_handoff_reached_it(
    app: Flask, client: FlaskClient, platforms: Platforms, store: Store
) -> None:
    cw_post(client, cw_message(701, "I want to talk to a human"))
    # The customer writes again before the sender switched the conversation to `open`.
    assert cw_post(client, cw_message(702, "hello? anyone?")).get_json()["answered"] == 1
    (esc,) = store.escalations()
    assert esc.status == "open" and store.session(esc.session_id).state == "handed_off"  # type: ignore[union-attr]


def test_small_talk_and_an_offer_of_a_person_on_telegram(
    app: Flask, client: FlaskClient, platforms: Platforms, store: Store
) -> None:
    r = post_tg(client, tg_update(60, "hi"))
    assert r.get_json().get("answered") == 1, r.get_json()
    post_tg(client, tg_update(61, "what is the meaning of life"))
    send_all(app, store)
    greeting, unknown = [s.body for s in platforms.to(f"/bot{TELEGRAM_TOKEN}/sendMessage")]
    topics = [row[0]["callback_data"] for row in greeting["reply_markup"]["inline_keyboard"]]
    assert len(topics) >= 2 and all(t.startswith("c:") for t in topics[:-1]) and topics[-1] == "person"
    decisions = [t.decision for t in store.turns() if t.role == "bot"]
    assert decisions[0] == "smalltalk" and store.escalations() == []  # "hi" is never a handoff
    assert decisions[1] in ("offered", "suggest")  # the bot offers, the customer decides
    assert unknown["reply_markup"]["inline_keyboard"][-1] == [
        {"text": "Talk to a person", "callback_data": "person"}
    ]
    post_tg(client, tg_update(62, callback="person"))  # the customer takes the offer
    (esc,) = store.escalations()
    assert esc.session_id.startswith("telegram-") and esc.status == "open"
