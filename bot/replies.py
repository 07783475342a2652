"""What the conversation service returns for one message or rating, and the ids it hands out."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from bot.records import Escalation
from bot.types import ArticleRef, Decision, Suggestion

__all__ = ["FeedbackResult", "Reply", "ReplyTime", "elapsed_ms", "new_escalation_id", "new_session_id"]


@dataclass(frozen=True)
class ReplyTime:
    """When a person would reply (for an offer) or will (for an escalation), and in which zone the
    queue keeps its hours; `notice` is that sentence as the customer reads it, in the queue's zone."""

    queue: str
    timezone: str
    expected_at: float | None  # None: the queue's hours never open
    out_of_hours: bool
    notice: str


@dataclass(frozen=True)
class Reply:
    """What the customer gets back for one message, with the ids to continue the conversation."""

    session_id: str
    turn_id: int  # the bot's turn (rate it with feedback); the customer's turn when handed off
    decision: Decision
    reason: str  # a Reason, or "sensitive:<topic>"
    language: str
    state: str  # a SessionState
    notice: str = ""
    confidence: float | None = None
    answer: ArticleRef | None = None
    suggestions: tuple[Suggestion, ...] = ()
    escalation: Escalation | None = None
    took_ms: float = 0.0
    reply_time: ReplyTime | None = None  # offers and escalations: when a person would reply


@dataclass(frozen=True)
class FeedbackResult:
    session_id: str
    state: str
    notice: str
    escalation: Escalation | None = None  # when this rating made it two unhelpful answers in a row
    suggestions: tuple[Suggestion, ...] = ()  # "not helpful": the next-best articles for the question


def new_session_id() -> str:
    return secrets.token_hex(16)


def new_escalation_id() -> str:
    return "esc_" + secrets.token_hex(12)


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
