"""Driving the widget in a real browser: the real server (waitress in a thread), a host site on
another origin, and helpers that act the way a customer does."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import BrowserContext, FloatRect, Locator, Page, ViewportSize
from waitress import create_server

from api import create_app
from bot import ready_bot
from bot.store import Store
from indexer.encoders import Encoder
from kb import KnowledgeBase, Settings
from server.context import EXTENSION, Services

ROOT = Path(__file__).resolve().parents[2]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 360, "height": 740}
# The `context_factory` fixture: new(viewport=PHONE, locale="th-TH", reduced_motion="reduce", ...)
NewContext = Callable[..., BrowserContext]


@dataclass(frozen=True)
class Server:
    url: str
    app: Flask
    kb: KnowledgeBase

    @property
    def store(self) -> Store:
        """The server's own store: checks read exactly what the API wrote."""
        return services_of(self.app).store


def services_of(app: Flask) -> Services:
    found: Services = app.extensions[EXTENSION]
    return found


@contextmanager
def serve(index_dir: Path, encoder: Encoder, tmp: Path, **settings_: Any) -> Iterator[Server]:
    """`create_app` on a free port with waitress in a thread, with its own SQLite store."""
    # The widget runs on host pages of other origins here, as on a shop's site: CORS for any.
    settings = Settings(**{"index_dir": str(index_dir), "store_url": f"sqlite:///{tmp / 'faqbot.db'}",
                           "cors_origins": ("*",), **settings_})
    bot = ready_bot(settings, encoder=encoder)
    app = create_app(settings, bot)
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, name="waitress", daemon=True).start()
    try:
        yield Server(f"http://127.0.0.1:{server.effective_port}", app, bot.kb)
    finally:
        server.close()
        services_of(app).store.close()


class HostSite:
    """A customer's site on another origin than the API: a plain HTTP server on localhost."""

    def __init__(self) -> None:
        pages: dict[str, bytes] = {}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body or b"not found")

            def log_message(self, *args: Any) -> None:
                pass

        self.pages = pages
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # "localhost" vs the API's "127.0.0.1": another origin, yet both loopback, so Chromium's
        # private-network rules (a public page may not call a local server) stay out of the way,
        # as they would between a real shop and a real faqbot server.
        self.url = f"http://localhost:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def add(self, html: str) -> str:
        path = f"/{uuid.uuid4().hex}.html"
        self.pages[path] = html.encode("utf-8")
        return self.url + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def host_page(page: Page, site: HostSite, server: Server, body: str = "", head: str = "",
              **data: str) -> None:
    """Open a page of `site` embedding the widget with `data-*` options, and wait for it."""
    attrs = " ".join(f'data-{k.replace("_", "-")}="{v}"' for k, v in data.items())
    html = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop</title>'
            f'{head}</head><body><main><h1>Shop</h1>{body}</main>'
            f'<script src="{server.url}/widget.js" {attrs} async defer></script></body></html>')
    page.goto(site.add(html))
    page.wait_for_selector("faqbot-widget[data-ready]", state="attached")


def store_page(page: Page, server: Server) -> None:
    """The demo store page the server itself serves at /."""
    page.goto(f"{server.url}/")
    page.wait_for_selector("faqbot-widget[data-ready]", state="attached")


def widget(page: Page) -> Locator:
    return page.locator("faqbot-widget")


def open_chat(page: Page) -> None:
    widget(page).locator("button.launcher").click()
    widget(page).locator(".panel").wait_for(state="visible")
    page.mouse.move(0, 0)  # off the launcher, which grows a little on hover
    settled(page)
    # The greeting comes first, then the popular questions (or the restored transcript).
    widget(page).locator(".msg.greeting").wait_for()


def settled(page: Page) -> None:
    """Wait until the widget's animations and transitions (slide-in, hover) have finished."""
    page.evaluate("""() => Promise.all(document.querySelector('faqbot-widget').shadowRoot.getAnimations()
        .filter(a => a.effect.getTiming().iterations !== Infinity).map(a => a.finished))""")


def ask(page: Page, question: str) -> Locator:
    """Type and send a question; the bot's reply once the typing indicator is gone."""
    before = widget(page).locator(".log > .msg:not(.typing)").count()
    box = widget(page).locator("#fb-input")
    box.fill(question)
    box.press("Enter")
    return last_message(page, before + 2)


def last_message(page: Page, at_least: int) -> Locator:
    """The last message once there are `at_least` and nobody is typing."""
    page.wait_for_function(
        """n => { const r = document.querySelector('faqbot-widget').shadowRoot;
                  return !r.querySelector('.typing') && r.querySelectorAll('.log > .msg').length >= n; }""",
        arg=at_least)
    msgs = widget(page).locator(".log > .msg")
    return msgs.nth(msgs.count() - 1)  # pinned: later messages must not move the locator


def focused(page: Page) -> str:
    """The focused widget element as "tag#id.classes" (+ " in-panel"); "" when focus is elsewhere."""
    return str(page.evaluate("""() => {
        const host = document.querySelector('faqbot-widget');
        if (document.activeElement !== host) return '';
        const el = host.shadowRoot.activeElement;
        if (!el) return '';
        return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.')
               + (el.closest('.panel') ? ' in-panel' : '');
    }"""))


def run_axe(page: Page, axe_source: str) -> dict[str, Any]:
    """axe-core over the whole page; it walks open shadow roots, so the widget is included."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, not as an inline <script>: faqbot's own pages
        # send a CSP that blocks inline scripts, and it must stay on while axe checks them.
        page.evaluate(f"{axe_source}\n;void 0")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations', 'passes']});
        const shadow = r.passes.flatMap(p => p.nodes).filter(n => Array.isArray(n.target[0])).length;
        return {violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))})),
                shadow_nodes_checked: shadow};
    }""")
    return dict(result)


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=1, ensure_ascii=False)[:4000]


def session_id(page: Page, server: Server) -> str:
    """The conversation the widget keeps in localStorage."""
    return str(page.evaluate("k => JSON.parse(localStorage.getItem(k)).id", f"faqbot:{server.url}"))


def transcript(page: Page, server: Server) -> dict[str, Any]:
    """The widget's conversation read over HTTP with the token the widget keeps beside its id."""
    import requests

    saved = page.evaluate("k => JSON.parse(localStorage.getItem(k))", f"faqbot:{server.url}")
    r = requests.get(f"{server.url}/v1/sessions/{saved['id']}", headers={"X-Session-Token": saved["token"]},
                     timeout=10)
    r.raise_for_status()
    found: dict[str, Any] = r.json()
    return found


def box(locator: Locator) -> FloatRect:
    """Where `locator` is drawn; fails when it is not rendered at all."""
    rect = locator.bounding_box()
    assert rect is not None, f"{locator} is not rendered"
    return rect
