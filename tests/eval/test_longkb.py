"""The long-article KB built from the demo bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.longkb import CHARS_PER_WORD, long_kb, main
from kb import load_kb
from kb.errors import RequestError
from kb.passages import split_article, weighted_length


def test_long_articles_in_every_demo_language_without_questions() -> None:
    kb = long_kb(25, words=500)
    assert len(kb) == 25 and sorted(kb.languages) == ["en", "et", "th", "zh-CN", "zh-TW"]
    assert all(not a.questions for a in kb)
    assert all(weighted_length(a.body) >= 500 * CHARS_PER_WORD for a in kb)
    assert len({a.id for a in kb}) == 25 and len({a.title for a in kb}) == 25
    # One flowing section a body: cut into passages by length, not by the demo's headings.
    assert all(not line.startswith("#") for a in kb for line in a.body.splitlines())
    assert all(len(split_article(a)) >= 4 for a in kb)
    assert long_kb(25) == kb  # seeded


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_articles": 0}, "articles must be at least 1, got 0"),
    ({"words": 10}, "words must be at least 50, got 10"),
])
def test_bad_sizes_are_refused(kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(RequestError, match=match):
        long_kb(**kwargs)


def test_writes_a_kb_the_loader_reads(tmp_path: Path) -> None:
    out = tmp_path / "long.jsonl"
    assert main(["--out", str(out), "--articles", "10"]) == 0
    assert len(load_kb(out)) == 10
