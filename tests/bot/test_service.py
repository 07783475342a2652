from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot import Bot
from bot.types import Threshold
from indexer import HybridIndex
from indexer.encoders import Encoder
from indexer.retrieval import BM25Retriever, DenseRetriever, HybridRetriever, Query, Retriever
from indexer.thresholds import Thresholds
from kb import Settings
from kb.errors import RequestError


@pytest.mark.parametrize(("question", "article", "lang"), [
    ("I forgot my password, how do I get back in?", "reset-password", "en"),
    ("how many days until my money is returned to my card", "refund-timing", "en"),
    ("ลืมรหัสผ่านเข้าไม่ได้", "reset-password", "th"),
    ("millal ma raha tagasi saan", "refund-timing", "et"),
    ("運費要多少錢", "shipping-costs", "zh-TW"),
])
def test_answers_in_the_customers_language(bot: Bot, question: str, article: str, lang: str) -> None:
    result = bot.answer(question)
    assert result.decision == "answered", result
    assert result.answer is not None and result.answer.article_id == article
    assert result.language == lang
    assert 0.0 <= result.confidence <= 1.0


def test_falls_back_to_default_language_with_a_notice(bot: Bot) -> None:
    result = bot.answer("ลืมรหัสผ่าน", lang="th")
    assert result.answer and result.answer.lang == "th"
    result = bot.answer("ค่าส่งเท่าไหร่ ส่งกี่วัน")  # shipping-costs has no Thai version
    assert result.language == "th"
    if result.answer:
        assert result.answer.lang == "en"
        assert result.notice == "บทความนี้มีเฉพาะภาษาอังกฤษเท่านั้น"


@pytest.mark.parametrize("question", ["what is the capital of mongolia",
                                      "write me a poem about the sea"])
def test_unrelated_questions_are_not_answered(bot: Bot, question: str) -> None:
    result = bot.answer(question)
    assert result.decision == "escalated"
    assert result.reason == "out_of_scope" and result.hits[0].out_of_scope >= 0.5
    assert result.answer is None and result.suggestions == ()


def test_out_of_scope_detection_can_be_turned_off(session_index: HybridIndex, encoder: Encoder) -> None:
    bot = Bot(session_index, encoder, Settings(out_of_scope_threshold=1.0))
    result = bot.answer("what is the capital of mongolia")
    assert result.decision == "escalated" and result.reason == "low_confidence"


def test_thresholds_come_from_settings(session_index: HybridIndex, encoder: Encoder) -> None:
    strict = Bot(session_index, encoder, Settings(answer_threshold=1.0, suggest_threshold=0.5))
    result = strict.answer("I forgot my password")
    assert result.decision == "suggest"
    assert result.suggestions[0].article_id == "reset-password"
    assert len(result.suggestions) <= 3
    per_lang = Bot(session_index, encoder, Settings(lang_thresholds={"en": 1.0}))
    assert per_lang.answer("I forgot my password").decision != "answered"
    assert per_lang.answer("ลืมรหัสผ่านเข้าไม่ได้").decision == "answered"


def test_the_threshold_in_force_and_where_it_comes_from(session_index: HybridIndex,
                                                        encoder: Encoder) -> None:
    # The tiny KB has too few questions to calibrate on: its index falls back to 0.8.
    assert session_index.thresholds is not None and session_index.thresholds.source == "fallback"
    plain = Bot(session_index, encoder, Settings())
    assert plain.threshold("th") == Threshold(0.8, "fallback", "global")
    assert plain.answer("I forgot my password").threshold == Threshold(0.8, "fallback", "global")
    chosen = replace(session_index, thresholds=Thresholds(0.97, 0.55, {"th": 0.7}))
    index_bot = Bot(chosen, encoder, Settings())
    assert index_bot.threshold("th") == Threshold(0.7, "index", "language")
    assert index_bot.threshold("en") == Threshold(0.55, "index", "global")
    overridden = Bot(chosen, encoder, Settings(answer_threshold=0.6, calibrated_lang_thresholds={"en": 0.9}))
    assert overridden.threshold("th") == Threshold(0.6, "settings", "global")
    assert overridden.threshold("en") == Threshold(0.9, "calibrated", "language")
    shown = overridden.thresholds()
    assert shown["global"] == {"value": 0.6, "source": "settings", "scope": "global"}
    assert shown["per_language"]["en"] == {"value": 0.9, "source": "calibrated", "scope": "language"}
    assert set(shown["per_language"]) == set(session_index.kb.languages)


@pytest.mark.parametrize(("question", "match"), [
    ("", "question is empty"), ("   \u0000\u200b ", "question is empty"),
    ("x" * 1001, "question is too long"),
])
def test_bad_questions(bot: Bot, question: str, match: str) -> None:
    with pytest.raises(RequestError, match=match):
        bot.answer(question)


def test_bad_lang(bot: Bot) -> None:
    with pytest.raises(RequestError, match="unknown language code 'xx'"):
        bot.answer("hi", lang="xx")


def test_search_ranks_articles(bot: Bot) -> None:
    hits = bot.search("refund card statement", k=2)
    assert hits[0].article_id == "refund-timing"
    assert "business days" in hits[0].snippet
    assert len(hits) == 2
    with pytest.raises(RequestError, match="k must be an integer from 1 to 50, got 0"):
        bot.search("refund", k=0)


@pytest.fixture(params=["bm25", "dense", "hybrid"])
def retriever(request: pytest.FixtureRequest, session_index: HybridIndex) -> Retriever:
    return {"bm25": BM25Retriever, "dense": DenseRetriever,
            "hybrid": HybridRetriever}[request.param](session_index)


def test_every_retriever_finds_the_article(retriever: Retriever, encoder: Encoder) -> None:
    text = "reset password link"
    hits = retriever.retrieve(Query(text, "en", encoder.encode_queries([text])[0]), 3)
    assert hits[0].article_id == "reset-password"
    assert len({h.article_id for h in hits}) == len(hits)  # grouped per article
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_ready_bot_opens_the_configured_index(bot: Bot, tmp_path: Path) -> None:
    from bot import ready_bot

    ready = ready_bot(Settings(index_dir=str(bot.index.path)), encoder=bot.encoder)
    assert ready.index.version == bot.index.version and ready.encoder is bot.encoder
    assert ready.answer("forgot my password").answer is not None


@pytest.mark.parametrize(("text", "hint", "previous", "expected"), [
    ("ลืมรหัสผ่าน", None, None, "th"),  # the script decides
    ("", "zh-tw", None, "zh-TW"),  # nothing to detect: the hint, normalised
    ("", None, "th", "th"),  # nor a hint: the conversation's language
    ("ok", "en", None, "en"),
])
def test_resolve_language(bot: Bot, text: str, hint: str | None, previous: str | None,
                          expected: str) -> None:
    assert bot.resolve_language(text, hint, previous) == expected


def test_resolve_language_refuses_a_bad_hint(bot: Bot) -> None:
    with pytest.raises(RequestError, match="unknown language code 'xx'"):
        bot.resolve_language("hello", "xx")
