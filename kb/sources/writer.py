"""Writing an imported KB folder: one Markdown file with front matter per article version, and
every change to the folder applied all together or not at all."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb.errors import KBError

FIELD_ORDER = ("id", "lang", "title", "questions", "tags", "url", "updated", "source", "source_id")


def render_markdown(meta: Mapping[str, Any], body: str) -> str:
    """A Markdown file the loader reads back to the same article (fields in FIELD_ORDER, then others)."""
    ordered = {k: meta[k] for k in FIELD_ORDER if k in meta and meta[k] not in (None, "", [], ())}
    ordered.update({k: v for k, v in meta.items() if k not in FIELD_ORDER and k != "body"})
    ordered = {k: list(v) if isinstance(v, tuple) else v for k, v in ordered.items()}
    front = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=1000,
                           default_flow_style=False)
    return f"---\n{front}---\n{body.strip()}\n"


@dataclass(frozen=True)
class Change:
    path: str  # relative to the folder, POSIX
    text: str | None  # None deletes the file


def apply_changes(root: Path, changes: list[Change]) -> None:
    """Write and delete files under `root` as one step: if anything fails, every file is as it was
    (and `root` is not left behind if it did not exist)."""
    created_dirs: list[Path] = []
    temps: dict[str, Path] = {}
    done: list[tuple[Path, bytes | None]] = []  # (target, its old bytes or None) for undo
    try:
        for ch in changes:
            target = _target(root, ch.path)
            if ch.text is None:
                continue
            _mkdirs(target.parent, created_dirs)
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
            with tmp.open("x", encoding="utf-8", newline="\n") as f:
                temps[ch.path] = tmp
                f.write(ch.text)
                f.flush()
                os.fsync(f.fileno())
        for ch in changes:
            target = _target(root, ch.path)
            old = target.read_bytes() if target.exists() else None
            if ch.text is None:
                if old is not None:
                    target.unlink()
                    done.append((target, old))
            else:
                os.replace(temps[ch.path], target)
                del temps[ch.path]
                done.append((target, old))
    except BaseException:
        for target, old in reversed(done):
            with contextlib.suppress(OSError):
                if old is None:
                    target.unlink()
                else:
                    target.write_bytes(old)
        for tmp in temps.values():
            with contextlib.suppress(OSError):
                tmp.unlink()
        for d in reversed(created_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        raise
    for d in {_target(root, ch.path).parent for ch in changes if ch.text is None}:
        with contextlib.suppress(OSError):
            if d != root and not any(d.iterdir()):
                d.rmdir()  # a language folder whose last article went


def _target(root: Path, rel: str) -> Path:
    base = root.absolute()
    target = Path(os.path.normpath(base / rel))
    if base not in target.parents:
        raise KBError(f"{rel}: outside the folder {root}")
    return target


def _mkdirs(path: Path, created: list[Path]) -> None:
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for d in reversed(missing):
        d.mkdir()
        created.append(d)
