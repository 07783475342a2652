"""Per-client rate limits for the public endpoints (the widget's), with help-desk keys exempt, and
the client address behind reverse proxies.

A client is its IP address: `request.remote_addr`, which werkzeug's ProxyFix sets from
X-Forwarded-For when `trusted_proxies` says how many proxies in front append to it — the entry
that many from the right, i.e. the rightmost one no trusted proxy wrote. The same middleware runs
under waitress and gunicorn, so both see the same client. Requests with a valid API key are not
limited; a bad key is 401, not an anonymous client.

Counts live in the `limits` library's storage (`rate_limit_storage`): `memory://` for one process
(the default), `redis://host:port` shared by every gunicorn worker and replica, so a limit of L
admits L per client, not L per worker. Two moving windows: `rate_limit_per_minute` a minute, and
bursts of at most `rate_limit_burst` within the time the steady rate takes to earn them.
"""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, Response, jsonify, request
from limits import RateLimitItem, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.keys import authenticate
from bot.store import Store
from kb.errors import SettingsError, shown
from kb.settings import Settings

log = logging.getLogger(__name__)
_NAMESPACE = "faqbot-public"


class RateLimits:
    """Admission of one request per client against both windows."""

    def __init__(self, per_minute: int, burst: int, storage_url: str = "memory://") -> None:
        if per_minute < 1 or burst < 1:
            raise ValueError(f"rate limit needs per_minute >= 1 and burst >= 1, got {per_minute}, {burst}")
        try:
            storage = storage_from_string(storage_url)
        except Exception as e:  # noqa: BLE001 - the library raises several kinds for a bad URL
            raise SettingsError(f"rate_limit_storage {shown(storage_url)}: {e}") from None
        self.limiter = MovingWindowRateLimiter(storage)
        burst_seconds = max(1, math.ceil(60 * burst / per_minute))
        self.items: tuple[RateLimitItem, ...] = (RateLimitItemPerSecond(burst, burst_seconds),
                                                 RateLimitItemPerMinute(per_minute))

    def take(self, client: str) -> float:
        """0 if the request may go ahead (and it is counted), else the seconds until it may."""
        for item in self.items:
            if not self.limiter.hit(item, _NAMESPACE, client):
                reset = self.limiter.get_window_stats(item, _NAMESPACE, client).reset_time
                return max(0.1, reset - time.time())
        return 0.0


def trust_proxies(app: Flask, settings: Settings) -> None:
    """Take the client address (and scheme, for Secure cookies) from the proxies' headers."""
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]


def install(app: Flask, settings: Settings, store: Store) -> None:
    """Limit the public /v1/ endpoints per client; requests with a valid API key are exempt."""
    trust_proxies(app, settings)
    if settings.rate_limit_per_minute == 0:
        return
    limits = RateLimits(settings.rate_limit_per_minute, settings.rate_limit_burst,
                        settings.rate_limit_storage)

    @app.before_request
    def _limit() -> tuple[Response, int] | None:
        # Platforms' webhooks (/v1/channels/) are signed and come from a few addresses for everyone.
        if not request.path.startswith("/v1/") or request.path.startswith(("/v1/agent/", "/v1/channels/")) \
                or request.method == "OPTIONS":
            return None
        header = request.headers.get("Authorization")
        if header:
            authenticate(store, header, "helpdesk")  # a bad key is an error, not an anonymous client
            return None
        try:
            wait = limits.take(request.remote_addr or "unknown")
        except Exception as e:  # noqa: BLE001 - a storage outage must not take the widget down
            log.warning("rate limit storage unavailable, request admitted (%s)", type(e).__name__)
            return None
        if wait == 0:
            return None
        response = jsonify(error={"code": "rate_limited", "message":
                                  f"too many requests; retry in {wait:.1f} s or use an API key"})
        response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return response, 429
