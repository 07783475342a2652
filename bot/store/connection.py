"""A connection per thread, transactions that map driver errors to faqbot errors, the schema.

Dialects (bot.store.sqlite, bot.store.postgres) fill in the hooks; the queries are in bot.store.sql.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from bot.store import rows
from kb.errors import ConflictError, StoreError

log = logging.getLogger(__name__)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class Tx:
    """The statements of one transaction, written with `?` placeholders whatever the dialect."""

    def __init__(self, conn: Any, placeholder: str) -> None:
        self._conn, self._placeholder = conn, placeholder

    def _execute(self, sql: str, params: tuple[Any, ...]) -> Any:
        return self._conn.execute(sql.replace("?", self._placeholder), params)

    def all(self, sql: str, *params: Any) -> list[rows.Row]:
        return list(self._execute(sql, params).fetchall())

    def one(self, sql: str, *params: Any) -> rows.Row | None:
        # fetchall, not fetchone: SQLite finishes a RETURNING statement only once it is drained.
        found = self.all(sql, *params)
        return found[0] if found else None

    def run(self, sql: str, *params: Any) -> int:
        return int(self._execute(sql, params).rowcount)


class SqlConnection:
    """Per-thread connections (the API server is multi-threaded) and transactions."""

    placeholder = "?"
    identity = "INTEGER PRIMARY KEY AUTOINCREMENT"  # AUTOINCREMENT: ids of erased rows are never reused
    lock_rows = ""  # appended to a SELECT whose rows the transaction then updates
    skip_locked = ""  # ... where concurrent workers should pass over rows already taken
    schema_lock = ""  # run first when creating the schema, so concurrent opens do not race
    conflict_errors: tuple[type[Exception], ...] = ()
    unavailable_errors: tuple[type[Exception], ...] = ()

    def __init__(self, url: str) -> None:
        self.url = url  # without any password
        self._local = threading.local()
        self._conns: list[tuple[threading.Thread, Any]] = []  # every thread's, for close()
        self._lock = threading.Lock()
        self._closed = False
        self._create_schema()

    def _connect(self) -> Any:
        raise NotImplementedError

    def _usable(self, conn: Any) -> bool:
        """False for a connection the server dropped; the next call opens a new one."""
        return True

    def _transaction(self, conn: Any, write: bool, durable: bool) -> AbstractContextManager[None]:
        """`durable`: the commit survives power loss (else only a crash of faqbot itself)."""
        raise NotImplementedError

    def _conn(self) -> Any:
        if self._closed:
            raise StoreError(f"{self.url}: the store is closed")
        old = getattr(self._local, "conn", None)
        if old is not None and self._usable(old):
            return old
        try:
            conn = self._connect()
        except self.unavailable_errors as e:
            raise StoreError(f"cannot open the conversation store {self.url}: {first_line(e)}") from e
        with self._lock:
            # Also forget (and close) the connections of threads that have ended.
            keep = [(t, c) for t, c in self._conns if c is not old and t.is_alive()]
            gone = [c for t, c in self._conns if c is old or not t.is_alive()]
            self._conns = [*keep, (threading.current_thread(), conn)]
        self._local.conn = conn
        self._close(gone)
        return conn

    @contextmanager
    def _tx(self, what: str, write: bool = True, durable: bool = True) -> Iterator[Tx]:
        """One transaction: committed when the block ends, rolled back if it raises. A write that
        is not `durable` is committed for every reader and survives a crash of faqbot, but not
        necessarily of the machine: it waits for no disk flush (the next durable commit flushes
        it along)."""
        conn = self._conn()
        try:
            with self._transaction(conn, write, durable):
                yield Tx(conn, self.placeholder)
        except self.conflict_errors as e:
            # The database's own message may quote stored values (a key's hash), so it stays out.
            raise ConflictError(f"{what}: conflicts with a stored record") from e
        except self.unavailable_errors as e:
            raise StoreError(f"{what} failed on {self.url}: {first_line(e)}") from e

    def close(self) -> None:
        self._closed = True
        with self._lock:
            conns, self._conns = [c for _, c in self._conns], []
        self._close(conns)

    @staticmethod
    def _close(conns: list[Any]) -> None:
        for conn in conns:
            try:
                conn.close()
            except Exception:
                # Best effort: the connection is unused from now on, and may already be broken.
                log.debug("closing a store connection failed", exc_info=True)

    def _create_schema(self) -> None:
        with self._tx("creating the schema") as tx:
            if self.schema_lock:
                tx.run(self.schema_lock)
            # Mixins add their own tables (a class attribute `own_schema`, e.g. bot.store.console).
            schema = rows.SCHEMA + "".join(vars(cls).get("own_schema", "")
                                           for cls in reversed(type(self).__mro__))
            for statement in schema.format(identity=self.identity).split(";"):
                if statement.strip():
                    tx.run(statement)
            found = tx.one("SELECT MAX(version) FROM schema_version")
            version = None if found is None else found[0]
            if version is None:
                tx.run("INSERT INTO schema_version (version) VALUES (?)", rows.SCHEMA_VERSION)
            elif version > rows.SCHEMA_VERSION:
                raise StoreError(f"{self.url}: schema version {version} is newer than this faqbot "
                                 f"supports ({rows.SCHEMA_VERSION}); upgrade faqbot")
            # Migrations from older versions will run here, in this same transaction.
