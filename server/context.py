"""What every route works with: the app's services, its request body, the key acting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g

from bot import Bot
from bot.agents import Agents
from bot.desk import Desk
from bot.sessions import SessionTokens
from bot.store import Store
from kb.settings import Settings
from server.input import RequestChecker
from server.openapi import Schema

EXTENSION = "faqbot"


@dataclass(frozen=True)
class Services:
    """One app's domain objects, built once by `api.create_app` (a reload builds a new app)."""

    settings: Settings
    bot: Bot
    store: Store
    desk: Desk
    agents: Agents
    tokens: SessionTokens
    checker: RequestChecker
    document: Schema  # the OpenAPI document the checker reads, served at /openapi.json


def services() -> Services:
    found: Services = current_app.extensions[EXTENSION]
    return found


def body() -> dict[str, Any]:
    """This request's JSON object, checked against the OpenAPI document."""
    return services().checker.body()


def acting() -> str:
    """The name on the API key of this request, which the request checks authenticated for the
    role its operation's security scheme names (server/input.py)."""
    name: str = g.acting
    return name
