"""A public help-center website: its sitemap and same-site links under the start path.

robots.txt is obeyed (Protego: wildcards, `Crawl-delay`, `Sitemap:`), requests are spaced by
`crawl_delay` (or the site's longer `Crawl-delay`), at most `crawl_max_pages` pages are fetched,
and pages that name each other as `hreflang` alternates become one article in several languages.
Pages without article text (category lists, the home page) are skipped.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from pathlib import PurePosixPath
from urllib.parse import unquote, urldefrag, urlsplit, urlunsplit

import lxml.etree
from protego import Protego

from kb.errors import LanguageCodeError
from kb.languages import normalize_lang
from kb.passages import plain_text, weighted_length
from kb.settings import Settings
from kb.sources.base import Failure, Fetched, Progress, SourceDoc, source_languages
from kb.sources.http import HttpClient, SourceError
from kb.sources.page import Page, extract_page

log = logging.getLogger(__name__)
MIN_ARTICLE_TEXT = 40  # weighted characters of non-link text; a category list has less
MAX_LINK_SHARE = 0.6  # a page whose text is mostly links lists articles; it is not one
MAX_SITEMAPS = 50
_XHTML = "{http://www.w3.org/1999/xhtml}link"


@dataclass
class _Sitemap:
    urls: dict[str, str] = field(default_factory=dict)  # URL → lastmod
    alternates: dict[str, dict[str, str]] = field(default_factory=dict)  # URL → hreflang → URL


class Crawl:
    def __init__(self, start: str, settings: Settings, http: HttpClient | None = None) -> None:
        parts = urlsplit(start.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SourceError(f"{start}: a website to crawl starts with http:// or https://")
        self.start = normalize_url(start.strip())
        self.name = self.start
        self.origin = f"{parts.scheme}://{parts.netloc.lower()}"
        path = urlsplit(self.start).path or "/"
        self.scope = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        self.max_pages = settings.crawl_max_pages
        self.default_lang = settings.default_lang
        self.agent = settings.crawl_user_agent
        self.http = http or HttpClient(
            "the website", parts.netloc, timeout=settings.http_timeout, retries=settings.http_retries,
            max_wait=settings.http_max_wait, min_interval=settings.crawl_delay,
            headers={"User-Agent": f"{self.agent} (+faqbot help-center import)"})

    def in_scope(self, url: str) -> bool:
        p = urlsplit(url)
        return f"{p.scheme}://{p.netloc.lower()}" == self.origin and (p.path or "/").startswith(self.scope)

    def fetch(self, progress: Progress | None = None) -> Fetched:
        robots = self._robots()
        self.http.min_interval = max(self.http.min_interval, float(robots.crawl_delay(self.agent) or 0))
        sitemap = self._sitemaps([*robots.sitemaps, f"{self.origin}/sitemap.xml"], robots)
        out = Fetched()
        queue = deque([self.start, *(u for u in sitemap.urls if self.in_scope(u))])
        queued = set(queue)
        pages: dict[str, Page] = {}
        fetched = 0
        while queue and fetched < self.max_pages:
            url = queue.popleft()
            if not robots.can_fetch(url, self.agent):
                out.skipped["disallowed by robots.txt"] += 1
                continue
            fetched += 1
            page = self._page(url, out)
            if progress:
                progress(fetched, min(self.max_pages, fetched + len(queue)))
            if page is None:
                continue
            new = [*page.links, *page.alternates.values(), *([page.canonical] if page.canonical else [])]
            for link in map(normalize_url, new):
                if link not in queued and self.in_scope(link) and not urlsplit(link).query:
                    queued.add(link)
                    queue.append(link)
            duplicate = page.canonical and page.canonical != page.url and page.canonical in queued
            if page.url in pages or duplicate:
                continue  # another URL of a page already (or soon) read
            if page.robots_noindex:
                out.skipped["noindex"] += 1
            elif not is_article(page):
                out.skipped["no article text"] += 1
            else:
                pages[page.url] = page
        if queue:
            out.skipped[f"beyond crawl_max_pages ({self.max_pages})"] += len(queue)
            out.complete = False
        out.docs.extend(self._docs(pages, sitemap, out))
        return out

    def _robots(self) -> Protego:
        resp = self.http.get(f"{self.origin}/robots.txt", ok=frozenset({404, 410}))
        # No robots.txt (4xx) allows everything (RFC 9309); a 5xx after retries already failed above.
        return Protego.parse(resp.text if resp.ok else "")

    def _page(self, url: str, out: Fetched) -> Page | None:
        try:
            resp = self.http.get(url, ok=frozenset({404, 410}))
        except SourceError as e:
            if url == self.start:
                raise
            out.failures.append(Failure(url, str(e)))
            return None
        final = normalize_url(resp.url)
        if resp.status_code in (404, 410):
            out.skipped["gone (404)"] += 1
            return None
        if not self.in_scope(final):
            out.skipped["redirected off the site"] += 1
            return None
        if "html" not in resp.headers.get("Content-Type", "text/html"):
            out.skipped["not HTML"] += 1
            return None
        page = extract_page(resp.content, final)
        updated = page.updated or _http_date(resp.headers.get("Last-Modified", ""))
        return replace(page, url=final, updated=updated,
                       alternates={k: normalize_url(v) for k, v in page.alternates.items()},
                       canonical=normalize_url(page.canonical) if page.canonical else "")

    def _sitemaps(self, roots: Iterable[str], robots: Protego) -> _Sitemap:
        found = _Sitemap()
        todo, seen = deque(dict.fromkeys(roots)), set[str]()
        while todo and len(seen) < MAX_SITEMAPS:
            url = todo.popleft()
            if url in seen or urlsplit(url).netloc.lower() != urlsplit(self.origin).netloc:
                continue
            seen.add(url)
            try:
                resp = self.http.get(url, ok=frozenset({404, 410}))
            except SourceError as e:
                log.warning("sitemap %s not read: %s", url, e)
                continue
            if not resp.ok:
                continue
            try:
                root = lxml.etree.fromstring(resp.content, lxml.etree.XMLParser(
                    resolve_entities=False, no_network=True, huge_tree=False))
            except lxml.etree.XMLSyntaxError:
                log.warning("sitemap %s is not valid XML", url)
                continue
            for el in root:
                loc = (el.findtext("{*}loc") or "").strip()
                if not loc:
                    continue
                if lxml.etree.QName(el).localname == "sitemap":
                    todo.append(loc)
                    continue
                loc = normalize_url(loc)
                found.urls[loc] = (el.findtext("{*}lastmod") or "").strip()
                alts = {a.get("hreflang", ""): normalize_url(a.get("href", "")) for a in el.iter(_XHTML)
                        if a.get("rel") == "alternate" and a.get("hreflang") and a.get("href")}
                if alts:
                    found.alternates[loc] = alts
        return found

    def _docs(self, pages: dict[str, Page], sitemap: _Sitemap, out: Fetched) -> list[SourceDoc]:
        """Pages joined into articles by their hreflang alternates, one version a language."""
        parent = {u: u for u in pages}

        def root(u: str) -> str:
            while parent[u] != u:
                parent[u] = parent[parent[u]]
                u = parent[u]
            return u

        declared: dict[str, str] = {}  # URL → the hreflang that names it
        x_default: set[str] = set()
        for url, page in pages.items():
            for code, alt in {**sitemap.alternates.get(url, {}), **page.alternates}.items():
                if code.lower() == "x-default":
                    x_default.add(alt)
                    continue
                declared.setdefault(alt, code)
                if alt in pages:
                    parent[root(alt)] = root(url)
        groups: dict[str, list[str]] = {}
        for url in sorted(pages):
            groups.setdefault(root(url), []).append(url)
        raw = {url: declared.get(url) or pages[url].lang or self.default_lang for url in pages}
        langs = source_languages(set(raw.values()))
        docs = []
        for members in groups.values():
            by_lang: dict[str, str] = {}
            for url in members:
                lang = langs.get(raw[url]) or _fallback_lang(raw[url], self.default_lang)
                if lang in by_lang:
                    out.failures.append(Failure(url, f"{url}: a second page in {lang} for the article "
                                                     f"of {by_lang[lang]}; skipped"))
                    continue
                by_lang[lang] = url
            rep = next((u for u in members if u in x_default), None) or by_lang.get(self.default_lang) \
                or min(members)
            for lang, url in by_lang.items():
                page = pages[url]
                how = "hreflang" if url in declared else "lang attribute" if page.lang else "default_lang"
                docs.append(SourceDoc(
                    group=rep, lang=lang, title=page.title, body=page.body, url=url,
                    updated=page.updated or sitemap.urls.get(url, ""), source_id=url, slug=_slug_of(rep),
                    primary=url == rep, declared=f"{how} {raw[url]}"))
        return docs


def normalize_url(url: str) -> str:
    """Without #fragment, default port or empty path, with a lower-case host."""
    p = urlsplit(urldefrag(url.strip())[0])
    host = p.netloc.lower()
    if (p.scheme, host.rsplit(":", 1)[-1]) in (("http", "80"), ("https", "443")):
        host = host.rsplit(":", 1)[0]
    return urlunsplit((p.scheme.lower(), host, p.path or "/", p.query, ""))


def _slug_of(url: str) -> str:
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    return name.rsplit(".", 1)[0] if name.endswith((".html", ".htm")) else name


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def is_article(page: Page) -> bool:
    """A page with a title and text of its own: not a list of links to other pages."""
    own = weighted_length(plain_text(_LINK.sub(" ", page.body)))
    return bool(page.title) and own >= MIN_ARTICLE_TEXT and page.link_share < MAX_LINK_SHARE


def _fallback_lang(code: str, default: str) -> str:
    try:
        return normalize_lang(code)
    except LanguageCodeError:
        return default


def _http_date(value: str) -> str:
    try:
        return parsedate_to_datetime(value).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""
    except (TypeError, ValueError):
        return ""
