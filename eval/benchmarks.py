"""Public benchmarks as FAQ knowledge bases: CLINC150 (with out-of-scope queries) and BANKING77.

Each intent becomes one article whose example questions are its training utterances (the same
path as `faqbot kb import-intents`); held-out utterances are the customer questions.

- clinc150: KB from train, its 100 out-of-scope utterances as the KB's out-of-scope examples (as
  `import-intents` keeps them); queries = val (3,000 in scope + 100 out of scope). The answer
  threshold is calibrated the way a deployment would do it — never on the evaluation queries: a
  dev KB of 90 utterances per intent and half the out-of-scope utterances is asked the other 10
  and the other half, and the lowest threshold reaching the target precision and escalation recall
  there is used on val.
- banking77: a fixed seeded 80/20 split of train.jsonl (no out-of-scope queries); fine-grained
  intents, so it measures ranking (top-1) more than escalation.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot import Bot
from eval.harness import Progress, run_queries
from eval.metrics import Outcome, compute_metrics
from eval.queries import LabeledQuery, load_queries
from indexer import build_index, make_encoder
from indexer.encoders import Encoder
from kb import KnowledgeBase, Settings
from kb.intents import Utterance, intents_to_articles, intents_to_out_of_scope, read_intents

DATASETS = ("clinc150", "banking77")
SEED = 0
CLINC_DEV_PER_INTENT = 10


@dataclass(frozen=True)
class BenchmarkResult:
    name: str
    metrics: dict[str, Any]
    outcomes: list[Outcome]
    kb: KnowledgeBase
    threshold: float
    threshold_source: str
    n_articles: int


def intents_kb(utterances: list[Utterance]) -> KnowledgeBase:
    """An intent dataset as a KB: an article per intent, its utterances the example questions."""
    return KnowledgeBase(tuple(intents_to_articles(utterances, "en")), "en",
                         tuple(intents_to_out_of_scope(utterances, "en")))


def intents_queries(utterances: list[Utterance]) -> list[LabeledQuery]:
    """An intent dataset as labelled queries (out-of-scope utterances expect no article)."""
    return [LabeledQuery(u.text, u.label, "en", u.line) for u in utterances]


def dataset_file(data_dir: Path, *parts: str) -> Path:
    """A file of a public dataset under `data_dir` (../shared/data), or a clear error."""
    path = data_dir.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: benchmark data not found (expected ../shared/data beside the "
                                "repository, or pass --data)")
    return path


def _ask(kb: KnowledgeBase, queries: list[LabeledQuery], index_dir: Path, encoder: Encoder,
         settings: Settings, progress: Progress | None) -> list[Outcome]:
    index, _ = build_index(kb, index_dir, encoder, passage_budget=settings.passage_budget)
    return run_queries(Bot(index, encoder, settings), queries, progress)


def run_benchmark(name: str, data_dir: str | Path, settings: Settings, target_precision: float = 0.96,
                  target_escalation: float = 0.90, echo: Callable[[str], None] = print,
                  progress: Progress | None = None) -> BenchmarkResult:
    """Build the benchmark's KB, ask its queries through the bot, and measure."""
    if name not in DATASETS:
        raise ValueError(f"unknown benchmark {name!r} (choose from {', '.join(DATASETS)})")
    data = Path(data_dir)
    encoder = make_encoder(settings.encoder)
    with tempfile.TemporaryDirectory(prefix=f"faqbot-{name}-") as tmp:
        index_dir = Path(tmp, "index")
        if name == "clinc150":
            train = read_intents(dataset_file(data, "clinc150", "train.jsonl"))
            val = [replace(q, lang="en") for q in load_queries(dataset_file(data, "clinc150", "val.jsonl"))]
            by_label: dict[str, list[Utterance]] = defaultdict(list)
            for u in train:
                if u.label is not None:
                    by_label[u.label].append(u)
            rng = random.Random(SEED)
            outside = [u for u in train if u.label is None]
            rng.shuffle(outside)
            half = len(outside) // 2
            dev_kb, dev_queries = outside[:half], outside[half:]
            for label in sorted(by_label):
                group = by_label[label][:]
                rng.shuffle(group)
                dev_queries += group[:CLINC_DEV_PER_INTENT]
                dev_kb += group[CLINC_DEV_PER_INTENT:]
            echo(f"clinc150: calibrating on {len(dev_queries)} held-out train utterances")
            asked = _ask(intents_kb(dev_kb), intents_queries(dev_queries), index_dir, encoder, settings,
                         progress)
            dev = compute_metrics(asked, target_precision, target_escalation)
            threshold, source = dev["recommended_threshold"], "calibrated on train (held out)"
            if threshold is None:
                threshold, source = settings.answer_threshold, "default (calibration found none)"
            settings = replace(settings, answer_threshold=threshold, lang_thresholds={},
                               suggest_threshold=min(settings.suggest_threshold, threshold))
            kb, queries = intents_kb(train), val
        else:
            rows = read_intents(dataset_file(data, "banking77", "train.jsonl"))
            order = list(range(len(rows)))
            random.Random(SEED).shuffle(order)
            cut = int(0.8 * len(rows))
            kb = intents_kb([rows[i] for i in sorted(order[:cut])])
            queries = intents_queries([rows[i] for i in sorted(order[cut:])])
            threshold, source = settings.answer_threshold, "default"
        echo(f"{name}: {len(kb)} articles, {len(queries)} queries, threshold {threshold} ({source})")
        outcomes = _ask(kb, queries, index_dir, encoder, settings, progress)
    return BenchmarkResult(name, compute_metrics(outcomes, target_precision, target_escalation), outcomes,
                           kb, threshold,
                           source, len(kb))


def summary(result: BenchmarkResult) -> dict[str, Any]:
    """What the README table and `--json` report for one benchmark."""
    return {"dataset": result.name, "n_articles": result.n_articles, "threshold": result.threshold,
            "threshold_source": result.threshold_source, **result.metrics}


def write_json(results: list[BenchmarkResult], path: str | Path) -> None:
    Path(path).write_text(json.dumps({r.name: summary(r) for r in results}, indent=2) + "\n",
                          encoding="utf-8")
