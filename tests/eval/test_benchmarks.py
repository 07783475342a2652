"""The benchmark runner on small files in the public datasets' layout (the real runs take minutes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.benchmarks import run_benchmark, summary
from kb import Settings

INTENTS = {
    "card_arrival": ["my card has not arrived", "when will my card come", "card still not delivered",
                     "where is my new card", "how long until my card arrives", "card delivery status",
                     "my card is late", "is my card on its way", "track my card", "card not here yet",
                     "new card never came", "waiting for my card"],
    "lost_or_stolen_card": ["I lost my card", "my card was stolen", "someone took my card",
                            "card missing", "block my lost card", "wallet stolen with card",
                            "can't find my card", "my card is gone", "report a stolen card",
                            "lost card what do I do", "thief took my card", "freeze my missing card"],
}


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    train = [{"text": t, "label": label} for label, ts in INTENTS.items() for t in ts]
    write_jsonl(tmp_path / "clinc150" / "train.jsonl",
                train + [{"text": "what's the weather", "label": None},
                         {"text": "book me a flight to rome", "label": "oos"}])
    write_jsonl(tmp_path / "clinc150" / "val.jsonl",
                [{"text": "when is my new card arriving", "label": "card_arrival"},
                 {"text": "I think my card got stolen", "label": "lost_or_stolen_card"},
                 {"text": "tell me a joke", "label": None}])
    write_jsonl(tmp_path / "banking77" / "train.jsonl", train)
    return tmp_path


def test_clinc150_indexes_train_and_asks_val_at_default_settings(data: Path) -> None:
    lines: list[str] = []
    result = run_benchmark("clinc150", data, Settings(), echo=lines.append)
    assert result.n_articles == 2
    assert result.metrics["n_queries"] == 3 and result.metrics["n_out_of_scope"] == 1
    assert result.metrics["top1_accuracy"] == 1.0
    assert sorted(e.text for e in result.kb.out_of_scope) == ["book me a flight to rome",
                                                              "what's the weather"]
    # 24 example questions are too few to calibrate on: the index keeps the fallback threshold.
    assert summary(result)["threshold_source"] == "fallback (global)"
    assert "answer threshold 0.8 (fallback (global))" in lines[-1]


def test_a_settings_override_is_the_threshold_in_force(data: Path) -> None:
    result = run_benchmark("clinc150", data, Settings(answer_threshold=0.6), echo=lambda _: None)
    assert (result.threshold, result.threshold_source) == (0.6, "settings (global)")


def test_banking77_split_is_seeded_80_20(data: Path) -> None:
    first = run_benchmark("banking77", data, Settings(), echo=lambda _: None)
    again = run_benchmark("banking77", data, Settings(), echo=lambda _: None)
    assert first.metrics["n_queries"] == 5  # 20% of 24
    assert [o.query.text for o in first.outcomes] == [o.query.text for o in again.outcomes]
    assert first.metrics["n_out_of_scope"] == 0 and first.metrics["escalation_recall"] is None


@pytest.mark.parametrize(("name", "match"), [("imdb", "unknown benchmark 'imdb'"),
                                             ("clinc150", "benchmark data not found")])
def test_bad_benchmark(tmp_path: Path, name: str, match: str) -> None:
    with pytest.raises((ValueError, FileNotFoundError), match=match):
        run_benchmark(name, tmp_path, Settings(), echo=lambda _: None)
