"""KB edits from gaps: only the front matter's questions list grows, with a clear diff."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import load_kb
from kb.edits import ChangeKind, KbChange, add_questions, plan_edits, unified_diff, write_edits
from kb.errors import KBError

ARTICLE = """---
id: promo
lang: en
title: Promo codes
questions:
  - how do i use a promo code
  - "code: not working"
tags: [offers]
---
Enter the code at checkout.
"""


def test_questions_are_appended_and_nothing_else_moves() -> None:
    out = add_questions(ARTICLE, ["do you have a student discount", "HOW DO I USE A PROMO CODE",
                                  "50% off: student deal?"], "en")
    assert out.splitlines()[:7] == ARTICLE.splitlines()[:7]
    assert out.splitlines()[7:9] == ["  - do you have a student discount", "  - '50% off: student deal?'"]
    assert out.endswith("tags: [offers]\n---\nEnter the code at checkout.\n")
    assert add_questions(out, ["do you have a student discount"], "en") == out


@pytest.mark.parametrize("front", ["questions: [a, b]\n", "", "questions:\n"])
def test_flow_style_missing_or_empty_lists(front: str) -> None:
    text = f"---\nid: x\nlang: en\ntitle: X\n{front}---\nBody.\n"
    out = add_questions(text, ["new one"], "en")
    assert "  - new one\n" in out and out.endswith("---\nBody.\n")


def test_plan_diff_write(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "promo.md").write_text(ARTICLE, encoding="utf-8")
    kb = load_kb(tmp_path)
    change = KbChange("c1", ChangeKind.ADD_QUESTIONS, (("student discount?", "en"),), "ann", 0.0, "promo")
    edits = plan_edits(change, kb, tmp_path)
    diff = unified_diff(edits, tmp_path)
    assert "--- a/en/promo.md\n+++ b/en/promo.md\n" in diff and "+  - student discount?\n" in diff
    assert (tmp_path / "en" / "promo.md").read_text(encoding="utf-8") == ARTICLE  # planned, not written
    write_edits(edits)
    assert "student discount?" in load_kb(tmp_path).get("promo", "en").questions  # type: ignore[union-attr]
    oos = KbChange("c2", ChangeKind.OUT_OF_SCOPE, (("tell me a joke", "en"),), "ann", 0.0)
    new = plan_edits(oos, kb, tmp_path)
    assert new[0].path == tmp_path / "en" / "_out-of-scope.md"
    assert "--- /dev/null" in unified_diff(new, tmp_path)
    write_edits(new)
    assert [e.text for e in load_kb(tmp_path).out_of_scope] == ["tell me a joke"]
    with pytest.raises(KBError, match="changed while the change was being applied"):
        write_edits(edits)


@pytest.mark.parametrize(("change", "match"), [
    (KbChange("c", ChangeKind.ADD_QUESTIONS, (("q", "en"),), "a", 0.0, "nope"), "no article 'nope'"),
    (KbChange("c", ChangeKind.ADD_QUESTIONS, (("q", "th"),), "a", 0.0, "promo"), "has no version in th"),
    (KbChange("c", ChangeKind.ADD_QUESTIONS, (), "a", 0.0, "promo"), "at least one question"),
    (KbChange("c", "rewrite", (("q", "en"),), "a", 0.0), "unknown change kind 'rewrite'"),
])
def test_bad_changes(tmp_path: Path, change: KbChange, match: str) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "promo.md").write_text(ARTICLE, encoding="utf-8")
    with pytest.raises(KBError, match=match):
        plan_edits(change, load_kb(tmp_path), tmp_path)
