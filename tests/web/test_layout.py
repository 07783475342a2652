"""Layout: a floating panel on desktop, full screen on a 360×740 phone, and never a horizontal
scrollbar on the host page."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.web.browser import (
    DESKTOP,
    PHONE,
    NewContext,
    Server,
    ask,
    box,
    open_chat,
    store_page,
    widget,
)


def test_phone_panel_is_full_screen_without_horizontal_scroll(context_factory: NewContext,
                                                              demo_server: Server) -> None:
    page = context_factory(viewport=PHONE).new_page()
    store_page(page, demo_server)
    open_chat(page)
    ask(page, "how do i return an item")
    assert box(widget(page).locator(".panel")) == {"x": 0, "y": 0, "width": 360, "height": 740}
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert widget(page).locator(".log").evaluate("e => e.scrollWidth <= e.clientWidth")
    assert widget(page).locator("button.launcher").is_hidden()  # the panel has its own close button
    widget(page).get_by_role("button", name="Close chat").click()
    assert widget(page).locator("button.launcher").is_visible()


def test_desktop_panel_floats_above_the_launcher(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    open_chat(page)
    panel, launcher = box(widget(page).locator(".panel")), box(widget(page).locator("button.launcher"))
    assert (panel["width"], panel["height"]) == (384, 640)
    assert panel["x"] + panel["width"] == DESKTOP["width"] - 20
    assert launcher["x"] + launcher["width"] == DESKTOP["width"] - 20
    assert panel["y"] + panel["height"] < launcher["y"]
    assert widget(page).locator("button.launcher").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= DESKTOP["width"]
