"""Reading requests strictly: JSON bodies, query and path parameters, each bad input a RequestError.

Strings are checked once here for every route: lone surrogates, control characters, per-field
length limits (before NFKC, so a value cannot shrink under the limit), NFKC outside ids; numbers
must be finite and fit 64 bits; nesting is bounded.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any

from flask import request

from api_spec import MAX_INT, MAX_JSON_DEPTH
from bot.timestamps import parse_iso
from kb.errors import RequestError

_DIGITS = re.compile(r"[0-9]{1,19}")
_STRIPPED = ("question", "query")  # clean_question turns their control characters into spaces
_MULTILINE = ("message", "comment", "text")
_IDS = ("session_id", "article_id")
_QUERY = {"session": {"after"}, "popular": {"k", "lang"}, "article": {"lang"},
          "list_escalations": {"status", "queue", "limit"}, "get_analytics": {"since", "until"}}
_ANY_QUERY = ("widget_js", "static_file", "index_page")


def check_parameters() -> None:
    """Path parameters carry no control characters; API routes take only their own query keys
    (pages and scripts take any: cache busters, utm_ tags)."""
    for name, value in (request.view_args or {}).items():
        refuse_controls(f"path parameter {name}", str(value))
    if request.endpoint not in _ANY_QUERY:
        unknown = sorted(set(request.args) - _QUERY.get(request.endpoint or "", set()))
        if unknown:
            raise RequestError(f"unknown query parameter(s) {unknown}"[:200])


def printable(message: str) -> str:
    """A message that can be encoded as UTF-8 even if it quotes a lone surrogate."""
    return message.encode("utf-8", "backslashreplace").decode("utf-8")


def refuse_controls(what: str, value: str, allowed: str = "") -> None:
    """NUL and other control characters have no business in ids or one-line fields (and
    PostgreSQL refuses NUL in text outright); lone surrogates cannot be stored as UTF-8 at all."""
    for c in value:
        if "\ud800" <= c <= "\udfff":
            raise RequestError(f"{what} contains a lone surrogate (U+{ord(c):04X}), "
                               "which is not valid Unicode")
        if unicodedata.category(c) == "Cc" and c not in allowed:
            raise RequestError(f"{what} contains a control character (U+{ord(c):04X})")


def arg(name: str) -> str | None:
    value = request.args.get(name)
    if value is not None:
        refuse_controls(f"query parameter {name}", value)
    return value


def int_arg(name: str, default: int, low: int, high: int) -> int:
    value = arg(name)
    if value is None:
        return default
    # str.isdigit() also accepts "²" and "٣", which int() then refuses.
    if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise RequestError(f"{name} must be an integer from {low} to {high}, got {value!r}"[:200])
    return int(value)


def time_arg(name: str) -> float | None:
    value = arg(name)
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise RequestError(f"{name} must be an ISO 8601 date or time, got {value!r}"[:200]) from None


def json_object(allowed: tuple[str, ...], limits: dict[str, int]) -> dict[str, Any]:
    """The request's JSON object, checked field by field (see `_check`), or RequestError."""
    if not request.is_json:
        raise RequestError("send a JSON body with Content-Type: application/json")
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH: 413 before anything is read
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise RequestError(f"request body is not valid JSON: not valid UTF-8 (byte {e.start})") from None
    try:
        body = json.loads(text.removeprefix("\ufeff"), parse_int=_json_int, parse_float=_json_float,
                          parse_constant=_json_constant)
    except RecursionError:
        raise RequestError(f"request body is nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as e:
        raise RequestError(f"request body is not valid JSON: {e}"[:200]) from None
    if not isinstance(body, dict):
        raise RequestError(f"request body must be a JSON object, got {type(body).__name__}")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise RequestError(f"unknown field(s) {unknown}; allowed: {list(allowed)}"[:300])
    return {name: _check(name, value, limits, 1) for name, value in body.items()}


def _check(field: str, value: Any, limits: dict[str, int], depth: int) -> Any:
    """A field's value with its strings checked: no lone surrogates anywhere, not longer than the
    field's limit, no control characters (question and query strip their own; free text keeps
    newlines and tabs), NFKC-normalised outside ids (a full-width "ｊａｎｅ＠ｅｘａｍｐｌｅ.ｃｏｍ" is
    an address)."""
    if depth > MAX_JSON_DEPTH:
        raise RequestError(f"request body is nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, dict):
        return {_check(f"a key of {field}", k, limits, depth + 1):
                _check(k if field == "contact" else f"{field}.{ascii(k)[1:-1][:40]}", v, limits, depth + 1)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_check(field, v, limits, depth + 1) for v in value]
    if not isinstance(value, str):
        return value
    limit = limits.get(field)
    if limit is not None and len(value) > limit:
        raise RequestError(f"{field} is too long ({len(value)} characters, limit {limit})")
    if field in _STRIPPED:
        refuse_controls(field, "".join(c for c in value if unicodedata.category(c) != "Cc"))
        return value
    refuse_controls(field, value, "\t\n\r" if field in _MULTILINE else "")
    return value if field in _IDS else unicodedata.normalize("NFKC", value)


def _json_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_INT:
        raise RequestError(f"integers must be within ±(2^63-1), got one of {len(text)} digits")
    return value


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise RequestError(f"number {text[:30]!r} is out of range")
    return value


def _json_constant(text: str) -> float:
    raise RequestError(f"{text} is not a JSON number")


def required(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise RequestError(f"missing required field {name!r}")
    return body[name]
