from __future__ import annotations

import pytest

from kb import Article
from kb.passages import MAX_PSEUDO_CHARS, plain_text, pseudo_questions, sections, split_article


def test_sections_follow_headings() -> None:
    body = "Intro line.\n\n## First\nOne.\n\n### Sub\nTwo.\n## Second\nThree."
    assert sections(body) == [("", "Intro line."), ("First", "One."), ("Sub", "Two."),
                              ("Second", "Three.")]


def test_split_article_title_questions_and_sections() -> None:
    a = Article("a", "en", "Returns", "## How\nSend it back.\n## When\nWithin 30 days.",
                questions=("how to return", "return item"))
    kinds = [(p.kind, p.heading) for p in split_article(a)]
    assert kinds == [("title", ""), ("question", ""), ("question", ""), ("section", "How"),
                     ("section", "When")]
    assert split_article(a)[3].text == "Returns — How\nSend it back."


def test_an_article_without_questions_gets_its_first_sentences() -> None:
    a = Article("a", "en", "Returns", "You have 30 days. Keep the receipt.\n## How to return\n"
                "1. Pack the item, print the **label** and drop it off.\n## Returns\nSee above.\n"
                "## Steps\nWCAG 2.1 applies. Always.")
    pseudo = [(p.kind, p.text, p.heading) for p in pseudo_questions(a)]
    # First sentences, without list numbers, each with the section it was taken from.
    assert pseudo == [("pseudo", "You have 30 days.", ""),
                      ("pseudo", "Pack the item, print the label and drop it off.", "How to return"),
                      ("pseudo", "See above.", "Returns"), ("pseudo", "WCAG 2.1 applies.", "Steps")]
    assert not [p for p in split_article(a) if p.kind == "pseudo"]  # asked in calibration, not indexed
    assert pseudo_questions(Article("b", "en", "T", "## H\nText.", questions=("q",))) == []
    long = Article("c", "th", "คืนเงิน", "คืนเงิน" * 100)
    assert all(len(p.text) <= MAX_PSEUDO_CHARS for p in pseudo_questions(long))


def test_long_section_is_cut_at_sentence_boundaries() -> None:
    sentence = "Refunds reach your card within ten business days after approval. "
    a = Article("a", "en", "Refunds", "## Timing\n" + sentence * 40)
    chunks = [p for p in split_article(a, budget=300) if p.kind == "section"]
    assert len(chunks) > 5
    assert all(len(p.text) <= 300 + len("Refunds — Timing\n") for p in chunks)
    assert all(p.text.rstrip().endswith(".") for p in chunks)


def test_thai_text_is_cut_too() -> None:
    a = Article("a", "th", "คืนเงิน", "## เวลา\n" + "คืนเงินภายในสิบวันทำการหลังอนุมัติ " * 60)
    chunks = [p for p in split_article(a, budget=200) if p.kind == "section"]
    assert len(chunks) > 3


def test_plain_text_drops_markdown_noise() -> None:
    assert plain_text("See **[refunds](https://x/y)** and `code`") == "See refunds and code"


def test_budget_validated() -> None:
    with pytest.raises(ValueError, match="budget must be at least 50, got 10"):
        split_article(Article("a", "en", "t", "b"), budget=10)
