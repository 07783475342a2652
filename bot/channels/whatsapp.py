"""WhatsApp Cloud API: the webhook (`X-Hub-Signature-256`: "sha256=" and the hex HMAC-SHA256 of
the body with the app secret), the verify-token handshake Meta makes when the webhook is set up,
replies by POST /{phone-number-id}/messages in WhatsApp's own marks, suggestions as reply buttons
(up to 3) or a list (up to 10).

Limits (Meta's documentation): text bodies 4,096 characters, interactive bodies 1,024, button
titles 20, list rows 24 (title) and 72 (description), the list's button 20. Graph API errors come
as 4xx with an error code; the throttling and temporary ones are retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from bot.channels.base import PERSON, Channel, Choice, Inbound, Message, Part, compare
from bot.channels.format import compose, cut, label, render
from bot.channels.http import error_json, json_request, post
from bot.delivery import RETRY, Outcome
from bot.messages import message as catalog
from bot.records import ChannelDelivery, Contact
from kb.errors import RequestError
from kb.settings import Settings

TEXT_MAX, BODY_MAX, BUTTONS_MAX, BUTTON_MAX = 4096, 1024, 3, 20
ROWS_MAX, ROW_MAX, DESCRIPTION_MAX = 10, 24, 72
ID_MAX = 200
# Throttling (4, 80007, 130429, 131056), temporary errors (1, 2, 131000, 131016, 133004).
RETRYABLE_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004})


class WhatsApp:
    channel = Channel.WHATSAPP

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.api = settings.whatsapp_api_url.rstrip("/")

    def enabled(self) -> bool:
        s = self.settings
        return bool(s.whatsapp_app_secret and s.whatsapp_access_token and s.whatsapp_verify_token)

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> bool:
        mac = hmac.new(self.settings.whatsapp_app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        return compare(f"sha256={mac}", headers.get("x-hub-signature-256"))

    def handshake(self, mode: str | None, token: str | None, challenge: str | None) -> str | None:
        """The challenge to echo when Meta subscribes the webhook with our verify token."""
        expected = self.settings.whatsapp_verify_token
        if mode == "subscribe" and challenge is not None and compare(expected, token):
            return challenge
        return None

    def parse(self, body: bytes) -> list[Inbound]:
        try:
            data = json.loads(body)
            entries = data["entry"]
        except (ValueError, KeyError, TypeError):
            raise RequestError("not a WhatsApp webhook body: need a JSON object with entry") from None
        out = []
        for entry in entries if isinstance(entries, list) else []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                if change.get("field") != "messages":
                    continue
                names = {c.get("wa_id"): (c.get("profile") or {}).get("name", "")
                         for c in value.get("contacts") or []}
                number = (value.get("metadata") or {}).get("phone_number_id", "")
                for m in value.get("messages") or []:  # "statuses" (sent, read) are not questions
                    found = self._message(m, number, names.get(m.get("from"), ""))
                    if found is not None:
                        out.append(found)
        return out

    def _message(self, m: dict[str, Any], number: str, name: str) -> Inbound | None:
        sender, kind = str(m.get("from", "")), m.get("type")
        if not sender or not m.get("id"):
            return None
        text, choice = "", ""
        if kind == "text":
            text = str((m.get("text") or {}).get("body", ""))
        elif kind == "interactive":
            picked = (m.get("interactive") or {})
            reply = picked.get("button_reply") or picked.get("list_reply") or {}
            choice = str(reply.get("id", ""))
        elif kind == "button":
            text = str((m.get("button") or {}).get("text", ""))
        else:
            return None
        return Inbound(self.channel, sender, str(m["id"]), text=text, choice=choice,
                       address={"to": sender, "phone_number_id": number},
                       contact=Contact(name, phone=f"+{sender}" if sender.isdigit() else ""))

    def parts(self, message: Message, context: Mapping[str, Any]) -> list[Part]:
        text = compose(message.title, message.text, message.link, message.link_label, "whatsapp", TEXT_MAX)
        choices = [c for c in message.choices if len(c.article_id) <= ID_MAX][:ROWS_MAX - 1]
        if message.person and (choices or len(text) <= BODY_MAX):
            choices.append(Choice(PERSON, message.person))
        if not choices:
            return [{"type": "text", "text": {"body": text, "preview_url": bool(message.link)}}]
        body = cut("\n\n".join(x for x in (text, render(message.prompt, "whatsapp")) if x), BODY_MAX)
        return [{"type": "interactive", "interactive": _interactive(body, choices, message.lang)}]

    def send(self, part: Part, address: Mapping[str, Any], row: ChannelDelivery, now: float) -> Outcome:
        if part.get("kind") in ("agent", "note"):
            part = {"type": "text", "text": {"body": cut(str(part.get("text", "")), TEXT_MAX)}}
        number = address.get("phone_number_id") or self.settings.whatsapp_phone_number_id
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": address["to"], **part}
        auth = {"Authorization": f"Bearer {self.settings.whatsapp_access_token}"}
        return post(json_request(f"{self.api}/{number}/messages", body, auth), now, refine=_graph_error)


def _interactive(body: str, choices: list[Choice], lang: str) -> dict[str, Any]:
    if len(choices) <= BUTTONS_MAX:
        return {"type": "button", "body": {"text": body}, "action": {"buttons": [
            {"type": "reply", "reply": {"id": c.article_id, "title": label(c.title, BUTTON_MAX)}}
            for c in choices]}}
    rows = [{"id": c.article_id, "title": label(c.title, ROW_MAX),
             **({"description": label(c.title, DESCRIPTION_MAX)} if len(c.title) > ROW_MAX else {})}
            for c in choices[:ROWS_MAX]]
    return {"type": "list", "body": {"text": body}, "action": {
        "button": label(catalog("ui.did_you_mean", lang).rstrip(":："), BUTTON_MAX),
        "sections": [{"rows": rows}]}}  # one section needs no title


def _graph_error(status: int, text: str, outcome: Outcome) -> Outcome:
    code = (error_json(text).get("error") or {}).get("code")
    if outcome.kind != RETRY and code in RETRYABLE_CODES:
        return Outcome(RETRY, f"{outcome.detail} (Graph API error {code})", None, outcome.response)
    return outcome
