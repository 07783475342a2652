"""HTTP for the importers: timeouts, retries with backoff on 429/5xx that honour `Retry-After`, a
minimum interval between requests, and one-line errors a person can act on.

The clock, the sleep and the jitter are injected, so the waits are tested without waiting.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.util.retry import Retry

from kb.errors import FaqbotError

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_MAX_BODY = 20 * 1024 * 1024  # a help-center page or API page is far smaller


class SourceError(FaqbotError):
    """A help center could not be read: bad credentials, unreachable host, refused request."""

    status = 502
    code = "source_error"


@dataclass
class HttpClient:
    """GET with retries for one source; `vendor` and `account` name it in error messages."""

    vendor: str
    account: str
    timeout: float = 20.0
    retries: int = 4
    max_wait: float = 60.0  # the longest Retry-After we sit out; longer is an error
    min_interval: float = 0.0  # seconds between two requests (a crawler's politeness)
    headers: Mapping[str, str] = field(default_factory=dict)
    auth: tuple[str, str] | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    session: requests.Session = field(default_factory=requests.Session)
    requests_made: int = 0
    _last: float | None = None

    def get(self, url: str, params: Mapping[str, Any] | None = None, *,
            headers: Mapping[str, str] | None = None, ok: frozenset[int] = frozenset()) -> requests.Response:
        """The response to GET `url` (2xx, or a status in `ok`); SourceError otherwise."""
        for attempt in range(self.retries + 1):
            self._pace()
            try:
                resp = self.session.get(url, params=params, headers={**self.headers, **(headers or {})},
                                        auth=self.auth, timeout=self.timeout, allow_redirects=True)
            except requests.exceptions.ConnectionError as e:
                if attempt == self.retries:
                    raise SourceError(f"cannot reach {self.vendor} at {_host(url)}: {_reason(e)}") from None
                self._backoff(attempt, None, url)
                continue
            except requests.exceptions.Timeout:
                if attempt == self.retries:
                    raise SourceError(f"{self.vendor} at {_host(url)} did not answer within "
                                      f"{self.timeout:g} s ({url})") from None
                self._backoff(attempt, None, url)
                continue
            except requests.exceptions.RequestException as e:
                raise SourceError(f"cannot fetch {url}: {_reason(e)}") from None
            if resp.status_code in (401, 403):
                raise SourceError(f"{self.vendor} rejected the token for {self.account}: {resp.status_code}")
            if resp.status_code in RETRY_STATUSES and attempt < self.retries:
                self._backoff(attempt, resp.headers.get("Retry-After"), url)
                continue
            if resp.ok or resp.status_code in ok:
                if len(resp.content) > _MAX_BODY:
                    raise SourceError(f"{url}: response larger than {_MAX_BODY // 2**20} MB")
                return resp
            raise SourceError(f"{self.vendor} answered {resp.status_code} for {url}")
        raise AssertionError("unreachable")  # the loop returns or raises

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        resp = self.get(url, params, headers={"Accept": "application/json"})
        try:
            return resp.json()
        except ValueError:
            raise SourceError(f"{self.vendor} sent something other than JSON for {url}") from None

    def _pace(self) -> None:
        now = self.clock()
        if self._last is not None and self.min_interval > 0:
            wait = self._last + self.min_interval - now
            if wait > 0:
                self.sleep(wait)
                now = self.clock()
        self._last = now
        self.requests_made += 1

    def _backoff(self, attempt: int, retry_after: str | None, url: str) -> None:
        wait: float | None = None
        if retry_after:
            try:
                wait = Retry().parse_retry_after(retry_after)
            except Exception:  # noqa: BLE001 - urllib3 raises its own error for a bad header
                wait = None
        if wait is None:
            wait = min(self.max_wait, 0.5 * 2 ** attempt) * (0.8 + 0.4 * self.rng.random())
        elif wait > self.max_wait:
            raise SourceError(f"{self.vendor} asked to wait {wait:.0f} s (Retry-After) for {url}; "
                              f"try again later")
        log.info("%s: retrying %s in %.1f s", self.vendor, url, wait)
        self.sleep(wait)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _reason(e: Exception) -> str:
    text = str(e)
    for marker in ("Name or service not known", "nodename nor servname", "Connection refused",
                   "No route to host", "timed out", "Temporary failure in name resolution",
                   "certificate verify failed"):
        if marker in text:
            return marker.lower()
    return text.splitlines()[0][:200] if text else type(e).__name__
