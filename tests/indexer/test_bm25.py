from __future__ import annotations

import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from indexer.bm25 import BM25


@pytest.fixture
def corpus() -> list[list[str]]:
    rng = random.Random(3)
    vocab = [f"w{i}" for i in range(60)]
    return [[rng.choice(vocab) for _ in range(rng.randint(3, 25))] for _ in range(300)]


def test_scores_match_rank_bm25_ranking(corpus: list[list[str]]) -> None:
    ours = BM25.build(corpus, k1=1.5, b=0.75)
    ref = BM25Okapi(corpus, k1=1.5, b=0.75, epsilon=0.25)
    for query in (["w1", "w2"], ["w7"], ["w3", "w3", "w40"]):
        mine, theirs = ours.scores(query), ref.get_scores(query)
        # Same tf/length normalisation; idf differs only in its floor for very common terms.
        assert np.corrcoef(mine, theirs)[0, 1] > 0.99
        assert set(np.argsort(-mine)[:5]) == set(np.argsort(-theirs)[:5])


def test_top_returns_only_matching_documents_best_first() -> None:
    bm = BM25.build([["refund", "card"], ["shipping"], ["refund", "refund", "time"], []])
    rows, scores = bm.top(["refund"], 10)
    assert set(rows.tolist()) == {0, 2}
    assert list(scores) == sorted(scores, reverse=True)
    assert len(bm.top(["unknown"], 10)[0]) == 0


def test_save_load_roundtrip(tmp_path, corpus: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    bm = BM25.build(corpus)
    bm.save(tmp_path)
    again = BM25.load(tmp_path)
    np.testing.assert_allclose(again.scores(["w5", "w9"]), bm.scores(["w5", "w9"]))


def test_bad_parameters() -> None:
    with pytest.raises(ValueError, match="b=2"):
        BM25.build([["a"]], b=2)
