"""Exact vs approximate vector search by index size, in one run: where exact FAISS passes 5 ms,
and what IVF (the index build's choice above EXACT_LIMIT) and HNSW cost and recall there.

Vectors: without a real index, seeded clusters on the unit sphere (384 dims, 500 centres);
with `--seed-index`, each synthetic vector is a real unit's vector plus noise, so the clusters
have the shape of real embeddings. Queries are drawn the same way and never indexed. Per size:
query p50/p95 (one question at a time, k = 200 as the retriever asks), recall@10 against exact,
and build seconds.

    faqbot bench --vectors --sizes 25000,50000,100000,200000 --json vectors.json
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from indexer.vectors import VectorIndex

Echo = Callable[[str], None]
DIM = 384
DEPTH = 200  # neighbours the hybrid retriever asks for
CENTRES = 500  # synthetic topics: a help center's articles cluster by subject


def sphere_points(n: int, base: np.ndarray | None, rng: np.random.Generator,
                  noise: float = 0.5) -> np.ndarray:
    """`n` points around `base` vectors (or CENTRES random ones), normalised."""
    if base is None or not len(base):
        base = rng.standard_normal((CENTRES, DIM)).astype(np.float32)
    centres = base / np.linalg.norm(base, axis=1, keepdims=True)
    spread = noise / np.sqrt(centres.shape[1])  # the noise vector has norm ~noise
    x = centres[rng.integers(0, len(centres), n)] + spread * rng.standard_normal((n, centres.shape[1]),
                                                                                 dtype=np.float32)
    return np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)


def _timed_search(search: Callable[[np.ndarray], object], queries: np.ndarray) -> list[float]:
    out = []
    for q in queries:
        started = time.perf_counter()
        search(q)
        out.append((time.perf_counter() - started) * 1000)
    return out


def _search_raw(index: Any, q: np.ndarray) -> object:
    return index.search(q.reshape(1, -1), DEPTH)


def _recall(found: list[np.ndarray], truth: list[np.ndarray]) -> float:
    return round(float(np.mean([len(set(a[:10].tolist()) & set(b[:10].tolist())) / 10
                                for a, b in zip(found, truth, strict=True)])), 4)


def _hnsw(data: np.ndarray, queries: np.ndarray, truth: list[np.ndarray]) -> tuple[Any, int, float]:
    index = faiss.IndexHNSWFlat(data.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = 80
    index.add(data)
    ef, recall = DEPTH, 0.0
    while ef <= 1600:
        index.hnsw.efSearch = ef
        found = [index.search(q.reshape(1, -1), 10)[1][0] for q in queries[:200]]
        recall = _recall(found, truth[:200])
        if recall >= 0.99:
            break
        ef *= 2
    return index, ef, recall


def run_vectors_bench(sizes: Sequence[int], echo: Echo = print, seed_index: Path | None = None,
                      n_queries: int = 300) -> dict[str, Any]:
    rng = np.random.default_rng(7)
    base = None
    if seed_index is not None:
        from indexer import load_index

        base = load_index(seed_index).vectors.vectors()
    faiss.omp_set_num_threads(1)  # one question at a time on a shared box: one thread (see --threads)
    out: dict[str, Any] = {"dim": DIM, "depth": DEPTH, "queries": n_queries,
                           "vectors": "real units + noise" if base is not None else "synthetic clusters",
                           "sizes": []}
    for n in sizes:
        data = sphere_points(n, base, rng)
        queries = sphere_points(n_queries, base, rng)
        row: dict[str, Any] = {"n": n}
        started = time.perf_counter()
        exact = VectorIndex.build(data)
        row["flat_build_s"] = round(time.perf_counter() - started, 2)
        truth = [exact.search(q, 10)[0] for q in queries]
        started = time.perf_counter()
        ivf = VectorIndex.build(data, exact_limit=0, queries=queries[: n_queries // 2])
        row["ivf_build_s"] = round(time.perf_counter() - started, 2)
        row["ivf_nlist"], row["ivf_nprobe"] = ivf.layout.nlist, ivf.layout.nprobe
        # Held-out half of the queries for the recall the build did not tune on.
        held = slice(n_queries // 2, None)
        row["ivf_recall_at_10"] = _recall([ivf.search(q, 10)[0] for q in queries[held]], truth[held])
        started = time.perf_counter()
        hnsw, ef, hnsw_recall = _hnsw(data, queries, truth)
        row["hnsw_build_s"] = round(time.perf_counter() - started, 2)
        row["hnsw_ef_search"], row["hnsw_recall_at_10"] = ef, hnsw_recall
        times: dict[str, list[float]] = {"flat": [], "ivf": [], "hnsw": []}
        searches: dict[str, Callable[[np.ndarray], object]] = {
            "flat": partial(exact.search, k=DEPTH), "ivf": partial(ivf.search, k=DEPTH),
            "hnsw": partial(_search_raw, hnsw)}
        for part in np.array_split(queries, 3):  # interleaved: the three see the same machine
            for name, search in searches.items():
                times[name] += _timed_search(search, part)
        for name, ms in times.items():
            row[f"{name}_p50_ms"] = round(float(np.median(ms)), 3)
            row[f"{name}_p95_ms"] = round(float(np.percentile(ms, 95)), 3)
        echo(f"  {n:>9,} vectors: flat p50 {row['flat_p50_ms']} ms; IVF p50 {row['ivf_p50_ms']} ms "
             f"(nprobe {row['ivf_nprobe']}/{row['ivf_nlist']}, recall@10 {row['ivf_recall_at_10']}, "
             f"build {row['ivf_build_s']} s); HNSW p50 {row['hnsw_p50_ms']} ms (ef {ef}, recall@10 "
             f"{hnsw_recall}, build {row['hnsw_build_s']} s)")
        out["sizes"].append(row)
    over = [r["n"] for r in out["sizes"] if r["flat_p50_ms"] > 5]
    out["exact_over_5ms_from"] = min(over) if over else None
    return out
