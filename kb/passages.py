"""Split articles into retrievable passages: title, each example question, and body sections.

Sections follow the Markdown headings; a long section is cut at paragraph (then sentence)
boundaries so that every passage stays short enough to embed quickly and precisely.
"""

from __future__ import annotations

import re

from kb.models import Article, Passage

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_WIDE = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s*|\n+|(?<=[\u0e00-\u0e7f])\s+(?=[\u0e00-\u0e7f])")
_MD_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|[*_`>|]+|^\s*[-+]\s+", re.M)


def weighted_length(text: str) -> int:
    """Rough token-cost of text: a CJK or Thai character costs as much as ~3 Latin characters."""
    return len(text) + 2 * len(_WIDE.findall(text))


def plain_text(markdown: str) -> str:
    """Markdown without link targets, images and emphasis marks (what a reader actually sees)."""
    text = _MD_NOISE.sub(lambda m: m.group(1) or " ", markdown)
    return re.sub(r"[ \t]+", " ", text).strip()


def sections(body: str) -> list[tuple[str, str]]:
    """(heading, text) pairs in order; text before the first heading has heading ''."""
    out: list[tuple[str, list[str]]] = [("", [])]
    for line in body.splitlines():
        m = _HEADING.match(line)
        if m:
            out.append((m.group(2).strip(), []))
        else:
            out[-1][1].append(line)
    return [(h, "\n".join(lines).strip()) for h, lines in out if "\n".join(lines).strip()]


def _chunks(text: str, budget: int) -> list[str]:
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    pieces: list[str] = []
    for p in paras:
        if weighted_length(p) <= budget:
            pieces.append(p)
        else:
            pieces.extend(s.strip() for s in _SENTENCE.split(p) if s and s.strip())
    chunks: list[str] = []
    for piece in pieces:
        if chunks and weighted_length(chunks[-1]) + weighted_length(piece) + 1 <= budget:
            chunks[-1] = f"{chunks[-1]}\n{piece}"
        else:
            chunks.append(piece)
    return chunks


MAX_PSEUDO_CHARS = 160  # a first sentence longer than this is cut at a word boundary
MIN_PSEUDO_CHARS = 8  # "1.", "Steps": too little to stand in for a question
_LIST_MARK = re.compile(r"^\s*(?:\d+[.)]|[-+*•])\s*")
# A sentence ends at . ! ? (not inside "2.1" or after a list number) or a CJK full stop.
_SENTENCE_END = re.compile(r"(?<!\d)[.!?](?=\s|$)|[。！？]")


def _first_sentence(text: str) -> str:
    for line in plain_text(text).splitlines():
        line = _LIST_MARK.sub("", line).strip()
        end = _SENTENCE_END.search(line)
        first = line[: end.end()] if end else line
        if len(first) > MAX_PSEUDO_CHARS:
            cut = first[:MAX_PSEUDO_CHARS]
            first = cut.rsplit(" ", 1)[0] if " " in cut else cut
        if weighted_length(first) >= MIN_PSEUDO_CHARS:
            return first
    return ""


def pseudo_questions(article: Article) -> list[Passage]:
    """For an article without example questions (an imported help center): each section's first
    sentence stands in for what a customer would ask of it, in self-calibration only (kind
    "pseudo", `heading` naming its section). Not indexed. Headings are not used: every passage of
    their section begins with them, so one would always find itself."""
    if article.questions:
        return []
    out: list[Passage] = []
    seen = {article.title.casefold()}
    for heading, text in sections(article.body):
        candidate = _first_sentence(text)
        if weighted_length(candidate) >= MIN_PSEUDO_CHARS and candidate.casefold() not in seen:
            seen.add(candidate.casefold())
            out.append(Passage(article.id, article.lang, "pseudo", candidate, heading))
    return out


def split_article(article: Article, budget: int = 600) -> list[Passage]:
    """All passages of one article version, in a stable order."""
    if budget < 50:
        raise ValueError(f"passage budget must be at least 50, got {budget!r}")
    out = [Passage(article.id, article.lang, "title", article.title)]
    out.extend(Passage(article.id, article.lang, "question", q) for q in article.questions)
    for heading, text in sections(article.body):
        for chunk in _chunks(plain_text(text), budget):
            # The title and heading travel with each chunk so a section still says what it is about.
            context = " — ".join(x for x in (article.title, heading) if x)
            out.append(Passage(article.id, article.lang, "section", f"{context}\n{chunk}", heading))
    return out
