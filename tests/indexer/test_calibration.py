"""Self-calibration at index time, on the shipped demo KB's English articles and the real encoder."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from bot import Bot
from indexer import HybridIndex, build_index, load_index
from indexer.analyzers import analyze
from indexer.calibration import self_calibrate
from indexer.encoders import Encoder
from kb import KnowledgeBase, Settings, load_kb

ROOT = Path(__file__).parent.parent.parent


@pytest.fixture(scope="module")
def english() -> KnowledgeBase:
    return KnowledgeBase(tuple(a for a in load_kb(ROOT / "articles") if a.lang == "en"))


@pytest.fixture(scope="module")
def en_index(tmp_path_factory: pytest.TempPathFactory, english: KnowledgeBase,
             encoder: Encoder) -> HybridIndex:
    index, _ = build_index(english, tmp_path_factory.mktemp("en") / "index", encoder)
    return index


@pytest.fixture(scope="module")
def titles_only(tmp_path_factory: pytest.TempPathFactory, english: KnowledgeBase,
                encoder: Encoder) -> HybridIndex:
    kb = KnowledgeBase(tuple(replace(a, questions=()) for a in english))
    index, _ = build_index(kb, tmp_path_factory.mktemp("titles") / "index", encoder)
    return index


def test_the_index_learns_and_keeps_its_own_confidence_model(en_index: HybridIndex) -> None:
    model = en_index.confidence
    assert model is not None and model.source == "self-calibrated"
    # Every held-out example question is asked once; 4 of 44 articles play out-of-scope per fold.
    assert model.stats["questions"] >= 400 and model.stats["out_of_scope"] >= 60
    assert model.stats["top1"] >= 0.75  # held-out questions of a KB with 4 articles fewer
    assert load_index(en_index.path).confidence == model


def test_an_unchanged_kb_is_not_recalibrated(en_index: HybridIndex, english: KnowledgeBase,
                                             encoder: Encoder, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="indexer.calibration"):
        index, stats = build_index(english, en_index.path.parent.parent / "index", encoder)
    assert stats.n_embedded == 0 and index.confidence == en_index.confidence
    assert not [r for r in caplog.records if r.name == "indexer.calibration"]


@pytest.mark.parametrize(("question", "article"), [
    ("my parcel says delivered but nothing is here", "missing-package"),
    ("someone logged into my account and changed stuff", "account-hacked"),
    ("how long until the money is back on my card", "refund-timing"),
])
def test_learned_confidence_answers_paraphrases(en_index: HybridIndex, encoder: Encoder,
                                                question: str, article: str) -> None:
    answer = Bot(en_index, encoder, Settings(languages=("en",))).answer(question)
    assert answer.decision == "answered" and answer.answer is not None, answer.hits[:2]
    assert answer.answer.article_id == article
    assert answer.hits[0].out_of_scope < 0.5


@pytest.mark.parametrize("question", [
    "what is the capital of mongolia", "recommend a good pizza place", "how tall is mount everest",
])
def test_questions_outside_the_kb_are_recognised_as_such(en_index: HybridIndex, encoder: Encoder,
                                                         question: str) -> None:
    answer = Bot(en_index, encoder, Settings(languages=("en",))).answer(question)
    assert answer.decision == "escalated" and answer.reason == "out_of_scope", answer.hits[:2]
    assert answer.suggestions == ()


def test_an_articles_only_kb_calibrates_on_its_titles(titles_only: HybridIndex, encoder: Encoder) -> None:
    model = titles_only.confidence
    assert model is not None and model.source == "self-calibrated"
    assert 30 <= model.stats["questions"] <= 44  # one title per article, minus those playing out-of-scope
    bot = Bot(titles_only, encoder, Settings(languages=("en",)))
    assert bot.answer("when will I get my refund").hits[0].article_id == "refund-timing"
    assert bot.answer("what is the capital of mongolia").decision == "escalated"


def test_a_kb_too_small_to_learn_from_keeps_the_default_model(built_index: HybridIndex) -> None:
    assert built_index.confidence is not None and built_index.confidence.source == "default"


def test_calibration_is_deterministic(en_index: HybridIndex) -> None:
    units = list(en_index.units)
    docs = [analyze(u.text, u.lang) for u in units]
    again = self_calibrate(en_index.kb, units, docs, en_index.vectors.vectors())
    assert again == en_index.confidence
