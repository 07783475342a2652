"""The channel queries of the store (bot/channels), written once for SQLite and PostgreSQL.

A mixin of `SqlStore`; the tables are in bot.store.channel_rows. The outbox follows the webhook
outbox's rules (lease, mark delivered or failed, dead letters), and keeps each conversation's
order: a session's next send waits until its earlier ones are delivered or dead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.records import DEAD, DELIVERED, PENDING, ChannelDelivery
from bot.store import rows as r
from bot.store.channel_rows import OUTBOX_COLS, channel_delivery
from bot.store.connection import SqlConnection
from kb.errors import ConflictError, NotFoundError

# Agent turns, and the note that the bot is back, go out on the customer's channel.
_RELAYED = "(t.role = 'agent' OR (t.role = 'system' AND t.reason = 'handed_back'))"


class ChannelQueries(SqlConnection):
    def claim_channel_message(self, channel: str, message_id: str, session_id: str, at: float) -> bool:
        """Record that the platform's message `message_id` is being answered; False when it was
        already (a retry, a redelivery, an edit): the caller then answers nothing."""
        r.check_id("message_id", message_id)
        with self._tx("claim_channel_message") as tx:
            return tx.run("INSERT INTO channel_messages (channel, message_id, session_id, at) "
                          "VALUES (?, ?, ?, ?) ON CONFLICT (channel, message_id) DO NOTHING",
                          channel, message_id, session_id, at) == 1

    def release_channel_message(self, channel: str, message_id: str) -> None:
        """Forget a claim whose answer failed, so the platform's retry is answered."""
        with self._tx("release_channel_message") as tx:
            tx.run("DELETE FROM channel_messages WHERE channel = ? AND message_id = ?", channel, message_id)

    def set_channel_address(self, session_id: str, channel: str, address: dict[str, Any],
                            at: float) -> None:
        """Create or update the channel session (where replies to `session_id` go)."""
        with self._tx("set_channel_address") as tx:
            tx.run("INSERT INTO channel_sessions (session_id, channel, address, choices, created_at, "
                   "relayed_turn) VALUES (?, ?, ?, '[]', ?, 0) ON CONFLICT (session_id) DO UPDATE SET "
                   "address = excluded.address", session_id, channel,
                   json.dumps(address, ensure_ascii=False, sort_keys=True), at)

    def channel_session(self, session_id: str) -> tuple[str, dict[str, Any], list[list[str]]] | None:
        """(channel, address, choices last offered as [article_id, title]) or None."""
        with self._tx("channel_session", write=False) as tx:
            row = tx.one("SELECT channel, address, choices FROM channel_sessions WHERE session_id = ?",
                         session_id)
        return None if row is None else (str(row[0]), json.loads(row[1]), json.loads(row[2]))

    def set_channel_choices(self, session_id: str, choices: Sequence[tuple[str, str]]) -> None:
        with self._tx("set_channel_choices") as tx:
            tx.run("UPDATE channel_sessions SET choices = ? WHERE session_id = ?",
                   json.dumps([list(c) for c in choices], ensure_ascii=False), session_id)

    def channel_of_sessions(self) -> dict[str, str]:
        """session id → channel, for every channel session (analytics by channel)."""
        with self._tx("channel_of_sessions", write=False) as tx:
            return {str(a): str(b) for a, b in tx.all("SELECT session_id, channel FROM channel_sessions")}

    # --- the channel outbox ---
    def add_channel_sends(self, session_id: str, channel: str, parts: Sequence[dict[str, Any]],
                          at: float) -> list[int]:
        """Queue `parts` (in order) for the channel; their outbox ids."""
        ids = []
        with self._tx("add_channel_sends") as tx:
            for part in parts:
                row = tx.one("INSERT INTO channel_outbox (session_id, channel, part, status, attempts, "
                             "next_at, created_at, last_error) VALUES (?, ?, ?, ?, 0, ?, ?, '') "
                             "RETURNING outbox_id", session_id, channel,
                             json.dumps(part, ensure_ascii=False), PENDING, at, at)
                if row is None:
                    raise RuntimeError("INSERT ... RETURNING gave no row")
                ids.append(int(row[0]))
        return ids

    def lease_channel_sends(self, now: float, lease_seconds: float,
                            limit: int) -> list[ChannelDelivery]:
        """Like `lease_deliveries`: due PENDING sends, each the oldest pending one of its session."""
        if lease_seconds <= 0 or limit < 1:
            raise ValueError(f"lease_seconds and limit must be positive, got {lease_seconds!r}, {limit!r}")
        with self._tx("lease_channel_sends") as tx:
            found = tx.all(
                "UPDATE channel_outbox SET next_at = ? WHERE outbox_id IN (SELECT o.outbox_id FROM "
                "channel_outbox o WHERE o.status = ? AND o.next_at <= ? AND NOT EXISTS (SELECT 1 FROM "
                "channel_outbox p WHERE p.session_id = o.session_id AND p.status = ? AND "
                f"p.outbox_id < o.outbox_id) ORDER BY o.next_at, o.outbox_id LIMIT ?{self.skip_locked}) "
                f"RETURNING {OUTBOX_COLS}", now + lease_seconds, PENDING, now, PENDING, limit)
        return sorted((channel_delivery(row) for row in found), key=lambda d: d.outbox_id)

    def mark_channel_sent(self, outbox_id: int, now: float) -> None:
        with self._tx("mark_channel_sent") as tx:
            changed = tx.run("UPDATE channel_outbox SET status = ?, delivered_at = ?, "
                             "attempts = attempts + 1 WHERE outbox_id = ? AND status = ?",
                             DELIVERED, now, outbox_id, PENDING)
            if not changed and tx.one("SELECT 1 FROM channel_outbox WHERE outbox_id = ?", outbox_id) is None:
                raise NotFoundError(f"no channel send {outbox_id!r}")

    def mark_channel_failed(self, outbox_id: int, error: str, retry_at: float | None) -> None:
        with self._tx("mark_channel_failed") as tx:
            changed = tx.run("UPDATE channel_outbox SET status = ?, attempts = attempts + 1, last_error = ?, "
                             "next_at = COALESCE(?, next_at) WHERE outbox_id = ? AND status = ?",
                             PENDING if retry_at is not None else DEAD, r.clean_error(error), retry_at,
                             outbox_id, PENDING)
            if not changed and tx.one("SELECT 1 FROM channel_outbox WHERE outbox_id = ?", outbox_id) is None:
                raise NotFoundError(f"no channel send {outbox_id!r}")

    def channel_sends(self, status: str | None = None,
                      session_id: str | None = None) -> list[ChannelDelivery]:
        if status is not None:
            r.check_choice("delivery status", status, r.DELIVERY_STATES)
        where, params = r.where(status=status, session_id=session_id)
        with self._tx("channel_sends", write=False) as tx:
            found = tx.all(f"SELECT {OUTBOX_COLS} FROM channel_outbox WHERE {where} ORDER BY outbox_id",
                           *params)
        return [channel_delivery(row) for row in found]

    def channel_send_counts(self) -> dict[tuple[str, str], int]:
        """Channel sends by (channel, status), for /metrics."""
        with self._tx("channel_send_counts", write=False) as tx:
            found = tx.all("SELECT channel, status, COUNT(*) FROM channel_outbox GROUP BY channel, status")
        return {(str(c), str(s)): int(n) for c, s, n in found}

    def retry_dead_channel_send(self, outbox_id: int, now: float) -> None:
        """Put a DEAD send back to PENDING, due at `now`, attempts from 0; ConflictError if not DEAD."""
        with self._tx("retry_dead_channel_send") as tx:
            if tx.run("UPDATE channel_outbox SET status = ?, next_at = ?, attempts = 0 WHERE outbox_id = ? "
                      "AND status = ?", PENDING, now, outbox_id, DEAD):
                return
            row = tx.one("SELECT status FROM channel_outbox WHERE outbox_id = ?", outbox_id)
        if row is None:
            raise NotFoundError(f"no channel send {outbox_id!r}")
        raise ConflictError(f"channel send {outbox_id} is {row[0]}, not {DEAD}")

    def relay_agent_turns(self, now: float, limit: int = 100) -> int:
        """Queue every agent turn (and hand-back note) of a channel session not queued yet, as a
        part {"kind": "agent", "text", "lang", "turn_id"}: an agent's reply from any route reaches
        the customer's channel. Safe with several workers: a turn is queued once."""
        with self._tx("relay_agent_turns") as tx:
            found = tx.all(f"SELECT t.turn_id, t.session_id, t.text, t.lang, c.channel, t.role FROM turns t "
                           f"JOIN channel_sessions c ON c.session_id = t.session_id WHERE {_RELAYED} "
                           "AND t.turn_id > c.relayed_turn ORDER BY t.turn_id LIMIT ?", limit)
            queued = 0
            for turn_id, session_id, text, lang, channel, role in found:
                if tx.run("UPDATE channel_sessions SET relayed_turn = ? WHERE session_id = ? AND "
                          "relayed_turn < ?", turn_id, session_id, turn_id) != 1:
                    continue
                part = {"kind": "agent" if role == "agent" else "note", "text": text, "lang": lang,
                        "turn_id": int(turn_id)}
                tx.run("INSERT INTO channel_outbox (session_id, channel, part, status, attempts, next_at, "
                       "created_at, last_error) VALUES (?, ?, ?, ?, 0, ?, ?, '')", session_id, channel,
                       json.dumps(part, ensure_ascii=False), PENDING, now, now)
                queued += 1
        return queued

    def delete_channel_session(self, tx: Any, session_id: str) -> dict[str, int]:
        """Rows of the session in the channel tables, deleted inside `delete_session`'s transaction."""
        return {"channel_outbox": tx.run("DELETE FROM channel_outbox WHERE session_id = ?", session_id),
                "channel_messages": tx.run("DELETE FROM channel_messages WHERE session_id = ?", session_id),
                "channel_sessions": tx.run("DELETE FROM channel_sessions WHERE session_id = ?", session_id)}
