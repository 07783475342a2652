"""Hostile content and hostile hosts: a KB article full of script payloads renders inert, and the
host page's CSS cannot break or hide the widget."""

from __future__ import annotations

from playwright.sync_api import Dialog, Locator, Page, Route

from tests.web.browser import DESKTOP, HostSite, Server, ask, box, host_page, open_chat, widget


def assert_inert(page: Page, card: Locator, links_sent: bool = False) -> None:
    """The gift-wrap article's payloads are on screen as text, and nothing they describe exists:
    in the answer's passage and in the whole article the panel opens. The server leaves out the
    lines with javascript: and data: links (kb.links.published) unless `links_sent` (a response
    rewritten on the way, as an older or hostile server would send it)."""
    assert "<img src=x onerror=" in card.locator("h3").inner_text()
    log = widget(page).locator(".log")
    for tag in ("script", "img", "iframe", "b", "svg", "style", "object", "embed"):
        assert log.locator(tag).count() == 0, tag
    card.locator("h3 button").click()  # the whole article, inside the panel
    view = widget(page).locator(".article-view")
    view.wait_for(state="visible")
    text = view.inner_text()
    assert "<script>window.__pwned = 'script'" in text
    assert ("Click for a coupon" in text and "raw anchor" in text) is links_sent
    for tag in ("script", "img", "iframe", "b", "svg", "style", "object", "embed"):
        assert view.locator(tag).count() == 0, tag
    links = view.locator(".body a").evaluate_all("a => a.map(x => [x.getAttribute('href'), x.rel, x.target])")
    assert links == [["https://tidewell.example/gifts", "noopener noreferrer", "_blank"],
                     ["mailto:gifts@tidewell.example", "noopener noreferrer", "_blank"]]
    assert view.locator(".more a").count() == 0  # its url is javascript:
    view.locator("h3").hover()
    view.get_by_role("button", name="Back to the chat").click()
    card.locator("h3").hover()
    page.wait_for_load_state("networkidle")  # an image a payload had created would have failed by now
    assert page.evaluate("() => window.__pwned") is None


def test_malicious_article_renders_inert(host_site: HostSite, page: Page, content_server: Server) -> None:
    dialogs: list[str] = []

    def dismiss(d: Dialog) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dismiss)
    host_page(page, host_site, content_server)
    open_chat(page)
    card = ask(page, "do you offer gift wrapping")
    assert "answer" in (card.get_attribute("class") or ""), card.inner_text()
    assert_inert(page, card)
    # The restored transcript takes another path (GET /v1/articles/<id>): just as inert.
    page.reload()
    page.wait_for_selector("faqbot-widget[data-ready]", state="attached")
    open_chat(page)
    restored = widget(page).locator(".msg.answer")
    restored.wait_for()
    assert_inert(page, restored)
    assert dialogs == []


HOSTILE_CSS = """<style>
  * { all: unset !important; }
  html, body { font-size: 4px !important; line-height: 0 !important; direction: rtl; letter-spacing: 9px; }
  button, input, form, div, p, span, h2, svg { display: none !important; visibility: hidden !important; }
  faqbot-widget { opacity: 0 !important; visibility: hidden !important; position: absolute !important;
                  transform: scale(0) !important; pointer-events: none !important; --fb-p: red; }
  :root { --fb-p: red; --fb-op: red; color: white !important; }
</style>"""


def test_hostile_host_css_cannot_break_the_widget(host_site: HostSite, page: Page,
                                                  demo_server: Server) -> None:
    host_page(page, host_site, demo_server, head=HOSTILE_CSS, body="<div><button>host</button></div>")
    launcher = box(widget(page).locator("button.launcher"))
    assert (launcher["width"], launcher["height"]) == (60, 60)
    assert launcher["x"] + launcher["width"] == DESKTOP["width"] - 20  # bottom right, as designed
    assert launcher["y"] + launcher["height"] == DESKTOP["height"] - 20
    open_chat(page)
    panel = widget(page).locator(".panel")
    assert box(panel)["width"] == 384
    reply = ask(page, "wheres my parcel")
    assert reply.locator("h3").inner_text() == "Track your order"
    styles = reply.locator("h3").evaluate(
        "e => ['fontSize', 'visibility', 'letterSpacing'].map(k => getComputedStyle(e)[k])")
    assert styles == ["16px", "visible", "normal"]
    assert panel.evaluate("e => getComputedStyle(e).direction") == "ltr"
    head = widget(page).locator(".head").evaluate("e => getComputedStyle(e).backgroundColor")
    assert head == "rgb(15, 91, 102)"  # the default colour, not the host's custom property


def test_hostile_links_in_a_response_render_inert(host_site: HostSite, page: Page,
                                                  content_server: Server) -> None:
    """What faqbot no longer sends, the widget still defuses: the answer's url and body links as an
    index built before the loader refused them would carry them, put back into the response."""
    dialogs: list[str] = []

    def dismiss(d: Dialog) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dismiss)

    def hostile(route: Route) -> None:
        response = route.fetch()
        data = response.json()
        if data.get("answer"):
            data["answer"]["url"] = "javascript:window.__pwned='url'"
            data["answer"]["body"] += (
                "\n\n[Click for a coupon](javascript:alert('link')) or [this one](JaVaScRiPt:alert(1)) or\n"
                "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==).\n\n"
                "- <a href=\"javascript:alert('raw')\">raw anchor</a>\n")
        route.fulfill(response=response, json=data)

    page.route("**/v1/answer", hostile)
    host_page(page, host_site, content_server)
    open_chat(page)
    card = ask(page, "do you offer gift wrapping")
    assert "answer" in (card.get_attribute("class") or ""), card.inner_text()
    assert_inert(page, card, links_sent=True)
    assert dialogs == []
