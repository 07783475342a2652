"""Answer thresholds chosen at index time: the lowest confidence that reaches a target precision.

Self-calibration (`indexer/calibration.py`) asks the KB's own held-out questions of fold indexes that
lack them, and some that no article answers. Their confidences, each predicted by a confidence model
fitted on the *other* folds (so no question grades itself), say how precise the bot would be at any
threshold on questions like them. The index keeps the lowest threshold whose precision reaches
`target_precision`, globally and for every language with enough calibration questions of its own,
so a KB nobody labelled questions for still starts at its own operating point instead of one global
default that is right for no KB in particular.

Out-of-scope questions count as wrong answers and weigh as `oos_share` of the traffic, the share
the confidence model is fitted for. When the KB lists enough out-of-scope examples of its own, they
alone stand for out-of-scope traffic: the questions of articles removed from a fold are the hardest
kind (a neighbouring article nearly answers them), written examples are what customers do ask.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FILE = "thresholds.json"
SAMPLES_FILE = "calibration.npz"
GRID = tuple(round(i / 100, 2) for i in range(1, 100))
# A language gets a threshold of its own with this many calibration questions in it (in scope and
# out of scope): at precision 0.97, one wrong answer among 30 answered moves the estimate by 3 points.
MIN_LANG_QUESTIONS = 150
MIN_LANG_OUT_OF_SCOPE = 10
MIN_EXAMPLES = 30  # out-of-scope examples asked in the folds from which they alone stand for traffic
FALLBACK = 0.8  # an index without calibration (too small, or from before thresholds were saved)


@dataclass(frozen=True)
class Samples:
    """Out-of-fold calibration questions: confidence of the top article, whether it was right,
    whether no article answers the question, and the question's language."""

    confidence: np.ndarray
    right: np.ndarray
    out_of_scope: np.ndarray
    langs: tuple[str, ...]
    example: np.ndarray | None = None  # 1.0: one of the KB's out-of-scope examples; None: no such flag

    def __post_init__(self) -> None:
        n = len(self.confidence)
        if not len(self.right) == len(self.out_of_scope) == len(self.langs) == n:
            raise ValueError(f"{n} confidences but {len(self.right)} labels, {len(self.out_of_scope)} "
                             f"out-of-scope flags and {len(self.langs)} languages")
        if self.example is not None and len(self.example) != n:
            raise ValueError(f"{n} confidences but {len(self.example)} example flags")

    def subset(self, mask: np.ndarray) -> Samples:
        return Samples(self.confidence[mask], self.right[mask], self.out_of_scope[mask],
                       tuple(lang for lang, m in zip(self.langs, mask.tolist(), strict=True) if m),
                       None if self.example is None else self.example[mask])

    def traffic(self) -> Samples:
        """The questions that stand for traffic: every in-scope one and, when the KB lists at
        least MIN_EXAMPLES out-of-scope examples, those alone for out-of-scope traffic."""
        if self.example is None or self.example.sum() < MIN_EXAMPLES:
            return self
        return self.subset((self.out_of_scope == 0) | (self.example == 1))


def oos_weights(oos: np.ndarray, oos_share: float) -> np.ndarray:
    """Per-question weights making out-of-scope questions `oos_share` of the total."""
    n, n_oos = len(oos), int(oos.sum())
    w = np.ones(n)
    if 0 < n_oos < n:
        w[oos == 1] = oos_share * n / n_oos
        w[oos == 0] = (1 - oos_share) * n / (n - n_oos)
    return w


def curve(s: Samples, oos_share: float, grid: Sequence[float] = GRID) -> list[dict[str, float | None]]:
    """Weighted precision and resolution of answering iff confidence ≥ t, for each t of `grid`."""
    w = oos_weights(s.out_of_scope, oos_share)
    good = w * s.right * (1 - s.out_of_scope)
    n_in = float((w * (1 - s.out_of_scope)).sum())
    out = []
    for t in grid:
        answered = s.confidence >= t
        total, hit = float(w[answered].sum()), float(good[answered].sum())
        out.append({"threshold": t, "precision": round(hit / total, 4) if total else None,
                    "resolution": round(hit / n_in, 4) if n_in else None})
    return out


def lowest_reaching(s: Samples, target: float, oos_share: float) -> float | None:
    """The lowest grid threshold at which the weighted precision reaches `target` (None if none)."""
    for point in curve(s, oos_share):
        if point["precision"] is not None and point["precision"] >= target:
            return float(point["threshold"])  # type: ignore[arg-type]
    return None


@dataclass(frozen=True)
class Thresholds:
    """The answer thresholds an index chose for itself, and what they were measured on."""

    target_precision: float
    answer: float  # for every language without its own
    per_lang: Mapping[str, float] = field(default_factory=dict)
    source: str = "self-calibrated"  # "self-calibrated" | "fallback" (no calibration questions)
    stats: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for name, v in (("answer", self.answer), *self.per_lang.items()):
            if not (math.isfinite(v) and 0.0 <= v <= 1.0):
                raise ValueError(f"threshold {name!r} must be in [0, 1], got {v!r}")

    def for_lang(self, lang: str | None) -> tuple[float, str]:
        """The threshold for `lang` (None: the global one) and whether it is the language's own."""
        if lang is not None and lang in self.per_lang:
            return self.per_lang[lang], "language"
        return self.answer, "global"

    def to_json(self) -> dict[str, Any]:
        return {"target_precision": self.target_precision, "answer": self.answer,
                "per_lang": dict(self.per_lang), "source": self.source, "stats": self.stats}

    def save(self, directory: Path) -> None:
        (directory / FILE).write_text(json.dumps(self.to_json(), indent=1, ensure_ascii=False),
                                      encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Thresholds | None:
        """The thresholds saved in an index folder; None for an index from before they were."""
        file = directory / FILE
        if not file.exists():
            return None
        try:
            doc = json.loads(file.read_text(encoding="utf-8"))
            return cls(float(doc["target_precision"]), float(doc["answer"]),
                       {str(k): float(v) for k, v in doc.get("per_lang", {}).items()},
                       str(doc.get("source", "self-calibrated")), dict(doc.get("stats", {})))
        except (OSError, KeyError, TypeError, ValueError, json.JSONDecodeError) as e:
            raise ValueError(f"{file}: unreadable thresholds ({e})") from None


def choose(s: Samples | None, target: float, oos_share: float,
           min_lang: int = MIN_LANG_QUESTIONS, min_lang_oos: int = MIN_LANG_OUT_OF_SCOPE) -> Thresholds:
    """Thresholds reaching `target` on the calibration samples: global, and per language where a
    language has enough questions (and out-of-scope ones) to measure its own precision."""
    if not 0.0 < target <= 1.0:
        raise ValueError(f"target precision must be in (0, 1], got {target!r}")
    if s is None or not len(s.confidence):
        return Thresholds(target, FALLBACK, {}, "fallback", {"reason": "no calibration questions"})
    s = s.traffic()
    overall = lowest_reaching(s, target, oos_share)
    # No threshold reaches the target: answer only the surest, as strict as the grid allows.
    answer = overall if overall is not None else GRID[-1]
    per_lang: dict[str, float] = {}
    langs = np.array(s.langs)
    counts: dict[str, dict[str, Any]] = {}
    for lang in sorted(set(s.langs)):
        mine = s.subset(langs == lang)
        n_oos = int(mine.out_of_scope.sum())
        counts[lang] = {"questions": len(mine.langs) - n_oos, "out_of_scope": n_oos}
        if len(mine.langs) < min_lang or n_oos < min_lang_oos:
            continue
        own = lowest_reaching(mine, target, oos_share)
        per_lang[lang] = own if own is not None else GRID[-1]
    stats = {"questions": int(len(s.langs) - s.out_of_scope.sum()), "out_of_scope": int(s.out_of_scope.sum()),
             "reached": overall is not None, "per_lang": counts}
    return Thresholds(target, answer, per_lang, "self-calibrated", stats)


def save_samples(directory: Path, s: Samples) -> None:
    """The calibration samples, so a rebuild for another target precision needs no new folds."""
    np.savez(directory / SAMPLES_FILE, confidence=s.confidence, right=s.right, out_of_scope=s.out_of_scope,
             langs=np.array(s.langs, dtype=str),
             example=np.zeros(len(s.langs)) if s.example is None else s.example)


def load_samples(directory: Path) -> Samples | None:
    file = directory / SAMPLES_FILE
    if not file.exists():
        return None
    with np.load(file, allow_pickle=False) as z:
        return Samples(z["confidence"], z["right"], z["out_of_scope"], tuple(str(x) for x in z["langs"]),
                       z["example"] if "example" in z.files else None)
