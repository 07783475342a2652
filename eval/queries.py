"""Labelled evaluation queries: `{"query","expected","lang"?}` or the intent form `{"text","label"}`.

JSONL or CSV with the same columns. `expected`/`label` null (or empty in CSV) marks a question no
article covers: the right outcome is not to auto-answer it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from kb.errors import FaqbotError, KBError
from kb.intents import OUT_OF_SCOPE_LABELS
from kb.languages import normalize_lang
from kb.models import KnowledgeBase
from kb.records import csv_records, jsonl_records, raise_if, read_text


@dataclass(frozen=True)
class LabeledQuery:
    text: str
    expected: str | None  # article id, or None: no article covers it
    lang: str | None = None  # the customer's language when the test set knows it
    line: int = 0

    @property
    def in_scope(self) -> bool:
        return self.expected is not None


def load_queries(path: str | Path) -> list[LabeledQuery]:
    """Every query in a JSONL or CSV file, or KBError listing each bad line (file:line: message)."""
    file = Path(path)
    if not file.is_file():
        raise KBError(f"{file}: no such query file")
    suffix = file.suffix.lower()
    if suffix not in (".jsonl", ".json", ".csv"):
        raise KBError(f"{file}: unsupported query file (use .jsonl or .csv)")
    text = read_text(file)
    errors: list[str] = []
    records: list[tuple[int, object]]
    if suffix == ".csv":
        # An empty CSV cell is how a spreadsheet says null.
        records = [(n, {k: v or None for k, v in row.items()})
                   for n, row in csv_records(file, text, errors)[1]]
    else:
        records = jsonl_records(file, text, errors)
    out: list[LabeledQuery] = []
    for line, rec in records:
        try:
            out.append(_query(rec, line))
        except FaqbotError as e:
            errors.append(f"{file}:{line}: {e}")
    # Errors come from two passes (parsing, then validation), each "<file>:<line>: ...": file order.
    raise_if(sorted(errors, key=lambda m: int(m[len(str(file)) + 1:].split(":", 1)[0])))
    if not out:
        raise KBError(f"{file}: no queries")
    return out


def _query(rec: object, line: int) -> LabeledQuery:
    if not isinstance(rec, dict):
        raise KBError("each line must be a JSON object")
    text = rec.get("query", rec.get("text"))
    if not isinstance(text, str) or not text.strip():
        raise KBError("missing query text (a 'query' or 'text' field)")
    if "expected" in rec:
        expected = rec["expected"]
    elif "label" in rec:
        expected = rec["label"]
    else:
        raise KBError("missing 'expected' (article id, or null when no article covers it)")
    if expected is not None and not isinstance(expected, str):
        raise KBError(f"expected must be an article id or null, got {expected!r}")
    if isinstance(expected, str) and expected.strip().casefold() in {"", *OUT_OF_SCOPE_LABELS}:
        expected = None
    lang = rec.get("lang")
    if lang is not None:
        if not isinstance(lang, str):
            raise KBError(f"lang must be a language code, got {lang!r}")
        lang = normalize_lang(lang)
    return LabeledQuery(" ".join(text.split()), expected.strip() if expected else None, lang, line)


def resolve_expected(queries: Sequence[LabeledQuery], kb: KnowledgeBase) -> list[LabeledQuery]:
    """Queries whose `expected` names an intent rather than an article id (e.g. a label that
    `kb import-intents` had to turn into a valid id, kept as the article's tag) get that article's id."""
    ids = set(kb.ids)
    by_tag: dict[str, set[str]] = {}
    for a in kb:
        for tag in a.tags:
            by_tag.setdefault(tag.casefold(), set()).add(a.id)
    out = []
    for q in queries:
        if q.expected is not None and q.expected not in ids:
            owners = by_tag.get(q.expected.casefold(), set())
            if len(owners) == 1:
                q = replace(q, expected=next(iter(owners)))
        out.append(q)
    return out
