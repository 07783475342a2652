"""What only the SQLite store promises: WAL with full sync (turns: normal), and writers of other
processes waited for."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from bot.records import Escalation, Turn
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


def test_turns_skip_the_flush_and_an_escalation_flushes(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/s.db")
    try:
        conn = store._conn()

        def level() -> int:
            return int(conn.execute("PRAGMA synchronous").fetchone()[0])

        store.add_turns(Turn("s1", "customer", "hi", 1.0), Turn("s1", "bot", "hello", 2.0))
        assert level() == 1  # NORMAL: committed, survives a crash of the process, not power loss
        store.add_escalation(Escalation("e1", "s1", created_at=3.0, reason="low_confidence",
                                        language="en", priority="normal", queue="general"),
                             ("helpdesk",), deliver_at=3.0)
        assert level() == 2  # FULL again: the WAL flush takes the turns before it along
        store.add_turn(Turn("s1", "customer", "thanks", 4.0))
        assert level() == 1
    finally:
        store.close()
    with sqlite3.connect(tmp_path / "s.db") as other:  # every commit is there for other readers
        assert other.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 3
        assert other.execute("SELECT COUNT(*) FROM escalations").fetchone()[0] == 1
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
