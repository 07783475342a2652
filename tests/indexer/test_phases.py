"""Index build phases: each one's time and its own peak memory; `faqbot index` prints them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from click.testing import CliRunner

from cli import main
from indexer.phases import Phases
from tests.conftest import TINY_KB, write_kb


def test_each_phase_has_its_own_peak() -> None:
    heard: list[str] = []
    phases = Phases(heard.append)
    with phases.phase("small"):
        pass
    with phases.phase("big"):
        block = np.ones(300 * 2**20 // 8)  # 300 MB, touched
        del block
    with phases.phase("small again"):
        pass
    small, big, again = phases.done
    assert heard == ["small", "big", "small again"]
    assert big.peak_rss_mb >= small.peak_rss_mb + 250
    assert again.peak_rss_mb < big.peak_rss_mb - 250  # the peak was reset when the phase began
    assert phases.peak_rss_mb == big.peak_rss_mb
    assert all(p.seconds >= 0 for p in phases.done)
    assert "big" in phases.table() and "MB" in phases.table()


def test_faqbot_index_prints_its_phases_and_peak_memory(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb", TINY_KB)
    env = {"FAQBOT_CONFIG": str(tmp_path / "none.toml")}
    result = CliRunner().invoke(main, ["index", str(kb), "--out", str(tmp_path / "index")], env=env)
    assert result.exit_code == 0, result.output
    for name in ("embedding", "BM25", "vectors", "classifier", "calibration folds", "writing"):
        assert f"Phase: {name}…" in result.output
    assert "Peak memory" in result.output and " MB" in result.output
