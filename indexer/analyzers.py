"""Per-language analyzers for BM25: normalisation, segmentation and stemming.

Languages written without spaces (Thai, Chinese, Japanese) are cut into overlapping character
bigrams, so a run of Thai or Han text never becomes one giant token.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

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
# Thai combining marks belong to the preceding consonant; a bigram must not split them off.
_THAI_MARK = re.compile(r"[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


@functools.lru_cache(maxsize=64)
def _stemmer(lang: str) -> Callable[[str], str] | None:
    name = _STEMMERS.get(base_lang(lang))
    if not name:
        return None
    stem = snowballstemmer.stemmer(name)
    return functools.lru_cache(maxsize=65536)(stem.stemWord)


@functools.lru_cache(maxsize=1)
def _to_simplified() -> Callable[[str], str]:
    import opencc  # opencc-python-reimplemented

    return opencc.OpenCC("t2s").convert


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


def analyze(text: str, lang: str) -> list[str]:
    """BM25 terms of `text` written in `lang`."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if _HAS_HAN.search(text):
        text = _to_simplified()(text)  # zh-TW and zh-CN share one vocabulary for search
    stem = _stemmer(lang)
    terms: list[str] = []
    for tok in _TOKEN.findall(text):
        if _IS_NOSPACE.match(tok):
            terms.extend(_bigrams(tok))
        else:
            terms.append(_fold_accents(stem(tok) if stem else tok))
    return terms
