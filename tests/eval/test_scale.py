"""`faqbot bench --scale` on two small sizes: a real build, a real `faqbot serve`, the real model."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import main
from eval.scale import run_scale_bench


def test_each_size_reuses_the_smaller_ones_vectors_and_is_served(tmp_path: Path) -> None:
    lines: list[str] = []
    figures = run_scale_bench([40, 20], n_requests=5, echo=lines.append, index_dir=tmp_path)
    small, big = figures["sizes"]
    assert (small["articles"], big["articles"]) == (20, 40)
    assert small["embedded"] == small["units"] > 0
    assert big["embedded"] == big["units"] - small["units"]  # the first 20 articles are the same
    for row in (small, big):
        assert row["disk_mb"] > 0 and row["build_peak_rss_mb"] > 100
        assert 0 < row["p50_ms"] <= row["p99_ms"] and row["server_rss_mb"] > 100
        assert row["vectors"] == "flat" and row["classifier"] is True
    assert "20 articles: embedding…" in lines and not list(tmp_path.glob(".index.embeddings"))


def test_bad_sizes_are_one_line() -> None:
    result = CliRunner().invoke(main, ["bench", "--scale", "--scale-sizes", "10,x"])
    assert result.exit_code == 2 and "expected positive sizes like 1000,10000, got '10,x'" in result.output
