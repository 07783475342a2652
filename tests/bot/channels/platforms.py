"""Local stand-ins for the messaging platforms, speaking their documented APIs: request shapes and
limits, authentication, error bodies and status codes. Each records what it accepted; `fail_next`
makes the next requests fail the way the platform does when it is down or throttling.

- LINE Messaging API: POST /v2/bot/message/reply (a reply token is single-use: 400 "Invalid reply
  token" after), POST /v2/bot/message/push (X-Line-Retry-Key: a key seen before is 409).
- Telegram Bot API: POST /bot<token>/sendMessage and /answerCallbackQuery ({"ok": ...} bodies,
  429 with parameters.retry_after).
- WhatsApp Cloud API: POST /<phone-number-id>/messages (Graph API error objects).
- Chatwoot: POST /api/v1/accounts/<a>/conversations/<c>/messages and .../toggle_status
  (api_access_token header).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LINE_TOKEN, TELEGRAM_TOKEN, WHATSAPP_TOKEN, CHATWOOT_TOKEN = (
    "line-token",
    "123:tg-token",
    "wa-token",
    "cw-token",
)
PHONE_NUMBER_ID = "106540352242922"
_TAG = re.compile(r"</?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|blockquote|tg-spoiler)(\s[^>]*)?>")


@dataclass
class Sent:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Platforms:
    sent: list[Sent] = field(default_factory=list)
    reply_tokens: set[str] = field(default_factory=set)  # LINE tokens the "webhook" handed out
    retry_keys: set[str] = field(default_factory=set)
    failures: list[tuple[int, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(
        self, n: int, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        with self.lock:
            self.failures.extend([(status, body, headers or {})] * n)

    def to(self, prefix: str) -> list[Sent]:
        return [s for s in self.sent if s.path.startswith(prefix)]


def _problem_line(path: str, headers: dict[str, str], body: dict[str, Any], p: Platforms) -> tuple[int, Any]:
    if headers.get("authorization") != f"Bearer {LINE_TOKEN}":
        return 401, {
            "message": "Authentication failed. Confirm that the access token in the authorization "
            "header is valid."
        }
    messages = body.get("messages")
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        return 400, {"message": "The request body has 1 error(s)", "details": [{"property": "messages"}]}
    for m in messages:
        if m.get("type") != "text" or not 1 <= len(m.get("text", "")) <= 5000:
            return 400, {
                "message": "The request body has 1 error(s)",
                "details": [{"message": "Length must be between 1 and 5000", "property": "messages[0].text"}],
            }
        items = (m.get("quickReply") or {}).get("items", [])
        if len(items) > 13 or any(
            len(i["action"]["label"]) > 20 or len(i["action"].get("data", "")) > 300 for i in items
        ):
            return 400, {
                "message": "The request body has 1 error(s)",
                "details": [{"property": "quickReply"}],
            }
    if path == "/v2/bot/message/reply":
        token = body.get("replyToken")
        if token not in p.reply_tokens:
            return 400, {"message": "Invalid reply token"}
        p.reply_tokens.discard(token)
        return 200, {"sentMessages": [{"id": "4610", "quoteToken": "q"}]}
    if path == "/v2/bot/message/push":
        if not body.get("to"):
            return 400, {"message": "The request body has 1 error(s)", "details": [{"property": "to"}]}
        key = headers.get("x-line-retry-key", "")
        if key and key in p.retry_keys:
            return 409, {"message": "The retry key is already accepted", "sentMessages": [{"id": "4611"}]}
        if key:
            p.retry_keys.add(key)
        return 200, {"sentMessages": [{"id": "4611", "quoteToken": "q"}]}
    return 404, {"message": "Not found"}


def _problem_telegram(path: str, body: dict[str, Any]) -> tuple[int, Any]:
    method = path.rsplit("/", 1)[-1]
    if not path.startswith(f"/bot{TELEGRAM_TOKEN}/"):
        return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
    if method == "answerCallbackQuery":
        ok = bool(body.get("callback_query_id"))
        return (
            (200, {"ok": True, "result": True})
            if ok
            else (400, {"ok": False, "error_code": 400, "description": "Bad Request: query is too old"})
        )
    if method != "sendMessage":
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
    text = body.get("text", "")
    visible = _TAG.sub("", text) if body.get("parse_mode") == "HTML" else text
    if "chat_id" not in body or not 1 <= len(visible) <= 4096:
        return 400, {
            "ok": False,
            "error_code": 400,
            "description": "Bad Request: message text is empty"
            if not visible
            else "Bad Request: message is too long",
        }
    if body.get("parse_mode") == "HTML" and re.search(r"<(?!/?(b|i|s|u|a|code|pre)\b)", text):
        return 400, {"ok": False, "error_code": 400, "description": "Bad Request: can't parse entities"}
    for row in (body.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if len(button.get("callback_data", "").encode()) > 64:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: BUTTON_DATA_INVALID",
                }
    return 200, {"ok": True, "result": {"message_id": 7, "chat": {"id": body["chat_id"]}, "text": visible}}


def _problem_whatsapp(path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    def error(code: int, message: str, status: int = 400) -> tuple[int, Any]:
        return status, {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
            }
        }

    if headers.get("authorization") != f"Bearer {WHATSAPP_TOKEN}":
        return error(190, "Invalid OAuth access token - Cannot parse access token", 401)
    if (
        path != f"/{PHONE_NUMBER_ID}/messages"
        or body.get("messaging_product") != "whatsapp"
        or not body.get("to")
    ):
        return error(100, "Invalid parameter")
    kind = body.get("type")
    if kind == "text" and not 1 <= len(body["text"]["body"]) <= 4096:
        return error(100, "Param text['body'] must be at most 4096 characters long.")
    if kind == "interactive":
        i = body["interactive"]
        if len(i["body"]["text"]) > 1024:
            return error(131009, "Parameter value is not valid")
        if i["type"] == "button":
            buttons = i["action"]["buttons"]
            if not 1 <= len(buttons) <= 3 or any(len(b["reply"]["title"]) > 20 for b in buttons):
                return error(131009, "Parameter value is not valid")
        elif i["type"] == "list":
            rows = [r for s in i["action"]["sections"] for r in s["rows"]]
            if (
                len(i["action"]["button"]) > 20
                or not 1 <= len(rows) <= 10
                or any(len(r["title"]) > 24 or len(r.get("description", "")) > 72 for r in rows)
            ):
                return error(131009, "Parameter value is not valid")
        else:
            return error(100, "Invalid parameter")
    elif kind != "text":
        return error(100, "Invalid parameter")
    return 200, {
        "messaging_product": "whatsapp",
        "contacts": [{"input": body["to"], "wa_id": body["to"]}],
        "messages": [{"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA"}],
    }


def _problem_chatwoot(path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    if headers.get("api_access_token") != CHATWOOT_TOKEN:
        return 401, {"error": "You need to sign in or sign up before continuing."}
    m = re.fullmatch(r"/api/v1/accounts/(\d+)/conversations/(\d+)/(messages|toggle_status)", path)
    if m is None:
        return 404, {"error": "Resource could not be found"}
    if m.group(3) == "toggle_status":
        if body.get("status") not in ("open", "resolved", "pending", "snoozed"):
            return 422, {"message": "Invalid status"}
        return 200, {
            "meta": {},
            "payload": {
                "success": True,
                "current_status": body["status"],
                "conversation_id": int(m.group(2)),
            },
        }
    if not body.get("content") or body.get("message_type") not in (None, "outgoing", "incoming"):
        return 422, {"message": "Content can't be blank"}
    return 200, {
        "id": 1000 + len(body["content"]),
        "content": body["content"],
        "message_type": 1,
        "private": bool(body.get("private")),
        "conversation_id": int(m.group(2)),
    }


@contextmanager
def serve() -> Iterator[Platforms]:
    platforms = Platforms()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            if headers.get("content-type") != "application/json":
                return self._answer(415, {"error": "Content-Type must be application/json"})
            try:
                body = json.loads(raw)
            except ValueError:
                return self._answer(400, {"error": "invalid JSON"})
            with platforms.lock:
                if platforms.failures:
                    status, failure, extra = platforms.failures.pop(0)
                    return self._answer(status, failure, extra)
            path = self.path
            if path.startswith("/v2/bot/"):
                status, answer = _problem_line(path, headers, body, platforms)
            elif path.startswith("/bot"):
                status, answer = _problem_telegram(path, body)
            elif path.startswith("/api/v1/"):
                status, answer = _problem_chatwoot(path, headers, body)
            else:
                status, answer = _problem_whatsapp(path, headers, body)
            if status == 200:
                with platforms.lock:
                    platforms.sent.append(Sent(path, headers, body))
            self._answer(status, answer)

        def _answer(self, status: int, body: Any, extra: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    platforms.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platforms
    finally:
        server.shutdown()
        server.server_close()
