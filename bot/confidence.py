"""Confidence that the top-ranked article answers the question, from the shape of the evidence.

A logistic model over: the best cosine similarity, its margin over the runner-up article, whether
BM25 agrees with the dense ranking, the BM25 score, and the article classifier's probability.
The default coefficients were fitted with `eval/fit_confidence.py` on CLINC150's train split
(held-out utterances vs out-of-scope ones, asked of a rich and a sparse KB), not on any evaluation set.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.types import Hit


@dataclass(frozen=True)
class ConfidenceModel:
    intercept: float = -13.67
    w_dense: float = 15.12
    w_margin: float = 22.21
    w_agree: float = 0.27
    w_bm25: float = -1.30
    w_prob: float = 4.02

    NAMES = ("intercept", "w_dense", "w_margin", "w_agree", "w_bm25", "w_prob")

    @staticmethod
    def features(hit: Hit, others: Sequence[Hit]) -> tuple[float, float, float, float, float]:
        runner_up = max((h.dense for h in others if h.article_id != hit.article_id), default=0.0)
        agree = 1.0 if hit.dense_rank == 1 and hit.bm25_rank == 1 else 0.0
        return hit.dense, hit.dense - runner_up, agree, hit.bm25, hit.prob

    def probability(self, feats: Sequence[float]) -> float:
        dense, margin, agree, bm25, prob = feats
        z = (self.intercept + self.w_dense * dense + self.w_margin * margin
             + self.w_agree * agree + self.w_bm25 * bm25 + self.w_prob * prob)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def score(self, hits: Sequence[Hit]) -> list[Hit]:
        """The hits with `confidence` set (ranking unchanged)."""
        return [replace(h, confidence=round(self.probability(self.features(h, hits)), 4))
                for h in hits]
