"""Confidence that the top-ranked article answers the question, from the shape of the evidence.

A logistic model over: the best cosine similarity, its margin over the runner-up article, and
whether BM25 agrees with the dense ranking. The default coefficients were fitted with
`eval/fit_confidence.py` on CLINC150's train split (held-out utterances vs out-of-scope ones),
not on any evaluation set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.types import Hit


@dataclass(frozen=True)
class ConfidenceModel:
    intercept: float = -28.33
    w_dense: float = 29.41
    w_margin: float = 31.85
    w_agree: float = 1.74
    w_bm25: float = 2.30

    @staticmethod
    def features(hit: Hit, others: Sequence[Hit]) -> tuple[float, float, float, float]:
        runner_up = max((h.dense for h in others if h.article_id != hit.article_id), default=0.0)
        agree = 1.0 if hit.dense_rank == 1 and hit.bm25_rank == 1 else 0.0
        return hit.dense, hit.dense - runner_up, agree, hit.bm25

    def probability(self, feats: Sequence[float]) -> float:
        dense, margin, agree, bm25 = feats
        z = (self.intercept + self.w_dense * dense + self.w_margin * margin
             + self.w_agree * agree + self.w_bm25 * bm25)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def score(self, hits: Sequence[Hit]) -> list[Hit]:
        """The hits with `confidence` set (ranking unchanged)."""
        return [replace(h, confidence=round(self.probability(self.features(h, hits)), 4))
                for h in hits]
