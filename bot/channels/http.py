"""One HTTPS request to a messaging platform, and what came of it (the webhook outbox's rules:
2xx delivered; 408, 429, 5xx and network errors retried; other 4xx dead)."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from bot.delivery import DEAD, RETRY, Outcome, classify
from bot.webhooks import WebhookRequest

USER_AGENT = "faqbot-channels/1"
_BODY_CHARS = 2000

Refine = Callable[[int, str, Outcome], Outcome]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def json_request(url: str, body: dict[str, Any], headers: dict[str, str]) -> WebhookRequest:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return WebhookRequest(url, {"Content-Type": "application/json", "Accept": "application/json",
                                "User-Agent": USER_AGENT, **headers}, data)


def post(request: WebhookRequest, now: float, timeout: float = 10.0, refine: Refine | None = None) -> Outcome:
    """POST `request`; `refine` may turn the outcome into another from the platform's error body
    (Telegram's retry_after, WhatsApp's rate-limit codes). The URL, which may hold a bot token,
    never appears in the outcome."""
    req = urllib.request.Request(request.url, data=request.body, headers=request.headers, method="POST")
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            resp.read(_BODY_CHARS)
            return classify(resp.status, {k.lower(): v for k, v in resp.headers.items()}, "", now)
    except urllib.error.HTTPError as e:
        try:
            text = e.read(_BODY_CHARS).decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            text = ""
        headers = {k.lower(): v for k, v in e.headers.items()} if e.headers is not None else {}
        outcome = classify(e.code, headers, " ".join(text.split())[:300], now)
        return refine(e.code, text, outcome) if refine else outcome
    except urllib.error.URLError as e:
        return Outcome(RETRY, f"cannot connect: {e.reason}")
    except TimeoutError:
        return Outcome(RETRY, f"no answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as e:
        return Outcome(RETRY, f"connection failed: {type(e).__name__}")
    except ValueError as e:
        return Outcome(DEAD, f"cannot send the request: {type(e).__name__}")


def error_json(text: str) -> dict[str, Any]:
    """A platform's JSON error body, or {} when it is not JSON."""
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
