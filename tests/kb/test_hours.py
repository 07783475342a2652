"""Business hours: parsing, opening, holidays, time zones (incl. DST) and promised reply times."""

from __future__ import annotations

import datetime as dt

import pytest

from kb.errors import SettingsError
from kb.hours import BusinessHours

BKK = dt.timezone(dt.timedelta(hours=7))


def at(y: int, mo: int, d: int, h: int, mi: int = 0, tz: dt.tzinfo = BKK) -> float:
    return dt.datetime(y, mo, d, h, mi, tzinfo=tz).timestamp()


@pytest.mark.parametrize(("spec", "tz", "holidays", "match"), [
    ("mon-fri 9-18", "UTC", (), "bad business hours"),
    ("mon-fry 09:00-18:00", "UTC", (), "bad day 'mon-fry'"),
    ("mon 18:00-09:00", "UTC", (), "closing time must be after opening"),
    ("mon 09:00-25:00", "UTC", (), "bad time '25:00'"),
    ("always", "Mars/Olympus", (), "unknown time zone 'Mars/Olympus'"),
    ("always", "UTC", ("christmas",), "holidays must be ISO dates"),
    ("", "UTC", (), "open on no day"),
])
def test_bad_specs(spec: str, tz: str, holidays: tuple[str, ...], match: str) -> None:
    with pytest.raises(SettingsError, match=match):
        BusinessHours.parse(spec, tz, holidays)


def test_open_and_next_open() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-18:00; sat 10:00-14:00", "Asia/Bangkok", ("2026-11-23",))
    assert hours.is_open(at(2026, 11, 20, 10))  # Friday
    assert not hours.is_open(at(2026, 11, 20, 18))  # closing minute is closed
    assert hours.next_open(at(2026, 11, 21, 15)) == at(2026, 11, 24, 9)  # Sat after 14:00; Mon is a holiday
    assert hours.next_open(at(2026, 11, 21, 8)) == at(2026, 11, 21, 10)


def test_reply_by_counts_opening_minutes_only() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-18:00", "Asia/Bangkok")
    assert hours.reply_by(at(2026, 11, 20, 10), 60) == at(2026, 11, 20, 11)
    # 30 minutes left on Friday, the other 30 on Monday morning.
    assert hours.reply_by(at(2026, 11, 20, 17, 30), 60) == at(2026, 11, 23, 9, 30)
    assert hours.reply_by(at(2026, 11, 22, 12), 60) == at(2026, 11, 23, 10)


def test_wrapping_days_and_always() -> None:
    hours = BusinessHours.parse("fri-mon 10:00-12:00", "UTC")
    utc = dt.UTC
    assert hours.is_open(at(2026, 11, 22, 11, tz=utc)) and hours.is_open(at(2026, 11, 23, 11, tz=utc))
    assert not hours.is_open(at(2026, 11, 24, 11, tz=utc))
    always = BusinessHours.parse("24/7", "UTC")
    assert always.is_open(0.0) and always.reply_by(0.0, 90) == 5400.0


def test_opening_across_daylight_saving_change() -> None:
    hours = BusinessHours.parse("mon-fri 09:00-17:00", "Europe/Tallinn")
    # Tallinn leaves summer time on Sunday 2026-10-25; Monday 09:00 is then UTC+2.
    opens = hours.next_open(dt.datetime(2026, 10, 24, 12, tzinfo=dt.UTC).timestamp())
    assert opens == dt.datetime(2026, 10, 26, 7, tzinfo=dt.UTC).timestamp()
