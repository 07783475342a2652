"""Article Markdown becomes real DOM: headings, nested lists, emphasis, code, quotes and links."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.web.browser import HostSite, Server, ask, host_page, open_chat, widget


def test_article_markdown_renders_as_structure(host_site: HostSite, page: Page,
                                              content_server: Server) -> None:
    host_page(page, host_site, content_server)
    open_chat(page)
    card = ask(page, "how do i wash linen")
    assert card.locator("h3").inner_text() == "Caring for linen"
    card.locator("h3 button").click()  # the whole article, inside the panel
    view = widget(page).locator(".article-view")
    view.wait_for(state="visible")
    body = view.locator(".body")
    # The body's biggest heading sits one level under the card's title.
    assert body.locator("h4").all_inner_texts() == ["Washing"]
    assert body.locator("h5").all_inner_texts() == ["Stains"]
    assert body.locator("> p").first.inner_text() == "Linen gets softer with every wash."
    assert body.locator("> p em").first.inner_text() == "softer"
    steps = body.locator("> ol > li")
    assert steps.count() == 3
    assert steps.nth(0).locator("strong").inner_text() == "40 °C"
    assert steps.nth(0).locator("em").inner_text() == "mild"
    assert steps.nth(1).locator("> ul > li").all_inner_texts() == ["on a line, or", "in the dryer on low"]
    assert steps.nth(1).locator("strong").inner_text() == "low"
    assert body.locator("code").first.inner_text() == "oxygen bleach"
    links = body.locator("a").evaluate_all("a => a.map(x => [x.textContent, x.href, x.rel, x.target])")
    assert links == [["stain guide", "https://tidewell.example/stains", "noopener noreferrer", "_blank"],
                     ["https://tidewell.example/faq", "https://tidewell.example/faq", "noopener noreferrer",
                      "_blank"]]
    assert body.locator("blockquote").inner_text() == "Never use chlorine bleach."
    assert body.locator("pre code").inner_text() == "care_label <b>40</b>"
    more = view.locator(".more a")
    assert more.get_attribute("href") == "https://tidewell.example/linen-care"
