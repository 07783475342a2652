"""Language benchmarks: detection on short questions, foreign-language recognition, and questions
in languages the KB lacks through the bot (BM25 per analyzer and language: eval/bm25_languages.py).

`language_benchmark` compares our LanguageDetector with langdetect (the design card's choice) and
raw lingua over all its languages on eval/language_queries.jsonl. The set is split by a seeded
shuffle into a half the detector was tuned on and a half it never was; both are reported.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bot import Bot
from bot.language import LanguageDetector, chinese_variant
from bot.messages import language_name, message
from eval.bm25_languages import bm25_benchmark, bm25_report_lines
from eval.harness import open_bot, run_queries
from eval.metrics import compute_metrics
from eval.queries import load_queries, resolve_expected
from kb.errors import FaqbotError, KBError
from kb.languages import base_lang, normalize_lang
from kb.loader import load_kb
from kb.records import jsonl_records, raise_if, read_text
from kb.settings import Settings

SPLIT_SEED = 6
MAX_WORDS = 6  # the set is of short questions: what customers type into a chat box


@dataclass(frozen=True)
class LanguageSample:
    text: str
    lang: str
    hint: str | None = None  # the browser or widget language sent with the question
    line: int = 0


def load_language_set(path: str | Path) -> list[LanguageSample]:
    """`{"text", "lang", "hint"?}` lines, or KBError listing every bad line."""
    file = Path(path)
    errors: list[str] = []
    out = []
    for line, rec in jsonl_records(file, read_text(file), errors):
        try:
            out.append(_sample(rec, line))
        except FaqbotError as e:
            errors.append(f"{file}:{line}: {e}")
    raise_if(errors)
    if not out:
        raise KBError(f"{file}: no samples")
    return out


def _sample(rec: object, line: int) -> LanguageSample:
    if not isinstance(rec, dict):
        raise KBError("each line must be a JSON object")
    text, lang, hint = rec.get("text"), rec.get("lang"), rec.get("hint")
    if not isinstance(text, str) or not text.strip():
        raise KBError(f"text must be a non-empty string, got {text!r}")
    if not isinstance(lang, str):
        raise KBError(f"lang must be a language code, got {lang!r}")
    if hint is not None and not isinstance(hint, str):
        raise KBError(f"hint must be a language code, got {hint!r}")
    return LanguageSample(text.strip(), normalize_lang(lang),
                          normalize_lang(hint) if hint else None, line)


def split_halves(samples: Sequence[LanguageSample],
                 seed: int = SPLIT_SEED) -> tuple[list[LanguageSample], list[LanguageSample]]:
    """(tuning half, held-out half), by a seeded shuffle of the whole set."""
    order = list(samples)
    random.Random(seed).shuffle(order)
    half = len(order) // 2
    return sorted(order[:half], key=lambda s: s.line), sorted(order[half:], key=lambda s: s.line)


Predict = Callable[[LanguageSample], str | None]


def _ours(served: Sequence[str], default: str, hints: bool) -> Predict:
    detector = LanguageDetector(served, default)
    return lambda s: detector.detect(s.text, s.hint if hints else None).lang


def _langdetect() -> Predict:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0  # langdetect samples n-grams at random; fixed for repeatable numbers
    codes = {"zh-cn": "zh-CN", "zh-tw": "zh-TW"}

    def predict(s: LanguageSample) -> str | None:
        try:
            code = detect(s.text)
        except LangDetectException:
            return None
        return codes.get(code, code)
    return predict


def _lingua() -> Predict:
    from lingua import LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def predict(s: LanguageSample) -> str | None:
        found = detector.detect_language_of(s.text)
        if found is None or found.iso_code_639_1 is None:
            return None
        code = found.iso_code_639_1.name.lower()
        # lingua knows only "Chinese"; the script rule settles the variant so that the comparison
        # is about identifying the language, not about Traditional vs Simplified.
        return (chinese_variant(s.text) or "zh-CN") if code == "zh" else code
    return predict


def _summary(samples: Sequence[LanguageSample], predicted: Sequence[str | None],
             ms: Sequence[float]) -> dict[str, Any]:
    by_lang: dict[str, list[bool]] = defaultdict(list)
    confusions: Counter[tuple[str, str]] = Counter()
    for s, p in zip(samples, predicted, strict=True):
        by_lang[s.lang].append(p == s.lang)
        if p != s.lang:
            confusions[(s.lang, p or "none")] += 1
    right = sum(p == s.lang for s, p in zip(samples, predicted, strict=True))
    base = sum(p is not None and base_lang(p) == base_lang(s.lang)
               for s, p in zip(samples, predicted, strict=True))
    times = np.asarray(ms) if len(ms) else np.zeros(1)
    return {
        "n": len(samples),
        "accuracy": round(right / len(samples), 4),
        "accuracy_base_language": round(base / len(samples), 4),
        "per_language": {lang: round(sum(v) / len(v), 4) for lang, v in sorted(by_lang.items())},
        "ms_p50": round(float(np.percentile(times, 50)), 4),
        "ms_p99": round(float(np.percentile(times, 99)), 4),
        "confusions": [{"lang": a, "predicted": b, "n": n} for (a, b), n in confusions.most_common()],
    }


def run_detector(predict: Predict, samples: Sequence[LanguageSample],
                 repeats: int = 3) -> tuple[list[str | None], list[float]]:
    """Predictions and milliseconds per sample: an untimed warm-up pass (lazy model loads), then
    the median of `repeats` timed passes, so another process's burst does not count as ours."""
    out = [predict(s) for s in samples]
    runs = np.zeros((repeats, len(samples)))
    for r in range(repeats):
        for i, s in enumerate(samples):
            start = time.perf_counter()
            predict(s)
            runs[r, i] = (time.perf_counter() - start) * 1000
    return out, np.median(runs, axis=0).tolist()


def language_benchmark(path: str | Path, served: Sequence[str] | None = None,
                       detectors: Sequence[str] = ("ours", "ours_no_hint", "langdetect", "lingua"),
                       ) -> dict[str, Any]:
    """Accuracy (overall, per language, per half), ms per question and confusions of each detector,
    all restricted to (ours) or judged on the set's languages (`served` to restrict ours further)."""
    samples = load_language_set(path)
    langs = list(dict.fromkeys(s.lang for s in samples))
    served = list(served) if served is not None else langs
    default = "en" if "en" in served else served[0]
    makers: dict[str, Callable[[], Predict]] = {
        "ours": lambda: _ours(served, default, hints=True),
        "ours_no_hint": lambda: _ours(served, default, hints=False),
        "langdetect": _langdetect,
        "lingua": _lingua,
    }
    unknown = [d for d in detectors if d not in makers]
    if unknown:
        raise ValueError(f"unknown detectors {unknown!r} (choose from {sorted(makers)})")
    tuned = {s.line for s in split_halves(samples)[0]}
    parts = {"all": list(range(len(samples))),
             "tuned_half": [i for i, s in enumerate(samples) if s.line in tuned],
             "held_out_half": [i for i, s in enumerate(samples) if s.line not in tuned]}
    report: dict[str, Any] = {"path": str(path), "n": len(samples), "languages": langs,
                              "served": served, "split_seed": SPLIT_SEED, "detectors": {}}
    for name in detectors:
        started = time.perf_counter()
        predict = makers[name]()
        load_s = time.perf_counter() - started
        predicted, ms = run_detector(predict, samples)
        result: dict[str, Any] = {
            part: _summary([samples[i] for i in idx], [predicted[i] for i in idx], [ms[i] for i in idx])
            for part, idx in parts.items()}
        result["load_seconds"] = round(load_s, 2)
        result["errors"] = [{"text": s.text, "lang": s.lang, "hint": s.hint, "predicted": p,
                             "half": "tuned" if s.line in tuned else "held_out"}
                            for s, p in zip(samples, predicted, strict=True) if p != s.lang]
        report["detectors"][name] = result
    return report


def foreign_benchmark(path: str | Path, served: Sequence[str], default: str = "en") -> dict[str, Any]:
    """How a detector serving only `served` treats every sample: served-language questions must keep
    their language (never called foreign); the others are ideally reported as their own language.
    Works on the language set (`text`, `lang`, `hint`) and on query files (`query`, `lang`)."""
    file = Path(path)
    try:
        samples = load_language_set(file)
    except KBError:  # a query file: its labelled language is the hint, as the eval harness sends it
        samples = [LanguageSample(q.text, q.lang, q.lang, q.line) for q in load_queries(file) if q.lang]
    detector = LanguageDetector(served, default)
    out: dict[str, Any] = {"path": str(path), "served": list(served)}
    for hints in (True, False):
        counts: Counter[str] = Counter()
        misses = []
        for s in samples:
            found = detector.detect(s.text, s.hint if hints else None)
            if s.lang in served:
                outcome = "served_right" if found.lang == s.lang else (
                    "served_called_foreign" if found.method == "foreign" else "served_wrong")
            else:
                outcome = "foreign_recognised" if found.lang == s.lang else (
                    "foreign_other_language" if found.method == "foreign" else "foreign_as_served")
            counts[outcome] += 1
            if outcome not in ("served_right", "foreign_recognised"):
                misses.append({"text": s.text, "lang": s.lang, "detected": found.lang,
                               "method": found.method})
        n_served = sum(s.lang in served for s in samples)
        out["with_hints" if hints else "without_hints"] = {
            **counts, "n_served": n_served, "n_foreign": len(samples) - n_served,
            "served_accuracy": round(counts["served_right"] / n_served, 4) if n_served else None,
            "foreign_recognised": round(counts["foreign_recognised"] / (len(samples) - n_served), 4)
            if len(samples) > n_served else None,
            "misses": misses}
    return out


def crosslingual_benchmark(bot: Bot, queries_path: str | Path) -> dict[str, Any]:
    """Questions in languages the KB lacks, through `Bot.answer`: the eval metrics (with the labelled
    language sent as the widget's hint, and without), which language each was detected as, and
    whether answers came back in the KB's default language with the "only available in" note."""
    queries = resolve_expected(load_queries(queries_path), bot.kb)
    default = bot.kb.default_lang
    out: dict[str, Any] = {"queries": str(queries_path), "n": len(queries), "default_lang": default}
    for hints in (True, False):
        asked = queries if hints else [replace(q, lang=None) for q in queries]
        outcomes = run_queries(bot, asked)
        metrics = compute_metrics(outcomes)
        detected: Counter[str] = Counter()
        notes = {"answered": 0, "in_default_language": 0, "with_only_in_note": 0}
        for q in queries:
            answer = bot.answer(q.text, q.lang if hints else None)
            detected["own language" if answer.language == q.lang else
                     "served language" if answer.language in bot.languages.served else "other"] += 1
            if answer.decision == "answered" and answer.answer is not None:
                notes["answered"] += 1
                notes["in_default_language"] += answer.answer.lang == default
                notes["with_only_in_note"] += answer.notice == message(
                    "only_in", answer.language, language=language_name(default, answer.language))
        out["with_hints" if hints else "without_hints"] = {
            **{k: metrics[k] for k in ("top1_accuracy", "recall_at_3", "mrr", "answer_rate",
                                       "answered_precision", "resolution_rate", "escalation_recall",
                                       "suggest_rate")},
            "decisions": dict(Counter(o.decision for o in outcomes)),
            "detected_as": dict(detected), **notes,
            "per_language": {lang: {k: m[k] for k in ("n_queries", "top1_accuracy", "recall_at_3",
                                                       "resolution_rate")}
                             for lang, m in metrics["per_language"].items()}}
    return out


def run_language_benchmarks(settings: Settings, language_set: str | Path, kb_path: str | Path,
                            queries_path: str | Path,
                            crosslingual_path: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Every language benchmark, as `faqbot languages` runs them: detection on the language
    set, foreign-language recognition with the KB's languages served, BM25 per analyzer, and (when
    given, building an index) the cross-lingual questions through the bot."""
    served = settings.languages or tuple(load_kb(kb_path, settings.default_lang).languages)
    report = {"detection": language_benchmark(language_set),
              "foreign": foreign_benchmark(language_set, served, settings.default_lang),
              "bm25": bm25_benchmark(kb_path, queries_path, passage_budget=settings.passage_budget,
                                     default_lang=settings.default_lang)}
    if crosslingual_path is not None:
        report["foreign_crosslingual"] = foreign_benchmark(crosslingual_path, served, settings.default_lang)
        with open_bot(settings, kb_path, None) as bot:
            report["crosslingual"] = crosslingual_benchmark(bot, crosslingual_path)
    return report


def format_report(report: dict[str, Any]) -> str:
    """Plain-text tables of a `language_benchmark`, `foreign_benchmark` or `bm25_benchmark` result."""
    lines = []
    if "detectors" in report:
        lines.append(f"language detection, {report['n']} questions, {len(report['languages'])} languages")
        lines.append(f"{'detector':14s}{'all':>8s}{'tuned':>8s}{'held-out':>10s}{'ms p50':>9s}{'ms p99':>9s}")
        for name, d in report["detectors"].items():
            lines.append(f"{name:14s}{d['all']['accuracy']:8.3f}{d['tuned_half']['accuracy']:8.3f}"
                         f"{d['held_out_half']['accuracy']:10.3f}{d['all']['ms_p50']:9.3f}{d['all']['ms_p99']:9.3f}")
    if "analyzers" in report:
        lines.extend(bm25_report_lines(report))
    for part in ("with_hints", "without_hints"):
        d = report.get(part)
        if d and "served_accuracy" in d:
            lines.append(f"{part}: served kept {d['served_accuracy']}, foreign recognised "
                         f"{d['foreign_recognised']}, served called foreign "
                         f"{d.get('served_called_foreign', 0)}")
        elif d:
            lines.append(f"{part}: top-1 {d['top1_accuracy']}, R@3 {d['recall_at_3']}, decisions "
                         f"{d['decisions']}, answers in {report['default_lang']} with note "
                         f"{d['with_only_in_note']}/{d['answered']}")
    return "\n".join(lines)
