"""HTML → safe Markdown: what an imported article's body becomes.

Sanitizing is Ammonia's (nh3): `<script>`, `<style>`, `<iframe>` and the like go with their content,
event handlers and every attribute not listed go, and only http(s), mailto and tel URLs survive;
relative URLs are resolved against the page. markdownify then writes headings, lists, tables and
links as Markdown. Images are never downloaded: they become links with their alt text.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import nh3
from markdownify import MarkdownConverter

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
CONVERTER_VERSION = "1"  # part of every imported article's hash: a new converter rewrites them once

# Content that is never part of an answer, dropped with everything inside it.
DROPPED = frozenset({"script", "style", "iframe", "frame", "frameset", "noscript", "template",
                     "object", "embed", "applet", "svg", "math", "canvas", "video", "audio",
                     "form", "button", "select", "textarea", "input", "dialog", "head", "title"})
ARTICLE_TAGS = frozenset({
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "div", "span", "section", "article",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "strong", "b", "em", "i", "u", "s", "del",
    "code", "pre", "kbd", "samp", "blockquote", "q", "sup", "sub", "mark", "small", "abbr",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure", "figcaption",
    "details", "summary", "main",
})
# A whole page keeps its layout so the content extractor can still tell navigation from article.
LAYOUT_TAGS = frozenset({"header", "footer", "nav", "aside", "body", "html"})
ARTICLE_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"},
    "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"},
}
LAYOUT_ATTRIBUTES = {"*": {"class", "id", "role", "lang", "aria-label", "aria-hidden", "hidden"}}


def sanitize(html: str, base_url: str = "", *, keep_layout: bool = False) -> str:
    """`html` with only safe tags, attributes and URLs left; relative URLs made absolute."""
    attributes = dict(ARTICLE_ATTRIBUTES)
    if keep_layout:
        attributes.update(LAYOUT_ATTRIBUTES)
    return nh3.clean(
        html,
        tags=set(ARTICLE_TAGS | LAYOUT_TAGS) if keep_layout else set(ARTICLE_TAGS),
        clean_content_tags=set(DROPPED),
        attributes=attributes,
        url_schemes=set(SAFE_SCHEMES),
        url_relative=("rewrite_with_base", base_url) if _is_web(base_url) else "deny",
        link_rel=None,
        strip_comments=True,
    )


class _Converter(MarkdownConverter):
    def convert_img(self, el: Any, text: str, parent_tags: set[str]) -> str:
        return image_link(el.attrs.get("alt") or el.attrs.get("title") or "", el.attrs.get("src") or "")


def fragment_to_markdown(html: str, base_url: str = "") -> str:
    """An article body in HTML (a help desk's `body`) as tidy Markdown."""
    clean = sanitize(html, base_url)
    md = _Converter(heading_style="ATX", bullets="-", escape_underscores=False,
                    table_infer_header=True, autolinks=False).convert(clean)
    return tidy_markdown(md)


_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^()\s<>]*)>?(?:\s+\"[^\"]*\")?\s*\)")


def images_as_links(markdown: str) -> str:
    """Markdown images `![alt](src)` (as a content extractor writes them) turned into links."""
    return _IMAGE.sub(lambda m: image_link(m.group(1), m.group(2)), markdown)


def image_link(alt: str, src: str) -> str:
    alt = " ".join(alt.split()).replace("[", "(").replace("]", ")")
    if not safe_url(src):
        return alt
    label = alt or unquote(PurePosixPath(urlsplit(src).path).name) or "image"
    return f"[{label}]({src})"


def safe_url(url: str) -> bool:
    scheme = urlsplit(url.strip()).scheme.lower()
    return bool(url.strip()) and (scheme in SAFE_SCHEMES or not scheme and not url.strip().startswith("//"))


def _is_web(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") and bool(urlsplit(url).netloc)


_BLANKS = re.compile(r"\n{3,}")
_TRAILING = re.compile(r"[ \t]+\n")


def tidy_markdown(md: str) -> str:
    """NFC, no trailing spaces, at most one blank line in a row, no blank edges."""
    md = unicodedata.normalize("NFC", md).replace("\r\n", "\n").replace("\xa0", " ")
    md = _TRAILING.sub("\n", md)
    return _BLANKS.sub("\n\n", md).strip()


def strip_title(markdown: str, title: str) -> str:
    """The body without a first heading that only repeats the title (the title is front matter)."""
    lines = markdown.split("\n")
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m and " ".join(m.group(1).split()).casefold() == " ".join(title.split()).casefold():
            return tidy_markdown("\n".join(lines[i + 1:]))
        break
    return markdown
