"""Escalation triggers read from the customer's message alone: a request for a person, a
sensitive topic, urgency or anger.

Every lexicon runs on every message whatever its detected language, because customers mix
languages and short messages are often misdetected. Latin-script text is matched after case and
accent folding and a light spelling fix ("huamn" → "human"); Chinese after Traditional →
Simplified folding, so one simplified pattern serves zh-TW and zh-CN. The phrase tables live in
bot.lexicon, money parsing in bot.money.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot import lexicon
from bot.answer_cache import AnswerCache
from bot.lexicon import Rule, compile_rules
from bot.money import money_amounts, parse_number
from bot.records import PRIORITIES
from indexer.analyzers import analyze, to_simplified
from kb.handoff import SensitiveTopic
from kb.languages import base_lang

# money_amounts and parse_number lived here before bot.money; re-exported for existing callers.
__all__ = ["Trigger", "TriggerDetector", "default_sensitive_topics", "money_amounts", "parse_number"]


@dataclass(frozen=True)
class Trigger:
    reason: str  # "human_requested" | "angry" | "urgent" | "sensitive:<topic name>"
    priority: str  # "low" | "normal" | "high" | "urgent"
    detail: str = ""  # what matched (a lexicon rule or topic keyword, never the customer's text)


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_NOSPACE = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_CAPS_WORD = re.compile(r"\b[^\W\d_]{2,}\b")
# "?!", "!!??": at least three marks mixing both.
_SHOUT_PUNCT = re.compile(r"(?=[!?]{3})[!?]*(?:\?!|!\?)[!?]*")


# --- normalisation -----------------------------------------------------------------------------
def _fold_latin(text: str) -> str:
    # Only Latin letters lose their accents; Thai vowels and Cyrillic й are combining too.
    return "".join(unicodedata.normalize("NFKD", c)[0] if "\u00c0" <= c <= "\u024f" else c for c in text)


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance, or limit + 1 once it is certainly above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        prev2, prev = prev, row
    return prev[-1]


def _respell(word: str) -> str:
    if len(word) < 4 or word in lexicon.REAL_WORDS or word in lexicon.SPELLING:
        return word
    for target in lexicon.SPELLING:
        if target[0] != word[0]:
            continue  # a first letter is rarely mistyped, and this keeps long messages fast
        limit = 2 if len(target) >= 9 else 1
        if len(target) == 4:
            # Four-letter words only forgive a swap ("tlak"), else "tall" would become "talk".
            if sorted(word) == sorted(target) and _distance(word, target, 1) <= 1:
                return target
            continue
        if _distance(word, target, limit) <= limit:
            return target
    return word


@dataclass(frozen=True)
class _Text:
    plain: str  # NFKC, case- and accent-folded, misspellings of lexicon words fixed
    han: str  # plain with Traditional Chinese folded to Simplified
    original: str


def _is_shouting(text: str) -> bool:
    # Only cased scripts can shout; Thai or Chinese words around the capitals do not count.
    letters = [c for c in text if c.isupper() or c.islower()]
    upper = sum(c.isupper() for c in letters)
    words = [w for w in _CAPS_WORD.findall(text) if w.isupper()]
    return (len(letters) >= 8 and upper >= 0.8 * len(letters) and len(words) >= 2
            and ("!" in text or len(words) >= 6))


# --- sensitive-topic keywords ------------------------------------------------------------------
# Views a keyword is compared in: the customer's language, English, and no stemming at all.
_UNSTEMMED = ""
# Heavily inflected languages whose stemmer leaves different stems for one word's forms
# ("tagasimakse" → "tagasima", "tagasimakset" → "tagasimakse"): a stem may be a prefix there.
_PREFIX_LANGS = frozenset({"et", "fi", "hu", "tr", "ru", "lt", "lv"})


@dataclass(frozen=True)
class _Keyword:
    topic: SensitiveTopic
    text: str
    compact: str  # set for keywords in scripts without spaces (substring match)
    folded: str = ""  # casefolded, Latin accents off: computed once, not per message


def _same_term(kw: str, term: str, prefix: bool) -> bool:
    if kw == term:
        return True
    if not prefix:
        return False
    short, long_ = sorted((kw, term), key=len)
    return len(short) >= 5 and long_.startswith(short) and len(long_) - len(short) <= 4


@dataclass(frozen=True)
class _Terms:
    """A message's analysed terms, indexed so a keyword is found without scanning them all."""

    terms: tuple[str, ...]
    prefix: bool
    starts: dict[str, tuple[int, ...]]  # term (or, with prefix, its first 5 letters) → positions

    @classmethod
    def of(cls, terms: tuple[str, ...], prefix: bool) -> _Terms:
        starts: dict[str, list[int]] = {}
        for i, t in enumerate(terms):
            starts.setdefault(t, []).append(i)
            if prefix and len(t) > 5:
                starts.setdefault(t[:5], []).append(i)
        return cls(terms, prefix, {k: tuple(v) for k, v in starts.items()})

    def contains(self, kw: Sequence[str]) -> bool:
        if not kw:
            return False
        first = kw[0]
        where = set(self.starts.get(first, ()))
        if self.prefix and len(first) >= 5:
            where.update(self.starts.get(first[:5], ()))
        n = len(kw)
        return any(all(_same_term(k, t, self.prefix) for k, t in zip(kw, self.terms[i:i + n], strict=True))
                   for i in sorted(where) if i + n <= len(self.terms))


class TriggerDetector:
    """Escalation triggers in one customer message; built once per set of sensitive topics."""

    def __init__(self, topics: Sequence[SensitiveTopic]) -> None:
        self._t2s: Callable[[str], str] = to_simplified()
        self.topics = tuple(topics)
        self._human = compile_rules("human_requested", lexicon.HUMAN)
        self._angry = compile_rules("angry", lexicon.ANGRY)
        self._urgent = compile_rules("urgent", lexicon.URGENT)
        self._keywords = tuple(
            _Keyword(t, kw, self._compact(kw) if _NOSPACE.search(kw) else "", _fold_latin(kw.casefold()))
            for t in self.topics for kw in t.keywords if kw.strip())
        # Memos that never keep a customer's words (bot.answer_cache's rule): the keywords'
        # analyses by text, and respellings by a digest of the word, holding only a lexicon word
        # ("" for a word left as it is). A message's own terms are analysed afresh (~0.05 ms).
        self._terms = functools.lru_cache(maxsize=4096)(self._analyze)
        self._respellings: AnswerCache[str] = AnswerCache(16384, "respell")

    def _compact(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).casefold()
        return "".join(self._t2s(text).split())

    @staticmethod
    def _analyze(text: str, lang: str) -> tuple[str, ...]:
        return tuple(analyze(text, lang))

    def _respell(self, word: str) -> str:
        key = self._respellings.key(word)
        known = self._respellings.get(key)
        if known is None:
            fixed = _respell(word)
            known = fixed if fixed != word else ""
            self._respellings.put(key, known)
        return known or word

    def normalize(self, text: str) -> _Text:
        folded = _fold_latin(unicodedata.normalize("NFKC", text).casefold().replace("’", "'"))
        plain = " ".join(_WORD.sub(lambda m: self._respell(m.group(0)), folded).split())
        return _Text(plain, self._t2s(plain) if _HAN.search(plain) else plain, text)

    def detect(self, text: str, lang: str, top_tags: Sequence[str] = ()) -> Trigger | None:
        """The most important trigger in `text` (a person asked for, then a sensitive topic, then
        urgency, then anger), with the highest priority any of them carries; None if none fires."""
        norm = self.normalize(text)
        found = [t for t in (self._human_request(norm), self._sensitive(norm, lang, top_tags),
                             self._first(self._urgent, norm, "urgent"), self._anger(norm)) if t]
        if not found:
            return None
        priority = max((t.priority for t in found), key=PRIORITIES.index)
        return Trigger(found[0].reason, priority, found[0].detail)

    def _first(self, rules: Sequence[Rule], norm: _Text, priority: str) -> Trigger | None:
        for rule in rules:
            if rule.pattern.search(norm.han if rule.lang == "zh" else norm.plain):
                return Trigger(rule.kind, priority, rule.label)
        return None

    def _human_request(self, norm: _Text) -> Trigger | None:
        for clause in re.split(r"[.!?,;:\n]+", norm.plain):
            tokens = _WORD.findall(clause)
            words = set(tokens)
            if (0 < len(tokens) <= 5 and words <= lexicon.SHORT_NOUNS | lexicon.FILLER
                    and words & lexicon.SHORT_NOUNS):
                return Trigger("human_requested", "normal", "short-request")
        if lexicon.TH_SHORT.match(norm.plain) or lexicon.ZH_SHORT.match(norm.han):
            return Trigger("human_requested", "normal", "short-request")
        return self._first(self._human, norm, "normal")

    def _anger(self, norm: _Text) -> Trigger | None:
        if _is_shouting(norm.original) or _SHOUT_PUNCT.search(norm.original):
            return Trigger("angry", "high", "shouting")
        return self._first(self._angry, norm, "high")

    def _sensitive(self, norm: _Text, lang: str, top_tags: Sequence[str]) -> Trigger | None:
        tags = set(top_tags)
        amounts: list[float] | None = None
        compact = "".join(norm.han.split())
        views = dict.fromkeys((lang, "en", _UNSTEMMED))
        text_terms = {v: _Terms.of(self._analyze(norm.plain, v), base_lang(v) in _PREFIX_LANGS)
                      for v in views}
        for topic in self.topics:
            detail = next((f"tag:{t}" for t in topic.tags if t in tags), "")
            if not detail:
                detail = next((f"keyword:{k.text}" for k in self._keywords if k.topic is topic
                               and self._keyword_in(k, compact, text_terms)), "")
            if not detail:
                continue
            if topic.amount_over > 0:
                amounts = money_amounts(norm.original) if amounts is None else amounts
                if not any(a > topic.amount_over for a in amounts):
                    continue
                detail += f",amount>{topic.amount_over:g}"
            return Trigger(f"sensitive:{topic.name}", topic.priority, detail)
        return None

    def _keyword_in(self, kw: _Keyword, compact: str, text_terms: dict[str, _Terms]) -> bool:
        if kw.compact:
            return kw.compact in compact
        plain = self._terms(kw.folded, _UNSTEMMED)
        for view, terms in text_terms.items():
            kw_terms = self._terms(kw.folded, view)
            # A stem of under four letters ("pettus" → "pet") is too vague to match on.
            if kw_terms != plain and any(len(t) < 4 for t in kw_terms):
                continue
            if terms.contains(kw_terms):
                return True
        return False


def default_sensitive_topics() -> tuple[SensitiveTopic, ...]:
    """Legal threats, account takeover and refunds over 200 (any currency), in the demo KB's
    languages: a starting point for `sensitive_topics` in the settings file."""
    return (
        SensitiveTopic("legal", keywords=(
            "lawyer", "lawyers", "attorney", "solicitor", "lawsuit", "sue", "suing you", "legal action",
            "legal proceedings", "take you to court", "court", "small claims", "consumer protection",
            "ombudsman", "class action",
            "ทนาย", "ฟ้อง", "ดำเนินคดี", "ขึ้นศาล", "สคบ", "คุ้มครองผู้บริโภค", "แจ้งความ", "ทางกฎหมาย",
            "advokaat", "advokaadiga", "jurist", "juristiga", "kohtusse", "kohtu kaudu", "hagi",
            "tarbijakaitse", "tarbijakaitsesse", "tarbijavaidluste komisjon", "õigusabi",
            "律師", "律师", "起訴", "起诉", "告你", "法院", "訴訟", "诉讼", "消保官", "消基會", "消协",
            "消費者協會", "报警", "報警", "法律途徑", "法律途径"), priority="high"),
        SensitiveTopic("account_security", keywords=(
            "hacked", "hacker", "account takeover", "compromised", "unauthorized", "unauthorised",
            "fraudulent", "identity theft", "stolen card", "someone logged into my account",
            "แฮก", "แฮ็ก", "แฮค", "บัญชีถูกขโมย", "ถูกขโมยบัญชี", "มีคนเข้าบัญชี", "แอบเข้าบัญชี",
            "ถูกสวมรอย", "บัตรถูกขโมย", "ดูดเงิน",
            "häkitud", "häkiti", "häkker", "häkkis", "volitamata",
            "identiteedivargus", "varastatud kaart",
            "被盜", "被盗", "盜號", "盗号", "被黑", "黑客", "駭客", "盜刷", "盗刷", "盜用", "盗用",
            "異地登入", "异地登录"), priority="urgent"),
        SensitiveTopic("large_refund", keywords=(
            "refund", "money back", "reimbursement", "reimburse", "chargeback", "compensation",
            "คืนเงิน", "เงินคืน", "รีฟันด์",
            "raha tagasi", "tagasimakse", "tagasimakset", "raha tagastamine", "hüvitis",
            "kompensatsioon",
            "退款", "退錢", "退钱", "退費", "退费", "賠償", "赔偿", "返還", "返还"),
            amount_over=200.0, priority="high"),
    )
