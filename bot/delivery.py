"""The webhook worker: drains the store's outbox into help desks, at least once, crash-proof.

Each delivery is leased from the store before its POST (so parallel workers never send it at the
same time, and a worker killed mid-POST only delays it until the lease expires), and marked only
after the target answered. A crash between the target's answer and the mark sends it again: the
`Idempotency-Key` header (the escalation id) lets the target apply it once.

Outcomes: 2xx, or 409 (the target already has the key) → delivered; 408/429/5xx, timeouts and
connection errors → retried with exponential backoff (or after Retry-After); other 3xx/4xx, an
unknown webhook or a vanished escalation → dead at once; `delivery_max_attempts` tries → dead.
"""

from __future__ import annotations

import email.utils
import http.client
import logging
import random
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message

from bot.records import Delivery
from bot.store.base import Store
from bot.webhooks import WebhookRequest, request_for
from kb.errors import NotFoundError
from kb.settings import Settings

log = logging.getLogger(__name__)

DELIVERED, RETRY, DEAD = "delivered", "retry", "dead"
_RETRYABLE_4XX = (408, 429)
_MAX_RETRY_AFTER = 3600.0  # a target asking for more than an hour still gets tried hourly
_ERROR_BODY_CHARS = 300  # of the target's error response, kept in last_error for the operator


@dataclass(frozen=True)
class Backoff:
    """Delay before retry n: base · factor^(n-1), capped, then ± jitter (so retries after an
    outage do not arrive in one wave)."""

    base: float = 2.0
    factor: float = 2.0
    cap: float = 600.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.base <= 0 or self.factor < 1 or self.cap < self.base:
            raise ValueError(f"backoff needs base > 0, factor >= 1, cap >= base; got {self!r}")
        if not 0 <= self.jitter < 1:
            raise ValueError(f"backoff jitter must be in [0, 1), got {self.jitter!r}")

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after the `attempt`-th failed try (1-based)."""
        if attempt < 1:
            raise ValueError(f"attempt must be >= 1, got {attempt!r}")
        raw = min(self.cap, self.base * self.factor ** min(attempt - 1, 64))
        return raw * rng.uniform(1 - self.jitter, 1 + self.jitter)


@dataclass(frozen=True)
class Outcome:
    """What one try came to. `detail` names the status or error and is logged; `response`, the
    start of the target's error body, may echo customer data, so it is only stored."""

    kind: str  # DELIVERED | RETRY | DEAD
    detail: str
    retry_after: float | None = None  # seconds, from the target's Retry-After
    response: str = ""

    @property
    def error(self) -> str:
        """What the outbox row keeps as `last_error`, for the operator."""
        return f"{self.detail}: {self.response}" if self.response else self.detail


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from `now`: delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError):
            return None
    return min(max(seconds, 0.0), _MAX_RETRY_AFTER)


def classify(status: int, headers: Mapping[str, str], body: str, now: float) -> Outcome:
    """The outcome of an HTTP answer; `headers` with lower-case names."""
    if 200 <= status < 300:
        return Outcome(DELIVERED, f"HTTP {status}")
    if status == 409:
        return Outcome(DELIVERED, "HTTP 409: the target already had this idempotency key")
    detail = f"HTTP {status}"
    if status in _RETRYABLE_4XX or status >= 500:
        return Outcome(RETRY, detail, retry_after_seconds(headers.get("retry-after"), now), body)
    if 300 <= status < 400:
        return Outcome(DEAD, f"HTTP {status} redirect to {headers.get('location', '?')}: "
                              "point the webhook url at the final address")
    if 400 <= status < 500:
        return Outcome(DEAD, detail, response=body)
    return Outcome(RETRY, detail, response=body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a body-less GET; a moved webhook is a config error.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _lower(headers: Message | None) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers is not None else {}


def _snippet(raw: bytes) -> str:
    return " ".join(raw.decode("utf-8", "replace").split())[:_ERROR_BODY_CHARS]


class DeliveryWorker:
    """Delivers due outbox rows of `store` to `settings.webhooks`. One instance per thread; run as
    many workers (threads or processes) on one store as you like."""

    def __init__(self, store: Store, settings: Settings, *, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], object] | None = None, rng: random.Random | None = None,
                 backoff: Backoff = Backoff(), lease_margin: float = 30.0, batch: int = 50) -> None:
        if lease_margin < 0:
            raise ValueError(f"lease_margin must be >= 0, got {lease_margin!r}")
        if batch < 1:
            raise ValueError(f"batch must be >= 1, got {batch!r}")
        self.store, self.settings = store, settings
        self.webhooks = {w.name: w for w in settings.webhooks}
        self.max_attempts = settings.delivery_max_attempts
        self.backoff, self.batch = backoff, batch
        # A POST can take its webhook's timeout, so the lease must outlive it or a second worker
        # would send the same delivery while the first still waits.
        self.lease_seconds = max((w.timeout_seconds for w in settings.webhooks), default=10.0) + lease_margin
        self._clock, self._sleep = clock, sleep
        self._rng = rng if rng is not None else random.Random()
        self._opener = urllib.request.build_opener(_NoRedirect)

    def run_once(self, now: float | None = None) -> int:
        """Try up to `batch` due deliveries, one lease at a time (a worker that dies holds at most
        one); the number tried. `now` fixes the time (tests); by default the clock is read."""
        done = 0
        while done < self.batch:
            leased = self.store.lease_deliveries(self._now(now), self.lease_seconds, 1)
            if not leased:
                break
            self.deliver(leased[0], now)
            done += 1
        return done

    def deliver(self, d: Delivery, now: float | None = None) -> str:
        """Try one leased delivery and record the outcome; DELIVERED, RETRY or DEAD."""
        webhook = self.webhooks.get(d.target)
        escalation = self.store.escalation(d.escalation_id) if webhook else None
        if webhook is None:
            outcome = Outcome(DEAD, f"webhook {d.target!r} is not configured (removed from settings?); "
                                    f"configured: {sorted(self.webhooks)}")
        elif escalation is None:
            outcome = Outcome(DEAD, f"escalation {d.escalation_id} no longer exists")
        else:
            try:
                request = request_for(webhook, escalation)
            except Exception as e:  # a bug in a payload builder: retry, so a fixed release resumes
                # Frames only: the exception's message could quote the transcript.
                log.error("delivery %d: could not build the %s payload: %s\n%s", d.delivery_id,
                          webhook.format, type(e).__name__, "".join(traceback.format_tb(e.__traceback__)))
                outcome = Outcome(RETRY, f"could not build the payload: {type(e).__name__}")
            else:
                outcome = self._post(request, webhook.timeout_seconds, now)
        return self._record(d, outcome, now)

    def _now(self, now: float | None) -> float:
        return self._clock() if now is None else now

    def _post(self, request: WebhookRequest, timeout: float, now: float | None) -> Outcome:
        req = urllib.request.Request(request.url, data=request.body, headers=request.headers,
                                     method="POST")
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                resp.read(4096)  # let keep-alive servers finish; the content is not needed
                return classify(resp.status, _lower(resp.headers), "", self._now(now))
        except urllib.error.HTTPError as e:
            try:
                body = _snippet(e.read(4096)) if e.code < 500 else ""
            except (OSError, http.client.HTTPException):
                body = ""
            return classify(e.code, _lower(e.headers), body, self._now(now))
        except urllib.error.URLError as e:
            return Outcome(RETRY, f"cannot connect: {e.reason}")
        except TimeoutError:
            return Outcome(RETRY, f"no answer within {timeout:g} s")
        except (OSError, http.client.HTTPException) as e:
            return Outcome(RETRY, f"connection failed: {type(e).__name__}: {e}")
        except ValueError as e:  # a URL or header urllib cannot send: only the config can fix it
            return Outcome(DEAD, f"cannot send the request: {type(e).__name__}: {e}")

    def _record(self, d: Delivery, outcome: Outcome, now: float | None) -> str:
        where = (f"delivery {d.delivery_id} (escalation {d.escalation_id} → {d.target}), "
                 f"attempt {d.attempts + 1}")
        try:
            return self._mark(d, outcome, now, where)
        except NotFoundError:  # the customer's session was erased while this try was under way
            log.info("%s: the delivery was erased meanwhile (%s)", where, outcome.detail)
            return outcome.kind

    def _mark(self, d: Delivery, outcome: Outcome, now: float | None, where: str) -> str:
        attempt = d.attempts + 1
        if outcome.kind == DELIVERED:
            self.store.mark_delivered(d.delivery_id, self._now(now))
            log.info("%s: delivered (%s)", where, outcome.detail)
            return DELIVERED
        if outcome.kind == RETRY and attempt < self.max_attempts:
            delay = (outcome.retry_after if outcome.retry_after is not None
                     else self.backoff.delay(attempt, self._rng))
            self.store.mark_failed(d.delivery_id, outcome.error, self._now(now) + delay)
            log.warning("%s failed (%s); retry in %.1f s", where, outcome.detail, delay)
            return RETRY
        gave_up = f" (gave up after {attempt} attempts)" if outcome.kind == RETRY else ""
        self.store.mark_failed(d.delivery_id, outcome.error + gave_up, None)
        log.error("%s: dead letter (%s%s)", where, outcome.detail, gave_up)
        return DEAD

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Deliver until `stop` is set, waiting `poll_seconds` whenever nothing is due. Errors
        (a store that is down, a bug) are logged and the loop goes on."""
        if poll_seconds <= 0:
            raise ValueError(f"poll_seconds must be positive, got {poll_seconds!r}")
        log.info("delivery worker started: %d webhook(s), lease %.0f s", len(self.webhooks),
                 self.lease_seconds)
        while not stop.is_set():
            try:
                busy = self.run_once() == self.batch
            except Exception:
                log.exception("delivery pass failed; trying again in %g s", poll_seconds)
                busy = False
            if not busy:
                if self._sleep is not None:
                    self._sleep(poll_seconds)
                else:
                    stop.wait(poll_seconds)
        log.info("delivery worker stopped")


def start_background(store: Store, settings: Settings, *, poll_seconds: float = 1.0,
                     lease_margin: float = 30.0) -> tuple[threading.Thread, threading.Event]:
    """A daemon thread running a DeliveryWorker (for `faqbot serve`); set the event to stop it,
    then join the thread."""
    worker = DeliveryWorker(store, settings, lease_margin=lease_margin)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop, poll_seconds),
                              name="faqbot-delivery", daemon=True)
    thread.start()
    return thread, stop
