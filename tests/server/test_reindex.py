"""Zero-downtime reindex: `faqbot index` into the live index plus SIGHUP, under load.

The server is `faqbot serve` (waitress with server.wsgi.ReloadingApp); test_gunicorn.py does the
same through the gunicorn master. The helpers here start real
processes and are shared by the other process-level tests.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from eval.load import LoadResult, run_load
from tests.conftest import TINY_KB, write_kb
from tests.processes import faqbot_env, free_port, healthz, index_kb, running, wait_until

GIFT_CARD = """
    ---
    id: gift-cards
    lang: en
    title: Gift cards
    questions:
      - how do i redeem a gift card
      - where do i enter my gift card code
    ---
    ## Redeeming
    Enter the 16-digit gift card code at checkout under "Gift card or voucher".
    """


GIFT_QUESTION = "how do i redeem a gift card"


def load_in_background(base: str, clients: int, seconds: float) -> tuple[threading.Thread, list[LoadResult]]:
    results: list[LoadResult] = []
    thread = threading.Thread(
        target=lambda: results.append(asyncio.run(run_load(base, clients, seconds, seed=7))))
    thread.start()
    return thread, results


def reindex_under_load(base: str, kb: Path, env: dict[str, str], hup: Callable[[], None]) -> LoadResult:
    """Add an article, `faqbot index`, SIGHUP while 8 clients ask; the load's result."""
    before = healthz(base)
    assert before is not None
    # Asked twice before the reindex, so the answer cache holds its ranking from the old index.
    for _ in range(2):
        old = requests.post(f"{base}/v1/answer", json={"question": GIFT_QUESTION}, timeout=10).json()
        assert (old.get("answer") or {}).get("article_id") != "gift-cards"
    thread, results = load_in_background(base, clients=8, seconds=12)
    time.sleep(1)
    write_kb(kb, {"en/gift-cards.md": GIFT_CARD})
    index_kb(kb, env)
    hup()
    wait_until(lambda: (healthz(base) or {}).get("index_version") != before["index_version"]
               and requests.get(f"{base}/v1/articles/gift-cards", timeout=5).ok, 60, "the new index")
    thread.join(60)
    # The reload started from an empty cache: every worker answers from the new index.
    for _ in range(4):
        new = requests.post(f"{base}/v1/answer", json={"question": GIFT_QUESTION}, timeout=10).json()
        assert new["answer"]["article_id"] == "gift-cards", new
    assert results, "the load thread failed"
    return results[0]


def corrupt(index_link: Path, how: str) -> None:
    """Break the version the live symlink points at (it was just built and swapped in)."""
    target = index_link.resolve()
    if how == "bad_manifest":
        (target / "manifest.json").write_text("{not json", encoding="utf-8")
    elif how == "other_encoder":
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        manifest["encoder"] = "st:some-other-model"
        (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    elif how == "truncated_vectors":
        vectors = target / "vectors.faiss"
        os.truncate(vectors, vectors.stat().st_size // 2)
    else:
        raise ValueError(f"unknown corruption {how!r}")


CORRUPTIONS = {"bad_manifest": "manifest.json is corrupt", "other_encoder": "built with encoder",
               "truncated_vectors": "index is corrupt"}


def refused_and_still_serving(base: str, kb: Path, env: dict[str, str], log: Path, how: str,
                              hup: Callable[[], None], n_refusals: int = 1) -> None:
    before = healthz(base)
    assert before is not None
    write_kb(kb, {"en/gift-cards.md": GIFT_CARD})
    index_kb(kb, env)
    corrupt(Path(env["FAQBOT_INDEX_DIR"]), how)
    hup()
    wait_until(lambda: log.read_text(errors="replace").count("reload refused") >= n_refusals, 60,
               "the refusal in the log")
    refusal = next(line for line in log.read_text(errors="replace").splitlines() if "reload refused" in line)
    assert CORRUPTIONS[how] in refusal
    assert str(before["index_version"]) in refusal
    for _ in range(6):  # every worker, whichever answers
        assert (healthz(base) or {}).get("index_version") == before["index_version"]
        r = requests.post(f"{base}/v1/answer", json={"question": "forgot my password"}, timeout=10)
        assert r.status_code == 200
        assert r.json()["answer"]["article_id"] == "reset-password"
    assert requests.get(f"{base}/v1/articles/gift-cards", timeout=5).status_code == 404


@pytest.fixture
def deployment(tmp_path: Path) -> tuple[Path, dict[str, str], str, Path]:
    """A tiny KB indexed into tmp_path/index: (kb folder, env, base URL, log file)."""
    port = free_port()
    env = faqbot_env(tmp_path, port)
    kb = write_kb(tmp_path / "kb", TINY_KB)
    index_kb(kb, env)
    return kb, env, f"http://127.0.0.1:{port}", tmp_path / "server.log"


def _serve() -> list[str]:
    return [sys.executable, "-m", "cli", "serve"]


def test_reindex_and_sighup_under_load_fails_no_request(
        deployment: tuple[Path, dict[str, str], str, Path]) -> None:
    kb, env, base, log = deployment
    with running(_serve(), env, int(env["FAQBOT_PORT"]), log) as proc:
        result = reindex_under_load(base, kb, env, lambda: os.kill(proc.pid, signal.SIGHUP))
        assert "reload: now serving index" in log.read_text(errors="replace")
    assert result.requests > 0
    assert result.errors == 0, result.error_kinds


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_broken_index_is_refused_and_old_one_keeps_serving(
        deployment: tuple[Path, dict[str, str], str, Path], how: str) -> None:
    kb, env, base, log = deployment
    with running(_serve(), env, int(env["FAQBOT_PORT"]), log) as proc:
        refused_and_still_serving(base, kb, env, log, how, lambda: os.kill(proc.pid, signal.SIGHUP))
        assert proc.poll() is None
