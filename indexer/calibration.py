"""Self-calibration at index time: the KB grades its own retrieval, with no labelled queries.

Cross-validation over the KB's own units. In each fold, some example questions are held out of the
index (they become questions the KB *can* answer: is the top article theirs?) and a few whole
articles are removed (their questions become questions the KB *cannot* answer: pseudo out-of-scope,
near the KB's topic, which is the hard kind). The fold's index is rebuilt from the stored vectors,
with no embedding, the held-out questions are asked through the real retriever, and the two heads of
`ConfidenceModel` are fitted on the evidence features, starting from `DEFAULT` as a prior.

The KB's out-of-scope examples, when it lists some, are dealt to the folds too: a fold's share is
left out of its classifier and asked as real out-of-scope questions.

A KB without example questions (articles only) asks its titles and its sections' first sentences
instead (`kb.passages.pseudo_questions`, never indexed), each against the passage it opened with the
sentence cut out (`Pseudo`): a question against the passage that answers it. A KB too small to
learn from keeps the default model.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.bm25 import BM25
from indexer.confidence import DEFAULT, FEATURES, ConfidenceModel, features, fit_logistic
from indexer.folds import Pseudo, embed_asked, plan_folds
from indexer.retrieval import HybridRetriever, Query
from indexer.shortlist import train_classifier
from indexer.store import HybridIndex, Unit, assemble
from indexer.thresholds import Samples, oos_weights
from indexer.vectors import VectorIndex
from kb.models import KnowledgeBase

log = logging.getLogger(__name__)

VERSION = "5"  # part of the index's cache key: a changed recipe recalibrates
ASSUMED_OOS_SHARE = 0.2  # weight of out-of-scope questions in the fit: the traffic the model expects
EXAMPLES_SHARE = 0.5  # of that weight, what the KB's own out-of-scope examples carry when it has
# some: they are what customers did ask, the removed articles only what they might
MIN_EXAMPLES = 30  # fewer calibration questions than this: keep the default model
PRIOR_STRENGTH = 5.0

# The KB's out-of-scope examples: their vectors and analyzer terms, in `kb.out_of_scope` order.
Outside = tuple[np.ndarray, Sequence[Sequence[str]]]


def _fold_index(kb: KnowledgeBase, units: Sequence[Unit], docs: Sequence[Sequence[str]],
                vectors: np.ndarray, keep: np.ndarray, outside: Outside, first_view: int,
                with_classifier: bool = True) -> HybridIndex:
    kept = np.flatnonzero(keep).tolist()
    sub_units = [units[i] for i in kept]
    sub_docs = [docs[i] for i in kept]
    ids, labels = np.unique([u.article_id for u in sub_units], return_inverse=True)
    classifier = (train_classifier(vectors[kept], sub_docs, labels, len(ids), outside, first_view)
                  if with_classifier and len(ids) >= 2 else None)
    manifest = {"encoder": "fold", "version": "fold"}
    return assemble(Path("."), manifest, kb, sub_units, BM25.build(sub_docs),
                    VectorIndex.build(vectors[kept]), classifier)


@dataclass(frozen=True)
class Asked:
    """What the folds measured: one row of evidence features per calibration question."""

    features: np.ndarray  # (n, len(FEATURES))
    right: np.ndarray  # 1.0: the top article was the question's own
    out_of_scope: np.ndarray  # 1.0: no article of the fold index answers it
    langs: tuple[str, ...]
    folds: np.ndarray  # the fold each question was asked in
    n_examples: int  # the KB's out-of-scope examples
    example: np.ndarray  # 1.0: the question is one of the KB's out-of-scope examples
    traffic: np.ndarray  # > 0: a removed article's question stands for this many of its questions
    # (its question rows / those asked), so articles weigh as the traffic their questions suggest
    # and a KB's thousands of two-question articles do not outweigh its busy ones; 1.0 otherwise

    def weights(self) -> np.ndarray:
        """Reweighting so out-of-scope questions make up ASSUMED_OOS_SHARE of the fit, the KB's
        examples EXAMPLES_SHARE of that (when there are both kinds), the removed articles the
        rest in proportion to their traffic."""
        w = oos_weights(self.out_of_scope, ASSUMED_OOS_SHARE)
        oos = self.out_of_scope == 1
        total = float(w[oos].sum())
        examples, removed = oos & (self.example == 1), oos & (self.example == 0)
        share = (EXAMPLES_SHARE if removed.any() else 1.0) if examples.any() else 0.0
        for kind, part in ((examples, share), (removed, 1 - share)):
            if kind.any():
                w[kind] = part * total * self.traffic[kind] / self.traffic[kind].sum()
        return w


@dataclass(frozen=True)
class Calibration:
    model: ConfidenceModel
    samples: Samples | None  # out-of-fold confidences of the calibration questions; None: too few


def ask_folds(kb: KnowledgeBase, units: Sequence[Unit], docs: Sequence[Sequence[str]],
              vectors: np.ndarray, outside: Outside | None = None, seed: int = 0,
              extra: Pseudo | None = None, first_view: int = 0,
              with_classifier: bool = True) -> Asked:
    """Ask every fold's held-out questions of an index without them; one feature row each.
    `extra`: pseudo-questions asked but never indexed. `with_classifier`: whether the served
    index has an article classifier (the folds must be built as it is)."""
    rng = np.random.default_rng(seed)
    n_indexed, n_pseudo = len(units), 0 if extra is None else len(extra.questions)
    stand_in: dict[int, tuple[int, int]] = {}  # pseudo row -> (its source row, the rest's row)
    if extra is not None and n_pseudo:
        units = [*units, *extra.questions, *extra.rest]
        stand_in = {n_indexed + j: (src, n_indexed + n_pseudo + j) for j, src in enumerate(extra.source)}
    examples = kb.out_of_scope
    oos_vectors, oos_docs = outside if outside is not None else (np.zeros((0, vectors.shape[1])), [])
    if len(oos_vectors) != len(examples) or len(oos_docs) != len(examples):
        raise ValueError(f"{len(examples)} out-of-scope examples, but {len(oos_vectors)} vectors "
                         f"and {len(oos_docs)} docs")
    folds = plan_folds(units, n_indexed, stand_in, len(examples), rng)
    if extra is not None and n_pseudo:
        docs, vectors = embed_asked(extra, folds, n_indexed, docs, vectors)
    x: list[tuple[float, ...]] = []
    right: list[float] = []
    oos: list[float] = []
    langs: list[str] = []
    folds_of: list[int] = []
    flags: list[float] = []
    per_traffic: list[float] = []
    for fold, plan in enumerate(folds):
        if not plan.asked:
            continue
        mine = set(plan.examples)
        trained = [i for i in range(len(examples)) if i not in mine]
        fold_outside = (oos_vectors[trained], [oos_docs[i] for i in trained])
        retriever = HybridRetriever(_fold_index(kb, units, docs, vectors, plan.keep, fold_outside,
                                                first_view, with_classifier))
        questions: list[tuple[str, str, np.ndarray, str | None, float]] = [
            (units[r].text, units[r].lang, vectors[r], units[r].article_id, 0.0) for r in plan.asked]
        questions += [(units[r].text, units[r].lang, vectors[r], None, 0.0) for r in plan.removed]
        questions += [(examples[i].text, examples[i].lang, oos_vectors[i], None, 1.0) for i in plan.examples]
        masses = [1.0] * len(plan.asked) + plan.traffic + [1.0] * len(plan.examples)
        for (text, lang, vector, expected, is_example), mass in zip(questions, masses, strict=True):
            hits = retriever.retrieve(Query(text, lang, vector), 10)
            if not hits:
                continue
            x.append(features(hits[0], hits))
            right.append(float(expected is not None and hits[0].article_id == expected))
            oos.append(float(expected is None))
            langs.append(lang)
            folds_of.append(fold)
            flags.append(is_example)
            per_traffic.append(mass)
    return Asked(np.array(x, dtype=np.float64).reshape(len(x), len(FEATURES)), np.array(right),
                 np.array(oos), tuple(langs), np.array(folds_of, dtype=np.int64), len(examples),
                 np.array(flags), np.array(per_traffic))


def fit(asked: Asked, mask: np.ndarray | None = None) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Both heads fitted on the questions `mask` selects (all by default), from the DEFAULT prior."""
    keep = np.ones(len(asked.right), dtype=bool) if mask is None else mask
    feats, weights, y_oos = asked.features[keep], asked.weights()[keep], asked.out_of_scope[keep]
    answer = fit_logistic(feats, asked.right[keep], weights, DEFAULT.answer, PRIOR_STRENGTH)
    oos_head = (fit_logistic(feats, y_oos, weights, DEFAULT.oos, PRIOR_STRENGTH) if y_oos.any()
                else DEFAULT.oos)
    return answer, oos_head


def out_of_fold(asked: Asked) -> Samples:
    """Each question's confidence from a model fitted on the other folds' questions only."""
    conf = np.zeros(len(asked.right))
    for fold in np.unique(asked.folds).tolist():
        mine = asked.folds == fold
        answer, oos_head = fit(asked, ~mine) if (~mine).any() else (DEFAULT.answer, DEFAULT.oos)
        model = ConfidenceModel(answer, oos_head)
        conf[mine] = [model.probability(f) for f in asked.features[mine]]
    return Samples(conf, asked.right, asked.out_of_scope, asked.langs, asked.example)


def calibrate(kb: KnowledgeBase, units: Sequence[Unit], docs: Sequence[Sequence[str]],
              vectors: np.ndarray, outside: Outside | None = None, seed: int = 0,
              extra: Pseudo | None = None, first_view: int = 0,
              with_classifier: bool = True) -> Calibration:
    """The confidence model this KB's own held-out questions teach (DEFAULT if too few), and the
    out-of-fold confidences its answer thresholds are chosen from.
    `outside`: vectors and terms of `kb.out_of_scope`, in order."""
    started = time.perf_counter()
    asked = ask_folds(kb, units, docs, vectors, outside, seed, extra, first_view, with_classifier)
    n, n_oos = len(asked.right), int(asked.out_of_scope.sum())
    stats = {"questions": n - n_oos, "out_of_scope": n_oos, "out_of_scope_examples": asked.n_examples,
             "top1": round(float(asked.right.sum() / max(1, n - n_oos)), 4),
             "seconds": round(time.perf_counter() - started, 1)}
    if n < MIN_EXAMPLES:
        log.info("confidence: %d calibration questions, keeping the default model", n)
        return Calibration(ConfidenceModel(DEFAULT.answer, DEFAULT.oos, "default", stats), None)
    answer, oos_head = fit(asked)
    log.info("confidence: self-calibrated on %d questions and %d out-of-scope ones (fold top-1 %.3f) "
             "in %.1f s", stats["questions"], stats["out_of_scope"], stats["top1"], stats["seconds"])
    return Calibration(ConfidenceModel(answer, oos_head, "self-calibrated", stats), out_of_fold(asked))


def self_calibrate(kb: KnowledgeBase, units: Sequence[Unit], docs: Sequence[Sequence[str]],
                   vectors: np.ndarray, outside: Outside | None = None,
                   seed: int = 0) -> ConfidenceModel:
    """The confidence model alone (see `calibrate`)."""
    return calibrate(kb, units, docs, vectors, outside, seed).model
