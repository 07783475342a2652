"""`faqbot gaps` and `faqbot report --lang/--queue` on the seeded store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from bot import Bot
from bot.analytics import analytics
from bot.store import Store
from cli import main
from indexer import HybridIndex


def _config(tmp_path: Path, store: Store, demo_slice: tuple[Path, HybridIndex]) -> Path:
    path = tmp_path / "faqbot.toml"
    path.write_text(f'store_url = "{store.url}"\nindex_dir = "{demo_slice[1].path}"\n'
                    f'kb_path = "{demo_slice[0]}"\n', encoding="utf-8")
    return path


def test_gaps_json_and_text(tmp_path: Path, seeded: tuple[Store, Bot, Any],
                            demo_slice: tuple[Path, HybridIndex]) -> None:
    store, _, _ = seeded
    config = _config(tmp_path, store, demo_slice)
    result = CliRunner().invoke(main, ["--config", str(config), "gaps", "--since", "2026-11-01", "--json"])
    assert result.exit_code == 0, result.output
    gaps = json.loads(result.stdout)["gaps"]
    assert gaps and gaps[0]["size"] >= gaps[-1]["size"] and gaps[0]["examples"] and gaps[0]["by_lang"]
    text = CliRunner().invoke(main, ["--config", str(config), "gaps", "--since", "2026-11-01", "--top", "3"])
    assert text.exit_code == 0 and text.stdout.count(" asked (") == 3 and "closest:" in text.stdout
    later = CliRunner().invoke(main, ["--config", str(config), "gaps", "--since", "2030-01-01"])
    assert later.exit_code == 0 and "No gaps" in later.stdout


def test_report_filters_match_the_library(tmp_path: Path, seeded: tuple[Store, Bot, Any],
                                          demo_slice: tuple[Path, HybridIndex]) -> None:
    store, _, _ = seeded
    config = _config(tmp_path, store, demo_slice)
    result = CliRunner().invoke(main, ["--config", str(config), "report", "--lang", "th", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["totals"] == json.loads(json.dumps(analytics(store, lang="th").to_dict()))["totals"]
    assert data["agents"] and data["lang"] == "th"
    table = CliRunner().invoke(main, ["--config", str(config), "report"])
    assert "1st reply p50 min" in table.stdout and "down" in table.stdout
