"""Domain values the bot returns."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.hits import Hit

__all__ = ["Answer", "ArticleRef", "Hit", "SearchResult", "Suggestion"]


@dataclass(frozen=True)
class ArticleRef:
    article_id: str
    lang: str
    title: str
    body: str
    url: str


@dataclass(frozen=True)
class Suggestion:
    article_id: str
    lang: str
    title: str
    confidence: float


@dataclass(frozen=True)
class Answer:
    """The bot's decision for one question."""

    decision: str  # "answered" | "suggest" | "escalated"
    confidence: float
    language: str
    answer: ArticleRef | None
    suggestions: tuple[Suggestion, ...]
    reason: str
    notice: str = ""  # a localized note for the customer, e.g. "only available in English"
    hits: tuple[Hit, ...] = ()


@dataclass(frozen=True)
class SearchResult:
    article_id: str
    lang: str
    title: str
    snippet: str
    url: str
    score: float
