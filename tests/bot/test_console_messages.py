"""The console's UI strings (bot/console_messages.py): every key in the five console languages,
the same placeholders as English, real translations, each Chinese variant in its own characters."""

from __future__ import annotations

import opencc
import pytest

from bot.console_messages import CONSOLE_LANGS, MESSAGES, NATIVE_NAMES, console_message

KEYS = sorted(MESSAGES)
# Words that are the same in another language (product names, units, loanwords).
SAME_AS_ENGLISH = {("console.minutes", "et"), ("console.hours", "et"), ("console.who_bot", "et"),
                   ("console.ins_csat", "th"), ("console.ins_csat", "et")}  # an abbreviation


def _fields(text: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", KEYS)
def test_every_key_in_every_console_language(key: str) -> None:
    texts = MESSAGES[key]
    assert list(texts) == list(CONSOLE_LANGS)
    for lang, text in texts.items():
        assert text and text == text.strip() and "  " not in text, (key, lang)
        assert _fields(text) == _fields(texts["en"]), (key, lang)
        if lang != "en" and (key, lang) not in SAME_AS_ENGLISH:
            assert text != texts["en"], (key, lang)


@pytest.mark.parametrize("key", KEYS)
def test_chinese_variants_use_their_own_characters(key: str) -> None:
    assert opencc.OpenCC("s2tw").convert(MESSAGES[key]["zh-TW"]) == MESSAGES[key]["zh-TW"]
    assert opencc.OpenCC("t2s").convert(MESSAGES[key]["zh-CN"]) == MESSAGES[key]["zh-CN"]


@pytest.mark.parametrize(("lang", "expected"), [("th-TH", "กล่องงาน"), ("zh-Hant-TW", "Inbox"),
                                                ("et", "Postkast"), ("de", "Inbox")])
def test_fallback_to_the_base_language_then_english(lang: str, expected: str) -> None:
    assert console_message("console.inbox_title", lang) == expected


def test_unknown_key_and_picker_names() -> None:
    with pytest.raises(ValueError, match="unknown console message key 'console.nope'"):
        console_message("console.nope", "en")
    assert set(NATIVE_NAMES) == set(CONSOLE_LANGS)
