from __future__ import annotations

import pytest

from bot.language import LanguageDetector, chinese_variant

SERVED = ["en", "th", "et", "zh-TW", "zh-CN"]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(SERVED, "en")


@pytest.mark.parametrize(("text", "lang"), [
    ("refund?", "en"), ("where is my parcel", "en"), ("ลืมรหัสผ่าน", "th"),
    ("ขอ refund หน่อย", "th"), ("kus mu pakk on", "et"), ("tellimus ei tulnud", "et"),
    ("退貨怎麼辦", "zh-TW"), ("退货怎么办", "zh-CN"), ("我的訂單在哪裡", "zh-TW"),
    ("我的订单在哪里", "zh-CN"),
])
def test_detects_short_questions(detector: LanguageDetector, text: str, lang: str) -> None:
    assert detector.detect(text).lang == lang


def test_hint_wins_when_text_is_ambiguous(detector: LanguageDetector) -> None:
    assert detector.detect("退款").lang in ("zh-TW", "zh-CN")
    assert detector.detect("退款", hint="zh-CN").lang == "zh-CN"
    assert detector.detect("退款", previous="zh-CN").lang == "zh-CN"
    assert detector.detect("1234", hint="et").lang == "et"


def test_script_beats_a_wrong_hint(detector: LanguageDetector) -> None:
    assert detector.detect("ลืมรหัสผ่าน", hint="en").lang == "th"


def test_regional_hint_maps_to_served_language(detector: LanguageDetector) -> None:
    assert detector.detect("ok", hint="en-US").lang == "en"


def test_unserved_script_falls_back_to_default(detector: LanguageDetector) -> None:
    assert detector.detect("안녕하세요").lang == "en"


def test_only_served_languages_are_returned() -> None:
    only_en = LanguageDetector(["en"], "en")
    assert only_en.detect("kus mu pakk on").lang == "en"


@pytest.mark.parametrize(("text", "variant"), [("發票", "zh-TW"), ("发票", "zh-CN"), ("退款", None)])
def test_chinese_variant(text: str, variant: str | None) -> None:
    assert chinese_variant(text) == variant


def test_needs_a_language() -> None:
    with pytest.raises(ValueError, match="at least one served language"):
        LanguageDetector([], "en")
