"""Import an intent dataset (JSONL, CSV, Rasa NLU YAML or JSON; see kb.rasa) as FAQ articles.

This is how a team migrates from an intent bot to the KB, and how public intent benchmarks such as
CLINC150 become a KB: each intent is one article whose example questions are its training utterances.
Out-of-scope utterances (label `oos`, `out_of_scope`, `none` or empty) become the KB's out-of-scope
examples, which teach the bot to hand such questions to a person.
Like kb.loader, a file is validated completely before anything is returned.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from kb import rasa
from kb.errors import KBError, shown
from kb.languages import normalize_lang
from kb.loader import ARTICLE_ID, article_from_record, out_of_scope_from_record
from kb.models import Article, OutOfScopeExample
from kb.records import csv_records, jsonl_records, raise_if, read_text, write_text_atomic

OUT_OF_SCOPE_LABELS = frozenset({"oos", "out_of_scope", "out-of-scope", "none"})


@dataclass(frozen=True)
class Utterance:
    """One training example of an intent bot; `label` None marks an out-of-scope utterance."""

    text: str
    label: str | None
    line: int


def read_intents(path: str | Path) -> list[Utterance]:
    """Every utterance of a .jsonl, .csv, Rasa .yml/.yaml or Rasa .json file, in file order."""
    file = Path(path)
    reader = _READERS.get(file.suffix.lower())
    if reader is None:
        raise KBError(f"{file}: unsupported intent format {file.suffix!r} "
                      "(use .jsonl, .csv, Rasa .yml/.yaml or Rasa .json)")
    errors: list[str] = []
    utterances = reader(file, read_text(file), errors)
    raise_if(errors)
    if not utterances:
        raise KBError(f"{file}:1: no utterances found")
    return utterances


def read_responses(path: str | Path) -> dict[str, str]:
    """Intent → answer text from the `responses:` of a Rasa YAML file (NLU data or domain.yml).

    `utter_<intent>` is a list of variants; the first variant with text is the answer. A file without
    `responses:` gives {} so the NLU file itself can be tried without knowing whether it has any.
    """
    file = Path(path)
    if file.suffix.lower() not in (".yml", ".yaml"):
        raise KBError(f"{file}: responses are read from a Rasa .yml/.yaml file, not {file.suffix!r}")
    errors: list[str] = []
    out = rasa.responses(file, read_text(file), errors)
    raise_if(errors)
    return out


def intents_to_articles(utterances: Iterable[Utterance], lang: str = "en",
                        responses: Mapping[str, str] | None = None, *,
                        path: str | Path | None = None) -> list[Article]:
    """One article per in-scope intent, in label order; out-of-scope utterances are skipped.

    The body is the intent's response, or "" (no answer written yet); the intent name is kept as the
    only tag. `path` is the file the utterances came from, for each article's source "path:line".
    """
    lang = normalize_lang(lang)
    by_label: dict[str, list[Utterance]] = {}
    for u in utterances:
        label = _label(u.label)
        if label is not None:
            by_label.setdefault(label, []).append(u)
    labels = sorted(by_label)
    ids = intent_article_ids(labels)
    out = []
    for label in labels:
        group = by_label[label]
        rec = {"id": ids[label], "lang": lang, "title": _humanize(label),
               "body": (responses or {}).get(label, ""), "questions": [u.text for u in group],
               "tags": [label]}
        # Built through the loader's own validation so that writing and re-loading changes nothing.
        out.append(article_from_record(rec, f"{path}:{group[0].line}" if path is not None else "", lang))
    return out


def intents_to_out_of_scope(utterances: Iterable[Utterance], lang: str = "en", *,
                            path: str | Path | None = None) -> list[OutOfScopeExample]:
    """The out-of-scope utterances as out-of-scope examples, in file order, without repeats."""
    lang = normalize_lang(lang)
    seen: dict[str, OutOfScopeExample] = {}
    for u in utterances:
        if u.label is None:
            # Through the loader's own validation, so that writing and re-loading changes nothing.
            rec = {"out_of_scope": True, "lang": lang, "questions": [u.text]}
            for e in out_of_scope_from_record(rec, f"{path}:{u.line}" if path is not None else "", lang):
                seen.setdefault(e.text, e)
    return list(seen.values())


def write_kb_jsonl(articles: Iterable[Article], path: str | Path,
                   out_of_scope: Iterable[OutOfScopeExample] = ()) -> None:
    """Write articles, then one out-of-scope record a language, as KB JSONL (what kb.loader reads);
    readers see the old file or the new, never half."""
    lines = []
    for a in articles:
        rec = {"id": a.id, "lang": a.lang, "title": a.title, "body": a.body,
               "questions": list(a.questions), "tags": list(a.tags)}
        rec.update({k: v for k, v in (("url", a.url), ("updated", a.updated)) if v})
        lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
    by_lang: dict[str, list[str]] = {}
    for e in out_of_scope:
        by_lang.setdefault(e.lang, []).append(e.text)
    for lang, questions in by_lang.items():
        lines.append(json.dumps({"out_of_scope": True, "lang": lang, "questions": questions},
                                ensure_ascii=False) + "\n")
    write_text_atomic(Path(path), "".join(lines))


def _label(raw: str | None) -> str | None:
    label = unicodedata.normalize("NFC", raw).strip() if raw else ""
    return label if label and label.casefold() not in OUT_OF_SCOPE_LABELS else None


def _from_record(rec: object, path: Path, n: int, errors: list[str]) -> Utterance | None:
    if not isinstance(rec, dict):
        errors.append(f"{path}:{n}: each utterance must be a JSON object, got {type(rec).__name__}")
        return None
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        errors.append(f"{path}:{n}: text must be a non-empty string, got {shown(text)}")
        return None
    raw = rec["label"] if "label" in rec else rec.get("intent")
    if raw is not None and not isinstance(raw, str):
        errors.append(f"{path}:{n}: label must be a string or null, got {shown(raw)}")
        return None
    return Utterance(text.strip(), _label(raw), n)


def _read_jsonl(path: Path, text: str, errors: list[str]) -> list[Utterance]:
    return [u for n, rec in jsonl_records(path, text, errors) if (u := _from_record(rec, path, n, errors))]


def _read_csv(path: Path, text: str, errors: list[str]) -> list[Utterance]:
    header, rows = csv_records(path, text, errors)
    label_col = "label" if "label" in header else "intent"
    if "text" not in header or label_col not in header:
        raise KBError(f"{path}:1: CSV needs 'text' and 'label' (or 'intent') columns, found {header}")
    out = []
    for n, row in rows:
        if not row["text"]:
            errors.append(f"{path}:{n}: empty text")
        else:
            out.append(Utterance(row["text"], _label(row[label_col]), n))
    return out


def _read_rasa_yaml(path: Path, text: str, errors: list[str]) -> list[Utterance]:
    return [Utterance(t, _label(intent), n) for t, intent, n in rasa.nlu_examples(path, text, errors)]


def _read_rasa_json(path: Path, text: str, errors: list[str]) -> list[Utterance]:
    return [u for rec, n in rasa.common_examples(path, text) if (u := _from_record(rec, path, n, errors))]


_READERS: dict[str, Callable[[Path, str, list[str]], list[Utterance]]] = {
    ".jsonl": _read_jsonl, ".csv": _read_csv, ".yml": _read_rasa_yaml, ".yaml": _read_rasa_yaml,
    ".json": _read_rasa_json,
}


def intent_article_ids(labels: list[str]) -> dict[str, str]:
    """Labels that already are valid ids keep them; the others get a slug made unique with -2, -3, ..."""
    ids = {label: label for label in labels if ARTICLE_ID.match(label)}
    taken = set(ids.values())
    for label in labels:
        if label in ids:
            continue
        base = aid = _slug(label)
        n = 1
        while aid in taken:
            n += 1
            aid = f"{base}-{n}"
        ids[label] = aid
        taken.add(aid)
    return ids


def _slug(label: str) -> str:
    decomposed = unicodedata.normalize("NFKD", label)  # "café" → "cafe" + a combining accent
    ascii_ = decomposed.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9._]+", "-", ascii_).strip("-._")[:100].strip("-._")
    # Scripts with no ASCII spelling (Thai, Chinese, ...) would lose their meaning or all collapse into
    # one id, so a short hash of the label keeps such ids distinct and stable from one import to the next.
    if not slug or any(c.isalnum() and not c.isascii() for c in decomposed):
        slug = f"{slug or 'intent'}-{hashlib.sha1(label.encode()).hexdigest()[:8]}"
    return slug


def _humanize(label: str) -> str:
    """`card_arrival` → `Card arrival`; `faq/returns` → `Returns` (the retrieval-intent group is routing)."""
    name = label.rsplit("/", 1)[-1] or label
    name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)  # camelCase
    words = " ".join(re.sub(r"[_.\-]+", " ", name).split())
    return words[:1].upper() + words[1:] if words else label
