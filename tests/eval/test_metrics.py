"""Metrics against values computed by hand on six queries."""

from __future__ import annotations

import pytest

from eval.metrics import (
    THRESHOLDS,
    Outcome,
    at_threshold,
    compute_metrics,
    format_table,
    recommend,
    reliability,
)
from eval.queries import LabeledQuery


def outcome(expected: str | None, lang: str, decision: str, ranked: str, conf: float,
            latency: float = 10.0, reason: str = "") -> Outcome:
    ids = tuple(ranked)
    answered = ids[0] if decision == "answered" else None
    return Outcome(LabeledQuery(f"q {expected} {ranked}", expected, lang), lang, decision, answered,
                   ids, conf, latency, reason=reason)


@pytest.fixture
def outcomes() -> list[Outcome]:
    return [
        outcome("A", "en", "answered", "AB", 0.9, 5),  # right
        outcome("B", "en", "answered", "AB", 0.8, 10),  # wrong article, right one ranked 2nd
        outcome("C", "en", "escalated", "BCA", 0.3, 20),  # missed, ranked 2nd
        outcome(None, "th", "answered", "B", 0.7, 30),  # out of scope but answered: wrong
        outcome(None, "th", "escalated", "C", 0.2, 40, "out_of_scope"),  # out of scope, recognised
        outcome("A", "th", "suggest", "DEFA", 0.5, 50),  # ranked 4th
    ]


def test_headline_metrics_match_hand_computed(outcomes: list[Outcome]) -> None:
    m = compute_metrics(outcomes, target_precision=0.95)
    assert (m["n_queries"], m["n_in_scope"], m["n_out_of_scope"]) == (6, 4, 2)
    assert m["top1_accuracy"] == 0.25
    assert m["recall_at_3"] == 0.75
    assert m["mrr"] == pytest.approx((1 + 1 / 2 + 1 / 2 + 1 / 4) / 4, abs=1e-4)
    assert m["answer_rate"] == 0.5
    assert m["answered_precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert m["resolution_rate"] == 0.25
    assert m["escalation_recall"] == 0.5
    assert m["out_of_scope_answered_rate"] == 0.5  # the th question answered although out of scope
    assert m["out_of_scope_detected"] == 0.5
    assert m["in_scope_flagged_out_of_scope"] == 0.0
    assert m["suggest_rate"] == pytest.approx(1 / 6, abs=1e-4)
    assert m["latency_ms"] == {"p50": 25.0, "p95": 47.5, "p99": 49.5}


def test_answerable_questions_taken_for_out_of_scope_are_counted(outcomes: list[Outcome]) -> None:
    m = compute_metrics([*outcomes, outcome("B", "en", "escalated", "CB", 0.1, reason="out_of_scope")])
    assert m["in_scope_flagged_out_of_scope"] == 0.2
    assert m["per_language"]["en"]["in_scope_flagged_out_of_scope"] == 0.25


def test_exact_key_set(outcomes: list[Outcome]) -> None:
    m = compute_metrics(outcomes)
    scalar = {"n_queries", "n_in_scope", "n_out_of_scope", "top1_accuracy", "recall_at_3", "mrr",
              "answer_rate", "answered_precision", "resolution_rate", "escalation_recall", "suggest_rate",
              "latency_ms", "out_of_scope_answered_rate", "out_of_scope_detected",
              "in_scope_flagged_out_of_scope"}
    assert set(m) == scalar | {"per_language", "threshold_curve", "recommended_threshold",
                               "target_precision", "target_escalation", "ece", "calibration"}
    assert set(m["per_language"]) == {"en", "th"}
    assert set(m["per_language"]["en"]) == scalar | {"recommended_threshold", "ece"}
    assert {tuple(p) for p in m["threshold_curve"]} == {
        ("threshold", "answered_precision", "resolution_rate", "escalation_recall")}


def test_expected_calibration_error_and_reliability_bins(outcomes: list[Outcome]) -> None:
    m = compute_metrics(outcomes)
    # One question a bin; only the 0.9 one's first choice is right: gaps .1 .8 .3 .7 .2 .5.
    assert m["ece"] == pytest.approx(2.6 / 6, abs=1e-4)
    bins = {b["low"]: b for b in m["calibration"]["bins"]}
    assert len(bins) == 10 and sum(b["n"] for b in bins.values()) == 6
    assert bins[0.9] == {"low": 0.9, "high": 1.0, "n": 1, "confidence": 0.9, "accuracy": 1.0}
    assert bins[0.0]["n"] == 0 and bins[0.0]["accuracy"] is None
    assert m["per_language"]["en"]["ece"] == pytest.approx((0.1 + 0.8 + 0.3) / 3, abs=1e-4)
    right = [outcome("A", "en", "answered", "A", 0.95)] * 19 + [outcome("B", "en", "answered", "A", 0.95)]
    assert reliability(right)["ece"] == 0.0  # 19 of 20 right at 0.95: it means what it says
    assert reliability([outcome("A", "en", "answered", "A", 1.0)])["bins"][-1]["n"] == 1
    with pytest.raises(ValueError, match="bins must be at least 1"):
        reliability(outcomes, bins=0)


def test_per_language(outcomes: list[Outcome]) -> None:
    en, th = (compute_metrics(outcomes)["per_language"][x] for x in ("en", "th"))
    assert (en["n_in_scope"], en["n_out_of_scope"], en["answered_precision"]) == (3, 0, 0.5)
    assert en["escalation_recall"] is None  # no out-of-scope queries: undefined, not 100%
    assert (th["n_in_scope"], th["n_out_of_scope"], th["answered_precision"]) == (1, 2, 0.0)
    assert th["resolution_rate"] == 0.0 and th["escalation_recall"] == 0.5


@pytest.mark.parametrize(("threshold", "precision", "resolution", "esc_recall"), [
    (0.0, 1 / 6, 0.25, 0.0),  # everything answered with its top candidate
    (0.75, 0.5, 0.25, 1.0),
    (0.85, 1.0, 0.25, 1.0),
    (0.95, None, 0.0, 1.0),  # nothing answered: precision undefined
])
def test_threshold_sweep(outcomes: list[Outcome], threshold: float, precision: float | None,
                         resolution: float, esc_recall: float) -> None:
    p = at_threshold(outcomes, threshold)
    assert p["answered_precision"] == (None if precision is None else pytest.approx(precision, abs=1e-4))
    assert (p["resolution_rate"], p["escalation_recall"]) == (resolution, esc_recall)


def test_recommended_threshold_is_lowest_reaching_target(outcomes: list[Outcome]) -> None:
    m = compute_metrics(outcomes, target_precision=0.95)
    assert m["recommended_threshold"] == 0.81  # 0.80 still answers the wrong 0.8 query
    assert compute_metrics(outcomes, target_precision=0.5)["recommended_threshold"] == 0.71
    assert m["per_language"]["th"]["recommended_threshold"] is None  # th never answers right
    assert [p["threshold"] for p in m["threshold_curve"]] == list(THRESHOLDS)


def test_escalation_target_raises_the_threshold(outcomes: list[Outcome]) -> None:
    assert compute_metrics(outcomes, 0.5)["recommended_threshold"] == 0.71
    # precision 0.3 first holds at 0.51, where one of the two out-of-scope queries is still answered
    assert compute_metrics(outcomes, 0.5, target_escalation=1.0)["recommended_threshold"] == 0.71
    assert compute_metrics(outcomes, 0.3, target_escalation=0.5)["recommended_threshold"] == 0.51
    assert compute_metrics(outcomes, 0.3, target_escalation=1.0)["recommended_threshold"] == 0.71


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5])
def test_bad_target_precision(outcomes: list[Outcome], bad: float) -> None:
    with pytest.raises(ValueError, match=f"target precision.*{bad}"):
        recommend([], bad)


def test_no_outcomes() -> None:
    with pytest.raises(ValueError, match="no outcomes"):
        compute_metrics([])


def test_table_lists_languages_and_total(outcomes: list[Outcome]) -> None:
    lines = format_table(compute_metrics(outcomes)).splitlines()
    assert [line.split()[0] for line in lines[1:4]] == ["en", "th", "all"]
    assert "33.3%" in lines[3] and "0.81" in lines[-2] and "(ECE): 0.433" in lines[-1]
