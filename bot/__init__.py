"""The bot service: language detection, hybrid retrieval, confidence and the answer decision."""

from bot.service import Bot
from bot.types import Answer, ArticleRef, Hit, SearchResult, Suggestion

__all__ = ["Answer", "ArticleRef", "Bot", "Hit", "SearchResult", "Suggestion"]
