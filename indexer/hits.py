"""Retrieval evidence for one candidate article."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    """Retrieval evidence for one article (all its language versions), best first in a ranking."""

    article_id: str
    score: float  # fused ranking score; only comparable within one query
    dense: float = 0.0  # best cosine similarity of the question to any unit of the article
    dense_rank: int = 0  # 1-based article rank by `dense`; 0 = not retrieved densely
    bm25: float = 0.0  # best BM25 score, divided by the query's best BM25 score
    bm25_rank: int = 0
    unit: int = -1  # row of the best-matching unit (for snippets)
    prob: float = 0.0  # the index's article classifier: P(this article | question); 0 without one
    density: float = 0.0  # share of the question's 10 nearest units that are this article's
    coverage: float = 0.0  # share of the question's analyzer terms found in this article
    oos_class: float = 0.0  # the classifier's probability for the KB's out-of-scope examples
    knn: float = 0.0  # this article's share of the 10 nearest units' weights exp((cos - best) / 0.02)
    confidence: float = 0.0  # probability that this article answers the question
    out_of_scope: float = 0.0  # probability that no article of the KB answers the question
