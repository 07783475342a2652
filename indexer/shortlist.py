"""The article classifier for help centers too large for one softmax over every article.

`ArticleClassifier` fits a softmax over all articles: its cost grows with units × articles, and
past a few thousand articles neither its time nor its memory fit this machine (a term view of
vocabulary × articles weights). Without a classifier a large KB fell back to rank fusion, and
CLINC150 with 10,000 unrelated articles beside it lost 7 points of top-1 (issue 23).

`ShortlistClassifier` learns the same two views, dense vectors and TF-IDF of terms and term pairs,
as a *sampled* softmax: each unit competes only with its own shortlist, the articles that
retrieval puts near it (its nearest units' articles and BM25's), which are the articles a question
like it is ranked among at query time. The term view keeps a weight only for (term, article) pairs
found in the article's own units, so its size grows with the KB's text, not vocabulary × articles.
At query time it scores the retrieved candidates only, normalised over them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from indexer.bm25 import BM25
from indexer.classifier import (
    FIT_THREADS,
    L2,
    SCALE,
    ArticleClassifier,
    _log_softmax,
    _tfidf,
    first_view_copies,
    load_vocab,
    minimize_lbfgs,
    row_blocks,
    save_vocab,
    term_features,
    unit_weights,
    vocabulary,
    with_out_of_scope,
)
from indexer.vectors import EXACT_LIMIT, VectorIndex

log = logging.getLogger(__name__)

SHORTLIST = 24  # articles a unit is trained against, its own included
DENSE_NEIGHBOURS = 40  # nearest units whose articles join the shortlist first
BM25_NEIGHBOURS = 20  # then BM25's best units for the unit's own terms
CHUNK = 4096  # units per block of the dense view's gathered weights (~150 MB of float32)


def shortlists(vectors: np.ndarray, docs: Sequence[Sequence[str]], labels: np.ndarray,
               oos_class: int | None, size: int = SHORTLIST) -> np.ndarray:
    """(units, size) article positions: own first, then the out-of-scope class when there is one,
    then the articles of the nearest units by cosine and by BM25, then the articles whose mean
    vector is nearest; -1 pads a short list."""
    # Exact search grows with units squared here; past EXACT_LIMIT the serving index's IVF does.
    near, _ = VectorIndex.build(vectors, EXACT_LIMIT).search_many(vectors, DENSE_NEIGHBOURS + 1)
    # An article with many example questions fills a unit's nearest units with itself: its
    # competitors come from the article means, which are distinct articles by construction.
    nearest_articles, _ = VectorIndex.build(_means(vectors, labels), EXACT_LIMIT).search_many(vectors, size)
    bm25 = BM25.build(docs)
    out = np.full((len(labels), size), -1, dtype=np.int64)
    for i, own in enumerate(labels.tolist()):
        chosen = [own] if oos_class is None or own == oos_class else [own, oos_class]
        units = [*near[i].tolist(), *bm25.top(docs[i], BM25_NEIGHBOURS + 1)[0].tolist()]
        classes = [*(int(labels[r]) for r in units if r >= 0),
                   *(c for c in nearest_articles[i].tolist() if c >= 0)]
        for c in classes:
            if len(chosen) == size:
                break
            if c not in chosen:
                chosen.append(c)
        out[i, : len(chosen)] = chosen
    return out


def _means(vectors: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Unit-length mean vector of each class (row = class position); zero rows for empty ones."""
    n_classes = int(labels.max()) + 1 if len(labels) else 0
    owner = sp.csr_matrix((np.ones(len(labels), dtype=np.float32), (labels, np.arange(len(labels)))),
                          shape=(n_classes, len(labels)))
    sums = np.asarray(owner @ vectors.astype(np.float32))
    return sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)


def _fit_dense(x: np.ndarray, lists: np.ndarray, weights: np.ndarray,
               n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Sampled-softmax regression on the vectors; weights come back (classes, dim)."""
    n, d = x.shape
    valid = lists >= 0
    cols = np.where(valid, lists, 0)
    x32 = x.astype(np.float32)
    share = weights / weights.sum()
    chunk = max(1, CHUNK // FIT_THREADS)  # the gathered weights stay CHUNK units' worth in all

    def block(rows: slice, w32: np.ndarray, b: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss and the weights' gradient over one block of units (its biases' land in g)."""
        loss = 0.0
        for s in range(rows.start, rows.stop, chunk):
            at = slice(s, min(s + chunk, rows.stop))
            c = cols[at]
            z = SCALE * np.matmul(w32[c], x32[at, :, None])[..., 0] + b[c]
            logp = _log_softmax(np.where(valid[at], z, -np.inf))
            loss -= float((share[at] * logp[:, 0]).sum())
            p = np.exp(logp)
            p[:, 0] -= 1.0
            g[at] = p * share[at, None]
        m, k = rows.stop - rows.start, lists.shape[1]
        spread = sp.csr_matrix((g[rows].astype(np.float32).ravel(), cols[rows].ravel(),
                                np.arange(0, m * k + 1, k)), shape=(m, n_classes))
        return loss, np.asarray(spread.T @ x32[rows], dtype=np.float64)

    g = np.empty(lists.shape)
    with ThreadPoolExecutor(FIT_THREADS) as pool:
        def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[: n_classes * d].reshape(n_classes, d), theta[n_classes * d:]
            w32 = w.astype(np.float32)
            parts = list(pool.map(lambda rows: block(rows, w32, b), row_blocks(n)))
            gw = SCALE * sum(p[1] for p in parts) + 2 * L2 * w
            gb = np.bincount(cols.ravel(), g.ravel(), minlength=n_classes)
            return sum(p[0] for p in parts) + L2 * float((w * w).sum()), np.concatenate([gw.ravel(), gb])

        theta = minimize_lbfgs(loss_grad, n_classes * d + n_classes)
    return (theta[: n_classes * d].reshape(n_classes, d).astype(np.float32),
            theta[n_classes * d:].astype(np.float32))


def _pattern(tfidf: sp.csr_matrix, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Sorted keys (article × vocabulary + term) of the (term, article) pairs the term view weighs."""
    owner = np.repeat(labels, np.diff(tfidf.indptr))
    return np.unique(owner * tfidf.shape[1] + tfidf.indices)


def _design(tfidf: sp.csr_matrix, lists: np.ndarray, pattern: np.ndarray) -> sp.csr_matrix:
    """(units × shortlist, pairs): row (i, k) holds unit i's TF-IDF values at the pairs of its
    k-th shortlisted article, so the term view's logits are one sparse product."""
    n, k = lists.shape
    unit = np.repeat(np.arange(n), np.diff(tfidf.indptr))
    rows, cols, vals = [], [], []
    for j in range(k):
        article = lists[unit, j]
        key = article * tfidf.shape[1] + tfidf.indices
        pos = np.minimum(np.searchsorted(pattern, key), len(pattern) - 1)
        hit = (article >= 0) & (pattern[pos] == key)
        rows.append(unit[hit] * k + j)
        cols.append(pos[hit])
        vals.append(tfidf.data[hit])
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(n * k, len(pattern)))


def _fit_terms(tfidf: sp.csr_matrix, labels: np.ndarray, lists: np.ndarray, weights: np.ndarray,
               n_classes: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Sampled-softmax regression on the term view; weights come back (terms, classes), sparse."""
    pattern = _pattern(tfidf, labels, n_classes)
    design = _design(tfidf, lists, pattern)
    valid = lists >= 0
    cols = np.where(valid, lists, 0)
    share = weights / weights.sum()
    m = len(pattern)

    k = lists.shape[1]
    # float32 products, one block of units per thread, as ArticleClassifier's fit.
    parts = [(design[r.start * k: r.stop * k].astype(np.float32), r) for r in row_blocks(len(lists))]
    del design

    def block(part: tuple[sp.csr_matrix, slice], w32: np.ndarray,
              b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        rows, r = part
        rows_t = rows.T
        z = SCALE * np.asarray(rows @ w32, dtype=np.float64).reshape(-1, k) + b[cols[r]]
        logp = _log_softmax(np.where(valid[r], z, -np.inf))
        p = np.exp(logp)
        p[:, 0] -= 1.0
        g = p * share[r, None]
        return (-float((share[r] * logp[:, 0]).sum()), np.asarray(rows_t @ g.ravel().astype(np.float32)),
                np.bincount(cols[r].ravel(), g.ravel(), minlength=n_classes))

    with ThreadPoolExecutor(FIT_THREADS) as pool:
        def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:m], theta[m:]
            w32 = w.astype(np.float32)
            done = list(pool.map(lambda part: block(part, w32, b), parts))
            gw = SCALE * np.sum([d[1] for d in done], axis=0, dtype=np.float64) + 2 * L2 * w
            loss = sum(d[0] for d in done) + L2 * float((w * w).sum())
            return loss, np.concatenate([gw, sum(d[2] for d in done)])

        theta = minimize_lbfgs(loss_grad, m + n_classes)
    vocab_size = tfidf.shape[1]
    weights_csr = sp.csr_matrix((theta[:m].astype(np.float32), (pattern % vocab_size, pattern // vocab_size)),
                                shape=(vocab_size, n_classes))
    return weights_csr, theta[m:].astype(np.float32)


@dataclass(frozen=True)
class ShortlistClassifier:
    """P(article | question) among the question's retrieved candidates (positions in
    `HybridIndex.article_ids`), for KBs past `ArticleClassifier`'s size."""

    VERSION = "3"  # part of the cache key: a changed training recipe retrains

    dense_w: np.ndarray  # (n_classes, dim): rows are gathered per candidate
    dense_b: np.ndarray
    sparse_w: sp.csr_matrix  # (n_terms, n_classes), only the article's own (term, article) pairs
    sparse_b: np.ndarray
    idf: np.ndarray
    vocab: dict[str, int]
    out_of_scope: bool = False  # the last class is the KB's out-of-scope examples

    @property
    def n_classes(self) -> int:
        return int(self.dense_b.shape[0])

    @property
    def n_articles(self) -> int:
        return self.n_classes - int(self.out_of_scope)

    def predict(self, vector: np.ndarray, terms: Sequence[str],
                candidates: np.ndarray | None = None) -> tuple[np.ndarray, float]:
        """Log-probability of each article (-inf outside `candidates`, which are normalised
        together with the out-of-scope class; all articles when None), and the out-of-scope
        class's probability."""
        cand = (np.arange(self.n_articles) if candidates is None
                else np.asarray(candidates, dtype=np.int64))
        classes = np.concatenate([cand, [self.n_articles]]) if self.out_of_scope else cand
        out = np.full(self.n_articles, -np.inf)
        if not len(classes):
            return out, 0.0
        dense = _log_softmax(SCALE * (self.dense_w[classes] @ vector) + self.dense_b[classes])
        cols = sorted({self.vocab[t] for t in term_features(terms) if t in self.vocab})
        if cols:
            weights = self.idf[cols] / max(float(np.linalg.norm(self.idf[cols])), 1e-12)
            row = np.asarray((sp.csr_matrix(weights) @ self.sparse_w[cols]).todense()).ravel()
        else:
            row = np.zeros(self.n_classes)
        sparse = _log_softmax(SCALE * row[classes] + self.sparse_b[classes])
        both = _log_softmax(0.5 * dense + 0.5 * sparse)
        out[cand] = both[: len(cand)]
        return out, float(np.exp(both[-1])) if self.out_of_scope else 0.0

    @classmethod
    def train(cls, vectors: np.ndarray, docs: Sequence[Sequence[str]], labels: np.ndarray,
              n_classes: int, out_of_scope: tuple[np.ndarray, Sequence[Sequence[str]]] | None = None,
              first_view: int = 0) -> ShortlistClassifier:
        """Fit on every unit, as `ArticleClassifier.train` (same arguments, same weighting)."""
        vectors, docs, labels, n_classes, has_oos = with_out_of_scope(vectors, docs, labels, n_classes,
                                                                      out_of_scope)
        started = time.perf_counter()
        weights = unit_weights(labels, n_classes, has_oos)
        lists = shortlists(vectors, docs, labels, n_classes - 1 if has_oos else None)
        vocab, idf = vocabulary(docs)
        dense_x, dense_lists, dense_weights = vectors.astype(np.float32), lists, weights
        if first_view:  # as ArticleClassifier: each unit also as a first-view-only question
            both, alone = first_view_copies(dense_x, first_view)
            dense_x = np.vstack([dense_x, alone])
            dense_lists = np.vstack([lists, lists[both]])
            dense_weights = np.concatenate([weights, weights[both]])
        dense_w, dense_b = _fit_dense(dense_x, dense_lists, dense_weights, n_classes)
        sparse_w, sparse_b = _fit_terms(_tfidf(docs, vocab, idf), labels, lists, weights, n_classes)
        log.info("shortlist classifier: %d units, %d classes, %d term pairs, %.1f s", len(labels),
                 n_classes, sparse_w.nnz, time.perf_counter() - started)
        return cls(dense_w, dense_b, sparse_w, sparse_b, idf, vocab, has_oos)

    def save(self, directory: Path) -> None:
        np.savez(directory / "classifier.npz", kind=np.array("shortlist"), dense_w=self.dense_w,
                 dense_b=self.dense_b, sparse_data=self.sparse_w.data, sparse_indices=self.sparse_w.indices,
                 sparse_indptr=self.sparse_w.indptr, sparse_b=self.sparse_b, idf=self.idf,
                 out_of_scope=np.array(self.out_of_scope))
        save_vocab(directory, self.vocab)

    def log_probs(self, vector: np.ndarray, terms: Sequence[str]) -> np.ndarray:
        """Log-probability of each article for one question, all articles competing."""
        return self.predict(vector, terms)[0]

    @classmethod
    def load(cls, directory: Path) -> ShortlistClassifier:
        with np.load(directory / "classifier.npz") as z:
            arrays = {k: z[k] for k in z.files}
        return cls.from_arrays(arrays, load_vocab(directory))

    @classmethod
    def from_arrays(cls, z: dict[str, np.ndarray], terms: list[str]) -> ShortlistClassifier:
        n_classes = int(z["dense_b"].shape[0])
        sparse_w = sp.csr_matrix((z["sparse_data"], z["sparse_indices"], z["sparse_indptr"]),
                                 shape=(len(terms), n_classes), copy=False)
        clf = cls(z["dense_w"], z["dense_b"], sparse_w, z["sparse_b"], z["idf"],
                  {t: i for i, t in enumerate(terms)}, bool(z["out_of_scope"]))
        if clf.dense_w.shape[0] != n_classes or len(clf.idf) != len(terms):
            raise ValueError(f"shortlist classifier shapes disagree: {clf.dense_w.shape}, "
                             f"{n_classes} classes, {len(terms)} terms")
        return clf


Classifier = ArticleClassifier | ShortlistClassifier  # what an index may hold

MAX_FULL_ARTICLES = 3000  # past this, ArticleClassifier's softmax over every article is too dear


def train_classifier(vectors: np.ndarray, docs: Sequence[Sequence[str]], labels: np.ndarray,
                     n_classes: int, out_of_scope: tuple[np.ndarray, Sequence[Sequence[str]]] | None = None,
                     first_view: int = 0) -> Classifier:
    """The classifier for a KB of `n_classes` articles: one softmax over them all while that is
    affordable, a shortlist softmax past it."""
    kind = ArticleClassifier if n_classes <= MAX_FULL_ARTICLES else ShortlistClassifier
    return kind.train(vectors, docs, labels, n_classes, out_of_scope, first_view)
