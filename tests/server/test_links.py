"""Links over HTTP: an index whose articles.jsonl (and units) were tampered with, or built before
the loader refused other schemes, still never sends a javascript: link to an API client."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from api import create_app
from bot import Bot
from bot.store import Store
from indexer import HybridIndex, load_index
from indexer.encoders import Encoder
from kb import Settings

HOSTILE = ("\n[Open settings](javascript:alert(1))\n<javascript:alert(2)> or [this][r]\n\n"
           "[r]: JaVaScRiPt:alert(3)\n\n<a href='java&#x09;script:alert(4)'>x</a>")


def _tamper(path: Path, rewrite: Any) -> None:
    records = [rewrite(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


@pytest.fixture
def tampered(tmp_path: Path, session_index: HybridIndex, encoder: Encoder, store: Store) -> FlaskClient:
    index_dir = tmp_path / "index"
    shutil.copytree(session_index.path, index_dir)

    def article(rec: dict[str, Any]) -> dict[str, Any]:
        return {**rec, "url": "javascript:alert(0)", "body": rec["body"] + HOSTILE}

    def unit(rec: dict[str, Any]) -> dict[str, Any]:
        return {**rec, "text": rec["text"] + HOSTILE} if rec["kind"] == "section" else rec

    _tamper(index_dir / "articles.jsonl", article)
    _tamper(index_dir / "units.jsonl", unit)
    settings = Settings(store_url=store.url)
    bot = Bot(load_index(index_dir, encoder.name), encoder, settings)
    assert bot.kb.get("reset-password", "en").url == "javascript:alert(0)"  # type: ignore[union-attr]
    return create_app(settings, bot=bot, store=store).test_client()


def _clean(text: str) -> str:
    assert "javascript" not in text.lower(), text
    return text


def test_no_route_sends_a_javascript_link(tampered: FlaskClient) -> None:
    r = tampered.post("/v1/answer", json={"question": "forgot my password", "lang": "en"})
    answer = json.loads(_clean(r.get_data(as_text=True)))["answer"]
    assert answer["article_id"] == "reset-password" and answer["url"] == ""
    assert 'Click "Forgot password?"' in answer["body"]  # the rest of the article is still there

    first = json.loads(r.get_data(as_text=True))
    r = tampered.post("/v1/choose", json={"session_id": first["session_id"], "article_id": "refund-timing",
                                          "lang": "et"}, headers={"X-Session-Token": first["session_token"]})
    assert json.loads(_clean(r.get_data(as_text=True)))["answer"]["url"] == ""

    a = json.loads(_clean(tampered.get("/v1/articles/shipping-costs?lang=zh-TW").get_data(as_text=True)))
    assert a["url"] == "" and a["body"]
    hits = json.loads(_clean(tampered.post("/v1/search", json={"query": "refund"}).get_data(as_text=True)))
    assert hits["hits"] and all(h["url"] == "" for h in hits["hits"])
    popular = json.loads(_clean(tampered.get("/v1/articles/popular?lang=th").get_data(as_text=True)))
    assert popular["articles"] and all(a["url"] == "" for a in popular["articles"])


def test_good_links_are_sent_as_they_are(client: FlaskClient) -> None:
    a = client.get("/v1/articles/reset-password?lang=en").get_json()
    assert a["url"] == "https://help.example/en/reset-password"
