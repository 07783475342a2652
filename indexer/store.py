"""A saved hybrid index: the manifest, the articles, the retrievable units, BM25 and vectors."""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import scipy.sparse as sp

from indexer.analyzers import ANALYZER_VERSION
from indexer.bm25 import BM25
from indexer.classifier import ArticleClassifier
from indexer.confidence import ConfidenceModel
from indexer.shortlist import Classifier, ShortlistClassifier
from indexer.thresholds import Thresholds
from indexer.vectors import VectorIndex
from kb.errors import IndexUnavailableError
from kb.loader import article_from_record
from kb.models import Article, KnowledgeBase, OutOfScopeExample

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
    classifier: Classifier | None = None  # None: fewer than 2 articles
    confidence: ConfidenceModel | None = None  # learned at build time; None: an index from before
    thresholds: Thresholds | None = None  # chosen at build time; None: an index from before

    @property
    def encoder_name(self) -> str:
        return str(self.manifest["encoder"])

    @property
    def version(self) -> str:
        return str(self.manifest["version"])


def assemble(path: Path, manifest: dict[str, Any], kb: KnowledgeBase, units: list[Unit],
             bm25: BM25, vectors: VectorIndex,
             classifier: Classifier | None = None,
             confidence: ConfidenceModel | None = None,
             thresholds: Thresholds | None = None) -> HybridIndex:
    ids = tuple(sorted({u.article_id for u in units}))
    pos = {a: i for i, a in enumerate(ids)}
    unit_article = np.fromiter((pos[u.article_id] for u in units), dtype=np.int32, count=len(units))
    if classifier is not None and classifier.n_articles != len(ids):
        raise IndexUnavailableError(f"{path}: classifier knows {classifier.n_articles} articles, "
                                    f"index has {len(ids)}")
    return HybridIndex(path, manifest, kb, tuple(units), bm25, vectors, unit_article, ids, classifier,
                       confidence, thresholds)


OUT_OF_SCOPE_FILE = "out_of_scope.jsonl"
OUT_OF_SCOPE_VECTORS = "out_of_scope.npy"


def save_out_of_scope(folder: Path, examples: tuple[OutOfScopeExample, ...], vectors: np.ndarray) -> None:
    """The KB's out-of-scope examples and their vectors (reused by the next build)."""
    with (folder / OUT_OF_SCOPE_FILE).open("w", encoding="utf-8") as f:
        for e in examples:
            f.write(json.dumps(asdict(e), ensure_ascii=False) + "\n")
    np.save(folder / OUT_OF_SCOPE_VECTORS, vectors.astype(np.float32))


def out_of_scope_vectors(index: HybridIndex) -> np.ndarray:
    """The vectors of `index.kb.out_of_scope`, in order (read when a rebuild can reuse them)."""
    file = index.path / OUT_OF_SCOPE_VECTORS
    vectors = np.load(file) if file.exists() else np.zeros((0, int(index.manifest["dim"])), np.float32)
    if len(vectors) != len(index.kb.out_of_scope):
        raise IndexUnavailableError(f"{index.path}: {len(vectors)} out-of-scope vectors for "
                          f"{len(index.kb.out_of_scope)} examples")
    return vectors


def _read_out_of_scope(path: Path) -> tuple[OutOfScopeExample, ...]:
    file = path / OUT_OF_SCOPE_FILE
    if not file.exists():  # an index from before out-of-scope examples
        return ()
    return tuple(OutOfScopeExample(**json.loads(line)) for line in file.open(encoding="utf-8"))


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexUnavailableError(f"{path}: no index here (run `faqbot index` first)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise IndexUnavailableError(f"{path}/manifest.json is corrupt: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
        raise IndexUnavailableError(f"{path}: index format {manifest.get('format')!r} is not supported "
                          f"(expected {FORMAT_VERSION}); rebuild it with `faqbot index`")
    return manifest


def _npz_arrays(file: Path, mmap: bool) -> dict[str, np.ndarray]:
    """The arrays of an uncompressed .npz (np.savez, sp.save_npz(compressed=False)), each a
    read-only memory map of its bytes inside the zip when `mmap`: the page cache then holds one
    copy that every server process shares, instead of one private copy per process."""
    if not mmap:
        with np.load(file, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    out: dict[str, np.ndarray] = {}
    size = file.stat().st_size
    with zipfile.ZipFile(file) as zf, file.open("rb") as raw:
        for info in zf.infolist():
            if info.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"{file}: {info.filename} is compressed and cannot be memory-mapped")
            # The local header's name and extra field lengths can differ from the central directory's.
            raw.seek(info.header_offset + 26)
            name_len, extra_len = np.frombuffer(raw.read(4), dtype="<u2")
            raw.seek(info.header_offset + 30 + int(name_len) + int(extra_len))
            version = np.lib.format.read_magic(raw)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(raw)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(raw)
            else:
                raise ValueError(f"{file}: {info.filename} has .npy format {version}, expected 1.0 or 2.0")
            if dtype.hasobject:
                raise ValueError(f"{file}: {info.filename} holds Python objects")
            offset = raw.tell()
            nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if offset + nbytes > size:
                raise ValueError(f"{file}: {info.filename} is truncated ({size - offset} of {nbytes} bytes)")
            key = info.filename.removesuffix(".npy")
            out[key] = (np.zeros(shape, dtype) if nbytes == 0 else
                        np.memmap(file, dtype=dtype, mode="r", offset=offset, shape=shape,
                                  order="F" if fortran else "C"))
    return out


def _load_bm25(path: Path, mmap: bool) -> BM25:
    meta = json.loads((path / "bm25_vocab.json").read_text(encoding="utf-8"))
    z = _npz_arrays(path / "bm25.npz", mmap)
    if bytes(z["format"][()]) != b"csc":
        return BM25.load(path)  # only csc is written today; anything else the slow, safe way
    shape = tuple(int(x) for x in z["shape"])
    m = sp.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=shape, copy=False)
    return BM25(m, meta["vocab"], meta["k1"], meta["b"])


def _load_classifier(path: Path, mmap: bool) -> Classifier:
    z = _npz_arrays(path / "classifier.npz", mmap)
    terms = json.loads((path / "classifier_vocab.json").read_text(encoding="utf-8"))
    if "kind" in z and str(z["kind"][()]) == "shortlist":
        return ShortlistClassifier.from_arrays(z, terms)
    clf = ArticleClassifier(vocab={t: i for i, t in enumerate(terms)},
                            out_of_scope=bool(z["out_of_scope"]) if "out_of_scope" in z else False,
                            **{k: z[k] for k in ("dense_w", "dense_b", "sparse_w", "sparse_b", "idf")})
    if clf.sparse_w.shape != (len(terms), clf.n_classes) or clf.dense_w.shape[1] != clf.n_classes:
        raise ValueError(f"classifier shapes disagree: {clf.sparse_w.shape}, {clf.dense_w.shape}, "
                         f"{len(terms)} terms")
    return clf


def _load_vectors(path: Path, mmap: bool) -> VectorIndex:
    file = path / "vectors.faiss"
    # IO_FLAG_MMAP_IFC maps the codes of a flat index (IO_FLAG_MMAP alone maps only inverted
    # lists); the file must be whole, or a search would read past the mapping and crash.
    flags = faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY if mmap else 0
    index = faiss.read_index(str(file), flags)
    expected = index.ntotal * index.d * 4
    if file.stat().st_size < expected:
        raise ValueError(f"{file} is truncated ({file.stat().st_size} bytes for {index.ntotal} "
                         f"vectors of {index.d} dims)")
    return VectorIndex(index)


def load_index(path: str | Path, encoder_name: str | None = None, *, mmap: bool = True) -> HybridIndex:
    """Open a saved index; refuse a corrupt one, or one built with a different encoder.

    `mmap` (the default) maps vectors, BM25 and classifier weights read-only from the files, so
    several server processes on one machine share a single copy of them."""
    path = Path(path).resolve()
    manifest = read_manifest(path)
    if encoder_name is not None and manifest["encoder"] != encoder_name:
        raise IndexUnavailableError(f"{path} was built with encoder {manifest['encoder']!r} but the bot "
                          f"uses {encoder_name!r}; rebuild the index or change settings.encoder")
    if manifest.get("analyzer") != ANALYZER_VERSION:
        raise IndexUnavailableError(f"{path}: built with analyzer v{manifest.get('analyzer')}, this faqbot "
                          f"has v{ANALYZER_VERSION}; rebuild it with `faqbot index`")
    missing = [f for f in FILES if not (path / f).exists()]
    if missing:
        raise IndexUnavailableError(f"{path}: index is incomplete, missing {missing}")
    try:
        # Links are not refused here but dropped where the bot publishes articles (kb.links), so an
        # index built before links were checked still loads.
        articles = [article_from_record(json.loads(line), f"{path}/articles.jsonl:{n}", "en",
                                        check_links=False)
                    for n, line in enumerate((path / "articles.jsonl").open(encoding="utf-8"), 1)]
        units = [Unit(**json.loads(line)) for line in (path / "units.jsonl").open(encoding="utf-8")]
        bm25 = _load_bm25(path, mmap)
        vectors = _load_vectors(path, mmap)
        classifier = _load_classifier(path, mmap) if manifest.get("classifier") else None
        confidence = ConfidenceModel.load(path) if manifest.get("confidence") else None
        thresholds = Thresholds.load(path)
        out_of_scope = _read_out_of_scope(path)
    except Exception as e:  # noqa: BLE001 - any unreadable file means the same: corrupt index
        raise IndexUnavailableError(f"{path}: index is corrupt ({type(e).__name__}: {e})") from None
    if not (len(units) == len(vectors) == bm25.n_docs == manifest["n_units"]):
        raise IndexUnavailableError(f"{path}: index is corrupt (units {len(units)}, vectors {len(vectors)}, "
                          f"bm25 {bm25.n_docs}, manifest {manifest['n_units']})")
    if vectors.dim != manifest["dim"]:
        raise IndexUnavailableError(f"{path}: vectors have {vectors.dim} dims, "
                                    f"manifest says {manifest['dim']}")
    kb = KnowledgeBase(tuple(articles), manifest["default_lang"], out_of_scope)
    return assemble(path, manifest, kb, units, bm25, vectors, classifier, confidence, thresholds)
