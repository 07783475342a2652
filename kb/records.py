"""Reading and writing the plain files around a KB: line-numbered records from JSONL and CSV (for
readers that validate every line and report all bad ones at once: intent datasets, evaluation
queries), and atomic whole-file writes (imported KBs, the settings file)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
from pathlib import Path

from kb.errors import KBError

MAX_ERRORS = 20


def read_text(file: Path) -> str:
    """The file's text (a UTF-8 BOM dropped), or KBError saying why it cannot be read."""
    try:
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise KBError(f"{file}: no such file") from None
    except UnicodeDecodeError as e:
        raise KBError(f"{file}: not valid UTF-8 ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise KBError(f"{file}: cannot read ({e.strerror})") from None


def raise_if(errors: list[str]) -> None:
    """One KBError listing the first MAX_ERRORS messages, if there are any."""
    if errors:
        more = f"\n... and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
        raise KBError("\n".join(errors[:MAX_ERRORS]) + more)


def jsonl_records(path: Path, text: str, errors: list[str]) -> list[tuple[int, object]]:
    """(line, parsed JSON value) of every non-blank line; invalid JSON goes to `errors`."""
    out = []
    # split("\n"), not splitlines(): JSON strings may hold U+2028 and other characters it breaks on.
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            out.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            errors.append(f"{path}:{n}: invalid JSON: {e.msg}")
    return out


Row = tuple[int, dict[str, str]]


def csv_records(path: Path, text: str, errors: list[str]) -> tuple[list[str], list[Row]]:
    """The lower-cased header and (line, {column: stripped cell}) of every non-blank row; rows with
    the wrong number of columns go to `errors`."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    out: list[Row] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            # A quoted field may span lines, so a row starts right after where the previous one ended.
            n, start = start, reader.line_num + 1
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                errors.append(f"{path}:{n}: expected {len(header)} columns, found {len(row)}")
            else:
                out.append((n, {k: v.strip() for k, v in zip(header, row, strict=True)}))
    except csv.Error as e:
        errors.append(f"{path}:{reader.line_num}: bad CSV: {e}")
    return header, out


def write_text_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text`: readers see the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Hidden, so a temp file left by a killed process is skipped when a KB folder is loaded; mode
    # "x" instead of mkstemp, so the file gets the usual umask permissions rather than 0600.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("x", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
