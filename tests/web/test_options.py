"""The script tag's options: API base, position, greeting (colours and language have their own
tests in test_a11y.py and test_i18n.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.web.browser import DESKTOP, HostSite, Server, ask, box, host_page, open_chat, widget


def test_api_defaults_to_the_scripts_origin_and_data_api_overrides_it(
        host_site: HostSite, page: Page, demo_server: Server, content_server: Server) -> None:
    # The script comes from the demo server, the answers from the content server's KB.
    api_calls: list[str] = []
    page.on("request", lambda r: api_calls.append(r.url) if "/v1/" in r.url else None)
    host_page(page, host_site, demo_server, api=content_server.url)
    open_chat(page)
    reply = ask(page, "how do i wash linen")
    assert reply.locator("h3").inner_text() == "Caring for linen"  # only in the content KB
    assert api_calls and all(url.startswith(content_server.url + "/v1/") for url in api_calls)


@pytest.mark.parametrize(("position", "left"), [("left", True), ("right", False), ("middle", False)])
def test_position(host_site: HostSite, page: Page, demo_server: Server, position: str, left: bool) -> None:
    host_page(page, host_site, demo_server, position=position)
    launcher = box(widget(page).locator("button.launcher"))
    assert (launcher["x"] == 20) is left
    assert (launcher["x"] + launcher["width"] == DESKTOP["width"] - 20) is not left
    open_chat(page)
    assert (box(widget(page).locator(".panel"))["x"] == 20) is left


def test_greeting(host_site: HostSite, page: Page, demo_server: Server) -> None:
    host_page(page, host_site, demo_server, greeting="Tere! Ask us about linen &amp; deliveries.")
    open_chat(page)
    greeting = widget(page).locator(".msg.greeting")
    assert greeting.inner_text().endswith("Tere! Ask us about linen & deliveries.")
