"""Telegram Bot API: the webhook (its `X-Telegram-Bot-Api-Secret-Token` header must be the secret
given to setWebhook), sendMessage in Telegram's HTML, suggestions as an inline keyboard whose
presses (callback queries) choose the article, and answerCallbackQuery so the button stops
spinning. An edited message keeps its message id, so it is not answered twice.

Limits (Telegram's documentation): 4,096 characters of text after entity parsing, callback data
of 64 bytes. A 429 says how long to wait in parameters.retry_after.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bot.channels.base import PERSON, Channel, Inbound, Message, Part, compare
from bot.channels.format import compose
from bot.channels.http import error_json, json_request, post
from bot.delivery import RETRY, Outcome
from bot.records import ChannelDelivery, Contact
from kb.errors import RequestError
from kb.settings import Settings

TEXT_MAX, CALLBACK_MAX = 4096, 64
CHOOSE = "c:"


class Telegram:
    channel = Channel.TELEGRAM

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.api = settings.telegram_api_url.rstrip("/")

    def enabled(self) -> bool:
        return bool(self.settings.telegram_bot_token and self.settings.telegram_secret_token)

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> bool:
        return compare(self.settings.telegram_secret_token, headers.get("x-telegram-bot-api-secret-token"))

    def parse(self, body: bytes) -> list[Inbound]:
        try:
            update = json.loads(body)
            update["update_id"]
        except (ValueError, KeyError, TypeError):
            raise RequestError("not a Telegram update: need a JSON object with update_id") from None
        message = update.get("message") or update.get("edited_message")
        if isinstance(message, dict) and isinstance(message.get("text"), str):
            chat = message["chat"]["id"]
            sender = message.get("from") or {}
            return [Inbound(self.channel, str(chat), f"{chat}:{message['message_id']}", text=message["text"],
                            address={"chat_id": chat}, lang=sender.get("language_code") or None,
                            contact=Contact(" ".join(x for x in (sender.get("first_name"),
                                                                 sender.get("last_name")) if x)))]
        query = update.get("callback_query")
        data = str(query.get("data", "")) if isinstance(query, dict) else ""
        if isinstance(query, dict) and (data.startswith(CHOOSE) or data == PERSON) and query.get("message"):
            chat = query["message"]["chat"]["id"]
            return [Inbound(self.channel, str(chat), f"callback:{query['id']}",
                            choice=data.removeprefix(CHOOSE), address={"chat_id": chat},
                            context={"callback_query_id": query["id"]},
                            lang=(query.get("from") or {}).get("language_code") or None)]
        return []

    def parts(self, message: Message, context: Mapping[str, Any]) -> list[Part]:
        out: list[Part] = []
        if context.get("callback_query_id"):
            out.append({"method": "answerCallbackQuery",
                        "params": {"callback_query_id": context["callback_query_id"]}})
        text = compose(message.title, message.text, message.link, message.link_label, "telegram", TEXT_MAX)
        params: dict[str, Any] = {"text": "\n\n".join(x for x in (text, message.prompt) if x),
                                  "parse_mode": "HTML"}
        keyboard = [[{"text": c.title, "callback_data": CHOOSE + c.article_id}] for c in message.choices
                    if len((CHOOSE + c.article_id).encode("utf-8")) <= CALLBACK_MAX]
        if message.person:
            keyboard.append([{"text": message.person, "callback_data": PERSON}])
        if keyboard:
            params["reply_markup"] = {"inline_keyboard": keyboard}
        out.append({"method": "sendMessage", "params": params})
        return out

    def send(self, part: Part, address: Mapping[str, Any], row: ChannelDelivery, now: float) -> Outcome:
        method = part.get("method", "sendMessage")
        params = dict(part.get("params") or {"text": str(part.get("text", ""))[:TEXT_MAX]})
        if method == "sendMessage":
            params["chat_id"] = address["chat_id"]
        url = f"{self.api}/bot{self.settings.telegram_bot_token}/{method}"
        return post(json_request(url, params, {}), now, refine=_retry_after)


def _retry_after(status: int, text: str, outcome: Outcome) -> Outcome:
    """Telegram's flood control names its wait in the body, not in a Retry-After header."""
    wait = (error_json(text).get("parameters") or {}).get("retry_after")
    if status == 429 and isinstance(wait, int | float):
        return Outcome(RETRY, outcome.detail, float(wait), outcome.response)
    return outcome
