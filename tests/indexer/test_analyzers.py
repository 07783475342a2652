from __future__ import annotations

import pytest

from indexer import analyze


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
