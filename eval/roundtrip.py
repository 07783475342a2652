"""Round trip of a KB through a help-center website: how much `faqbot kb import` loses.

The KB (default: the demo, `articles/`) is rendered as its public website (eval/site.py), served on
localhost and imported by the crawler. The labelled queries are then asked of four KBs:

- original: the KB as written, with its example questions and out-of-scope examples;
- no questions: the same articles without example questions or out-of-scope examples, which is
  all a website carries — the fair baseline for an import;
- imported: what `faqbot kb import https://…` wrote;
- imported + writers: the writers add the example questions and out-of-scope files back, the site
  republishes every article (new modified dates), and `faqbot kb sync` rewrites them all, keeping
  what the writers added — which should match the original.

    python -m eval.roundtrip [--kb articles] [--queries eval/demo_queries.jsonl] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from eval.harness import open_bot, run_queries
from eval.metrics import compute_metrics
from eval.queries import load_queries
from eval.site import render_site, serve_site
from kb import KnowledgeBase, Settings, load_kb, load_settings, write_kb_jsonl
from kb.loader import front_matter
from kb.sources import import_source, open_source
from kb.sources.writer import render_markdown

KEYS = ("top1_accuracy", "recall_at_3", "mrr", "answered_precision", "resolution_rate", "escalation_recall")


def add_writers_work(original: KnowledgeBase, source_dir: Path, folder: Path) -> int:
    """What a writer does to an imported folder: example questions into each article's front
    matter, and the out-of-scope example files; returns the number of questions added."""
    added = 0
    for file in folder.rglob("*.md"):
        meta, body = front_matter(file.read_text(encoding="utf-8"), file)
        article = original.get(meta["id"], meta["lang"])
        if article is not None and article.questions:
            meta["questions"] = list(article.questions)
            added += len(article.questions)
            file.write_text(render_markdown(meta, body), encoding="utf-8")
    for oos in source_dir.rglob("_out-of-scope.md"):
        target = folder / oos.relative_to(source_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(oos, target)
    return added


def evaluate(settings: Settings, kb_path: Path, queries_path: str) -> dict[str, Any]:
    queries = load_queries(queries_path)
    with open_bot(settings, kb_path, None) as bot:
        return compute_metrics(run_queries(bot, queries), 0.95)


def run(kb_path: str, queries_path: str, settings: Settings) -> dict[str, Any]:
    original = load_kb(kb_path, settings.default_lang)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="faqbot-roundtrip-") as tmp, serve_site() as site:
        work = Path(tmp)
        site.publish(render_site(original, site.base))
        crawl = replace(settings, crawl_delay=0.0)
        imported = work / "imported"
        report = import_source(open_source(site.base + "/", crawl), imported, first=True)
        results["import"] = report.summary()
        baseline = work / "no-questions.jsonl"
        write_kb_jsonl([replace(a, questions=()) for a in original], baseline)
        synced = work / "synced"
        shutil.copytree(imported, synced)
        added = add_writers_work(original, Path(kb_path), synced)
        site.publish(render_site(original, site.base, updated="2026-11-20"))
        sync = import_source(open_source(site.base + "/", crawl), synced, first=False)
        results["sync"] = f"{sync.summary()}; {added} writers' questions added before it"
        kept = sum(len(a.questions) for a in load_kb(synced, settings.default_lang))
        results["questions_kept"] = f"{kept} of {added}"
        for name, path in (("original", Path(kb_path)), ("no questions", baseline),
                           ("imported", imported), ("imported + writers", synced)):
            print(f"evaluating {name} ...", file=sys.stderr)
            metrics = evaluate(settings, path, queries_path)
            results[name] = {k: metrics[k] for k in KEYS}
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", default="articles")
    parser.add_argument("--queries", default="eval/demo_queries.jsonl")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    results = run(args.kb, args.queries, load_settings(missing_ok=True))
    print(f"import: {results['import']}\nsync: {results['sync']} (kept {results['questions_kept']})")
    print(f"{'KB':<22}" + "".join(f"{k:>20}" for k in KEYS))
    for name in ("original", "no questions", "imported", "imported + writers"):
        print(f"{name:<22}" + "".join(f"{results[name][k]:>20.3f}" for k in KEYS))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
