"""The phrase tables are written for the text the detector matches them against: case- and
accent-folded, and for "zh" rules folded to Simplified Chinese."""

from __future__ import annotations

import re
import unicodedata

import opencc
import pytest

from bot.lexicon import (
    ANGRY,
    FILLER,
    HUMAN,
    REAL_WORDS,
    SHORT_NOUNS,
    SPELLING,
    TH_SHORT,
    URGENT,
    ZH_SHORT,
    Table,
    compile_rules,
)

TABLES = [("human_requested", HUMAN), ("angry", ANGRY), ("urgent", URGENT)]


def accented(text: str) -> list[str]:
    # The detector strips marks from Latin letters, so a pattern holding one could never match.
    return [c for c in text if "\u00c0" <= c <= "\u024f" and unicodedata.normalize("NFKD", c) != c]


def test_compile_rules_keeps_table_order_and_labels() -> None:
    table = {"xx": (("first", r"\bfoo\b"), ("second", "bar")), "yy": (("first", "baz"),)}
    rules = compile_rules("angry", table)
    assert [(r.kind, r.label) for r in rules] == [("angry", "xx:first"), ("angry", "xx:second"),
                                                  ("angry", "yy:first")]
    assert [bool(r.pattern.search("a foo b")) for r in rules] == [True, False, False]


@pytest.mark.parametrize(("kind", "table"), TABLES)
def test_every_rule_compiles_with_a_unique_label(kind: str, table: Table) -> None:
    rules = compile_rules(kind, table)
    assert len(rules) == sum(len(pairs) for pairs in table.values())
    assert len({r.label for r in rules}) == len(rules)


@pytest.mark.parametrize(("kind", "table"), TABLES)
def test_patterns_are_accent_folded(kind: str, table: Table) -> None:
    assert {f"{lang}:{name}": accented(rx) for lang, pairs in table.items() for name, rx in pairs
            if accented(rx)} == {}


@pytest.mark.parametrize(("kind", "table"), TABLES)
def test_chinese_patterns_are_simplified(kind: str, table: Table) -> None:
    t2s = opencc.OpenCC("t2s").convert
    assert [name for name, rx in table.get("zh", ()) if t2s(rx) != rx] == []
    assert t2s(ZH_SHORT.pattern) == ZH_SHORT.pattern


@pytest.mark.parametrize("words", [SHORT_NOUNS, FILLER, frozenset(SPELLING), REAL_WORDS])
def test_word_lists_are_folded(words: frozenset[str]) -> None:
    assert sorted(w for w in words if w != w.casefold() or accented(w)) == []


def test_spelling_targets_are_sorted_and_never_real_words() -> None:
    assert list(SPELLING) == sorted(set(SPELLING))
    assert set(SPELLING) & REAL_WORDS == set()


@pytest.mark.parametrize(("pattern", "text", "matches"), [
    (TH_SHORT, "เจ้าหน้าที่ค่ะ", True), (TH_SHORT, "ขอพนักงานหน่อย!", True),
    (TH_SHORT, "เจ้าหน้าที่ตรวจสอบคำสั่งซื้อหรือยัง", False), (TH_SHORT, "พนักงานส่งของ", False),
    (ZH_SHORT, "人工", True), (ZH_SHORT, "我要客服！", True), (ZH_SHORT, "客服几点上班", False),
])
def test_short_requests_are_whole_messages(pattern: re.Pattern[str], text: str, matches: bool) -> None:
    assert bool(pattern.match(text)) is matches
