"""Dense vectors in FAISS: exact inner product (= cosine, vectors are normalised), or an inverted
file (IVF) where exact search gets slow.

Exact search reads every vector for every question: its time grows linearly with the index
(`faqbot bench --peers` measures it; EXACT_LIMIT is where it passes 5 ms). Above the limit an
index build chooses IVF: k-means cells, a question searches the `nprobe` nearest ones. nprobe is
doubled until recall@10 against exact search reaches RECALL_TARGET on sample questions (the
index's own question-like units), and the layout, nprobe and the measured recall go into the
manifest.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

# Units from which an index build uses IVF instead of exact search (see the module docstring).
EXACT_LIMIT = 100_000
RECALL_TARGET = 0.99
_RECALL_K = 10
_SAMPLE_QUERIES = 500


@dataclass(frozen=True)
class Layout:
    """How the vectors are searched, as the manifest records it."""

    kind: str  # "flat" (exact) or "ivf"
    nlist: int = 0
    nprobe: int = 0
    recall_at_10: float = 1.0  # against exact search, on the sample questions
    sample_queries: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class VectorIndex:
    def __init__(self, index: faiss.Index, layout: Layout | None = None) -> None:
        self._index = index
        ivf = _as_ivf(index)
        # A loaded index knows its cells and nprobe; the recall was measured when it was built.
        self.layout = layout or (Layout("flat") if ivf is None
                                 else Layout("ivf", int(ivf.nlist), int(ivf.nprobe)))

    @classmethod
    def build(cls, vectors: np.ndarray, exact_limit: int | None = None,
              queries: np.ndarray | None = None) -> VectorIndex:
        """Exact search, or with `exact_limit` and at least that many vectors, IVF tuned on
        `queries` (default: a sample of the vectors themselves) to RECALL_TARGET."""
        if vectors.ndim != 2:
            raise ValueError(f"vectors must be a 2-D array, got shape {vectors.shape!r}")
        data = np.ascontiguousarray(vectors, dtype=np.float32)
        flat = faiss.IndexFlatIP(data.shape[1])
        flat.add(data)
        if exact_limit is None or len(data) < exact_limit:
            return cls(flat)
        return cls(*_ivf(data, flat, queries))

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Indices and cosine similarities of the k nearest vectors, best first (IVF: -1 rows
        when the searched cells hold fewer than k)."""
        k = min(k, len(self))
        if k == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        sims, ids = self._index.search(query.reshape(1, -1).astype(np.float32), k)
        return ids[0], sims[0]

    def search_many(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """`search` for each row of `queries`: (rows, k) indices and similarities."""
        k = min(k, len(self))
        sims, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return ids, sims

    def vectors(self) -> np.ndarray:
        ivf = _as_ivf(self._index)
        if ivf is not None:
            ivf.make_direct_map()
        return np.asarray(self._index.reconstruct_n(0, len(self)), dtype=np.float32)

    def save(self, folder: Path) -> None:
        faiss.write_index(self._index, str(folder / "vectors.faiss"))

    @classmethod
    def load(cls, folder: Path) -> VectorIndex:
        # Memory-mapped: several server workers share one copy of the vectors.
        return cls(faiss.read_index(str(folder / "vectors.faiss"), faiss.IO_FLAG_MMAP))


def _as_ivf(index: faiss.Index) -> Any:
    try:
        return faiss.extract_index_ivf(index)
    except RuntimeError:
        return None


def _ivf(data: np.ndarray, flat: faiss.IndexFlatIP,
         queries: np.ndarray | None) -> tuple[faiss.Index, Layout]:
    """An IVF-Flat index over `data` whose nprobe reaches RECALL_TARGET on the sample queries."""
    n, dim = data.shape
    nlist = int(4 * np.sqrt(n))  # faiss's guidance: 4-16 x sqrt(n) cells
    quantizer = faiss.IndexFlatIP(dim)
    ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    train = data[rng.choice(n, min(n, 64 * nlist), replace=False)]
    ivf.train(train)
    ivf.add(data)
    if queries is None or not len(queries):
        queries = data[rng.choice(n, min(n, _SAMPLE_QUERIES), replace=False)]
    queries = np.ascontiguousarray(queries[:_SAMPLE_QUERIES], dtype=np.float32)
    _, truth = flat.search(queries, _RECALL_K)
    recall, nprobe = 0.0, 4
    while True:
        ivf.nprobe = nprobe
        _, found = ivf.search(queries, _RECALL_K)
        recall = float(np.mean([len(set(a.tolist()) & set(b.tolist())) / _RECALL_K
                                for a, b in zip(found, truth, strict=True)]))
        if recall >= RECALL_TARGET or nprobe >= nlist:
            break
        nprobe = min(2 * nprobe, nlist)
    return ivf, Layout("ivf", nlist, nprobe, round(recall, 4), len(queries))
