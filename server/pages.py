"""Routes that are not the JSON API proper: health, the OpenAPI document, the widget script and
the demo store page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, jsonify, request

from server.assets import Assets
from server.context import services

WEB = Path(__file__).resolve().parent.parent / "web"
bp = Blueprint("pages", __name__)
ASSETS = Assets(WEB)  # read-only after the first request of each file: content never varies per app


@bp.get("/healthz")
def healthz() -> Response:
    bot = services().bot
    return jsonify(status="ok", index_version=bot.index.version, articles=len(bot.kb.ids),
                   languages=bot.kb.languages, threshold=bot.thresholds())


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(services().document)


@bp.get("/widget.js")
def widget_js() -> Response:
    response = ASSETS.response("widget.js", request, "application/javascript")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/static/<path:name>")
def static_file(name: str) -> Response:
    return ASSETS.response(name, request)


@bp.get("/")
def index_page() -> Response:
    return ASSETS.response("store.html", request, "text/html")
