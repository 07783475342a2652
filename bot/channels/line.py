"""LINE Messaging API: the webhook (`X-Line-Signature`: base64 HMAC-SHA256 of the body with the
channel secret), replies with the event's reply token while it is fresh, else by push (with
`X-Line-Retry-Key`, so a retried push is delivered once), suggestions as quick-reply buttons.

Limits (LINE's documentation): a text message holds 5,000 characters, a request 5 messages, a
quick reply 13 buttons with labels of 20 characters and postback data of 300.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping
from typing import Any

from bot.channels.base import PERSON, Channel, Inbound, Message, Part, compare
from bot.channels.format import compose, cut, label, numbered
from bot.channels.http import json_request, post
from bot.delivery import Outcome
from bot.records import ChannelDelivery
from kb.errors import RequestError
from kb.settings import Settings

TEXT_MAX, QUICK_REPLY_MAX, LABEL_MAX, DATA_MAX = 5000, 13, 20, 300
REPLY_TOKEN_SECONDS = 50.0  # LINE's reply tokens expire about a minute after the event
CHOOSE = "choose:"


class Line:
    channel = Channel.LINE

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.api = settings.line_api_url.rstrip("/")

    def enabled(self) -> bool:
        return bool(self.settings.line_channel_secret and self.settings.line_channel_access_token)

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> bool:
        mac = hmac.new(self.settings.line_channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
        return compare(base64.b64encode(mac).decode("ascii"), headers.get("x-line-signature"))

    def parse(self, body: bytes) -> list[Inbound]:
        try:
            events = json.loads(body)["events"]
        except (ValueError, KeyError, TypeError):
            raise RequestError("not a LINE webhook body: need a JSON object with events") from None
        return [found for e in events if isinstance(e, dict) and (found := self._event(e)) is not None]

    def _event(self, e: dict[str, Any]) -> Inbound | None:
        source = e.get("source") or {}
        who = source.get("userId") or source.get("groupId") or source.get("roomId")
        if e.get("mode") == "standby" or not who:
            return None  # another bot owns the chat (module channels), or no one to answer
        to = source.get("groupId") or source.get("roomId") or who
        context = {"reply_token": e.get("replyToken", ""), "at": e.get("timestamp", 0) / 1000}
        if e.get("type") == "message" and (e.get("message") or {}).get("type") == "text":
            m = e["message"]
            return Inbound(self.channel, str(to), str(m["id"]), text=str(m.get("text", "")),
                           address={"to": to}, context=context)
        if e.get("type") == "postback":
            data = str((e.get("postback") or {}).get("data", ""))
            if data.startswith(CHOOSE) or data == PERSON:
                return Inbound(self.channel, str(to), str(e.get("webhookEventId", "")),
                               choice=data.removeprefix(CHOOSE), address={"to": to}, context=context)
        return None

    def parts(self, message: Message, context: Mapping[str, Any]) -> list[Part]:
        messages = self.messages(message)
        return [{"kind": "messages", "messages": messages, **{k: context[k] for k in ("reply_token", "at")
                                                              if k in context}}]

    def messages(self, message: Message) -> list[dict[str, Any]]:
        """LINE message objects: the answer or the notice, with the choices as quick replies (their
        full titles numbered in the text: a label holds 20 characters)."""
        text = compose(message.title, message.text, message.link, message.link_label, "plain", TEXT_MAX)
        room = QUICK_REPLY_MAX - (1 if message.person else 0)
        choices = [c for c in message.choices if len(CHOOSE + c.article_id) <= DATA_MAX][:room]
        lines = numbered(message.prompt, [c.title for c in choices]) if choices else ""
        both = "\n\n".join(x for x in (text, lines) if x)
        out: dict[str, Any] = {"type": "text", "text": cut(both, TEXT_MAX)}
        items = [_postback(label(f"{i}. {c.title}", LABEL_MAX), CHOOSE + c.article_id, c.title)
                 for i, c in enumerate(choices, 1)]
        if message.person:
            items.append(_postback(label(message.person, LABEL_MAX), PERSON, message.person))
        if items:
            out["quickReply"] = {"items": items}
        return [out]

    def send(self, part: Part, address: Mapping[str, Any], row: ChannelDelivery, now: float) -> Outcome:
        messages = part.get("messages") or [{"type": "text", "text": str(part.get("text", ""))[:TEXT_MAX]}]
        auth = {"Authorization": f"Bearer {self.settings.line_channel_access_token}"}
        token = part.get("reply_token", "")
        fresh = now - float(part.get("at") or row.created_at) < REPLY_TOKEN_SECONDS
        if token and row.attempts == 0 and fresh:
            outcome = post(json_request(f"{self.api}/v2/bot/message/reply",
                                        {"replyToken": token, "messages": messages}, auth), now)
            if outcome.kind != "dead":
                return outcome
            # An expired or used token is a 400: the push below still reaches the customer.
        retry_key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"faqbot:{row.session_id}:{row.outbox_id}"))
        return post(json_request(f"{self.api}/v2/bot/message/push",
                                 {"to": address["to"], "messages": messages},
                                 {**auth, "X-Line-Retry-Key": retry_key}), now)


def _postback(text: str, data: str, display: str) -> dict[str, Any]:
    return {"type": "action", "action": {"type": "postback", "label": text, "data": data,
                                         "displayText": display[:DATA_MAX]}}
