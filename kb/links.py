"""Links in articles: only http, https, mailto and relative URLs get into the KB, and only they get out.

The loader refuses an article whose `url`, Markdown links, images or raw HTML attributes point
anywhere else (javascript:, data:, file:, vbscript:, ...), naming the line. `published` makes the
same rule hold for articles that reached the bot another way (an index built before this check, a
tampered articles.jsonl): such a url becomes "" and the body loses the lines that carry such a link.

Links are found by markdown-it (CommonMark, with tables) and html.parser, and read by urllib.parse,
which strips what browsers strip (leading control characters and spaces, tabs and newlines inside),
so "java\tscript:" is read as the javascript: it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from kb.errors import shown
from kb.models import Article

ALLOWED_SCHEMES = ("http", "https", "mailto")
# Attributes of raw HTML in a body that browsers follow or load.
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "cite", "background",
                             "data", "xlink:href", "srcset"})


@dataclass(frozen=True)
class BadLink:
    """A link that may not be published, on body lines `first`..`last` (0-based, inclusive)."""

    first: int
    last: int
    url: str
    problem: str


def url_problem(url: str) -> str | None:
    """Why `url` may not be published, or None when it may."""
    try:
        scheme = urlsplit(url).scheme
    except ValueError as e:
        return f"{shown(url)} is not a valid URL ({e})"
    if scheme and scheme not in ALLOWED_SCHEMES:
        return (f"{shown(url)} has the scheme {scheme + ':'!r}; only http, https, mailto and "
                "relative URLs are allowed")
    return None


def bad_links(body: str) -> list[BadLink]:
    """Every link, image and raw HTML URL attribute in the Markdown `body` that may not be
    published, in order."""
    env: dict[str, Any] = {}
    found: list[BadLink] = []
    for token in _parser().parse(body, env):
        if token.type == "inline" and token.map and token.children:
            found.extend(_inline(token.children, token.map[0]))
        elif token.type == "html_block" and token.map:
            found.extend(BadLink(token.map[0], token.map[1] - 1, url, problem)
                         for url, problem in _html_urls(token.content))
    # Reference definitions ("[r]: javascript:..."), used or not, at the line that defines them.
    for ref in env.get("references", {}).values():
        problem = url_problem(ref["href"])
        if problem and ref.get("map"):
            found.append(BadLink(ref["map"][0], ref["map"][1] - 1, ref["href"], problem))
    return sorted(found, key=lambda b: (b.first, b.last))


def published(article: Article) -> Article:
    """`article` as the bot may show it: a url of another scheme dropped to "", and the body
    without the links that `safe_markdown` drops."""
    url = "" if url_problem(article.url) else article.url
    body = safe_markdown(article.body)
    return article if (url, body) == (article.url, article.body) else \
        dataclasses.replace(article, url=url, body=body)


def safe_markdown(text: str) -> str:
    """`text` without the lines that carry a link of another scheme (or "" if that does not clear
    it): what an API client renders then links only to http, https, mailto or relative URLs."""
    bad = bad_links(text)
    if not bad:
        return text
    drop = {n for b in bad for n in range(b.first, b.last + 1)}
    kept = "\n".join(line for n, line in enumerate(text.split("\n")) if n not in drop)
    return "" if bad_links(kept) else kept


def _parser() -> MarkdownIt:
    return _AsWritten("commonmark").enable("table")


class _AsWritten(MarkdownIt):
    """markdown-it leaves links it deems unsafe as text and percent-encodes the others; another
    renderer may not, so here every destination is kept as written (entities and escapes decoded)."""

    def validateLink(self, url: str) -> bool:
        return True

    def normalizeLink(self, url: str) -> str:
        return url


def _inline(children: list[Token], line: int) -> Iterator[BadLink]:
    opened: list[tuple[int, str]] = []
    for child in children:
        start = line
        line += _newlines(child)
        if child.type == "link_open":
            opened.append((start, str(child.attrs.get("href", ""))))
        elif child.type == "link_close" and opened:
            first, href = opened.pop()
            problem = url_problem(href)
            if problem:
                yield BadLink(first, line, href, problem)
        elif child.type == "image":  # its content, counted above, is the alt text
            src = str(child.attrs.get("src", ""))
            problem = url_problem(src)
            if problem:
                yield BadLink(start, line, src, problem)
        elif child.type == "html_inline":
            yield from (BadLink(start, line, url, problem) for url, problem in _html_urls(child.content))


def _newlines(token: Token) -> int:
    return 1 if token.type in ("softbreak", "hardbreak") else token.content.count("\n")


def _html_urls(html: str) -> list[tuple[str, str]]:
    """(url, problem) of every URL attribute in a piece of raw HTML that may not be published."""
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return [(url, problem) for url in parser.urls if (problem := url_problem(url))]


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in _URL_ATTRIBUTES and value is not None:
                # srcset is "url size, url size"; each url counts
                urls = [c.split()[0] for c in value.split(",") if c.split()] if name == "srcset" else [value]
                self.urls.extend(urls)

    handle_startendtag = handle_starttag
