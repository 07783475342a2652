"""Domain values the bot returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from indexer.hits import Hit

__all__ = ["THRESHOLD_SCOPES", "THRESHOLD_SOURCES", "Answer", "ArticleRef", "Hit", "SearchResult",
           "Suggestion", "Threshold", "ThresholdScope", "ThresholdSource"]

ThresholdSource = Literal["calibrated", "settings", "index", "fallback"]
ThresholdScope = Literal["language", "global"]
THRESHOLD_SOURCES: tuple[str, ...] = get_args(ThresholdSource)
THRESHOLD_SCOPES: tuple[str, ...] = get_args(ThresholdScope)


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
class Threshold:
    """The answer threshold in force for one language, and where it came from: "calibrated"
    (`faqbot calibrate`), "settings" (an override), "index" (chosen by the index at build time for
    the settings' target precision; `scope` "language" or "global"), or "fallback" (an index from
    before thresholds were saved)."""

    value: float
    source: ThresholdSource
    scope: ThresholdScope = "global"  # "language": the language's own; "global": the one for all


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
    threshold: Threshold | None = None  # the answer threshold the decision was taken against


@dataclass(frozen=True)
class SearchResult:
    article_id: str
    lang: str
    title: str
    snippet: str
    url: str
    score: float
