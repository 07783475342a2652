"""A saved hybrid index: the manifest, the articles, the retrievable units, BM25 and vectors."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer.analyzers import ANALYZER_VERSION
from indexer.bm25 import BM25
from indexer.classifier import ArticleClassifier
from indexer.vectors import VectorIndex
from kb.errors import IndexError_
from kb.loader import article_from_record
from kb.models import Article, KnowledgeBase

FORMAT_VERSION = 2  # 2: titles and questions embedded as queries; article classifier
FILES = ("manifest.json", "articles.jsonl", "units.jsonl", "vectors.faiss", "bm25.npz",
         "bm25_vocab.json")


@dataclass(frozen=True)
class Unit:
    """One indexed text: an article's title, one of its example questions, or a body section."""

    article_id: str
    lang: str
    kind: str
    text: str
    heading: str = ""


def article_record(a: Article) -> dict[str, Any]:
    rec = asdict(a)
    rec.pop("source")
    rec["questions"], rec["tags"] = list(a.questions), list(a.tags)
    return rec


@dataclass(frozen=True)
class HybridIndex:
    """Everything the bot needs at query time; built by `indexer.build`, read by `load_index`."""

    path: Path
    manifest: dict[str, Any]
    kb: KnowledgeBase
    units: tuple[Unit, ...]
    bm25: BM25
    vectors: VectorIndex
    unit_article: np.ndarray  # unit row -> position of its article id in `article_ids`
    article_ids: tuple[str, ...]
    classifier: ArticleClassifier | None = None  # None: fewer than 2 articles, or too many

    @property
    def encoder_name(self) -> str:
        return str(self.manifest["encoder"])

    @property
    def version(self) -> str:
        return str(self.manifest["version"])


def assemble(path: Path, manifest: dict[str, Any], kb: KnowledgeBase, units: list[Unit],
             bm25: BM25, vectors: VectorIndex, classifier: ArticleClassifier | None = None) -> HybridIndex:
    ids = tuple(sorted({u.article_id for u in units}))
    pos = {a: i for i, a in enumerate(ids)}
    unit_article = np.fromiter((pos[u.article_id] for u in units), dtype=np.int32, count=len(units))
    if classifier is not None and classifier.n_classes != len(ids):
        raise IndexError_(f"{path}: classifier knows {classifier.n_classes} articles, index has {len(ids)}")
    return HybridIndex(path, manifest, kb, tuple(units), bm25, vectors, unit_article, ids, classifier)


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexError_(f"{path}: no index here (run `faqbot index` first)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise IndexError_(f"{path}/manifest.json is corrupt: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexError_(f"{path}: index format {manifest.get('format')!r} is not supported "
                          f"(expected {FORMAT_VERSION}); rebuild it with `faqbot index`")
    return manifest


def load_index(path: str | Path, encoder_name: str | None = None) -> HybridIndex:
    """Open a saved index; refuse a corrupt one, or one built with a different encoder."""
    path = Path(path).resolve()
    manifest = read_manifest(path)
    if encoder_name is not None and manifest["encoder"] != encoder_name:
        raise IndexError_(f"{path} was built with encoder {manifest['encoder']!r} but the bot "
                          f"uses {encoder_name!r}; rebuild the index or change settings.encoder")
    if manifest.get("analyzer") != ANALYZER_VERSION:
        raise IndexError_(f"{path}: built with analyzer v{manifest.get('analyzer')}, this faqbot "
                          f"has v{ANALYZER_VERSION}; rebuild it with `faqbot index`")
    missing = [f for f in FILES if not (path / f).exists()]
    if missing:
        raise IndexError_(f"{path}: index is incomplete, missing {missing}")
    try:
        articles = [article_from_record(json.loads(line), f"{path}/articles.jsonl:{n}", "en")
                    for n, line in enumerate((path / "articles.jsonl").open(encoding="utf-8"), 1)]
        units = [Unit(**json.loads(line)) for line in (path / "units.jsonl").open(encoding="utf-8")]
        bm25 = BM25.load(path)
        vectors = VectorIndex.load(path)
        classifier = ArticleClassifier.load(path) if manifest.get("classifier") else None
    except Exception as e:  # noqa: BLE001 - any unreadable file means the same: corrupt index
        raise IndexError_(f"{path}: index is corrupt ({type(e).__name__}: {e})") from None
    if not (len(units) == len(vectors) == bm25.n_docs == manifest["n_units"]):
        raise IndexError_(f"{path}: index is corrupt (units {len(units)}, vectors {len(vectors)}, "
                          f"bm25 {bm25.n_docs}, manifest {manifest['n_units']})")
    if vectors.dim != manifest["dim"]:
        raise IndexError_(f"{path}: vectors have {vectors.dim} dims, manifest says {manifest['dim']}")
    kb = KnowledgeBase(tuple(articles), manifest["default_lang"])
    return assemble(path, manifest, kb, units, bm25, vectors, classifier)
