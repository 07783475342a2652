"""The store's schema, and the mapping between its rows and `bot.records` values."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.records import (
    BOT,
    CLAIMED,
    DEAD,
    DELIVERED,
    HANDED_OFF,
    OPEN,
    PENDING,
    PRIORITIES,
    RESOLVED,
    ROLES,
    ApiKey,
    Candidate,
    Contact,
    Delivery,
    Escalation,
    Feedback,
    Session,
    Turn,
)
from bot.store.channel_rows import CHANNEL_SCHEMA
from bot.store.insight_rows import INSIGHT_SCHEMA

SCHEMA_VERSION = 1

# Shared by both dialects: SQLite reads DOUBLE PRECISION as REAL and BIGINT as INTEGER. Only the
# generated id column differs ({identity}). JSON columns hold contact details and candidates.
SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY, state TEXT NOT NULL, lang TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL, contact TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
    turn_id {identity}, session_id TEXT NOT NULL REFERENCES sessions (session_id),
    role TEXT NOT NULL, text TEXT NOT NULL, at DOUBLE PRECISION NOT NULL, lang TEXT NOT NULL,
    decision TEXT NOT NULL, article_id TEXT NOT NULL, confidence DOUBLE PRECISION,
    reason TEXT NOT NULL, took_ms DOUBLE PRECISION, agent TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS turns_by_session ON turns (session_id, at);
CREATE INDEX IF NOT EXISTS turns_by_time ON turns (at);
CREATE TABLE IF NOT EXISTS escalations (
    seq {identity}, escalation_id TEXT NOT NULL UNIQUE,
    session_id TEXT NOT NULL REFERENCES sessions (session_id), reason TEXT NOT NULL,
    language TEXT NOT NULL, priority TEXT NOT NULL, queue TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL, candidates TEXT NOT NULL, contact TEXT NOT NULL,
    message TEXT NOT NULL, expected_reply_at DOUBLE PRECISION, out_of_hours INTEGER NOT NULL,
    status TEXT NOT NULL, agent TEXT NOT NULL, updated_at DOUBLE PRECISION NOT NULL);
CREATE INDEX IF NOT EXISTS escalations_by_session ON escalations (session_id, created_at);
CREATE INDEX IF NOT EXISTS escalations_by_time ON escalations (created_at);
CREATE TABLE IF NOT EXISTS feedback (
    session_id TEXT NOT NULL, turn_id BIGINT NOT NULL REFERENCES turns (turn_id),
    at DOUBLE PRECISION NOT NULL, helpful INTEGER, csat INTEGER, comment TEXT NOT NULL,
    PRIMARY KEY (session_id, turn_id));
CREATE INDEX IF NOT EXISTS feedback_by_time ON feedback (at);
CREATE TABLE IF NOT EXISTS deliveries (
    delivery_id {identity}, escalation_id TEXT NOT NULL REFERENCES escalations (escalation_id),
    target TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
    next_at DOUBLE PRECISION NOT NULL, last_error TEXT NOT NULL, delivered_at DOUBLE PRECISION,
    UNIQUE (escalation_id, target));
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_at);
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY, role TEXT NOT NULL, name TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL, revoked_at DOUBLE PRECISION,
    secret_hash TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
""" + CHANNEL_SCHEMA + INSIGHT_SCHEMA

SESSION_COLS = "session_id, state, lang, created_at, updated_at, contact"
TURN_FIELDS = "session_id, role, text, at, lang, decision, article_id, confidence, reason, took_ms, agent"
TURN_COLS = f"turn_id, {TURN_FIELDS}"
ESCALATION_COLS = ("escalation_id, session_id, reason, language, priority, queue, created_at, candidates, "
                   "contact, message, expected_reply_at, out_of_hours, status, agent, updated_at")
ESCALATION_FIELDS = ESCALATION_COLS
FEEDBACK_COLS = "session_id, turn_id, at, helpful, csat, comment"
DELIVERY_COLS = "delivery_id, escalation_id, target, status, attempts, next_at, last_error, delivered_at"
KEY_COLS = "key_id, role, name, created_at, revoked_at"

SESSION_STATES = (BOT, HANDED_OFF)
ESCALATION_STATES = (OPEN, CLAIMED, RESOLVED)
DELIVERY_STATES = (PENDING, DELIVERED, DEAD)

Row = tuple[Any, ...]


def marks(columns: str) -> str:
    return ", ".join("?" for _ in columns.split(","))


def check_id(name: str, value: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")


def check_text(name: str, value: str) -> None:
    """Refuse what PostgreSQL cannot store, so both backends accept the same text.

    The message never quotes the text: it is customer-written."""
    if "\x00" in value:
        raise ValueError(f"{name} contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} contains an unpaired surrogate") from None


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


def check_turn(turn: Turn) -> None:
    check_choice("turn role", turn.role, ROLES)
    check_id("session_id", turn.session_id)
    if turn.turn_id:
        raise ValueError(f"turn is already stored (turn_id {turn.turn_id})")
    check_text("turn text", turn.text)


def check_escalation(e: Escalation, targets: Sequence[str]) -> None:
    check_id("escalation_id", e.escalation_id)
    check_id("session_id", e.session_id)
    check_choice("escalation priority", e.priority, PRIORITIES)
    check_choice("escalation status", e.status, ESCALATION_STATES)
    check_text("escalation message", e.message)
    if isinstance(targets, str) or any(not t for t in targets) or len(set(targets)) != len(targets):
        raise ValueError(f"delivery targets must be distinct and non-empty, got {targets!r}")


def check_feedback(f: Feedback) -> None:
    if f.csat is not None and not 1 <= f.csat <= 5:
        raise ValueError(f"csat must be 1-5, got {f.csat!r}")
    check_text("feedback comment", f.comment)


def clean_error(error: str, limit: int = 2000) -> str:
    """A webhook error fit to store: bounded, no NUL, valid UTF-8."""
    return error[:limit].replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def where(column: str = "", since: float | None = None, until: float | None = None,
          **equal: str | None) -> tuple[str, tuple[Any, ...]]:
    """A WHERE condition and its parameters: `column` in [since, until), and each given
    `name=value` equal (None means no filter)."""
    clauses: list[str] = ["1 = 1"]
    params: list[Any] = []
    for op, bound in ((">=", since), ("<", until)):
        if bound is not None:
            clauses.append(f"{column} {op} ?")
            params.append(bound)
    for name, value in equal.items():
        if value is not None:
            clauses.append(f"{name} = ?")
            params.append(value)
    return " AND ".join(clauses), tuple(params)


def contact_json(contact: Contact) -> str:
    return json.dumps({"name": contact.name, "email": contact.email, "phone": contact.phone},
                      ensure_ascii=False)


NO_CONTACT = contact_json(Contact())


def contact(text: str) -> Contact:
    data = json.loads(text)
    return Contact(data.get("name", ""), data.get("email", ""), data.get("phone", ""))


def opt_float(value: Any) -> float | None:
    # SQLite's RETURNING gives a whole-number REAL back as int; the records promise floats.
    return None if value is None else float(value)


def session(row: Row) -> Session:
    return Session(row[0], row[1], row[2], float(row[3]), float(row[4]), contact(row[5]))


def turn_values(t: Turn) -> Row:
    return (t.session_id, t.role, t.text, t.at, t.lang, t.decision, t.article_id, t.confidence,
            t.reason, t.took_ms, t.agent)


def turn(row: Row) -> Turn:
    return Turn(session_id=row[1], role=row[2], text=row[3], at=float(row[4]), lang=row[5],
                decision=row[6], article_id=row[7], confidence=opt_float(row[8]), reason=row[9],
                took_ms=opt_float(row[10]), agent=row[11], turn_id=int(row[0]))


def escalation_values(e: Escalation) -> Row:
    candidates = json.dumps([{"article_id": c.article_id, "title": c.title, "confidence": c.confidence}
                             for c in e.candidates], ensure_ascii=False)
    return (e.escalation_id, e.session_id, e.reason, e.language, e.priority, e.queue, e.created_at,
            candidates, contact_json(e.contact), e.message, e.expected_reply_at, int(e.out_of_hours),
            e.status, e.agent, e.updated_at or e.created_at)


def escalation(row: Row, transcript: tuple[Turn, ...]) -> Escalation:
    candidates = tuple(Candidate(c["article_id"], c["title"], float(c["confidence"]))
                       for c in json.loads(row[7]))
    return Escalation(
        escalation_id=row[0], session_id=row[1], reason=row[2], language=row[3], priority=row[4],
        queue=row[5], created_at=float(row[6]), transcript=transcript, candidates=candidates,
        contact=contact(row[8]), message=row[9], expected_reply_at=opt_float(row[10]),
        out_of_hours=bool(row[11]), status=row[12], agent=row[13], updated_at=float(row[14]))


def feedback_values(f: Feedback) -> Row:
    return (f.session_id, f.turn_id, f.at, None if f.helpful is None else int(f.helpful), f.csat, f.comment)


def feedback(row: Row) -> Feedback:
    return Feedback(row[0], int(row[1]), float(row[2]), None if row[3] is None else bool(row[3]),
                    None if row[4] is None else int(row[4]), row[5])


def delivery(row: Row) -> Delivery:
    return Delivery(int(row[0]), row[1], row[2], row[3], int(row[4]), float(row[5]), row[6],
                    opt_float(row[7]))


def api_key(row: Row) -> ApiKey:
    return ApiKey(row[0], row[1], row[2], float(row[3]), opt_float(row[4]))
