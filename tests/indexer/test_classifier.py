"""The article classifiers trained at index time (one softmax over every article, and the
shortlist softmax of large KBs), on the real encoder: one suite for both."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import indexer.classifier
import indexer.shortlist
from indexer import analyze, build_index, load_index
from indexer.classifier import ArticleClassifier, term_features
from indexer.encoders import Encoder
from indexer.shortlist import Classifier, ShortlistClassifier, shortlists
from kb import Article, KnowledgeBase

KINDS = pytest.mark.parametrize("kind", [ArticleClassifier, ShortlistClassifier])

EXAMPLES = {
    0: ["my card has not arrived yet", "when will my new card come", "card still not delivered",
        "how long does the card take to arrive"],
    1: ["I lost my card", "my card was stolen", "someone took my wallet", "block my missing card"],
    2: ["how do I change my pin", "reset the pin of my card", "forgot my pin code", "new pin please"],
}


@pytest.fixture(scope="module", params=[ArticleClassifier, ShortlistClassifier])
def trained(request: pytest.FixtureRequest, encoder: Encoder) -> Classifier:
    texts = [t for ts in EXAMPLES.values() for t in ts]
    labels = np.array([k for k, ts in EXAMPLES.items() for _ in ts])
    kind: type[Classifier] = request.param
    return kind.train(encoder.encode_queries(texts), [analyze(t, "en") for t in texts], labels, 3)


@pytest.mark.parametrize(("question", "article"), [
    ("card hasn't shown up", 0), ("wallet stolen with my card inside", 1), ("cant remember my pin", 2),
])
def test_unseen_paraphrases_go_to_their_article(trained: Classifier, encoder: Encoder,
                                                question: str, article: int) -> None:
    lp = trained.log_probs(encoder.encode_queries([question])[0], analyze(question, "en"))
    assert int(np.argmax(lp)) == article
    assert np.exp(lp).sum() == pytest.approx(1.0, abs=1e-5)


def test_save_load_round_trip(trained: Classifier, encoder: Encoder, tmp_path: Path) -> None:
    trained.save(tmp_path)
    loaded = type(trained).load(tmp_path)
    v = encoder.encode_queries(["lost card"])[0]
    np.testing.assert_allclose(loaded.log_probs(v, ["lost", "card"]), trained.log_probs(v, ["lost", "card"]),
                               rtol=1e-5)


def test_training_is_deterministic(trained: Classifier, encoder: Encoder) -> None:
    texts = [t for ts in EXAMPLES.values() for t in ts]
    again = type(trained).train(encoder.encode_queries(texts), [analyze(t, "en") for t in texts],
                                    np.array([k for k, ts in EXAMPLES.items() for _ in ts]), 3)
    np.testing.assert_array_equal(again.dense_w, trained.dense_w)


@KINDS
def test_mismatched_inputs(kind: type[Classifier]) -> None:
    with pytest.raises(ValueError, match="2 vectors, 1 docs and 2 labels"):
        kind.train(np.zeros((2, 4), np.float32), [["a"]], np.array([0, 1]), 2)


@KINDS
@pytest.mark.parametrize(("threads", "products"), [(1, np.float64), (2, np.float32), (3, np.float32)])
def test_row_blocks_and_float32_products_learn_what_one_float64_fit_does(
        encoder: Encoder, monkeypatch: pytest.MonkeyPatch, kind: type[Classifier], threads: int,
        products: type) -> None:
    texts = [t for ts in EXAMPLES.values() for t in ts]
    labels = np.array([k for k, ts in EXAMPLES.items() for _ in ts])
    vectors, docs = encoder.encode_queries(texts), [analyze(t, "en") for t in texts]
    monkeypatch.setattr(indexer.classifier, "FIT_THREADS", 1)
    monkeypatch.setattr(indexer.classifier, "PRODUCTS", np.float64)
    reference = kind.train(vectors, docs, labels, 3)  # (the shortlist multiplies in float32 either way)
    monkeypatch.setattr(indexer.classifier, "FIT_THREADS", threads)
    monkeypatch.setattr(indexer.classifier, "PRODUCTS", products)
    fitted = kind.train(vectors, docs, labels, 3)
    for question in ("card hasn't shown up", "wallet stolen with my card inside", "cant remember my pin"):
        v, terms = encoder.encode_queries([question])[0], analyze(question, "en")
        np.testing.assert_allclose(np.exp(fitted.log_probs(v, terms)), np.exp(reference.log_probs(v, terms)),
                                   atol=0.02)


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


@KINDS
def test_a_composite_encoders_first_view_alone_is_learned_too(kind: type[Classifier]) -> None:
    rng = np.random.default_rng(0)
    # Two articles; the second view separates them widely, the first only a little.
    labels = np.repeat([0, 1], 40)
    first = np.stack([np.where(labels == 0, 0.6, 0.4), np.where(labels == 0, 0.4, 0.6)], axis=1)
    second = np.stack([np.where(labels == 0, 1.0, -1.0), np.zeros(80)], axis=1)
    x = np.hstack([first, second]) + rng.normal(0, 0.01, (80, 4))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    docs = [["x"]] * 80
    plain = kind.train(x, docs, labels, 2)
    taught = kind.train(x, docs, labels, 2, first_view=2)
    question = np.array([0.6, 0.4, 0.0, 0.0]) / np.linalg.norm([0.6, 0.4])  # a language only view 1 reads
    p_plain, p_taught = (float(np.exp(c.log_probs(question, ["x"])[0])) for c in (plain, taught))
    assert p_taught > p_plain and p_taught > 0.6
    both = x[0]
    assert float(np.exp(taught.log_probs(both, ["x"])[0])) > 0.6  # both views still work


def test_a_shortlist_is_own_article_then_out_of_scope_then_neighbours() -> None:
    # Units 0-1 of article 0 and 2-3 of article 1 lie close together; unit 4 of article 2 far off.
    x = np.array([[1, 0, 0], [0.99, 0.1, 0], [0.9, 0.3, 0], [0.92, 0.25, 0], [0, 0, 1]], np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    docs = [["card"], ["card", "late"], ["pin"], ["pin", "card"], ["fee"]]
    lists = shortlists(x, docs, np.array([0, 0, 1, 1, 3]), oos_class=3, size=3)
    assert lists[0].tolist() == [0, 3, 1]
    assert lists[2].tolist() == [1, 3, 0]
    assert lists[4][0] == 3 and lists[4][1] in (0, 1)  # out-of-scope's own unit: no second copy


def test_an_article_with_many_questions_still_meets_other_articles(monkeypatch: pytest.MonkeyPatch) -> None:
    # Article 0's ten units fill every unit's nearest units and BM25 hits: the article means
    # still bring articles 1 and 2 in, nearest first.
    monkeypatch.setattr(indexer.shortlist, "DENSE_NEIGHBOURS", 2)
    monkeypatch.setattr(indexer.shortlist, "BM25_NEIGHBOURS", 2)
    x = np.array([*([1, 0.01 * i, 0] for i in range(10)), [0.6, 0, 0.8], [0.8, 0.6, 0]], np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    docs = [*(["card"] for _ in range(10)), ["pin"], ["fee"]]
    lists = shortlists(x, docs, np.array([0] * 10 + [2, 1]), oos_class=None, size=3)
    assert lists[0].tolist() == [0, 1, 2]


def test_only_candidates_are_scored_and_they_share_the_probability(encoder: Encoder) -> None:
    texts = [t for ts in EXAMPLES.values() for t in ts]
    labels = np.array([k for k, ts in EXAMPLES.items() for _ in ts])
    docs = [analyze(t, "en") for t in texts]
    clf = ShortlistClassifier.train(encoder.encode_queries(texts), docs, labels, 3)
    v, terms = encoder.encode_queries(["forgot my pin"])[0], analyze("forgot my pin", "en")
    lp, oos = clf.predict(v, terms, np.array([0, 2]))
    assert np.isneginf(lp[1]) and oos == 0.0
    assert np.exp(lp[[0, 2]]).sum() == pytest.approx(1.0, abs=1e-5) and lp[2] > lp[0]
    none, _ = clf.predict(v, terms, np.array([], dtype=np.int64))
    assert np.isneginf(none).all()


def test_a_large_kb_trains_saves_and_serves_a_shortlist_classifier(
        tmp_path: Path, tiny_kb: KnowledgeBase, encoder: Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(indexer.shortlist, "MAX_FULL_ARTICLES", 1)
    index, _ = build_index(tiny_kb, tmp_path / "idx", encoder)
    assert isinstance(index.classifier, ShortlistClassifier)
    assert index.classifier.n_articles == len(index.article_ids)
    loaded = load_index(tmp_path / "idx")
    assert isinstance(loaded.classifier, ShortlistClassifier)
    v = encoder.encode_queries(["lost card"])[0]
    np.testing.assert_allclose(loaded.classifier.log_probs(v, ["lost", "card"]),
                               index.classifier.log_probs(v, ["lost", "card"]), rtol=1e-5)
