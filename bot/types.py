"""Domain values the bot returns, and the closed sets of its decisions and their reasons."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal, get_args

from indexer.hits import Hit

__all__ = ["SENSITIVE", "THRESHOLD_SCOPES", "THRESHOLD_SOURCES", "Answer", "ArticleRef", "Decision", "Hit",
           "Reason", "SearchResult", "Suggestion", "Threshold", "ThresholdScope", "ThresholdSource"]

ThresholdSource = Literal["calibrated", "settings", "index", "fallback"]
ThresholdScope = Literal["language", "global"]
THRESHOLD_SOURCES: tuple[str, ...] = get_args(ThresholdSource)
THRESHOLD_SCOPES: tuple[str, ...] = get_args(ThresholdScope)


class Decision(StrEnum):
    """What the bot did with a customer's message."""

    ANSWERED = "answered"  # an article, confidently
    SUGGEST = "suggest"  # "did you mean": a few likely articles
    ESCALATED = "escalated"  # handed to a person now
    HANDED_OFF = "handed_off"  # a person owns the conversation; the bot stays quiet
    SMALLTALK = "smalltalk"  # a greeting, thanks, "ok": a short reply, never an escalation
    OFFERED = "offered"  # "I don't know" + alternatives + an offer of a person (not taken yet)
    WITHDRAWN = "withdrawn"  # the customer took back a request for a person; the bot answers again


class Reason(StrEnum):
    """Why: the answer decision's reasons, then the conversation's (escalation triggers)."""

    CONFIDENT = "confident"
    AMBIGUOUS = "ambiguous"
    LOW_CONFIDENCE = "low_confidence"
    OUT_OF_SCOPE = "out_of_scope"
    NO_MATCH = "no_match"
    CHOSEN = "chosen"  # the customer picked a suggested or popular article
    WITH_AGENT = "with_agent"  # a person owns the conversation
    HUMAN_REQUESTED = "human_requested"
    UNHELPFUL = "unhelpful"
    ANGRY = "angry"
    URGENT = "urgent"
    CUSTOMER_FORM = "customer_form"
    # Conversational acts (bot.smalltalk.Act), the reasons of SMALLTALK replies.
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    ACKNOWLEDGED = "acknowledged"
    HELP = "help"
    YES = "yes"
    NO = "no"
    WITHDRAW = "withdraw"
    # The offer of a person (bot.offers).
    OFFER_ACCEPTED = "offer_accepted"
    OFFER_DECLINED = "offer_declined"


# Escalations for a sensitive topic give the reason "sensitive:<topic name>".
SENSITIVE = "sensitive"


@dataclass(frozen=True)
class ArticleRef:
    article_id: str
    lang: str
    title: str
    body: str
    url: str
    passage: str = ""  # the part of `body` that answers the question (bot.shaping)


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

    decision: Decision  # never HANDED_OFF: that is the conversation's, not the bot's
    confidence: float
    language: str
    answer: ArticleRef | None
    suggestions: tuple[Suggestion, ...]
    reason: Reason
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
