"""What the agent console keeps beside the conversations: sign-in sessions, the audit log,
internal notes, agents' display names, when the customer last saw the conversation, and the
e-mail follow-ups sent.

`ConsoleStore` is the protocol (part of `bot.store.Store`); `ConsoleSql` implements it for both
SQL dialects, mixed into `bot.store.sql.SqlStore`. Its tables are created with the rest of the
schema (`SCHEMA` below, run by bot.store.connection).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.records import PRIORITIES, EscalationItem, EscalationQuery, EscalationSort, Role
from bot.store import rows as r
from bot.store.connection import SqlConnection, Tx
from kb.errors import NotFoundError

_E_COLS = ", ".join(f"e.{c.strip()}" for c in r.ESCALATION_COLS.split(","))
# The customer's newest message after the escalation and after the newest agent reply.
_REPLIED = ("(SELECT MAX(c.at) FROM turns c WHERE c.session_id = e.session_id AND c.role = ? "
            "AND c.at > e.created_at AND c.at > COALESCE((SELECT MAX(a.at) FROM turns a "
            "WHERE a.session_id = e.session_id AND a.role = ?), 0))")
_PRIORITY_RANK = "CASE priority " + " ".join(
    f"WHEN '{p}' THEN {i}" for i, p in enumerate(reversed(PRIORITIES))) + " ELSE 9 END"
_ORDER = {
    EscalationSort.OVERDUE: "CASE WHEN expected_reply_at IS NULL THEN 1 ELSE 0 END, expected_reply_at, "
                            "created_at, seq",
    EscalationSort.OLDEST: "created_at, seq",
    EscalationSort.NEWEST: "created_at DESC, seq DESC",
    EscalationSort.PRIORITY: f"{_PRIORITY_RANK}, CASE WHEN expected_reply_at IS NULL THEN 1 ELSE 0 END, "
                             "expected_reply_at, created_at, seq",
}

SCHEMA = """
CREATE TABLE IF NOT EXISTS console_sessions (
    token_hash TEXT PRIMARY KEY, key_id TEXT NOT NULL, csrf TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL, seen_at DOUBLE PRECISION NOT NULL,
    ended_at DOUBLE PRECISION);
CREATE TABLE IF NOT EXISTS audit_log (
    seq {identity}, at DOUBLE PRECISION NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    escalation_id TEXT NOT NULL, session_id TEXT NOT NULL, detail TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log (at);
CREATE TABLE IF NOT EXISTS notes (
    note_id {identity}, escalation_id TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL);
CREATE INDEX IF NOT EXISTS notes_by_escalation ON notes (escalation_id, at);
CREATE TABLE IF NOT EXISTS agent_names (agent TEXT PRIMARY KEY, display_name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customer_seen (
    session_id TEXT PRIMARY KEY, turn_id BIGINT NOT NULL, at DOUBLE PRECISION NOT NULL);
CREATE TABLE IF NOT EXISTS followups (
    turn_id BIGINT PRIMARY KEY, session_id TEXT NOT NULL, status TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL, error TEXT NOT NULL);
"""


@dataclass(frozen=True)
class ConsoleSession:
    """A signed-in console user: the key they signed in with, and the CSRF token of the session."""

    key_id: str
    csrf: str
    created_at: float
    seen_at: float


@dataclass(frozen=True)
class AuditEntry:
    at: float
    actor: str  # the key's name, as on the API
    action: str  # "sign_in", "claim", "reply", "note", "resolve", "release", "key_create", ...
    escalation_id: str = ""
    session_id: str = ""
    detail: str = ""  # never customer text: ids, key names, outcomes
    seq: int = 0


@dataclass(frozen=True)
class Note:
    """An internal note on an escalation: agents see it, the customer never does."""

    escalation_id: str
    author: str
    text: str
    at: float
    note_id: int = 0


class ConsoleStore(Protocol):
    def escalation_items(self, query: EscalationQuery) -> list[EscalationItem]:
        """The agents' list: filtered and sorted as `query` says, without transcripts."""

    def latest_escalation_id(self, session_id: str) -> str:
        """The session's newest escalation, resolved or not ("" if none)."""

    # --- sign-in sessions (only a hash of the cookie's token is stored) ---
    def add_console_session(self, token_hash: str, key_id: str, csrf: str, now: float) -> None: ...

    def console_session(self, token_hash: str, now: float, idle_seconds: float) -> ConsoleSession | None:
        """The live session with that hash, its `seen_at` moved to `now`; None (and the session
        ended) when it was idle longer than `idle_seconds`, signed out, or unknown."""

    def end_console_session(self, token_hash: str, now: float) -> None: ...

    def end_key_sessions(self, key_id: str, now: float) -> int:
        """End every session signed in with the key (it was revoked); how many were live."""

    # --- audit log ---
    def audit(self, entry: AuditEntry) -> None: ...

    def audit_log(self, limit: int = 200, escalation_id: str | None = None) -> list[AuditEntry]:
        """Newest first."""

    # --- internal notes ---
    def add_note(self, note: Note) -> Note: ...

    def notes(self, escalation_id: str) -> list[Note]:
        """Oldest first."""

    # --- agents' display names (what the customer sees beside an agent's reply) ---
    def set_display_name(self, agent: str, display_name: str) -> None:
        """"" removes it: the key's name is shown again."""

    def display_names(self, agents: Sequence[str] | None = None) -> dict[str, str]: ...

    # --- what the customer has seen, and e-mail follow-ups ---
    def mark_seen(self, session_id: str, turn_id: int, now: float) -> None:
        """The customer's widget has shown the session up to `turn_id` (never moves back)."""

    def seen(self, session_id: str) -> int:
        """The last turn id the customer's widget showed; 0 if none."""

    def record_followup(self, turn_id: int, session_id: str, status: str, now: float,
                        error: str = "") -> None:
        """How the e-mail follow-up of agent turn `turn_id` went ("sent", "failed", "skipped");
        a later record of the same turn replaces it."""

    def followups(self, session_id: str | None = None) -> list[tuple[int, str, str, float, str]]:
        """(turn_id, session_id, status, at, error), oldest first."""


class ConsoleSql(SqlConnection):
    """`ConsoleStore` over the dialect's connections."""

    own_schema = SCHEMA

    def escalation_items(self, query: EscalationQuery) -> list[EscalationItem]:
        if query.limit < 1:
            raise ValueError(f"limit must be positive, got {query.limit!r}")
        clauses, params = ["1 = 1"], [Role.CUSTOMER.value, Role.AGENT.value]
        if query.statuses:
            clauses.append(f"status IN ({', '.join('?' for _ in query.statuses)})")
            params.extend(query.statuses)
        for column in ("queue", "language", "priority", "reason"):
            value = getattr(query, column)
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if query.assigned_to is not None:
            # "" is nobody: open escalations, whoever resolved an unclaimed one aside.
            clauses.append("agent = ? AND status <> 'resolved'" if query.assigned_to == ""
                           else "agent = ? AND status = 'claimed'")
            params.append(query.assigned_to)
        if query.customer_replied is not None:
            clauses.append("customer_replied_at IS NOT NULL" if query.customer_replied
                           else "customer_replied_at IS NULL")
        sql = (f"SELECT {r.ESCALATION_COLS}, customer_replied_at FROM (SELECT {_E_COLS}, e.seq, "
               f"{_REPLIED} AS customer_replied_at FROM escalations e) q WHERE {' AND '.join(clauses)} "
               f"ORDER BY {_ORDER[EscalationSort(query.sort)]} LIMIT ?")
        with self._tx("escalation_items", write=False) as tx:
            found = tx.all(sql, *params, query.limit)
        return [EscalationItem(r.escalation(row[:-1], ()), r.opt_float(row[-1])) for row in found]


    def latest_escalation_id(self, session_id: str) -> str:
        with self._tx("latest_escalation_id", write=False) as tx:
            row = tx.one("SELECT escalation_id FROM escalations WHERE session_id = ? "
                         "ORDER BY created_at DESC, seq DESC LIMIT 1", session_id)
        return "" if row is None else str(row[0])

    def add_console_session(self, token_hash: str, key_id: str, csrf: str, now: float) -> None:
        with self._tx("add_console_session") as tx:
            tx.run("INSERT INTO console_sessions (token_hash, key_id, csrf, created_at, seen_at, ended_at) "
                   "VALUES (?, ?, ?, ?, ?, NULL)", token_hash, key_id, csrf, now, now)

    def console_session(self, token_hash: str, now: float, idle_seconds: float) -> ConsoleSession | None:
        with self._tx("console_session") as tx:
            row = tx.one("SELECT key_id, csrf, created_at, seen_at FROM console_sessions "
                         f"WHERE token_hash = ? AND ended_at IS NULL{self.lock_rows}", token_hash)
            if row is None:
                return None
            if now - float(row[3]) > idle_seconds:
                tx.run("UPDATE console_sessions SET ended_at = ? WHERE token_hash = ?", now, token_hash)
                return None
            tx.run("UPDATE console_sessions SET seen_at = ? WHERE token_hash = ?", now, token_hash)
        return ConsoleSession(str(row[0]), str(row[1]), float(row[2]), now)

    def end_console_session(self, token_hash: str, now: float) -> None:
        with self._tx("end_console_session") as tx:
            tx.run("UPDATE console_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                   now, token_hash)

    def end_key_sessions(self, key_id: str, now: float) -> int:
        with self._tx("end_key_sessions") as tx:
            return tx.run("UPDATE console_sessions SET ended_at = ? WHERE key_id = ? AND ended_at IS NULL",
                          now, key_id)

    def audit(self, entry: AuditEntry) -> None:
        with self._tx("audit") as tx:
            tx.run("INSERT INTO audit_log (at, actor, action, escalation_id, session_id, detail) "
                   "VALUES (?, ?, ?, ?, ?, ?)", entry.at, entry.actor, entry.action, entry.escalation_id,
                   entry.session_id, entry.detail)

    def audit_log(self, limit: int = 200, escalation_id: str | None = None) -> list[AuditEntry]:
        where, params = ("escalation_id = ?", (escalation_id,)) if escalation_id else ("1 = 1", ())
        with self._tx("audit_log", write=False) as tx:
            found = tx.all("SELECT at, actor, action, escalation_id, session_id, detail, seq FROM audit_log "
                           f"WHERE {where} ORDER BY at DESC, seq DESC LIMIT ?", *params, limit)
        return [AuditEntry(float(r[0]), r[1], r[2], r[3], r[4], r[5], int(r[6])) for r in found]

    def add_note(self, note: Note) -> Note:
        with self._tx("add_note") as tx:
            if tx.one("SELECT 1 FROM escalations WHERE escalation_id = ?", note.escalation_id) is None:
                raise NotFoundError(f"no escalation {note.escalation_id!r}")
            row = tx.one("INSERT INTO notes (escalation_id, author, text, at) VALUES (?, ?, ?, ?) "
                         "RETURNING note_id", note.escalation_id, note.author, note.text, note.at)
        return Note(note.escalation_id, note.author, note.text, note.at, int(_first(row)))

    def notes(self, escalation_id: str) -> list[Note]:
        with self._tx("notes", write=False) as tx:
            found = tx.all("SELECT escalation_id, author, text, at, note_id FROM notes "
                           "WHERE escalation_id = ? ORDER BY at, note_id", escalation_id)
        return [Note(r[0], r[1], r[2], float(r[3]), int(r[4])) for r in found]

    def set_display_name(self, agent: str, display_name: str) -> None:
        with self._tx("set_display_name") as tx:
            if not display_name:
                tx.run("DELETE FROM agent_names WHERE agent = ?", agent)
                return
            tx.run("INSERT INTO agent_names (agent, display_name) VALUES (?, ?) ON CONFLICT (agent) "
                   "DO UPDATE SET display_name = excluded.display_name", agent, display_name)

    def display_names(self, agents: Sequence[str] | None = None) -> dict[str, str]:
        with self._tx("display_names", write=False) as tx:
            found = tx.all("SELECT agent, display_name FROM agent_names")
        wanted = None if agents is None else set(agents)
        return {str(a): str(n) for a, n in found if wanted is None or a in wanted}

    def mark_seen(self, session_id: str, turn_id: int, now: float) -> None:
        with self._tx("mark_seen") as tx:
            tx.run("INSERT INTO customer_seen (session_id, turn_id, at) VALUES (?, ?, ?) "
                   "ON CONFLICT (session_id) DO UPDATE SET "
                   "turn_id = CASE WHEN excluded.turn_id > customer_seen.turn_id "
                   "THEN excluded.turn_id ELSE customer_seen.turn_id END, at = excluded.at",
                   session_id, turn_id, now)

    def seen(self, session_id: str) -> int:
        with self._tx("seen", write=False) as tx:
            row = tx.one("SELECT turn_id FROM customer_seen WHERE session_id = ?", session_id)
        return 0 if row is None else int(row[0])

    def record_followup(self, turn_id: int, session_id: str, status: str, now: float,
                        error: str = "") -> None:
        with self._tx("record_followup") as tx:
            tx.run("INSERT INTO followups (turn_id, session_id, status, at, error) VALUES (?, ?, ?, ?, ?) "
                   "ON CONFLICT (turn_id) DO UPDATE SET status = excluded.status, at = excluded.at, "
                   "error = excluded.error", turn_id, session_id, status, now, error[:500])

    def followups(self, session_id: str | None = None) -> list[tuple[int, str, str, float, str]]:
        where, params = ("session_id = ?", (session_id,)) if session_id else ("1 = 1", ())
        with self._tx("followups", write=False) as tx:
            found = tx.all(f"SELECT turn_id, session_id, status, at, error FROM followups WHERE {where} "
                           "ORDER BY at, turn_id", *params)
        return [(int(r[0]), str(r[1]), str(r[2]), float(r[3]), str(r[4])) for r in found]

    def _console_erase(self, tx: Tx, session_id: str) -> dict[str, int]:
        """The console's rows of a session being erased (bot.store.sql.delete_session)."""
        return {
            "notes": tx.run("DELETE FROM notes WHERE escalation_id IN (SELECT escalation_id FROM escalations "
                            "WHERE session_id = ?)", session_id),
            "customer_seen": tx.run("DELETE FROM customer_seen WHERE session_id = ?", session_id),
            "followups": tx.run("DELETE FROM followups WHERE session_id = ?", session_id),
        }


def _first(row: Any) -> Any:
    if row is None:
        raise RuntimeError("INSERT ... RETURNING gave no row")
    return row[0]
