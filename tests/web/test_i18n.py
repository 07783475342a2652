"""UI language choice, right-to-left layout, and wrapping of Thai and Chinese text."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page

from tests.web.browser import PHONE, HostSite, NewContext, Server, ask, box, host_page, open_chat, widget

Strings = dict[str, dict[str, str]]  # language → UI string key → text


@pytest.fixture(scope="module")
def strings(demo_server: Server) -> Strings:
    return dict(requests.get(f"{demo_server.url}/v1/widget/config", timeout=10).json()["strings"])


@pytest.mark.parametrize(("locale", "data_lang", "expected"), [
    ("en-US", "th", "th"),           # data-lang wins over the browser
    ("th-TH", "", "th"),             # the browser's language, served by the KB
    ("zh-HK", "", "zh-TW"),          # Hong Kong reads Traditional Chinese
    ("zh-SG", "", "zh-CN"),
    ("ar-EG", "", "en"),             # the KB has no Arabic: the default language
    ("et-EE", "xx", "et"),           # an unknown data-lang is ignored
])
def test_ui_language(host_site: HostSite, context_factory: NewContext, demo_server: Server, strings: Strings,
                     locale: str, data_lang: str, expected: str) -> None:
    page = context_factory(locale=locale).new_page()
    host_page(page, host_site, demo_server, **({"lang": data_lang} if data_lang else {}))
    launcher = widget(page).locator("button.launcher")
    assert launcher.get_attribute("aria-label") == strings[expected]["launcher_label"]
    open_chat(page)
    assert widget(page).locator("h2").inner_text() == strings[expected]["title"]
    assert widget(page).locator(".msg.greeting").inner_text().endswith(strings[expected]["greeting"])
    assert widget(page).locator(".panel").get_attribute("lang") == expected


def test_ui_language_is_a_hint_and_follows_the_customer(host_site: HostSite, page: Page, demo_server: Server,
                                                        strings: Strings) -> None:
    host_page(page, host_site, demo_server)
    open_chat(page)
    with page.expect_request(lambda r: r.url.endswith("/v1/answer")) as sent:
        reply = ask(page, "ลืมรหัสผ่าน")
    assert (sent.value.post_data_json or {})["lang"] == "en"
    assert reply.get_attribute("lang") == "th"
    assert widget(page).get_by_role("button", name=strings["th"]["talk_to_person"]).is_visible()
    with page.expect_request(lambda r: r.url.endswith("/v1/answer")) as sent:
        ask(page, "ยกเลิกคำสั่งซื้อ")
    assert (sent.value.post_data_json or {})["lang"] == "th"


@pytest.mark.parametrize("lang", ["ar", "he"])
def test_right_to_left(host_site: HostSite, page: Page, demo_server: Server, strings: Strings,
                       lang: str) -> None:
    host_page(page, host_site, demo_server, lang=lang)
    open_chat(page)
    panel = widget(page).locator(".panel")
    assert panel.get_attribute("dir") == "rtl" and panel.get_attribute("lang") == lang
    assert widget(page).locator("#fb-input").get_attribute("placeholder") == strings[lang]["placeholder"]
    title, close = box(widget(page).locator("h2")), box(widget(page).locator("button.close"))
    assert close["x"] < title["x"], "the close button belongs on the left in RTL"
    greeting, frame = box(widget(page).locator(".msg.greeting")), box(panel)
    # Bot messages hug the right edge, and read right to left.
    assert frame["x"] + frame["width"] - (greeting["x"] + greeting["width"]) < 30
    assert greeting["x"] - frame["x"] > 30
    assert widget(page).locator(".msg.greeting").evaluate("e => getComputedStyle(e).direction") == "rtl"
    # An English article title among RTL chrome keeps its own direction.
    chip = widget(page).locator(".msg.popular .chip").first
    assert chip.get_attribute("dir") == "auto"
    assert chip.evaluate("e => getComputedStyle(e).direction") == "ltr"


LONG_TH = "ขอคืนเงินได้กี่วันและต้องทำอย่างไรบ้างถ้าสินค้าเสียหายระหว่างการจัดส่งมาถึงบ้านแล้ว"
LONG_ZH = "我的包裹已經顯示送達但是我沒有收到請問要怎麼辦才能找到包裹或是申請退款呢謝謝"


@pytest.mark.parametrize(("question", "lang"), [(LONG_TH, "th"), (LONG_ZH, "zh-TW")])
def test_thai_and_chinese_wrap_without_horizontal_scroll(host_site: HostSite, context_factory: NewContext,
                                                         demo_server: Server, question: str,
                                                         lang: str) -> None:
    page = context_factory(viewport=PHONE).new_page()
    host_page(page, host_site, demo_server)
    open_chat(page)
    reply = ask(page, question)
    customer = widget(page).locator(".msg.customer").last
    assert customer.get_attribute("lang") == lang
    assert reply.get_attribute("lang") == lang
    # Every visible box stays inside the message list (screen-reader-only text is clipped on purpose).
    overflowing = widget(page).locator(".log").evaluate(
        """log => { const edge = log.getBoundingClientRect();
                    return [...log.querySelectorAll('*')].filter(e => !e.closest('.sr')).filter(e => {
                        const r = e.getBoundingClientRect();
                        return r.right > edge.right + 1 || r.left < edge.left - 1; })
                    .map(e => e.tagName + '.' + e.className)
                    .concat(log.scrollWidth > log.clientWidth ? ['log scrolls sideways'] : []); }""")
    assert overflowing == []
    lines = customer.locator("p").evaluate(
        "p => Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight))")
    assert lines >= 2, "a long sentence without spaces must wrap"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
