"""A KB rendered as the public help-center website a team would have, served on localhost.

It stands in for "any website" in the import tests and the round-trip measurement
(`python -m eval.roundtrip`): every article version is a page in its language with the things real
help centers put around an article — cookie banner, header navigation and search, breadcrumbs,
a "related articles" sidebar, a feedback widget, a footer, analytics scripts — plus `hreflang`
alternates, per-language category pages, a sitemap index with alternates, and robots.txt
(which disallows a staff area that the pages still link to).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from kb import Article, KnowledgeBase

SITE = "Tidewell Help Center"
# How the site spells its languages in hreflang and <html lang> (BCP 47, as browsers and CMSs do).
HREFLANG = {"zh-TW": "zh-Hant", "zh-CN": "zh-Hans"}
_UI = {  # the chrome around articles, in each language
    "en": ("Home", "Orders", "Billing", "Account", "Contact us", "Related articles", "Was this article helpful?",
           "We use cookies to improve your experience. By using this site you accept our cookie policy.",
           "Accept all cookies", "Search the help center"),
}


def path_of(a: Article) -> str:
    """The page's path: the one in the article's `url` when it has one."""
    return urlsplit(a.url).path if a.url else f"/{a.lang}/{a.id}"


def render_site(kb: KnowledgeBase, base: str, *, updated: str | None = None) -> dict[str, tuple[str, bytes]]:
    """path → (content type, body) of every file of the site at `base` (no trailing slash)."""
    md = MarkdownIt("commonmark").enable("table")
    files: dict[str, tuple[str, bytes]] = {}
    by_lang: dict[str, list[Article]] = {}
    for a in kb:
        by_lang.setdefault(a.lang, []).append(a)
        files[path_of(a)] = ("text/html; charset=utf-8",
                             _article_page(kb, a, base, md, updated or a.updated).encode())
    for lang, articles in by_lang.items():
        files[f"/{lang}/"] = ("text/html; charset=utf-8", _index_page(lang, articles).encode())
    files["/"] = ("text/html; charset=utf-8", _index_page(kb.default_lang, [
        a for a in kb if a.lang == kb.default_lang]).encode())
    files["/staff/handbook"] = ("text/html; charset=utf-8", _page("en", "Staff handbook", "", (
        "<main><h1>Staff handbook</h1><p>Internal notes for the support team: escalation rota, refund "
        "approval limits and the on-call phone numbers. Not for customers.</p></main>")).encode())
    files["/robots.txt"] = ("text/plain", (
        f"User-agent: *\nDisallow: /staff/\nDisallow: /search\nSitemap: {base}/sitemap.xml\n").encode())
    files["/sitemap.xml"] = ("application/xml", (
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/sitemap-articles.xml</loc></sitemap></sitemapindex>\n").encode())
    files["/sitemap-articles.xml"] = ("application/xml", _sitemap(kb, base, updated).encode())
    return files


def _alternates(kb: KnowledgeBase, a: Article, base: str) -> list[tuple[str, str]]:
    versions = kb.translations(a.id)
    out = [(HREFLANG.get(lang, lang), base + path_of(v)) for lang, v in sorted(versions.items())]
    default = versions.get(kb.default_lang)
    return out + ([("x-default", base + path_of(default))] if default else [])


def _article_page(kb: KnowledgeBase, a: Article, base: str, md: MarkdownIt, updated: str) -> str:
    links = "".join(f'<link rel="alternate" hreflang="{h}" href="{html.escape(u)}">'
                    for h, u in _alternates(kb, a, base))
    head = (f'<meta property="og:title" content="{html.escape(a.title)}">'
            f'<meta property="og:type" content="article">'
            f'<meta property="article:modified_time" content="{updated}T08:00:00Z">'
            f'<link rel="canonical" href="{base}{path_of(a)}">{links}')
    related = [x for x in kb if x.lang == a.lang and x.id != a.id][:3]
    aside = "".join(f'<li><a href="{path_of(x)}">{html.escape(x.title)}</a></li>' for x in related)
    ui = _UI["en"]
    body = (f'<nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/{a.lang}/">{SITE}</a> › '
            f'<a href="/{a.lang}/#{html.escape(a.tags[0] if a.tags else "general")}">'
            f'{html.escape((a.tags[0] if a.tags else "general").title())}</a></nav>'
            f'<main id="main"><article class="article"><header class="article-header"><h1>{html.escape(a.title)}</h1>'
            f'<p class="meta">Updated {updated}</p></header>'
            f'<div class="article-body">{md.render(a.body)}</div>'
            f'<div class="article-votes"><p>{ui[6]}</p><button>Yes</button><button>No</button></div></article>'
            f'<aside class="related-articles"><h2>{ui[5]}</h2><ul>{aside}</ul></aside></main>')
    return _page(HREFLANG.get(a.lang, a.lang), f"{a.title} – {SITE}", head, body)


def _index_page(lang: str, articles: list[Article]) -> str:
    groups: dict[str, list[Article]] = {}
    for a in sorted(articles, key=lambda x: x.title):
        groups.setdefault(a.tags[0] if a.tags else "general", []).append(a)
    body = "".join(f'<section id="{html.escape(t)}"><h2>{html.escape(t.title())}</h2><ul>'
                   + "".join(f'<li><a href="{path_of(a)}">{html.escape(a.title)}</a></li>' for a in items)
                   + "</ul></section>" for t, items in sorted(groups.items()))
    return _page(HREFLANG.get(lang, lang), SITE, "", f'<main><h1>{SITE}</h1>{body}</main>')


def _page(lang: str, title: str, head: str, body: str) -> str:
    ui = _UI["en"]
    nav = "".join(f'<li><a href="/en/#{x.lower()}">{x}</a></li>' for x in ui[1:4])
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>{head}'
        '<link rel="stylesheet" href="/assets/site.css"><script src="/assets/analytics.js" async></script>'
        '<script>window.dataLayer=window.dataLayer||[];dataLayer.push({"event":"page_view"});</script>'
        '<style>.cookie-banner{position:fixed;bottom:0}</style></head><body>'
        f'<div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookie consent"><p>{ui[7]}</p>'
        f'<button onclick="acceptCookies()">{ui[8]}</button> <a href="/en/cookies">Cookie settings</a></div>'
        f'<header class="site-header"><a class="logo" href="/">{SITE}</a><nav class="site-nav" aria-label="Main">'
        f'<ul><li><a href="/">{ui[0]}</a></li>{nav}<li><a href="/en/contact-support">{ui[4]}</a></li>'
        f'<li><a href="/search?q=">Search</a></li></ul></nav>'
        f'<form class="search" action="/search"><input name="q" placeholder="{ui[9]}"><button>Search</button></form>'
        f'</header>{body}'
        '<footer class="site-footer"><nav aria-label="Footer"><a href="/en/">English</a> · <a href="/th/">ไทย</a> · '
        '<a href="/et/">Eesti</a> · <a href="/zh-TW/">繁體中文</a> · <a href="/zh-CN/">简体中文</a></nav>'
        '<p>© 2026 Tidewell Ltd. All rights reserved. <a href="/en/privacy">Privacy policy</a> · '
        '<a href="/en/terms">Terms of service</a> · <a href="/staff/handbook">Staff</a></p></footer>'
        '<iframe class="chat" src="https://chat.example/widget" title="Chat"></iframe>'
        '<script>document.querySelectorAll("a").forEach(function(a){a.dataset.t=1})</script></body></html>')


def _sitemap(kb: KnowledgeBase, base: str, updated: str | None) -> str:
    rows = []
    for a in kb:
        alts = "".join(f'<xhtml:link rel="alternate" hreflang="{h}" href="{html.escape(u)}"/>'
                       for h, u in _alternates(kb, a, base))
        rows.append(f"<url><loc>{base}{path_of(a)}</loc><lastmod>{updated or a.updated}</lastmod>{alts}</url>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">' + "".join(rows) + "</urlset>\n")


class _Handler(BaseHTTPRequestHandler):
    files: Mapping[str, tuple[str, bytes]] = {}
    log: list[str]

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.log.append(self.path)
        found = self.files.get(urlsplit(self.path).path)
        if found is None:
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body><h1>Not found</h1></body></html>")
            return
        self.send_response(200)
        self.send_header("Content-Type", found[0])
        self.send_header("Content-Length", str(len(found[1])))
        self.end_headers()
        self.wfile.write(found[1])

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class SiteServer:
    """The site on 127.0.0.1; `publish(files)` replaces what it serves (a help center that changed)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        handler: type[_Handler] = type("Handler", (_Handler,), {"files": {}, "log": self.requests})
        self._handler = handler
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def publish(self, files: Mapping[str, tuple[str, bytes]]) -> None:
        self._handler.files = dict(files)


@contextmanager
def serve_site() -> Iterator[SiteServer]:
    server = SiteServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
