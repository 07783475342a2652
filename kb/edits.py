"""Reviewed KB changes made from content gaps: "add these questions to article X as example
questions" and "these questions are out of scope", written into the Markdown KB folder.

A change is a value (`KbChange`); `plan_edits` turns it into whole-file edits of the same Markdown
files the writers keep in git (only the front matter's `questions:` list grows, every other byte of
the file stays as it was), `unified_diff` shows them as `git diff` would, and `write_edits` writes
them atomically. Nothing here decides who may approve: bot.kb_changes does.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import yaml

from kb.errors import KBError, shown
from kb.models import KnowledgeBase
from kb.records import write_text_atomic

_FRONT = re.compile(r"\A(---[ \t]*\r?\n)(.*?\r?\n)(---[ \t]*(?:\r?\n|\Z))", re.S)
_KEY = re.compile(r"^questions:[ \t]*(.*?)[ \t]*$")
_ITEM = re.compile(r"^([ \t]*)-[ \t]")
MAX_QUESTIONS = 50


class ChangeKind(StrEnum):
    ADD_QUESTIONS = "add_questions"  # to one article, in each question's language
    OUT_OF_SCOPE = "out_of_scope"  # into the language's out-of-scope list


class ChangeStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class KbChange:
    """A proposed change to the KB; written to the files only once an admin approves it."""

    change_id: str
    kind: str  # a ChangeKind
    questions: tuple[tuple[str, str], ...]  # (text, lang), PII-redacted customer questions
    proposed_by: str
    proposed_at: float
    article_id: str = ""  # ADD_QUESTIONS only
    gap_id: str = ""  # the gap cluster it came from, if any
    status: str = ChangeStatus.PENDING
    decided_by: str = ""
    decided_at: float | None = None
    diff: str = ""  # what approval wrote, as a unified diff


@dataclass(frozen=True)
class FileEdit:
    path: Path
    before: str  # "" for a new file
    after: str


def check_change(change: KbChange, kb: KnowledgeBase) -> None:
    """KBError unless `change` can be applied to `kb` (a known article in every language asked)."""
    if change.kind not in tuple(ChangeKind):
        raise KBError(f"unknown change kind {shown(change.kind)} (one of {', '.join(ChangeKind)})")
    if not change.questions:
        raise KBError("a KB change needs at least one question")
    if len(change.questions) > MAX_QUESTIONS:
        raise KBError(f"a KB change takes at most {MAX_QUESTIONS} questions, got {len(change.questions)}")
    for text, _ in change.questions:
        if not text.strip() or "\n" in text:
            raise KBError(f"question {shown(text)} must be one non-empty line")
    if change.kind == ChangeKind.ADD_QUESTIONS:
        versions = kb.translations(change.article_id)
        if not versions:
            raise KBError(f"no article {shown(change.article_id)} in the knowledge base")
        missing = sorted({lang for _, lang in change.questions} - set(versions))
        if missing:
            raise KBError(f"article {shown(change.article_id)} has no version in {', '.join(missing)}: "
                          "pick the questions in the languages it has")


def plan_edits(change: KbChange, kb: KnowledgeBase, root: str | Path) -> list[FileEdit]:
    """The file edits that make `change` true in the Markdown KB folder `root` (questions the file
    already lists are skipped); KBError when the change does not fit this KB."""
    folder = Path(root)
    if not folder.is_dir():
        raise KBError(f"{folder}: KB changes are written to a folder of Markdown files; this KB is not one")
    check_change(change, kb)
    by_lang: dict[str, list[str]] = {}
    for text, lang in change.questions:
        by_lang.setdefault(lang, []).append(" ".join(text.split()))
    edits = []
    for lang, questions in sorted(by_lang.items()):
        path = _target(change, kb, folder, lang)
        before = path.read_text(encoding="utf-8") if path.exists() else ""
        after = add_questions(before, questions, lang) if before else _new_out_of_scope(lang, questions)
        if after != before:
            edits.append(FileEdit(path, before, after))
    return edits


def _target(change: KbChange, kb: KnowledgeBase, folder: Path, lang: str) -> Path:
    if change.kind == ChangeKind.ADD_QUESTIONS:
        article = kb.get(change.article_id, lang)
        if article is None:
            raise KBError(f"article {shown(change.article_id)} has no version in {lang}")
        path = Path(article.source.rsplit(":", 1)[0]) if article.source else Path()
        if path.suffix.lower() != ".md" or not path.is_file():
            raise KBError(f"article {shown(change.article_id)} ({lang}) is not in a Markdown file "
                          f"of {folder} (it came from {shown(article.source)})")
        return path
    listed = [e.source.rsplit(":", 1)[0] for e in kb.out_of_scope if e.lang == lang and e.source]
    found = next((Path(p) for p in listed if p.lower().endswith(".md")), None)
    if found is not None and found.is_file():
        return found
    if (folder / lang).is_dir():
        return folder / lang / "_out-of-scope.md"
    return folder / f"_out-of-scope.{lang}.md"


def _scalar(text: str) -> str:
    """`text` as one YAML list item's value (quoted when YAML needs it)."""
    dumped = yaml.safe_dump([text], allow_unicode=True, width=10**6, default_flow_style=False)
    return str(dumped)[2:].rstrip("\n")


def add_questions(markdown: str, questions: list[str], lang: str) -> str:
    """The Markdown file with `questions` appended to its front matter's `questions:` list (those
    already there, compared case-insensitively, are skipped); every other line is left as it was."""
    m = _FRONT.match(markdown)
    if m is None:
        raise KBError("the file has no front matter (--- ... ---) to add questions to")
    head, front, close = m.group(1), m.group(2), m.group(3)
    meta = yaml.safe_load(front) or {}
    old = [str(q) for q in meta.get("questions") or []]
    seen = {" ".join(q.casefold().split()) for q in old}
    new = [q for q in dict.fromkeys(questions) if " ".join(q.casefold().split()) not in seen]
    if not new:
        return markdown
    newline = "\r\n" if "\r\n" in front else "\n"
    lines = front.split(newline)
    if lines and lines[-1] == "":
        lines.pop()
    at = next((i for i, line in enumerate(lines) if _KEY.match(line)), None)
    if at is None:
        lines += ["questions:", *(f"  - {_scalar(q)}" for q in new)]
    elif _KEY.match(lines[at]).group(1):  # type: ignore[union-attr]  # flow style: [a, b]
        lines[at:at + 1] = ["questions:", *(f"  - {_scalar(q)}" for q in [*old, *new])]
    else:
        end, indent = at + 1, "  "
        while end < len(lines) and (lines[end][:1] in (" ", "\t", "-") or not lines[end].strip()):
            item = _ITEM.match(lines[end])
            if item and end == at + 1:
                indent = item.group(1)
            end += 1
        while end > at + 1 and not lines[end - 1].strip():
            end -= 1
        lines[end:end] = [f"{indent}- {_scalar(q)}" for q in new]
    out = head + newline.join(lines) + newline + close + markdown[m.end():]
    check = yaml.safe_load(_FRONT.match(out).group(2))  # type: ignore[union-attr]
    if [str(q) for q in check.get("questions") or []] != [*old, *new]:
        raise KBError(f"could not add questions to this front matter safely (lang {lang}); edit it by hand")
    return out


def _new_out_of_scope(lang: str, questions: list[str]) -> str:
    items = "".join(f"  - {_scalar(q)}\n" for q in dict.fromkeys(questions))
    return f"---\nout_of_scope: true\nlang: {lang}\nquestions:\n{items}---\n"


def unified_diff(edits: list[FileEdit], root: str | Path) -> str:
    """The edits as one unified diff with paths relative to the KB folder (a/..., b/...)."""
    parts: list[str] = []
    for e in edits:
        try:
            name = e.path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            name = e.path.as_posix()
        parts += difflib.unified_diff(e.before.splitlines(keepends=True), e.after.splitlines(keepends=True),
                                      "/dev/null" if not e.before else f"a/{name}", f"b/{name}")
    return "".join(parts)


def write_edits(edits: list[FileEdit]) -> None:
    """Write every edit (each file atomically); KBError if a file changed since it was planned."""
    for e in edits:
        now = e.path.read_text(encoding="utf-8") if e.path.exists() else ""
        if now != e.before:
            raise KBError(f"{e.path} changed while the change was being applied; review it again")
    for e in edits:
        e.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(e.path, e.after)
