"""What each channel sends for long answers and many choices stays inside the platform's limits:
every rendered part is sent to the stand-in, which refuses what the platform would refuse."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest

from bot.channels import adapters
from bot.channels.base import Choice, Handoff, Message
from bot.channels.format import compose, cut, label, render
from bot.records import ChannelDelivery
from kb import Settings
from tests.bot.channels.platforms import (
    CHATWOOT_TOKEN,
    LINE_TOKEN,
    PHONE_NUMBER_ID,
    TELEGRAM_TOKEN,
    WHATSAPP_TOKEN,
    Platforms,
    serve,
)

ADDRESS = {
    "line": {"to": "U1"},
    "telegram": {"chat_id": 5},
    "whatsapp": {"to": "3725551234", "phone_number_id": PHONE_NUMBER_ID},
    "chatwoot": {"account_id": 1, "conversation_id": 2},
}
LONG = "\n\n".join(
    f"Paragraph {i}: **Refunds** go back to the card you paid with, see [policy](https://x.test/p?a={i}&b=2) "
    "and `Orders` < 5 & > 2. " * 6
    for i in range(60)
)  # ~40,000 characters of Markdown
TITLES = [f"A rather long article title number {i} about returns and refunds" for i in range(15)]


@pytest.fixture
def platforms() -> Iterator[Platforms]:
    with serve() as p:
        yield p


def settings(url: str) -> Settings:
    return Settings(
        line_channel_secret="s",
        line_channel_access_token=LINE_TOKEN,
        line_api_url=url,
        telegram_bot_token=TELEGRAM_TOKEN,
        telegram_secret_token="s",
        telegram_api_url=url,
        whatsapp_app_secret="s",
        whatsapp_access_token=WHATSAPP_TOKEN,
        whatsapp_verify_token="v",
        whatsapp_api_url=url,
        chatwoot_url=url,
        chatwoot_bot_token=CHATWOOT_TOKEN,
        chatwoot_webhook_secret="s",
    )


MESSAGES = {
    "long answer": Message(
        "en",
        LONG,
        "Refunds",
        "https://help.example/refunds",
        "Read the full article",
        person="Talk to a person",
    ),
    "15 choices": Message(
        "en",
        "",
        prompt="Did you mean one of these?",
        choices=tuple(Choice(f"article-{i}", t) for i, t in enumerate(TITLES)),
        person="Talk to a person",
    ),
    "3 choices": Message(
        "th",
        "",
        prompt="คุณหมายถึงเรื่องเหล่านี้หรือเปล่า",
        choices=tuple(Choice(f"a{i}", f"คืนเงินภายในกี่วันสำหรับคำสั่งซื้อที่ {i}") for i in range(3)),
    ),
    "handoff": Message(
        "en",
        "I'm passing it to a person.",
        handoff=Handoff("esc_1", "angry", "en", (Choice("refund", "Refunds"),)),
    ),
}


@pytest.mark.parametrize("channel", ["line", "telegram", "whatsapp", "chatwoot"])
@pytest.mark.parametrize("case", list(MESSAGES))
def test_every_part_is_accepted_by_the_platform(platforms: Platforms, channel: str, case: str) -> None:
    adapter = adapters(settings(platforms.url))[channel]
    parts = adapter.parts(MESSAGES[case], {})
    assert parts
    for i, part in enumerate(parts):
        row = ChannelDelivery(i + 1, "s", channel, json.dumps(part), "pending", 0, time.time(), time.time())
        outcome = adapter.send(json.loads(json.dumps(part)), ADDRESS[channel], row, time.time())
        assert outcome.kind == "delivered", (part, outcome)
    assert len(platforms.sent) == len(parts)


def test_line_lists_every_title_and_keeps_room_for_the_person_button(platforms: Platforms) -> None:
    (part,) = adapters(settings(platforms.url))["line"].parts(MESSAGES["15 choices"], {})
    (msg,) = part["messages"]
    items = msg["quickReply"]["items"]
    assert len(items) == 13 and items[-1]["action"]["data"] == "person"
    assert items[0]["action"]["label"] == "1. A rather long…" and TITLES[0] in msg["text"]


def test_whatsapp_uses_a_list_beyond_three_choices(platforms: Platforms) -> None:
    wa = adapters(settings(platforms.url))["whatsapp"]
    (many,) = wa.parts(MESSAGES["15 choices"], {})
    (three,) = wa.parts(MESSAGES["3 choices"], {})
    assert (
        many["interactive"]["type"] == "list"
        and len(many["interactive"]["action"]["sections"][0]["rows"]) == 10
    )
    assert three["interactive"]["type"] == "button" and len(three["interactive"]["action"]["buttons"]) == 3


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("plain", "Refunds take 3 days. See our policy (https://x.test/p)."),
        ("whatsapp", "*Refunds* take _3 days_. See our policy (https://x.test/p)."),
        ("telegram", '<b>Refunds</b> take <i>3 days</i>. See <a href="https://x.test/p">our policy</a>.'),
        ("markdown", "**Refunds** take *3 days*. See [our policy](https://x.test/p)."),
    ],
)
def test_markdown_becomes_what_the_channel_renders(style: str, expected: str) -> None:
    assert render("**Refunds** take *3 days*. See [our policy](https://x.test/p).", style) == expected  # type: ignore[arg-type]


def test_telegram_escapes_customer_visible_text() -> None:
    assert render("Use <b> & `a<b`", "telegram") == "Use  &amp; <code>a&lt;b</code>"  # raw HTML dropped


def test_lists_and_headings() -> None:
    assert (
        render("## Steps\n\n1. Open\n2. Tap\n\n- a\n- b", "plain") == "Steps\n\n1. Open\n2. Tap\n\n• a\n• b"
    )


def test_cutting_keeps_whole_words_and_marks_the_cut() -> None:
    assert cut("short", 10) == "short"
    text = "First paragraph here.\n\nSecond one is much longer than the limit allows."
    assert cut(text, 40) == "First paragraph here.…"
    assert len(cut("word " * 100, 50)) <= 50 and cut("word " * 100, 50).endswith("word…")
    assert label("Talk to a person about my refund", 20) == "Talk to a person…"
    telegram = compose("T", LONG, "https://x.test/a", "Read", "telegram", 4096)
    assert len(re.sub(r"<[^>]+>", "", telegram)) <= 4096 and telegram.endswith(
        '<a href="https://x.test/a">Read</a>'
    )
    assert telegram.count("<b>") == telegram.count("</b>")  # cut before rendering: no tag left open
