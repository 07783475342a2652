"""`faqbot eval`, `calibrate` and `kb import-intents` on the real model and a real index."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from kb import load_kb, load_settings

QUERIES = [
    {"query": "I forgot my password", "expected": "reset-password", "lang": "en"},
    {"query": "how long until my refund arrives", "expected": "refund-timing", "lang": "en"},
    {"query": "what does express delivery cost", "expected": "shipping-costs"},
    {"query": "ลืมรหัสผ่าน", "expected": "reset-password", "lang": "th"},
    {"query": "運費多少", "expected": "shipping-costs", "lang": "zh-TW"},
    {"query": "what is the capital of Peru", "expected": None, "lang": "en"},
    {"query": "recommend me a good pizza place", "expected": None},
]


@pytest.fixture
def queries(tmp_path: Path) -> Path:
    path = tmp_path / "queries.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUERIES), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_eval_writes_metrics_json(tiny_kb_path: Path, queries: Path, tmp_path: Path) -> None:
    code, out, _ = run("eval", "--kb", str(tiny_kb_path), "--queries", str(queries),
                       "--json", str(tmp_path / "m.json"), "--html", str(tmp_path / "r.html"))
    assert code == 0, out
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert all(f'id="{s}"' in report for s in ("summary", "languages", "articles", "gaps", "plots"))
    assert "what is the capital of Peru" in report  # listed among the questions no article answers
    metrics = json.loads((tmp_path / "m.json").read_text())
    assert (metrics["n_queries"], metrics["n_in_scope"], metrics["n_out_of_scope"]) == (7, 5, 2)
    assert metrics["top1_accuracy"] == 1.0  # the tiny KB has three clearly distinct articles
    assert metrics["escalation_recall"] == 1.0
    assert {"en", "th", "zh-TW"} <= set(metrics["per_language"])
    assert "all" in out and "recommended threshold" in out


def test_eval_reuses_and_updates_an_index(tiny_kb_path: Path, queries: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    assert run("eval", "--kb", str(tiny_kb_path), "--queries", str(queries), "--index", str(index))[0] == 0
    assert (index / "manifest.json").exists()
    code, out, _ = run("eval", "--index", str(index), "--queries", str(queries), "--threshold", "0.99")
    assert code == 0 and "all" in out


def test_calibrate_writes_thresholds_and_keeps_comments(tiny_kb_path: Path, queries: Path,
                                                        tmp_path: Path) -> None:
    config = tmp_path / "faqbot.toml"
    config.write_text("# production settings\nport = 9000  # behind nginx\nsuggest_threshold = 0.3\n")
    code, _, err = run("--config", str(config), "calibrate", "--kb", str(tiny_kb_path),
                       "--queries", str(queries), "--target-precision", "0.9", "--min-lang-queries", "3")
    assert code == 0, err
    text = config.read_text()
    assert "# production settings" in text and "# behind nginx" in text
    data = tomllib.loads(text)
    settings = load_settings(config, env={})
    assert settings.port == 9000
    assert settings.calibrated_threshold == data["calibrated_threshold"]
    assert settings.suggest_threshold <= settings.calibrated_threshold
    # the only language with ≥ 3 queries, 2 in scope
    assert set(settings.calibrated_lang_thresholds) == {"en"}
    assert settings.answer_threshold is None and settings.threshold_override("en") == (
        settings.calibrated_lang_thresholds["en"], "calibrated", "language")
    assert "uses the global threshold" in err


def test_calibrate_refuses_an_unreachable_target(tiny_kb_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"query": "I forgot my password", "expected": "shipping-costs"}\n')
    config = tmp_path / "faqbot.toml"
    code, _, err = run("--config", str(config), "calibrate", "--kb", str(tiny_kb_path), "--queries", str(bad))
    assert code == 1 and "no threshold reaches precision 95% on these queries (the best is 0.0%" in err
    assert not config.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["eval", "--queries", "QUERIES", "--kb", "nope"], "does not exist"),
    (["eval", "--queries", "QUERIES", "--kb", "KB", "--target-precision", "0"], "0<x<=1"),
    (["eval", "--queries", "BADQ", "--kb", "KB"], "BADQ.jsonl:1: missing 'expected'"),
])
def test_eval_errors_are_one_line(tiny_kb_path: Path, queries: Path, tmp_path: Path, args: list[str],
                                  message: str) -> None:
    (tmp_path / "BADQ.jsonl").write_text('{"query": "x"}\n')
    subst = {"QUERIES": str(queries), "KB": str(tiny_kb_path), "BADQ": str(tmp_path / "BADQ.jsonl")}
    code, out, err = run(*(subst.get(a, a) for a in args))
    assert code != 0 and message in out + err
    assert "Traceback" not in out + err


def test_import_intents_then_index_and_eval(tmp_path: Path) -> None:
    data = tmp_path / "intents.csv"
    data.write_text("text,label\nmy card has not arrived,card_arrival\nwhere is my new card,card_arrival\n"
                    "card still not delivered,card_arrival\nI lost my card,lost_card\n"
                    "my card was stolen,lost_card\nsomeone took my wallet with my card,lost_card\n"
                    "what's the weather,\n")
    code, _, err = run("kb", "import-intents", str(data), "--out", str(tmp_path / "kb.jsonl"))
    assert code == 0 and "Wrote 2 articles" in err and "kept 1 out-of-scope examples" in err
    kb = load_kb(tmp_path / "kb.jsonl")
    assert kb.ids == ["card_arrival", "lost_card"]
    assert [e.text for e in kb.out_of_scope] == ["what's the weather"]
    code, out, _ = run("eval", "--kb", str(tmp_path / "kb.jsonl"), "--queries", str(data),
                       "--json", str(tmp_path / "m.json"))
    assert code == 0
    assert json.loads((tmp_path / "m.json").read_text())["top1_accuracy"] == 1.0


def test_import_intents_can_skip_out_of_scope(tmp_path: Path) -> None:
    data = tmp_path / "intents.jsonl"
    data.write_text('{"text": "where is my card", "label": "card"}\n{"text": "hi there", "label": "oos"}\n')
    code, _, err = run("kb", "import-intents", str(data), "--out", str(tmp_path / "kb.jsonl"),
                       "--skip-out-of-scope")
    assert code == 0 and "skipped 1 out-of-scope utterances" in err
    assert load_kb(tmp_path / "kb.jsonl").out_of_scope == ()


def test_import_intents_bad_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"text": "hi", "label": "greet"}\n{nope\n')
    code, out, err = run("kb", "import-intents", str(bad), "--out", str(tmp_path / "kb.jsonl"))
    assert code == 1 and "x.jsonl:2:" in out + err
    assert not (tmp_path / "kb.jsonl").exists()
