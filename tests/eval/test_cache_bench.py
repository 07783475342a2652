"""faqbot bench --cache on a tiny KB: two real servers, cache off and on, both answer without
errors, and only the cached one serves repeats from its cache (seen in /metrics)."""

from __future__ import annotations

import requests

from eval import cache_bench
from kb import load_kb
from tests.conftest import TINY_KB, write_kb


def test_side_by_side_loads_both_servers(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
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
                                   questions=["forgot my password", "refund", "wheres my parcel"])
    for name in ("uncached", "cached"):
        assert out[name]["errors"] == 0 and out[name]["throughput_rps"] > 0
    off, on = (float(line.rsplit(" ", 1)[1]) for line in hits.values())
    assert off == 0 and on > 0
    assert out["throughput_ratio"] > 0
