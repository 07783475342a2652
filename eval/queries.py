"""Labelled evaluation queries: `{"query","expected","lang"?}` or the intent form `{"text","label"}`.

JSONL or CSV with the same columns. `expected`/`label` null (or empty in CSV) marks a question no
article covers: the right outcome is not to auto-answer it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kb.errors import KBError
from kb.intents import OUT_OF_SCOPE_LABELS
from kb.languages import normalize_lang
from kb.models import KnowledgeBase

_MAX_ERRORS = 20


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
    try:
        records = list(_csv_records(file) if suffix == ".csv" else _jsonl_records(file))
    except UnicodeDecodeError as e:
        raise KBError(f"{file}: not valid UTF-8 ({e.reason} at byte {e.start})") from None
    out: list[LabeledQuery] = []
    errors: list[str] = []
    for line, rec in records:
        try:
            out.append(_query(rec, line))
        except ValueError as e:
            errors.append(f"{file}:{line}: {e}")
    if errors:
        more = f"\n... and {len(errors) - _MAX_ERRORS} more" if len(errors) > _MAX_ERRORS else ""
        raise KBError("\n".join(errors[:_MAX_ERRORS]) + more)
    if not out:
        raise KBError(f"{file}: no queries")
    return out


def _jsonl_records(file: Path) -> Any:
    with file.open(encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                yield n, ValueError(f"invalid JSON: {e.msg}")
                continue
            yield n, rec


def _csv_records(file: Path) -> Any:
    with file.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        return
    header = [h.strip().lower() for h in rows[0]]
    for n, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            yield n, ValueError(f"expected {len(header)} columns, found {len(row)}")
            continue
        # An empty CSV cell is how a spreadsheet says null.
        yield n, {k: (v.strip() or None) for k, v in zip(header, row, strict=True)}


def _query(rec: Any, line: int) -> LabeledQuery:
    if isinstance(rec, ValueError):
        raise rec
    if not isinstance(rec, dict):
        raise ValueError("each line must be a JSON object")
    text = rec.get("query", rec.get("text"))
    if not isinstance(text, str) or not text.strip():
        raise ValueError("missing query text (a 'query' or 'text' field)")
    if "expected" in rec:
        expected = rec["expected"]
    elif "label" in rec:
        expected = rec["label"]
    else:
        raise ValueError("missing 'expected' (article id, or null when no article covers it)")
    if expected is not None and not isinstance(expected, str):
        raise ValueError(f"expected must be an article id or null, got {expected!r}")
    if isinstance(expected, str) and expected.strip().casefold() in {"", *OUT_OF_SCOPE_LABELS}:
        expected = None
    lang = rec.get("lang")
    if lang is not None:
        if not isinstance(lang, str):
            raise ValueError(f"lang must be a language code, got {lang!r}")
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
