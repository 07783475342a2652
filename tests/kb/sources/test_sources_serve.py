"""`faqbot serve` with `sync_every`, as a real process against a local Zendesk: an article the help
center publishes while the server runs is synced, indexed and answered without a restart."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.kb.sources.vendors import Article, serve_desk
from tests.processes import FAQBOT, ROOT, faqbot_env, free_port, healthz, index_kb, running, wait_until

pytestmark = pytest.mark.slow


def _ask(base: str, question: str) -> dict[str, Any]:
    r = requests.post(f"{base}/v1/answer", json={"question": question, "lang": "en"}, timeout=30)
    assert r.status_code == 200, r.text
    reply: dict[str, Any] = r.json()
    return reply


def test_serve_syncs_on_schedule_reindexes_and_answers_the_new_article(tmp_path: Path) -> None:
    with serve_desk("zendesk") as desk:
        port = free_port()
        env = faqbot_env(tmp_path, port, FAQBOT_KB_PATH=str(tmp_path / "kb"),
                         FAQBOT_ZENDESK_URL=desk.base, FAQBOT_ZENDESK_EMAIL="agent@acme.test",
                         FAQBOT_ZENDESK_TOKEN="zd-secret", FAQBOT_SYNC_SOURCE="zendesk:acme",
                         FAQBOT_SYNC_EVERY="2", FAQBOT_ANSWER_THRESHOLD="0.5",
                         FAQBOT_SUGGEST_THRESHOLD="0.3")
        done = subprocess.run([*FAQBOT, "kb", "import", "zendesk:acme", "--out", str(tmp_path / "kb")],
                              env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        index_kb(tmp_path / "kb", env)
        base = f"http://127.0.0.1:{port}"
        with running([*FAQBOT, "serve"], env, port, tmp_path / "serve.log"):
            first = healthz(base)
            assert first is not None
            gift = "can i redeem a gift card code"
            assert (_ask(base, gift).get("answer") or {}).get("article_id") != "gift-cards"

            desk.articles.append(Article(106, {"en-us": (
                "Gift cards", "<p>Gift cards never expire. Redeem a gift card code at checkout.</p>", True)}))
            wait_until(lambda: (healthz(base) or first)["index_version"] != first["index_version"], 180,
                       "the scheduled sync to switch the served index")
            reply = _ask(base, gift)
            assert reply["decision"] == "answered", reply
            assert reply["answer"]["article_id"] == "gift-cards"
        assert (tmp_path / "kb").joinpath(".faqbot-source.json").exists()
