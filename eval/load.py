"""Load test: many concurrent customers asking a running faqbot over HTTP.

Each of `clients` asyncio tasks holds one keep-alive connection and asks `/v1/answer` questions
back to back for `seconds` (a new session every few questions, as a widget would), and a share
of them also searches. Anything but a 2xx answer with a decision is an error. Reports
throughput, latency percentiles, errors by kind and decisions.

    python -m eval.load --url http://127.0.0.1:8000 --clients 50 --seconds 60 --json out.json

`--zipf 1.1` replays the questions Zipf-distributed (the i-th most asked with weight 1 / i^s, in
a seeded order), as support traffic is: a few questions make most of the volume. The server's own
time for each request comes from its `Server-Timing` header, split into a question's first ask
in this run and its repeats (what the answer cache serves).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np

from kb.errors import FaqbotError, RequestError

# Customers' questions in the demo KB's languages, some off-topic (escalated, no answer).
QUESTIONS = (
    "wheres my parcel", "refund??", "how long does a refund take", "forgot my password",
    "can i change my delivery address", "my promo code doesnt work", "do you ship to norway",
    "cancel my subscription", "charged twice for one order", "is there a student discount",
    "ขอคืนเงินได้กี่วัน", "ลืมรหัสผ่าน", "ค่าส่งเท่าไหร่", "kuidas plus tellimus lõpetada",
    "kus mu pakk on", "發票可以打統編嗎", "退貨要怎麼寄回", "优惠码用不了", "运费多少钱",
    "what's the weather in Tallinn", "tell me a joke about penguins", "how do I add a person to my account",
)
TURNS_PER_SESSION = 4


@dataclass(frozen=True)
class LoadResult:
    """What one load run measured; `to_dict` is the --json document."""

    url: str
    clients: int
    seconds: float
    requests: int
    errors: int
    throughput_rps: float
    latency_ms: dict[str, float]
    decisions: dict[str, int]
    error_kinds: dict[str, int] = field(default_factory=dict)
    # Server-Timing of /v1/answer: every request, first asks of a question, repeats of one.
    server_ms: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    decisions: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    seen: set[str] = field(default_factory=set)
    server_first: list[float] = field(default_factory=list)
    server_repeat: list[float] = field(default_factory=list)


def server_time(header: str) -> float | None:
    """The `app` duration (ms) of a Server-Timing header, None without one."""
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() == "app":
            for param in params.split(";"):
                key, _, value = param.strip().partition("=")
                if key == "dur":
                    try:
                        return float(value)
                    except ValueError:
                        return None
    return None


async def _one(session: aiohttp.ClientSession, url: str, body: dict[str, Any], key: str,
               tally: _Tally, headers: dict[str, str] | None = None,
               asked: str | None = None) -> dict[str, Any] | None:
    started = time.perf_counter()
    try:
        async with session.post(url, json=body, headers=headers) as response:
            data = await response.json(content_type=None)
            status = response.status
            took = server_time(response.headers.get("Server-Timing", ""))
    except (TimeoutError, aiohttp.ClientError, json.JSONDecodeError, ValueError) as e:
        tally.errors[type(e).__name__] += 1
        await asyncio.sleep(0.05)  # a refused connection fails at once: do not spin on it
        return None
    tally.latencies.append((time.perf_counter() - started) * 1000.0)
    if not 200 <= status < 300 or not isinstance(data, dict) or key not in data:
        tally.errors[f"http_{status}"] += 1
        return None
    if asked is not None and took is not None:
        (tally.server_repeat if asked in tally.seen else tally.server_first).append(took)
        tally.seen.add(asked)
    return data


async def _client(n: int, base: str, deadline: float, questions: Sequence[str], seed: int,
                  tally: _Tally, timeout: float, weights: Sequence[float] | None = None) -> None:
    rng = random.Random(seed * 1_000_003 + n)
    # One connection per client: the server sees `clients` concurrent keep-alive customers.
    connector = aiohttp.TCPConnector(limit=1, force_close=False)
    async with aiohttp.ClientSession(base_url=base, connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        turn, session_id, token = 0, None, ""
        while time.monotonic() < deadline:
            if turn % TURNS_PER_SESSION == 0:
                session_id, token = None, ""  # the server starts the next conversation
            question = rng.choices(questions, weights)[0] if weights else rng.choice(questions)
            if rng.random() < 0.2:
                await _one(session, "/v1/search", {"query": question, "k": 5}, "hits", tally)
            else:
                body: dict[str, Any] = {"question": question}
                if session_id:
                    body["session_id"] = session_id
                data = await _one(session, "/v1/answer", body, "decision", tally,
                                  {"X-Session-Token": token} if token else None, question)
                if data is not None:
                    tally.decisions[str(data["decision"])] += 1
                    session_id, token = data["session_id"], data["session_token"]
            turn += 1


async def run_load(url: str, clients: int = 50, seconds: float = 60.0,
                   questions: Sequence[str] = QUESTIONS, seed: int = 0,
                   timeout: float = 30.0, zipf: float | None = None) -> LoadResult:
    """Hold `clients` concurrent customers against `url` for `seconds` and measure; with `zipf`,
    questions are drawn Zipf(s = zipf)-distributed instead of uniformly."""
    if clients < 1:
        raise RequestError(f"clients must be at least 1, got {clients!r}")
    if seconds <= 0:
        raise RequestError(f"seconds must be positive, got {seconds!r}")
    if not questions:
        raise RequestError("questions must not be empty")
    if zipf is not None and zipf <= 0:
        raise RequestError(f"zipf must be positive, got {zipf!r}")
    weights = zipf_weights(len(questions), zipf, seed) if zipf else None
    tally = _Tally()
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(_client(n, url.rstrip("/"), deadline, questions, seed, tally, timeout,
                                   weights) for n in range(clients)))
    elapsed = time.monotonic() - started
    lat = np.asarray(tally.latencies or [0.0])
    n_requests = len(tally.latencies) + sum(
        v for k, v in tally.errors.items() if not k.startswith("http_"))
    return LoadResult(
        url=url, clients=clients, seconds=round(elapsed, 2), requests=n_requests,
        errors=sum(tally.errors.values()),
        throughput_rps=round(len(tally.latencies) / elapsed, 1),
        latency_ms={f"p{q}": round(float(np.percentile(lat, q)), 1) for q in (50, 95, 99)}
        | {"max": round(float(lat.max()), 1)},
        decisions=dict(sorted(tally.decisions.items())), error_kinds=dict(tally.errors),
        server_ms={name: _percentiles(values) for name, values in (
            ("all", tally.server_first + tally.server_repeat), ("first", tally.server_first),
            ("repeat", tally.server_repeat)) if values})


def zipf_weights(n: int, s: float, seed: int) -> list[float]:
    """Weights 1 / rank^s, the ranks dealt to the n questions in a seeded order."""
    ranks = list(range(1, n + 1))
    random.Random(seed).shuffle(ranks)
    return [1.0 / r ** s for r in ranks]


def _percentiles(values: list[float]) -> dict[str, float]:
    a = np.asarray(values)
    return {"n": float(len(values))} | {f"p{q}": round(float(np.percentile(a, q)), 2) for q in (50, 95, 99)}


def _read_questions(path: str) -> list[str]:
    """Questions from a JSONL query file (`query` or `text`) or a plain text file, one a line."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("{"):
            rec = json.loads(line)
            out.append(str(rec.get("query") or rec.get("text") or ""))
        else:
            out.append(line)
    return [q for q in out if q]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="Base URL of a running faqbot, e.g. http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--queries", default=None, help="JSONL query file or text file of questions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--zipf", type=float, default=None,
                        help="Draw questions Zipf(s)-distributed (e.g. 1.1) instead of uniformly")
    parser.add_argument("--json", dest="json_out", default=None, help="Write the result here as JSON")
    args = parser.parse_args(argv)
    questions = _read_questions(args.queries) if args.queries else list(QUESTIONS)
    try:
        result = asyncio.run(run_load(args.url, args.clients, args.seconds, questions, args.seed,
                                      zipf=args.zipf))
    except FaqbotError as e:
        parser.error(str(e))
    doc = json.dumps(result.to_dict(), ensure_ascii=False, indent=1)
    if args.json_out:
        Path(args.json_out).write_text(doc + "\n", encoding="utf-8")
    lat = result.latency_ms
    print(f"{result.requests} requests from {result.clients} clients in {result.seconds} s: "
          f"{result.throughput_rps} req/s, p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms, "
          f"{result.errors} errors {result.error_kinds or ''}; decisions {result.decisions}")
    for name, figures in result.server_ms.items():
        print(f"  server time, {name}: {figures}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
