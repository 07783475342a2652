"""The faqbot WSGI app: `create_app(settings)` wires the blueprints of server/ to the domain.

Routes live in server/customer.py, server/agent.py and server/pages.py; every request is checked
against the OpenAPI document (server/openapi.py) by server/input.py before a route sees it.
"""

from __future__ import annotations

from flask import Flask

from bot import Bot, ready_bot
from bot.agents import Agents
from bot.desk import Desk
from bot.sessions import session_tokens
from bot.store import Store, open_store
from kb.settings import Settings
from server import agent, channels, console, customer, errors, limits, observe, pages
from server.context import EXTENSION, Services
from server.input import RequestChecker
from server.openapi import MAX_BODY_BYTES, observe_paths, openapi_document


def create_app(settings: Settings, bot: Bot | None = None, store: Store | None = None) -> Flask:
    """The WSGI app; builds the bot and opens the store from `settings` unless given (a reload
    shares the encoder and store, tests share a bot). A given bot must run on these settings."""
    observe.configure_logging(settings.log_level, settings.log_format)
    if bot is None:
        bot = ready_bot(settings)
    elif bot.settings is not settings:
        raise ValueError("create_app: the bot was built with other settings")
    store = store or open_store(settings.store_url)
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES  # bigger bodies are refused unread (413)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    errors.install(app, settings)
    for blueprint in (customer.bp, agent.bp, pages.bp):
        app.register_blueprint(blueprint)
    console.install(app)  # /console: the agents' inbox, conversation and admin pages
    limits.install(app, settings, store)
    observe.install(app, settings, bot, store)  # adds /metrics and /readyz
    document = openapi_document(settings, extra_paths={**observe_paths(), **console.console_paths(app)})
    checker = RequestChecker(document, store)
    app.before_request(checker.check_parameters)
    app.extensions[EXTENSION] = Services(settings, bot, store, Desk(bot, store, settings),
                                         Agents(store), session_tokens(settings, store), checker, document)
    channels.install(app)  # the messaging platforms' webhooks (server/channels.py)
    return app
