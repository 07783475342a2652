from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot import Bot
from eval.bm25_languages import bm25_benchmark
from eval.languages import (
    MAX_WORDS,
    crosslingual_benchmark,
    foreign_benchmark,
    format_report,
    language_benchmark,
    load_language_set,
    split_halves,
)
from eval.queries import load_queries
from indexer.analyzers import SHIPPED, Analyzer
from kb import KBError, load_kb
from tests.conftest import TINY_KB, write_kb

ROOT = Path(__file__).parent.parent.parent
LANGUAGE_SET = ROOT / "eval" / "language_queries.jsonl"
CROSSLINGUAL = ROOT / "eval" / "crosslingual_queries.jsonl"
KB_LANGS = ["en", "th", "et", "zh-TW", "zh-CN"]


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def test_language_set_meets_its_rules() -> None:
    samples = load_language_set(LANGUAGE_SET)
    per_lang = Counter(s.lang for s in samples)
    assert len(samples) >= 400 and len(per_lang) >= 12
    for lang in KB_LANGS:
        assert per_lang[lang] >= 40, lang
    assert min(per_lang.values()) >= 20
    assert len({(s.text, s.lang) for s in samples}) == len(samples)
    for s in samples:
        assert 1 <= len(s.text.split()) <= MAX_WORDS, s
    # The hard cases customers really type are in it.
    assert sum(len(s.text.split()) == 1 for s in samples) >= 40
    assert sum(s.hint is not None for s in samples) >= 20
    assert sum(bool(re.search(r"[A-Z][a-z]+[A-Z]|iPhone", s.text)) for s in samples) >= 10  # brands
    assert sum(s.text == s.text.lower() for s in samples) >= len(samples) // 2
    mixed = [s for s in samples if re.search(r"[A-Za-z]", s.text) and re.search(r"[^\x00-\u024f]", s.text)
             and s.lang in ("th", "zh-TW", "zh-CN", "ja")]
    assert len(mixed) >= 8
    undiacritic = {"sooduskood ei toota", "donde esta mi pedido", "zapomnialem hasla", "quen mat khau"}
    assert undiacritic <= {s.text for s in samples}


def test_split_is_seeded_disjoint_and_complete() -> None:
    samples = load_language_set(LANGUAGE_SET)
    tuned, held = split_halves(samples)
    assert split_halves(samples) == (tuned, held)
    assert {s.line for s in tuned}.isdisjoint({s.line for s in held})
    assert len(tuned) + len(held) == len(samples) and abs(len(tuned) - len(held)) <= 1
    assert split_halves(samples, seed=7) != (tuned, held)


@pytest.mark.parametrize(("line", "match"), [
    ('{"text": "", "lang": "en"}', r"x\.jsonl:1: text must be a non-empty string"),
    ('{"text": "hi", "lang": "klingon"}', r"x\.jsonl:1: .*klingon"),
    ('{"text": "hi", "lang": "en", "hint": 3}', r"x\.jsonl:1: hint must be a language code, got 3"),
    ('["hi"]', r"x\.jsonl:1: each line must be a JSON object"),
    ("", r"no samples"),
])
def test_bad_language_set_lines(tmp_path: Path, line: str, match: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(KBError, match=match):
        load_language_set(path)


@pytest.fixture(scope="module")
def benchmark() -> dict[str, Any]:
    return language_benchmark(LANGUAGE_SET, detectors=("ours", "langdetect", "lingua"))


def test_ours_reaches_97_percent_on_both_halves(benchmark: dict[str, Any]) -> None:
    ours = benchmark["detectors"]["ours"]
    assert ours["tuned_half"]["accuracy"] >= 0.97
    assert ours["held_out_half"]["accuracy"] >= 0.97
    for lang, accuracy in ours["all"]["per_language"].items():
        assert accuracy >= 0.9, lang


def test_ours_beats_both_baselines(benchmark: dict[str, Any]) -> None:
    accuracy = {name: d["all"]["accuracy"] for name, d in benchmark["detectors"].items()}
    assert accuracy["ours"] > accuracy["lingua"] > accuracy["langdetect"]
    held = {name: d["held_out_half"]["accuracy"] for name, d in benchmark["detectors"].items()}
    assert held["ours"] > max(held["lingua"], held["langdetect"])


def test_benchmark_report_shape(benchmark: dict[str, Any]) -> None:
    ours = benchmark["detectors"]["ours"]
    assert set(ours) == {"all", "tuned_half", "held_out_half", "load_seconds", "errors"}
    assert ours["all"]["n"] == ours["tuned_half"]["n"] + ours["held_out_half"]["n"]
    assert len(ours["errors"]) == round(ours["all"]["n"] * (1 - ours["all"]["accuracy"]))
    assert {c["lang"] for c in benchmark["detectors"]["langdetect"]["all"]["confusions"]}


def test_unknown_detector() -> None:
    with pytest.raises(ValueError, match="unknown detectors \\['fasttext'\\]"):
        language_benchmark(LANGUAGE_SET, detectors=("fasttext",))


def test_served_questions_are_never_called_foreign() -> None:
    result = foreign_benchmark(LANGUAGE_SET, KB_LANGS)
    for part in ("with_hints", "without_hints"):
        assert result[part]["n_served"] >= 200
        assert result[part].get("served_called_foreign", 0) == 0
        assert result[part]["served_accuracy"] >= 0.98
    assert "served called foreign 0" in format_report(result)


def test_crosslingual_set() -> None:
    demo = load_kb(ROOT / "articles")
    queries = load_queries(CROSSLINGUAL)
    examples = {_norm(q) for a in demo for q in a.questions}
    in_scope = [q for q in queries if q.in_scope]
    assert len(in_scope) >= 40
    assert len({q.lang for q in queries}) >= 6
    for q in queries:
        assert q.lang is not None and q.lang not in demo.languages, q
        assert q.expected is None or q.expected in demo.ids, q
        assert _norm(q.text) not in examples, q
    raw = [json.loads(line) for line in CROSSLINGUAL.read_text(encoding="utf-8").splitlines()]
    assert all(set(r) == {"query", "expected", "lang"} for r in raw)


def test_clearly_foreign_questions_are_recognised() -> None:
    result = foreign_benchmark(CROSSLINGUAL, KB_LANGS)
    assert result["with_hints"]["foreign_recognised"] >= 0.95
    assert result["without_hints"]["foreign_recognised"] >= 0.9


def test_crosslingual_answers_come_in_the_default_language(bot: Bot, tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"query": "Ich habe mein Passwort vergessen, was kann ich tun?", "expected": "reset-password",
         "lang": "de"},
        {"query": "¿Cuánto tarda en llegar el reembolso?", "expected": "refund-timing", "lang": "es"},
    ]), encoding="utf-8")
    result = crosslingual_benchmark(bot, path)
    for part in ("with_hints", "without_hints"):
        r = result[part]
        assert r["detected_as"] == {"own language": 2}
        assert r["recall_at_3"] == 1.0
        assert r["in_default_language"] == r["answered"] == r["with_only_in_note"]


@pytest.fixture
def tiny_queries(tmp_path: Path) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"query": "forgot password", "expected": "reset-password", "lang": "en"},
        {"query": "shipping cost", "expected": "shipping-costs", "lang": "en"},
        {"query": "ลืมรหัสผ่านทำยังไง", "expected": "reset-password", "lang": "th"},
        {"query": "weather?", "expected": None, "lang": "en"},
    ]), encoding="utf-8")
    return path


def test_bm25_benchmark_per_language(tmp_path: Path, tiny_queries: Path) -> None:
    kb = write_kb(tmp_path / "kb", TINY_KB)
    naive = Analyzer(nfkc=False, split_words=False, fold_chinese=False, stem=False, fold_accents=False)
    result = bm25_benchmark(kb, tiny_queries, {"naive": naive, "shipped (character bigrams)": SHIPPED})
    assert result["n_queries"] == 3  # in scope only
    shipped = result["analyzers"]["shipped (character bigrams)"]["per_language"]
    plain = result["analyzers"]["naive"]["per_language"]
    assert shipped["th"]["recall_at_1"] == 1.0
    assert plain["th"]["recall_at_1"] == 0.0  # a Thai question has no spaces: one giant token
    assert plain["th"]["worse_than_shipped"] == 1 and plain["th"]["better_than_shipped"] == 0
    assert shipped["all"]["n"] == 3 and shipped["en"]["recall_at_3"] == 1.0
    table = format_report(result)
    assert "shipped (character bigrams): en 1.00/1.00; th 1.00/1.00; all 1.00/1.00" in table
    assert "naive" in table and "th 0.00/0.00 +0/-1" in table


def test_languages_command(tmp_path: Path, tiny_queries: Path) -> None:
    from click.testing import CliRunner

    from cli import main
    from tests.conftest import TINY_KB, write_kb

    kb = write_kb(tmp_path / "kb", TINY_KB)
    out = tmp_path / "lang.json"
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "none.toml"), "languages",
                                       "--kb", str(kb), "--queries", str(tiny_queries),
                                       "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "language detection, 577 questions" in result.stdout.lower()
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) >= {"detection", "foreign", "bm25"}
    bad = CliRunner().invoke(main, ["languages", "--set", str(tmp_path / "missing.jsonl")])
    assert bad.exit_code == 2 and "does not exist" in bad.output
