"""Unix seconds to and from ISO 8601, the one way the API, webhooks and CLI write and read times."""

from __future__ import annotations

import datetime as dt

from kb.errors import RequestError, shown


def iso(ts: float | None) -> str | None:
    """Unix seconds as ISO 8601 UTC with milliseconds (`2026-05-01T09:30:00.000Z`)."""
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> float:
    """Unix seconds of an ISO 8601 date or time (UTC when it names no zone); RequestError if bad."""
    try:
        parsed = dt.datetime.fromisoformat(text)
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).timestamp()
    except (ValueError, OverflowError):
        raise RequestError(f"expected an ISO date or time (ISO 8601) like 2026-11-01, "
                           f"got {shown(text)}") from None
