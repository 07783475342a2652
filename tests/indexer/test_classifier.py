"""The article classifier trained at index time, on the real encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer import analyze, build_index, load_index
from indexer.classifier import ArticleClassifier, term_features
from indexer.encoders import Encoder
from kb import Article, KnowledgeBase

EXAMPLES = {
    0: ["my card has not arrived yet", "when will my new card come", "card still not delivered",
        "how long does the card take to arrive"],
    1: ["I lost my card", "my card was stolen", "someone took my wallet", "block my missing card"],
    2: ["how do I change my pin", "reset the pin of my card", "forgot my pin code", "new pin please"],
}


@pytest.fixture(scope="module")
def trained(encoder: Encoder) -> ArticleClassifier:
    texts = [t for ts in EXAMPLES.values() for t in ts]
    labels = np.array([k for k, ts in EXAMPLES.items() for _ in ts])
    return ArticleClassifier.train(encoder.encode_queries(texts), [analyze(t, "en") for t in texts],
                                   labels, 3)


@pytest.mark.parametrize(("question", "article"), [
    ("card hasn't shown up", 0), ("wallet stolen with my card inside", 1), ("cant remember my pin", 2),
])
def test_unseen_paraphrases_go_to_their_article(trained: ArticleClassifier, encoder: Encoder,
                                                question: str, article: int) -> None:
    lp = trained.log_probs(encoder.encode_queries([question])[0], analyze(question, "en"))
    assert int(np.argmax(lp)) == article
    assert np.exp(lp).sum() == pytest.approx(1.0, abs=1e-5)


def test_save_load_round_trip(trained: ArticleClassifier, encoder: Encoder, tmp_path: Path) -> None:
    trained.save(tmp_path)
    loaded = ArticleClassifier.load(tmp_path)
    v = encoder.encode_queries(["lost card"])[0]
    np.testing.assert_allclose(loaded.log_probs(v, ["lost", "card"]), trained.log_probs(v, ["lost", "card"]),
                               rtol=1e-5)


def test_training_is_deterministic(trained: ArticleClassifier, encoder: Encoder) -> None:
    texts = [t for ts in EXAMPLES.values() for t in ts]
    again = ArticleClassifier.train(encoder.encode_queries(texts), [analyze(t, "en") for t in texts],
                                    np.array([k for k, ts in EXAMPLES.items() for _ in ts]), 3)
    np.testing.assert_array_equal(again.dense_w, trained.dense_w)


def test_mismatched_inputs() -> None:
    with pytest.raises(ValueError, match="2 vectors, 1 docs and 2 labels"):
        ArticleClassifier.train(np.zeros((2, 4), np.float32), [["a"]], np.array([0, 1]), 2)


def test_term_pairs_keep_order() -> None:
    assert term_features(["card", "arriv"]) == ["card", "arriv", "card arriv"]


def test_index_trains_saves_and_reuses_it(tmp_path: Path, tiny_kb: KnowledgeBase, encoder: Encoder) -> None:
    index, _ = build_index(tiny_kb, tmp_path / "idx", encoder)
    assert index.classifier is not None and index.classifier.n_classes == len(index.article_ids)
    assert load_index(tmp_path / "idx").classifier is not None
    again, stats = build_index(tiny_kb, tmp_path / "idx", encoder)
    assert stats.n_embedded == 0 and again.manifest["classifier"] == index.manifest["classifier"]


def test_single_article_kb_has_no_classifier(tmp_path: Path, encoder: Encoder) -> None:
    kb = KnowledgeBase((Article("only", "en", "The only article", "Some text."),))
    index, _ = build_index(kb, tmp_path / "idx", encoder)
    assert index.classifier is None and load_index(tmp_path / "idx").classifier is None


def test_a_composite_encoders_first_view_alone_is_learned_too() -> None:
    rng = np.random.default_rng(0)
    # Two articles; the second view separates them widely, the first only a little.
    labels = np.repeat([0, 1], 40)
    first = np.stack([np.where(labels == 0, 0.6, 0.4), np.where(labels == 0, 0.4, 0.6)], axis=1)
    second = np.stack([np.where(labels == 0, 1.0, -1.0), np.zeros(80)], axis=1)
    x = np.hstack([first, second]) + rng.normal(0, 0.01, (80, 4))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    docs = [["x"]] * 80
    plain = ArticleClassifier.train(x, docs, labels, 2)
    taught = ArticleClassifier.train(x, docs, labels, 2, first_view=2)
    question = np.array([0.6, 0.4, 0.0, 0.0]) / np.linalg.norm([0.6, 0.4])  # a language only view 1 reads
    p_plain, p_taught = (float(np.exp(c.log_probs(question, ["x"])[0])) for c in (plain, taught))
    assert p_taught > p_plain and p_taught > 0.6
    both = x[0]
    assert float(np.exp(taught.log_probs(both, ["x"])[0])) > 0.6  # both views still work
