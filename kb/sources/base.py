"""What every source gives the importer: article versions with Markdown bodies, what failed, and
what was skipped on purpose (drafts, restricted articles, pages without an article)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from kb.errors import LanguageCodeError
from kb.languages import base_lang, normalize_lang

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SourceDoc:
    """One language version of an article as the source has it, its body already Markdown."""

    group: str  # the source's identity of the article, shared by its translations
    lang: str  # a faqbot language code
    title: str
    body: str
    url: str = ""
    updated: str = ""  # ISO 8601 as the source gives it
    tags: tuple[str, ...] = ()
    source_id: str = ""  # the source's id for it, written to the front matter
    slug: str = ""  # what the article id is made from, when it gets one
    primary: bool = False  # the version the others translate (its slug names the article)
    declared: str = ""  # where the language came from, for reports ("locale en-us", "hreflang th")


@dataclass(frozen=True)
class Failure:
    ref: str  # the version or page that failed (its source_id or URL)
    message: str


@dataclass
class Fetched:
    docs: list[SourceDoc] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)  # reason → versions skipped
    # False when the source was not read to the end (a crawl stopped at crawl_max_pages): a sync
    # then removes nothing it did not see.
    complete: bool = True


class Source(Protocol):
    """A help center faqbot can import: Zendesk, Freshdesk, Intercom, a website, an export."""

    name: str  # what the front matter's `source` says, e.g. "zendesk:acme"

    def fetch(self, progress: Progress | None = None) -> Fetched: ...


def source_languages(codes: Iterable[str]) -> dict[str, str]:
    """Each source locale → the faqbot language it becomes; unknown codes are left out.

    A region is kept where it means something: Chinese (zh-TW vs zh-CN), and a language the
    source has in two regions (pt-BR and pt-PT). Otherwise `en-us` is simply `en`, the code the
    language detector and the message catalog speak."""
    normal: dict[str, str] = {}
    for code in codes:
        try:
            normal[code] = normalize_lang(code)
        except LanguageCodeError:
            continue
    regions: Counter[str] = Counter(base_lang(x) for x in set(normal.values()))
    return {code: lang if lang.startswith("zh-") or regions[base_lang(lang)] > 1 else base_lang(lang)
            for code, lang in normal.items()}


def tag(name: str) -> str:
    """A category, section or label name as a tag: `Billing & payments` → `billing-payments`."""
    s = unicodedata.normalize("NFKC", name).casefold()
    return re.sub(r"[^\w]+", "-", s).strip("-_")[:60]


def tags_of(*names: str | None, labels: Iterable[str] = ()) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in (*(tag(x) for x in labels), *(tag(x) for x in names if x)) if t))
