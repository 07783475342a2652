"""The load client (eval/load.py): argument checks, and a short run against a real `faqbot serve`
that must see zero errors (speed is measured by `python -m eval.load`, not asserted here)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from eval.load import run_load, server_time, zipf_weights
from kb.errors import RequestError
from tests.conftest import TINY_KB, write_kb
from tests.processes import ROOT, faqbot_env, free_port, index_kb, running


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"clients": 0}, "clients must be at least 1, got 0"),
    ({"seconds": -1.0}, "seconds must be positive, got -1.0"),
    ({"questions": ()}, "questions must not be empty"),
    ({"zipf": 0.0}, "zipf must be positive, got 0.0"),
])
def test_run_load_rejects_bad_arguments(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(RequestError, match=match):
        asyncio.run(run_load("http://127.0.0.1:9", **kwargs))  # type: ignore[arg-type]


def test_unreachable_server_counts_errors() -> None:
    result = asyncio.run(run_load(f"http://127.0.0.1:{free_port()}", clients=2, seconds=0.5))
    assert result.errors > 0
    assert result.errors == sum(result.error_kinds.values())


def test_ten_clients_five_seconds_against_faqbot_serve_without_errors(tmp_path: Path) -> None:
    port = free_port()
    env = faqbot_env(tmp_path, port)
    index_kb(write_kb(tmp_path / "kb", TINY_KB), env)
    out = tmp_path / "load.json"
    with running([sys.executable, "-m", "cli", "serve"], env, port, tmp_path / "serve.log"):
        done = subprocess.run([sys.executable, "-m", "eval.load", "--url", f"http://127.0.0.1:{port}",
                               "--clients", "10", "--seconds", "5", "--zipf", "1.1", "--json", str(out)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) == {"url", "clients", "seconds", "requests", "errors", "throughput_rps",
                           "latency_ms", "decisions", "error_kinds", "server_ms"}
    assert result["errors"] == 0, result["error_kinds"]
    assert result["clients"] == 10 and result["requests"] > 0
    assert set(result["latency_ms"]) == {"p50", "p95", "p99", "max"}
    # The server's own time (Server-Timing), split into first asks and repeats of a question.
    assert set(result["server_ms"]) == {"all", "first", "repeat"}
    assert result["server_ms"]["repeat"]["n"] > result["server_ms"]["first"]["n"] > 0
    assert 0 < result["server_ms"]["repeat"]["p50"] <= result["latency_ms"]["p50"]
    # The mix reaches every decision the bot can make on this KB.
    assert "answered" in result["decisions"] and {"offered", "escalated"} & set(result["decisions"])


def test_zipf_weights_favour_a_few_questions() -> None:
    weights = zipf_weights(20, 1.1, seed=3)
    assert sorted(weights, reverse=True)[0] == 1.0 and len(set(weights)) == 20
    assert zipf_weights(20, 1.1, seed=3) == weights != zipf_weights(20, 1.1, seed=4)


@pytest.mark.parametrize(("header", "ms"), [
    ("app;dur=1.25", 1.25), ("db;dur=3, app;desc=\"x\";dur=0.5", 0.5), ("", None), ("app;dur=x", None)])
def test_server_time_reads_the_app_duration(header: str, ms: float | None) -> None:
    assert server_time(header) == ms
