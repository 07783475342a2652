"""The bot: question → language → hybrid retrieval → confidence → answered / suggest / escalated."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from bot.language import LanguageDetector
from bot.messages import language_name, message
from bot.types import Answer, ArticleRef, Hit, SearchResult, Suggestion, Threshold
from indexer.calibration import ASSUMED_OOS_SHARE
from indexer.confidence import DEFAULT, ConfidenceModel
from indexer.encoders import Encoder
from indexer.retrieval import HybridRetriever, Query
from indexer.store import HybridIndex
from indexer.thresholds import FALLBACK, choose, load_samples
from kb.errors import RequestError
from kb.languages import normalize_lang
from kb.models import Article
from kb.passages import plain_text
from kb.settings import Settings

log = logging.getLogger(__name__)
_CANDIDATES = 10
# Calibrated confidences of rival articles share one probability mass, so a runner-up rarely
# reaches the suggest threshold itself: once the top one does, alternatives this likely join it.
_ALTERNATIVE_FLOOR = 0.1


def clean_question(text: object, limit: int, field: str = "question") -> str:
    """The question as the bot reads it, or RequestError saying what is wrong with it."""
    if not isinstance(text, str):
        raise RequestError(f"{field} must be a string, got {type(text).__name__}")
    if len(text) > limit:
        raise RequestError(f"{field} is too long ({len(text)} characters, limit {limit})")
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c != "\u200d"
                   else c for c in text)
    text = " ".join(text.split())
    if not text:
        raise RequestError(f"{field} is empty")
    return text


@dataclass(frozen=True)
class Decision:
    """What the thresholds made of the scored candidates (kept apart for the eval harness)."""

    decision: str
    reason: str
    top: Hit | None


class Bot:
    def __init__(self, index: HybridIndex, encoder: Encoder, settings: Settings,
                 confidence: ConfidenceModel | None = None) -> None:
        if encoder.name != index.encoder_name:
            raise ValueError(f"encoder {encoder.name!r} does not match the index's "
                             f"{index.encoder_name!r}")
        self.index, self.encoder, self.settings = index, encoder, settings
        self.kb = index.kb
        served = settings.languages or tuple(self.kb.languages)
        self.languages = LanguageDetector(served, settings.default_lang)
        self.retriever = HybridRetriever(index)
        self.confidence = confidence or index.confidence or DEFAULT
        # An index built for another target precision re-chooses from its saved calibration.
        saved = index.thresholds
        if saved is not None and saved.target_precision != settings.target_precision:
            samples = load_samples(index.path)
            saved = choose(samples, settings.target_precision, ASSUMED_OOS_SHARE) if samples else None
        self.index_thresholds = saved

    def threshold(self, lang: str | None) -> Threshold:
        """The answer threshold for questions in `lang` (None: the global one): labelled
        calibration, else a settings override, else the index's own choice."""
        override = self.settings.threshold_override(lang)
        if override is not None:
            value, source, scope = override
            return Threshold(value, "calibrated" if source == "calibrated" else "settings",
                             "language" if scope == "language" else "global")
        if self.index_thresholds is None or self.index_thresholds.source == "fallback":
            return Threshold(FALLBACK if self.index_thresholds is None else self.index_thresholds.answer,
                             "fallback")
        value, scope = self.index_thresholds.for_lang(lang)
        return Threshold(value, "index", "language" if scope == "language" else "global")

    def thresholds(self) -> dict[str, Any]:
        """Every threshold in force: the global one, and one per served language (for /healthz)."""
        langs = sorted(set(self.languages.served))
        return {"target_precision": self.settings.target_precision,
                "global": asdict(self.threshold(None)),
                "per_language": {lang: asdict(self.threshold(lang)) for lang in langs}}

    def lang_hint(self, lang: object) -> str | None:
        """A caller's language hint, normalised (RequestError if it is not a language code)."""
        if lang is None:
            return None
        if not isinstance(lang, str):
            raise RequestError(f"lang must be a string, got {type(lang).__name__}")
        try:
            return normalize_lang(lang)
        except ValueError as e:
            raise RequestError(str(e)) from None

    def rank(self, question: str, lang: str, k: int = _CANDIDATES) -> list[Hit]:
        """Candidate articles with confidences, best first."""
        return self.confidence.score(self._retrieve(question, lang, k))

    def _retrieve(self, text: str, lang: str, k: int) -> list[Hit]:
        vector = self.encoder.encode_queries([text], [lang])[0]
        return self.retriever.retrieve(Query(text, lang, vector), k)

    def decide(self, hits: list[Hit], lang: str) -> Decision:
        if not hits:
            return Decision("escalated", "no_match", None)
        top = hits[0]
        threshold = self.threshold(lang).value
        if top.confidence >= threshold:
            return Decision("answered", "confident", top)
        if top.out_of_scope >= self.settings.out_of_scope_threshold:
            return Decision("escalated", "out_of_scope", top)
        if any(h.confidence >= self.settings.suggest_threshold for h in hits):
            return Decision("suggest", "ambiguous", top)
        return Decision("escalated", "low_confidence", top)

    def answer(self, question: object, lang: object = None, previous_lang: str | None = None) -> Answer:
        text = clean_question(question, self.settings.max_question_chars)
        detected = self.languages.detect(text, self.lang_hint(lang), previous_lang).lang
        hits = self.rank(text, detected)
        decision = self.decide(hits, detected)
        suggestions: tuple[Suggestion, ...] = ()
        if decision.decision == "suggest":
            likely = [h for h in hits[: self.settings.max_suggestions]
                      if h.confidence >= min(_ALTERNATIVE_FLOOR, self.settings.suggest_threshold)]
            versions = [self.version(h.article_id, detected) for h in likely]
            suggestions = tuple(Suggestion(h.article_id, v.lang, v.title, h.confidence)
                                for h, v in zip(likely, versions, strict=True))
        ref, notice = None, ""
        if decision.decision == "answered" and decision.top is not None:
            article = self.version(decision.top.article_id, detected)
            ref = ArticleRef(article.id, article.lang, article.title, article.body, article.url)
            if article.lang != detected:
                notice = message("only_in", detected,
                                 language=language_name(article.lang, detected))
        elif decision.decision == "suggest":
            notice = message("did_you_mean", detected)
        else:
            notice = message("handoff", detected)
        confidence = hits[0].confidence if hits else 0.0
        log.info("decision=%s reason=%s lang=%s confidence=%.3f article=%s", decision.decision,
                 decision.reason, detected, confidence,
                 decision.top.article_id if decision.top else None)
        return Answer(decision.decision, confidence, detected, ref,
                      suggestions, decision.reason, notice, tuple(hits), self.threshold(detected))

    def version(self, article_id: str, lang: str) -> Article:
        """The article in `lang`, else in the KB's default language, else any translation."""
        versions = self.kb.translations(article_id)
        return (versions.get(lang) or versions.get(self.kb.default_lang)
                or versions[min(versions)])

    def search(self, query: object, lang: object = None, k: object = 5) -> list[SearchResult]:
        text = clean_question(query, self.settings.max_question_chars, "query")
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= self.settings.max_k:
            raise RequestError(f"k must be an integer from 1 to {self.settings.max_k}, got {k!r}")
        detected = self.languages.detect(text, self.lang_hint(lang)).lang
        out = []
        for h in self._retrieve(text, detected, k):
            article = self.version(h.article_id, detected)
            unit = self.index.units[h.unit]
            source = unit.text if unit.lang == article.lang and unit.kind == "section" else article.body
            out.append(SearchResult(article.id, article.lang, article.title,
                                    _snippet(plain_text(source)), article.url, round(h.score, 6)))
        return out


def _snippet(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
