"""Run a job (a help-center sync) every so many seconds on a background thread.

`run_due()` is the whole decision — run now or wait how long — so it is tested with an injected
clock; `start()` only loops over it on a thread until stopped.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, every: float, job: Callable[[], object], *,
                 clock: Callable[[], float] = time.monotonic, name: str = "faqbot-sync") -> None:
        if every <= 0:
            raise ValueError(f"a schedule needs a positive interval, got {every!r}")
        self.every, self.job, self.clock, self.name = every, job, clock, name
        self.next_at = clock() + every  # the first run waits one interval: serving starts first
        self.runs = 0
        self._stop = threading.Event()

    def run_due(self) -> float:
        """Run the job if it is due (a failure is logged, never raised); seconds until the next run."""
        now = self.clock()
        if now < self.next_at:
            return self.next_at - now
        try:
            self.job()
        except Exception:  # noqa: BLE001 - a failed sync must not stop the schedule or the server
            log.exception("%s: scheduled run failed; trying again in %.0f s", self.name, self.every)
        self.runs += 1
        # Runs missed while the job ran long are skipped, not run back to back.
        while self.next_at <= self.clock():
            self.next_at += self.every
        return self.next_at - self.clock()

    def start(self) -> threading.Thread:
        def loop() -> None:
            while not self._stop.wait(self.run_due()):
                pass

        thread = threading.Thread(target=loop, name=self.name, daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
