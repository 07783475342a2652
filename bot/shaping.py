"""Answers that fit in a chat: the passage of the article that answers the question.

The passage is the section whose indexed text is closest to the question (the retrieval's own
best unit when it was a section, else the article's sections scored against the question's
vector; one-line sections only when there is nothing else), as Markdown after its heading in bold
(unless it is the article's first section). A section too long for a chat bubble is cut to a few
blocks (list items, paragraphs, sentences: sentencex splits sentences, except in Thai, which ends
a sentence with a space) around the block sharing most words with the question. A one-line intro
is joined by the section after it, so a passage always says something.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from sentencex import segment

from indexer.analyzers import analyze
from indexer.store import HybridIndex
from kb.models import Article
from kb.passages import plain_text, sections, weighted_length

__all__ = ["PASSAGE_BUDGET", "Shaper"]

PASSAGE_BUDGET = 480  # weighted characters (a CJK or Thai character counts 3): about 80 words
_MIN_WORDS = 12  # a passage shorter than this takes the next section too
_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-+*])\s+")
_THAI_SENTENCE = re.compile(r"(?<=[\u0e00-\u0e7f])\s+(?=[\u0e00-\u0e7f])")


def _blocks(markdown: str) -> list[str]:
    """A section's Markdown as blocks: each list item, and each sentence of a paragraph."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", markdown):
        lines = [ln for ln in para.splitlines() if ln.strip()]
        if lines and all(_LIST_ITEM.match(ln) or ln.startswith("  ") for ln in lines):
            out.extend(lines)
        elif lines:
            out.extend(_sentences(" ".join(ln.strip() for ln in lines)))
    return out


def _sentences(text: str) -> list[str]:
    if re.search(r"[\u0e00-\u0e7f]", text):
        return [s for s in _THAI_SENTENCE.split(text) if s.strip()]
    return [s.strip() for s in segment("en", text) if s.strip()]


def _words(text: str) -> int:
    plain = plain_text(text)
    return max(len(plain.split()), weighted_length(plain) // 6)


class Shaper:
    """Cuts answers to their passage; built once per index (the section rows are indexed here)."""

    def __init__(self, index: HybridIndex) -> None:
        self.index = index
        rows: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for row, unit in enumerate(index.units):
            if unit.kind == "section":
                rows[(unit.article_id, unit.lang)][unit.heading].append(row)
        self._rows = {k: dict(v) for k, v in rows.items()}
        self._vectors: np.ndarray | None = None

    def _matrix(self) -> np.ndarray:
        if self._vectors is None:  # read once, on the first answer that needs it
            self._vectors = self.index.vectors.vectors()
        return self._vectors

    def best_heading(self, article: Article, vector: Callable[[], np.ndarray] | None,
                     unit: int = -1) -> str | None:
        """The heading of the section of `article` closest to the question (None: no sections)."""
        if 0 <= unit < len(self.index.units):
            hit = self.index.units[unit]
            if hit.kind == "section" and hit.article_id == article.id and hit.lang == article.lang:
                return hit.heading
        headings = self._rows.get((article.id, article.lang))
        if not headings:
            return None
        if vector is None:
            return next(iter(headings))
        # A one-line section ("See [another article]") says too little to be the answer alone.
        sized = {h for h, text in sections(article.body) if _words(text) >= _MIN_WORDS}
        pool = [h for h in headings if h in sized] or list(headings)
        if len(pool) == 1:
            return pool[0]  # nothing to choose between: no need to embed the question
        matrix = self._matrix()
        q = np.asarray(vector(), dtype=np.float32)
        return max(pool, key=lambda h: float(np.max(matrix[headings[h]] @ q)))

    def passage(self, article: Article, question: str = "", lang: str = "",
                vector: Callable[[], np.ndarray] | None = None, unit: int = -1) -> str:
        """The Markdown passage of `article` that answers `question`: its best section's text."""
        parts = sections(article.body)
        if not parts:
            return article.body.strip()
        heading = self.best_heading(article, vector, unit)
        at = next((i for i, (h, _) in enumerate(parts) if h == heading), 0)
        text = self._fit(parts[at][1], question, lang or article.lang)
        chosen = [(parts[at][0], text)]
        if _words(text) < _MIN_WORDS and at + 1 < len(parts):
            chosen.append((parts[at + 1][0], self._fit(parts[at + 1][1], question, lang or article.lang)))
        # The chat shows the title above the passage; a later section's heading says which part
        # of the article this is ("Signed up with Apple or Google?").
        first = parts[0][0]
        return "\n\n".join(f"**{h}**\n\n{t}" if h and h != first else t for h, t in chosen).strip()

    def _fit(self, markdown: str, question: str, lang: str) -> str:
        """The section, or the run of its blocks around the one closest to the question."""
        if weighted_length(plain_text(markdown)) <= PASSAGE_BUDGET:
            return markdown.strip()
        blocks = _blocks(markdown)
        if not blocks:
            return markdown.strip()
        asked = set(analyze(question, lang)) if question else set()
        scores = [len(asked & set(analyze(plain_text(b), lang))) for b in blocks]
        best = max(range(len(blocks)), key=lambda i: (scores[i], -i))
        lo = hi = best
        size = weighted_length(plain_text(blocks[best]))
        while True:  # grow around the best block, preferring what follows it (steps, details)
            grown = False
            for j in (hi + 1, lo - 1):
                if 0 <= j < len(blocks) and not lo <= j <= hi:
                    cost = weighted_length(plain_text(blocks[j]))
                    if size + cost <= PASSAGE_BUDGET:
                        size += cost
                        lo, hi = min(lo, j), max(hi, j)
                        grown = True
                        break
            if not grown:
                break
        listed = all(_LIST_ITEM.match(b) for b in blocks[lo:hi + 1])
        return ("\n" if listed else " ").join(blocks[lo:hi + 1]).strip()
