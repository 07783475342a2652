"""Business hours of a support queue: when a person can reply, in the queue's own time zone."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kb.errors import SettingsError, shown

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+"
                   r"(?P<open>\d{1,2}:\d{2})-(?P<close>\d{1,2}:\d{2})$")
_HORIZON_DAYS = 400  # a schedule with no opening in a year and a bit is treated as never open


def _minutes(text: str, spec: str) -> int:
    h, m = (int(x) for x in text.split(":"))
    if not (0 <= h <= 24 and 0 <= m < 60) or h * 60 + m > 24 * 60:
        raise SettingsError(f"bad time {shown(text)} in business hours {shown(spec)}")
    return h * 60 + m


def _days(text: str, spec: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        ends = part.split("-")
        if any(e not in DAYS for e in ends):
            raise SettingsError(f"bad day {shown(part)} in business hours {shown(spec)} "
                                f"(use {', '.join(DAYS)})")
        a, b = DAYS.index(ends[0]), DAYS.index(ends[-1])
        out.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return out


@dataclass(frozen=True)
class BusinessHours:
    """Weekly opening windows (minutes after local midnight, per weekday) minus holidays."""

    timezone: str
    windows: tuple[tuple[tuple[int, int], ...], ...]  # 7 weekdays, Monday first
    holidays: frozenset[dt.date] = frozenset()

    @classmethod
    def parse(cls, spec: str, timezone: str = "UTC", holidays: tuple[str, ...] = ()) -> BusinessHours:
        """`"always"`, or windows like `"mon-fri 09:00-18:00; sat 10:00-14:00"`; SettingsError if bad."""
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(f"unknown time zone {shown(timezone)} (use an IANA name like "
                             f"'Asia/Bangkok')") from None
        try:
            days_off = frozenset(dt.date.fromisoformat(h) for h in holidays)
        except (TypeError, ValueError):
            raise SettingsError(f"holidays must be ISO dates like '2026-12-25', "
                             f"got {shown(list(holidays))}") from None
        text = " ".join(spec.lower().split())
        if text in ("always", "24/7"):
            return cls(timezone, tuple(((0, 24 * 60),) for _ in DAYS), days_off)
        windows: list[list[tuple[int, int]]] = [[] for _ in DAYS]
        for part in filter(None, (p.strip() for p in text.split(";"))):
            m = _PART.match(part)
            if not m:
                raise SettingsError(f"bad business hours {shown(part)} in {shown(spec)} "
                                 f"(expected e.g. 'mon-fri 09:00-18:00')")
            start, end = _minutes(m["open"], spec), _minutes(m["close"], spec)
            if end <= start:
                raise SettingsError(f"closing time must be after opening time in {shown(part)}")
            for d in _days(m["days"], spec):
                windows[d].append((start, end))
        if not any(windows):
            raise SettingsError(f"business hours {shown(spec)} open on no day")
        return cls(timezone, tuple(tuple(sorted(w)) for w in windows), days_off)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open(self, at: float) -> bool:
        local = dt.datetime.fromtimestamp(at, self.zone)
        if local.date() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(a <= minute < b for a, b in self.windows[local.weekday()])

    def next_open(self, at: float) -> float | None:
        """The first moment at or after `at` when the queue is open; None if it never opens."""
        if self.is_open(at):
            return at
        local = dt.datetime.fromtimestamp(at, self.zone)
        for offset in range(_HORIZON_DAYS):
            day = local.date() + dt.timedelta(days=offset)
            if day in self.holidays:
                continue
            for a, _ in self.windows[day.weekday()]:
                start = dt.datetime.combine(day, dt.time(), self.zone) + dt.timedelta(minutes=a)
                # Re-localise: a DST change makes "midnight + minutes" land an hour off.
                start = start.astimezone(dt.UTC).astimezone(self.zone)
                if start.timestamp() >= at:
                    return start.timestamp()
        return None

    def _window_end(self, at: float) -> float:
        """The end of the opening window that contains `at` (which must be open)."""
        local = dt.datetime.fromtimestamp(at, self.zone)
        minute = local.hour * 60 + local.minute
        end = next(b for a, b in self.windows[local.weekday()] if a <= minute < b)
        midnight = dt.datetime.combine(local.date(), dt.time(), self.zone)
        return (midnight + dt.timedelta(minutes=end)).astimezone(dt.UTC).timestamp()

    def reply_by(self, at: float, response_minutes: int) -> float | None:
        """When a person will have replied to a request made at `at`: `response_minutes` of
        opening time later, so a request just before closing is answered after the next opening."""
        remaining, t = response_minutes * 60.0, at
        for _ in range(_HORIZON_DAYS * 4):
            start = self.next_open(t)
            if start is None:
                return None
            end = self._window_end(start)
            if start + remaining <= end:
                return start + remaining
            remaining -= end - start
            t = end
        return None
