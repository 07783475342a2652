"""Question clustering: shapes and edge cases on synthetic vectors, paraphrases on the real encoder."""

from __future__ import annotations

import numpy as np
import pytest

import eval.clusters as clusters_mod
from eval.clusters import DEFAULT_THRESHOLD, Cluster, cluster_questions
from indexer.encoders import Encoder


def _unit(rows: list[list[float]]) -> np.ndarray:
    x = np.asarray(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_empty_and_single() -> None:
    assert cluster_questions([], np.zeros((0, 4), dtype=np.float32)) == []
    only = cluster_questions(["hello"], _unit([[1, 0, 0]]))
    assert only == [Cluster(size=1, representative="hello", examples=("hello",), members=(0,))]


@pytest.mark.parametrize("threshold", [0.0, -0.1, 2.0])
def test_bad_threshold_names_the_value(threshold: float) -> None:
    with pytest.raises(ValueError, match=repr(threshold)):
        cluster_questions(["a"], _unit([[1, 0]]), threshold=threshold)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="one row per text"):
        cluster_questions(["a", "b"], _unit([[1, 0]]))
    with pytest.raises(ValueError, match="0"):
        cluster_questions(["a"], _unit([[1, 0]]), max_clusters=0)
    with pytest.raises(ValueError, match="NaN"):
        cluster_questions(["a", "b"], np.array([[1.0, 0.0], [np.nan, 0.0]]))


def test_groups_biggest_first_singletons_last_and_central_representative() -> None:
    texts = ["lone", "a-edge", "b1", "a-centre", "b2", "a-other"]
    vectors = _unit([
        [0, 0, 1],
        [1, 0.25, 0],
        [0, 1, 0.05],
        [1, 0, 0],
        [0, 1, -0.05],
        [1, -0.2, 0],
    ])
    got = cluster_questions(texts, vectors)
    assert [c.size for c in got] == [3, 2, 1]
    assert got[0].representative == "a-centre"
    assert set(got[0].examples) == {"a-edge", "a-centre", "a-other"}
    assert got[0].examples[0] == "a-centre"
    assert sorted(got[0].members) == [1, 3, 5] and got[0].members[0] == 3
    assert set(got[1].examples) == {"b1", "b2"}
    assert got[2] == Cluster(1, "lone", ("lone",), (0,))
    assert cluster_questions(texts, vectors, max_clusters=2) == got[:2]


def test_repeated_question_counts_every_time_but_is_one_example() -> None:
    texts = ["refund?", "refund?", "refund?", "other"]
    got = cluster_questions(texts, _unit([[1, 0], [1, 0], [1, 0], [0, 1]]))
    assert got[0].size == 3 and got[0].examples == ("refund?",) and got[0].members == (0, 1, 2)


def test_examples_capped_at_five() -> None:
    texts = [f"q{i}" for i in range(8)]
    vectors = _unit([[1, 0.01 * i] for i in range(8)])
    (only,) = cluster_questions(texts, vectors)
    assert only.size == 8 and len(only.examples) == 5 and len(only.members) == 8


def test_questions_beyond_the_linkage_limit_join_the_nearest_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clusters_mod, "MAX_LINKED", 4)
    texts = ["a1", "a2", "b1", "b2", "a3", "far"]
    vectors = _unit([[1, 0, 0], [1, 0.05, 0], [0, 1, 0], [0, 1, 0.05], [1, -0.05, 0], [0, 0, 1]])
    got = cluster_questions(texts, vectors)
    assert [c.size for c in got] == [3, 2, 1]
    assert set(got[0].examples) == {"a1", "a2", "a3"}
    assert got[2].representative == "far"


def test_paraphrases_cluster_with_the_real_encoder(encoder: Encoder) -> None:
    refund = ["where is my refund", "I still have not received my refund", "when do I get my money back"]
    address = ["how do I change my delivery address", "can I update the shipping address on my order",
               "I need to ship to a different address"]
    texts = [refund[0], address[0], refund[1], address[1], "Do you sell gift cards?", refund[2], address[2]]
    got = cluster_questions(texts, encoder.encode_queries(texts))
    assert [c.size for c in got] == [3, 3, 1]
    by_topic = {frozenset(c.examples): c for c in got[:2]}
    assert set(by_topic) == {frozenset(refund), frozenset(address)}
    assert by_topic[frozenset(refund)].representative in refund
    assert by_topic[frozenset(address)].representative in address
    assert got[2].representative == "Do you sell gift cards?"
    assert 0.1 <= DEFAULT_THRESHOLD <= 0.15
