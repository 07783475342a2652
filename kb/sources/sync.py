"""Import and incremental sync of a help center into a Markdown KB folder.

A hidden state file (`.faqbot-source.json`, skipped by the loader) remembers, per article version,
its file, the article id its source group got, and a hash of what the source said. A sync rewrites
only versions whose source content changed, deletes those the source no longer publishes, and
keeps what writers added to a file (`questions:`, extra `tags:`); files it never wrote (the
out-of-scope examples, hand-written articles) are never touched. Everything is fetched, converted
and validated before the folder changes, and then it changes all at once.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import KBError
from kb.languages import base_lang
from kb.loader import front_matter, markdown_items
from kb.models import Article
from kb.passages import plain_text
from kb.sources.base import Fetched, Progress, Source, SourceDoc
from kb.sources.html import CONVERTER_VERSION
from kb.sources.http import SourceError
from kb.sources.writer import Change, apply_changes, render_markdown

STATE_FILE = ".faqbot-source.json"
STATE_VERSION = 1
Detect = Callable[[str], str]  # text → the language a detector reads it as
DetectorFor = Callable[[list[str]], Detect]  # the source's languages → a detector serving them


@dataclass(frozen=True)
class SyncReport:
    source: str
    updated: int = 0
    new: int = 0
    removed: int = 0
    failed: int = 0
    unchanged: int = 0
    failures: tuple[str, ...] = ()
    mismatches: tuple[str, ...] = ()  # declared language vs what the text reads as
    notes: tuple[str, ...] = ()
    skipped: Mapping[str, int] = field(default_factory=dict)
    changed: tuple[str, ...] = ()  # files written or deleted, relative to the folder

    def summary(self) -> str:
        return f"{self.updated} updated, {self.new} new, {self.removed} removed, {self.failed} failed"


@dataclass
class _State:
    source: str
    groups: dict[str, str] = field(default_factory=dict)  # source group → article id
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # "id@lang" → path, hash, ...

    def dump(self) -> str:
        return json.dumps({"version": STATE_VERSION, "source": self.source, "groups": self.groups,
                           "articles": dict(sorted(self.entries.items()))},
                          ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def read_state(folder: Path) -> _State | None:
    file = folder / STATE_FILE
    if not file.exists():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        return _State(str(data["source"]), dict(data.get("groups", {})), dict(data.get("articles", {})))
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise KBError(f"{file}: unreadable sync state ({e}); move it away and import again") from None


def import_source(source: Source, folder: str | Path, *, first: bool, default_lang: str = "en",
                  detector: DetectorFor | None = None, progress: Progress | None = None) -> SyncReport:
    """Bring `folder` up to date with `source`: the first import (`first`) or a sync."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise KBError(f"{folder}: not a folder")
    state = read_state(folder)
    if first and state is not None:
        raise KBError(f"{folder} was already imported from {state.source}: "
                      f"`faqbot kb sync {state.source} --out {folder}` updates it")
    if not first and state is None:
        raise KBError(f"{folder} has no {STATE_FILE}: `faqbot kb import SOURCE --out {folder}` first")
    if state is not None and state.source != source.name:
        raise KBError(f"{folder} was imported from {state.source}, not {source.name}")
    state = state or _State(source.name)
    fetched = source.fetch(progress)
    if not fetched.docs and state.entries:
        raise SourceError(f"{source.name} gave no articles; refusing to remove the {len(state.entries)} "
                          f"imported from it (check the credentials and import_restricted)")
    if not fetched.docs:
        skipped = ", ".join(f"{n} {why}" for why, n in fetched.skipped.items()) or "nothing found"
        first_failure = f"; {fetched.failures[0].message}" if fetched.failures else ""
        raise SourceError(f"{source.name}: no articles to import ({skipped}){first_failure}")
    detect = detector(sorted({d.lang for d in fetched.docs})) if detector else None
    plan = _Plan(folder, state, source.name, default_lang, detect)
    plan.run(fetched)
    changes = plan.changes
    new_state = plan.state.dump()
    if not (folder / STATE_FILE).exists() or (folder / STATE_FILE).read_text(encoding="utf-8") != new_state:
        changes.append(Change(STATE_FILE, new_state))
    apply_changes(folder, changes)
    r = plan.report
    return SyncReport(source.name, r["updated"], r["new"], r["removed"], len(plan.failures), r["unchanged"],
                      tuple(plan.failures), tuple(plan.mismatches), tuple(plan.notes), dict(fetched.skipped),
                      tuple(c.path for c in changes if c.path != STATE_FILE))


class _Plan:
    """The files a sync writes and deletes, and the state it leaves."""

    def __init__(self, folder: Path, old: _State, source: str, default_lang: str,
                 detect: Detect | None) -> None:
        self.folder, self.old, self.source = folder, old, source
        self.default_lang, self.detect = default_lang, detect
        self.state = _State(source, dict(old.groups))
        self.changes: list[Change] = []
        self.failures: list[str] = []
        self.mismatches: list[str] = []
        self.notes: list[str] = []
        self.report = dict.fromkeys(("updated", "new", "removed", "unchanged"), 0)
        self.owned = {e["path"] for e in old.entries.values()}
        self.local = self._local_keys()
        self._kept: set[str] = set()  # versions that failed: their old file and state stay

    def run(self, fetched: Fetched) -> None:
        self.failures.extend(f.message for f in fetched.failures)
        if not fetched.complete:
            self.notes.append(f"{self.source} was not read to the end (crawl_max_pages?): "
                              f"articles it did not reach are kept, none removed")
        failed_refs = {f.ref for f in fetched.failures}
        groups: dict[str, list[SourceDoc]] = {}
        for doc in fetched.docs:
            groups.setdefault(doc.group, []).append(doc)
        ids = self._ids(groups)
        for group, docs in groups.items():
            for doc in docs:
                self._version(ids[group], doc)
        for key, entry in self.old.entries.items():
            if key in self.state.entries:
                continue
            if entry.get("source_id") in failed_refs or key in self._kept or not fetched.complete:
                self.state.entries[key] = entry  # failed this time: neither rewritten nor removed
                continue
            if (self.folder / entry["path"]).exists():
                self.changes.append(Change(entry["path"], None))
            self.report["removed"] += 1
        live = {k.rsplit("@", 1)[0] for k in self.state.entries}
        self.state.groups = {g: i for g, i in self.state.groups.items() if i in live}

    def _ids(self, groups: dict[str, list[SourceDoc]]) -> dict[str, str]:
        by_source_id = {e.get("source_id"): k.rsplit("@", 1)[0] for k, e in self.old.entries.items()}
        taken = set(self.state.groups.values()) | {k.rsplit("@", 1)[0] for k in self.local}
        for group, docs in groups.items():
            if group in self.state.groups:
                continue
            known = next((by_source_id[d.source_id] for d in docs if d.source_id in by_source_id), None)
            if known is None:
                named = next((d for d in docs if d.primary), None) or next(
                    (d for d in docs if d.lang == self.default_lang), docs[0])
                known = _unique(article_id(named.slug or named.title, group), taken)
            taken.add(known)
            self.state.groups[group] = known
        return dict(self.state.groups)

    def _version(self, aid: str, doc: SourceDoc) -> None:
        key = f"{aid}@{doc.lang}"
        old = self.old.entries.get(key)
        path = old["path"] if old else f"{doc.lang}/{aid}.md"
        where = self.folder / path
        digest = _digest(doc)
        entry = {"path": path, "source_id": doc.source_id, "hash": digest, "tags": list(doc.tags)}
        if key in self.state.entries or key in self.local:
            other = self.state.entries[key]["path"] if key in self.state.entries else self.local[key]
            self._fail(key, f"{self.source}: {doc.url or doc.source_id} would be article {key}, "
                            f"which {other} already is; skipped")
            return
        if old and old.get("hash") == digest and where.exists():
            self.state.entries[key] = old
            self.report["unchanged"] += 1
            return
        if not old and where.exists():
            self._fail(key, f"{path} exists and was not written by an import from {self.source}; "
                            f"{doc.url or doc.source_id} skipped")
            return
        try:
            local = _writer_fields(where, old) if old and where.exists() else {}
        except KBError as e:
            self._fail(key, f"{e} (not updated from {self.source} until it is fixed)")
            return
        meta = {"id": aid, "lang": doc.lang, "title": doc.title, "questions": local.get("questions", []),
                "tags": list(dict.fromkeys([*doc.tags, *local.get("tags", [])])), "url": doc.url,
                "updated": doc.updated, "source": self.source, "source_id": doc.source_id}
        text = render_markdown(meta, doc.body)
        try:
            items = markdown_items(text, path, self.default_lang)
        except KBError as e:
            self._fail(key, f"{doc.url or doc.source_id}: {e}")
            return
        if not (len(items) == 1 and isinstance(items[0], Article) and items[0].key == key):
            self._fail(key, f"{doc.url or doc.source_id}: does not read back as article {key}")
            return
        self._check_language(path, doc, items[0])
        self.changes.append(Change(path, text))
        self.state.entries[key] = entry
        self.report["updated" if old else "new"] += 1

    def _fail(self, key: str, message: str) -> None:
        self.failures.append(message)
        self._kept.add(key)

    def _check_language(self, path: str, doc: SourceDoc, article: Article) -> None:
        if self.detect is None:
            return
        # The body, not the title: one Thai word in a title makes the detector say Thai (script
        # evidence), and an untranslated body under a translated title is the case to catch.
        text = plain_text(article.body)[:1500] or article.title
        seen = self.detect(text)
        same = seen == doc.lang if doc.lang.startswith("zh") or seen.startswith("zh") else \
            base_lang(seen) == base_lang(doc.lang)
        if not same:
            self.mismatches.append(f"{path}: {doc.declared or doc.lang} says {doc.lang}, "
                                   f"but the text reads as {seen}")

    def _local_keys(self) -> dict[str, str]:
        """id@lang → file of the articles in the folder that no import wrote."""
        if not self.folder.is_dir():
            return {}
        out: dict[str, str] = {}
        for file in sorted(self.folder.rglob("*.md")):
            rel = file.relative_to(self.folder).as_posix()
            if rel in self.owned or any(p.startswith(".") for p in Path(rel).parts):
                continue
            try:
                items = markdown_items(file.read_text(encoding="utf-8-sig"), rel, self.default_lang)
            except (KBError, UnicodeDecodeError):
                continue  # the loader reports it; it holds no id we could clash with
            out.update({x.key: rel for x in items if isinstance(x, Article)})
        return out


def _writer_fields(file: Path, old: Mapping[str, Any]) -> dict[str, list[str]]:
    """What a writer added to an imported file: its questions, and tags the source did not give."""
    try:
        meta, _ = front_matter(file.read_text(encoding="utf-8-sig"), file)
    except UnicodeDecodeError:
        raise KBError(f"{file}: not valid UTF-8") from None
    questions = meta.get("questions") or []
    tags = meta.get("tags") or []
    if isinstance(questions, str):
        questions = [questions]
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(questions, list) or not isinstance(tags, list):
        raise KBError(f"{file}: questions and tags must be lists")
    source_tags = set(old.get("tags", []))
    return {"questions": [str(q) for q in questions],
            "tags": [str(t) for t in tags if str(t) not in source_tags]}


def _digest(doc: SourceDoc) -> str:
    # With `updated`: the source saying an article changed is reason enough to rewrite it (only the
    # texts that really changed are embedded again by the next `faqbot index`).
    parts = (CONVERTER_VERSION, doc.lang, doc.title, doc.body, "\x1e".join(doc.tags), doc.url,
             doc.source_id, doc.updated)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def article_id(text: str, group: str) -> str:
    """An article id from a title or URL segment: `How do refunds work?` → `how-do-refunds-work`."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_ = decomposed.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9._]+", "-", ascii_).strip("-._")
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0] or slug[:60]
    # A title in Thai or Chinese has no ASCII spelling: a short hash of the source's id keeps it stable.
    if not slug or any(c.isalnum() and not c.isascii() for c in decomposed):
        slug = f"{slug or 'article'}-{hashlib.sha1(group.encode()).hexdigest()[:8]}"
    return slug


def _unique(aid: str, taken: set[str]) -> str:
    n, out = 1, aid
    while out in taken:
        n += 1
        out = f"{aid}-{n}"
    return out

