"""A crashed build resumes from its embedding checkpoint, with the real encoder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from indexer import build_index, embedding
from indexer.embedding import Checkpoint
from indexer.encoders import Encoder
from kb import KnowledgeBase


class Crashing:
    """The real encoder until its `after`-th call, which raises as a killed process would stop."""

    def __init__(self, inner: Encoder, after: int, name: str | None = None) -> None:
        self.inner, self.after, self.calls = inner, after, 0
        self.name, self.dim = name or inner.name, inner.dim

    def _count(self) -> None:
        self.calls += 1
        if self.calls >= self.after:
            raise KeyboardInterrupt("killed while embedding")

    def encode_queries(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        self._count()
        return self.inner.encode_queries(texts, langs)

    def encode_passages(self, texts: Sequence[str], langs: Sequence[str] | None = None) -> np.ndarray:
        self._count()
        return self.inner.encode_passages(texts, langs)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding, "BATCH", 4)
    monkeypatch.setattr(embedding, "CHECKPOINT_TEXTS", 4)


def _checkpointed(folder: Path) -> int:
    return sum(len(np.load(p)["keys"]) for p in folder.glob("chunk-*.npz"))


@pytest.mark.usefixtures("small_chunks")
def test_a_crashed_build_resumes_where_it_stopped(tmp_path: Path, tiny_kb: KnowledgeBase,
                                                  encoder: Encoder) -> None:
    out, folder = tmp_path / "index", tmp_path / ".index.embeddings"
    with pytest.raises(KeyboardInterrupt, match="killed"):
        build_index(tiny_kb, out, Crashing(encoder, after=6))  # type: ignore[arg-type]
    assert not out.exists()  # nothing half-built is served
    saved = _checkpointed(folder)
    assert saved >= 8
    index, stats = build_index(tiny_kb, out, encoder)
    assert stats.n_reused == saved and stats.n_embedded == stats.n_units - saved > 0
    assert not folder.exists()  # a finished build leaves no checkpoint
    clean, _ = build_index(tiny_kb, tmp_path / "clean", encoder)
    np.testing.assert_allclose(index.vectors.vectors(), clean.vectors.vectors(), atol=1e-5)


@pytest.mark.usefixtures("small_chunks")
def test_another_encoders_checkpoint_and_torn_chunks_are_not_used(tmp_path: Path, tiny_kb: KnowledgeBase,
                                                                   encoder: Encoder) -> None:
    folder = tmp_path / ".index.embeddings"
    with pytest.raises(KeyboardInterrupt):
        build_index(tiny_kb, tmp_path / "index", Crashing(encoder, 4, name="other"))  # type: ignore[arg-type]
    assert _checkpointed(folder) > 0
    assert Checkpoint(folder, encoder).load() == {} and not folder.exists()

    with pytest.raises(KeyboardInterrupt):
        build_index(tiny_kb, tmp_path / "index", Crashing(encoder, 4))  # type: ignore[arg-type]
    saved = _checkpointed(folder)
    (folder / "chunk-9-torn.npz").write_bytes(b"PK\x03\x04 half a zip")
    assert len(Checkpoint(folder, encoder).load()) == saved
    _, stats = build_index(tiny_kb, tmp_path / "index", encoder)
    assert stats.n_reused == saved
