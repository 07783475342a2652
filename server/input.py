"""Reading requests strictly, against the OpenAPI document: every bad input is a RequestError.

`RequestChecker` compiles the document once per app. Each request is checked twice over:
- **shape**, by JSON Schema (the operation's request body, query and path parameters): unknown
  fields and parameters, types, ranges, patterns, lengths. The message of a refusal comes from the
  schema that refused (a `description`, or the keyword), so the document, the check and its words
  share one home.
- **text hygiene**, for every string: lone surrogates, control characters (questions and queries
  strip their own; free text keeps newlines and tabs), and NFKC normalisation after the length was
  checked, so a value cannot shrink under its limit (ids are kept as sent). JSON numbers must be
  finite and fit 64 bits; nesting is bounded.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import g, request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from bot.keys import authenticate
from bot.store import Store
from bot.timestamps import parse_iso
from kb.errors import RequestError, shown
from server.openapi import ANY_QUERY, MAX_INT, MAX_JSON_DEPTH, ROLE, Schema

_DIGITS = re.compile(r"[0-9]{1,19}")
_RULE = re.compile(r"<(?:\w+:)?(\w+)>")
_STRIPPED = ("question", "query")  # clean_question turns their control characters into spaces
_MULTILINE = ("message", "comment", "text")
_IDS = ("session_id", "article_id")
# Which refusal a message names when a value breaks several rules: the structure first, then the
# type, then length (a 10 kB id is "too long", not "not an id").
_ORDER = ("additionalProperties", "required", "type", "maxLength", "minLength")
# JSON Schema counts 1.0 as an integer and Python counts True; neither is a turn id.
_Validator = extend(Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _, x: isinstance(x, int) and not isinstance(x, bool)))


@dataclass(frozen=True)
class _Operation:
    body: Any | None  # a validator of the JSON body, if the operation takes one
    query: dict[str, tuple[Schema, Any]]  # name → (schema, validator)
    path: dict[str, tuple[Schema, Any]]
    headers: dict[str, tuple[Schema, Any]]
    any_query: bool
    role: str  # the API key role it needs ("" for none)


class RequestChecker:
    """The request checks of one OpenAPI document, by Flask rule and method."""

    def __init__(self, document: Schema, store: Store) -> None:
        self.store = store
        self._registry: Registry[Any] = Registry().with_resource(
            "urn:faqbot", Resource.from_contents(document, default_specification=DRAFT202012))
        self._ops: dict[tuple[str, str], _Operation] = {}
        schemes = document["components"]["securitySchemes"]
        for path, item in document["paths"].items():
            for method, op in item.items():
                roles = [schemes[name][ROLE] for need in op.get("security", []) for name in need]
                params = op.get("parameters", [])
                body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
                self._ops[path, method.upper()] = _Operation(
                    self._validator(body["schema"]) if body else None,
                    {p["name"]: (p["schema"], self._validator(p["schema"])) for p in params
                     if p["in"] == "query"},
                    {p["name"]: (p["schema"], self._validator(p["schema"])) for p in params
                     if p["in"] == "path"},
                    {p["name"]: (p["schema"], self._validator(p["schema"])) for p in params
                     if p["in"] == "header"},
                    bool(op.get(ANY_QUERY)), roles[0] if roles else "")

    def _validator(self, schema: Schema) -> Any:
        if "$ref" in schema:  # resolve against the whole document
            schema = {"$ref": "urn:faqbot" + schema["$ref"]}
        return _Validator(schema, registry=self._registry)

    def _operation(self) -> _Operation | None:
        if request.url_rule is None or request.method == "OPTIONS":
            return None
        method = "GET" if request.method == "HEAD" else request.method
        return self._ops.get((_RULE.sub(r"{\1}", request.url_rule.rule), method))

    def check_parameters(self) -> None:
        """The key and the parameters of this request (before_request): control characters in
        the path first, then the key if the operation needs one (`g.acting`: its name), so callers
        without one learn nothing more; then path and query parameters, only the operation's own
        query keys (pages take any), each of the right shape; typed values land in `g.query`."""
        op = self._operation()
        g.query, g.acting = {}, ""
        if op is None:
            return
        path = {name: str(given) for name, given in (request.view_args or {}).items()}
        for name, text in path.items():
            refuse_controls(f"path parameter {name}", text)  # before anything reads them
        if op.role:
            g.acting = authenticate(self.store, request.headers.get("Authorization"), op.role).name
        for name, text in path.items():
            if name in op.path:
                _refuse(op.path[name][1].iter_errors(text), name)
        for name, (_, validator) in op.headers.items():
            if name in request.headers:
                _refuse(validator.iter_errors(request.headers[name]), f"header {name}")
        if op.any_query:
            return
        unknown = sorted(set(request.args) - set(op.query))
        if unknown:
            raise RequestError(f"unknown query parameter(s) {shown(unknown)}")
        for name, (schema, validator) in op.query.items():
            raw = request.args.get(name)
            if raw is None:
                continue
            refuse_controls(f"query parameter {name}", raw)
            value: Any = raw
            if schema.get("type") == "integer":
                # str.isdigit() also accepts "²" and "٣", which int() then refuses.
                value = int(raw) if _DIGITS.fullmatch(raw) else raw
            _refuse(validator.iter_errors(value), name)
            g.query[name] = value

    def body(self) -> dict[str, Any]:
        """This request's JSON object, checked against its operation's schema (lengths before
        NFKC) and cleaned."""
        op = self._operation()
        if op is None or op.body is None:
            raise RuntimeError(f"{request.method} {request.path} takes no JSON body")
        raw = _json_body()
        hygienic = {name: _clean(name, value, 1) for name, value in raw.items()}
        _refuse(op.body.iter_errors(raw), "")
        return hygienic


def query(name: str, default: Any = None) -> Any:
    """A query parameter as `check_parameters` typed it."""
    return g.query.get(name, default)


def time_query(name: str) -> float | None:
    """A query parameter holding an ISO 8601 date or time, as unix seconds."""
    value = query(name)
    if value is None:
        return None
    try:
        return parse_iso(value)
    except RequestError:
        raise RequestError(f"{name} must be an ISO 8601 date or time, got {shown(value)}") from None


def _json_body() -> dict[str, Any]:
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
        raise RequestError(f"request body is not valid JSON: {e}") from None
    if not isinstance(body, dict):
        raise RequestError(f"request body must be a JSON object, got {type(body).__name__}")
    return body


def _refuse(errors: Iterator[ValidationError], name: str) -> None:
    found = list(errors)
    if found:
        raise RequestError(_message(min(found, key=_rank), name))


def _rank(e: ValidationError) -> tuple[int, int]:
    order = _ORDER.index(str(e.validator)) if e.validator in _ORDER else len(_ORDER)
    return len(e.absolute_path), order


def _message(e: ValidationError, name: str) -> str:
    """What a person needs to fix, in the words of the schema that refused the value."""
    path = [str(p) for p in e.absolute_path]
    field = path[-1] if path else name
    value, schema, keyword = e.instance, e.schema, e.validator
    if keyword == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed))
        if path:
            return f"unknown {field} field(s) {shown(extra)}"
        return f"unknown field(s) {shown(extra)}; allowed: {allowed}"
    if keyword == "required":
        missing = next(r for r in schema["required"] if r not in value)
        return f"missing required field {missing!r}" + (f" in {field}" if path else "")
    if keyword == "maxLength":
        return f"{field} is too long ({len(value)} characters, limit {schema['maxLength']})"
    if keyword == "minLength":
        n = schema["minLength"]
        return f"{field} is empty" if n == 1 else f"{field} must be at least {n} characters long"
    return f"{field} must be {_expected(schema)}, got {_got(value, schema)}"


def _expected(schema: Schema) -> str:
    if schema.get("description"):
        return str(schema["description"])
    if "anyOf" in schema:  # a closed set or an open pattern: name the closed set
        return _expected(schema["anyOf"][0])
    if "enum" in schema:
        words = [str(v) for v in schema["enum"] if v is not None]
        return ", ".join(words[:-1]) + f" or {words[-1]}" if len(words) > 1 else words[0]
    kinds = schema.get("type")
    kind = next(k for k in ([kinds] if isinstance(kinds, str) else kinds or ["value"]) if k != "null")
    if kind == "integer" and "minimum" in schema:
        return f"an integer from {schema['minimum']} to {schema['maximum']}"
    return {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "true or false",
            "object": "an object", "array": "a list"}.get(kind, kind)


def _got(value: Any, schema: Schema) -> str:
    kinds = schema.get("type")
    wanted = [kinds] if isinstance(kinds, str) else kinds or []
    if "string" in wanted and not isinstance(value, str):
        return type(value).__name__ if value is not None else "null"
    return shown(value)


def refuse_controls(what: str, value: str, allowed: str = "") -> None:
    """NUL and other control characters have no business in ids or one-line fields (and
    PostgreSQL refuses NUL in text outright); lone surrogates cannot be stored as UTF-8 at all."""
    for c in value:
        if "\ud800" <= c <= "\udfff":
            raise RequestError(f"{what} contains a lone surrogate (U+{ord(c):04X}), "
                               "which is not valid Unicode")
        if unicodedata.category(c) == "Cc" and c not in allowed:
            raise RequestError(f"{what} contains a control character (U+{ord(c):04X})")


def _clean(field: str, value: Any, depth: int) -> Any:
    """A field's value with its strings checked: no lone surrogates anywhere, no control
    characters, NFKC-normalised outside ids (a full-width "ｊａｎｅ＠ｅｘａｍｐｌｅ.ｃｏｍ" is an
    address)."""
    if depth > MAX_JSON_DEPTH:
        raise RequestError(f"request body is nested more than {MAX_JSON_DEPTH} levels deep")
    if isinstance(value, dict):
        return {_clean(f"a key of {field}", k, depth + 1):
                _clean(k if field == "contact" else f"{field}.{ascii(k)[1:-1][:40]}", v, depth + 1)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(field, v, depth + 1) for v in value]
    if not isinstance(value, str):
        return value
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
        raise RequestError(f"number {shown(text[:30])} is out of range")
    return value


def _json_constant(text: str) -> float:
    raise RequestError(f"{text} is not a JSON number")


def printable(message: str) -> str:
    """A message that can be encoded as UTF-8 even if it quotes a lone surrogate."""
    return message.encode("utf-8", "backslashreplace").decode("utf-8")
