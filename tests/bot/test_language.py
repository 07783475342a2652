from __future__ import annotations

import pytest

from bot import Bot
from bot.language import LanguageDetector, chinese_variant, content_words
from bot.messages import language_name, message
from indexer.encoders import Encoder
from indexer.store import HybridIndex
from kb import Settings
from kb.errors import SettingsError

SERVED = ["en", "th", "et", "zh-TW", "zh-CN"]
MANY = ["en", "et", "de", "fr", "es", "pt", "fi", "pl", "lt", "lv", "tr", "id", "vi", "ru", "th",
        "zh-TW", "zh-CN", "ja", "ko", "ar"]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(SERVED, "en")


@pytest.fixture(scope="module")
def many() -> LanguageDetector:
    return LanguageDetector(MANY, "en")


@pytest.mark.parametrize(("text", "lang"), [
    ("refund?", "en"), ("where is my parcel", "en"), ("cant log in", "en"), ("reset pw", "en"),
    ("ลืมรหัสผ่าน", "th"), ("ขอ refund หน่อย", "th"), ("kus mu pakk on", "et"),
    ("tellimus ei tulnud", "et"), ("arve", "et"), ("pakk on katki", "et"),
    ("退貨怎麼辦", "zh-TW"), ("退货怎么办", "zh-CN"), ("我的訂單在哪裡", "zh-TW"),
    ("我的订单在哪里", "zh-CN"),
])
def test_detects_short_questions(detector: LanguageDetector, text: str, lang: str) -> None:
    assert detector.detect(text).lang == lang


@pytest.mark.parametrize(("text", "lang"), [
    ("iPhone แอปค้าง", "th"),  # the Latin brand has more letters than the Thai words
    ("可以用LINE Pay嗎", "zh-TW"), ("iPhone上登不进去", "zh-CN"),
    ("PayPal ei tööta", "et"), ("kas saab PayPaliga maksta", "et"),
])
def test_brand_names_do_not_decide_the_language(detector: LanguageDetector, text: str, lang: str) -> None:
    assert detector.detect(text).lang == lang


@pytest.mark.parametrize(("text", "lang"), [
    ("usuń konto", "pl"),  # ń: only Polish writes it
    ("siparişim nerede", "tr"), ("kur mano užsakymas", "lt"), ("kur ir mans pasūtījums", "lv"),
    ("sooduskood ei tööta", "et"), ("Größe umtauschen", "de"), ("où est ma commande", "fr"),
    ("dónde está mi pedido", "es"), ("cadê meu pedido", "pt"), ("đơn hàng của tôi đâu", "vi"),
])
def test_letters_outside_an_alphabet_rule_a_language_out(many: LanguageDetector, text: str,
                                                         lang: str) -> None:
    assert many.detect(text).lang == lang


@pytest.mark.parametrize(("text", "lang"), [
    ("sooduskood ei toota", "et"), ("donde esta mi pedido", "es"), ("zapomnialem hasla", "pl"),
    ("sifremi unuttum", "tr"), ("mot de passe oublie", "fr"), ("en paase kirjautumaan", "fi"),
])
def test_common_words_typed_without_diacritics(many: LanguageDetector, text: str, lang: str) -> None:
    assert many.detect(text).lang == lang


@pytest.mark.parametrize(("text", "lang"), [
    ("パスワードを忘れました", "ja"), ("注文履歴", "ja"),  # 歴: a Japanese-only form of 歷/历
    ("我的訂單在哪裡", "zh-TW"), ("退货怎么办", "zh-CN"), ("비밀번호를 잊어버렸어요", "ko"),
    ("نسيت كلمة المرور", "ar"), ("где мой заказ", "ru"),
])
def test_scripts(many: LanguageDetector, text: str, lang: str) -> None:
    assert many.detect(text).lang == lang


def test_kanji_only_text_follows_a_japanese_hint_unless_it_reads_as_chinese(many: LanguageDetector) -> None:
    assert many.detect("解約方法", hint="ja-JP").lang == "ja"
    assert many.detect("解約方法").lang == "zh-TW"
    assert many.detect("怎麼解約", hint="ja").lang == "zh-TW"  # 怎麼: Chinese, not Japanese


def test_hint_wins_when_text_is_ambiguous(detector: LanguageDetector) -> None:
    assert detector.detect("退款").lang in ("zh-TW", "zh-CN")
    assert detector.detect("退款", hint="zh-CN").lang == "zh-CN"
    assert detector.detect("退款", previous="zh-CN").lang == "zh-CN"
    assert detector.detect("1234", hint="et").lang == "et"
    assert detector.detect("Tidewell", hint="et").lang == "et"
    assert detector.detect("Tidewell", hint="en").lang == "en"


def test_text_beats_a_wrong_hint(detector: LanguageDetector) -> None:
    assert detector.detect("ลืมรหัสผ่าน", hint="en").lang == "th"
    assert detector.detect("ei saa sisse logida", hint="en").lang == "et"
    assert detector.detect("where is my parcel", hint="et").lang == "en"


def test_regional_hint_maps_to_served_language(detector: LanguageDetector) -> None:
    assert detector.detect("ok", hint="en-US").lang == "en"


@pytest.mark.parametrize(("text", "lang"), [
    ("Wo ist meine Bestellung? Ich möchte die Sendung verfolgen", "de"),
    ("Je n'arrive pas à me connecter à mon compte", "fr"),
    ("¿Cuánto tarda en llegar el reembolso?", "es"), ("안녕하세요", "ko"),
    ("パスワードを忘れてしまいました", "ja"), ("Как отменить подписку?", "ru"),
])
def test_clearly_foreign_questions_are_reported_as_their_language(detector: LanguageDetector, text: str,
                                                                 lang: str) -> None:
    found = detector.detect(text)
    assert (found.lang, found.method) == (lang, "foreign")


@pytest.mark.parametrize("text", ["reembolso", "pakk", "refund pls", "kus mu raha on"])
def test_short_or_served_text_is_never_called_foreign(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text).method != "foreign"


def test_a_foreign_hint_helps_a_single_word() -> None:
    en_et = LanguageDetector(["en", "et"], "en")
    assert en_et.detect("Rückerstattung").lang in ("en", "et")
    assert en_et.detect("Rückerstattung", hint="de-AT").lang == "de"


def test_one_word_stays_in_a_served_language_a_sentence_need_not() -> None:
    only_en = LanguageDetector(["en"], "en")
    assert only_en.detect("pakk").lang == "en"
    assert only_en.detect("kus mu pakk on").lang == "et"


@pytest.mark.parametrize(("text", "variant"), [("發票", "zh-TW"), ("发票", "zh-CN"), ("退款", None)])
def test_chinese_variant(text: str, variant: str | None) -> None:
    assert chinese_variant(text) == variant


@pytest.mark.parametrize(("text", "words"), [
    ("PayPal ei tööta", ["ei", "tööta"]), ("OTP code", ["code"]), ("VAT", ["vat"]),
    ("l'appli plante", ["l'", "appli", "plante"]), ("can't log in", ["can't", "log", "in"]),
    ("SİPARİŞ", ["sipariş"]),
])
def test_content_words(text: str, words: list[str]) -> None:
    assert content_words(text) == words


def test_needs_a_language() -> None:
    with pytest.raises(SettingsError, match="at least one served language"):
        LanguageDetector([], "en")


def test_foreign_question_is_answered_in_the_default_language_with_a_note(
        session_index: HybridIndex, encoder: Encoder) -> None:
    always = Bot(session_index, encoder, Settings(answer_threshold=0.0, suggest_threshold=0.0))
    result = always.answer("Ich habe mein Passwort vergessen, was kann ich tun?")
    assert result.language == "de"
    assert result.answer is not None and result.answer.article_id == "reset-password"
    assert result.answer.lang == "en"
    assert result.notice == message("only_in", "de", language=language_name("en", "de"))


def test_han_text_to_a_kb_without_chinese_is_chinese_whatever_the_hint() -> None:
    en_et = LanguageDetector(["en", "et"], "en")
    assert en_et.detect("退貨怎麼辦", hint="en") == en_et.detect("退貨怎麼辦")
    assert (en_et.detect("退貨怎麼辦").lang, en_et.detect("退貨怎麼辦").method) == ("zh-TW", "foreign")
    assert en_et.detect("返品したい").lang == "ja"
