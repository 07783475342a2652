"""Every failure as JSON `{"error": {"code", "message"}}`, and CORS for the widget's origins."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kb.errors import FaqbotError
from kb.settings import Settings
from server.input import printable
from server.openapi import SESSION_TOKEN

log = logging.getLogger(__name__)


def install(app: Flask, settings: Settings) -> None:
    """JSON error handlers and CORS headers on `app`."""

    @app.errorhandler(FaqbotError)
    def _domain_error(e: FaqbotError) -> tuple[Response, int]:
        return jsonify(error={"code": e.code, "message": printable(str(e))}), e.status

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException) -> tuple[Response, int]:
        code = (e.name or "error").lower().replace(" ", "_")
        return jsonify(error={"code": code, "message": printable(e.description or "")}), e.code or 500

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> tuple[Response, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error={"code": "internal_error", "message": "internal error"}), 500

    @app.after_request
    def _cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if origin and request.path.startswith("/v1/") and (
                "*" in settings.cors_origins or origin in settings.cors_origins):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = f"Content-Type, Authorization, {SESSION_TOKEN}"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Max-Age"] = "600"
            response.vary.add("Origin")
        return response
