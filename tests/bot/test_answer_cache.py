"""The answer cache: repeated questions skip the encoder and retrieval and get the same answer;
it is bounded, keyed without the text, shared by questions differing only in personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from bot import Bot
from bot.answer_cache import AnswerCache
from indexer import HybridIndex
from indexer.encoders import Encoder
from indexer.hits import Hit
from kb import Settings
from kb.errors import LanguageCodeError


class CountingEncoder:
    """The real encoder, counting the questions it is asked to embed."""

    def __init__(self, inner: Encoder) -> None:
        self.inner, self.name, self.dim, self.queries = inner, inner.name, inner.dim, 0

    def encode_queries(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        self.queries += len(texts)
        return self.inner.encode_queries(texts, langs)

    def encode_passages(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self.inner.encode_passages(texts, langs)


@pytest.fixture
def counted(session_index: HybridIndex, encoder: Encoder) -> tuple[Bot, CountingEncoder]:
    counting = CountingEncoder(encoder)
    return Bot(session_index, counting, Settings()), counting


def test_a_repeated_question_skips_the_encoder_and_answers_the_same(
        counted: tuple[Bot, CountingEncoder], session_index: HybridIndex, encoder: Encoder) -> None:
    bot, counting = counted
    uncached = Bot(session_index, encoder, Settings(answer_cache_size=0))
    first = bot.answer("I forgot my password, how do I get back in?")
    assert counting.queries == 1
    again = bot.answer("I  forgot my password,\thow do I get back in?")  # the same once normalised
    assert counting.queries == 1
    assert again == first == uncached.answer("I forgot my password, how do I get back in?")
    assert first.answer is not None and first.answer.article_id == "reset-password"
    stats = bot.cache.stats()
    assert (stats.size, stats.hits, stats.misses) == (1, 1, 1)


def test_rankings_are_shared_by_conversations_in_the_same_language(
        counted: tuple[Bot, CountingEncoder]) -> None:
    bot, counting = counted
    first = bot.answer("how long does a refund take")
    # Another conversation's previous language is part of the detection's key, not the ranking's.
    again = bot.answer("how long does a refund take", previous_lang="th")
    assert again.language == first.language == "en"
    assert counting.queries == 1 and bot.detections.stats().size == 2
    bot.answer("how long does a refund take", lang="en")
    assert counting.queries == 1 and bot.detections.stats().size == 3
    with pytest.raises(LanguageCodeError, match="xx-notalang"):
        bot.answer("refund", lang="xx-notalang")


def test_searches_are_cached_apart_from_answers(counted: tuple[Bot, CountingEncoder]) -> None:
    bot, counting = counted
    bot.answer("refund")
    first = bot.search("refund", k=3)
    assert counting.queries == 2
    assert bot.search("refund", k=3) == first and counting.queries == 2
    assert len(bot.search("refund", k=1)) == 1 and counting.queries == 3


def test_personal_data_is_neither_kept_nor_part_of_the_key(counted: tuple[Bot, CountingEncoder]) -> None:
    bot, counting = counted
    first = bot.answer("forgot my password, mail me at jane.doe@example.com")
    second = bot.answer("forgot my password, mail me at max.power@example.org")
    assert counting.queries == 1
    assert second.hits == first.hits
    held = repr(list(bot.cache._entries.items()))
    assert "jane" not in held and "example.com" not in held and "mail me" not in held


def test_off_when_the_size_is_zero(session_index: HybridIndex, encoder: Encoder) -> None:
    counting = CountingEncoder(encoder)
    bot = Bot(session_index, counting, Settings(answer_cache_size=0))
    bot.answer("refund")
    bot.answer("refund")
    assert counting.queries == 2
    assert bot.cache.stats().size == 0


def test_least_recently_used_entries_go_first() -> None:
    cache: AnswerCache[tuple[Hit, ...]] = AnswerCache(2, "v1")
    a, b, c = (cache.key(t, None, None) for t in "abc")
    value = (Hit("x", 1.0),)
    cache.put(a, value)
    cache.put(b, value)
    assert cache.get(a) == value  # a is now the most recent
    cache.put(c, value)
    assert cache.get(b) is None and cache.get(a) == value and cache.get(c) == value
    assert cache.stats().size == 2
    cache.clear()
    assert cache.stats().size == 0


def test_the_index_version_is_part_of_the_key() -> None:
    v1, v2 = AnswerCache[str](8, "v1"), AnswerCache[str](8, "v2")
    assert v1.key("refund", None, None) != v2.key("refund", None, None)
    assert v1.key("refund", "en", None) != v1.key("refund", None, "en")


def test_a_negative_size_is_refused() -> None:
    from kb.errors import SettingsError

    with pytest.raises(SettingsError, match="answer_cache_size must not be negative, got -1"):
        replace(Settings(), answer_cache_size=-1)


@pytest.mark.parametrize("question", [
    "i signed up with google, how do i change my email",  # the passage is chosen among sections
    "how long until my refund shows up on my card",
    "ลืมรหัสผ่าน",
    "我的包裹在哪裡",
])
def test_a_question_is_embedded_once_even_for_its_passage(
        demo_slice: tuple[object, HybridIndex], encoder: Encoder, question: str) -> None:
    # With the answer cache off (as the latency benchmarks run), choosing the answer's passage
    # reuses the retrieval's query vector instead of embedding the question a second time.
    counting = CountingEncoder(encoder)
    bot = Bot(demo_slice[1], counting, Settings(answer_cache_size=0))
    reply = bot.answer(question)
    assert reply.answer is not None and reply.answer.passage
    assert counting.queries == 1
