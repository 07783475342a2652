"""Coverage and quality metrics over evaluated queries, and the threshold a target precision needs.

Retrieval quality (top-1, recall@3, MRR) ignores thresholds and counts in-scope queries only.
Decision quality follows the bot's real decisions: an auto-answer is right only when it is the
expected article, so answering an out-of-scope question always counts as wrong.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from eval.queries import LabeledQuery

# Thresholds the curve is swept over: a coarse grid plus the top end, where calibrated
# confidences of a precise bot crowd together.
THRESHOLDS: tuple[float, ...] = tuple(sorted(
    {round(i / 100, 2) for i in range(101)} | {0.991, 0.993, 0.995, 0.997, 0.999}))


@dataclass(frozen=True)
class Outcome:
    """What the bot did with one labelled query."""

    query: LabeledQuery
    language: str  # the query's labelled language, else the detected one
    decision: str  # "answered" | "suggest" | "escalated"
    answered: str | None  # article id given as the answer
    ranked: tuple[str, ...]  # candidate article ids, best first
    confidence: float  # confidence of the top candidate
    latency_ms: float
    suggestions: tuple[str, ...] = ()
    reason: str = ""  # the decision's reason, e.g. "out_of_scope"

    @property
    def top(self) -> str | None:
        return self.ranked[0] if self.ranked else None

    @property
    def right(self) -> bool:
        """Auto-answered with the expected article."""
        return self.answered is not None and self.answered == self.query.expected

    @property
    def wrong(self) -> bool:
        """Auto-answered with anything else (including any answer to an out-of-scope question)."""
        return self.answered is not None and self.answered != self.query.expected


def _ratio(num: int | float, den: int | float) -> float | None:
    return round(num / den, 4) if den else None


def decision_metrics(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Every scalar metric of one group of outcomes (all queries, or one language)."""
    ins = [o for o in outcomes if o.query.in_scope]
    oos = [o for o in outcomes if not o.query.in_scope]
    ranks = [o.ranked.index(o.query.expected) + 1 if o.query.expected in o.ranked else 0 for o in ins]
    answered = [o for o in outcomes if o.answered is not None]
    latencies = np.array([o.latency_ms for o in outcomes]) if outcomes else np.zeros(1)
    return {
        "n_queries": len(outcomes),
        "n_in_scope": len(ins),
        "n_out_of_scope": len(oos),
        "top1_accuracy": _ratio(sum(r == 1 for r in ranks), len(ins)),
        "recall_at_3": _ratio(sum(1 <= r <= 3 for r in ranks), len(ins)),
        "mrr": _ratio(sum(1 / r for r in ranks if r), len(ins)),
        "answer_rate": _ratio(len(answered), len(outcomes)),
        "answered_precision": _ratio(sum(o.right for o in answered), len(answered)),
        "resolution_rate": _ratio(sum(o.right for o in ins), len(ins)),
        "escalation_recall": _ratio(sum(o.answered is None for o in oos), len(oos)),
        # Explicit out-of-scope detection: how often an out-of-scope question is wrongly
        # auto-answered, how often it is recognised as such, and how often an answerable one is not.
        "out_of_scope_answered_rate": _ratio(sum(o.answered is not None for o in oos), len(oos)),
        "out_of_scope_detected": _ratio(sum(o.reason == "out_of_scope" for o in oos), len(oos)),
        "in_scope_flagged_out_of_scope": _ratio(sum(o.reason == "out_of_scope" for o in ins), len(ins)),
        "suggest_rate": _ratio(sum(o.decision == "suggest" for o in outcomes), len(outcomes)),
        "latency_ms": {f"p{q}": round(float(np.percentile(latencies, q)), 2) for q in (50, 95, 99)},
    }


def at_threshold(outcomes: Sequence[Outcome], threshold: float) -> dict[str, Any]:
    """Precision, resolution and escalation recall had the bot answered iff confidence ≥ threshold."""
    answered = [o for o in outcomes if o.top is not None and o.confidence >= threshold]
    right = sum(o.top == o.query.expected for o in answered)
    n_in = sum(o.query.in_scope for o in outcomes)
    oos = [o for o in outcomes if not o.query.in_scope]
    return {
        "threshold": threshold,
        "answered_precision": _ratio(right, len(answered)),
        "resolution_rate": _ratio(right, n_in),
        "escalation_recall": _ratio(sum(o.top is None or o.confidence < threshold for o in oos), len(oos)),
        "answer_rate": _ratio(len(answered), len(outcomes)),
    }


def threshold_curve(outcomes: Sequence[Outcome],
                    thresholds: Iterable[float] = THRESHOLDS) -> list[dict[str, Any]]:
    return [at_threshold(outcomes, t) for t in thresholds]


def recommend(curve: Sequence[dict[str, Any]], target_precision: float,
              target_escalation: float | None = None) -> float | None:
    """The lowest threshold whose answered precision reaches the target (None if none does) and,
    when `target_escalation` is given and there are out-of-scope queries, whose escalation recall
    reaches that too: precision alone barely sees a few out-of-scope questions among thousands."""
    if not 0.0 < target_precision <= 1.0:
        raise ValueError(f"target precision must be in (0, 1], got {target_precision!r}")
    if target_escalation is not None and not 0.0 <= target_escalation <= 1.0:
        raise ValueError(f"target escalation recall must be in [0, 1], got {target_escalation!r}")
    for point in sorted(curve, key=lambda p: p["threshold"]):
        if point["answered_precision"] is None or point["answered_precision"] < target_precision:
            continue
        esc = point["escalation_recall"]
        if target_escalation is None or esc is None or esc >= target_escalation:
            return float(point["threshold"])
    return None


RELIABILITY_BINS = 10


def reliability(outcomes: Sequence[Outcome], bins: int = RELIABILITY_BINS) -> dict[str, Any]:
    """How far `confidence` is from how often the bot's first choice is right: the expected
    calibration error (the mean gap between confidence and accuracy over equal-width confidence
    bins, weighted by how many questions fall in each) and the bins themselves, for a reliability
    diagram. The first choice of an out-of-scope question is always wrong."""
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins!r}")
    conf = np.array([o.confidence for o in outcomes], dtype=np.float64)
    right = np.array([o.top is not None and o.top == o.query.expected for o in outcomes], dtype=np.float64)
    which = np.minimum((conf * bins).astype(int), bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        mine = which == b
        n = int(mine.sum())
        row: dict[str, Any] = {"low": round(b / bins, 4), "high": round((b + 1) / bins, 4), "n": n,
                               "confidence": None, "accuracy": None}
        if n:
            row["confidence"] = round(float(conf[mine].mean()), 4)
            row["accuracy"] = round(float(right[mine].mean()), 4)
            ece += n / len(conf) * abs(row["confidence"] - row["accuracy"])
        table.append(row)
    return {"ece": round(ece, 4) if len(conf) else None, "bins": table}


def compute_metrics(outcomes: Sequence[Outcome], target_precision: float = 0.95,
                    target_escalation: float | None = None) -> dict[str, Any]:
    """The full metrics document `faqbot eval --json` writes (keys are a public contract)."""
    if not outcomes:
        raise ValueError("no outcomes to measure")
    curve = threshold_curve(outcomes)
    calibration = reliability(outcomes)
    by_lang: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_lang[o.language].append(o)
    per_language = {}
    for lang, group in sorted(by_lang.items()):
        per_language[lang] = {**decision_metrics(group),
                              "recommended_threshold": recommend(threshold_curve(group), target_precision,
                                                                 target_escalation),
                              "ece": reliability(group)["ece"]}
    return {
        **decision_metrics(outcomes),
        "per_language": per_language,
        "threshold_curve": [{k: p[k] for k in ("threshold", "answered_precision", "resolution_rate",
                                                 "escalation_recall")} for p in curve],
        "target_precision": target_precision,
        "target_escalation": target_escalation,
        "recommended_threshold": recommend(curve, target_precision, target_escalation),
        "ece": calibration["ece"],
        "calibration": calibration,
    }


_COLUMNS = (("queries", "n_queries", "d"), ("top1", "top1_accuracy", "%"), ("R@3", "recall_at_3", "%"),
            ("MRR", "mrr", "f"), ("answered", "answer_rate", "%"), ("precision", "answered_precision", "%"),
            ("resolved", "resolution_rate", "%"), ("esc.recall", "escalation_recall", "%"),
            ("oos.answered", "out_of_scope_answered_rate", "%"),
            ("oos.detected", "out_of_scope_detected", "%"),
            ("suggest", "suggest_rate", "%"), ("ECE", "ece", "f"))


def format_table(metrics: dict[str, Any]) -> str:
    """The metrics as a plain-text table: one row per language, then all."""
    def cell(value: Any, kind: str) -> str:
        if value is None:
            return "-"
        return {"d": f"{value}", "%": f"{value:.1%}", "f": f"{value:.3f}"}[kind]

    rows = [[lang, *(cell(m[key], kind) for _, key, kind in _COLUMNS)]
            for lang, m in metrics["per_language"].items()]
    rows.append(["all", *(cell(metrics[key], kind) for _, key, kind in _COLUMNS)])
    header = ["lang", *(name for name, _, _ in _COLUMNS)]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    lat = metrics["latency_ms"]
    rec = metrics["recommended_threshold"]
    lines.append(f"latency p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms; "
                 f"recommended threshold for precision ≥ {metrics['target_precision']:.0%}: "
                 f"{'none reaches it' if rec is None else rec}")
    if metrics.get("ece") is not None:
        lines.append(f"expected calibration error of confidence (ECE): {metrics['ece']:.3f}")
    return "\n".join(lines)
