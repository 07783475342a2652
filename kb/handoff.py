"""Typed handoff configuration: queues with business hours, routing rules, webhooks, sensitive topics.

These are the `[[queues]]`, `[[routes]]`, `[[webhooks]]` and `[[sensitive_topics]]` tables of the
settings file (or a JSON list in the matching FAQBOT_* variable).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from kb.errors import FaqbotError, SettingsError, shown
from kb.hours import BusinessHours
from kb.languages import normalize_lang


class Priority(StrEnum):
    """How soon a person should pick an escalation up, lowest first."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


PRIORITIES = tuple(Priority)  # in rising order: ranks compare by index


class HandoffPolicy(StrEnum):
    """What an unanswerable question does: offer a person (the customer decides), or hand the
    conversation to one at once (the behaviour before offers; help desks may ask for it)."""

    OFFER = "offer"
    IMMEDIATE = "immediate"


# Triggers that hand a conversation to a person at once, whatever the policy (bot/offers.py); a
# rule left out of `handoff_rules` makes its trigger an offer instead.
HANDOFF_RULES = ("sensitive", "angry", "urgent", "unhelpful")

WEBHOOK_FORMATS = ("generic", "zendesk", "freshdesk")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class QueueConfig:
    """A team of agents: when it works and how fast it answers."""

    name: str = "general"
    timezone: str = "UTC"
    # e.g. "mon-fri 09:00-18:00; sat 10:00-14:00", or "always".
    hours: str = "always"
    holidays: tuple[str, ...] = ()  # ISO dates in the queue's time zone
    response_minutes: int = 60  # promised first reply while open

    def __post_init__(self) -> None:
        _check_name("queue", self.name)
        if self.response_minutes < 1:
            raise SettingsError(f"queue {self.name!r}: response_minutes must be positive, "
                             f"got {shown(self.response_minutes)}")
        self.business_hours()  # raises SettingsError naming the bad part

    def business_hours(self) -> BusinessHours:
        return BusinessHours.parse(self.hours, self.timezone, self.holidays)


@dataclass(frozen=True)
class RouteRule:
    """Escalations matching every given condition go to `queue`; the first matching rule wins."""

    queue: str
    langs: tuple[str, ...] = ()  # any of these customer languages (empty: any)
    tags: tuple[str, ...] = ()  # the top candidate article has any of these tags (empty: any)
    reasons: tuple[str, ...] = ()  # escalation reason, or its prefix like "sensitive" (empty: any)
    priority: str = ""  # a Priority: raise the escalation's to at least this, if set

    def __post_init__(self) -> None:
        _check_name("queue", self.queue)
        try:
            object.__setattr__(self, "langs", tuple(normalize_lang(x) for x in self.langs))
        except FaqbotError as e:
            raise SettingsError(f"route to {shown(self.queue)}: {e}") from None
        if self.priority and self.priority not in PRIORITIES:
            raise SettingsError(f"route to {shown(self.queue)}: unknown priority {shown(self.priority)} "
                                f"(one of {', '.join(PRIORITIES)})")


@dataclass(frozen=True)
class WebhookConfig:
    """A help desk (or any HTTP endpoint) that receives every new escalation."""

    name: str
    url: str
    format: str = "generic"  # one of WEBHOOK_FORMATS
    secret: str = ""  # signs the body: X-Faqbot-Signature: sha256=<hmac>
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. Authorization
    timeout_seconds: float = 10.0

    def __post_init__(self) -> None:
        _check_name("webhook", self.name)
        if not re.match(r"^https?://[^\s/]+", self.url):
            raise SettingsError(f"webhook {self.name!r}: url must be http(s)://..., got {shown(self.url)}")
        if self.format not in WEBHOOK_FORMATS:
            raise SettingsError(f"webhook {self.name!r}: format must be one of {WEBHOOK_FORMATS}, "
                             f"got {shown(self.format)}")
        if not 0 < self.timeout_seconds <= 120:
            raise SettingsError(f"webhook {self.name!r}: timeout_seconds must be in (0, 120], "
                             f"got {shown(self.timeout_seconds)}")
        object.__setattr__(self, "headers", {str(k): str(v) for k, v in self.headers.items()})


@dataclass(frozen=True)
class SensitiveTopic:
    """Questions a bot must not answer alone (legal, security, large refunds...)."""

    name: str
    keywords: tuple[str, ...] = ()  # words or phrases in any language (matched after analysis)
    tags: tuple[str, ...] = ()  # or: the best candidate article carries one of these tags
    amount_over: float = 0.0  # with keywords: only when the question names an amount above this
    priority: str = Priority.HIGH

    def __post_init__(self) -> None:
        _check_name("sensitive topic", self.name)
        if not self.keywords and not self.tags:
            raise SettingsError(f"sensitive topic {self.name!r} needs keywords or tags")
        if self.amount_over < 0:
            raise SettingsError(f"sensitive topic {self.name!r}: amount_over must be >= 0")
        if self.priority not in PRIORITIES:
            raise SettingsError(f"sensitive topic {self.name!r}: unknown priority {shown(self.priority)} "
                                f"(one of {', '.join(PRIORITIES)})")


def _check_name(kind: str, name: object) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise SettingsError(f"{kind} name must be 1-64 letters, digits, '_', '.' or '-', got {shown(name)}")


def _build(cls: type[Any], item: object, where: str) -> Any:
    if not isinstance(item, Mapping):
        raise SettingsError(f"{where} must be a table, got {shown(item)}")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(item) - set(known))
    if unknown:
        raise SettingsError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(known)}")
    values: dict[str, Any] = {}
    for key, value in item.items():
        typ = str(known[key].type)
        if typ.startswith("tuple"):
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SettingsError(f"{where}: {key} must be a list of strings, got {shown(value)}")
            value = tuple(value)
        elif typ == "float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif typ.startswith("Mapping") and not isinstance(value, Mapping):
            raise SettingsError(f"{where}: {key} must be a table, got {shown(value)}")
        expected = {"str": str, "int": int, "float": float}.get(typ)
        if expected and (not isinstance(value, expected) or isinstance(value, bool)):
            raise SettingsError(f"{where}: {key} must be a {typ}, got {shown(value)}")
        values[key] = value
    try:
        return cls(**values)
    except TypeError as e:  # a required key is missing
        raise SettingsError(f"{where}: {e}") from None
    except SettingsError as e:
        raise SettingsError(f"{where}: {e}") from None


def table_parser(cls: type[Any]) -> Callable[[str, object], tuple[Any, ...]]:
    """Parser of a settings value that is a list of `cls` tables."""

    def parse(name: str, value: object) -> tuple[Any, ...]:
        if not isinstance(value, list | tuple):
            raise SettingsError(f"{name} must be a list of tables, got {shown(value)}")
        items = tuple(v if isinstance(v, cls) else _build(cls, v, f"{name}[{i}]")
                      for i, v in enumerate(value))
        names = [getattr(v, "name", None) for v in items]
        dupes = sorted({n for n in names if n is not None and names.count(n) > 1})
        if dupes:
            raise SettingsError(f"{name}: duplicate name(s) {dupes}")
        return items

    return parse


TABLES: dict[str, Callable[[str, object], tuple[Any, ...]]] = {
    "queues": table_parser(QueueConfig),
    "routes": table_parser(RouteRule),
    "webhooks": table_parser(WebhookConfig),
    "sensitive_topics": table_parser(SensitiveTopic),
}
