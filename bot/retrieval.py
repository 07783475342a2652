"""Retrievers: BM25, dense, and their fusion, each grouping unit matches per article."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Protocol

import numpy as np

from bot.types import Hit
from indexer.analyzers import analyze
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
        keep = rows >= 0
        grouped = _group(self.index, rows[keep], sims[keep])
        return [Hit(self.index.article_ids[pos], s, dense=s, dense_rank=r, unit=row)
                for r, (pos, (s, row)) in enumerate(list(grouped.items())[:k], 1)]


class HybridRetriever:
    """BM25, dense retrieval and the index's article classifier, keeping every raw signal per article.

    With a classifier, articles are ranked by its log-probability plus the best cosine similarity
    (the nearest example still matters when an article has one odd phrasing). Without one (a
    single article, or a very large KB), by reciprocal-rank fusion of the BM25 and dense rankings:
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

    def retrieve(self, query: Query, k: int) -> list[Hit]:
        dense = {h.article_id: h for h in self.dense.retrieve(query, self.dense.depth)}
        sparse = {h.article_id: h for h in self.bm25.retrieve(query, self.bm25.depth)}
        log_probs = None
        if self.index.classifier is not None and query.vector is not None:
            log_probs = self.index.classifier.log_probs(query.vector, query.terms)
        candidates = dense.keys() | sparse.keys()
        if log_probs is not None:
            top = np.argsort(-log_probs)[: max(k, 10)]
            candidates |= {self.index.article_ids[i] for i in top}
        floor = min((h.dense for h in dense.values()), default=0.0)
        fused = []
        for aid in candidates:
            d, b = dense.get(aid), sparse.get(aid)
            if log_probs is not None:
                lp = float(log_probs[self._position[aid]])
                score = lp + self.ws * (d.dense if d else floor)
            else:
                score = (self.wd / (self.rrf_k + d.dense_rank) if d else 0.0) + \
                        (self.wb / (self.rrf_k + b.bm25_rank) if b else 0.0)
            base = d or b or Hit(aid, 0.0)
            fused.append(replace(base, score=score, dense=d.dense if d else 0.0,
                                 dense_rank=d.dense_rank if d else 0,
                                 bm25=b.bm25 if b else 0.0, bm25_rank=b.bm25_rank if b else 0,
                                 prob=float(np.exp(lp)) if log_probs is not None else 0.0))
        fused.sort(key=lambda h: (-h.score, -h.dense, h.article_id))
        return fused[:k]
