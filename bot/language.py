"""Language detection for short support questions, restricted to the languages served.

Script evidence decides first (Thai, Hangul, Kana, Han...); a few Latin brand words inside Thai or
Chinese do not outvote it. Han text is told apart as Japanese or Chinese by characters only one of
them writes, and as Traditional or Simplified by its characters. Latin and Cyrillic text is scored
per served language by three kinds of evidence: letters outside a language's alphabet ("ń" is not
Estonian), common words of the language (a lexicon — two or three words are too little for
n-gram statistics alone; typed without diacritics still counts), and lingua's n-gram confidence.
A hint (widget/browser language, the session's previous language) adds a prior, so it wins
whenever the text itself is not clear evidence against it.

A question clearly in a language the KB does not serve (a German sentence to an English/Estonian
help center) is reported as that language, method "foreign": the bot answers from the
multilingual encoder in the KB's default language, with a note in the customer's language.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.language_words import ALPHABETS, JA_ONLY, LEXICON_BASES, LEXICONS, SCRIPTS, ZH_ONLY
from indexer.analyzers import to_simplified
from kb.errors import SettingsError
from kb.languages import base_lang

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# Product names and acronyms (iPhone, PayPal, OTP, VAT) say nothing about the customer's language.
_BRANDISH = re.compile(r"^(?:[^\W\d_][a-z\d]*[A-Z][\w]*|[A-Z\d]{2,})$")
_MARGIN_FOREIGN = 0.9   # lead over the best served language: a lexicon word, or confident n-grams
_HINT_PRIOR = 1.0       # one common word's worth of evidence
_DEFAULT_PRIOR = 0.1    # breaks near-ties towards the KB's main language
_BAD_LETTER = 1.0       # per letter outside a language's alphabet
_FOLDED_HIT = 0.7       # a lexicon word matched only without its diacritics


@dataclass(frozen=True)
class Detection:
    lang: str
    confidence: float
    method: str  # "script" | "statistical" | "hint" | "default" | "foreign"


@functools.lru_cache(maxsize=1)
def _chinese_converters() -> tuple[Callable[[str], str], Callable[[str], str]]:
    import opencc

    return opencc.OpenCC("s2t").convert, to_simplified()


def chinese_variant(text: str) -> str | None:
    """'zh-TW' if the text uses Traditional-only characters, 'zh-CN' for Simplified-only ones."""
    s2t, t2s = _chinese_converters()
    han = "".join(re.findall(r"[\u3400-\u9fff\uf900-\ufaff]", text))
    trad = sum(a != b for a, b in zip(han, t2s(han), strict=False))  # changed when simplified
    simp = sum(a != b for a, b in zip(han, s2t(han), strict=False))  # changed when traditionalised
    if trad > simp:
        return "zh-TW"
    if simp > trad:
        return "zh-CN"
    return None


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def content_words(text: str) -> list[str]:
    """Lower-cased words of `text` that can tell languages apart (brand names and acronyms
    dropped, unless nothing else is left)."""
    words = _WORD.findall(text)
    kept = [w for w in words if not _BRANDISH.match(w)] or words
    out: list[str] = []
    for w in kept:
        w = unicodedata.normalize("NFC", w.replace("İ", "i").lower())
        head, sep, tail = w.replace("’", "'").partition("'")
        # French/Italian elision (l'appli, d'un): the article and the word count separately.
        out.extend((head + sep, tail) if sep and len(head) <= 2 and len(tail) >= 3 else (w,))
    return out


Scorer = Callable[[str], dict[str, float]]


def _lingua(langs: Iterable[str], low_accuracy: bool = False) -> Scorer:
    """lingua's confidence per language (ISO 639-1 base code) over `langs`, or all it knows."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    wanted = list(langs)
    if wanted:
        known = []
        for lang in dict.fromkeys(base_lang(x) for x in wanted):
            try:
                known.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, lang.upper())))
            except (AttributeError, ValueError):
                continue
        if len(known) < 2:
            return lambda text: {base_lang(known[0].iso_code_639_1.name.lower()): 1.0} if known else {}
        builder = LanguageDetectorBuilder.from_languages(*known)
    else:
        builder = LanguageDetectorBuilder.from_all_languages()
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()  # trigrams only: 90 MB for all languages, not 1.2 GB
    detector = builder.with_preloaded_language_models().build()

    def scores(text: str) -> dict[str, float]:
        return {c.language.iso_code_639_1.name.lower(): c.value
                for c in detector.compute_language_confidence_values(text) if c.value > 0}
    return scores


class LanguageDetector:
    """Detects which of the `served` languages a question is written in (or, when the text is
    clear about it, which unserved language)."""

    def __init__(self, served: Iterable[str], default: str) -> None:
        self.served = tuple(dict.fromkeys(served))
        if not self.served:
            raise SettingsError("a language detector needs at least one served language")
        self.default = default if default in self.served else self.served[0]
        self._by_script = {name: [x for x in self.served if _lang_script(x) == name]
                           for name, _, _ in SCRIPTS}
        self._served_bases = {base_lang(x) for x in self.served}
        self._stats = {name: _lingua(self._by_script[name]) for name in ("latin", "cyrillic")
                       if self._by_script[name]}
        self._universe_stats = _lingua((), low_accuracy=True)  # for unserved languages

    def _match(self, lang: str | None) -> str | None:
        """The served language a hint like 'en-US' or 'zh-Hant' stands for."""
        if not lang:
            return None
        if lang in self.served:
            return lang
        same_base = [x for x in self.served if base_lang(x) == base_lang(lang)]
        return same_base[0] if len(same_base) == 1 else None

    def detect(self, text: str, hint: str | None = None, previous: str | None = None) -> Detection:
        hint_lang = self._match(hint) or self._match(previous)
        script = _script(text)
        if script is None:
            return Detection(hint_lang or self.default, 0.0, "hint" if hint_lang else "default")
        if script in ("latin", "cyrillic"):
            return self._alphabetic(text, script, hint_lang, hint)
        if script in ("han", "kana"):
            return self._cjk(text, hint_lang, hint)
        candidates = self._by_script[script]
        if len(candidates) == 1:
            return Detection(candidates[0], 1.0, "script")
        if hint_lang in candidates:
            return Detection(hint_lang, 0.9, "hint")
        if candidates:
            return Detection(candidates[0], 0.8, "script")
        return Detection(_script_foreign(script, text), 1.0, "foreign")

    def _cjk(self, text: str, hint_lang: str | None, hint: str | None) -> Detection:
        """Japanese or Chinese (and which Chinese) for text in Han characters and/or kana."""
        ja_marks = any("\u3040" <= c <= "\u30ff" or c in JA_ONLY for c in text)
        zh_marks = any(c in ZH_ONLY for c in text)
        ja, zh = self._by_script["kana"], self._by_script["han"]
        variant = chinese_variant(text)
        # Kanji-only text is Japanese by its own characters, or by the hint when nothing says Chinese.
        if ja and (ja_marks and not zh_marks or hint_lang in ja and not zh_marks
                   or not zh and not zh_marks):
            return Detection(ja[0], 1.0 if ja_marks else 0.9, "script" if ja_marks else "hint")
        if zh and not (ja_marks and not zh_marks):
            if variant in zh:
                return Detection(variant, 1.0, "script")
            if hint_lang in zh:
                return Detection(hint_lang, 0.9, "hint")
            return Detection(zh[0], 0.8 if len(zh) > 1 else 1.0, "script")
        # Neither is served: Han text is still clearly Chinese or Japanese, whatever the hint says.
        if ja_marks and not zh_marks:
            return Detection("ja", 1.0, "foreign")
        return Detection(variant or _hinted_zh(hint) or "zh-CN", 1.0, "foreign")

    def _alphabetic(self, text: str, script: str, hint_lang: str | None, hint: str | None) -> Detection:
        """The best-scoring served language of the script, unless the text is clearly foreign."""
        words = content_words(text)
        candidates = self._by_script[script]
        cleaned = " ".join(words)
        scores: dict[str, float] = {}
        if candidates:
            evidence, _ = _evidence(words, candidates, self._stats[script](cleaned))
            scores = {lang: e + (_HINT_PRIOR if lang == hint_lang else 0.0)
                      + (_DEFAULT_PRIOR if lang == self.default else 0.0) for lang, e in evidence.items()}
        foreign = self._foreign(words, cleaned, script, hint, scores)
        if foreign is not None:
            return foreign
        if not candidates:
            return Detection(hint_lang or self.default, 0.3, "hint" if hint_lang else "default")
        best = max(scores, key=scores.__getitem__)
        top = max(scores.values())
        confidence = 1 / sum(math.exp(s - top) for s in scores.values())
        method = "hint" if best == hint_lang and _evidence_leader(scores, hint_lang) else "statistical"
        return Detection(best, round(confidence, 4), method)

    def _foreign(self, words: list[str], cleaned: str, script: str, hint: str | None,
                 served_scores: dict[str, float]) -> Detection | None:
        """An unserved language the text is clearly written in, if any."""
        hint_base = base_lang(hint) if hint else None
        foreign_hint = hint_base is not None and hint_base not in self._served_bases
        if len(words) < 2 and not (foreign_hint and words) and served_scores:
            return None  # one word is no proof of a language the KB does not serve
        stats = self._universe_stats(cleaned)
        universe = set(LEXICON_BASES.get(script, ())) | {x for x in stats if _lang_script(x) == script}
        universe |= {base_lang(x) for x in self._by_script[script]}
        pool = sorted(universe)
        evidence, lexical = _evidence(words, pool, stats)
        scores = {lang: e + (_HINT_PRIOR if lang == hint_base else 0.0) for lang, e in evidence.items()}
        unserved = [x for x in pool if x not in self._served_bases]
        if not unserved:
            return None
        best = max(unserved, key=scores.__getitem__)
        if not served_scores:  # no served language writes this script: any evidence will do
            return Detection(best, round(min(1.0, scores[best]), 4), "foreign") if scores[best] > 0 else None
        served_best = max(scores.get(base_lang(x), 0.0) for x in served_scores)
        # Two of its common words (one with a hint for it), or confident n-grams over three words:
        # a brand name next to one foreign-looking word ("Tidewell Plus") is not enough.
        words_needed = 1.0 if best == hint_base else 2.0
        if scores[best] - served_best < _MARGIN_FOREIGN or not (
                lexical[best] >= words_needed or stats.get(best, 0.0) >= 0.9 and len(words) >= 3):
            return None
        return Detection(best, round(min(1.0, scores[best] - served_best), 4), "foreign")


def _evidence(words: list[str], pool: Iterable[str],
              stats: dict[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Per language of `pool`: (its share of the lexicon words + lingua's confidence − letters
    outside its alphabet, the lexicon share alone)."""
    langs = list(pool)
    bases = [base_lang(x) for x in langs]
    lexical = dict.fromkeys(bases, 0.0)
    for w in words:
        hits = [_hit(w, b) for b in bases]
        total = sum(hits)
        for b, h in zip(bases, hits, strict=True):
            if h:
                lexical[b] += h / total
    letters = [c for w in words for c in w if not ("a" <= c <= "z" or c in "'’")]
    scores = {}
    for lang, b in zip(langs, bases, strict=True):
        alphabet = ALPHABETS.get(b)
        bad = 0 if alphabet is None else sum(c not in alphabet for c in letters)
        scores[lang] = lexical[b] + stats.get(b, 0.0) - _BAD_LETTER * bad
    return scores, {lang: lexical[b] for lang, b in zip(langs, bases, strict=True)}


def _hit(word: str, base: str) -> float:
    lexicon = _lexicon(base)
    if word in lexicon[0]:
        return 1.0
    # Only a word typed without diacritics may match a lexicon word by its folded form.
    if word == _fold(word) and word in lexicon[1]:
        return _FOLDED_HIT
    return 0.0


@functools.lru_cache(maxsize=64)
def _lexicon(base: str) -> tuple[frozenset[str], frozenset[str]]:
    words = frozenset(LEXICONS.get(base, "").split())
    return words, frozenset(_fold(w) for w in words)


def _evidence_leader(scores: dict[str, float], hint_lang: str | None) -> bool:
    """True when the hint's prior, not the text, put `hint_lang` ahead."""
    if hint_lang is None:
        return False
    without = dict(scores)
    without[hint_lang] -= _HINT_PRIOR
    return max(without, key=without.__getitem__) != hint_lang


def _script(text: str) -> str | None:
    """The script of the question. Customers put Latin brand names and loanwords into Thai or
    Chinese sentences, never the other way round, so a non-Latin script with two letters (or a
    third of the letters) wins over Latin."""
    counts = {name: len(rx.findall(text)) for name, rx, _ in SCRIPTS}
    total = sum(counts.values())
    if not total:
        return None
    other = {k: v for k, v in counts.items() if k != "latin" and v}
    if other:
        name = max(other, key=other.__getitem__)
        if counts["kana"] and name == "han":
            name = "kana"  # Japanese mixes kana with kanji
        if other[name] >= 2 or other[name] * 3 >= total or not counts["latin"]:
            return name
    return "latin"


@functools.lru_cache(maxsize=256)
def _lang_script(lang: str) -> str:
    """The script a language is written in: the first of SCRIPTS listing it, else Latin."""
    base = base_lang(lang)
    return next((name for name, _, langs in SCRIPTS if base in {base_lang(x) for x in langs}), "latin")


def _hinted_zh(hint: str | None) -> str | None:
    return hint if hint in ("zh-TW", "zh-CN") else None


def _script_foreign(script: str, text: str) -> str:
    """The language an unserved script most likely stands for."""
    if script == "arabic":
        if any(c in "ٹڈڑںےھ" for c in text):
            return "ur"
        if any(c in "پچژگکی" for c in text):
            return "fa"
    return next(langs[0] for name, _, langs in SCRIPTS if name == script)
