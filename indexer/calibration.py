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
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.analyzers import analyze
from indexer.bm25 import BM25
from indexer.confidence import DEFAULT, FEATURES, ConfidenceModel, features, fit_logistic
from indexer.encoders import Encoder
from indexer.retrieval import HybridRetriever, Query
from indexer.shortlist import train_classifier
from indexer.store import HybridIndex, Unit, assemble
from indexer.thresholds import Samples, oos_weights
from indexer.vectors import VectorIndex
from kb.models import KnowledgeBase

log = logging.getLogger(__name__)

VERSION = "4"  # part of the index's cache key: a changed recipe recalibrates
FOLDS = 4
OOS_SHARE_OF_ARTICLES = 0.1  # articles removed per fold to play out-of-scope
MAX_QUERIES_PER_FOLD = 600  # in-scope questions asked per fold (the cost is classifier training)
MAX_OOS_PER_ARTICLE = 3  # questions asked per removed article and language, so big articles do
# not dominate and every language has its out-of-scope questions
ASSUMED_OOS_SHARE = 0.2  # weight of out-of-scope questions in the fit: the traffic the model expects
MIN_EXAMPLES = 30  # fewer calibration questions than this: keep the default model
PRIOR_STRENGTH = 5.0

# The KB's out-of-scope examples: their vectors and analyzer terms, in `kb.out_of_scope` order.
Outside = tuple[np.ndarray, Sequence[Sequence[str]]]


@dataclass(frozen=True)
class Pseudo:
    """Pseudo-questions asked in the folds, never indexed: each is the first sentence of one
    indexed passage (`source`, its row), and `rest` is that passage without it, which stands in
    for it in the fold index while the question is asked: a question meets the passage that
    answers it, not the sentence it was cut from. Only the ones a fold asks are embedded, and a
    `rest` only when its question is asked in scope (a removed article's passages are gone anyway):
    most of a long KB's sentences are never asked."""

    questions: Sequence[Unit]
    source: Sequence[int]
    rest: Sequence[Unit]
    encoder: Encoder

    def __post_init__(self) -> None:
        if not len(self.questions) == len(self.source) == len(self.rest):
            raise ValueError(f"{len(self.questions)} pseudo-questions but {len(self.source)} sources "
                             f"and {len(self.rest)} passages")

    def embed(self, questions: Sequence[int], rests: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Vectors of the pseudo-questions and the passages without them at these positions."""
        dim = self.encoder.dim
        q = [self.questions[i] for i in questions]
        r = [self.rest[i] for i in rests]
        q_vectors = (self.encoder.encode_queries([u.text for u in q], [u.lang for u in q])
                     if q else np.zeros((0, dim)))
        r_vectors = (self.encoder.encode_passages([u.text for u in r], [u.lang for u in r])
                     if r else np.zeros((0, dim)))
        return q_vectors.reshape(len(q), dim), r_vectors.reshape(len(r), dim)


@dataclass(frozen=True)
class Fold:
    """One fold's plan: which rows its index keeps and which questions it asks."""

    keep: np.ndarray  # bool per row: in this fold's index
    asked: list[int]  # in-scope question rows (their article is kept)
    removed: list[int]  # question rows of the articles removed to play out of scope
    examples: list[int]  # the KB's out-of-scope examples asked (the others train its classifier)


def _queries_of(units: Sequence[Unit]) -> dict[str, list[int]]:
    """Per article, the rows that can stand in for a customer's question."""
    rows: dict[str, list[int]] = defaultdict(list)
    kinds: dict[str, set[str]] = defaultdict(set)
    for i, u in enumerate(units):
        kinds[u.article_id].add(u.kind)
        if u.kind == "question":
            rows[u.article_id].append(i)
    for i, u in enumerate(units):
        # Articles only: the title and the sections' headings and first sentences are the questions,
        # the body passages must answer them.
        if (u.kind in ("title", "pseudo") and "question" not in kinds[u.article_id]
                and len(kinds[u.article_id]) > 1):
            rows[u.article_id].append(i)
    return rows


def _removed_questions(units: Sequence[Unit], rows: Sequence[int]) -> list[int]:
    """The first few questions of a removed article in each of its languages."""
    by_lang: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        by_lang[units[r].lang].append(r)
    return [r for lang in sorted(by_lang) for r in by_lang[lang][:MAX_OOS_PER_ARTICLE]]


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

    def weights(self) -> np.ndarray:
        """Reweighting so out-of-scope questions make up ASSUMED_OOS_SHARE of the fit."""
        return oos_weights(self.out_of_scope, ASSUMED_OOS_SHARE)


@dataclass(frozen=True)
class Calibration:
    model: ConfidenceModel
    samples: Samples | None  # out-of-fold confidences of the calibration questions; None: too few


def plan_folds(units: Sequence[Unit], n_indexed: int, stand_in: dict[int, tuple[int, int]],
               n_examples: int, rng: np.random.Generator) -> list[Fold]:
    """Deal each article's question rows to the folds and the articles to the folds' removed sets.
    `units`: the indexed rows, then pseudo-questions and their passages (`stand_in`: a pseudo row
    -> its source row and the row of its passage without it)."""
    oos_fold = rng.permutation(n_examples) % FOLDS
    queries = _queries_of(units)
    articles = sorted({u.article_id for u in units})
    n_oos = int(round(OOS_SHARE_OF_ARTICLES * len(articles))) if len(articles) >= 5 else 0
    fold_of: dict[int, int] = {}
    for aid in articles:
        rows = list(queries.get(aid, []))
        rng.shuffle(rows)
        offset = int(rng.integers(FOLDS))
        fold_of.update({r: (offset + j) % FOLDS for j, r in enumerate(rows)})
    order = list(rng.permutation(len(articles)))
    own: dict[str, list[int]] = defaultdict(list)
    for i, u in enumerate(units):
        own[u.article_id].append(i)
    folds = []
    for fold in range(FOLDS):
        removed = {articles[i] for i in order[fold * n_oos:(fold + 1) * n_oos]} if n_oos else set()
        asked = [r for r, f in fold_of.items() if f == fold and units[r].article_id not in removed]
        if len(asked) > MAX_QUERIES_PER_FOLD:
            asked = sorted(rng.choice(asked, MAX_QUERIES_PER_FOLD, replace=False).tolist())
        keep = np.ones(len(units), dtype=bool)
        keep[n_indexed:] = False
        keep[asked] = False
        keep[[i for aid in removed for i in own[aid]]] = False
        # A first sentence is asked of the passage it opened, with the sentence cut out of it.
        for r in asked:
            if r in stand_in:
                source, rest = stand_in[r]
                keep[source], keep[rest] = False, True
        # An article must keep at least one unit, or its questions could never be answered.
        for aid in {units[r].article_id for r in asked}:
            if not keep[own[aid]].any():
                keep[own[aid][0]] = True
                asked = [r for r in asked if r != own[aid][0]]
        if keep.sum() < 2 or not asked:
            folds.append(Fold(keep, [], [], []))
            continue
        gone = [r for aid in sorted(removed) for r in _removed_questions(units, queries.get(aid, []))]
        folds.append(Fold(keep, asked, gone, np.flatnonzero(oos_fold == fold).tolist()))
    return folds


def _embed_asked(extra: Pseudo, folds: Sequence[Fold], n_indexed: int, docs: Sequence[Sequence[str]],
                 vectors: np.ndarray) -> tuple[list[Sequence[str]], np.ndarray]:
    """Docs and vectors for the indexed rows, then every pseudo-question, then every passage
    without its first sentence, embedding (and analysing) only the rows the folds use."""
    n = len(extra.questions)
    questions = sorted({r - n_indexed for f in folds for r in (*f.asked, *f.removed)
                        if n_indexed <= r < n_indexed + n})
    rests = sorted({int(j) for f in folds for j in np.flatnonzero(f.keep[n_indexed + n:])})
    q_vectors, r_vectors = extra.embed(questions, rests)
    log.info("calibration: embedded %d of %d pseudo-questions and %d of their passages",
             len(questions), n, len(rests))
    out = np.zeros((n_indexed + 2 * n, vectors.shape[1]), dtype=vectors.dtype)
    out[:n_indexed] = vectors
    out[[n_indexed + i for i in questions]] = q_vectors
    out[[n_indexed + n + i for i in rests]] = r_vectors
    added_docs: list[Sequence[str]] = [[] for _ in range(2 * n)]
    for i in rests:
        added_docs[n + i] = analyze(extra.rest[i].text, extra.rest[i].lang)
    return [*docs, *added_docs], out


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
        docs, vectors = _embed_asked(extra, folds, n_indexed, docs, vectors)
    x: list[tuple[float, ...]] = []
    right: list[float] = []
    oos: list[float] = []
    langs: list[str] = []
    folds_of: list[int] = []
    flags: list[float] = []
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
        for text, lang, vector, expected, is_example in questions:
            hits = retriever.retrieve(Query(text, lang, vector), 10)
            if not hits:
                continue
            x.append(features(hits[0], hits))
            right.append(float(expected is not None and hits[0].article_id == expected))
            oos.append(float(expected is None))
            langs.append(lang)
            folds_of.append(fold)
            flags.append(is_example)
    return Asked(np.array(x, dtype=np.float64).reshape(len(x), len(FEATURES)), np.array(right),
                 np.array(oos), tuple(langs), np.array(folds_of, dtype=np.int64), len(examples),
                 np.array(flags))


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
