"""Chatwoot Agent Bot: faqbot answers the conversations Chatwoot gives its bot (status
`pending`), through Chatwoot's API, in every channel Chatwoot has; on handoff it leaves a private
note for the agents (reason, candidates, language) and sets the conversation `open`, which puts it
in their queue. From then on the bot stays quiet there.

Webhooks are checked by `X-Chatwoot-Signature`: "sha256=" and the hex HMAC-SHA256 of
"{X-Chatwoot-Timestamp}.{body}" with the webhook secret, the timestamp within 5 minutes.
Suggestions are an `input_select` message; the customer's pick arrives as a `message_updated`
event with `submitted_values`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from bot.channels.base import Channel, Handoff, Inbound, Message, Part, compare
from bot.channels.format import compose, label
from bot.channels.http import json_request, post
from bot.delivery import Outcome
from bot.records import ChannelDelivery, Contact
from bot.webhooks import reason_text
from kb.errors import RequestError
from kb.settings import Settings

TEXT_MAX, ITEM_MAX = 150_000, 200
SKEW_SECONDS = 300.0


class Chatwoot:
    channel = Channel.CHATWOOT

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.api = settings.chatwoot_url.rstrip("/")

    def enabled(self) -> bool:
        s = self.settings
        return bool(s.chatwoot_url and s.chatwoot_bot_token and s.chatwoot_webhook_secret)

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> bool:
        stamp = headers.get("x-chatwoot-timestamp", "")
        if not stamp.isdigit() or abs(now - int(stamp)) > SKEW_SECONDS:
            return False
        mac = hmac.new(self.settings.chatwoot_webhook_secret.encode("utf-8"), stamp.encode() + b"." + body,
                       hashlib.sha256).hexdigest()
        return compare(f"sha256={mac}", headers.get("x-chatwoot-signature"))

    def parse(self, body: bytes) -> list[Inbound]:
        try:
            e = json.loads(body)
            event = e["event"]
        except (ValueError, KeyError, TypeError):
            raise RequestError("not a Chatwoot event: need a JSON object with event") from None
        conversation = e.get("conversation") or {}
        account = (e.get("account") or {}).get("id")
        submitted = ((e.get("content_attributes") or {}).get("submitted_values") or [])
        # A pick from our input_select updates our own (outgoing) message; else only the
        # customer's incoming, public messages are questions.
        picked = event == "message_updated" and submitted and isinstance(submitted[0], dict)
        if (not picked and e.get("message_type") != "incoming") or e.get("private") or account is None \
                or conversation.get("id") is None:
            return []
        if conversation.get("status", "pending") != "pending":
            return []  # an agent has the conversation: the bot stays quiet
        where = {"account_id": account, "conversation_id": conversation["id"]}
        identity = f"{account}:{conversation['id']}"
        sender = e.get("sender") or {}
        contact = Contact(str(sender.get("name") or ""), str(sender.get("email") or ""),
                          str(sender.get("phone_number") or ""))
        if event == "message_created" and isinstance(e.get("content"), str):
            return [Inbound(self.channel, identity, f"{account}:{e['id']}", text=e["content"], address=where,
                            contact=contact, bot_owns=True)]
        if picked:
            return [Inbound(self.channel, identity, f"{account}:{e['id']}:submitted",
                            choice=str(submitted[0].get("value", "")), address=where, bot_owns=True)]
        return []

    def parts(self, message: Message, context: Mapping[str, Any]) -> list[Part]:
        text = compose(message.title, message.text, message.link, message.link_label, "markdown", TEXT_MAX)
        out: list[Part] = []
        if text:
            out.append({"kind": "message", "body": {"content": text, "message_type": "outgoing",
                                                    "private": False}})
        if message.choices:
            out.append({"kind": "message", "body": {
                "content": message.prompt or "…", "message_type": "outgoing", "private": False,
                "content_type": "input_select",
                "content_attributes": {"items": [{"title": label(c.title, ITEM_MAX), "value": c.article_id}
                                                 for c in message.choices]}}})
        if message.handoff is not None:
            out.append({"kind": "message", "body": {"content": note(message.handoff),
                                                    "message_type": "outgoing", "private": True}})
            out.append({"kind": "status", "body": {"status": "open"}})
        return out

    def send(self, part: Part, address: Mapping[str, Any], row: ChannelDelivery, now: float) -> Outcome:
        base = (f"{self.api}/api/v1/accounts/{int(address['account_id'])}/conversations/"
                f"{int(address['conversation_id'])}")
        headers = {"api_access_token": self.settings.chatwoot_bot_token}
        if part.get("kind") == "status":
            return post(json_request(f"{base}/toggle_status", part["body"], headers), now)
        body = part.get("body") or {"content": str(part.get("text", "")), "message_type": "outgoing",
                                    "private": False}
        return post(json_request(f"{base}/messages", body, headers), now)


def note(h: Handoff) -> str:
    """The private note the agents read when the bot hands over."""
    lines = [f"faqbot handed this conversation over: {reason_text(h.reason)}.", f"Language: {h.language}",
             f"Escalation: {h.escalation_id}"]
    if h.candidates:
        lines.append("Articles the bot considered: " + "; ".join(f"{c.title} ({c.article_id})"
                                                                for c in h.candidates))
    return "\n".join(lines)
