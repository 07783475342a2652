"""The catalog of every bot message a customer sees, per language (English is the fallback)."""

from __future__ import annotations

from kb.languages import base_lang

LANGUAGE_NAMES = {
    "en": {"en": "English", "th": "Thai", "et": "Estonian", "zh-TW": "Traditional Chinese",
           "zh-CN": "Simplified Chinese"},
    "th": {"en": "ภาษาอังกฤษ", "th": "ภาษาไทย", "et": "ภาษาเอสโตเนีย", "zh-TW": "ภาษาจีนตัวเต็ม",
           "zh-CN": "ภาษาจีนตัวย่อ"},
    "et": {"en": "inglise keeles", "th": "tai keeles", "et": "eesti keeles",
           "zh-TW": "traditsioonilises hiina keeles", "zh-CN": "lihtsustatud hiina keeles"},
    "zh-TW": {"en": "英文", "th": "泰文", "et": "愛沙尼亞文", "zh-TW": "繁體中文", "zh-CN": "簡體中文"},
    "zh-CN": {"en": "英文", "th": "泰文", "et": "爱沙尼亚文", "zh-TW": "繁体中文", "zh-CN": "简体中文"},
}

MESSAGES = {
    "only_in": {
        "en": "This article is only available in {language}.",
        "th": "บทความนี้มีเฉพาะ{language}เท่านั้น",
        "et": "See artikkel on saadaval ainult {language}.",
        "zh-TW": "這篇文章目前只有{language}版本。",
        "zh-CN": "这篇文章目前只有{language}版本。",
    },
    "did_you_mean": {
        "en": "Did you mean one of these?",
        "th": "คุณหมายถึงเรื่องเหล่านี้หรือเปล่า",
        "et": "Kas mõtlesite mõnda neist?",
        "zh-TW": "您是想問以下哪一個問題嗎？",
        "zh-CN": "您是想问以下哪个问题吗？",
    },
    "handoff": {
        "en": "I'm not sure I can answer that correctly, so I'm passing it to a person on our team.",
        "th": "ขออภัย ระบบไม่แน่ใจว่าจะตอบได้ถูกต้อง จึงส่งคำถามต่อให้เจ้าหน้าที่ดูแลค่ะ",
        "et": "Ma pole kindel, et oskan sellele õigesti vastata, seega suunan küsimuse meie "
              "meeskonna inimesele.",
        "zh-TW": "這個問題我沒有把握回答正確，已為您轉接真人客服。",
        "zh-CN": "这个问题我没有把握回答正确，已为您转接人工客服。",
    },
}


def message(key: str, lang: str, **values: str) -> str:
    """A catalog message in `lang` (or its base language, or English), with values filled in."""
    texts = MESSAGES[key]
    text = texts.get(lang) or texts.get(base_lang(lang)) or texts["en"]
    return text.format(**values)


def language_name(lang: str, in_lang: str) -> str:
    names = LANGUAGE_NAMES.get(in_lang) or LANGUAGE_NAMES.get(base_lang(in_lang)) or LANGUAGE_NAMES["en"]
    return names.get(lang, lang)
