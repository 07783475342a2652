"""/console/insights on the seeded store through the real app: the dashboard's figures are
`faqbot report --json`'s, the CSV too; gaps → propose → (admin) approve writes the KB; roles."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from api import create_app
from bot import Bot
from bot.keys import create_key
from bot.store import Store
from cli import main
from indexer import HybridIndex, load_index
from indexer.encoders import Encoder
from kb import Settings
from server.console import EXTENSION, ConsoleConfig
from server.console.insights import FIGURES
from tests.seeded_store import START, Clock
from tests.server.test_console import sign_in

DAY = 86_400
PERIOD = "since=2026-11-18&until=2026-12-02"


@pytest.fixture
def app(tmp_path: Path, seeded: tuple[Store, Bot, Any], demo_slice: tuple[Path, HybridIndex],
        encoder: Encoder) -> Flask:
    store = seeded[0]
    shutil.copytree(demo_slice[0].parent, tmp_path / "site", symlinks=True)
    settings = Settings(store_url=store.url, kb_path=str(tmp_path / "site" / "kb"),
                        index_dir=str(tmp_path / "site" / "index"))
    app = create_app(settings, bot=Bot(load_index(settings.index_dir), encoder, settings), store=store)
    app.extensions[EXTENSION] = ConsoleConfig(Clock(START + 15 * DAY))
    return app


def _report_json(store: Store, *args: str) -> dict[str, Any]:
    config = Path(store.url.removeprefix("sqlite:///")).with_suffix(".toml")
    config.write_text(f'store_url = "{store.url}"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "report", "--json", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _num(text: str) -> float | None:
    return None if text in ("", "–") else float(text)


@pytest.mark.parametrize("filters", ["", "&language=th", "&queue=general"])
def test_dashboard_figures_equal_faqbot_report(app: Flask, seeded: tuple[Store, Bot, Any],
                                               filters: str) -> None:
    store = seeded[0]
    client = app.test_client()
    sign_in(client, create_key(store, "manager", "Mia")[1])
    page = client.get(f"/console/insights?{PERIOD}{filters}").get_data(as_text=True)
    args = ["--since", "2026-11-18", "--until", "2026-12-02"]
    if filters:
        args += ["--lang", "th"] if "language" in filters else ["--queue", "general"]
    expected = _report_json(store, *args)
    totals = expected["totals"]
    assert totals["conversations"] > 0
    found = dict(re.findall(r'data-metric="(\w+)"(?: data-value="([^"]*)")?>', page.split('id="days"')[0]))
    for name in ("auto_resolution_rate", "csat_avg", "out_of_hours_share"):
        assert _num(found[name]) == pytest.approx(totals[name], abs=1e-4), name
    for name in ("conversations", "escalations", "helpful_yes", "helpful_no", "response_ms_p50",
                 "response_ms_p95"):
        value = re.search(rf'data-metric="{name}">([^<]*)<', page).group(1)  # type: ignore[union-attr]
        assert _num(value) == pytest.approx(totals[name]), name
    for reason, n in totals["escalations_by_reason"].items():
        assert f'<td data-reason="{reason}">{n}</td>' in page
    # one row per day, each figure the JSON's by_day figure
    days = {d["day"]: d for d in expected["by_day"]}
    rows = re.findall(r'<tr data-day="([\d-]+)">(.*?)</tr>', page, re.S)
    assert {day for day, _ in rows} == set(days)
    for day, row in rows:
        cells = re.findall(r'data-metric="(\w+)">([^<]*)<', row)
        for name, value in cells:
            assert _num(value) == pytest.approx(days[day][name], abs=1e-4), (day, name)
    # charts: SVG with a title and every value in its description, no script
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 7
    assert "<script>" not in page.split("</head>")[1]
    csv_text = client.get(f"/console/insights/export.csv?{PERIOD}{filters}").get_data(as_text=True)
    table = list(csv.DictReader(io.StringIO(csv_text)))
    assert table[-1]["day"] == "all" and len(table) == len(days) + 1
    for name in FIGURES:
        assert _num(table[-1][name]) == pytest.approx(totals[name], abs=1e-4), name


def test_gap_to_approved_change(app: Flask, seeded: tuple[Store, Bot, Any]) -> None:
    store = seeded[0]
    manager, admin = app.test_client(), app.test_client()
    sign_in(manager, create_key(store, "manager", "Mia")[1])
    sign_in(admin, create_key(store, "admin", "Ada")[1])
    page = manager.get(f"/console/insights/gaps?{PERIOD}").get_data(as_text=True)
    gap_id = re.search(r'id="gap-(\w+)"', page).group(1)  # type: ignore[union-attr]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = manager.post(f"/console/insights/gaps/{gap_id}/propose?{PERIOD}",
                     data={"csrf": csrf, "kind": "add_questions", "article_id": "promo-codes"})
    assert r.status_code == 303 and "/console/insights/changes" in r.headers["Location"]
    changes = manager.get(r.headers["Location"]).get_data(as_text=True)
    change_id = re.search(r'<article class="gap" id="(chg_\w+)"', changes).group(1)  # type: ignore[union-attr]
    assert "+++ b/en/promo-codes.md" in changes or "+++ b/" in changes
    assert "Only an admin can approve or reject." in changes
    refused = manager.post(f"/console/insights/changes/{change_id}/approve", data={"csrf": csrf})
    assert refused.status_code == 403
    admin_page = admin.get("/console/insights/changes").get_data(as_text=True)
    admin_csrf = re.search(r'name="csrf" value="([^"]+)"', admin_page).group(1)  # type: ignore[union-attr]
    assert admin.post(f"/console/insights/changes/{change_id}/approve").status_code == 403  # no CSRF token
    r = admin.post(f"/console/insights/changes/{change_id}/approve", data={"csrf": admin_csrf})
    assert r.status_code == 303 and "done=approved" in r.headers["Location"]
    assert store.kb_change(change_id).status == "approved"  # type: ignore[union-attr]
    audit = [(e.actor, e.action) for e in store.audit_log(limit=5)]
    assert ("Ada", "kb_change_approve") in audit and ("Mia", "kb_change_propose") in audit


def test_roles_and_languages(app: Flask, seeded: tuple[Store, Bot, Any]) -> None:
    store = seeded[0]
    agent = app.test_client()
    sign_in(agent, create_key(store, "agent", "Al")[1])
    assert agent.get("/console/insights").status_code == 403
    assert app.test_client().get("/console/insights").status_code == 303
    manager = app.test_client()
    sign_in(manager, create_key(store, "manager", "Mia")[1])
    for lang, word in (("th", "ข้อมูลเชิงลึก"), ("et", "Ülevaade"), ("zh-TW", "洞察報表"), ("zh-CN", "洞察报表")):
        assert word in manager.get(f"/console/insights?lang={lang}").get_data(as_text=True)
    assert manager.get("/console/insights?since=yesterday").status_code == 400


def test_label_then_coverage_report(app: Flask, seeded: tuple[Store, Bot, Any]) -> None:
    store = seeded[0]
    manager = app.test_client()
    sign_in(manager, create_key(store, "manager", "Mia")[1])
    before = len(store.labels())
    page = manager.get(f"/console/insights/gaps?{PERIOD}").get_data(as_text=True)
    gap_id = re.search(r'id="gap-(\w+)"', page).group(1)  # type: ignore[union-attr]
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    url = f"/console/insights/gaps/{gap_id}/label?{PERIOD}"
    bad = manager.post(url, data={"csrf": csrf, "article_id": "nope"})
    assert bad.status_code == 303 and "error=" in bad.headers["Location"] and len(store.labels()) == before
    r = manager.post(url, data={"csrf": csrf, "article_id": ""})
    assert r.status_code == 303 and "done=labelled" in r.headers["Location"]
    labelled = store.labels()[before:]
    assert labelled and all(lab.article_id == "" and lab.by == "Mia" for lab in labelled)
    assert "questions labelled." in manager.get(r.headers["Location"]).get_data(as_text=True)
    report = manager.get(f"/console/insights/coverage?{PERIOD}")
    assert report.status_code == 200
    html = report.get_data(as_text=True)
    assert "faqbot coverage report: live questions 2026-11-18 to 2026-12-02" in html
    assert 'id="gaps-out-of-scope"' in html and "(now " in html
