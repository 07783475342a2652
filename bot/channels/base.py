"""What every channel adapter shares: the inbound message, the bot's message to render, the
adapter protocol, and the session a channel identity becomes.

An adapter turns a platform's webhook (or an email) into `Inbound` messages, and the bot's
`Message` into `parts`: JSON-able sends kept in the channel outbox without any token, rendered
into a platform request with the settings' secrets only when they are sent.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from bot.delivery import Outcome
from bot.records import ChannelDelivery, Contact

Part = dict[str, Any]


class Channel(StrEnum):
    LINE = "line"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    CHATWOOT = "chatwoot"
    EMAIL = "email"


@dataclass(frozen=True)
class Inbound:
    """One customer message from a channel, as the conversation reads it."""

    channel: Channel
    identity: str  # who, on the platform (a LINE user, a Telegram chat, an email thread's root)
    message_id: str  # the platform's id of this message: it is answered once
    text: str = ""
    choice: str = ""  # an article id from a button the customer pressed
    address: Mapping[str, Any] = field(default_factory=dict)  # where replies go
    context: Mapping[str, Any] = field(default_factory=dict)  # for the reply to this message only
    lang: str | None = None  # the platform's locale for the customer, a hint
    contact: Contact | None = None  # what the platform says about the customer (checked later)
    # The platform gave the conversation to the bot (a Chatwoot conversation back in `pending`
    # after its agents resolved it): a handed-off session is the bot's again.
    bot_owns: bool = False


@dataclass(frozen=True)
class Choice:
    article_id: str
    title: str


@dataclass(frozen=True)
class Handoff:
    """What the agents' side of a channel (Chatwoot) needs when the bot hands over."""

    escalation_id: str
    reason: str
    language: str
    candidates: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Message:
    """What the bot says, before a channel renders it. `text` is Markdown."""

    lang: str
    text: str
    title: str = ""  # the answer's article title
    link: str = ""  # the full article
    link_label: str = ""  # "Read the full article", in `lang`
    prompt: str = ""  # the line above the choices ("Did you mean one of these?")
    choices: tuple[Choice, ...] = ()
    handoff: Handoff | None = None
    person: str = ""  # the "Talk to a person" button's label, while the bot has the conversation


# The `choice` of the "Talk to a person" button: the widget's handoff (POST /v1/handoff).
PERSON = "person"


class Adapter(Protocol):
    """One channel: checks and reads its webhooks, renders and sends the bot's messages."""

    channel: Channel

    def enabled(self) -> bool:
        """Its settings are complete (a disabled channel's endpoint answers 404)."""

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> bool:
        """The request is the platform's (signature, secret token; `headers` by lower-case name),
        checked before the body is read."""

    def parse(self, body: bytes) -> list[Inbound]:
        """The customer messages of a verified webhook body (others, like read receipts, dropped);
        RequestError for a body that is not the platform's shape."""

    def parts(self, message: Message, context: Mapping[str, Any]) -> list[Part]: ...

    def send(self, part: Part, address: Mapping[str, Any], row: ChannelDelivery, now: float) -> Outcome:
        """Send one part to the customer at `address`; what came of it."""


def session_for(key: str, channel: Channel, identity: str) -> str:
    """The session id of a channel identity: a keyed hash, so neither logs, the API nor the
    agents' inbox show the customer's LINE id, chat id, phone number or address."""
    digest = hmac.new(key.encode("utf-8"), f"{channel.value}\0{identity}".encode(), hashlib.sha256)
    return f"{channel.value}-{digest.hexdigest()[:32]}"


def compare(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a secret or signature; a missing one never matches."""
    return bool(given) and hmac.compare_digest(expected.encode("utf-8"), str(given).encode("utf-8"))
