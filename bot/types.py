"""Domain values the bot returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    """Retrieval evidence for one article (all its language versions), best first in a ranking."""

    article_id: str
    score: float  # fused ranking score; only comparable within one query
    dense: float = 0.0  # best cosine similarity of the question to any unit of the article
    dense_rank: int = 0  # 1-based article rank by `dense`; 0 = not retrieved densely
    bm25: float = 0.0  # best BM25 score, divided by the query's best BM25 score
    bm25_rank: int = 0
    unit: int = -1  # row of the best-matching unit (for snippets)
    prob: float = 0.0  # the index's article classifier: P(this article | question); 0 without one
    confidence: float = 0.0  # probability that this article answers the question


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
