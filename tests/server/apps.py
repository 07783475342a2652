"""Building the real app for API tests."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from bot import Bot
from bot.store import Store
from kb import Settings


def make_app(bot: Bot, store: Store, **settings: object) -> Flask:
    """The real app with these settings (and the store's URL), on the shared bot's index."""
    configured = Settings(store_url=store.url, **settings)  # type: ignore[arg-type]
    return create_app(configured, bot=Bot(bot.index, bot.encoder, configured), store=store)


def app_client(bot: Bot, store: Store, **settings: object) -> FlaskClient:
    """A test client of the real app with these settings (and the store's URL)."""
    return make_app(bot, store, **settings).test_client()


def started(client: FlaskClient) -> tuple[str, dict[str, str]]:
    """A new session as the widget starts one: its id, and headers carrying its token."""
    r = client.post("/v1/sessions")
    assert r.status_code == 201, r.get_data(as_text=True)
    d = r.get_json()
    return d["session_id"], {"X-Session-Token": d["session_token"]}
