"""Load a knowledge base from a folder of Markdown files, a KB JSONL file, or a FAQ CSV.

All input is validated before anything is returned, so a bad file never leaves a half-loaded KB.

Besides articles, a Markdown file or JSONL record with `out_of_scope: true` lists questions no
article answers (`lang` and `questions` only, e.g. `articles/en/_out-of-scope.md`): the index learns
from them to hand such questions to a person instead of answering with a look-alike article.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from kb.errors import KBError, LanguageCodeError, shown
from kb.languages import normalize_lang
from kb.links import bad_links, url_problem
from kb.models import Article, KnowledgeBase, OutOfScopeExample

ARTICLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_MAX_ERRORS = 20
# Where a field of a record is: (field, line within it) -> "path:line" for messages.
Locate = Callable[[str, int], str]
# Where an imported article came from (`faqbot kb import`): read by `faqbot kb sync`, not indexed.
PROVENANCE = ("source", "source_id")


def load_kb(path: str | Path, default_lang: str = "en") -> KnowledgeBase:
    """Load every article under `path` (a folder, a .jsonl/.json file or a .csv file)."""
    root = Path(path)
    default_lang = normalize_lang(default_lang)
    if not root.exists():
        raise KBError(f"{root}: no such file or folder")
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in _READERS and p.is_file())
        files = [p for p in files if not any(part.startswith(".") for part in p.parts)]
        if not files:
            raise KBError(f"{root}: no .md, .jsonl or .csv articles found")
    elif root.suffix.lower() in _READERS:
        files = [root]
    else:
        raise KBError(f"{root}: unsupported KB format (use a folder of .md, a .jsonl or a .csv)")

    articles: list[Article] = []
    out_of_scope: list[OutOfScopeExample] = []
    errors: list[str] = []
    for file in files:
        try:
            for item in _READERS[file.suffix.lower()](file, default_lang):
                if isinstance(item, Article):
                    articles.append(item)
                else:
                    out_of_scope.append(item)
        except KBError as e:
            errors.extend(str(e).splitlines())
        except UnicodeDecodeError as e:
            errors.append(f"{file}: not valid UTF-8 ({e.reason} at byte {e.start})")
    seen: dict[str, str] = {}
    for a in articles:
        if a.key in seen:
            errors.append(f"{a.source}: duplicate article id {a.id!r} in language {a.lang!r} "
                          f"(first defined at {seen[a.key]})")
        else:
            seen[a.key] = a.source
    if errors:
        more = f"\n... and {len(errors) - _MAX_ERRORS} more" if len(errors) > _MAX_ERRORS else ""
        raise KBError("\n".join(errors[:_MAX_ERRORS]) + more)
    if not articles:
        raise KBError(f"{root}: the knowledge base has no articles")
    langs = {a.lang for a in articles}
    examples = tuple({(e.lang, e.text): e for e in out_of_scope}.values())
    return KnowledgeBase(tuple(articles), default_lang if default_lang in langs else min(langs), examples)


def record_items(rec: Mapping[str, Any], where: str, default_lang: str,
                 locate: Locate | None = None) -> list[Article | OutOfScopeExample]:
    """An article, or the out-of-scope examples of a record with `out_of_scope: true`."""
    if "out_of_scope" not in rec:
        return [article_from_record(rec, where, default_lang, locate)]
    return [*out_of_scope_from_record(rec, where, default_lang)]


def out_of_scope_from_record(rec: Mapping[str, Any], where: str,
                             default_lang: str) -> list[OutOfScopeExample]:
    """Validate a record of out-of-scope example questions."""
    def fail(msg: str) -> KBError:
        return KBError(f"{where}: {msg}")

    if rec.get("out_of_scope") is not True:
        raise fail(f"out_of_scope must be true, got {rec.get('out_of_scope')!r}")
    unknown = set(rec) - {"out_of_scope", "lang", "questions", "body", "id"}
    if unknown:
        raise fail(f"unknown field(s) {sorted(unknown)} for out-of-scope questions "
                   f"(they take lang and questions only)")
    lang = _lang(rec.get("lang") or default_lang, fail)
    questions = [q for q in map(_clean, _str_list(rec.get("questions"), "questions", fail)) if q]
    if not questions:
        raise fail("out-of-scope record has no questions")
    return [OutOfScopeExample(q, lang, where) for q in dict.fromkeys(questions)]


def article_from_record(rec: Mapping[str, Any], where: str, default_lang: str, locate: Locate | None = None,
                        *, check_links: bool = True) -> Article:
    """Validate one article record (front matter + body, or a JSONL object). Its url and the links
    in its body must be http, https, mailto or relative (`check_links=False` for records the
    indexer wrote, which the bot publishes through kb.links.published); `locate` names the line
    of a field, else every message names `where`."""
    def fail(msg: str) -> KBError:
        return KBError(f"{where}: {msg}")

    unknown = set(rec) - {"id", "lang", "title", "body", "questions", "tags", "url", "updated",
                          *PROVENANCE}
    if unknown:
        raise fail(f"unknown field(s) {sorted(unknown)}")
    aid = rec.get("id")
    if not isinstance(aid, str) or not ARTICLE_ID.match(aid):
        raise fail(f"missing or invalid id {aid!r} (letters, digits, '.', '_', '-')")
    for name in PROVENANCE:
        if not isinstance(rec.get(name, ""), str | int):
            raise fail(f"article {aid!r}: {name} must be text, got {rec[name]!r}")
    title = rec.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail(f"article {aid!r} is missing a title")
    body = rec.get("body", "")
    if not isinstance(body, str):
        raise fail(f"article {aid!r}: body must be text, got {type(body).__name__}")
    lang = _lang(rec.get("lang") or default_lang, fail)
    questions = _str_list(rec.get("questions"), "questions", fail)
    tags = _str_list(rec.get("tags"), "tags", fail)
    url = rec.get("url") or ""
    if not isinstance(url, str):
        raise fail(f"article {aid!r}: url must be text, got {url!r}")
    updated = rec.get("updated") or ""
    if isinstance(updated, dt.date):
        updated = updated.isoformat()
    if not isinstance(updated, str):
        raise fail(f"article {aid!r}: updated must be a date, got {updated!r}")
    if check_links:
        _check_links(aid, url.strip(), body, locate or (lambda field, n: where))
    return Article(
        id=aid, lang=lang, title=_clean(title), body=_clean(body, keep_lines=True),
        questions=tuple(dict.fromkeys(q for q in map(_clean, questions) if q)),
        tags=tuple(t.strip().lower() for t in tags if t.strip()),
        url=url.strip(), updated=updated, source=where,
    )


def _check_links(aid: str, url: str, body: str, locate: Locate) -> None:
    """KBError listing every link of the article that is not http, https, mailto or relative."""
    problem = url_problem(url)
    problems = [f"{locate('url', 0)}: article {aid!r}: url {problem}"] if problem else []
    problems += [f"{locate('body', b.first)}: article {aid!r}: link {b.problem}" for b in bad_links(body)]
    if problems:
        raise KBError("\n".join(problems))


def _str_list(value: Any, name: str, fail: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise fail(f"{name} must be a list of strings, got {shown(value)}")
    return [str(v) for v in value]


def _clean(text: str, keep_lines: bool = False) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    return text.strip() if keep_lines else " ".join(text.split())


def _read_markdown(path: Path, default_lang: str) -> Iterable[Article | OutOfScopeExample]:
    return markdown_items(path.read_text(encoding="utf-8-sig"), path, default_lang)


def front_matter(text: str, path: str | Path) -> tuple[dict[str, Any], str]:
    """The front matter fields and the body of a Markdown article file's text."""
    m = _FRONT.match(text)
    if not m:
        raise KBError(f"{path}:1: missing YAML front matter (a block between '---' lines)")
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as e:
        line = getattr(getattr(e, "problem_mark", None), "line", 0) + 2
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise KBError(f"{path}:{line}: bad YAML front matter: {problem}") from None
    if not isinstance(meta, dict):
        raise KBError(f"{path}:2: front matter must be a mapping of fields")
    return meta, text[m.end():]


def markdown_items(text: str, path: str | Path, default_lang: str) -> list[Article | OutOfScopeExample]:
    """What one Markdown file's text holds: an article, or out-of-scope examples."""
    meta, body = front_matter(text, path)
    meta.setdefault("id", Path(path).stem)
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    block = _FRONT.match(text)

    def locate(field: str, n: int) -> str:  # only asked for in a message: parse the lines then
        if field == "body":
            return f"{path}:{body_line + n}"
        return f"{path}:{_field_lines(block.group(1) if block else '').get(field, 1)}"

    return record_items({**meta, "body": body}, f"{path}:1", default_lang, locate)


def _field_lines(front_matter: str) -> dict[str, int]:
    """The file line of each top-level front-matter field (the block starts on line 2)."""
    node = yaml.compose(front_matter)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): k.start_mark.line + 2 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _read_jsonl(path: Path, default_lang: str) -> Iterable[Article | OutOfScopeExample]:
    out: list[Article | OutOfScopeExample] = []
    errors: list[str] = []
    with path.open(encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                out.extend(_jsonl_record(line, f"{path}:{n}", default_lang))
            except KBError as e:
                errors.append(str(e))
    if errors:
        raise KBError("\n".join(errors))
    return out


def _jsonl_record(line: str, where: str, default_lang: str) -> list[Article | OutOfScopeExample]:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as e:
        raise KBError(f"{where}: invalid JSON: {e.msg}") from None
    if not isinstance(rec, dict):
        raise KBError(f"{where}: each line must be a JSON object")
    return record_items(rec, where, default_lang)


def _slug(text: str) -> str:
    s = re.sub(r"[^\w]+", "-", unicodedata.normalize("NFKC", text).casefold()).strip("-_")
    s = re.sub(r"[^A-Za-z0-9._-]", "", s) or "q"
    return s[:60].strip("-")


def _read_csv(path: Path, default_lang: str) -> Iterable[Article]:
    """A FAQ spreadsheet: `question,answer` plus optional id, lang, title, tags, url columns.

    Rows sharing an id (or a title) are merged: their questions become one article's examples.
    """
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise KBError(f"{path}:1: empty CSV")
    header = [h.strip().lower() for h in rows[0]]
    if "question" not in header or "answer" not in header:
        raise KBError(f"{path}:1: CSV needs 'question' and 'answer' columns, found {header}")
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for n, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise KBError(f"{path}:{n}: expected {len(header)} columns, found {len(row)}")
        rec = dict(zip(header, (c.strip() for c in row), strict=True))
        if not rec["question"] or not rec["answer"]:
            raise KBError(f"{path}:{n}: both question and answer are required")
        title = rec.get("title") or rec["question"]
        aid = rec.get("id") or _slug(title)
        key = (aid, rec.get("lang") or default_lang)
        art = merged.setdefault(key, {
            "id": aid, "lang": key[1], "title": title, "body": rec["answer"], "questions": [],
            "tags": [t for t in re.split(r"[;,|]", rec.get("tags", "")) if t.strip()],
            "url": rec.get("url", ""), "_line": n,
        })
        art["questions"].append(rec["question"])
    out, errors = [], []
    for rec in merged.values():
        line = rec.pop("_line")
        try:
            out.append(article_from_record(rec, f"{path}:{line}", default_lang))
        except KBError as e:
            errors.append(str(e))
    if errors:
        raise KBError("\n".join(errors))
    return out


_READERS = {".md": _read_markdown, ".markdown": _read_markdown, ".jsonl": _read_jsonl,
            ".csv": _read_csv}


def _lang(value: object, fail: Callable[[str], KBError]) -> str:
    if not isinstance(value, str):
        raise fail(f"lang must be a language code like 'en' or 'zh-TW', got {shown(value)}")
    try:
        return normalize_lang(value)
    except LanguageCodeError as e:
        raise fail(str(e)) from None
