"""Vector search: exact below the limit, IVF tuned to recall@10 >= 0.99 against exact above it,
recorded in the manifest, saved, memory-mapped back and searched the same."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import indexer.build
from indexer import build_index, load_index
from indexer.encoders import Encoder
from indexer.vectors import RECALL_TARGET, VectorIndex
from kb import KnowledgeBase


def _clustered(n: int, dim: int = 64) -> np.ndarray:
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((50, dim))
    x = centres[rng.integers(0, 50, n)] + 0.6 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _recall(a: VectorIndex, b: VectorIndex, queries: np.ndarray) -> float:
    hits = [len(set(a.search(q, 10)[0].tolist()) & set(b.search(q, 10)[0].tolist())) / 10 for q in queries]
    return float(np.mean(hits))


def test_exact_below_the_limit_and_ivf_above_it(tmp_path: Path) -> None:
    everything = _clustered(6300)
    data, fresh = everything[:6000], everything[6000:]  # fresh: questions not in the index
    assert VectorIndex.build(data, exact_limit=10_000).layout.kind == "flat"
    assert VectorIndex.build(data).layout.kind == "flat"  # no limit: always exact
    ivf = VectorIndex.build(data, exact_limit=5000, queries=data[:200])
    layout = ivf.layout
    assert layout.kind == "ivf" and layout.nlist == int(4 * np.sqrt(6000))
    assert 0 < layout.nprobe < layout.nlist and layout.recall_at_10 >= RECALL_TARGET
    # Fresh questions (not the tuning sample) reach the target too.
    exact = VectorIndex.build(data)
    assert _recall(ivf, exact, fresh) >= RECALL_TARGET
    ivf.save(tmp_path)
    loaded = VectorIndex.load(tmp_path)
    assert (loaded.layout.kind, loaded.layout.nprobe) == ("ivf", layout.nprobe)
    assert np.array_equal(loaded.search(fresh[0], 20)[0], ivf.search(fresh[0], 20)[0])
    assert np.allclose(loaded.vectors(), data, atol=1e-6)


@pytest.mark.parametrize("exact_limit", [None, 500])
def test_searching_many_rows_is_searching_each(exact_limit: int | None) -> None:
    data = _clustered(1000)
    index = VectorIndex.build(data, exact_limit=exact_limit)
    ids, sims = index.search_many(data[:5], 7)
    assert ids.shape == sims.shape == (5, 7)
    for row, q in enumerate(data[:5]):
        one_ids, one_sims = index.search(q, 7)
        assert ids[row].tolist() == one_ids.tolist() and np.allclose(sims[row], one_sims)


def test_a_big_index_records_ivf_in_its_manifest_and_answers_the_same(
        tmp_path: Path, tiny_kb: KnowledgeBase, encoder: Encoder, monkeypatch: pytest.MonkeyPatch) -> None:
    exact, _ = build_index(tiny_kb, tmp_path / "exact", encoder)
    assert exact.manifest["vectors"]["kind"] == "flat"
    monkeypatch.setattr(indexer.build, "EXACT_LIMIT", 10)
    approx, stats = build_index(tiny_kb, tmp_path / "approx", encoder)
    manifest = json.loads((tmp_path / "approx" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["vectors"]["kind"] == "ivf" and manifest["vectors"]["recall_at_10"] >= RECALL_TARGET
    loaded = load_index(tmp_path / "approx", encoder.name)  # memory-mapped, as the server opens it
    assert loaded.vectors.layout.kind == "ivf"
    for u in loaded.units[:10]:
        q = encoder.encode_queries([u.text])[0]
        assert loaded.vectors.search(q, 10)[0].tolist() == exact.vectors.search(q, 10)[0].tolist()
    # A rebuild reuses the IVF index's vectors.
    _, again = build_index(tiny_kb, tmp_path / "approx", encoder)
    assert again.n_embedded == 0 and again.n_reused == stats.n_units
