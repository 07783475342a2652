"""faqbot bench --peers at tiny sizes, on the real libraries: every row, recall, a missing peer named."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from eval import peers
from eval.peers import end_to_end, run_peers_bench


def test_tiny_run_produces_every_row_with_recall() -> None:
    out = run_peers_bench([3000], echo=lambda s: None, n_queries=40, rank_bm25_queries=5, e2e=False)
    assert out["missing"] == {} and out["cores"] >= 1
    (bm25,) = out["bm25"]
    for name in ("ours", "bm25s", "rank_bm25"):
        assert bm25[f"{name}_build_s"] >= 0 and 0 < bm25[f"{name}_p50_ms"] <= bm25[f"{name}_p95_ms"]
    assert bm25["rank_bm25_queries"] == 5 and bm25["ours_queries"] == 40
    # Same tokens, same Lucene BM25: bm25s ranks what ours ranks (ties may swap at the 10th place).
    assert bm25["bm25s_top10_agreement"] >= 0.95
    (vec,) = out["vectors"]
    assert vec["flat_recall_at_10"] == 1.0
    for name in ("faiss_hnsw", "usearch_hnsw"):
        assert vec[f"{name}_vectors"] == 3000 and vec[f"{name}_recall_at_10"] >= 0.97
        assert vec[f"{name}_ef_search"] in (200, 400, 800, 1600)
        assert 0 < vec[f"{name}_p50_ms"] <= vec[f"{name}_p95_ms"]


def test_a_missing_peer_is_named_and_its_rows_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(peers.importlib.util, "find_spec",
                        lambda name, *a: None if name in ("usearch", "bm25s") else real(name, *a))
    lines: list[str] = []
    out = run_peers_bench([2000], echo=lines.append, n_queries=20, rank_bm25_queries=2, e2e=False)
    assert set(out["missing"]) == {"bm25s", "usearch"}
    assert any("skipped: usearch is not installed" in line for line in lines)
    assert "bm25s_p50_ms" not in out["bm25"][0] and "rank_bm25_p50_ms" in out["bm25"][0]
    assert "usearch_hnsw_p50_ms" not in out["vectors"][0] and "faiss_hnsw_p50_ms" in out["vectors"][0]


def test_build_cap_keeps_what_the_index_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    from eval import peers_vectors

    monkeypatch.setattr(peers_vectors, "CHUNK", 1000)
    row = peers_vectors.run_vector_peers(3000, n_queries=20, echo=lambda s: None, build_cap_s=1e-9)
    for name in ("faiss_hnsw", "usearch_hnsw"):
        # Stopped after the first chunk; recall is against exact search over those 1,000.
        assert row[f"{name}_vectors"] == 1000 and row[f"{name}_recall_at_10"] >= 0.97


def test_end_to_end_ratio_against_the_encoder(tmp_path: Path) -> None:
    kb = tmp_path / "kb.jsonl"
    kb.write_text("\n".join(json.dumps(a) for a in [
        {"id": "refund", "title": "Refunds", "body": "Refunds reach your card within 5 days.",
         "questions": ["how do i get a refund"]},
        {"id": "password", "title": "Reset your password", "body": "Use the link on the sign-in page.",
         "questions": ["i forgot my password"]}]) + "\n", encoding="utf-8")
    questions = [("where is my refund", "en"), ("password reset please", "en"), ("hello", None)]
    out = end_to_end(n_questions=8, rounds=2, echo=lambda s: None, index_dir=tmp_path / "index",
                     kb_path=kb, questions=questions)
    assert out["questions"] == 3 and out["encoder_p50_ms"] > 0 and out["answer_p50_ms"] > 0
    assert out["ratio_p50"] == round(out["answer_p50_ms"] / out["encoder_p50_ms"], 3)


def test_cli_rejects_bad_sizes() -> None:
    result = CliRunner().invoke(main, ["bench", "--peers", "--peer-sizes", "10k"])
    assert result.exit_code == 2 and "expected positive sizes" in result.output


def test_cli_rejects_unknown_parts() -> None:
    result = CliRunner().invoke(main, ["bench", "--peers", "--peer-parts", "bm25,gpu"])
    assert result.exit_code == 2 and "expected some of bm25,vectors,answer" in result.output
