"""Turn measured threshold curves into the answer thresholds the server reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import CalibrationError
from kb.settings import Settings, write_settings


@dataclass(frozen=True)
class Calibration:
    answer_threshold: float
    lang_thresholds: dict[str, float] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # language → why it keeps the global one


def calibrate(metrics: dict[str, Any], min_lang_queries: int = 40,
              min_lang_in_scope: int = 20) -> Calibration:
    """The recommended global threshold, and one per language that has enough labelled queries
    to be trusted (a threshold fitted on a handful of questions is noise)."""
    if min_lang_queries < 1 or min_lang_in_scope < 0:
        raise ValueError(f"minimum query counts must be positive, got {min_lang_queries!r}, "
                         f"{min_lang_in_scope!r}")
    target = metrics["target_precision"]
    if metrics["recommended_threshold"] is None:
        best = max((p for p in metrics["threshold_curve"] if p["answered_precision"] is not None),
                   key=lambda p: p["answered_precision"], default=None)
        got = f"the best is {best['answered_precision']:.1%} at threshold {best['threshold']}" \
            if best else "nothing was answered"
        also = (f" with escalation recall {metrics['target_escalation']:.0%}"
                if metrics.get("target_escalation") is not None else "")
        raise CalibrationError(f"no threshold reaches precision {target:.0%}{also} on these queries ({got})")
    per_lang, skipped = {}, {}
    for lang, m in metrics["per_language"].items():
        if m["n_queries"] < min_lang_queries or m["n_in_scope"] < min_lang_in_scope:
            skipped[lang] = (f"{m['n_queries']} queries, {m['n_in_scope']} in scope (needs "
                             f"{min_lang_queries} and {min_lang_in_scope})")
        elif m["recommended_threshold"] is None:
            skipped[lang] = f"no threshold reaches precision {target:.0%}"
        else:
            per_lang[lang] = float(m["recommended_threshold"])
    return Calibration(float(metrics["recommended_threshold"]), per_lang, skipped)


def write_calibration(calibration: Calibration, path: str | Path, current: Settings) -> Settings:
    """Write the thresholds into the settings file as `calibrated_threshold` and
    `calibrated_lang_thresholds`, which win over the index's own thresholds and over hand-set
    overrides; the per-language table is replaced whole, since thresholds measured on an older KB
    no longer hold."""
    updates: dict[str, Any] = {"calibrated_threshold": calibration.answer_threshold,
                               "calibrated_lang_thresholds": calibration.lang_thresholds}
    lowest = min([calibration.answer_threshold, *calibration.lang_thresholds.values()])
    if current.suggest_threshold > lowest:
        updates["suggest_threshold"] = lowest
    return write_settings(path, updates)
