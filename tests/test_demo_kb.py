"""The shipped demo KB (articles/) and its labeled queries (eval/demo_queries.jsonl)."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from kb import KnowledgeBase, load_kb

ROOT = Path(__file__).parent.parent
LANGS = {"en", "th", "et", "zh-TW", "zh-CN"}


def _norm(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


@pytest.fixture(scope="module")
def demo() -> KnowledgeBase:
    return load_kb(ROOT / "articles")


@pytest.fixture(scope="module")
def queries() -> list[dict]:
    lines = (ROOT / "eval" / "demo_queries.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_every_language_has_every_article(demo: KnowledgeBase) -> None:
    assert len(demo.ids) >= 40
    assert set(demo.languages) == LANGS
    for aid in demo.ids:
        assert set(demo.translations(aid)) == LANGS, aid


def test_articles_are_real(demo: KnowledgeBase) -> None:
    for a in demo:
        assert 3 <= len(a.questions) <= 16, a.source
        assert a.body.count("## ") >= 2, a.source
        assert len(a.body) >= 250, a.source
        assert a.url.startswith("https://") and a.url.endswith(f"/{a.lang}/{a.id}"), a.source
        assert "lorem" not in a.body.lower()


def test_thai_is_written_without_spaces_between_words(demo: KnowledgeBase) -> None:
    for a in demo:
        if a.lang == "th":
            thai_runs = re.findall(r"[\u0e00-\u0e7f]+", a.body)
            assert max(map(len, thai_runs)) >= 15, a.source


def test_no_example_question_is_shared_by_two_articles(demo: KnowledgeBase) -> None:
    owner: dict[tuple[str, str], str] = {}
    for a in demo:
        for q in a.questions:
            key = (a.lang, _norm(q))
            assert owner.setdefault(key, a.id) == a.id, f"{q!r} in {a.id} and {owner[key]}"


def _trigrams(text: str) -> set[str]:
    t = _norm(text)
    return {t[i:i + 3] for i in range(max(1, len(t) - 2))}


def test_no_example_question_paraphrases_an_eval_query(demo: KnowledgeBase, queries: list[dict]) -> None:
    # Near copies (character-trigram Jaccard >= 0.6, e.g. "parool ununes" / "parool ununes ara")
    # would turn the demo eval into a lookup test; writers of example questions never see the queries.
    for q in queries:
        grams = _trigrams(q["query"])
        for a in (a for a in demo if a.lang == q["lang"]):
            for example in a.questions:
                other = _trigrams(example)
                assert len(grams & other) / len(grams | other) < 0.6, (q["query"], example, a.source)


def test_out_of_scope_examples_cover_every_language_and_copy_no_eval_query(
        demo: KnowledgeBase, queries: list[dict]) -> None:
    per_lang = Counter(e.lang for e in demo.out_of_scope)
    assert all(per_lang[lang] >= 30 for lang in LANGS), per_lang
    answered = {(a.lang, _norm(q)) for a in demo for q in a.questions}
    for e in demo.out_of_scope:
        assert (e.lang, _norm(e.text)) not in answered, f"{e.text!r} is also an article's example"
    for q in queries:
        grams = _trigrams(q["query"])
        for e in (e for e in demo.out_of_scope if e.lang == q["lang"]):
            other = _trigrams(e.text)
            assert len(grams & other) / len(grams | other) < 0.6, (q["query"], e.text)


def test_queries_are_labeled_and_independent(demo: KnowledgeBase, queries: list[dict]) -> None:
    examples = {_norm(q) for a in demo for q in a.questions}
    per_lang = Counter(q["lang"] for q in queries)
    oos = Counter(q["lang"] for q in queries if q["expected"] is None)
    assert len(queries) >= 300
    for lang in LANGS:
        assert per_lang[lang] >= 60 and oos[lang] >= 15, lang
    for q in queries:
        assert set(q) == {"query", "expected", "lang"}
        assert q["expected"] is None or q["expected"] in demo.ids, q
        assert _norm(q["query"]) not in examples, f"query copies an example question: {q}"
