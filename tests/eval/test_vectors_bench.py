"""faqbot bench --vectors at a small size: every figure present, IVF and HNSW at the recall goal."""

from __future__ import annotations

from eval.vectors_bench import run_vectors_bench


def test_small_run_reports_each_search_and_its_recall() -> None:
    out = run_vectors_bench([4000], echo=lambda s: None, n_queries=100)
    (row,) = out["sizes"]
    assert row["n"] == 4000 and out["vectors"] == "synthetic clusters"
    for name in ("flat", "ivf", "hnsw"):
        assert 0 < row[f"{name}_p50_ms"] <= row[f"{name}_p95_ms"]
    assert row["ivf_recall_at_10"] >= 0.98 and row["hnsw_recall_at_10"] >= 0.99
    assert 0 < row["ivf_nprobe"] <= row["ivf_nlist"]
