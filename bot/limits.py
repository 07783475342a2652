"""Shapes and sizes of what customers, agents and help desks send: the one home of each rule.

The HTTP edge checks requests against the OpenAPI document (server/openapi.py), which takes its
patterns and limits from here; domain code that mints or reads ids uses the same constants.
"""

from __future__ import annotations

from kb.settings import Settings

# Session ids: the widget's random ones, or a help desk's own (ticket numbers).
SESSION_ID_CHARS = "A-Za-z0-9_.:-"
SESSION_ID_MAX = 128
SESSION_ID_PATTERN = f"^[{SESSION_ID_CHARS}]{{1,{SESSION_ID_MAX}}}$"
SESSION_ID_RULE = f"1-{SESSION_ID_MAX} letters, digits, '_', '.', ':' or '-'"

ARTICLE_ID_MAX = 200  # longer than any id the KB loader accepts, so an unknown id is a clear 404
LANG_MAX = 64
CONTACT_FIELD_MAX = 200  # name, email and phone
COMMENT_MAX = 2000
AGENT_TEXT_MAX = 10_000
MESSAGE_QUESTIONS = 4  # a handoff form's message may be this many questions long
MAX_AFTER = 10**18 - 1  # a transcript's `after` turn id: 18 digits stay below 2^63
TURN_ID_MAX = 2**63 - 1  # what both stores keep in an INTEGER / BIGINT column
ESCALATIONS_PAGE_MAX = 500
POPULAR_MAX = 20


def text_limits(settings: Settings) -> dict[str, int]:
    """Longest value (in characters, before NFKC) of each free-text or id field, by field name."""
    q = settings.max_question_chars
    return {"question": q, "query": q, "lang": LANG_MAX, "session_id": SESSION_ID_MAX,
            "article_id": ARTICLE_ID_MAX, "name": CONTACT_FIELD_MAX, "email": CONTACT_FIELD_MAX,
            "phone": CONTACT_FIELD_MAX, "message": q * MESSAGE_QUESTIONS, "comment": COMMENT_MAX,
            "text": AGENT_TEXT_MAX}
