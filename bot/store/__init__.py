"""The conversation store: sessions, transcripts, escalations, feedback, webhook outbox, API keys."""

from __future__ import annotations

import re
from pathlib import Path

from bot.store.base import Store
from kb.errors import SettingsError, StoreError

__all__ = ["Store", "mask_password", "open_store"]


def mask_password(url: str) -> str:
    """`url` with any password replaced by ***, fit for logs and error messages."""
    # Up to the last "@": a password with an unescaped "@" or "/" is still hidden whole.
    url = re.sub(r"(://[^/?#@:]*):.*@", r"\1:***@", url)
    return re.sub(r"(?i)(password=)[^&\s]*", r"\1***", url)


def open_store(url: str, *, must_exist: bool = False) -> Store:
    """Open (creating tables if needed) the store at `url`.

    "sqlite:///relative/path.db" or "sqlite:////absolute/path.db" (the SQLAlchemy form; parent
    folders are created), "postgresql://user:password@host:port/db" or "postgres://...".
    SettingsError for any other URL; StoreError if the database cannot be opened, or (with
    `must_exist`, for commands that only read) if the SQLite file is not there."""
    scheme, sep, rest = url.partition("://")
    scheme = scheme.lower()
    if sep and scheme == "sqlite":
        path = rest[1:] if rest.startswith("/") else ""
        if not path or path == ":memory:" or path.startswith("file:") or "?" in path:
            raise SettingsError(f"store URL {mask_password(url)!r} needs a database file, as in "
                             "sqlite:///var/faqbot.db (in-memory databases are not shared between threads)")
        if must_exist and not Path(path).is_file():
            raise StoreError(f"no conversation store at {Path(path).resolve()} (store_url "
                             f"{mask_password(url)!r}); run faqbot where its settings file is, "
                             "or pass --config")
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the folder of {url}: {e.strerror or e}") from e
        from bot.store.sqlite import SqliteStore

        return SqliteStore(path)
    if sep and scheme in ("postgresql", "postgres"):
        # Imported here so that SQLite deployments do not need psycopg.
        from bot.store.postgres import PostgresStore

        return PostgresStore(url, mask_password(url))
    raise SettingsError(f"unsupported store URL {mask_password(url)!r}: use sqlite:///path.db or "
                     "postgresql://user@host/db")
