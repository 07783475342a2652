"""Build a hybrid index into a fresh versioned folder and swap it in atomically.

`out` is a symlink to `.<name>.versions/<version>/`; replacing a symlink with `os.replace` is
atomic, so a reader sees either the old index or the new one, never a mix. Vectors of texts that
did not change are copied from the previous index instead of being embedded again, and a build
that crashed resumes from its embedding checkpoint (indexer/embedding.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from indexer import calibration
from indexer.analyzers import ANALYZER_VERSION, analyze
from indexer.bm25 import BM25
from indexer.classifier import ArticleClassifier
from indexer.confidence import ConfidenceModel
from indexer.embedding import AS_QUERY, Checkpoint, embed_units, unit_key
from indexer.encoders import CompositeEncoder, Encoder
from indexer.folds import Pseudo
from indexer.phases import Phases
from indexer.shortlist import Classifier, ShortlistClassifier, train_classifier
from indexer.store import (
    FORMAT_VERSION,
    HybridIndex,
    Unit,
    article_record,
    assemble,
    load_index,
    out_of_scope_vectors,
    read_manifest,
    save_out_of_scope,
)
from indexer.thresholds import Samples, Thresholds, choose, load_samples, save_samples
from indexer.vectors import EXACT_LIMIT, VectorIndex
from kb.errors import FaqbotError, IndexUnavailableError
from kb.models import KnowledgeBase
from kb.passages import pseudo_questions, split_article

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
_KEEP_OLD_VERSIONS = 2
DEFAULT_TARGET_PRECISION = 0.97  # kb.settings.Settings.target_precision's default


@dataclass(frozen=True)
class BuildStats:
    n_articles: int
    n_units: int
    n_sections: int
    n_embedded: int
    n_reused: int
    n_changed_articles: int
    seconds: float
    embed_seconds: float

    @property
    def units_per_second(self) -> float:
        return self.n_embedded / self.embed_seconds if self.embed_seconds > 0 else float("inf")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _previous(out: Path, encoder: Encoder) -> HybridIndex | None:
    """The index now at `out`, if it can lend vectors and a classifier to the new one."""
    if not (out / "manifest.json").exists():
        return None
    try:
        return load_index(out, encoder.name)
    except FaqbotError as e:
        log.warning("not reusing vectors from %s: %s", out, e)
        return None


def _classifier(units: list[Unit], docs: list[list[str]], vectors: np.ndarray,
                outside: calibration.Outside, key: str,
                old: HybridIndex | None, first_view: int) -> Classifier | None:
    # Labels are positions in the sorted article ids, the order HybridIndex.article_ids has.
    ids, labels = np.unique([u.article_id for u in units], return_inverse=True)
    if len(ids) < 2:
        return None
    if old is not None and old.classifier is not None and old.manifest.get("classifier") == key:
        return old.classifier
    return train_classifier(vectors, docs, labels, len(ids), outside, first_view)


def _first_view(encoder: Encoder) -> int:
    """The first view's width for a composite encoder (see ArticleClassifier.train), else 0."""
    return encoder.first.dim if isinstance(encoder, CompositeEncoder) else 0


def _pseudo_questions(kb: KnowledgeBase, units: list[Unit], encoder: Encoder) -> Pseudo:
    """First sentences of the sections of articles without example questions, and the passages
    they open with them cut out (embedded later, only those the calibration folds ask)."""
    first_chunk: dict[tuple[str, str, str], int] = {}
    for i, u in enumerate(units):
        if u.kind == "section":
            first_chunk.setdefault((u.article_id, u.lang, u.heading), i)
    questions, source, rest = [], [], []
    for a in kb:
        for p in pseudo_questions(a):
            row = first_chunk.get((p.article_id, p.lang, p.heading))
            if row is None or p.text not in units[row].text:
                continue
            u = units[row]
            questions.append(Unit(p.article_id, p.lang, p.kind, p.text, p.heading))
            source.append(row)
            rest.append(replace(u, text=u.text.replace(p.text, "", 1).strip()))
    return Pseudo(questions, source, rest, encoder)


def _confidence(kb: KnowledgeBase, units: list[Unit], docs: list[list[str]], vectors: np.ndarray,
                outside: calibration.Outside, key: str, old: HybridIndex | None,
                target_precision: float, encoder: Encoder, phases: Phases,
                with_classifier: bool = True) -> tuple[ConfidenceModel, Samples | None, Thresholds]:
    """The confidence model and the thresholds reaching `target_precision`, reusing the previous
    index's calibration when nothing it depends on changed."""
    if old is not None and old.confidence is not None and old.manifest.get("confidence") == key:
        samples = load_samples(old.path)
        if old.thresholds is not None and old.thresholds.target_precision == target_precision:
            return old.confidence, samples, old.thresholds
        if samples is not None or old.confidence.source == "default":
            return old.confidence, samples, choose(samples, target_precision, calibration.ASSUMED_OOS_SHARE)
    with phases.phase("pseudo-questions"):
        extra = _pseudo_questions(kb, units, encoder)
    with phases.phase("calibration folds"):
        result = calibration.calibrate(kb, units, docs, vectors, outside, extra=extra,
                                       first_view=_first_view(encoder),
                                       with_classifier=with_classifier)
    thresholds = choose(result.samples, target_precision, calibration.ASSUMED_OOS_SHARE)
    log.info("answer threshold for precision %.2f: %.2f%s", target_precision, thresholds.answer,
             "".join(f", {k} {v:.2f}" for k, v in sorted(thresholds.per_lang.items())))
    return result.model, result.samples, thresholds


def _out_of_scope_vectors(kb: KnowledgeBase, encoder: Encoder, old: HybridIndex | None) -> np.ndarray:
    """Vectors of the KB's out-of-scope examples, reusing the previous index's where unchanged."""
    cache: dict[tuple[str, str], np.ndarray] = {}
    if old is not None:
        try:
            cache = {(e.lang, e.text): v for e, v in zip(old.kb.out_of_scope, out_of_scope_vectors(old),
                                                         strict=True)}
        except FaqbotError as e:
            log.warning("not reusing out-of-scope vectors: %s", e)
    todo = [e for e in kb.out_of_scope if (e.lang, e.text) not in cache]
    fresh = iter(encoder.encode_queries([e.text for e in todo], [e.lang for e in todo]) if todo else [])
    rows = [cache[(e.lang, e.text)] if (e.lang, e.text) in cache else next(fresh) for e in kb.out_of_scope]
    return np.array(rows, dtype=np.float32).reshape(len(rows), encoder.dim)


def build_index(kb: KnowledgeBase, out: str | Path, encoder: Encoder, *, passage_budget: int = 600,
                target_precision: float = DEFAULT_TARGET_PRECISION,
                progress: Progress | None = None,
                phases: Phases | None = None) -> tuple[HybridIndex, BuildStats]:
    """Index `kb` into `out` (atomically replacing what is there) and return the new index.
    `target_precision`: the precision the index's self-calibrated answer thresholds aim for.
    `phases` records each phase's time and peak memory (and announces it)."""
    started = time.perf_counter()
    phases = phases or Phases()
    out = Path(out).absolute()
    units: list[Unit] = []
    article_hashes: dict[str, str] = {}
    for a in kb:
        article_hashes[a.key] = _digest(json.dumps(article_record(a), sort_keys=True,
                                                   ensure_ascii=False), str(passage_budget))
        units.extend(Unit(p.article_id, p.lang, p.kind, p.text, p.heading)
                     for p in split_article(a, passage_budget))
    if not units:
        raise IndexUnavailableError("nothing to index: the knowledge base is empty")

    with phases.phase("previous index"):
        old = _previous(out, encoder)
    old_hashes = dict(old.manifest.get("articles", {})) if old is not None else {}
    keys = [unit_key(u) for u in units]
    embed_started = time.perf_counter()
    # Beside the versions, not in one: a crashed build's vectors serve the next attempt.
    checkpoint = Checkpoint(out.parent / f".{out.name}.embeddings", encoder)
    with phases.phase("embedding"):
        vectors, n_embedded = embed_units(units, keys, encoder, old, progress, checkpoint)
    embed_seconds = time.perf_counter() - embed_started

    with phases.phase("BM25"):
        docs = [analyze(u.text, u.lang) for u in units]
        bm25 = BM25.build(docs)
    with phases.phase("vectors"):
        # Questions and titles are the closest thing to customers' questions the KB has.
        asked = [i for i, u in enumerate(units) if u.kind in AS_QUERY]
        vindex = VectorIndex.build(vectors, EXACT_LIMIT, vectors[asked] if asked else None)
    with phases.phase("out-of-scope examples"):
        oos_vectors = _out_of_scope_vectors(kb, encoder, old)
        outside = (oos_vectors, [analyze(e.text, e.lang) for e in kb.out_of_scope])
    classifier_key = _digest(ArticleClassifier.VERSION, ShortlistClassifier.VERSION, *keys,
                             *(u.article_id for u in units),
                             *(f"{e.lang}\x1e{e.text}" for e in kb.out_of_scope))
    with phases.phase("classifier"):
        classifier = _classifier(units, docs, vectors, outside, classifier_key, old, _first_view(encoder))
    confidence_key = _digest(calibration.VERSION, classifier_key, str(classifier is not None))
    confidence, samples, thresholds = _confidence(kb, units, docs, vectors, outside, confidence_key, old,
                                                  target_precision, encoder, phases, classifier is not None)
    version = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{os.getpid()}-{time.time_ns() % 10**6}"
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION, "version": version,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "encoder": encoder.name, "dim": encoder.dim, "analyzer": ANALYZER_VERSION,
        "passage_budget": passage_budget, "default_lang": kb.default_lang,
        "languages": kb.languages, "n_articles": len(kb), "n_units": len(units),
        "n_out_of_scope": len(kb.out_of_scope),
        "vectors": vindex.layout.to_dict(),
        "articles": article_hashes,
        "classifier": classifier_key if classifier is not None else None,
        "confidence": confidence_key,
    }
    versions = out.parent / f".{out.name}.versions"
    final = versions / version

    def save_parts(staging: Path) -> None:
        bm25.save(staging)
        vindex.save(staging)
        if classifier is not None:
            classifier.save(staging)
        confidence.save(staging)
        thresholds.save(staging)
        if samples is not None:
            save_samples(staging, samples)
        save_out_of_scope(staging, kb.out_of_scope, oos_vectors)

    with phases.phase("writing"):
        _write_version(versions / f".{version}.partial", final, kb, units, manifest, save_parts)
    _swap(out, final)
    checkpoint.clear()
    _prune(versions, keep={final.name})
    changed = sum(1 for k, h in article_hashes.items() if old_hashes.get(k) != h)
    stats = BuildStats(len(kb), len(units), sum(u.kind == "section" for u in units), n_embedded,
                       len(units) - n_embedded, changed, time.perf_counter() - started,
                       embed_seconds)
    log.info("indexed %d articles, %d units (%d embedded, %d reused) into %s",
             stats.n_articles, stats.n_units, stats.n_embedded, stats.n_reused, final)
    return assemble(out.resolve(), manifest, kb, units, bm25, vindex, classifier, confidence,
                    thresholds), stats


def _write_version(staging: Path, final: Path, kb: KnowledgeBase, units: list[Unit],
                   manifest: dict[str, Any], save_parts: Callable[[Path], None]) -> None:
    """Write one index version into `staging`, then rename it to `final` (all or nothing)."""
    staging.mkdir(parents=True)
    try:
        with (staging / "articles.jsonl").open("w", encoding="utf-8") as f:
            for a in kb:
                f.write(json.dumps(article_record(a), ensure_ascii=False) + "\n")
        with (staging / "units.jsonl").open("w", encoding="utf-8") as f:
            for u in units:
                f.write(json.dumps(u.__dict__, ensure_ascii=False) + "\n")
        save_parts(staging)
        # The manifest goes last: a folder without one is never taken for an index.
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                               encoding="utf-8")
        read_manifest(staging)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(out: Path, final: Path) -> None:
    if out.exists() and not out.is_symlink():
        if not out.is_dir() or any(out.iterdir()) and not (out / "manifest.json").exists():
            raise IndexUnavailableError(f"{out} exists and is not an index; refusing to replace it")
        if any(out.iterdir()):
            legacy = final.parent / f"legacy-{final.name}"
            out.rename(legacy)  # a one-off migration from a plain folder to the symlink layout
        else:
            out.rmdir()
    link = out.parent / f".{out.name}.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(final, out.parent))
    os.replace(link, out)


def _prune(versions: Path, keep: set[str]) -> None:
    olds = sorted((p for p in versions.iterdir() if p.name not in keep and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime, reverse=True)
    for p in olds[_KEEP_OLD_VERSIONS:]:
        shutil.rmtree(p, ignore_errors=True)
