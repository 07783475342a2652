"""The insights pages in real Chromium against a real server (the reloading WSGI app faqbot serve
runs): dashboard → gap → propose → admin approves → re-index → the bot answers the gap's question.
axe finds nothing on any of the pages; the screenshots in docs/ come from here."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page
from waitress import create_server

from bot import Bot
from bot.keys import create_key
from bot.store import Store
from indexer import HybridIndex
from indexer.encoders import Encoder
from kb import Settings
from server.wsgi import ReloadingApp
from tests.seeded_store import GAPS
from tests.web.browser import DESKTOP, ROOT, NewContext, describe, run_axe

PERIOD = "since=2026-11-18&until=2026-12-02"
QUESTION = GAPS["student-discount"]["en"][0]


@pytest.fixture
def live(tmp_path: Path, seeded: tuple[Store, Bot, Any], demo_slice: tuple[Path, HybridIndex],
         encoder: Encoder) -> Iterator[tuple[str, ReloadingApp]]:
    shutil.copytree(demo_slice[0].parent, tmp_path / "site", symlinks=True)
    settings = Settings(store_url=seeded[0].url, kb_path=str(tmp_path / "site" / "kb"),
                        index_dir=str(tmp_path / "site" / "index"))
    app = ReloadingApp(settings, store=seeded[0], encoder=encoder)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, name="waitress-insights", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", app
    finally:
        server.close()


def _ask(url: str) -> dict[str, Any]:
    r = requests.post(f"{url}/v1/answer", json={"question": QUESTION, "lang": "en"}, timeout=30)
    assert r.status_code == 200, r.text
    answer: dict[str, Any] = r.json()
    return answer


def _axe_clean(page: Page, axe_source: str) -> None:
    result = run_axe(page, axe_source)
    assert result["violations"] == [], describe(result["violations"])


def _sign_in(page: Page, url: str, key: str, target: str) -> None:
    page.goto(f"{url}/console/sign-in?next={target}")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{target.split('?')[0]}*")


def test_dashboard_gap_approve_reindex_answered(live: tuple[str, ReloadingApp],
                                                seeded: tuple[Store, Bot, Any],
                                                context_factory: NewContext, axe_source: str) -> None:
    url, app = live
    store = seeded[0]
    told_peers: list[str] = []  # what gunicorn's master would be asked: reload every worker
    app.peers = lambda: told_peers.append(app.version)
    before = _ask(url)
    assert before["decision"] != "answered"
    page = context_factory(viewport=DESKTOP).new_page()
    _sign_in(page, url, create_key(store, "admin", "Ada Admin")[1], f"/console/insights?{PERIOD}")
    page.locator("svg.chart").first.wait_for()
    assert page.locator("svg.chart").count() == 7
    _axe_clean(page, axe_source)
    page.screenshot(path=str(ROOT / "docs" / "insights-dashboard.png"), full_page=True)

    page.get_by_role("link", name="Content gaps").click()
    gap = page.locator("section.gap", has_text="student").first
    gap.wait_for()
    _axe_clean(page, axe_source)
    page.screenshot(path=str(ROOT / "docs" / "insights-gaps.png"))
    gap.get_by_label("Add as example questions to").select_option("promo-codes")
    gap.get_by_role("button", name="Propose").click()
    page.get_by_text("Change proposed").wait_for()
    assert page.locator("pre.diff").first.inner_text().count("+  - ") >= 3
    _axe_clean(page, axe_source)
    page.screenshot(path=str(ROOT / "docs" / "insights-changes.png"))
    page.get_by_role("button", name="Approve and re-index").first.click()
    page.get_by_text("Approved:").wait_for(timeout=120_000)
    _axe_clean(page, axe_source)

    after = _ask(url)
    assert after["decision"] == "answered" and after["answer"]["article_id"] == "promo-codes"
    assert told_peers == [app.version]  # once, after this worker switched to the new index
    promo = Path(app.settings.kb_path) / "en" / "promo-codes.md"
    assert QUESTION in promo.read_text(encoding="utf-8")
