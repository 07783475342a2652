"""Keyboard only: open, ask, rate, ask for a person, close; focus moves in, is trapped, comes back."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.web.browser import Server, focused, last_message, session_id, store_page, widget


def tab_to(page: Page, target: str, key: str = "Tab", limit: int = 60) -> None:
    """Press `key` until the focused widget element's description contains `target`."""
    for _ in range(limit):
        if target in focused(page):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{target!r} never got focus; focus is on {focused(page)!r}")


def test_full_flow_with_keyboard_only(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    page.locator("body").focus()
    tab_to(page, "button.launcher")  # reachable from the page's own tab order
    page.keyboard.press("Enter")
    assert focused(page) == "input#fb-input. in-panel"
    assert widget(page).locator("button.launcher").get_attribute("aria-expanded") == "true"
    widget(page).locator(".msg.greeting").wait_for()

    page.keyboard.type("how do i track my order")
    page.keyboard.press("Enter")
    reply = last_message(page, 4)
    assert reply.locator("h3").inner_text() == "Track your order"

    tab_to(page, "chip.small")  # "Yes" of "Was this helpful?"
    assert page.evaluate(
        "() => document.querySelector('faqbot-widget').shadowRoot.activeElement.textContent") == "Yes"
    page.keyboard.press("Enter")
    reply.get_by_text("Thanks for your feedback!").wait_for()

    tab_to(page, "button.linkbtn in-panel")  # Talk to a person (not "Read the full article")
    page.keyboard.press("Enter")
    assert focused(page) == "input#fb-f-name. in-panel"
    page.keyboard.type("Kai")
    page.keyboard.press("Tab")
    page.keyboard.type("kai@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("Please call me")
    page.keyboard.press("Tab")
    assert focused(page) == "button.primary in-panel"
    page.keyboard.press("Enter")
    widget(page).locator(".msg.sent").wait_for()
    assert focused(page) == "input#fb-input. in-panel"

    page.keyboard.press("Escape")
    assert widget(page).locator(".panel").is_hidden()
    assert focused(page) == "button.launcher"
    assert widget(page).locator("button.launcher").get_attribute("aria-expanded") == "false"
    session = session_id(page, demo_server)
    esc = demo_server.store.open_escalation(session)
    assert esc is not None and esc.contact.email == "kai@example.com"


def test_focus_is_trapped_while_open(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    widget(page).locator("button.launcher").click()
    widget(page).locator(".msg.popular .chip").first.wait_for()
    seen, outlines = [], set()
    for _ in range(25):
        page.keyboard.press("Tab")
        seen.append(focused(page))
        outlines.add(page.evaluate("""() => { const s = getComputedStyle(
            document.querySelector('faqbot-widget').shadowRoot.activeElement);
            return s.outlineStyle + ' ' + (parseFloat(s.outlineWidth) >= 2); }"""))
    assert all(s.endswith(" in-panel") for s in seen), seen
    assert outlines == {"solid true"}, "every focused control shows a visible outline"
    assert "button.icon.close in-panel" in seen and "input#fb-input. in-panel" in seen
    backwards = []
    for _ in range(25):
        page.keyboard.press("Shift+Tab")
        backwards.append(focused(page))
    assert all(s.endswith(" in-panel") for s in backwards), backwards
    # Both directions cycle through the same elements.
    assert set(seen) == set(backwards)


def test_close_button_returns_focus_to_the_launcher(page: Page, demo_server: Server) -> None:
    store_page(page, demo_server)
    launcher = widget(page).locator("button.launcher")
    launcher.focus()
    page.keyboard.press("Enter")
    widget(page).locator(".msg.greeting").wait_for()
    tab_to(page, "button.icon.close", key="Shift+Tab")
    page.keyboard.press("Enter")
    assert widget(page).locator(".panel").is_hidden()
    assert focused(page) == "button.launcher"
