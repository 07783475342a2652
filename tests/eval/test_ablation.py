"""The ablation harness on the tiny KB with the real encoder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from eval.ablation import ROWS, ablate, best_resolution, markdown
from eval.metrics import Outcome
from eval.queries import LabeledQuery
from indexer import HybridIndex, build_index
from indexer.encoders import Encoder
from kb.models import OutOfScopeExample

QUERIES = [LabeledQuery("I forgot my password", "reset-password", "en"),
           LabeledQuery("when does my refund come", "refund-timing", "en"),
           LabeledQuery("what does express shipping cost", "shipping-costs", "en"),
           LabeledQuery("ลืมรหัสผ่าน", "reset-password", "th"),
           LabeledQuery("what is the capital of mongolia", None, "en")]


def test_every_ingredient_gets_a_row(built_index: HybridIndex, encoder: Encoder) -> None:
    rows = ablate(built_index, encoder, QUERIES, precision=0.9, escalation=0.9)
    # the KB lists no out-of-scope examples
    assert [r["ingredient"] for r in rows] == [*ROWS[:6], ROWS[7]]
    for r in rows:
        assert 0.0 <= r["top1_accuracy"] <= 1.0
        assert set(r["per_language"]) == {"en", "th"}
    # The last four rows share one ranking and differ only in confidence.
    assert len({r["top1_accuracy"] for r in rows[3:]}) == 1
    table = markdown("tiny", rows)
    assert "self-calibrated" in table and "k-NN" in table and "per language: en" in table


def test_out_of_scope_examples_get_the_last_row(built_index: HybridIndex, encoder: Encoder,
                                                 tmp_path: Path) -> None:
    examples = tuple(OutOfScopeExample(q, "en") for q in (
        "what is the capital of france", "how tall is the eiffel tower", "who won the world cup"))
    taught, _ = build_index(replace(built_index.kb, out_of_scope=examples), tmp_path / "taught", encoder)
    rows = ablate(built_index, encoder, QUERIES, precision=0.9, escalation=0.9, taught=taught)
    assert [r["ingredient"] for r in rows] == list(ROWS)
    # The examples shift confidence, not this tiny KB's ranking; k-NN only confidence.
    assert rows[-1]["top1_accuracy"] == rows[-2]["top1_accuracy"] == rows[-3]["top1_accuracy"]


def _outcome(expected: str | None, top: str, confidence: float) -> Outcome:
    return Outcome(LabeledQuery("q", expected, "en"), "en", "", None, (top,), confidence, 0.0)


def test_best_resolution_respects_both_targets() -> None:
    outcomes = [_outcome("a", "a", 0.9), _outcome("b", "b", 0.6), _outcome("c", "x", 0.5),
                _outcome(None, "a", 0.55)]
    point = best_resolution(outcomes, precision=1.0, escalation=1.0)
    assert point["threshold"] == pytest.approx(0.555)
    assert point["resolution_rate"] == pytest.approx(2 / 3, abs=1e-3)
    assert best_resolution([_outcome("a", "x", 0.9)], 0.5, None)["threshold"] is None
