"""ISO 8601 in and out."""

from __future__ import annotations

import pytest

from bot.timestamps import iso, parse_iso
from kb.errors import RequestError


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-22", 1795305600.0),
    ("2026-11-22T12:00:00", 1795348800.0),
    ("2026-11-22T19:00:00+07:00", 1795348800.0),
])
def test_parse_iso(text: str, expected: float) -> None:
    assert parse_iso(text) == expected


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "9999999-01-01"])
def test_parse_iso_refuses(bad: str) -> None:
    with pytest.raises(RequestError, match="expected an ISO date"):
        parse_iso(bad)


def test_iso_round_trip() -> None:
    assert iso(None) is None
    assert iso(1795348800.25) == "2026-11-22T12:00:00.250Z"
    assert parse_iso(iso(1795348800.25) or "") == 1795348800.25
