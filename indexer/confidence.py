"""Calibrated confidence from the shape of the evidence: is the top article right, is the question
outside the KB?

Two logistic heads over the same evidence features of the top candidate:

- `answer`: P(the top article answers the question): what the answer threshold is compared with;
- `oos`: P(no article of the KB answers it): explicit out-of-scope detection, so a question the KB
  does not cover is escalated as such instead of being offered look-alike suggestions.

Raw similarities are not comparable across questions (a short question scores lower than a long one;
one KB's cosines run higher than another's), but their *shape* is: a wide margin over the runner-up,
BM25 agreeing with the dense ranking, a neighbourhood filled by one article, and the classifier's
probability. Each index learns its own coefficients from its own KB at build time
(`indexer/calibration.py`); `DEFAULT` is the prior those fits start from, and what an index uses when
its KB is too small to learn from.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from indexer.hits import Hit

FEATURES = ("dense", "margin", "agree", "bm25", "prob", "prob_margin", "density", "coverage",
            "oos_class", "knn")
FILE = "confidence.json"


def features(hit: Hit, others: Sequence[Hit]) -> tuple[float, ...]:
    """The evidence features of `hit` among the query's candidates `others` (in FEATURES order)."""
    rivals = [h for h in others if h.article_id != hit.article_id]
    runner_up = max((h.dense for h in rivals), default=0.0)
    prob_rival = max((h.prob for h in rivals), default=0.0)
    agree = 1.0 if hit.dense_rank == 1 and hit.bm25_rank == 1 else 0.0
    return (hit.dense, hit.dense - runner_up, agree, hit.bm25, hit.prob, hit.prob - prob_rival,
            hit.density, hit.coverage, hit.oos_class, hit.knn)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


@dataclass(frozen=True)
class ConfidenceModel:
    """Intercept then one weight per feature, for each head."""

    answer: tuple[float, ...]
    oos: tuple[float, ...]
    source: str = "default"  # "default" | "self-calibrated"
    stats: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for name in ("answer", "oos"):
            coef = getattr(self, name)
            if len(coef) != len(FEATURES) + 1 or not all(math.isfinite(c) for c in coef):
                raise ValueError(f"{name} needs {len(FEATURES) + 1} finite coefficients, got {coef!r}")

    @staticmethod
    def _z(coef: Sequence[float], feats: Sequence[float]) -> float:
        return coef[0] + sum(w * f for w, f in zip(coef[1:], feats, strict=True))

    def probability(self, feats: Sequence[float]) -> float:
        """P(the candidate with these features answers the question)."""
        return _sigmoid(self._z(self.answer, feats))

    def out_of_scope(self, feats: Sequence[float]) -> float:
        """P(nothing in the KB answers the question), from its best candidate's features."""
        return _sigmoid(self._z(self.oos, feats))

    def score(self, hits: Sequence[Hit]) -> list[Hit]:
        """The hits with `confidence` and `out_of_scope` set (ranking unchanged). Out-of-scope is
        a property of the question, so every hit carries the value read off the top one."""
        if not hits:
            return []
        feats = [features(h, hits) for h in hits]
        oos = round(self.out_of_scope(feats[0]), 4)
        return [replace(h, confidence=round(self.probability(f), 4), out_of_scope=oos)
                for h, f in zip(hits, feats, strict=True)]

    def to_json(self) -> dict[str, Any]:
        return {"features": list(FEATURES), "answer": list(self.answer), "oos": list(self.oos),
                "source": self.source, "stats": self.stats}

    def save(self, directory: Path) -> None:
        (directory / FILE).write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> ConfidenceModel:
        """The model saved in an index folder (ValueError when it is unreadable or from other features)."""
        try:
            doc = json.loads((directory / FILE).read_text(encoding="utf-8"))
            names = list(doc["features"])
            if names != list(FEATURES[: len(names)]):
                raise ValueError(f"features {names!r}, this version uses {list(FEATURES)!r}")
            # A model from before a feature existed gives it no weight, which is what it learned.
            pad = (0.0,) * (len(FEATURES) - len(names))
            return cls(tuple(map(float, doc["answer"])) + pad, tuple(map(float, doc["oos"])) + pad,
                       str(doc.get("source", "self-calibrated")), dict(doc.get("stats", {})))
        except (OSError, KeyError, TypeError, json.JSONDecodeError) as e:
            raise ValueError(f"{directory / FILE}: unreadable confidence model ({e})") from None


def fit_logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None,
                 prior: Sequence[float] | None = None, strength: float = 1e-3,
                 iters: int = 50) -> tuple[float, ...]:
    """L2-regularised logistic regression by Newton's method; returns (intercept, *weights).

    With `prior`, the penalty pulls towards those coefficients instead of zero (a Gaussian prior
    worth about `strength` examples' curvature): a small KB's fit stays near the default model and a
    large KB's moves wherever its evidence says."""
    a = np.hstack([np.ones((len(x), 1)), x])
    w0 = np.zeros(a.shape[1]) if prior is None else np.asarray(prior, dtype=np.float64)
    sw = np.ones(len(x)) if weights is None else weights

    def loss(w: np.ndarray) -> float:
        z = a @ w
        return float((sw * (np.logaddexp(0, z) - y * z)).sum() + 0.5 * strength * ((w - w0) ** 2).sum())

    w = w0.copy()
    current = loss(w)
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(a @ w, -60, 60)))
        grad = a.T @ (sw * (p - y)) + strength * (w - w0)
        hess = (a * (sw * p * (1 - p))[:, None]).T @ a + strength * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        # A full Newton step can overshoot when the evidence nearly separates the classes (it ran
        # coefficients into the hundreds on an articles-only KB): halve it until the loss falls.
        scale = 1.0
        while scale > 1e-4 and loss(w - scale * step) > current:
            scale /= 2
        w -= scale * step
        current = loss(w)
        if np.abs(scale * step).max() < 1e-8:
            break
    return tuple(round(float(c), 4) for c in w)


# The prior: the previous release's global model, fitted by eval/fit_confidence.py on CLINC150 train
# over the first five features (the five newer ones start at zero weight), its out-of-scope head
# the mirror image. Every number in the README was measured with this prior; a refit over all ten
# features (`python -m eval.fit_confidence`) changes it and must be re-measured before it ships.
DEFAULT = ConfidenceModel(
    answer=(-13.67, 15.12, 22.21, 0.27, -1.30, 4.02, 0.0, 0.0, 0.0, 0.0, 0.0),
    oos=(13.67, -15.12, -22.21, -0.27, 1.30, -4.02, 0.0, 0.0, 0.0, 0.0, 0.0),
)
