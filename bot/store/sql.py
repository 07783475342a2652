"""Every query of the conversation store, written once for SQLite and PostgreSQL.

`SqlStore` implements the `bot.store.base.Store` protocol; a dialect subclass supplies connections
and the few SQL words that differ (bot.store.connection), rows map to records in bot.store.rows.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from bot.records import (
    BOT,
    CLAIMED,
    DEAD,
    DELIVERED,
    HANDED_OFF,
    PENDING,
    RESOLVED,
    ApiKey,
    Contact,
    Delivery,
    Escalation,
    Feedback,
    Session,
    Turn,
)
from bot.store import rows as r
from bot.store.channel_sql import ChannelQueries
from bot.store.connection import Tx
from bot.store.console import ConsoleSql
from bot.store.insight_sql import InsightQueries
from kb.errors import ConflictError, NotFoundError

log = logging.getLogger(__name__)


class SqlStore(ConsoleSql, ChannelQueries, InsightQueries):
    """The `Store` protocol over SQL; see bot.store.base for what each method promises."""

    # --- sessions and transcripts ---
    def _touch_session(self, tx: Tx, session_id: str, lang: str, at: float,
                       contact: str = r.NO_CONTACT, created: float | None = None) -> None:
        """Create the session (state BOT, created at `created`, else `at`) or bring its language
        and last activity up to date."""
        tx.run("INSERT INTO sessions (session_id, state, lang, created_at, updated_at, contact) "
               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
               "lang = CASE WHEN excluded.lang <> '' THEN excluded.lang ELSE sessions.lang END, "
               "updated_at = CASE WHEN excluded.updated_at > sessions.updated_at "
               "THEN excluded.updated_at ELSE sessions.updated_at END",
               session_id, BOT, lang, at if created is None else created, at, contact)

    def add_turn(self, turn: Turn) -> Turn:
        r.check_turn(turn)
        with self._tx("add_turn", durable=False) as tx:
            return self._insert_turn(tx, turn)

    def add_turns(self, *turns: Turn) -> list[Turn]:
        for turn in turns:
            r.check_turn(turn)
        with self._tx("add_turns", durable=False) as tx:
            # Each session touched once, as its turns one by one would leave it (the write lock
            # is held for every statement, and under load each waits for the GIL again).
            touched: dict[str, tuple[str, float, float]] = {}
            for turn in turns:
                lang, first, last = touched.get(turn.session_id, ("", turn.at, turn.at))
                touched[turn.session_id] = (turn.lang or lang, first, max(last, turn.at))
            for session_id, (lang, first, last) in touched.items():
                self._touch_session(tx, session_id, lang, last, created=first)
            return [self._insert_turn(tx, turn, touched=True) for turn in turns]

    def _insert_turn(self, tx: Tx, turn: Turn, touched: bool = False) -> Turn:
        if not touched:
            self._touch_session(tx, turn.session_id, turn.lang, turn.at)
        row = tx.one(f"INSERT INTO turns ({r.TURN_FIELDS}) VALUES ({r.marks(r.TURN_FIELDS)}) "
                     "RETURNING turn_id", *r.turn_values(turn))
        if row is None:
            raise RuntimeError("INSERT ... RETURNING gave no row")
        return replace(turn, turn_id=int(row[0]))

    def session(self, session_id: str) -> Session | None:
        with self._tx("session", write=False) as tx:
            row = tx.one(f"SELECT {r.SESSION_COLS} FROM sessions WHERE session_id = ?", session_id)
        return None if row is None else r.session(row)

    def transcript(self, session_id: str) -> list[Turn]:
        with self._tx("transcript", write=False) as tx:
            found = tx.all(f"SELECT {r.TURN_COLS} FROM turns WHERE session_id = ? ORDER BY at, turn_id",
                           session_id)
        return [r.turn(row) for row in found]

    def _update_session(self, session_id: str, column: str, value: Any) -> Session:
        with self._tx(f"setting the {column} of a session") as tx:
            row = tx.one(f"UPDATE sessions SET {column} = ? WHERE session_id = ? RETURNING {r.SESSION_COLS}",
                         value, session_id)
        if row is None:
            raise NotFoundError(f"no session {session_id!r}")
        return r.session(row)

    def set_state(self, session_id: str, state: str) -> Session:
        r.check_choice("session state", state, r.SESSION_STATES)
        return self._update_session(session_id, "state", state)

    def set_contact(self, session_id: str, contact: Contact) -> Session:
        return self._update_session(session_id, "contact", r.contact_json(contact))

    # --- escalations ---
    def add_escalation(self, escalation: Escalation, targets: Sequence[str],
                       deliver_at: float, turns: Sequence[Turn] = ()) -> Escalation:
        e = escalation
        r.check_escalation(e, targets)
        for turn in turns:
            r.check_turn(turn)
            if turn.session_id != e.session_id:
                raise ValueError(f"turn of session {turn.session_id!r} in {e.session_id!r}'s escalation")
        with self._tx(f"add_escalation {e.escalation_id}") as tx:
            # The hand-off is written first so that a refused escalation rolls it back too.
            self._touch_session(tx, e.session_id, e.language, e.created_at, r.contact_json(e.contact))
            for turn in turns:
                self._insert_turn(tx, turn)
            tx.run("UPDATE sessions SET state = ? WHERE session_id = ?", HANDED_OFF, e.session_id)
            tx.run(f"INSERT INTO escalations ({r.ESCALATION_COLS}) VALUES ({r.marks(r.ESCALATION_COLS)})",
                   *r.escalation_values(e))
            for target in targets:
                tx.run("INSERT INTO deliveries (escalation_id, target, status, attempts, next_at, "
                       "last_error) VALUES (?, ?, ?, 0, ?, '')", e.escalation_id, target, PENDING, deliver_at)
            return self._escalations(tx, "escalation_id = ?", (e.escalation_id,))[0]

    def _escalations(self, tx: Tx, where: str, params: tuple[Any, ...],
                     limit: int | None = None) -> list[Escalation]:
        """Newest first, each with its session's transcript (fetched in one more query)."""
        picked = f"FROM escalations WHERE {where} ORDER BY created_at DESC, seq DESC"
        if limit is not None:
            picked, params = f"{picked} LIMIT ?", (*params, limit)
        found = tx.all(f"SELECT {r.ESCALATION_COLS} {picked}", *params)
        turns: dict[str, list[Turn]] = {}
        if found:
            for row in tx.all(f"SELECT {r.TURN_COLS} FROM turns WHERE session_id IN "
                              f"(SELECT session_id {picked}) ORDER BY at, turn_id", *params):
                turns.setdefault(row[1], []).append(r.turn(row))
        return [r.escalation(row, tuple(turns.get(row[1], ()))) for row in found]

    def escalation(self, escalation_id: str) -> Escalation | None:
        with self._tx("escalation", write=False) as tx:
            found = self._escalations(tx, "escalation_id = ?", (escalation_id,))
        return found[0] if found else None

    def open_escalation(self, session_id: str) -> Escalation | None:
        with self._tx("open_escalation", write=False) as tx:
            found = self._escalations(tx, "session_id = ? AND status <> ?", (session_id, RESOLVED), 1)
        return found[0] if found else None

    def escalations(self, status: str | None = None, queue: str | None = None,
                    limit: int = 100, since: float | None = None,
                    until: float | None = None) -> list[Escalation]:
        if status is not None:
            r.check_choice("escalation status", status, r.ESCALATION_STATES)
        if limit < 1:
            raise ValueError(f"limit must be positive, got {limit!r}")
        where, params = r.where("created_at", since, until, status=status, queue=queue)
        with self._tx("escalations", write=False) as tx:
            return self._escalations(tx, where, params, limit)

    def update_escalation(self, escalation_id: str, *, contact: Contact | None = None,
                          message: str | None = None, now: float | None = None) -> Escalation:
        if message is not None:
            r.check_text("escalation message", message)
        with self._tx(f"update_escalation {escalation_id}") as tx:
            self._locked_status(tx, escalation_id)
            if contact is not None:
                tx.run("UPDATE escalations SET contact = ? WHERE escalation_id = ?",
                       r.contact_json(contact), escalation_id)
            if message is not None:
                tx.run("UPDATE escalations SET message = ? WHERE escalation_id = ?", message, escalation_id)
            return self._stamped(tx, escalation_id, now)

    def _locked_status(self, tx: Tx, escalation_id: str) -> tuple[str, str]:
        row = tx.one(f"SELECT status, agent FROM escalations WHERE escalation_id = ?{self.lock_rows}",
                     escalation_id)
        if row is None:
            raise NotFoundError(f"no escalation {escalation_id!r}")
        return str(row[0]), str(row[1])

    def _stamped(self, tx: Tx, escalation_id: str, now: float | None) -> Escalation:
        tx.run("UPDATE escalations SET updated_at = ? WHERE escalation_id = ?",
               time.time() if now is None else now, escalation_id)
        return self._escalations(tx, "escalation_id = ?", (escalation_id,))[0]

    def claim(self, escalation_id: str, agent: str, *, now: float | None = None) -> Escalation:
        r.check_id("agent", agent)
        with self._tx(f"claim {escalation_id}") as tx:
            status, holder = self._locked_status(tx, escalation_id)
            if status == RESOLVED:
                raise ConflictError(f"escalation {escalation_id} is already resolved")
            if status == CLAIMED and holder != agent:
                raise ConflictError(f"escalation {escalation_id} is claimed by {holder!r}")
            if status == CLAIMED:
                return self._escalations(tx, "escalation_id = ?", (escalation_id,))[0]
            tx.run("UPDATE escalations SET status = ?, agent = ? WHERE escalation_id = ?",
                   CLAIMED, agent, escalation_id)
            return self._stamped(tx, escalation_id, now)

    def resolve(self, escalation_id: str, agent: str, *, now: float | None = None) -> Escalation:
        r.check_id("agent", agent)
        with self._tx(f"resolve {escalation_id}") as tx:
            status, _ = self._locked_status(tx, escalation_id)
            if status == RESOLVED:
                raise ConflictError(f"escalation {escalation_id} is already resolved")
            tx.run("UPDATE escalations SET status = ?, agent = ? WHERE escalation_id = ?",
                   RESOLVED, agent, escalation_id)
            return self._stamped(tx, escalation_id, now)

    # --- feedback and analytics ---
    def add_feedback(self, feedback: Feedback) -> Feedback:
        r.check_feedback(feedback)
        with self._tx("add_feedback") as tx:
            row = tx.one("SELECT role FROM turns WHERE turn_id = ? AND session_id = ?",
                         feedback.turn_id, feedback.session_id)
            if row is None or row[0] != "bot":
                raise NotFoundError(f"no bot turn {feedback.turn_id} in session {feedback.session_id!r}")
            tx.run(f"INSERT INTO feedback ({r.FEEDBACK_COLS}) VALUES ({r.marks(r.FEEDBACK_COLS)}) "
                   "ON CONFLICT (session_id, turn_id) DO UPDATE SET at = excluded.at, "
                   "helpful = excluded.helpful, csat = excluded.csat, comment = excluded.comment",
                   *r.feedback_values(feedback))
        return feedback

    def feedback(self, since: float | None = None, until: float | None = None) -> list[Feedback]:
        where, params = r.where("at", since, until)
        with self._tx("feedback", write=False) as tx:
            found = tx.all(f"SELECT {r.FEEDBACK_COLS} FROM feedback WHERE {where} "
                           "ORDER BY at, session_id, turn_id", *params)
        return [r.feedback(row) for row in found]

    def turns(self, since: float | None = None, until: float | None = None) -> list[Turn]:
        where, params = r.where("at", since, until)
        with self._tx("turns", write=False) as tx:
            found = tx.all(f"SELECT {r.TURN_COLS} FROM turns WHERE {where} ORDER BY at, turn_id", *params)
        return [r.turn(row) for row in found]

    # --- webhook outbox ---
    def lease_deliveries(self, now: float, lease_seconds: float, limit: int) -> list[Delivery]:
        if lease_seconds <= 0:
            raise ValueError(f"lease_seconds must be positive, got {lease_seconds!r}")
        if limit < 1:
            raise ValueError(f"limit must be positive, got {limit!r}")
        # One statement: SQLite runs it under the write lock (BEGIN IMMEDIATE), PostgreSQL skips
        # rows another worker has locked, so two workers never take the same row.
        with self._tx("lease_deliveries") as tx:
            found = tx.all(f"UPDATE deliveries SET next_at = ? WHERE delivery_id IN (SELECT delivery_id "
                           f"FROM deliveries WHERE status = ? AND next_at <= ? ORDER BY next_at, delivery_id "
                           f"LIMIT ?{self.skip_locked}) RETURNING {r.DELIVERY_COLS}",
                           now + lease_seconds, PENDING, now, limit)
        return sorted((r.delivery(row) for row in found), key=lambda d: d.delivery_id)

    def _outcome(self, what: str, delivery_id: int, sql: str, *params: Any) -> str | None:
        """Run `sql` (an UPDATE ... RETURNING); None if it changed the row, else the row's status."""
        with self._tx(f"{what} {delivery_id}") as tx:
            if tx.one(sql, *params) is not None:
                return None
            row = tx.one("SELECT status FROM deliveries WHERE delivery_id = ?", delivery_id)
        if row is None:
            raise NotFoundError(f"no delivery {delivery_id!r}")
        return str(row[0])

    def mark_delivered(self, delivery_id: int, now: float) -> None:
        self._outcome("mark_delivered", delivery_id, "UPDATE deliveries SET status = ?, delivered_at = ?, "
                      "attempts = attempts + 1 WHERE delivery_id = ? AND status <> ? RETURNING delivery_id",
                      DELIVERED, now, delivery_id, DELIVERED)

    def mark_failed(self, delivery_id: int, error: str, retry_at: float | None) -> None:
        status = PENDING if retry_at is not None else DEAD
        stale = self._outcome(
            "mark_failed", delivery_id, "UPDATE deliveries SET status = ?, attempts = attempts + 1, "
            "last_error = ?, next_at = COALESCE(?, next_at) WHERE delivery_id = ? AND status = ? "
            "RETURNING delivery_id", status, r.clean_error(error), retry_at, delivery_id, PENDING)
        if stale is not None:
            log.info("delivery %d failed after it was already %s; keeping %s", delivery_id, stale, stale)

    def deliveries(self, status: str | None = None, escalation_id: str | None = None) -> list[Delivery]:
        if status is not None:
            r.check_choice("delivery status", status, r.DELIVERY_STATES)
        where, params = r.where(status=status, escalation_id=escalation_id)
        with self._tx("deliveries", write=False) as tx:
            found = tx.all(f"SELECT {r.DELIVERY_COLS} FROM deliveries WHERE {where} ORDER BY delivery_id",
                           *params)
        return [r.delivery(row) for row in found]

    def delivery_counts(self) -> dict[str, int]:
        with self._tx("delivery_counts", write=False) as tx:
            found = tx.all("SELECT status, COUNT(*), COALESCE(SUM(attempts), 0) FROM deliveries "
                           "GROUP BY status")
        counts = dict.fromkeys((*r.DELIVERY_STATES, "attempts"), 0)
        for status, n, attempts in found:
            counts[str(status)] = int(n)
            counts["attempts"] += int(attempts)
        return counts

    def retry_dead(self, delivery_id: int, now: float) -> None:
        status = self._outcome("retry_dead", delivery_id, "UPDATE deliveries SET status = ?, next_at = ?, "
                               "attempts = 0 WHERE delivery_id = ? AND status = ? RETURNING delivery_id",
                               PENDING, now, delivery_id, DEAD)
        if status is not None:
            raise ConflictError(f"delivery {delivery_id} is {status}, not {DEAD}")

    # --- API keys ---
    def secret(self, name: str, make: Callable[[], str]) -> str:
        with self._tx(f"secret {name}") as tx:
            # Whoever inserts first wins; every process (and replica) then reads that one value.
            tx.run("INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                   name, make())
            row = tx.one("SELECT value FROM secrets WHERE name = ?", name)
        if row is None:
            raise RuntimeError(f"secret {name!r} vanished inside its own transaction")
        return str(row[0])

    def add_key(self, key: ApiKey, secret_hash: str) -> ApiKey:
        r.check_id("key_id", key.key_id)
        r.check_id("secret_hash", secret_hash)
        with self._tx(f"add_key {key.key_id}") as tx:
            tx.run(f"INSERT INTO api_keys ({r.KEY_COLS}, secret_hash) VALUES ({r.marks(r.KEY_COLS)}, ?)",
                   key.key_id, key.role, key.name, key.created_at, key.revoked_at, secret_hash)
        return key

    def api_keys(self) -> list[ApiKey]:
        with self._tx("keys", write=False) as tx:
            return [r.api_key(row) for row in tx.all(f"SELECT {r.KEY_COLS} FROM api_keys "
                                                     "ORDER BY created_at, key_id")]

    def key_for_hash(self, secret_hash: str) -> ApiKey | None:
        with self._tx("key_for_hash", write=False) as tx:
            row = tx.one(f"SELECT {r.KEY_COLS} FROM api_keys WHERE secret_hash = ? AND revoked_at IS NULL",
                         secret_hash)
        return None if row is None else r.api_key(row)

    def revoke_key(self, key_id: str, now: float) -> ApiKey:
        with self._tx(f"revoke_key {key_id}") as tx:
            row = tx.one("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE key_id = ? "
                         f"RETURNING {r.KEY_COLS}", now, key_id)
        if row is None:
            raise NotFoundError(f"no API key {key_id!r}")
        return r.api_key(row)

    # --- privacy ---
    def delete_session(self, session_id: str) -> dict[str, int]:
        with self._tx("delete_session") as tx:
            # Children before parents, so the foreign keys hold at every step.
            console = self._console_erase(tx, session_id)
            return {
                **console,
                **self.delete_channel_session(tx, session_id),
                **self.delete_labels(tx, session_id),
                "deliveries": tx.run("DELETE FROM deliveries WHERE escalation_id IN (SELECT escalation_id "
                                     "FROM escalations WHERE session_id = ?)", session_id),
                "escalations": tx.run("DELETE FROM escalations WHERE session_id = ?", session_id),
                "feedback": tx.run("DELETE FROM feedback WHERE session_id = ?", session_id),
                "turns": tx.run("DELETE FROM turns WHERE session_id = ?", session_id),
                "sessions": tx.run("DELETE FROM sessions WHERE session_id = ?", session_id),
            }
