"""The bot on messaging channels: Chatwoot (agent bot), LINE, Telegram, WhatsApp Cloud, email.

Each adapter turns its platform's events into the widget's conversation (bot.channels.conversation)
and renders the bot's messages for the platform; sends go through the channel outbox
(bot.channels.outbox) with retries and backoff.
"""

from __future__ import annotations

from bot.channels.base import Adapter, Channel, Inbound, Message
from bot.channels.chatwoot import Chatwoot
from bot.channels.conversation import DUPLICATE, HANDLED, IGNORED, ChannelDesk
from bot.channels.line import Line
from bot.channels.mail import Email
from bot.channels.telegram import Telegram
from bot.channels.whatsapp import WhatsApp
from kb.settings import Settings

__all__ = ["DUPLICATE", "HANDLED", "IGNORED", "Adapter", "Channel", "ChannelDesk", "Inbound", "Message",
           "adapters"]


def adapters(settings: Settings) -> dict[str, Adapter]:
    """Every channel's adapter by name (enabled or not: `Adapter.enabled` says)."""
    found: list[Adapter] = [Line(settings), Telegram(settings), WhatsApp(settings), Chatwoot(settings),
                            Email(settings)]
    return {a.channel.value: a for a in found}
