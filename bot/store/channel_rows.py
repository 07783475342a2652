"""The channel tables: who a channel session talks to, which platform messages were handled, and
the outbox of channel sends. Created with the rest of the schema (bot.store.rows.SCHEMA)."""

from __future__ import annotations

from typing import Any

from bot.records import ChannelDelivery

# address: JSON of what the channel needs to reply (a LINE user id, a Telegram chat, an email
# thread); it is the only place a channel identity is kept: session ids are keyed hashes of it.
# relayed_turn: the last agent turn already put in the outbox for the channel.
CHANNEL_SCHEMA = """
CREATE TABLE IF NOT EXISTS channel_sessions (
    session_id TEXT PRIMARY KEY, channel TEXT NOT NULL, address TEXT NOT NULL,
    choices TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL, relayed_turn BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS channel_messages (
    channel TEXT NOT NULL, message_id TEXT NOT NULL, session_id TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL, PRIMARY KEY (channel, message_id));
CREATE TABLE IF NOT EXISTS channel_outbox (
    outbox_id {identity}, session_id TEXT NOT NULL, channel TEXT NOT NULL, part TEXT NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL, next_at DOUBLE PRECISION NOT NULL,
    created_at DOUBLE PRECISION NOT NULL, last_error TEXT NOT NULL, delivered_at DOUBLE PRECISION);
CREATE INDEX IF NOT EXISTS channel_outbox_due ON channel_outbox (status, next_at);
CREATE INDEX IF NOT EXISTS channel_outbox_by_session ON channel_outbox (session_id, outbox_id);
"""

OUTBOX_COLS = ("outbox_id, session_id, channel, part, status, attempts, next_at, created_at, "
               "last_error, delivered_at")


def channel_delivery(row: tuple[Any, ...]) -> ChannelDelivery:
    return ChannelDelivery(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]),
                           int(row[5]), float(row[6]), float(row[7]), str(row[8]),
                           None if row[9] is None else float(row[9]))
