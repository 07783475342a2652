"""Vector search peers at one size: FAISS flat (exact) vs FAISS HNSW vs usearch HNSW.

Same vectors (seeded clusters on the unit sphere, eval.vectors_bench.sphere_points), same graph
parameters (M = connectivity 32, efConstruction = expansion_add 80, as `--vectors` uses), builds
on 2 threads each, queries one at a time on one thread with k = 200 (the retriever's depth).
Each HNSW's search breadth (ef) is the smallest of 200, 400, 800, 1600 that reaches recall@10
>= 0.99 on the first half of the queries; p50 and recall are reported on the other half.
A build that passes `build_cap_s` stops adding there: the row says how many vectors it holds,
and its recall is against exact search over those.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import faiss
import numpy as np

from eval.vectors_bench import sphere_points

Echo = Callable[[str], None]
DEPTH = 200
M, EF_CONSTRUCTION = 32, 80
EFS = (200, 400, 800, 1600)
CHUNK = 50_000
BUILD_THREADS = 2


class _Hnsw:
    """The two HNSW libraries behind one small surface: add, set ef, search one vector."""

    def __init__(self, kind: str, dim: int) -> None:
        self.kind = kind
        if kind == "faiss":
            self._f = faiss.IndexHNSWFlat(dim, M, faiss.METRIC_INNER_PRODUCT)
            self._f.hnsw.efConstruction = EF_CONSTRUCTION
        else:
            from usearch.index import Index

            self._u = Index(ndim=dim, metric="ip", dtype="f32", connectivity=M,
                            expansion_add=EF_CONSTRUCTION, expansion_search=DEPTH)
        self.size = 0

    def add(self, chunk: np.ndarray) -> None:
        if self.kind == "faiss":
            faiss.omp_set_num_threads(BUILD_THREADS)
            self._f.add(chunk)
            faiss.omp_set_num_threads(1)
        else:
            keys = np.arange(self.size, self.size + len(chunk), dtype=np.uint64)
            self._u.add(keys, chunk, threads=BUILD_THREADS)
        self.size += len(chunk)

    def set_ef(self, ef: int) -> None:
        if self.kind == "faiss":
            self._f.hnsw.efSearch = ef
        else:
            # usearch has this setter; mypy misreads the property (its setter follows another's)
            self._u.expansion_search = ef  # type: ignore[misc]

    def search(self, q: np.ndarray) -> np.ndarray:
        if self.kind == "faiss":
            return self._f.search(q.reshape(1, -1), DEPTH)[1][0]
        return np.asarray(self._u.search(q, DEPTH, threads=1).keys, dtype=np.int64)


def _recall(found: list[np.ndarray], truth: np.ndarray) -> float:
    return round(float(np.mean([len(set(f[:10].tolist()) & set(t[:10].tolist())) / 10
                                for f, t in zip(found, truth, strict=True)])), 4)


def _exact_top10(data: np.ndarray, queries: np.ndarray) -> np.ndarray:
    flat = faiss.IndexFlatIP(data.shape[1])
    flat.add(data)
    faiss.omp_set_num_threads(BUILD_THREADS)
    out = flat.search(queries, 10)[1]
    faiss.omp_set_num_threads(1)
    return out


def _build(kind: str, data: np.ndarray, cap_s: float, echo: Echo) -> tuple[_Hnsw, float]:
    index = _Hnsw(kind, data.shape[1])
    started = time.perf_counter()
    for lo in range(0, len(data), CHUNK):
        index.add(data[lo:lo + CHUNK])
        if time.perf_counter() - started > cap_s and index.size < len(data):
            echo(f"  {kind} HNSW: build cap {cap_s:g} s reached at {index.size:,} of {len(data):,}")
            break
    return index, round(time.perf_counter() - started, 2)


def _tune(index: _Hnsw, tune_q: np.ndarray, truth: np.ndarray) -> tuple[int, float]:
    recall = 0.0
    for ef in EFS:
        index.set_ef(ef)
        recall = _recall([index.search(q) for q in tune_q], truth)
        if recall >= 0.99:
            return ef, recall
    return EFS[-1], recall


def _timed(search: Callable[[np.ndarray], np.ndarray], q: np.ndarray) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    found = search(q)
    return (time.perf_counter() - started) * 1000, found


def run_vector_peers(n: int, n_queries: int = 200, echo: Echo = print, skip_usearch: bool = False,
                     build_cap_s: float = 480.0, seed: int = 7) -> dict[str, Any]:
    """One row: build seconds, query p50/p95 and recall@10 against flat, per backend."""
    echo(f"vector peers at {n:,} vectors…")
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(seed)
    data = sphere_points(n, None, rng)
    queries = sphere_points(n_queries, None, rng)
    half = n_queries // 2
    tune_q, test_q = queries[:half], queries[half:]
    row: dict[str, Any] = {"n": n, "dim": data.shape[1], "depth": DEPTH, "m": M,
                           "ef_construction": EF_CONSTRUCTION, "queries": len(test_q)}
    started = time.perf_counter()
    flat = faiss.IndexFlatIP(data.shape[1])
    flat.add(data)
    row["flat_build_s"] = round(time.perf_counter() - started, 2)
    truth_all = _exact_top10(data, queries)
    searches: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "flat": lambda q: flat.search(q.reshape(1, -1), DEPTH)[1][0]}
    truths: dict[str, np.ndarray] = {"flat": truth_all[half:]}
    for kind in ("faiss", "usearch"):
        if kind == "usearch" and skip_usearch:
            continue
        name = f"{kind}_hnsw"
        index, row[f"{name}_build_s"] = _build(kind, data, build_cap_s, echo)
        row[f"{name}_vectors"] = index.size
        truth = truth_all if index.size == n else _exact_top10(data[:index.size], queries)
        row[f"{name}_ef_search"], row[f"{name}_tune_recall"] = _tune(index, tune_q, truth[:half])
        searches[name], truths[name] = index.search, truth[half:]
    times: dict[str, list[float]] = {name: [] for name in searches}
    found: dict[str, list[np.ndarray]] = {name: [] for name in searches}
    for q in test_q:  # interleaved: each backend answers the same question in turn
        for name, search in searches.items():
            ms, got = _timed(search, q)
            times[name].append(ms)
            found[name].append(got)
    for name in searches:
        row[f"{name}_p50_ms"] = round(float(np.median(times[name])), 3)
        row[f"{name}_p95_ms"] = round(float(np.percentile(times[name], 95)), 3)
        row[f"{name}_recall_at_10"] = _recall(found[name], truths[name])
    echo("  " + "; ".join(f"{name} p50 {row[name + '_p50_ms']} ms, recall@10 {row[name + '_recall_at_10']}"
                          + (f", ef {row[name + '_ef_search']}, {row[name + '_vectors']:,} vectors, "
                             f"build {row[name + '_build_s']} s" if name != "flat" else "")
                          for name in searches))
    return row
