"""The channel sender: drains the channel outbox to the platforms, with the webhook outbox's
rules (bot/delivery.py): a lease per send, exponential backoff with jitter (or the platform's
Retry-After), dead letters after `delivery_max_attempts`. Each pass first queues the agent replies
written since the last one (from any route: the agent API, the console), so they go out on the
customer's channel."""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping

from bot.channels.base import Adapter
from bot.delivery import DEAD, DELIVERED, RETRY, Backoff, Outcome
from bot.records import ChannelDelivery
from bot.store import Store
from kb.errors import NotFoundError
from kb.settings import Settings

log = logging.getLogger(__name__)
LEASE_SECONDS = 60.0  # longer than any one send (HTTP timeout 10 s, SMTP 20 s)


class ChannelSender:
    def __init__(self, store: Store, settings: Settings, adapters: Mapping[str, Adapter], *,
                 clock: Callable[[], float] = time.time, rng: random.Random | None = None,
                 backoff: Backoff | None = None, batch: int = 50) -> None:
        self.store, self.adapters = store, dict(adapters)
        self.max_attempts = settings.delivery_max_attempts
        self.backoff, self.batch, self._clock = backoff or Backoff(), batch, clock
        self._rng = rng if rng is not None else random.Random()

    def run_once(self, now: float | None = None) -> int:
        """Queue new agent replies, then try up to `batch` due sends; the number tried."""
        self.store.relay_agent_turns(self._now(now))
        done = 0
        while done < self.batch:
            leased = self.store.lease_channel_sends(self._now(now), LEASE_SECONDS, 1)
            if not leased:
                break
            self.send(leased[0], now)
            done += 1
        return done

    def _now(self, now: float | None) -> float:
        return self._clock() if now is None else now

    def send(self, row: ChannelDelivery, now: float | None = None) -> str:
        adapter = self.adapters.get(row.channel)
        found = self.store.channel_session(row.session_id)
        if adapter is None or not adapter.enabled():
            outcome = Outcome(DEAD, f"channel {row.channel!r} is not configured")
        elif found is None:
            outcome = Outcome(DEAD, "the channel session no longer exists")
        else:
            try:
                outcome = adapter.send(json.loads(row.part), found[1], row, self._now(now))
            except (KeyError, TypeError, ValueError) as e:  # a part or address this version cannot read
                outcome = Outcome(DEAD, f"cannot build the request: {type(e).__name__}")
        return self._record(row, outcome, now)

    def _record(self, row: ChannelDelivery, outcome: Outcome, now: float | None) -> str:
        where = (f"channel send {row.outbox_id} ({row.channel}, session {row.session_id}), "
                 f"attempt {row.attempts + 1}")
        try:
            if outcome.kind == DELIVERED:
                self.store.mark_channel_sent(row.outbox_id, self._now(now))
                log.info("%s: sent (%s)", where, outcome.detail)
                return DELIVERED
            attempt = row.attempts + 1
            if outcome.kind == RETRY and attempt < self.max_attempts:
                delay = outcome.retry_after if outcome.retry_after is not None \
                    else self.backoff.delay(attempt, self._rng)
                self.store.mark_channel_failed(row.outbox_id, outcome.error, self._now(now) + delay)
                log.warning("%s failed (%s); retry in %.1f s", where, outcome.detail, delay)
                return RETRY
            gave_up = f" (gave up after {attempt} attempts)" if outcome.kind == RETRY else ""
            self.store.mark_channel_failed(row.outbox_id, outcome.error + gave_up, None)
            log.error("%s: dead letter (%s%s)", where, outcome.detail, gave_up)
            return DEAD
        except NotFoundError:  # the session was erased meanwhile
            return outcome.kind

    def run_forever(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        while not stop.is_set():
            try:
                busy = self.run_once() == self.batch
            except Exception:
                log.exception("channel send pass failed; trying again in %g s", poll_seconds)
                busy = False
            if not busy:
                stop.wait(poll_seconds)


def start_background(store: Store, settings: Settings, adapters: Mapping[str, Adapter],
                     poll_seconds: float = 1.0) -> tuple[threading.Thread, threading.Event]:
    sender = ChannelSender(store, settings, adapters)
    stop = threading.Event()
    thread = threading.Thread(target=sender.run_forever, args=(stop, poll_seconds),
                              name="faqbot-channels", daemon=True)
    thread.start()
    return thread, stop
