"""Domain values of the knowledge base."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One language version of a help-center article; versions sharing `id` are translations."""

    id: str
    lang: str
    title: str
    body: str
    questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    url: str = ""
    updated: str = ""
    source: str = ""  # "path:line" it was loaded from, for error messages and reports

    @property
    def key(self) -> str:
        return f"{self.id}@{self.lang}"


@dataclass(frozen=True)
class Passage:
    """A retrievable piece of an article: its title, one example question, or a body section."""

    article_id: str
    lang: str
    kind: str  # "title" | "question" | "pseudo" (heading or first sentence) | "section"
    text: str
    heading: str = ""


@dataclass(frozen=True)
class OutOfScopeExample:
    """A question the KB's writers say no article answers (Rasa's `out_of_scope` intent, a
    Dialogflow negative example): the bot learns to hand such questions to a person."""

    text: str
    lang: str
    source: str = ""  # "path:line" it was loaded from


@dataclass(frozen=True)
class KnowledgeBase:
    """All article versions, validated: (id, lang) is unique; plus the out-of-scope examples."""

    articles: tuple[Article, ...]
    default_lang: str = "en"
    out_of_scope: tuple[OutOfScopeExample, ...] = ()
    _by_id: Mapping[str, Mapping[str, Article]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_id: dict[str, dict[str, Article]] = {}
        for a in self.articles:
            by_id.setdefault(a.id, {})[a.lang] = a
        object.__setattr__(self, "_by_id", by_id)

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)

    @property
    def ids(self) -> list[str]:
        return sorted({a.id for a in self.articles})

    @property
    def languages(self) -> list[str]:
        return sorted({a.lang for a in self.articles})

    def get(self, article_id: str, lang: str) -> Article | None:
        return self._by_id.get(article_id, {}).get(lang)

    def translations(self, article_id: str) -> dict[str, Article]:
        return dict(self._by_id.get(article_id, {}))
