"""Per-client rate limits for the public endpoints (the widget's), with help-desk keys exempt.

A client is its API key when it sends a valid one (help desks, agents: not limited), else its IP
address (the first X-Forwarded-For hop only when `trust_proxy` says a reverse proxy sets it).
Each client has a token bucket: `rate_limit_per_minute` requests a minute, bursts up to
`rate_limit_burst`. Buckets live in this worker's memory, bounded in number.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, jsonify, request

from bot.keys import authenticate
from bot.store import Store
from kb.settings import Settings

_MAX_CLIENTS = 100_000


class TokenBuckets:
    """Token buckets per client key; the least recently seen clients are forgotten first."""

    def __init__(self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1 or burst < 1:
            raise ValueError(f"rate limit needs per_minute >= 1 and burst >= 1, got {per_minute}, {burst}")
        self.rate, self.burst, self.clock = per_minute / 60.0, float(burst), clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 if the request may go ahead, else the seconds until it may."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
            if len(self._buckets) > _MAX_CLIENTS:
                self._buckets.popitem(last=False)
        return wait


def install(app: Flask, settings: Settings, store: Store) -> None:
    """Limit the public /v1/ endpoints per client; requests with a valid API key are exempt."""
    if settings.rate_limit_per_minute == 0:
        return
    buckets = TokenBuckets(settings.rate_limit_per_minute, settings.rate_limit_burst)

    @app.before_request
    def _limit() -> tuple[Response, int] | None:
        if not request.path.startswith("/v1/") or request.path.startswith("/v1/agent/") \
                or request.method == "OPTIONS":
            return None
        header = request.headers.get("Authorization")
        if header:
            authenticate(store, header, "helpdesk")  # a bad key is an error, not an anonymous client
            return None
        client = request.remote_addr or "unknown"
        if settings.trust_proxy and request.headers.get("X-Forwarded-For"):
            client = request.headers["X-Forwarded-For"].split(",")[0].strip()
        wait = buckets.take(client)
        if wait == 0:
            return None
        response = jsonify(error={"code": "rate_limited", "message":
                                  f"too many requests; retry in {wait:.1f} s or use an API key"})
        response.headers["Retry-After"] = str(max(1, round(wait)))
        return response, 429
