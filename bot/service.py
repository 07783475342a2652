"""The bot: question → language → hybrid retrieval → confidence → answered / suggest / escalated."""

from __future__ import annotations

import functools
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from bot.answer_cache import AnswerCache
from bot.language import LanguageDetector
from bot.messages import language_name, message
from bot.pii import redact
from bot.shaping import Shaper
from bot.types import Answer, ArticleRef, Decision, Hit, Reason, SearchResult, Suggestion, Threshold
from indexer import load_index, make_encoder
from indexer.calibration import ASSUMED_OOS_SHARE
from indexer.confidence import DEFAULT, ConfidenceModel
from indexer.encoders import Encoder
from indexer.retrieval import HybridRetriever, Query
from indexer.store import HybridIndex
from indexer.thresholds import FALLBACK, choose, load_samples
from kb.errors import RequestError
from kb.languages import normalize_lang
from kb.links import published, safe_markdown
from kb.models import Article
from kb.passages import plain_text
from kb.settings import Settings

log = logging.getLogger(__name__)
V = TypeVar("V")
_CANDIDATES = 10
# Calibrated confidences of rival articles share one probability mass, so a runner-up rarely
# reaches the suggest threshold itself: once the top one does, alternatives this likely join it.
_ALTERNATIVE_FLOOR = 0.1


def clean_question(text: str, limit: int, field: str = "question") -> str:
    """The question as the bot reads it, or RequestError saying what is wrong with it."""
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
class Verdict:
    """What the thresholds made of the scored candidates (kept apart for the eval harness)."""

    decision: Decision
    reason: Reason
    top: Hit | None


def ready_bot(settings: Settings, *, encoder: Encoder | None = None,
              index_dir: str | Path | None = None) -> Bot:
    """The bot over the index `settings` point at (or `index_dir`): the one way the API, the WSGI
    entry, the CLI and the eval harness build it. Pass `encoder` to share a loaded model."""
    encoder = encoder or make_encoder(settings.encoder, settings.encoder_threads)
    index = load_index(index_dir or settings.index_dir, encoder.name, mmap=settings.index_mmap)
    return Bot(index, encoder, settings)


class Bot:
    def __init__(self, index: HybridIndex, encoder: Encoder, settings: Settings,
                 confidence: ConfidenceModel | None = None) -> None:
        if encoder.name != index.encoder_name:
            raise ValueError(f"encoder {encoder.name!r} does not match the index's "
                             f"{index.encoder_name!r}")
        self.index, self.encoder, self.settings = index, encoder, settings
        self.kb = index.kb
        self._published: dict[str, Article] = {}  # by Article.key: what version() hands out
        served = settings.languages or tuple(self.kb.languages)
        self.languages = LanguageDetector(served, settings.default_lang)
        self.retriever = HybridRetriever(index)
        self.shaper = Shaper(index)
        # A repeated question skips the encoder (bot.answer_cache); so does its passage.
        self._passage = functools.lru_cache(maxsize=max(1, settings.answer_cache_size))(self._shape)
        self.confidence = confidence or index.confidence or DEFAULT
        # An index built for another target precision re-chooses from its saved calibration.
        saved = index.thresholds
        if saved is not None and saved.target_precision != settings.target_precision:
            samples = load_samples(index.path)
            saved = choose(samples, settings.target_precision, ASSUMED_OOS_SHARE) if samples else None
        self.index_thresholds = saved
        # Repeated questions skip detection, encoder, retrieval and confidence (bot.answer_cache);
        # a reload builds a new Bot, so they start empty.
        size = settings.answer_cache_size
        self.cache: AnswerCache[tuple[Hit, ...]] = AnswerCache(size, index.version)
        self.detections: AnswerCache[str] = AnswerCache(size, index.version)
        # The question's vector from retrieval, for choosing its passage without embedding it
        # again (that doubled an answer's time); kept even when the answer cache is off.
        self.query_vectors: AnswerCache[np.ndarray] = AnswerCache(max(size, 64), index.version)

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
        # The index may lower the release default when its own held-out questions reach the
        # target below it; it never raises it. Those questions are asked of an index without
        # their own example, harder than live traffic (demo KB: fold top-1 0.88, its real
        # questions 0.95), so a higher value says more about the method than about the KB.
        # Measured at the default: demo resolution 0.662 -> 0.858, articles-only demo 0.002 ->
        # 0.118 (precision 0.974), CLINC150 0.926 either way (its own threshold is 0.42).
        return Threshold(min(value, FALLBACK), "index", "language" if scope == "language" else "global")

    def thresholds(self) -> dict[str, Any]:
        """Every threshold in force: the global one, and one per served language (for /healthz)."""
        langs = sorted(set(self.languages.served))
        return {"target_precision": self.settings.target_precision,
                "global": asdict(self.threshold(None)),
                "per_language": {lang: asdict(self.threshold(lang)) for lang in langs}}

    def resolve_language(self, text: str, hint: str | None = None, previous: str | None = None) -> str:
        """The language to answer `text` in: detection, with the caller's hint (a language code,
        LanguageCodeError if it is not one) and the conversation's previous language as priors."""
        return self.languages.detect(text, normalize_lang(hint) if hint is not None else None,
                                     previous).lang

    def rank(self, question: str, lang: str, k: int = _CANDIDATES) -> list[Hit]:
        """Candidate articles with confidences, best first."""
        return self.confidence.score(self._retrieve(question, lang, k))

    def _retrieve(self, text: str, lang: str, k: int) -> list[Hit]:
        vector = self.encoder.encode_queries([text], [lang])[0]
        self.query_vectors.put(self.query_vectors.key(redact(text, lang), lang), vector)
        return self.retriever.retrieve(Query(text, lang, vector), k)

    def _shape(self, key: str, question: str, unit: int) -> str:
        article = self._published[key]

        def vector() -> Any:
            known = self.query_vectors.get(self.query_vectors.key(question, article.lang))
            return known if known is not None else self.encoder.encode_queries([question], [article.lang])[0]

        return self.shaper.passage(article, question, article.lang, vector if question else None, unit)

    def ref(self, article: Article, question: str = "", unit: int = -1) -> ArticleRef:
        """What the API sends of an answered article: all of it, and the passage that answers
        (the question is embedded again only when its best unit was not one of the sections)."""
        if article.key not in self._published:
            self._published[article.key] = published(article)
        # The passage cache keeps its arguments: the redacted question, never the raw one (PII).
        passage = self._passage(article.key, redact(question, article.lang) if question else "", unit)
        return ArticleRef(article.id, article.lang, article.title, article.body, article.url, passage)

    def decide(self, hits: list[Hit], lang: str) -> Verdict:
        if not hits:
            return Verdict(Decision.ESCALATED, Reason.NO_MATCH, None)
        top = hits[0]
        if top.confidence >= self.threshold(lang).value:
            return Verdict(Decision.ANSWERED, Reason.CONFIDENT, top)
        if top.out_of_scope >= self.settings.out_of_scope_threshold:
            return Verdict(Decision.ESCALATED, Reason.OUT_OF_SCOPE, top)
        if any(h.confidence >= self.settings.suggest_threshold for h in hits):
            return Verdict(Decision.SUGGEST, Reason.AMBIGUOUS, top)
        return Verdict(Decision.ESCALATED, Reason.LOW_CONFIDENCE, top)

    def ranked(self, text: str, lang: str | None = None,
               previous_lang: str | None = None) -> tuple[str, list[Hit]]:
        """The language and scored candidates for a cleaned question, from the caches when the
        same (redacted) text was asked before."""
        if not self.cache.capacity:
            detected = self.resolve_language(text, lang, previous_lang)
            return detected, self.rank(text, detected)
        hint = normalize_lang(lang) if lang is not None else None
        redacted = redact(text, hint)
        detected = self._cached(self.detections, self.detections.key(redacted, hint, previous_lang),
                                lambda: self.resolve_language(text, hint, previous_lang))
        hits = self._cached(self.cache, self.cache.key(redacted, detected, "answer"),
                            lambda: tuple(self.rank(text, detected)))
        return detected, list(hits)

    @staticmethod
    def _cached(cache: AnswerCache[V], key: bytes, work: Callable[[], V]) -> V:
        found = cache.get(key)
        if found is None:
            found = work()
            cache.put(key, found)
        return found

    def answer(self, question: str, lang: str | None = None, previous_lang: str | None = None) -> Answer:
        text = clean_question(question, self.settings.max_question_chars)
        detected, hits = self.ranked(text, lang, previous_lang)
        decision = self.decide(hits, detected)
        suggestions: tuple[Suggestion, ...] = ()
        if decision.decision == Decision.SUGGEST:
            likely = sorted((h for h in hits[: self.settings.max_suggestions]
                             if h.confidence >= min(_ALTERNATIVE_FLOOR, self.settings.suggest_threshold)),
                            key=lambda h: -h.confidence)  # the ranking's order is by fused score
            versions = [self.version(h.article_id, detected) for h in likely]
            suggestions = tuple(Suggestion(h.article_id, v.lang, v.title, h.confidence)
                                for h, v in zip(likely, versions, strict=True))
        ref, notice = None, ""
        if decision.decision == Decision.ANSWERED and decision.top is not None:
            article = self.version(decision.top.article_id, detected)
            ref = self.ref(article, text, decision.top.unit)
            if article.lang != detected:
                notice = message("only_in", detected,
                                 language=language_name(article.lang, detected))
        elif decision.decision == Decision.SUGGEST:
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
        """The article in `lang`, else in the KB's default language, else any translation, as it
        may be published: every answer, suggestion, search result and article the API sends comes
        from here, so none links to a scheme the loader refuses, whatever index it came from."""
        versions = self.kb.translations(article_id)
        article = (versions.get(lang) or versions.get(self.kb.default_lang)
                   or versions[min(versions)])
        safe = self._published.get(article.key)
        if safe is None:
            safe = self._published[article.key] = published(article)
        return safe

    def search(self, query: str, lang: str | None = None, k: int = 5) -> list[SearchResult]:
        text = clean_question(query, self.settings.max_question_chars, "query")
        if not 1 <= k <= self.settings.max_k:
            raise RequestError(f"k must be an integer from 1 to {self.settings.max_k}, got {k}")
        detected, found = self._searched(text, lang, k)
        out = []
        for h in found:
            article = self.version(h.article_id, detected)
            unit = self.index.units[h.unit]
            source = unit.text if unit.lang == article.lang and unit.kind == "section" else article.body
            out.append(SearchResult(article.id, article.lang, article.title,
                                    _snippet(plain_text(safe_markdown(source))), article.url,
                                    round(h.score, 6)))
        return out


    def _searched(self, text: str, lang: str | None, k: int) -> tuple[str, tuple[Hit, ...]]:
        """The language and the k best articles for a search, from the caches when the same
        (redacted) query was searched before."""
        if not self.cache.capacity:
            detected = self.resolve_language(text, lang)
            return detected, tuple(self._retrieve(text, detected, k))
        hint = normalize_lang(lang) if lang is not None else None
        redacted = redact(text, hint)
        detected = self._cached(self.detections, self.detections.key(redacted, hint, None),
                                lambda: self.resolve_language(text, hint))
        return detected, self._cached(self.cache, self.cache.key(redacted, detected, f"search:{k}"),
                                      lambda: tuple(self._retrieve(text, detected, k)))


def _snippet(text: str, limit: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
