"""The confidence model: evidence features, the two logistic heads, fitting with a prior, saving."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.confidence import DEFAULT, FEATURES, ConfidenceModel, features, fit_logistic
from indexer.encoders import Encoder
from indexer.hits import Hit
from indexer.retrieval import HybridRetriever, Query
from indexer.store import HybridIndex


def test_features_read_the_shape_of_the_evidence() -> None:
    top = Hit("a", 1.0, dense=0.9, dense_rank=1, bm25=1.0, bm25_rank=1, prob=0.8, density=0.7, coverage=0.5)
    other = Hit("b", 0.5, dense=0.85, dense_rank=2, bm25=0.4, bm25_rank=2, prob=0.15)
    f = dict(zip(FEATURES, features(top, [top, other]), strict=True))
    assert f["margin"] == pytest.approx(0.05) and f["prob_margin"] == pytest.approx(0.65)
    assert f["agree"] == 1.0 and f["density"] == 0.7 and f["coverage"] == 0.5
    # The runner-up's margin is negative: it is not the dense favourite.
    assert features(other, [top, other])[1] == pytest.approx(-0.05)


def test_score_sets_confidence_and_one_out_of_scope_value() -> None:
    sure = Hit("a", 1.0, dense=0.95, dense_rank=1, bm25=1.0, bm25_rank=1, prob=0.97, density=1.0,
               coverage=1.0)
    weak = Hit("b", 0.1, dense=0.80, dense_rank=2, bm25=0.2, bm25_rank=2, prob=0.01)
    scored = DEFAULT.score([sure, weak])
    assert scored[0].confidence > 0.9 > scored[1].confidence
    assert scored[0].out_of_scope == scored[1].out_of_scope < 0.1
    assert DEFAULT.score([]) == []


@pytest.mark.parametrize(("answer", "match"), [
    ((1.0, 2.0), f"answer needs {len(FEATURES) + 1} finite coefficients"),
    ((float("nan"),) * (len(FEATURES) + 1), "finite"),
])
def test_bad_coefficients_are_refused(answer: tuple[float, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ConfidenceModel(answer, DEFAULT.oos)


def test_save_load_round_trip(tmp_path: Path) -> None:
    n = len(FEATURES) + 1
    model = ConfidenceModel(tuple(range(n)), tuple(range(n, 2 * n)), "self-calibrated", {"questions": 3})
    model.save(tmp_path)
    assert ConfidenceModel.load(tmp_path) == model
    assert ConfidenceModel.load(tmp_path).stats == {"questions": 3}


def test_a_model_saved_before_a_feature_existed_gives_it_no_weight(tmp_path: Path) -> None:
    old = FEATURES[:-1]
    doc = {"features": list(old), "answer": [1.0] * (len(old) + 1), "oos": [2.0] * (len(old) + 1)}
    (tmp_path / "confidence.json").write_text(json.dumps(doc), encoding="utf-8")
    model = ConfidenceModel.load(tmp_path)
    assert model.answer == (1.0,) * len(FEATURES) + (0.0,) and model.oos == (2.0,) * len(FEATURES) + (0.0,)


@pytest.mark.parametrize(("content", "match"), [
    ('{"features": ["margin"], "answer": [], "oos": []}', "this version uses"),
    ("{not json", "unreadable confidence model"),
    (json.dumps({"features": list(FEATURES)}), "unreadable confidence model"),
])
def test_load_refuses_a_bad_file(tmp_path: Path, content: str, match: str) -> None:
    (tmp_path / "confidence.json").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        ConfidenceModel.load(tmp_path)


def test_fit_logistic_recovers_a_known_model() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 2))
    y = (rng.random(4000) < 1 / (1 + np.exp(-(0.5 + 2.0 * x[:, 0] - 1.0 * x[:, 1])))).astype(float)
    coef = fit_logistic(x, y)
    np.testing.assert_allclose(coef, (0.5, 2.0, -1.0), atol=0.15)


def test_a_strong_prior_holds_few_examples_near_it() -> None:
    x = np.array([[0.0], [1.0], [2.0]])
    y = np.array([1.0, 0.0, 1.0])
    prior = (-1.0, 3.0)
    near = fit_logistic(x, y, prior=prior, strength=1e4)
    free = fit_logistic(x, y, strength=1e-3)
    assert np.abs(np.subtract(near, prior)).max() < 0.01
    assert np.abs(np.subtract(free, prior)).max() > 1.0


def test_weighted_knn_votes_for_the_nearest_article(session_index: HybridIndex, encoder: Encoder) -> None:
    retriever = HybridRetriever(session_index)
    question = "I forgot my password"
    hits = retriever.retrieve(Query(question, "en", encoder.encode_queries([question], ["en"])[0]), 10)
    assert hits[0].article_id == "reset-password"
    # The shares of every article sum to one; the nearest article holds most of the vote.
    assert sum(h.knn for h in hits) == pytest.approx(1.0, abs=1e-6)
    assert hits[0].knn > 0.5 and all(h.knn <= hits[0].knn for h in hits)
    assert features(hits[0], hits)[FEATURES.index("knn")] == hits[0].knn


def test_newton_steps_are_damped_when_the_classes_nearly_separate() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] > 0).astype(float)  # separable: an undamped Newton step runs off
    coef = fit_logistic(x, y, prior=(0.0, 0.0, 0.0, 0.0), strength=5.0)
    assert all(np.isfinite(coef)) and max(abs(c) for c in coef) < 100
    assert coef[1] > 1 and abs(coef[2]) < abs(coef[1]) / 3
