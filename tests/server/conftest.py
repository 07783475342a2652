"""API fixtures: a real SQLite store per test, the app on the shared tiny-KB bot, an agent key."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bot import Bot
from bot.keys import create_key
from bot.store import Store
from tests.server.apps import app_client


@pytest.fixture
def client(bot: Bot, store: Store) -> FlaskClient:
    return app_client(bot, store)


@pytest.fixture
def agent(store: Store) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_key(store, 'agent', 'Ann')[1]}"}


@pytest.fixture
def helpdesk(store: Store) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_key(store, 'helpdesk', 'Zendesk')[1]}"}
