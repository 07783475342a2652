"""The bot service: language detection, hybrid retrieval, confidence and the answer decision."""

from bot.service import Bot, ready_bot
from bot.types import Answer, ArticleRef, Decision, Hit, Reason, SearchResult, Suggestion

__all__ = ["Answer", "ArticleRef", "Bot", "Decision", "Hit", "Reason", "SearchResult", "Suggestion",
           "ready_bot"]
