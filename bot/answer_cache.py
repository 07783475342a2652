"""A bounded cache of the per-question work that does not depend on the session.

Support traffic is repetitive: a few dozen questions make most of the volume. For one question
text, language hint, previous language and index, the bot's language detection, analysis,
embedding, retrieval and confidence model always give the same ranked, scored evidence, so a
repeated question can skip all of them and go straight to the decision.

What it holds: the detected language and the ranked hits (article ids and numbers). Never the
question: the key is a SHA-256 of the *redacted* normalised text (bot.pii), so neither the keys
nor the values carry what the transcript would not. A question that differs from a cached one
only in its personal data (another e-mail address) shares its entry: personal data says nothing
about which article answers. The cache belongs to one Bot, and a reload builds a new Bot over the
new index, so a reload starts empty; the index version is in the key all the same.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

from indexer.hits import Hit


@dataclass(frozen=True)
class Ranked:
    """What the bot worked out for one question: the language and the scored candidates."""

    lang: str
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class CacheStats:
    size: int
    capacity: int
    hits: int
    misses: int

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class AnswerCache:
    """Least-recently-used, at most `capacity` entries (0: off), safe across server threads."""

    def __init__(self, capacity: int, index_version: str) -> None:
        if capacity < 0:
            raise ValueError(f"capacity must not be negative, got {capacity!r}")
        self.capacity, self.index_version = capacity, index_version
        self._entries: OrderedDict[bytes, Ranked] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def key(self, redacted: str, hint: str | None, previous: str | None) -> bytes:
        """The entry's key: a digest, so the text itself is not kept."""
        parts = (self.index_version, redacted, hint or "", previous or "")
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()

    def get(self, key: bytes) -> Ranked | None:
        if not self.capacity:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return found

    def put(self, key: bytes, value: Ranked) -> None:
        if not self.capacity:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(len(self._entries), self.capacity, self._hits, self._misses)
