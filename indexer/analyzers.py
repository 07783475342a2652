"""Per-language analyzers for BM25: normalisation, segmentation and stemming.

Languages written without spaces (Thai, Chinese, Japanese) are cut into overlapping character
bigrams, so a run of Thai or Han text never becomes one giant token. `Analyzer` takes each
ingredient as an option so that `eval/languages.py` can measure what each one earns; `analyze`
is the shipped combination.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import snowballstemmer

from kb.languages import base_lang

ANALYZER_VERSION = "1"

_STEMMERS = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "da": "danish",
    "nl": "dutch", "en": "english", "et": "estonian", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian",
    "ga": "irish", "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian",
    "nb": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
    "cs": "czech", "eo": "esperanto", "fa": "persian", "pl": "polish",
}
# Runs of scripts written without spaces between words.
_NOSPACE = r"\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf" \
           r"\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_NOSPACE}]+|[^\W_]+", re.UNICODE)
_IS_NOSPACE = re.compile(rf"[{_NOSPACE}]")
_HAS_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
# Thai combining marks belong to the preceding consonant; a bigram must not split them off.
_THAI_MARK = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
SEGMENTATIONS = ("bigrams", "words", "words+bigrams", "unigrams+bigrams")


@functools.lru_cache(maxsize=64)
def _stemmer(lang: str) -> Callable[[str], str] | None:
    name = _STEMMERS.get(base_lang(lang))
    if not name:
        return None
    stem = snowballstemmer.stemmer(name)
    return functools.lru_cache(maxsize=65536)(stem.stemWord)


def clear_stem_cache() -> None:
    """Forget memoised stems, so that a benchmark times stemming of text as if it were new."""
    _stemmer.cache_clear()


@functools.lru_cache(maxsize=1)
def to_simplified() -> Callable[[str], str]:
    """Traditional → Simplified Chinese (OpenCC t2s), built once."""
    import opencc  # opencc-python-reimplemented

    return opencc.OpenCC("t2s").convert


@functools.lru_cache(maxsize=1)
def _thai_words() -> Callable[[str], list[str]]:
    from pythainlp.tokenize import word_tokenize  # optional: only the word-segmentation variants

    return lambda run: word_tokenize(run, engine="newmm", keep_whitespace=False)


@functools.lru_cache(maxsize=1)
def _chinese_words() -> Callable[[str], list[str]]:
    import logging

    import jieba  # optional: only the word-segmentation variants

    jieba.setLogLevel(logging.WARNING)
    return lambda run: jieba.lcut(run, HMM=True)


def _fold_accents(token: str) -> str:
    # Customers often type Estonian or Spanish without diacritics; search must still match.
    decomposed = unicodedata.normalize("NFKD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _clusters(run: str) -> list[str]:
    """Grapheme-ish units: a base character plus its Thai vowel/tone marks."""
    out: list[str] = []
    for ch in run:
        if out and _THAI_MARK.match(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _bigrams(run: str) -> list[str]:
    units = _clusters(run)
    if len(units) == 1:
        return units
    return [a + b for a, b in zip(units, units[1:], strict=False)]


@dataclass(frozen=True)
class Analyzer:
    """Text → BM25 terms; each flag is one ingredient (all on = the shipped analyzer)."""

    nfkc: bool = True  # full-width → ASCII, compatibility characters → plain ones
    casefold: bool = True
    split_words: bool = True  # split at punctuation too, not only at whitespace
    fold_chinese: bool = True  # Traditional → Simplified, so zh-TW and zh-CN share terms
    stem: bool = True  # Snowball stemmer of the text's language
    fold_accents: bool = True  # "tühistada" and "tuhistada" are one term
    segmentation: str = "bigrams"  # for Thai and Chinese runs, one of SEGMENTATIONS

    def __post_init__(self) -> None:
        if self.segmentation not in SEGMENTATIONS:
            raise ValueError(f"unknown segmentation {self.segmentation!r} (choose from {SEGMENTATIONS})")

    def analyze(self, text: str, lang: str) -> list[str]:
        """BM25 terms of `text` written in `lang`."""
        text = unicodedata.normalize("NFKC", text) if self.nfkc else text
        text = text.casefold() if self.casefold else text
        if self.fold_chinese and _HAS_HAN.search(text):
            text = to_simplified()(text)  # zh-TW and zh-CN share one vocabulary for search
        stem = _stemmer(lang) if self.stem else None
        terms: list[str] = []
        tokens = _TOKEN.findall(text) if self.split_words else text.split()
        for tok in tokens:
            if self.split_words and _IS_NOSPACE.match(tok):
                terms.extend(self._segment(tok))
                continue
            tok = stem(tok) if stem else tok
            terms.append(_fold_accents(tok) if self.fold_accents else tok)
        return terms

    def _segment(self, run: str) -> list[str]:
        if self.segmentation == "bigrams":
            return _bigrams(run)
        if self.segmentation == "unigrams+bigrams":
            units = _clusters(run)
            return units + (_bigrams(run) if len(units) > 1 else [])
        if _THAI.match(run):
            words = _thai_words()(run)
        elif _HAS_HAN.match(run):
            words = _chinese_words()(run)
        else:  # kana, Lao, Khmer, Myanmar: no dictionary here
            words = _bigrams(run)
        words = [w for w in words if w.strip()]
        if self.segmentation == "words":
            return words
        seen = set(words)
        return words + [b for b in _bigrams(run) if b not in seen]


SHIPPED = Analyzer()


def analyze(text: str, lang: str) -> list[str]:
    """BM25 terms of `text` written in `lang`, by the shipped analyzer."""
    return SHIPPED.analyze(text, lang)
