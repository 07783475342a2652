"""The messaging platforms' webhooks (bot/channels): LINE, Telegram, WhatsApp Cloud, Chatwoot.

Each request's signature (or secret token) is checked on the raw body before anything is read or
stored: a bad one is 401 and touches nothing. A checked body is answered message by message,
each once (the platform's message id); replies go out from the channel outbox, never inside the
request, so a slow platform does not hold its own webhook open.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from bot.channels import ChannelDesk, adapters
from bot.channels.base import Adapter
from bot.channels.whatsapp import WhatsApp
from kb.errors import AuthError, ForbiddenError, NotFoundError, RequestError

log = logging.getLogger(__name__)
bp = Blueprint("channels", __name__)
EXTENSION = "faqbot.channels"


class Channels:
    """One app's adapters and channel desk."""

    def __init__(self, desk: ChannelDesk, found: dict[str, Adapter]) -> None:
        self.desk, self.adapters = desk, found


def install(app: Flask) -> None:
    """Register the webhooks on `app`, whose services are built (api.create_app)."""
    s = app.extensions["faqbot"]
    app.extensions[EXTENSION] = Channels(ChannelDesk(s.desk), adapters(s.settings))
    app.register_blueprint(bp)


def _channels() -> Channels:
    found: Channels = current_app.extensions[EXTENSION]
    return found


def _adapter(name: str) -> Adapter:
    adapter = _channels().adapters[name]
    if not adapter.enabled():
        raise NotFoundError(f"the {name} channel is not configured (see the README's Channels section)")
    return adapter


def _webhook(name: str) -> Response:
    adapter = _adapter(name)
    raw = request.get_data(cache=True)
    headers = {k.lower(): v for k, v in request.headers.items()}
    if not adapter.verify(headers, raw, time.time()):
        log.warning("channel=%s: webhook refused, bad signature", name)
        raise AuthError(f"the {name} webhook's signature is missing or wrong")
    counts = {"answered": 0, "duplicate": 0, "ignored": 0}
    try:
        found = adapter.parse(raw)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        # Signed, but not the shape the platform documents: say so instead of failing with a 500.
        raise RequestError(f"the {name} webhook body is not a {name} event") from None
    for inbound in found:
        counts[_channels().desk.handle(adapter, inbound)] += 1
    return jsonify(ok=True, answered=counts["answered"], duplicates=counts["duplicate"],
                   ignored=counts["ignored"])


@bp.post("/v1/channels/line/webhook")
def line() -> Response:
    return _webhook("line")


@bp.post("/v1/channels/telegram/webhook")
def telegram() -> Response:
    return _webhook("telegram")


@bp.post("/v1/channels/whatsapp/webhook")
def whatsapp() -> Response:
    return _webhook("whatsapp")


@bp.get("/v1/channels/whatsapp/webhook")
def whatsapp_handshake() -> Response:
    adapter = _adapter("whatsapp")
    if not isinstance(adapter, WhatsApp):
        raise NotFoundError("the WhatsApp channel is not configured")
    challenge = adapter.handshake(request.args.get("hub.mode"), request.args.get("hub.verify_token"),
                                  request.args.get("hub.challenge"))
    if challenge is None:
        raise ForbiddenError("the WhatsApp verify token is wrong (or hub.mode is not subscribe)")
    return Response(challenge, mimetype="text/plain")


@bp.post("/v1/channels/chatwoot/webhook")
def chatwoot() -> Response:
    return _webhook("chatwoot")
