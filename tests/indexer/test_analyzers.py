from __future__ import annotations

from typing import Any

import pytest

from indexer import analyze
from indexer.analyzers import SHIPPED, Analyzer


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("Returns and REFUNDS", "en", ["return", "and", "refund"]),
    ("Tühistada tellimust", "et", ["tuhista", "tellimu"]),
    ("ＡＢＣ１２３", "en", ["abc123"]),
])
def test_latin(text: str, lang: str, expected: list[str]) -> None:
    assert analyze(text, lang) == expected


def test_diacritics_do_not_matter() -> None:
    assert analyze("tühistada", "et") == analyze("tuhistada", "et")


@pytest.mark.parametrize("text", ["ลืมรหัสผ่านเข้าระบบไม่ได้", "我忘記了我的密碼怎麼辦"])
def test_no_space_scripts_are_not_one_giant_token(text: str) -> None:
    terms = analyze(text, "th" if "ล" in text else "zh-TW")
    assert len(terms) >= len(text) // 2
    assert max(map(len, terms)) <= 4


def test_thai_marks_stay_with_their_consonant() -> None:
    assert analyze("รหัส", "th") == ["รหั", "หัส"]


def test_traditional_and_simplified_share_terms() -> None:
    assert analyze("退貨運費", "zh-TW") == analyze("退货运费", "zh-CN")


def test_mixed_language() -> None:
    assert analyze("ขอ refund หน่อย", "th") == ["ขอ", "refund", "หน่", "น่อ", "อย"]


def test_analyze_is_the_shipped_analyzer() -> None:
    assert Analyzer() == SHIPPED
    assert analyze("Ich habe REFUNDS 退貨", "en") == SHIPPED.analyze("Ich habe REFUNDS 退貨", "en")


@pytest.mark.parametrize(("option", "text", "lang"), [
    ({"nfkc": False}, "ＲＥＴＵＲＮＳ", "en"),  # full-width letters escape the stemmer
    ({"casefold": False}, "Returns", "en"),
    ({"stem": False}, "returns", "en"),
    ({"fold_accents": False}, "tühistada", "et"),
    ({"fold_chinese": False}, "退貨", "zh-TW"),
    ({"split_words": False}, "refund? pls", "en"),
    ({"segmentation": "unigrams+bigrams"}, "退货", "zh-CN"),
])
def test_each_ingredient_changes_the_terms(option: dict[str, Any], text: str, lang: str) -> None:
    assert Analyzer(**option).analyze(text, lang) != analyze(text, lang)


def test_naive_analyzer_keeps_whole_runs() -> None:
    naive = Analyzer(nfkc=False, split_words=False, fold_chinese=False, stem=False, fold_accents=False)
    assert naive.analyze("Refund? ลืมรหัสผ่าน", "en") == ["refund?", "ลืมรหัสผ่าน"]


def test_unigrams_and_bigrams() -> None:
    assert Analyzer(segmentation="unigrams+bigrams").analyze("退貨", "zh-TW") == ["退", "货", "退货"]
    assert Analyzer(segmentation="unigrams+bigrams").analyze("ขอ", "th") == ["ข", "อ", "ขอ"]


def test_dictionary_word_segmentation() -> None:
    pytest.importorskip("pythainlp")
    pytest.importorskip("jieba")
    words = Analyzer(segmentation="words")
    assert words.analyze("ลืมรหัสผ่าน", "th") == ["ลืม", "รหัสผ่าน"]
    assert words.analyze("忘記密碼", "zh-TW") == ["忘记", "密码"]
    both = Analyzer(segmentation="words+bigrams").analyze("忘记密码", "zh-CN")
    assert both[:2] == ["忘记", "密码"] and "记密" in both


def test_unknown_segmentation() -> None:
    with pytest.raises(ValueError, match="unknown segmentation 'trigrams'"):
        Analyzer(segmentation="trigrams")
