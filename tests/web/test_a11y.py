"""WCAG 2.1 AA: axe-core on the page and inside the shadow root, dialog semantics, contrast of any
brand colour, reduced motion."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, ViewportSize

from tests.web.browser import (
    DESKTOP,
    PHONE,
    HostSite,
    NewContext,
    Server,
    ask,
    describe,
    host_page,
    open_chat,
    run_axe,
    store_page,
    widget,
)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("state", ["closed", "open", "answered", "form"])
def test_axe_finds_no_violations(context_factory: NewContext, demo_server: Server, axe_source: str,
                                 viewport: ViewportSize, state: str) -> None:
    page = context_factory(viewport=viewport).new_page()
    store_page(page, demo_server)
    if state != "closed":
        open_chat(page)
        widget(page).locator(".msg.popular .chip").first.wait_for()
    if state in ("answered", "form"):
        ask(page, "how do i return an item")
    if state == "form":
        widget(page).get_by_role("button", name="Talk to a person").last.click()
        form = widget(page).locator("form.handoff")
        form.get_by_label("Email").fill("not-an-email")
        form.get_by_role("button", name="Send to our team").click()  # shows the error state too
        form.locator(".err").wait_for()
    result = run_axe(page, axe_source)
    assert result["violations"] == [], describe(result["violations"])
    assert result["shadow_nodes_checked"] > 0, "axe did not look inside the shadow root"


@pytest.mark.parametrize("lang", ["ar", "he"])
def test_axe_finds_no_violations_right_to_left(host_site: HostSite, page: Page, demo_server: Server,
                                               axe_source: str, lang: str) -> None:
    host_page(page, host_site, demo_server, lang=lang)
    open_chat(page)
    widget(page).locator(".msg.popular .chip").first.wait_for()
    result = run_axe(page, axe_source)
    assert result["violations"] == [], describe(result["violations"])


def test_dialog_semantics(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    launcher = widget(page).get_by_role("button", name="Open help chat")
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.click()
    dialog = widget(page).get_by_role("dialog", name="Help")
    assert dialog.is_visible()
    assert dialog.get_attribute("aria-modal") == "true"
    assert launcher.get_attribute("aria-expanded") == "true"
    assert widget(page).get_by_label("Your question").is_visible()
    reply = ask(page, "wheres my parcel")
    live = widget(page).locator("[aria-live=polite]")
    assert "Track your order" in live.inner_text()
    assert reply.locator(".sr").first.inner_text().startswith("Assistant")


def rgb(css: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", css)[:3])


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    def lum(c: tuple[int, ...]) -> float:
        lin = [(v / 255) / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize(("color", "text_color", "expect_bg"), [
    ("#ffeb3b", "#ffffff", "rgb(255, 235, 59)"),   # white on yellow: text is switched to black
    ("#7fdbff", "", "rgb(127, 219, 255)"),         # light brand colour: links darkened
    ("#222", "#333", "rgb(34, 34, 34)"),           # dark on dark: text switched to white
    ("red", "", "rgb(15, 91, 102)"),               # not a hex colour: refused, default used
    ("#6a1b9a", "#ffffff", "rgb(106, 27, 154)"),   # already fine: kept as given
])
def test_any_brand_colour_keeps_4_5_to_1(host_site: HostSite, page: Page, demo_server: Server, color: str,
                                         text_color: str, expect_bg: str) -> None:
    options = {"color": color, **({"text_color": text_color} if text_color else {})}
    host_page(page, host_site, demo_server, **options)
    open_chat(page)
    reply = ask(page, "wheres my parcel")
    head = widget(page).locator(".head")
    bg, fg = head.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
    assert bg == expect_bg
    assert contrast(rgb(bg), rgb(fg)) >= 4.5
    if color == "#6a1b9a":
        assert fg == "rgb(255, 255, 255)"
    links = reply.locator("a, .linkbtn").all()  # links in the passage, "Read the full article"
    assert links
    for link in links:
        assert contrast(rgb(link.evaluate("e => getComputedStyle(e).color")), (241, 243, 246)) >= 4.5
    customer = widget(page).locator(".msg.customer").last
    c_bg, c_fg = customer.evaluate("e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).color]")
    assert contrast(rgb(c_bg), rgb(c_fg)) >= 4.5


def test_reduced_motion_stops_animations(context_factory: NewContext, demo_server: Server) -> None:
    for motion, expect_none in (("reduce", True), ("no-preference", False)):
        page = context_factory(reduced_motion=motion).new_page()
        store_page(page, demo_server)
        open_chat(page)
        names = widget(page).locator(".panel").evaluate("e => getComputedStyle(e).animationName")
        assert (names == "none") is expect_none, (motion, names)
