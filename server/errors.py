"""Every failure as JSON `{"error": {"code", "message"}}`, CORS for the widget's host pages, and
security headers on every response."""

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

    csp = "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: https:", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", f"frame-ancestors {' '.join(settings.frame_ancestors)}"])

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        if response.mimetype == "text/html":
            # No inline script may run on faqbot's own pages: a stored XSS has nowhere to go.
            response.headers["Content-Security-Policy"] = csp
        return _cors(response, settings)


def _cors(response: Response, settings: Settings) -> Response:
    """The widget's host pages (`cors_origins`) may call the customer API. Agent routes never get
    CORS: agents work in the console (same origin) or from servers."""
    origin = request.headers.get("Origin")
    public = request.path.startswith("/v1/") and not request.path.startswith(("/v1/agent/", "/v1/analytics"))
    if origin and public and ("*" in settings.cors_origins or origin in settings.cors_origins):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = f"Content-Type, Authorization, {SESSION_TOKEN}"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Max-Age"] = "600"
        response.vary.add("Origin")
    return response
