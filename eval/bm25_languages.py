"""BM25 alone per language, for each analyzer: what each ingredient of the analyzer earns.

`bm25_benchmark` measures BM25 alone (the index's units, the index's BM25) per language on a
labelled query set for several analyzers: naive whitespace splitting, the shipped one with one
ingredient taken out at a time, and word segmentation for Thai and Chinese.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eval.queries import LabeledQuery, load_queries, resolve_expected
from indexer.analyzers import SHIPPED, Analyzer, clear_stem_cache
from indexer.bm25 import BM25
from kb.loader import load_kb
from kb.passages import Passage, split_article

# What each ingredient of the analyzer earns: the naive "before", the shipped one, the shipped one
# less one ingredient at a time, and dictionary word segmentation for Thai (newmm) and Chinese (jieba).
ANALYZERS: dict[str, Analyzer] = {
    "naive (casefold, whitespace split)": Analyzer(nfkc=False, split_words=False, fold_chinese=False,
                                                   stem=False, fold_accents=False),
    "shipped (character bigrams)": SHIPPED,
    "shipped - NFKC and case folding": Analyzer(nfkc=False, casefold=False),
    "shipped - stemming": Analyzer(stem=False),
    "shipped - accent folding": Analyzer(fold_accents=False),
    "shipped - Traditional->Simplified": Analyzer(fold_chinese=False),
    "unigrams + bigrams": Analyzer(segmentation="unigrams+bigrams"),
    "words (newmm / jieba)": Analyzer(segmentation="words"),
    "words + bigrams": Analyzer(segmentation="words+bigrams"),
}


def bm25_benchmark(kb_path: str | Path, queries_path: str | Path,
                   analyzers: dict[str, Analyzer] | None = None, passage_budget: int = 600,
                   default_lang: str = "en") -> dict[str, Any]:
    """BM25-only recall@1/@3 and MRR per language and analyzer, over the units the index uses
    (titles, example questions, passages), articles ranked by their best unit as the bot does;
    each analyzer is also compared query by query with the shipped one."""
    kb = load_kb(kb_path, default_lang)
    units = [p for a in kb for p in split_article(a, passage_budget)]
    queries = [q for q in resolve_expected(load_queries(queries_path), kb) if q.in_scope]
    chosen = analyzers or ANALYZERS
    measured, missing = {}, {}
    for name, analyzer in chosen.items():
        try:
            measured[name] = _bm25_ranks(analyzer, units, queries, default_lang)
        except ImportError as e:  # the word segmenters are optional: pip install pythainlp jieba
            missing[name] = f"needs {e.name}"
    shipped = next((n for n, a in chosen.items() if a == SHIPPED and n in measured), next(iter(measured)))
    report: dict[str, Any] = {"kb": str(kb_path), "queries": str(queries_path), "n_units": len(units),
                              "n_queries": len(queries), "compared_with": shipped, "analyzers": {},
                              "not_measured": missing}
    for name, (ranks, info) in measured.items():
        base = measured[shipped][0] if name != shipped else {}
        report["analyzers"][name] = {
            "per_language": {lang: _retrieval(r, base.get(lang)) for lang, r in ranks.items()}, **info}
    return report


def _bm25_ranks(analyzer: Analyzer, units: Sequence[Passage], queries: Sequence[LabeledQuery],
                default_lang: str) -> tuple[dict[str, list[int]], dict[str, float | int]]:
    """Rank of the expected article per query, by language ("all" too), and analyzer costs."""
    analyzer.analyze("warm-up ลืมรหัสผ่าน 忘记密码", "en")  # loads dictionaries outside the timing
    clear_stem_cache()  # every analyzer stems with a cold cache, as new text would
    started = time.perf_counter()
    docs = [analyzer.analyze(u.text, u.lang) for u in units]
    unit_ms = (time.perf_counter() - started) * 1000 / len(units)
    bm25 = BM25.build(docs)
    ranks: dict[str, list[int]] = defaultdict(list)
    query_ms = []
    for q in queries:
        lang = q.lang or default_lang
        started = time.perf_counter()
        terms = analyzer.analyze(q.text, lang)
        query_ms.append((time.perf_counter() - started) * 1000)
        rows, _ = bm25.top(terms, 200)
        ranked = list(dict.fromkeys(units[int(r)].article_id for r in rows))
        ranks[lang].append(ranked.index(q.expected) + 1 if q.expected in ranked else 0)
    ranks["all"] = [r for lang in sorted(ranks) for r in ranks[lang]]
    return dict(ranks), {"analyze_ms_per_query": round(float(np.mean(query_ms)), 4),
                         "analyze_ms_per_unit": round(unit_ms, 4),
                         "vocabulary": len({t for d in docs for t in d})}


def _retrieval(ranks: list[int], shipped: list[int] | None) -> dict[str, float | int]:
    """Recall@1/@3 and MRR; with the shipped analyzer's ranks of the same queries, on how many
    queries this one ranks the expected article higher or lower (small sets: count, not just %)."""
    n = len(ranks)
    out: dict[str, float | int] = {
        "n": n, "recall_at_1": round(sum(r == 1 for r in ranks) / n, 4),
        "recall_at_3": round(sum(1 <= r <= 3 for r in ranks) / n, 4),
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4)}
    if shipped is not None:
        rr = [1 / r if r else 0.0 for r in ranks]
        base = [1 / r if r else 0.0 for r in shipped]
        out["better_than_shipped"] = sum(a > b for a, b in zip(rr, base, strict=True))
        out["worse_than_shipped"] = sum(a < b for a, b in zip(rr, base, strict=True))
    return out


def bm25_report_lines(report: dict[str, Any]) -> list[str]:
    """Plain-text table of a `bm25_benchmark` result, one line per analyzer."""
    lines = []
    langs = sorted(next(iter(report["analyzers"].values()))["per_language"], key=lambda x: x == "all")
    lines.append("BM25 alone, recall@3 / MRR per language (+better/-worse queries than shipped)")
    for name, a in report["analyzers"].items():
        cells = []
        for lang in langs:
            m = a["per_language"][lang]
            versus = f" +{m['better_than_shipped']}/-{m['worse_than_shipped']}" if \
                "better_than_shipped" in m else ""
            cells.append(f"{lang} {m['recall_at_3']:.2f}/{m['mrr']:.2f}{versus}")
        lines.append(f"{name}: " + "; ".join(cells) + f"; {a['analyze_ms_per_query']:.3f} ms/query")
    lines.extend(f"{name}: not measured ({why})" for name, why in report.get("not_measured", {}).items())
    return lines
