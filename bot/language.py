"""Language detection for short support questions, restricted to the languages served.

Script evidence decides first (Thai, Hangul, Kana, Han...), Traditional vs Simplified Chinese is
decided by the characters, and only Latin/Cyrillic text goes to a statistical detector (lingua),
limited to the served languages of that script. A hint (widget/browser language, the session's
previous language) wins whenever the text itself is not clear evidence against it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kb.languages import base_lang

_SCRIPTS: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("thai", re.compile(r"[\u0e00-\u0e7f]"), ("th",)),
    ("lao", re.compile(r"[\u0e80-\u0eff]"), ("lo",)),
    ("hangul", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"), ("ko",)),
    ("kana", re.compile(r"[\u3040-\u30ff]"), ("ja",)),
    ("han", re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"), ("zh-TW", "zh-CN", "ja")),
    ("arabic", re.compile(r"[\u0600-\u06ff]"), ("ar", "fa", "ur")),
    ("hebrew", re.compile(r"[\u0590-\u05ff]"), ("he", "yi")),
    ("greek", re.compile(r"[\u0370-\u03ff]"), ("el",)),
    ("devanagari", re.compile(r"[\u0900-\u097f]"), ("hi", "mr", "ne")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]"), ("ru", "uk", "bg", "sr", "mk", "kk", "be")),
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f]"), ()),
)
_CLEAR = 0.75  # lingua confidence above which the text overrides a hint


@dataclass(frozen=True)
class Detection:
    lang: str
    confidence: float
    method: str  # "script" | "statistical" | "hint" | "default"


@functools.lru_cache(maxsize=1)
def _chinese_converters() -> tuple[Callable[[str], str], Callable[[str], str]]:
    import opencc

    return opencc.OpenCC("s2t").convert, opencc.OpenCC("t2s").convert


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


class LanguageDetector:
    """Detects which of the `served` languages a question is written in."""

    def __init__(self, served: Iterable[str], default: str) -> None:
        self.served = tuple(dict.fromkeys(served))
        if not self.served:
            raise ValueError("a language detector needs at least one served language")
        self.default = default if default in self.served else self.served[0]
        latin = [lang for lang in self.served if base_lang(lang) not in _NON_LATIN]
        self._latin = self._statistical(latin)
        cyrillic = {base_lang(x) for x in _script_langs("cyrillic")}
        cyr = [lang for lang in self.served if base_lang(lang) in cyrillic]
        self._cyrillic = self._statistical(cyr)

    def _statistical(self, langs: list[str]) -> tuple[Callable[[str], list[tuple[str, float]]], list[str]]:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        known = []
        for lang in langs:
            try:
                known.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, base_lang(lang).upper())))
            except (AttributeError, ValueError):
                continue
        by_base = {base_lang(x): x for x in langs}
        if len(known) < 2:
            return (lambda text: [(langs[0], 1.0)] if langs else []), langs
        detector = LanguageDetectorBuilder.from_languages(*known).with_preloaded_language_models().build()

        def scores(text: str) -> list[tuple[str, float]]:
            return [(by_base[c.language.iso_code_639_1.name.lower()], c.value)
                    for c in detector.compute_language_confidence_values(text)]
        return scores, langs

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
        letters = [c for c in text if c.isalpha()]
        counts: dict[str, int] = {name: len(rx.findall(text)) for name, rx, _ in _SCRIPTS}
        script = max(counts, key=counts.__getitem__) if letters and any(counts.values()) else None
        if script is None:
            return Detection(hint_lang or self.default, 0.0, "hint" if hint_lang else "default")
        candidates = [lang for lang in self.served
                      if any(base_lang(lang) == base_lang(c) for c in _script_langs(script))]
        if script == "han" and counts["kana"] == 0:
            variant = chinese_variant(text)
            zh = [x for x in candidates if base_lang(x) == "zh"]
            if variant in zh:
                return Detection(variant, 1.0, "script")
            if hint_lang in zh:
                return Detection(hint_lang, 0.9, "hint")
            if zh:
                return Detection(zh[0], 0.8, "script")
        if script not in ("latin", "cyrillic"):
            if len(candidates) == 1:
                return Detection(candidates[0], 1.0, "script")
            if hint_lang in candidates:
                return Detection(hint_lang, 0.9, "hint")
            if candidates:
                return Detection(candidates[0], 0.8, "script")
            return Detection(hint_lang or self.default, 0.3, "default")
        scores_fn, langs = self._latin if script == "latin" else self._cyrillic
        if not langs:
            return Detection(hint_lang or self.default, 0.3, "hint" if hint_lang else "default")
        scores = scores_fn(text)
        if not scores:
            return Detection(hint_lang or self.default, 0.3, "default")
        best, conf = scores[0]
        if hint_lang and hint_lang != best and hint_lang in langs:
            hint_conf = dict(scores).get(hint_lang, 0.0)
            # Two or three words rarely prove a language; keep the customer's known language.
            if conf < _CLEAR or hint_conf >= 0.2:
                return Detection(hint_lang, hint_conf, "hint")
        return Detection(best, conf, "statistical")


_NON_LATIN = {base_lang(c) for _, _, langs in _SCRIPTS for c in langs}


def _script_langs(script: str) -> tuple[str, ...]:
    return next(langs for name, _, langs in _SCRIPTS if name == script)
