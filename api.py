"""HTTP edge of faqbot: translates JSON requests to Bot calls and errors to JSON responses."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from bot import Bot
from indexer import load_index, make_encoder
from kb.errors import FaqbotError, RequestError
from kb.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, bot: Bot | None = None) -> Flask:
    """The WSGI app; builds the bot from `settings` unless one is given (tests, benchmarks)."""
    logging.basicConfig(level=settings.log_level,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if bot is None:
        encoder = make_encoder(settings.encoder)
        bot = Bot(load_index(settings.index_dir, encoder.name), encoder, settings)
    app = Flask(__name__, static_folder=None)
    # Bodies bigger than this are refused before they are read.
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["faqbot"] = bot

    @app.errorhandler(FaqbotError)
    def _domain_error(e: FaqbotError) -> tuple[Response, int]:
        return jsonify(error={"code": e.code, "message": str(e)}), e.status

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException) -> tuple[Response, int]:
        code = (e.name or "error").lower().replace(" ", "_")
        return jsonify(error={"code": code, "message": e.description}), e.code or 500

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> tuple[Response, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return jsonify(error={"code": "internal_error", "message": "internal error"}), 500

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok", index_version=bot.index.version,
                       articles=len(bot.kb.ids), languages=bot.kb.languages)

    @app.post("/v1/answer")
    def answer() -> Response:
        body = _json_object(("question", "lang", "session_id"))
        session = body.get("session_id")
        if session is not None and (not isinstance(session, str) or not 0 < len(session) <= 128):
            raise RequestError(f"session_id must be a string of 1-128 characters, got {session!r}"[:200])
        started = time.perf_counter()
        result = bot.answer(_required(body, "question"), body.get("lang"))
        out = {
            "decision": result.decision,
            "confidence": result.confidence,
            "language": result.language,
            "answer": asdict(result.answer) if result.answer else None,
            "suggestions": [asdict(s) for s in result.suggestions],
            "reason": result.reason,
            "notice": result.notice,
            "session_id": session,
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        return jsonify(out)

    @app.post("/v1/search")
    def search() -> Response:
        body = _json_object(("query", "lang", "k"))
        hits = bot.search(_required(body, "query"), body.get("lang"), body.get("k", 5))
        return jsonify(hits=[asdict(h) for h in hits])

    @app.get("/")
    def index_page() -> Response:
        return app.response_class(_PAGE, mimetype="text/html")

    return app


def _json_object(allowed: tuple[str, ...]) -> dict[str, Any]:
    if not request.is_json:
        raise RequestError("send a JSON body with Content-Type: application/json")
    body = request.get_json(silent=True)
    if body is None:
        raise RequestError("request body is not valid JSON")
    if not isinstance(body, dict):
        raise RequestError(f"request body must be a JSON object, got {type(body).__name__}")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise RequestError(f"unknown field(s) {unknown}; allowed: {list(allowed)}")
    return body


def _required(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise RequestError(f"missing required field {name!r}")
    return body[name]


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>faqbot demo</title>
<style>
 body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
 form{display:flex;gap:.5rem} input{flex:1;padding:.6rem;font:inherit} button{padding:.6rem 1rem;font:inherit}
 #out{margin-top:1.5rem;white-space:pre-wrap;overflow-wrap:anywhere} .meta{color:#555;font-size:.9rem}
</style></head><body>
<h1>faqbot</h1>
<p>Ask the demo help center (Tidewell) in English, ไทย, eesti, 繁體中文 or 简体中文.</p>
<form id="f"><label for="q" hidden>Question</label>
<input id="q" name="q" placeholder="e.g. where is my order" autocomplete="off" required>
<button>Ask</button></form>
<div id="out" aria-live="polite"></div>
<script>
const out = document.getElementById('out');
function el(tag, text, cls){const e=document.createElement(tag); e.textContent=text; if(cls) e.className=cls; return e;}
document.getElementById('f').addEventListener('submit', async ev => {
  ev.preventDefault(); out.replaceChildren(el('p','…'));
  const r = await fetch('/v1/answer', {method:'POST', headers:{'Content-Type':'application/json'},
    body: JSON.stringify({question: document.getElementById('q').value, lang: navigator.language})});
  const d = await r.json(); out.replaceChildren();
  if (!r.ok) { out.append(el('p', d.error.message)); return; }
  out.append(el('p', `${d.decision} · confidence ${d.confidence.toFixed(2)} · ${d.language}`, 'meta'));
  if (d.notice) out.append(el('p', d.notice));
  if (d.answer) { out.append(el('h2', d.answer.title), el('div', d.answer.body)); }
  for (const s of d.suggestions) out.append(el('p', `• ${s.title} (${s.confidence.toFixed(2)})`));
});
</script></body></html>"""
