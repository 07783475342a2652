"""The message catalog: complete, consistent and correctly written in every catalog language."""

from __future__ import annotations

import opencc
import pytest

from bot.messages import (
    LANGUAGE_NAMES,
    MESSAGES,
    catalog_languages,
    join_messages,
    language_name,
    message,
    placeholders,
    text_direction,
    ui_strings,
)

LANGS = catalog_languages()
KEYS = sorted(MESSAGES)
UI_KEYS = sorted(k for k in KEYS if k.startswith("ui."))
# Bot messages the conversation service and the widget rely on (bot/desk.py, api.py, widget).
REQUIRED = ["only_in", "did_you_mean", "handoff", "human_requested", "unhelpful", "sensitive",
            "with_agent", "handed_back", "form_received", "reply_by", "out_of_hours"]
REQUIRED_UI = ["launcher_label", "title", "close", "greeting", "input_label", "placeholder", "send",
               "popular", "typing", "read_more", "helpful_q", "yes", "no", "thanks_feedback",
               "talk_to_person", "form_title", "name", "email", "message", "submit", "cancel",
               "form_sent", "error", "email_invalid", "you", "bot", "agent", "did_you_mean"]
# Translations that may equal the English text because they are the same by nature (none today:
# every string has a real translation in every catalog language).
SAME_AS_ENGLISH: set[tuple[str, str]] = set()


def test_catalog_languages_cover_the_demo_kb_and_right_to_left() -> None:
    assert LANGS[0] == "en"
    assert set(LANGS) >= {"en", "th", "et", "zh-TW", "zh-CN", "ar", "he"}
    LANGS.append("xx")  # callers get a copy
    assert "xx" not in catalog_languages()
    LANGS.pop()


@pytest.mark.parametrize("key", REQUIRED + [f"ui.{k}" for k in REQUIRED_UI])
def test_required_keys_exist(key: str) -> None:
    assert key in MESSAGES


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", KEYS)
def test_every_key_is_translated(key: str, lang: str) -> None:
    text = MESSAGES[key].get(lang)
    assert text and text == text.strip() and "  " not in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", KEYS)
def test_placeholders_match_english(key: str, lang: str) -> None:
    assert placeholders(MESSAGES[key][lang]) == placeholders(MESSAGES[key]["en"])


@pytest.mark.parametrize("lang", [x for x in LANGS if x != "en"])
@pytest.mark.parametrize("key", KEYS)
def test_translations_differ_from_english(key: str, lang: str) -> None:
    if (key, lang) not in SAME_AS_ENGLISH:
        assert MESSAGES[key][lang] != MESSAGES[key]["en"]


@pytest.mark.parametrize("key", KEYS)
def test_chinese_variants_use_their_own_characters(key: str) -> None:
    # Traditional text has nothing left to convert to Taiwan forms, and Simplified nothing to fold.
    assert opencc.OpenCC("s2tw").convert(MESSAGES[key]["zh-TW"]) == MESSAGES[key]["zh-TW"]
    assert opencc.OpenCC("t2s").convert(MESSAGES[key]["zh-CN"]) == MESSAGES[key]["zh-CN"]


@pytest.mark.parametrize("key", [k for k in KEYS if not k.startswith("ui.")])
def test_thai_bot_messages_are_polite(key: str) -> None:
    # The bot speaks with the polite particle (ค่ะ/คะ) or a polite opener (ขอ..., ขอบคุณ...).
    text = MESSAGES[key]["th"]
    assert any(p in text for p in ("ค่ะ", "คะ", "ขอ", "กรุณา")) or key in ("only_in", "did_you_mean")


@pytest.mark.parametrize("lang", LANGS)
def test_ui_strings_have_every_ui_key_without_prefix(lang: str) -> None:
    strings = ui_strings(lang)
    assert sorted(strings) == sorted(k.removeprefix("ui.") for k in UI_KEYS)
    assert strings["send"] == MESSAGES["ui.send"][lang]


@pytest.mark.parametrize("lang", ["de", "pt-BR", "sw"])
def test_ui_strings_fall_back_to_english(lang: str) -> None:
    assert ui_strings(lang) == ui_strings("en")


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Of course — I'm connecting you with a person from our team."),
    ("en-GB", "Of course — I'm connecting you with a person from our team."),
    ("fr", "Of course — I'm connecting you with a person from our team."),
    ("et", "Muidugi — ühendan teid meie meeskonna inimesega."),
    ("zh-TW", "沒問題，正在為您轉接我們的真人客服。"),
    ("zh-CN", "好的，正在为您转接人工客服。"),
])
def test_message_falls_back_to_base_language_then_english(lang: str, expected: str) -> None:
    assert message("human_requested", lang) == expected


@pytest.mark.parametrize("lang", LANGS)
def test_only_in_names_the_language_in_the_customers_language(lang: str) -> None:
    text = message("only_in", lang, language=language_name("en", lang))
    assert language_name("en", lang) in text
    assert "{" not in text


@pytest.mark.parametrize("lang", LANGS)
def test_reply_by_fills_in_when(lang: str) -> None:
    assert "Monday 09:00" in message("reply_by", lang, when="Monday 09:00")


def test_unknown_key_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown message key 'nope'"):
        message("nope", "en")


@pytest.mark.parametrize("in_lang", LANGS)
@pytest.mark.parametrize("lang", LANGS)
def test_language_names_cover_the_catalog(lang: str, in_lang: str) -> None:
    assert LANGUAGE_NAMES[in_lang][lang]
    assert language_name(lang, in_lang) == LANGUAGE_NAMES[in_lang][lang]


def test_language_name_of_an_unknown_language_is_its_code() -> None:
    assert language_name("sw", "en") == "sw"
    assert language_name("th", "sw") == "Thai"


@pytest.mark.parametrize(("lang", "direction"), [
    ("ar", "rtl"), ("he", "rtl"), ("fa", "rtl"), ("en", "ltr"), ("th", "ltr"), ("zh-TW", "ltr"),
])
def test_text_direction(lang: str, direction: str) -> None:
    assert text_direction(lang) == direction


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "Thanks! Our team has your request. A person will reply soon."),
    ("zh-TW", "謝謝！我們的團隊已收到您的需求。客服人員會盡快回覆您。"),
    ("ja", "一。二。"),
])
def test_join_messages_spaces_sentences_per_script(lang: str, expected: str) -> None:
    parts = {"en": ["Thanks! Our team has your request.", "", "A person will reply soon."],
             "zh-TW": [message("form_received", "zh-TW"), message("reply_soon", "zh-TW")],
             "ja": ["一。", "二。"]}[lang]
    assert join_messages(lang, *parts) == expected
