"""Routing escalations to queues, and the reply time promised to the customer."""

from __future__ import annotations

import datetime as dt
import unicodedata
from zoneinfo import ZoneInfo

import pytest

from bot.routing import ReplyTime, expected_reply, format_when, matches, reply_notice, route
from kb.errors import SettingsError
from kb.handoff import QueueConfig, RouteRule
from kb.settings import Settings

BANGKOK = ZoneInfo("Asia/Bangkok")
QUEUES = (
    QueueConfig("general", timezone="Europe/Tallinn", hours="mon-fri 09:00-17:00", response_minutes=120),
    QueueConfig("thai", timezone="Asia/Bangkok", hours="mon-fri 09:00-18:00; sat 10:00-14:00",
                holidays=("2026-04-13",), response_minutes=60),
    QueueConfig("legal", timezone="UTC", hours="always", response_minutes=30),
    QueueConfig("vip", timezone="UTC", hours="always", response_minutes=15),
)
ROUTES = (
    RouteRule("legal", reasons=("sensitive:legal",), priority="urgent"),
    RouteRule("vip", reasons=("sensitive",), tags=("billing",)),
    RouteRule("thai", langs=("th",)),
    RouteRule("vip", langs=("en",), tags=("business",), priority="high"),
    RouteRule("legal", reasons=("angry",), priority="normal"),
)


@pytest.fixture
def settings() -> Settings:
    return Settings(queues=QUEUES, routes=ROUTES)


def bangkok(year: int, month: int, day: int, hour: int, minute: int) -> float:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BANGKOK).timestamp()


@pytest.mark.parametrize(("lang", "tags", "reason", "priority", "expected"), [
    ("en", (), "low_confidence", "normal", ("general", "normal")),  # no rule: the first queue
    ("th", (), "low_confidence", "normal", ("thai", "normal")),
    ("th", ("billing",), "sensitive:refund", "normal", ("vip", "normal")),  # earlier rule wins
    ("th", (), "sensitive:legal", "high", ("legal", "urgent")),  # raised to the rule's priority
    ("et", (), "sensitive:legal", "normal", ("legal", "urgent")),
    ("en", ("orders", "business"), "human_requested", "normal", ("vip", "high")),
    ("en", ("orders", "business"), "human_requested", "urgent", ("vip", "urgent")),  # never lowered
    ("en-GB", ("business",), "unhelpful", "low", ("vip", "high")),  # base language matches
    ("de", ("business",), "unhelpful", "low", ("general", "low")),
    ("en", (), "angry", "high", ("legal", "high")),
    ("en", ("billing",), "sensitivity", "normal", ("general", "normal")),  # prefix means "x:"
    ("en", ("billing",), "sensitive", "normal", ("vip", "normal")),
])
def test_route(settings: Settings, lang: str, tags: tuple[str, ...], reason: str, priority: str,
               expected: tuple[str, str]) -> None:
    assert route(settings, lang, tags, reason, priority) == expected


def test_route_without_rules_uses_the_first_queue() -> None:
    assert route(Settings(queues=QUEUES), "th", ("billing",), "sensitive:legal", "low") == ("general", "low")


@pytest.mark.parametrize("priority", ["", "critical", "HIGH"])
def test_route_rejects_unknown_priorities(settings: Settings, priority: str) -> None:
    with pytest.raises(ValueError, match=f"unknown priority {priority!r}"):
        route(settings, "en", (), "low_confidence", priority)


@pytest.mark.parametrize(("rule", "lang", "tags", "reason", "expected"), [
    (RouteRule("q"), "en", (), "anything", True),
    (RouteRule("q", langs=("zh-TW",)), "zh-TW", (), "x", True),
    (RouteRule("q", langs=("zh-TW",)), "zh-CN", (), "x", False),
    (RouteRule("q", tags=("a", "b")), "en", ("c", "b"), "x", True),
    (RouteRule("q", tags=("a",)), "en", (), "x", False),
    (RouteRule("q", reasons=("sensitive", "angry")), "en", (), "angry", True),
    (RouteRule("q", reasons=("sensitive:legal",)), "en", (), "sensitive:large_refund", False),
    (RouteRule("q", langs=("th",), tags=("a",), reasons=("urgent",)), "th", ("a",), "urgent", True),
    (RouteRule("q", langs=("th",), tags=("a",), reasons=("urgent",)), "th", ("a",), "angry", False),
])
def test_matches_needs_every_condition(rule: RouteRule, lang: str, tags: tuple[str, ...], reason: str,
                                       expected: bool) -> None:
    assert matches(rule, lang, tags, reason) is expected


@pytest.mark.parametrize(("at", "expected", "out_of_hours"), [
    (bangkok(2026, 3, 2, 10, 0), bangkok(2026, 3, 2, 11, 0), False),  # Monday, open
    (bangkok(2026, 3, 2, 17, 30), bangkok(2026, 3, 3, 9, 30), False),  # 30 min today, 30 tomorrow
    (bangkok(2026, 3, 2, 19, 0), bangkok(2026, 3, 3, 10, 0), True),  # evening: next morning
    (bangkok(2026, 2, 28, 15, 0), bangkok(2026, 3, 2, 10, 0), True),  # Saturday after 14:00
    (bangkok(2026, 2, 28, 11, 0), bangkok(2026, 2, 28, 12, 0), False),  # Saturday hours
    (bangkok(2026, 4, 13, 10, 0), bangkok(2026, 4, 14, 10, 0), True),  # Songkran holiday
])
def test_expected_reply_follows_business_hours(settings: Settings, at: float, expected: float,
                                               out_of_hours: bool) -> None:
    assert expected_reply(settings, "thai", at) == ReplyTime(expected, out_of_hours)


def test_expected_reply_always_open_queue(settings: Settings) -> None:
    at = bangkok(2026, 12, 25, 3, 0)
    assert expected_reply(settings, "legal", at) == ReplyTime(at + 30 * 60, False)


def test_expected_reply_unknown_queue_uses_the_first(settings: Settings) -> None:
    at = dt.datetime(2026, 3, 7, 12, 0, tzinfo=ZoneInfo("Europe/Tallinn")).timestamp()  # Saturday
    monday = dt.datetime(2026, 3, 9, 11, 0, tzinfo=ZoneInfo("Europe/Tallinn")).timestamp()
    assert expected_reply(settings, "nope", at) == ReplyTime(monday, True)


def test_expected_reply_never_open() -> None:
    start = dt.date(2026, 1, 5)  # a Monday; every Monday for two years is a holiday
    holidays = tuple((start + dt.timedelta(weeks=w)).isoformat() for w in range(110))
    queue = QueueConfig("mondays", hours="mon 09:00-10:00", holidays=holidays)
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp()
    assert expected_reply(Settings(queues=(queue,)), "mondays", at) == ReplyTime(None, True)


MONDAY_10 = bangkok(2026, 3, 2, 10, 0)
# What "Monday 2 March, 10:00 (Asia/Bangkok)" must say in each language, part by part and in order.
# CLDR releases move spaces and commas between the parts (babel 2.19 wrote "3月2日星期一" where
# earlier ones wrote "3月2日 星期一"), so only whitespace and punctuation may sit between them.
WHEN_PARTS = {
    "en": ("Monday", "March", "2", "10:00", "Asia/Bangkok"),
    "th": ("วันจันทร์", "2", "มีนาคม", "10:00", "น.", "Asia/Bangkok"),
    "et": ("esmaspäev", "2", "märts", "10:00", "Asia/Bangkok"),
    "zh-TW": ("3月2日", "星期一", "10:00", "Asia/Bangkok"),
    "zh-CN": ("3月2日", "星期一", "10:00", "Asia/Bangkok"),
    "de": ("Montag", "2", "März", "10:00", "Asia/Bangkok"),
    "en-GB": ("Monday", "2", "March", "10:00", "Asia/Bangkok"),
    "sw-XX": ("Jumatatu", "2", "Machi", "10:00", "Asia/Bangkok"),  # the base language's locale
}


def says_in_order(text: str, parts: tuple[str, ...]) -> bool:
    """`text` is exactly `parts` in this order, with nothing but spaces and punctuation between."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        if found < 0 or not _filler(text[at:found]):
            return False
        at = found + len(part)
    return _filler(text[at:])


def _filler(text: str) -> bool:
    return all(c.isspace() or unicodedata.category(c).startswith("P") for c in text)


@pytest.mark.parametrize("lang", sorted(WHEN_PARTS))
def test_format_when_is_localized(lang: str) -> None:
    when = format_when(MONDAY_10, lang, "Asia/Bangkok")
    assert says_in_order(when, WHEN_PARTS[lang]), when


@pytest.mark.parametrize(("text", "parts", "expected"), [
    ("3月2日 星期一 10:00（Asia/Bangkok）", WHEN_PARTS["zh-TW"], True),  # babel 2.18
    ("3月2日星期一 10:00（Asia/Bangkok）", WHEN_PARTS["zh-TW"], True),  # babel 2.19
    ("星期一 3月2日 10:00（Asia/Bangkok）", WHEN_PARTS["zh-TW"], False),  # wrong order
    ("Monday, March 2, 10:00 (Asia/Bangkok)", WHEN_PARTS["en"], True),
    ("Monday, March 2, 10:00 pm (Asia/Bangkok)", WHEN_PARTS["en"], False),  # a word more
    ("Montag, 2. März, 10:00 (Asia/Bangkok)", WHEN_PARTS["en"], False),  # another language
    ("Monday, March 2 (Asia/Bangkok)", WHEN_PARTS["en"], False),  # a part missing
])
def test_says_in_order_checks_parts_and_order(text: str, parts: tuple[str, ...], expected: bool) -> None:
    assert says_in_order(text, parts) is expected


def test_format_when_uses_the_queues_time_zone() -> None:
    when = format_when(MONDAY_10, "en", "Europe/Tallinn")
    assert says_in_order(when, ("Monday", "March", "2", "05:00", "Europe/Tallinn")), when


def test_format_when_unknown_locale_falls_back_to_english() -> None:
    when = format_when(MONDAY_10, "fj", "UTC")  # Fijian: not in CLDR
    assert says_in_order(when, ("Monday", "March", "2", "03:00", "UTC")), when


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd"])
def test_format_when_rejects_unknown_time_zones(zone: str) -> None:
    with pytest.raises(SettingsError, match="unknown time zone"):
        format_when(MONDAY_10, "en", zone)


# The catalog's words around the time, within business hours and out of hours.
@pytest.mark.parametrize(("lang", "within", "offline"), [
    ("en", ("A person will reply by ", "."),
     ("Our team is offline right now. A person will reply by ", ".")),
    ("th", ("เจ้าหน้าที่จะตอบกลับภายใน", " ค่ะ"), ("ขณะนี้อยู่นอกเวลาทำการของทีมงานค่ะ เจ้าหน้าที่จะตอบกลับภายใน", "")),
    ("et", ("Meie meeskonna inimene vastab teile. Eeldatav vastuse aeg: ", "."),
     ("Meie meeskond ei ole praegu tööl. Inimene vastab teile; eeldatav vastuse aeg: ", ".")),
    ("zh-TW", ("客服人員將於", "前回覆您。"), ("目前是非服務時間。客服人員將於", "前回覆您。")),
    ("zh-CN", ("客服人员将在", "前回复您。"), ("现在是非工作时间。客服人员将在", "前回复您。")),
])
def test_reply_notice(lang: str, within: tuple[str, str], offline: tuple[str, str]) -> None:
    for out_of_hours, (before, after) in ((False, within), (True, offline)):
        text = reply_notice(ReplyTime(MONDAY_10, out_of_hours), lang, "Asia/Bangkok")
        assert text.startswith(before) and text.endswith(after), text
        assert says_in_order(text[len(before): len(text) - len(after)], WHEN_PARTS[lang]), text


@pytest.mark.parametrize("lang", ["ar", "he"])
def test_reply_notice_right_to_left(lang: str) -> None:
    text = reply_notice(ReplyTime(MONDAY_10, True), lang, "Asia/Bangkok")
    assert "10:00" in text and "(Asia/Bangkok)" in text
    assert "Monday" not in text and "{" not in text


@pytest.mark.parametrize(("out_of_hours", "expected"), [
    (True, "Our team is offline right now. A person will reply as soon as they can."),
    (False, "A person will reply as soon as they can."),
])
def test_reply_notice_when_the_queue_never_opens(out_of_hours: bool, expected: str) -> None:
    assert reply_notice(ReplyTime(None, out_of_hours), "en", "UTC") == expected


def test_notice_for_a_real_escalation(settings: Settings) -> None:
    queue, priority = route(settings, "th", ("orders",), "human_requested", "normal")
    reply = expected_reply(settings, queue, bangkok(2026, 2, 28, 15, 0))
    notice = reply_notice(reply, "th", settings.queue(queue).timezone)
    assert (queue, priority) == ("thai", "normal")
    before = "ขณะนี้อยู่นอกเวลาทำการของทีมงานค่ะ เจ้าหน้าที่จะตอบกลับภายใน"
    assert notice.startswith(before), notice
    assert says_in_order(notice[len(before):], WHEN_PARTS["th"]), notice
