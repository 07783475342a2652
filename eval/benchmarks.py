"""Public benchmarks as FAQ knowledge bases: CLINC150 (with out-of-scope queries) and BANKING77.

Each intent becomes one article whose example questions are its training utterances (the same
path as `faqbot kb import-intents`); held-out utterances are the customer questions.

- clinc150: KB from train, its 100 out-of-scope utterances as the KB's out-of-scope examples (as
  `import-intents` keeps them); queries = val (3,000 in scope + 100 out of scope). The answer
  threshold is the one the index chose for itself at build time (default settings), never one
  tuned on the evaluation queries.
- banking77: a fixed seeded 80/20 split of train.jsonl (no out-of-scope queries); fine-grained
  intents, so it measures ranking (top-1) more than escalation.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot import Bot
from bot.types import Threshold
from eval.distractors import distractor_articles
from eval.harness import Progress, run_queries
from eval.metrics import Outcome, compute_metrics
from eval.queries import LabeledQuery, load_queries
from indexer import build_index, make_encoder
from indexer.encoders import Encoder
from kb import KnowledgeBase, Settings
from kb.intents import Utterance, intents_to_articles, intents_to_out_of_scope, read_intents

DATASETS = ("clinc150", "banking77")
SEED = 0


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
         settings: Settings, progress: Progress | None) -> tuple[list[Outcome], Threshold]:
    index, _ = build_index(kb, index_dir, encoder, passage_budget=settings.passage_budget,
                           target_precision=settings.target_precision)
    bot = Bot(index, encoder, settings)
    return run_queries(bot, queries, progress), bot.threshold("en")


def load_dataset(name: str, data_dir: str | Path) -> tuple[KnowledgeBase, list[LabeledQuery]]:
    """The benchmark's KB and queries."""
    if name not in DATASETS:
        raise ValueError(f"unknown benchmark {name!r} (choose from {', '.join(DATASETS)})")
    data = Path(data_dir)
    if name == "clinc150":
        train = read_intents(dataset_file(data, "clinc150", "train.jsonl"))
        val = [replace(q, lang="en") for q in load_queries(dataset_file(data, "clinc150", "val.jsonl"))]
        return intents_kb(train), val
    rows = read_intents(dataset_file(data, "banking77", "train.jsonl"))
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    cut = int(0.8 * len(rows))
    return (intents_kb([rows[i] for i in sorted(order[:cut])]),
            intents_queries([rows[i] for i in sorted(order[cut:])]))


def with_distractors(kb: KnowledgeBase, n: int, seed: int = SEED) -> KnowledgeBase:
    """`kb` with `n` unrelated articles beside its own (eval/distractors.py): does quality survive
    a help center's size?"""
    if not n:
        return kb
    return KnowledgeBase((*kb.articles, *distractor_articles(n, seed)), kb.default_lang, kb.out_of_scope)


def run_benchmark(name: str, data_dir: str | Path, settings: Settings, target_precision: float = 0.97,
                  target_escalation: float | None = None, echo: Callable[[str], None] = print,
                  progress: Progress | None = None, index_dir: str | Path | None = None,
                  distractors: int = 0) -> BenchmarkResult:
    """Build the benchmark's KB, ask its queries through the bot at `settings` (by default the
    index's own self-calibrated threshold), and measure. `index_dir`: keep the index there
    (a re-run reuses its vectors); by default a temporary folder. `distractors`: add this many
    unrelated articles to the KB (the queries stay the same)."""
    kb, queries = load_dataset(name, data_dir)
    kb = with_distractors(kb, distractors)
    name = f"{name}+{distractors}" if distractors else name
    encoder = make_encoder(settings.encoder)
    with tempfile.TemporaryDirectory(prefix=f"faqbot-{name}-") as tmp:
        folder = Path(index_dir) if index_dir is not None else Path(tmp, "index")
        echo(f"{name}: {len(kb)} articles, {len(queries)} queries")
        outcomes, threshold = _ask(kb, queries, folder, encoder, settings, progress)
    source = f"{threshold.source} ({threshold.scope})"
    echo(f"{name}: answer threshold {threshold.value} ({source})")
    return BenchmarkResult(name, compute_metrics(outcomes, target_precision, target_escalation), outcomes,
                           kb, threshold.value, source, len(kb))


def summary(result: BenchmarkResult) -> dict[str, Any]:
    """What the README table and `--json` report for one benchmark."""
    return {"dataset": result.name, "n_articles": result.n_articles, "threshold": result.threshold,
            "threshold_source": result.threshold_source, **result.metrics}


def write_json(results: list[BenchmarkResult], path: str | Path) -> None:
    Path(path).write_text(json.dumps({r.name: summary(r) for r in results}, indent=2) + "\n",
                          encoding="utf-8")
