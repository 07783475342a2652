"""A per-KB article classifier: which article answers this question, as a probability.

Nearest-neighbour retrieval looks at one example question at a time; a KB with many example
questions per article (an imported intent bot, a FAQ sheet) says much more about the *region* of
questions each article owns. Two softmax regressions are trained at index time on every unit of
every article: one on the dense vectors (meaning, across languages) and one on TF-IDF of the
analyzer's terms and term pairs (exact product words, codes, typos that the encoder smooths away).
Their log-probabilities are averaged. Measured on BANKING77 (README, "Benchmarks"): nearest
example 0.898 top-1, dense regression 0.910, both views 0.919.

When the KB lists out-of-scope example questions, they are one more class, after the articles (the
way Rasa trains an `out_of_scope` intent): a question like them draws probability away from every
article, and that class's probability is explicit out-of-scope evidence.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

log = logging.getLogger(__name__)

SCALE = 20.0  # inputs are unit vectors: cosine-sized logits need a temperature to separate
L2 = 1e-4
MAX_ITER = 300
# Stop when an L-BFGS step improves the loss by less than this share. scipy's default (2e-9)
# polishes digits that never change a ranking: on CLINC150 (15,150 units) 1e-5 trains in 18 s
# instead of 127 s with the same top-1 on val (0.9627).
FTOL = 1e-5
# L-BFGS's correction pairs, two float64 copies of the weights each. 10 (scipy's default) and 5
# reach the same loss (long-articles KB, 1,000 classes × 5,000 terms: 0.225244 vs 0.225242, 71 vs
# 78 iterations); 5 holds ~360 MB less at that size (classifier peak 1,535 MB against 1,895).
MAXCOR = 5
# The out-of-scope class weighs as much as this many articles: its examples spread over many
# unrelated topics. Demo KB, resolution at precision 0.97: 0.876 at 1, 0.879 at 3, 0.882 at 6.
OUT_OF_SCOPE_WEIGHT = 3.0
# Vocabulary × classes; beyond it the most frequent terms are kept. L-BFGS holds ~18 float64
# copies of the weights (MAXCOR correction pairs, gradient, iterates), so this bounds the sparse
# fit to ~0.7 GB. At 40M a 1,000-article KB of long bodies peaked at 6.5 GB (issue 23); CLINC150
# (28,653 term features, 151 classes), BANKING77 (17,417, 77) and the demo KB stay under it whole.
MAX_SPARSE_WEIGHTS = 5_000_000
PRODUCTS = np.float32
FIT_THREADS = 2  # row blocks of a fit worked at once: this machine's cores (one block is one thread)


def term_features(terms: Sequence[str]) -> list[str]:
    """Analyzer terms plus adjacent pairs ("card arrive" ≠ "arrive card")."""
    return [*terms, *(f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False))]


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def row_blocks(n: int) -> list[slice]:
    """`n` rows cut into FIT_THREADS blocks as even as they come (fewer when there are fewer rows)."""
    step = max(1, -(-n // FIT_THREADS))
    return [slice(s, min(s + step, n)) for s in range(0, n, step)]


def minimize_lbfgs(loss_grad: Callable[[np.ndarray], tuple[float, np.ndarray]], size: int) -> np.ndarray:
    """The minimum of a (loss, gradient) function of `size` weights, from zero (deterministic)."""
    # One BLAS thread: L-BFGS-B makes thousands of small BLAS calls, and OpenBLAS's threads
    # spinning on a busy 2-core machine made them 20x slower (classifier of the English demo
    # KB: 106 s with the default threads while another process ran, 5.4 s with one).
    with threadpool_limits(limits=1, user_api="blas"):
        result = minimize(loss_grad, np.zeros(size), jac=True, method="L-BFGS-B",
                          options={"maxiter": MAX_ITER, "ftol": FTOL, "maxcor": MAXCOR})
    log.debug("L-BFGS: %d iterations, %d evaluations over %d weights, loss %.6f", result.nit, result.nfev,
              size, result.fun)
    return np.asarray(result.x)


def _fit(x: np.ndarray | sp.csr_matrix, y: np.ndarray, weights: np.ndarray,
         n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """L2-regularised multinomial logistic regression (L-BFGS, zero start: deterministic)."""
    n, d = x.shape
    share = weights / weights.sum()
    # The two products in PRODUCTS precision (float32: half the time of float64); the softmax,
    # the loss and L-BFGS's own arithmetic stay float64. Rows are cut into one block per core,
    # each worked in its own thread (NumPy's and scipy's kernels release the GIL), summed in order.
    xp = x.astype(PRODUCTS)
    blocks = [(xp[r], xp[r].T, y[r], share[r]) for r in row_blocks(n)]

    def block(part: tuple[Any, Any, np.ndarray, np.ndarray], w: np.ndarray,
              b: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        rows, rows_t, labels, part_share = part
        logp = _log_softmax(SCALE * np.asarray(rows @ w, dtype=np.float64) + b)
        at = (np.arange(len(labels)), labels)
        loss = -float((part_share * logp[at]).sum())
        g = np.exp(logp, out=logp)
        g[at] -= 1.0
        g *= part_share[:, None]
        return loss, np.asarray(rows_t @ g.astype(PRODUCTS), dtype=np.float64), g.sum(axis=0)

    with ThreadPoolExecutor(len(blocks)) as pool:
        def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[: d * n_classes].reshape(d, n_classes), theta[d * n_classes:]
            w_p = w.astype(PRODUCTS)
            parts = list(pool.map(lambda part: block(part, w_p, b), blocks))
            loss = sum(p[0] for p in parts) + L2 * float((w * w).sum())
            gw = SCALE * sum(p[1] for p in parts) + 2 * L2 * w
            return loss, np.concatenate([gw.ravel(), sum(p[2] for p in parts)])

        theta = minimize_lbfgs(loss_grad, d * n_classes + n_classes)
    return (theta[: d * n_classes].reshape(d, n_classes).astype(np.float32),
            theta[d * n_classes:].astype(np.float32))


def _tfidf(docs: Sequence[Sequence[str]], vocab: dict[str, int], idf: np.ndarray) -> sp.csr_matrix:
    """L2-normalised binary TF-IDF rows of the documents' term features."""
    rows, cols = [], []
    for i, terms in enumerate(docs):
        for col in {vocab[t] for t in term_features(terms) if t in vocab}:
            rows.append(i)
            cols.append(col)
    m = sp.csr_matrix((idf[cols], (rows, cols)), shape=(len(docs), len(vocab)))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    return sp.csr_matrix(sp.diags(1.0 / np.maximum(norms, 1e-12)) @ m)


def with_out_of_scope(vectors: np.ndarray, docs: Sequence[Sequence[str]], labels: np.ndarray, n_classes: int,
                      out_of_scope: tuple[np.ndarray, Sequence[Sequence[str]]] | None,
                      ) -> tuple[np.ndarray, Sequence[Sequence[str]], np.ndarray, int, bool]:
    """The training units with the KB's out-of-scope examples appended as one more class, and
    whether there were any."""
    if not len(labels) == len(vectors) == len(docs):
        raise ValueError(f"{len(vectors)} vectors, {len(docs)} docs and {len(labels)} labels differ")
    oos_vectors, oos_docs = out_of_scope if out_of_scope is not None else (vectors[:0], [])
    if len(oos_vectors) != len(oos_docs):
        raise ValueError(f"{len(oos_vectors)} out-of-scope vectors but {len(oos_docs)} docs")
    if not len(oos_docs):
        return vectors, docs, labels, n_classes, False
    oos_labels = np.full(len(oos_docs), n_classes, dtype=labels.dtype)
    return (np.vstack([vectors, oos_vectors]), [*docs, *oos_docs], np.concatenate([labels, oos_labels]),
            n_classes + 1, True)


def unit_weights(labels: np.ndarray, n_classes: int, has_oos: bool) -> np.ndarray:
    """Each article weighs the same in total, however many units it has: how much was written is
    no prior for being asked. The out-of-scope class (last) weighs OUT_OF_SCOPE_WEIGHT articles."""
    counts = np.bincount(labels, minlength=n_classes).astype(np.float64)
    weights = 1.0 / counts[labels]
    if has_oos:
        weights[labels == n_classes - 1] *= OUT_OF_SCOPE_WEIGHT
    return weights


def vocabulary(docs: Sequence[Sequence[str]], limit: int | None = None) -> tuple[dict[str, int], np.ndarray]:
    """The term view's vocabulary (the `limit` most frequent features, all when None) and idf."""
    df: dict[str, int] = {}
    for terms in docs:
        for t in set(term_features(terms)):
            df[t] = df.get(t, 0) + 1
    keep = sorted(sorted(df, key=lambda t: (-df[t], t))[:limit]) if limit is not None else sorted(df)
    idf = np.array([np.log((1 + len(docs)) / (1 + df[t])) + 1 for t in keep], dtype=np.float32)
    return {t: i for i, t in enumerate(keep)}, idf


def first_view_copies(x: np.ndarray, first_view: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of `x` that have a second view, and those rows as a first-view-only question would
    encode them (second view zeroed, renormalised)."""
    both = np.flatnonzero(np.abs(x[:, first_view:]).sum(axis=1) > 0)
    alone = x[both].copy()
    alone[:, first_view:] = 0.0
    alone /= np.maximum(np.linalg.norm(alone, axis=1, keepdims=True), 1e-12)
    return both, alone


def save_vocab(directory: Path, vocab: dict[str, int]) -> None:
    (directory / "classifier_vocab.json").write_text(
        json.dumps(sorted(vocab, key=vocab.__getitem__), ensure_ascii=False), encoding="utf-8")


def load_vocab(directory: Path) -> list[str]:
    terms: list[str] = json.loads((directory / "classifier_vocab.json").read_text(encoding="utf-8"))
    return terms


@dataclass(frozen=True)
class ArticleClassifier:
    """P(article | question) over the index's articles (in `HybridIndex.article_ids` order)."""

    VERSION = "5"  # part of the cache key: a changed training recipe retrains

    dense_w: np.ndarray  # (dim, n_articles)
    dense_b: np.ndarray
    sparse_w: np.ndarray  # (n_terms, n_articles)
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
        """Log-probability of each article for one question (its vector and analyzer terms), and
        the probability of the out-of-scope class (0 without one). The articles' probabilities
        are not renormalised: with the out-of-scope class they sum to 1 minus its probability.
        `candidates` (what retrieval found) is not needed: every article is scored."""
        dense = _log_softmax(SCALE * (vector @ self.dense_w) + self.dense_b)
        # One question's TF-IDF row is a few weighted rows of sparse_w: no sparse matrix needed.
        cols = sorted({self.vocab[t] for t in term_features(terms) if t in self.vocab})
        weights = self.idf[cols] / max(float(np.linalg.norm(self.idf[cols])), 1e-12)
        sparse = _log_softmax(SCALE * (weights @ self.sparse_w[cols]) + self.sparse_b)
        both = _log_softmax(0.5 * dense + 0.5 * sparse)
        if not self.out_of_scope:
            return both, 0.0
        return both[: self.n_articles], float(np.exp(both[-1]))

    def log_probs(self, vector: np.ndarray, terms: Sequence[str]) -> np.ndarray:
        """Log-probability of each article for one question."""
        return self.predict(vector, terms)[0]

    @classmethod
    def train(cls, vectors: np.ndarray, docs: Sequence[Sequence[str]], labels: np.ndarray,
              n_classes: int, out_of_scope: tuple[np.ndarray, Sequence[Sequence[str]]] | None = None,
              first_view: int = 0) -> ArticleClassifier:
        """Fit on every unit (vector, terms, article position). Each article weighs the same in
        total, however many passages it has: how much was written is no prior for being asked.
        `out_of_scope` (vectors, terms) of the KB's out-of-scope examples adds their class.
        `first_view`: with a composite encoder, the width of its first view; the dense regression
        then also learns every unit as a question in a language only the first view reads would
        encode it (second view empty), so such questions are not left with half a classifier."""
        vectors, docs, labels, n_classes, has_oos = with_out_of_scope(vectors, docs, labels, n_classes,
                                                                      out_of_scope)
        started = time.perf_counter()
        weights = unit_weights(labels, n_classes, has_oos)
        vocab, idf = vocabulary(docs, max(1, MAX_SPARSE_WEIGHTS // max(n_classes, 1)))
        dense_x, dense_y, dense_weights = vectors.astype(np.float64), labels, weights
        if first_view:
            both, alone = first_view_copies(dense_x, first_view)
            dense_x = np.vstack([dense_x, alone])
            dense_y = np.concatenate([labels, labels[both]])
            dense_weights = np.concatenate([weights, weights[both]])
        dense_w, dense_b = _fit(dense_x, dense_y, dense_weights, n_classes)
        sparse_w, sparse_b = _fit(_tfidf(docs, vocab, idf), labels, weights, n_classes)
        log.info("article classifier: %d units, %d classes, %d terms, %.1f s", len(labels), n_classes,
                 len(vocab), time.perf_counter() - started)
        return cls(dense_w, dense_b, sparse_w, sparse_b, idf, vocab, has_oos)

    def save(self, directory: Path) -> None:
        np.savez(directory / "classifier.npz", dense_w=self.dense_w, dense_b=self.dense_b,
                 sparse_w=self.sparse_w, sparse_b=self.sparse_b, idf=self.idf,
                 out_of_scope=np.array(self.out_of_scope))
        save_vocab(directory, self.vocab)

    @classmethod
    def load(cls, directory: Path) -> ArticleClassifier:
        with np.load(directory / "classifier.npz") as z:
            arrays = {k: z[k] for k in ("dense_w", "dense_b", "sparse_w", "sparse_b", "idf")}
            oos = bool(z["out_of_scope"]) if "out_of_scope" in z.files else False
        terms = load_vocab(directory)
        clf = cls(vocab={t: i for i, t in enumerate(terms)}, out_of_scope=oos, **arrays)
        if clf.sparse_w.shape != (len(terms), clf.n_classes) or clf.dense_w.shape[1] != clf.n_classes:
            raise ValueError(f"classifier shapes disagree: {clf.sparse_w.shape}, {clf.dense_w.shape}, "
                             f"{len(terms)} terms")
        return clf
