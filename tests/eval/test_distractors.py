"""Generated distractor articles, and a benchmark KB with them beside its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from eval.benchmarks import with_distractors
from eval.distractors import PRODUCTS, distractor_articles
from kb import KnowledgeBase
from kb.errors import RequestError
from kb.models import Article, OutOfScopeExample
from tests.eval.test_benchmarks import INTENTS, write_jsonl


def test_distractors_are_seeded_distinct_help_center_articles() -> None:
    articles = distractor_articles(3000, seed=0)
    assert len(articles) == 3000 and len({a.id for a in articles}) == 3000
    assert len({a.title for a in articles}) == 3000  # every topic once before any twice
    assert all(len(a.questions) == 2 and a.body.count("\n\n") == 1 for a in articles)
    assert {a.tags[1] for a in articles} == {p.lower() for p in PRODUCTS}  # tags are lower-cased
    assert distractor_articles(3000, seed=0) == articles
    assert distractor_articles(50, seed=1) != articles[:50]


def test_distractors_leave_the_benchmark_kb_and_its_out_of_scope_examples() -> None:
    kb = KnowledgeBase((Article("card", "en", "Card arrival", "", ("where is my card",)),), "en",
                       (OutOfScopeExample("tell me a joke", "en"),))
    bigger = with_distractors(kb, 20)
    assert len(bigger) == 21 and bigger.get("card", "en") == kb.get("card", "en")
    assert bigger.out_of_scope == kb.out_of_scope
    assert with_distractors(kb, 0) is kb


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(RequestError, match="distractors must be 0 or more, got -1"):
        distractor_articles(-1)


def test_benchmark_with_distractors_asks_the_same_queries_of_the_bigger_kb(tmp_path: Path) -> None:
    train = [{"text": t, "label": label} for label, ts in INTENTS.items() for t in ts]
    write_jsonl(tmp_path / "clinc150" / "train.jsonl", train)
    write_jsonl(tmp_path / "clinc150" / "val.jsonl",
                [{"text": "when is my new card arriving", "label": "card_arrival"},
                 {"text": "I think my card got stolen", "label": "lost_or_stolen_card"}])
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(main, ["benchmark", "clinc150", "--data", str(tmp_path), "--distractors",
                                       "40", "--json", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text(encoding="utf-8"))["clinc150+40"]
    assert figures["n_articles"] == 42 and figures["n_queries"] == 2
    assert figures["top1_accuracy"] == 1.0
    refused = CliRunner().invoke(main, ["benchmark", "clinc150", "--data", str(tmp_path),
                                        "--distractors", "-3"])
    assert refused.exit_code == 2 and "-3 is not in the range x>=0" in refused.output
