"""A bounded cache of the per-question work that does not depend on the session.

Support traffic is repetitive: a few dozen questions make most of the volume. For one question
text and index, the bot's language detection (given the hint and the conversation's previous
language), analysis, embedding, retrieval and confidence model always give the same ranked,
scored evidence, so a repeated question can skip all of them and go straight to the decision.
The bot keeps two: detections by (text, hint, previous language), rankings by (text, detected
language), so a question asked in any conversation shares its ranking.

What they hold: languages, and ranked hits (article ids and numbers). Never the question: keys
are SHA-256 digests of the *redacted* normalised text (bot.pii), so neither the keys nor the
values carry what the transcript would not. A question that differs from a cached one
only in its personal data (another e-mail address) shares its entry: personal data says nothing
about which article answers. The cache belongs to one Bot, and a reload builds a new Bot over the
new index, so a reload starts empty; the index version is in the key all the same.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


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


class AnswerCache(Generic[V]):
    """Least-recently-used, at most `capacity` entries (0: off), safe across server threads."""

    def __init__(self, capacity: int, index_version: str) -> None:
        if capacity < 0:
            raise ValueError(f"capacity must not be negative, got {capacity!r}")
        self.capacity, self.index_version = capacity, index_version
        self._entries: OrderedDict[bytes, V] = OrderedDict()
        self._lock = threading.Lock()
        self._hits = self._misses = 0

    def key(self, redacted: str, *context: str | None) -> bytes:
        """The entry's key: a digest of the index version, the redacted text and its context
        (languages, the operation), so the text itself is not kept."""
        parts = (self.index_version, redacted, *(c or "" for c in context))
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()

    def get(self, key: bytes) -> V | None:
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

    def put(self, key: bytes, value: V) -> None:
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
