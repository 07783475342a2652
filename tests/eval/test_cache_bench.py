"""faqbot bench --cache on a tiny KB: two real servers, cache off and on, both answer without
errors, and only the cached one serves repeats from its cache (seen in /metrics)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from eval import cache_bench
from eval.bench import served
from kb import load_kb
from kb.errors import RequestError
from tests.conftest import TINY_KB, write_kb


# One worker: /metrics is then the whole server's (no multi-process metrics folder here).
@pytest.mark.parametrize("shape", [cache_bench.Shape("waitress", 1, 2), cache_bench.Shape("gunicorn", 1, 2)],
                         ids=lambda s: s.server)
def test_side_by_side_loads_both_servers(tmp_path, monkeypatch, shape) -> None:  # type: ignore[no-untyped-def]
    kb = load_kb(write_kb(tmp_path / "kb", TINY_KB))
    hits: dict[str, str] = {}
    real_run = cache_bench.run_load

    async def run_and_look(url: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        result = await real_run(url, *args, **kwargs)  # type: ignore[arg-type]
        metrics = requests.get(f"{url}/metrics", timeout=10).text
        hits[url] = next(line for line in metrics.splitlines()
                         if line.startswith('faqbot_answer_cache_lookups{result="hit"}'))
        return result

    monkeypatch.setattr(cache_bench, "run_load", run_and_look)
    out = cache_bench.side_by_side(cache_bench.CACHE, rounds=1, seconds=3, clients=3, echo=lambda s: None,
                                   index_dir=tmp_path / "index", kb=kb,
                                   questions=["forgot my password", "refund", "wheres my parcel"],
                                   shape=shape)
    for name in ("uncached", "cached"):
        assert out[name]["errors"] == 0 and out[name]["throughput_rps"] > 0
    off, on = (float(line.rsplit(" ", 1)[1]) for line in hits.values())
    assert off == 0 and on > 0
    assert out["throughput_ratio"] > 0
    assert out["server"] == {"server": shape.server, "workers": 1, "threads": 2}


def test_a_two_worker_gunicorn_is_served_only_once_both_workers_are_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    kb = load_kb(write_kb(tmp_path / "kb", TINY_KB))
    index = cache_bench.demo_index(tmp_path / "index", lambda s: None, kb)
    pids: list[int] = []
    with served(index, tmp_path / "s.db", threads=1, server="gunicorn", workers=2, pids=pids) as url:
        ready = list((tmp_path / f"ready-{url.rsplit(':', 1)[1]}").iterdir())
        workers = {int(p.name) for p in ready}
        assert len(workers) == 2 and pids[0] not in workers
        # Both are the master's worker processes (not the delivery process it also starts).
        assert all(Path(f"/proc/{w}/status").read_text().split("PPid:")[1].split()[0] == str(pids[0])
                   for w in workers)
        assert requests.post(f"{url}/v1/answer", json={"question": "forgot my password"}, timeout=30).ok


@pytest.mark.parametrize("text, message", [
    ("gunicorn", "SERVER:WORKERS:THREADS"), ("apache:1:1", "SERVER:WORKERS:THREADS"),
    ("gunicorn:0:1", "got 'gunicorn:0:1'"), ("waitress:2:4", "waitress runs one process"),
])
def test_a_bad_server_shape_is_refused(text: str, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        cache_bench.Shape.parse(text)


def test_a_server_shape_parses() -> None:
    assert cache_bench.Shape.parse("gunicorn:2:1") == cache_bench.GUNICORN
