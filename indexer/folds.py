"""The calibration folds' plan: which rows each fold's index keeps and which questions it asks.

Each article's question rows are dealt to the folds (held out, they are questions the KB can
answer), and OOS_SHARE_OF_ARTICLES of the articles to each fold's removed set (their questions are
ones it cannot). An articles-only KB's pseudo-questions (`Pseudo`) are embedded only when a fold
asks them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from indexer.analyzers import analyze
from indexer.encoders import Encoder
from indexer.store import Unit

log = logging.getLogger(__name__)

FOLDS = 4
OOS_SHARE_OF_ARTICLES = 0.1  # articles removed per fold to play out-of-scope
MAX_QUERIES_PER_FOLD = 600  # in-scope questions asked per fold (the cost is classifier training)
MAX_OOS_PER_ARTICLE = 3  # questions asked per removed article and language, so big articles do
# not dominate and every language has its out-of-scope questions


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
    traffic: list[float]  # per `removed` row: how many of its article's questions it stands for


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


def _traffic(units: Sequence[Unit], removed: Sequence[int], queries: dict[str, list[int]]) -> list[float]:
    """Per removed-article question: its article's question rows / the ones asked of it."""
    asked: dict[str, int] = defaultdict(int)
    for r in removed:
        asked[units[r].article_id] += 1
    return [len(queries[units[r].article_id]) / asked[units[r].article_id] for r in removed]


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
            folds.append(Fold(keep, [], [], [], []))
            continue
        gone = [r for aid in sorted(removed) for r in _removed_questions(units, queries.get(aid, []))]
        folds.append(Fold(keep, asked, gone, np.flatnonzero(oos_fold == fold).tolist(),
                          _traffic(units, gone, queries)))
    return folds


def embed_asked(extra: Pseudo, folds: Sequence[Fold], n_indexed: int, docs: Sequence[Sequence[str]],
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
