"""Knowledge base: articles, their translations and passages, loaded from Markdown, JSONL or CSV."""

from kb.errors import EncoderError, FaqbotError, IndexUnavailableError, KBError, SettingsError
from kb.intents import (
    Utterance,
    intents_to_articles,
    intents_to_out_of_scope,
    read_intents,
    read_responses,
    write_kb_jsonl,
)
from kb.loader import load_kb
from kb.models import Article, KnowledgeBase, Passage
from kb.settings import Settings, load_settings

__all__ = [
    "Article",
    "EncoderError",
    "FaqbotError",
    "IndexUnavailableError",
    "KBError",
    "KnowledgeBase",
    "Passage",
    "Settings",
    "SettingsError",
    "Utterance",
    "intents_to_articles",
    "intents_to_out_of_scope",
    "load_kb",
    "load_settings",
    "read_intents",
    "read_responses",
    "write_kb_jsonl",
]
