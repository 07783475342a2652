"""One whole HTML page (crawled, or from an export) → its article: title, body, language,
translations (`hreflang` alternates) and the links a crawler follows.

The main content is the element the page marks as such (`itemprop="articleBody"`, its one
`<article>`, `role="main"` or `<main>`, as help-center themes do), without the chrome themes put
inside it (votes, metadata lines, related articles, share buttons), converted like any imported
body. A page without such markup goes to trafilatura, which tells navigation, cookie banners and
footers from the article by itself; it is the second choice because its link-density rules drop
short linked paragraphs of Chinese and Thai text ("請先[辦理退貨]…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.settings import use_config

from kb.sources.html import (
    fragment_to_markdown,
    images_as_links,
    safe_url,
    sanitize,
    strip_title,
    tidy_markdown,
)

_TITLE_SUFFIX = re.compile(r"\s+[|–—·:-]\s+[^|–—·:-]+$")
# What help-center themes (Zendesk Copenhagen, Freshdesk, Intercom, Docusaurus, ...) put around and
# inside the article element that is not the article: votes, "was this helpful", metadata lines,
# breadcrumbs, share and subscribe buttons, related articles, comments, consent banners.
_CHROME = ("vote", "feedback", "helpful", "breadcrumb", "related", "share", "subscribe", "comment",
           "cookie", "consent", "article-meta", "article-info", "post-meta", "toc", "pagination")
_CHROME_TEST = (" or ".join(f"contains(@class,'{w}') or contains(@id,'{w}')" for w in _CHROME)
                + " or contains(concat(' ', normalize-space(@class), ' '), ' meta ')"
                + " or @role='dialog' or @role='alertdialog' or @aria-hidden='true' or @hidden")
PRUNE_XPATH = [f"//*[{_CHROME_TEST}]"]
_CONFIG = use_config()
# Its 250-character minimum sends a short Chinese or Thai article to a fallback that flattens it into
# one line of text; a help-center answer may be short.
_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "10")
_MAIN = ("//*[@itemprop='articleBody']", "//article", "//*[@role='main']", "//main")


@dataclass(frozen=True)
class Page:
    url: str
    title: str
    body: str  # Markdown
    lang: str = ""  # as the page declares it (`<html lang>`), not yet validated
    alternates: dict[str, str] = field(default_factory=dict)  # hreflang → absolute URL
    canonical: str = ""
    updated: str = ""
    links: tuple[str, ...] = ()  # every http(s) link on the page, absolute, without #fragment
    robots_noindex: bool = False
    link_share: float = 0.0  # of the page's visible text, how much is link text (a list page: most)


def extract_page(html: str | bytes, url: str) -> Page:
    """The article a help-center page shows; its body is "" when the page has no main text."""
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return Page(url, "", "")
    doc.make_links_absolute(url, resolve_base_href=True, handle_failures="discard")
    meta = {(m.get("property") or m.get("name") or "").lower(): m.get("content") or ""
            for m in doc.iter("meta")}
    title = meta.get("og:title", "").strip() or _first_text(doc, "h1") or _title_tag(doc)
    alternates = {}
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "alternate" in rel and link.get("hreflang") and safe_url(link.get("href") or ""):
            alternates[link.get("hreflang", "").strip()] = urldefrag(link.get("href", ""))[0]
    canonical = next((urldefrag(x.get("href") or "")[0] for x in doc.iter("link")
                      if "canonical" in (x.get("rel") or "").lower().split()), "")
    links = tuple(dict.fromkeys(
        urldefrag(a.get("href") or "")[0] for a in doc.iter("a")
        if (a.get("href") or "").startswith(("http://", "https://"))
        and "nofollow" not in (a.get("rel") or "").lower()))
    body_el = doc.find("body")
    main = _main_element(doc)
    if main is not None:
        for chrome in main.xpath(f".//*[{_CHROME_TEST}]"):
            chrome.drop_tree()
        body = fragment_to_markdown(lxml.html.tostring(main, encoding="unicode"), url)
    else:
        raw = lxml.html.tostring(body_el if body_el is not None else doc, encoding="unicode")
        body = _main_content(sanitize(raw, url, keep_layout=True), url)
    updated = (meta.get("article:modified_time") or meta.get("og:updated_time")
               or meta.get("last-modified") or "").strip()
    lang = (doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")
            or meta.get("content-language", "")).strip()
    noindex = "noindex" in meta.get("robots", "").lower()
    return Page(url, " ".join(title.split()), strip_title(body, title), lang, alternates, canonical,
                updated, links, noindex, _link_share(body_el if body_el is not None else doc))


def _main_element(doc: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    for xpath in _MAIN:
        found = doc.xpath(xpath)
        if len(found) == 1:
            return found[0]
    return None


def _main_content(html: str, url: str) -> str:
    md = trafilatura.extract(f"<html><body>{html}</body></html>", url=url, output_format="markdown",
                             include_links=True, include_images=True, include_tables=True,
                             include_formatting=True, include_comments=False, favor_recall=True,
                             deduplicate=False, prune_xpath=PRUNE_XPATH, config=_CONFIG)
    return tidy_markdown(images_as_links(md or ""))


def _link_share(el: lxml.html.HtmlElement) -> float:
    for junk in el.xpath(".//script|.//style|.//noscript|.//template"):
        junk.drop_tree()
    total = len("".join(el.text_content().split()))
    linked = sum(len("".join(a.text_content().split())) for a in el.iter("a"))
    return linked / total if total else 1.0


def _first_text(doc: lxml.html.HtmlElement, tag: str) -> str:
    el = next(doc.iter(tag), None)
    return " ".join(el.text_content().split()) if el is not None else ""


def _title_tag(doc: lxml.html.HtmlElement) -> str:
    title = _first_text(doc, "title")
    # "Reset your password – Acme Help Center": the site's name is not the article's title
    return _TITLE_SUFFIX.sub("", title) or title
