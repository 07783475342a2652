from __future__ import annotations

import pytest

from kb import Article
from kb.passages import plain_text, sections, split_article


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
