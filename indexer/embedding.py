"""Embedding an index's units: vectors of unchanged texts are reused, and a crash loses little.

A large build spends most of its time here (a 50,000-article KB embeds for the better part of an
hour on 2 cores), and a crash, an out-of-memory kill or a Ctrl-C used to throw all of it away. So
the vectors embedded so far are written to a checkpoint folder beside the index's versions every
`CHECKPOINT_TEXTS` texts, one chunk file at a time, each renamed into place so that a chunk is whole
or absent. The next build with the same encoder reads the chunks back and embeds only the rest; a
finished build removes the checkpoint. Keys are digests of (role, kind, language, text), so the
checkpoint serves any later build that contains the same texts, not only the same KB.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from indexer.encoders import Encoder
from indexer.store import HybridIndex, Unit

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]

# Titles and example questions are questions too: e5 matches question to question best when both
# carry the query prefix (its "symmetric task" mode); body passages keep the passage prefix.
AS_QUERY = frozenset({"title", "question"})
BATCH = 64
CHECKPOINT_TEXTS = 2048  # ~30 s of embedding on 2 cores: what a crash can cost at most


def unit_key(u: Unit) -> str:
    """What a unit's vector depends on, as a digest: its role for the encoder, kind, language, text."""
    role = "query" if u.kind in AS_QUERY else "passage"
    return hashlib.sha256("\x1f".join((role, u.kind, u.lang, u.text)).encode("utf-8")).hexdigest()[:32]


class Checkpoint:
    """Vectors embedded by an unfinished build, by unit key, for one encoder."""

    def __init__(self, folder: Path, encoder: Encoder) -> None:
        self.folder, self.encoder = folder, encoder
        self._keys: list[str] = []
        self._vectors: list[np.ndarray] = []

    def load(self) -> dict[str, np.ndarray]:
        """The vectors a crashed build left, or nothing when they were made by another encoder."""
        marker = self.folder / "encoder"
        if not marker.is_file() or marker.read_text(encoding="utf-8") != self.encoder.name:
            self.clear()
            return {}
        found: dict[str, np.ndarray] = {}
        for chunk in sorted(self.folder.glob("chunk-*.npz")):
            try:
                with np.load(chunk) as z:
                    keys, vectors = z["keys"], z["vectors"]
            except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
                log.warning("skipping unreadable embedding checkpoint %s: %s", chunk.name, e)
                continue
            if vectors.shape != (len(keys), self.encoder.dim):
                log.warning("skipping embedding checkpoint %s: shape %s", chunk.name, vectors.shape)
                continue
            found.update(zip(keys.tolist(), vectors, strict=True))
        if found:
            log.info("resuming an unfinished build: %d vectors from %s", len(found), self.folder)
        return found

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        self._keys.extend(keys)
        self._vectors.append(np.asarray(vectors, dtype=np.float32).reshape(len(keys), self.encoder.dim))
        if len(self._keys) >= CHECKPOINT_TEXTS:
            self.flush()

    def flush(self) -> None:
        if not self._keys:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "encoder").write_text(self.encoder.name, encoding="utf-8")
        # Unique names: two builds of one index (refused by the CLI's lock, possible from code)
        # never overwrite each other's chunks.
        name = f"chunk-{time.time_ns()}-{os.getpid()}.npz"
        final, partial = self.folder / name, self.folder / f".{name}"
        np.savez(partial, keys=np.array(self._keys), vectors=np.vstack(self._vectors))
        os.replace(partial, final)
        self._keys, self._vectors = [], []

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self._keys, self._vectors = [], []


def embed_units(units: Sequence[Unit], keys: Sequence[str], encoder: Encoder, old: HybridIndex | None,
                progress: Progress | None, checkpoint: Checkpoint | None = None) -> tuple[np.ndarray, int]:
    """The units' vectors, reusing the previous index's for unchanged texts and a crashed build's
    checkpoint, and how many were embedded anew (titles and questions as queries, body passages
    as passages)."""
    cache: dict[str, np.ndarray] = checkpoint.load() if checkpoint is not None else {}
    if old is not None:
        old_vectors = old.vectors.vectors()
        cache.update((unit_key(u), old_vectors[i]) for i, u in enumerate(old.units))
    todo = sorted({k: i for i, k in enumerate(keys) if k not in cache}.values())
    for start in range(0, len(todo), BATCH):
        rows = todo[start:start + BATCH]
        as_query = [i for i in rows if units[i].kind in AS_QUERY]
        as_passage = [i for i in rows if units[i].kind not in AS_QUERY]
        for group, encode in ((as_query, encoder.encode_queries), (as_passage, encoder.encode_passages)):
            if not group:
                continue
            vecs = encode([units[i].text for i in group], [units[i].lang for i in group])
            for i, v in zip(group, vecs, strict=True):
                cache[keys[i]] = v
            if checkpoint is not None:
                checkpoint.add([keys[i] for i in group], vecs)
        if progress:
            progress(min(start + BATCH, len(todo)), len(todo))
    if progress and not todo:
        progress(0, 0)
    if checkpoint is not None:
        checkpoint.flush()
    vectors = np.zeros((len(units), encoder.dim), dtype=np.float32)
    for i, k in enumerate(keys):
        vectors[i] = cache[k]
    return vectors, len(todo)
