"""Which queue an escalation goes to, and when the customer can expect a person to reply."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime

from bot.messages import message
from bot.records import PRIORITIES
from kb.errors import SettingsError, shown
from kb.handoff import RouteRule
from kb.languages import base_lang
from kb.settings import Settings

# Babel wants script subtags for Chinese; the product's codes carry the region only.
_LOCALES = {"zh-TW": "zh_Hant_TW", "zh-CN": "zh_Hans_CN"}
# CLDR's weekday-day-month and 24-hour-time patterns, ordered and punctuated per locale; the
# weekday and month are then widened to their full names ("Monday, March 2").
_DATE_SKELETON, _TIME_SKELETON = "MMMEd", "Hm"
_QUOTED = re.compile(r"('[^']*')")
_FIELD = re.compile(r"([EcML])\1*")


def _rank(priority: str) -> int:
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r} (expected one of {PRIORITIES})")
    return PRIORITIES.index(priority)


def _lang_matches(lang: str, wanted: Sequence[str]) -> bool:
    return not wanted or lang in wanted or base_lang(lang) in wanted


def _reason_matches(reason: str, wanted: Sequence[str]) -> bool:
    return not wanted or any(reason == r or reason.startswith(r + ":") for r in wanted)


def matches(rule: RouteRule, lang: str, tags: Sequence[str], reason: str) -> bool:
    """Whether an escalation in `lang`, whose top article has `tags`, for `reason` fits `rule`."""
    return (_lang_matches(lang, rule.langs)
            and (not rule.tags or bool(set(rule.tags) & set(tags)))
            and _reason_matches(reason, rule.reasons))


def route(settings: Settings, lang: str, tags: Sequence[str], reason: str,
          priority: str) -> tuple[str, str]:
    """(queue name, priority): the first matching rule's queue, with the priority raised to the
    rule's if that is higher; the first queue when no rule matches."""
    rank = _rank(priority)
    for rule in settings.routes:
        if matches(rule, lang, tags, reason):
            if rule.priority and _rank(rule.priority) > rank:
                priority = rule.priority
            return rule.queue, priority
    return settings.queues[0].name, priority


@dataclass(frozen=True)
class ReplyTime:
    expected_at: float | None  # None: the queue never opens
    out_of_hours: bool


def expected_reply(settings: Settings, queue: str, at: float) -> ReplyTime:
    """When a person of `queue` will have replied to a request made at `at` (unix seconds)."""
    config = settings.queue(queue)
    hours = config.business_hours()
    return ReplyTime(hours.reply_by(at, config.response_minutes), not hours.is_open(at))


def babel_locale(lang: str) -> Locale:
    """The Babel locale for a product language code; English when CLDR has no such locale."""
    for code in (_LOCALES.get(lang), lang.replace("-", "_"), base_lang(lang)):
        if code:
            try:
                return Locale.parse(code)
            except (UnknownLocaleError, ValueError):
                continue
    return Locale.parse("en")


def format_when(at: float, lang: str, timezone: str) -> str:
    """e.g. "Monday, March 2, 09:00 (Asia/Bangkok)", or its Thai, Estonian, Chinese... form."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"unknown time zone {shown(timezone)}") from None
    locale = babel_locale(lang)
    pattern = (str(locale.datetime_formats["medium"])
               .replace("{1}", _widen(locale.datetime_skeletons[_DATE_SKELETON].pattern))
               .replace("{0}", locale.datetime_skeletons[_TIME_SKELETON].pattern))
    when = format_datetime(dt.datetime.fromtimestamp(at, zone), pattern, locale=locale)
    if base_lang(lang) in ("zh", "ja"):
        return f"{when}（{timezone}）"
    return f"{when} ({timezone})"


def _widen(pattern: str) -> str:
    """A CLDR date pattern with abbreviated weekday and month names made full."""

    def full(m: re.Match[str]) -> str:
        run = m.group(0)
        if run[0] == "E" or (run[0] == "c" and len(run) >= 3) or (run[0] in "ML" and len(run) == 3):
            return run[0] * 4
        return run

    parts = _QUOTED.split(pattern)
    return "".join(p if p.startswith("'") else _FIELD.sub(full, p) for p in parts)


def reply_notice(reply: ReplyTime, lang: str, timezone: str) -> str:
    """The customer's message saying when a person will reply, in `lang` and the queue's zone."""
    if reply.expected_at is None:
        return message("out_of_hours_soon" if reply.out_of_hours else "reply_soon", lang)
    when = format_when(reply.expected_at, lang, timezone)
    return message("out_of_hours" if reply.out_of_hours else "reply_by", lang, when=when)
