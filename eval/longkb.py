"""A KB of long articles, built from the demo bodies: what an imported help center looks like.

`--articles` articles dealt evenly over the demo KB's five languages, each made of several demo
articles of its language (their bodies, each under its title in bold, headings as bold lines:
one long flowing section, as a Wikipedia-length paragraph run or a help-center page is) until
it reaches `--words` words (a Thai or Chinese character counts as a third of a word, as in
kb.passages.weighted_length), with no example questions: the articles-only case whose index
build cost gigabytes and minutes (issue 23).

    python -m eval.longkb --out var/longkb.jsonl --articles 1000 --words 500
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from kb import Article, KnowledgeBase, load_kb
from kb.errors import FaqbotError, RequestError
from kb.intents import write_kb_jsonl
from kb.passages import weighted_length

ROOT = Path(__file__).resolve().parent.parent
CHARS_PER_WORD = 6  # weighted characters of an average word with its space


def long_kb(n_articles: int = 1000, words: int = 500, seed: int = 0,
            source: KnowledgeBase | None = None) -> KnowledgeBase:
    """`n_articles` seeded long articles over the languages of `source` (the demo KB)."""
    if n_articles < 1:
        raise RequestError(f"articles must be at least 1, got {n_articles!r}")
    if words < 50:
        raise RequestError(f"words must be at least 50, got {words!r}")
    source = source or load_kb(ROOT / "articles")
    rng = random.Random(seed)
    by_lang: dict[str, list[Article]] = defaultdict(list)
    for a in source:
        if a.body.strip():
            by_lang[a.lang].append(a)
    langs = sorted(by_lang)
    out = []
    for i in range(n_articles):
        lang = langs[i % len(langs)]
        pool = by_lang[lang]
        parts: list[Article] = []
        while sum(weighted_length(p.body) for p in parts) < words * CHARS_PER_WORD and len(parts) < len(pool):
            parts.append(rng.choice([p for p in pool if p not in parts]))
        title = f"{parts[0].title} · {parts[1].title}" if len(parts) > 1 else parts[0].title
        body = "\n\n".join(f"**{p.title}**\n\n{_flattened(p.body)}" for p in parts)
        out.append(Article(f"long-{i:05d}", lang, f"{title} ({i // len(langs) + 1})", body))
    return KnowledgeBase(tuple(out), source.default_lang)


def _flattened(body: str) -> str:
    """The body with its headings as bold lines, so it stays one section."""
    return "\n".join(f"**{line.lstrip('#').strip()}**" if line.startswith("#") else line
                     for line in body.splitlines())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.longkb", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="KB JSONL file to write")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--words", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        kb = long_kb(args.articles, args.words, args.seed)
    except FaqbotError as e:
        parser.error(str(e))
    write_kb_jsonl(kb.articles, args.out)
    mean = sum(weighted_length(a.body) for a in kb) / len(kb) / CHARS_PER_WORD
    print(f"wrote {len(kb)} articles in {', '.join(kb.languages)} (~{mean:.0f} words each) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
