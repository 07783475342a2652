"""Retrievers: BM25, dense, and their fusion, each grouping unit matches per article."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Protocol

import numpy as np

from indexer.analyzers import analyze
from indexer.hits import Hit
from indexer.store import HybridIndex


@dataclass(frozen=True)
class Query:
    text: str
    lang: str
    vector: np.ndarray | None = None  # set by the caller when a dense retriever takes part

    @cached_property
    def terms(self) -> list[str]:
        """The analyzer's terms, computed once for BM25 and the classifier."""
        return analyze(self.text, self.lang)


NEIGHBOURS = 10  # units looked at for the density of an article around the question
# Weighted k-NN: a neighbour's vote falls by e for every 0.02 of cosine it is behind the nearest,
# so a near-tie shares the vote and a distant neighbour hardly counts (issue 25: on BANKING77,
# k = 10 at 0.02 scored 0.905 top-1 against 0.897 for the nearest example alone).
KNN_TEMPERATURE = 0.02


class Retriever(Protocol):
    def retrieve(self, query: Query, k: int) -> list[Hit]: ...


def _group(index: HybridIndex, rows: np.ndarray, scores: np.ndarray) -> dict[int, tuple[float, int]]:
    """Best (score, unit row) per article position; rows arrive best first."""
    best: dict[int, tuple[float, int]] = {}
    for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
        pos = int(index.unit_article[row])
        if pos not in best:
            best[pos] = (float(score), int(row))
    return best


class BM25Retriever:
    def __init__(self, index: HybridIndex, depth: int = 200) -> None:
        self.index, self.depth = index, depth

    def retrieve(self, query: Query, k: int) -> list[Hit]:
        rows, scores = self.index.bm25.top(query.terms, self.depth)
        if not len(rows):
            return []
        top = float(scores[0])
        grouped = _group(self.index, rows, scores)
        return [Hit(self.index.article_ids[pos], s / top, bm25=s / top, bm25_rank=r, unit=row)
                for r, (pos, (s, row)) in enumerate(list(grouped.items())[:k], 1)]


class DenseRetriever:
    def __init__(self, index: HybridIndex, depth: int = 200) -> None:
        self.index, self.depth = index, depth

    def retrieve(self, query: Query, k: int) -> list[Hit]:
        if query.vector is None:
            raise ValueError("DenseRetriever needs query.vector (encode the question first)")
        rows, sims = self.index.vectors.search(query.vector, self.depth)
        return self.hits(rows, sims, k)

    def hits(self, rows: np.ndarray, sims: np.ndarray, k: int) -> list[Hit]:
        """The best k articles of one search's unit rows and similarities."""
        keep = rows >= 0
        grouped = _group(self.index, rows[keep], sims[keep])
        return [Hit(self.index.article_ids[pos], s, dense=s, dense_rank=r, unit=row)
                for r, (pos, (s, row)) in enumerate(list(grouped.items())[:k], 1)]


class HybridRetriever:
    """BM25, dense retrieval and the index's article classifier, keeping every raw signal per article.

    With a classifier, articles are ranked by its log-probability plus the best cosine similarity
    (the nearest example still matters when an article has one odd phrasing); a large KB's
    shortlist classifier scores only the articles BM25 and dense retrieval found. Without one (a
    single article), by reciprocal-rank fusion of the BM25 and dense rankings:
    RRF needs no score calibration between the two, which keeps it robust across languages where
    BM25 is strong (exact product words) or weak (paraphrase, typos).
    """

    def __init__(self, index: HybridIndex, rrf_k: int = 20, dense_weight: float = 1.0,
                 bm25_weight: float = 0.5, depth: int = 200, similarity_weight: float = 15.0) -> None:
        self.index = index
        self.bm25 = BM25Retriever(index, depth)
        self.dense = DenseRetriever(index, depth)
        self.rrf_k, self.wd, self.wb, self.ws = rrf_k, dense_weight, bm25_weight, similarity_weight
        self._position = {a: i for i, a in enumerate(index.article_ids)}
        self._sizes = np.bincount(index.unit_article, minlength=len(index.article_ids))

    def retrieve(self, query: Query, k: int) -> list[Hit]:
        rows, sims = (self.index.vectors.search(query.vector, self.dense.depth)
                      if query.vector is not None else (np.zeros(0, np.int64), np.zeros(0, np.float32)))
        dense = {h.article_id: h for h in self.dense.hits(rows, sims, self.dense.depth)}
        sparse = {h.article_id: h for h in self.bm25.retrieve(query, self.bm25.depth)}
        log_probs, oos_class = None, 0.0
        candidates = dense.keys() | sparse.keys()
        if self.index.classifier is not None and query.vector is not None:
            found = np.array(sorted(self._position[a] for a in candidates), dtype=np.int64)
            log_probs, oos_class = self.index.classifier.predict(query.vector, query.terms, found)
            top = np.argsort(-log_probs)[: max(k, 10)]
            candidates |= {self.index.article_ids[i] for i in top if np.isfinite(log_probs[i])}
        floor = min((h.dense for h in dense.values()), default=0.0)
        density = self._density(rows[:NEIGHBOURS])
        knn = self._knn(rows[:NEIGHBOURS], sims[:NEIGHBOURS])
        coverage = self._coverage(query.terms)
        fused = []
        for aid in candidates:
            d, b = dense.get(aid), sparse.get(aid)
            pos = self._position[aid]
            if log_probs is not None:
                lp = float(log_probs[pos])
                score = lp + self.ws * (d.dense if d else floor)
            else:
                score = (self.wd / (self.rrf_k + d.dense_rank) if d else 0.0) + \
                        (self.wb / (self.rrf_k + b.bm25_rank) if b else 0.0)
            base = d or b or Hit(aid, 0.0)
            fused.append(replace(base, score=score, dense=d.dense if d else 0.0,
                                 dense_rank=d.dense_rank if d else 0,
                                 bm25=b.bm25 if b else 0.0, bm25_rank=b.bm25_rank if b else 0,
                                 prob=float(np.exp(lp)) if log_probs is not None else 0.0,
                                 density=density.get(pos, 0.0), coverage=coverage.get(pos, 0.0),
                                 oos_class=oos_class, knn=knn.get(pos, 0.0)))
        fused.sort(key=lambda h: (-h.score, -h.dense, h.article_id))
        return fused[:k]

    def _density(self, rows: np.ndarray) -> dict[int, float]:
        """Per article: how much of the question's neighbourhood (its nearest unit rows) it fills.
        An answerable question sits among many units of one article; an out-of-scope one among
        scattered strangers."""
        pos, counts = np.unique(self.index.unit_article[rows[rows >= 0]], return_counts=True)
        return {int(p): float(c) / min(NEIGHBOURS, int(self._sizes[p]))
                for p, c in zip(pos.tolist(), counts.tolist(), strict=True)}

    def _knn(self, rows: np.ndarray, sims: np.ndarray) -> dict[int, float]:
        """Per article: its share of the nearest units' votes, each weighted by how close it is
        to the nearest one."""
        ok = rows >= 0
        if not ok.any():
            return {}
        weights = np.exp((sims[ok] - sims[ok].max()) / KNN_TEMPERATURE)
        votes: dict[int, float] = {}
        for p, w in zip(self.index.unit_article[rows[ok]].tolist(), weights.tolist(), strict=True):
            votes[p] = votes.get(p, 0.0) + w
        total = float(weights.sum())
        return {p: v / total for p, v in votes.items()}

    def _coverage(self, terms: list[str]) -> dict[int, float]:
        """Per article: the share of the question's distinct terms it contains anywhere."""
        distinct = set(terms)
        counts: dict[int, int] = {}
        for term in distinct:
            for p in np.unique(self.index.unit_article[self.index.bm25.containing(term)]).tolist():
                counts[p] = counts.get(p, 0) + 1
        return {p: c / len(distinct) for p, c in counts.items()}
