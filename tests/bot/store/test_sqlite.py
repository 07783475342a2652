"""What only the SQLite store promises: WAL with full sync, and writers of other processes waited for."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from bot.records import Turn
from bot.store import open_store
from bot.store.sqlite import SqliteStore


def test_the_database_is_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/s.db")
    try:
        assert isinstance(store, SqliteStore)
        # The store's own connection: synchronous is a per-connection setting.
        conn = store._conn()
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        store.close()
    with sqlite3.connect(tmp_path / "s.db") as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # stored in the file
    other.close()


def test_a_write_waits_for_another_process_writer(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/s.db")
    other = sqlite3.connect(tmp_path / "s.db", isolation_level=None, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")  # holds the write lock like another server process would
        other.execute("INSERT INTO sessions VALUES ('held', 'bot', '', 0, 0, '{}')")
        release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
        release.start()
        stored = store.add_turn(Turn("s1", "customer", "waited", 1.0))  # busy_timeout, not an error
        release.join()
        assert [t.turn_id for t in store.transcript("s1")] == [stored.turn_id]
        assert store.session("held") is not None
    finally:
        other.close()
        store.close()
