"""Markdown as each channel renders it, and texts cut to the channel's limits.

Articles are Markdown. LINE and email show plain text, WhatsApp has its own marks (*bold*,
_italic_, ~strike~, ```code```), Telegram takes a small set of HTML tags, Chatwoot renders
Markdown itself. The conversion walks markdown-it's tokens, so nested emphasis, links and lists
come out right instead of being guessed at with regular expressions.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

Style = Literal["plain", "whatsapp", "telegram", "markdown"]
ELLIPSIS = "…"

_MARKS: dict[Style, dict[str, tuple[str, str]]] = {
    "plain": {},
    "whatsapp": {"strong": ("*", "*"), "em": ("_", "_"), "s": ("~", "~"), "code_inline": ("`", "`")},
    "telegram": {"strong": ("<b>", "</b>"), "em": ("<i>", "</i>"), "s": ("<s>", "</s>"),
                 "code_inline": ("<code>", "</code>")},
}


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("strikethrough")


def render(markdown: str, style: Style) -> str:
    """`markdown` as the channel shows it: "markdown" keeps it, "telegram" is Telegram's HTML
    (text escaped), "whatsapp" WhatsApp's marks, "plain" text with links as "text (url)"."""
    if style == "markdown":
        return markdown.strip()
    escape: Callable[[str], str] = (lambda t: html.escape(t, quote=False)) if style == "telegram" else str
    out: list[str] = []
    prefixes: list[str] = []  # the list markers of the enclosing lists
    numbers: list[int] = []
    for token in _parser().parse(markdown):
        kind = token.type
        if kind == "paragraph_close":
            out.append("\n" if prefixes else "\n\n")
        elif kind == "heading_close":
            out.append(_MARKS[style].get("strong", ("", ""))[1] + "\n\n")
        elif kind == "heading_open":
            out.append(_MARKS[style].get("strong", ("", ""))[0])
        elif kind == "bullet_list_open":
            prefixes.append("•")
            numbers.append(0)
        elif kind == "ordered_list_open":
            prefixes.append("#")
            numbers.append(int(token.attrGet("start") or 1) - 1)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            prefixes.pop()
            numbers.pop()
            if not prefixes:
                out.append("\n")
        elif kind == "list_item_open":
            numbers[-1] += 1
            marker = f"{numbers[-1]}." if prefixes[-1] == "#" else "•"
            out.append("  " * (len(prefixes) - 1) + marker + " ")
        elif kind in ("fence", "code_block"):
            body = escape(token.content.rstrip("\n"))
            fence = {"whatsapp": ("```", "```"), "telegram": ("<pre>", "</pre>")}.get(style, ("", ""))
            out.append(f"{fence[0]}{body}{fence[1]}\n\n")
        elif kind == "inline":
            out.append(_inline(token.children or [], style, escape))
        elif kind == "hr":
            out.append("———\n\n")
    return "\n".join(line.rstrip() for line in "".join(out).strip().split("\n"))


def _inline(children: list[Token], style: Style, escape: Callable[[str], str]) -> str:
    marks = _MARKS[style]
    out: list[str] = []
    links: list[str] = []
    for t in children:
        kind = t.type
        if kind == "text":
            out.append(escape(t.content))
        elif kind == "code_inline":
            start, end = marks.get("code_inline", ("", ""))
            out.append(f"{start}{escape(t.content)}{end}")
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n" if kind == "hardbreak" else " ")
        elif kind.endswith("_open") and kind[:-5] in marks:
            out.append(marks[kind[:-5]][0])
        elif kind.endswith("_close") and kind[:-6] in marks:
            out.append(marks[kind[:-6]][1])
        elif kind == "link_open":
            href = str(t.attrGet("href") or "")
            links.append(href)
            if style == "telegram":
                out.append(f'<a href="{html.escape(href, quote=True)}">')
        elif kind == "link_close":
            href = links.pop() if links else ""
            out.append("</a>" if style == "telegram" else (f" ({href})" if href else ""))
        elif kind == "image":
            out.append(escape(t.content))
        elif kind == "html_inline":
            continue  # raw HTML is not for chat apps
    return "".join(out)


def cut(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: whole paragraphs, else whole sentences or words,
    with an ellipsis when something was left out."""
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    head = text[:room]
    for sep in ("\n\n", "\n", ". ", "。", " "):
        at = head.rfind(sep)
        if at >= room // 2:
            return head[: at + (1 if sep in (". ", "。") else 0)].rstrip() + ELLIPSIS
    return head.rstrip() + ELLIPSIS


def label(text: str, limit: int) -> str:
    """A button label of at most `limit` characters (cut at a word when it can be)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    at = head.rfind(" ")
    return (head[:at] if at >= limit // 2 else head).rstrip() + ELLIPSIS


def numbered(prompt: str, titles: list[str]) -> str:
    """Choices as numbered text, for channels without buttons (the customer replies "2")."""
    return "\n".join([prompt, *(f"{i}. {t}" for i, t in enumerate(titles, 1))]).strip()



def compose(title: str, text: str, link: str, link_label: str, style: Style, limit: int) -> str:
    """An answer as one chat text within `limit` characters: the title (bold where the channel
    has bold), the passage (cut to fit), the link to the whole article (never cut)."""
    head = ""
    if title:
        head = title if style == "plain" else render(f"**{_escape_md(title)}**", style)
    tail = ""
    if link:
        if style == "telegram":
            tail = f'<a href="{html.escape(link, quote=True)}">{html.escape(link_label, quote=False)}</a>'
        elif style == "markdown":
            tail = f"[{link_label}]({link})"
        else:
            tail = f"{link_label}: {link}"
    body = render(text, style) if text else ""
    room = limit - len(head) - len(tail) - 4
    if style == "telegram" and len(body) > room:
        # Cut the Markdown, not the HTML, so no tag is left open.
        body = render(cut(text, max(room, 1)), style)
    return "\n\n".join(x for x in (head, cut(body, max(room, 1)), tail) if x)


def _escape_md(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>" else c for c in text)
