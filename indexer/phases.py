"""The phases of an index build, each with its time and its peak memory.

`faqbot index` prints each phase as it starts and, at the end, how long each took and the peak
resident memory (RSS) it reached. On Linux the peak is per phase: the kernel's high-water mark
(VmHWM) is reset at the start of each one (`/proc/self/clear_refs`); elsewhere it is the
process's peak so far (getrusage).
"""

from __future__ import annotations

import contextlib
import resource
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass(frozen=True)
class Phase:
    name: str
    seconds: float
    peak_rss_mb: float


def peak_rss_mb() -> float:
    """The peak resident memory of this process (since the last reset, where there is one)."""
    with contextlib.suppress(OSError):
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        _CLEAR_REFS.write_text("5")  # 5: reset the peak RSS to the current RSS (Linux >= 4.0)


@dataclass
class Phases:
    """Times and peak memory of named phases; `announce` hears each name as it starts."""

    announce: Callable[[str], None] | None = None
    clock: Callable[[], float] = time.perf_counter
    done: list[Phase] = field(default_factory=list)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        if self.announce is not None:
            self.announce(name)
        _reset_peak()
        started = self.clock()
        try:
            yield
        finally:
            self.done.append(Phase(name, self.clock() - started, peak_rss_mb()))

    @property
    def peak_rss_mb(self) -> float:
        return max((p.peak_rss_mb for p in self.done), default=peak_rss_mb())

    def table(self) -> str:
        """One line per phase: name, seconds, peak RSS."""
        return "\n".join(f"  {p.name:<22} {p.seconds:8.1f} s  peak {p.peak_rss_mb:7.0f} MB"
                         for p in self.done)
