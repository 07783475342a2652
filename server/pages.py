"""Routes that are not the JSON API proper: health, the OpenAPI document, the widget script and
the demo store page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, jsonify, send_from_directory

from server.context import services

WEB = Path(__file__).resolve().parent.parent / "web"
bp = Blueprint("pages", __name__)


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
    response = send_from_directory(WEB, "widget.js", mimetype="application/javascript", max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/static/<path:name>")
def static_file(name: str) -> Response:
    return send_from_directory(WEB, name, max_age=300)


@bp.get("/")
def index_page() -> Response:
    return send_from_directory(WEB, "store.html", mimetype="text/html")
