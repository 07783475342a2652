"""The default store: one SQLite file in WAL mode, safe for threads and for several processes."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.store.sql import SqlStore
from kb.errors import StoreError


class _Connection(sqlite3.Connection):
    synchronous = "FULL"  # its PRAGMA synchronous, as _connect sets it


class SqliteStore(SqlStore):
    # IntegrityError must come first in any except clause: it is a DatabaseError too.
    conflict_errors = (sqlite3.IntegrityError,)
    unavailable_errors = (sqlite3.OperationalError, sqlite3.DatabaseError)

    def __init__(self, path: str | Path, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self._busy_timeout = busy_timeout
        # Transcripts, contact details and key hashes: only faqbot's user may read the file.
        # SQLite gives its -wal and -shm files the database file's permissions.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        super().__init__(f"sqlite:///{path}")

    def _connect(self) -> _Connection:
        # isolation_level=None: the driver starts no transactions of its own; _transaction does.
        # check_same_thread=False only so close() can close every thread's connection.
        conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None,
                               check_same_thread=False, factory=_Connection)
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{self.url}: SQLite refused WAL mode (got {mode!r}); "
                                 "is the file on a network filesystem?")
            # FULL syncs the WAL on every commit: NORMAL may lose the last commits on power loss,
            # and an acknowledged escalation must survive that. Transcript turns ask for less
            # (_transaction); the WAL is one ordered log, so a FULL commit makes all before it last.
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _synchronous(conn: _Connection, level: str) -> None:
        """Set the connection's flush level (outside a transaction), only when it changes: each
        statement costs a GIL hand-off while the write lock is wanted."""
        if conn.synchronous != level:
            conn.execute(f"PRAGMA synchronous={level}")
            conn.synchronous = level

    @contextmanager
    def _transaction(self, conn: Any, write: bool, durable: bool) -> Iterator[None]:
        if write:
            self._synchronous(conn, "FULL" if durable else "NORMAL")
        # IMMEDIATE takes the write lock up front: a read-then-write transaction can then never
        # fail half-way with SQLITE_BUSY, and writers of every process queue on busy_timeout.
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
