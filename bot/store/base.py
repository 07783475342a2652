"""The conversation store: one narrow protocol, with SQLite (default) and PostgreSQL behind it.

Every write that the API acknowledges is committed before the call returns; an escalation, its
outbox rows and the session's switch to `handed_off` commit in one transaction, so a crash never
leaves a handed-off session without its escalation or an escalation that is never delivered.
Everything but transcript turns is also flushed to disk before the call returns. Turns survive a
crash of faqbot, but those since the last flush may not survive power loss (SQLite WAL
`synchronous=NORMAL`, PostgreSQL `synchronous_commit=off`): a flush costs a repeated question
a fifth of its time. The next durable write (an escalation) flushes every turn before it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from bot.records import (
    ApiKey,
    ChannelDelivery,
    Contact,
    Delivery,
    Escalation,
    Feedback,
    Label,
    Session,
    Turn,
)
from bot.store.console import AuditEntry, ConsoleStore
from kb.edits import KbChange


class Store(ConsoleStore, Protocol):
    url: str  # where it lives, with any password removed

    # --- sessions and transcripts ---
    def add_turn(self, turn: Turn) -> Turn:
        """Store `turn` (creating its session, in state BOT, if new); the stored turn with its id.
        Updates the session's `lang` (when the turn has one) and `updated_at`."""

    def add_turns(self, *turns: Turn) -> list[Turn]:
        """`add_turn` for each, in one transaction (a question and its answer: one commit)."""

    def session(self, session_id: str) -> Session | None: ...

    def transcript(self, session_id: str) -> list[Turn]:
        """The session's turns, oldest first; [] for an unknown session."""

    def set_state(self, session_id: str, state: str) -> Session:
        """NotFoundError for an unknown session; ValueError for a state that is not BOT/HANDED_OFF."""

    def set_contact(self, session_id: str, contact: Contact) -> Session: ...

    # --- escalations ---
    def add_escalation(self, escalation: Escalation, targets: Sequence[str],
                       deliver_at: float, turns: Sequence[Turn] = ()) -> Escalation:
        """One transaction: the escalation, one PENDING delivery per webhook target (first attempt
        not before `deliver_at`), the session set to HANDED_OFF, and `turns` of that session (the
        customer's message that escalated, the bot's reply) — after a crash a session has all of
        it or none. The escalation comes back with its transcript, these turns (with ids) last."""

    def escalation(self, escalation_id: str) -> Escalation | None: ...

    def open_escalation(self, session_id: str) -> Escalation | None:
        """The session's newest escalation that is not resolved, if any."""

    def escalations(self, status: str | None = None, queue: str | None = None,
                    limit: int = 100, since: float | None = None,
                    until: float | None = None) -> list[Escalation]:
        """Newest first, filtered by status/queue/created_at range [since, until)."""

    # The escalation mutators stamp `updated_at` with `now`, or the clock when it is not given.
    def update_escalation(self, escalation_id: str, *, contact: Contact | None = None,
                          message: str | None = None, now: float | None = None) -> Escalation:
        """Add what the customer gave in the handoff form (before or after delivery)."""

    def claim(self, escalation_id: str, agent: str, *, now: float | None = None) -> Escalation:
        """OPEN → CLAIMED by `agent`; ConflictError if resolved or claimed by someone else;
        claiming again by the same agent is a no-op."""

    def resolve(self, escalation_id: str, agent: str, *, now: float | None = None) -> Escalation:
        """→ RESOLVED; ConflictError if already resolved."""

    # --- feedback ---
    def add_feedback(self, feedback: Feedback) -> Feedback:
        """NotFoundError if the turn does not exist in that session or is not a bot turn.
        A second rating of the same turn replaces the first."""

    def feedback(self, since: float | None = None, until: float | None = None) -> list[Feedback]: ...

    def turns(self, since: float | None = None, until: float | None = None) -> list[Turn]:
        """All turns in [since, until), oldest first (for analytics)."""

    # --- secrets ---
    def secret(self, name: str, make: Callable[[], str]) -> str:
        """The deployment's secret called `name`, created from `make()` on first use; every process
        sharing the store reads the same value (e.g. the key that signs session tokens)."""

    # --- webhook outbox ---
    def lease_deliveries(self, now: float, lease_seconds: float, limit: int) -> list[Delivery]:
        """Atomically take up to `limit` PENDING deliveries due at `now` and push their `next_at`
        to now + lease_seconds, so that no other worker takes them while this one tries; a worker
        that dies simply lets the lease expire. Returned rows show attempts before this try."""

    def mark_delivered(self, delivery_id: int, now: float) -> None:
        """Count the attempt and move to DELIVERED (a second report keeps the first time)."""

    def mark_failed(self, delivery_id: int, error: str, retry_at: float | None) -> None:
        """Count the attempt; retry at `retry_at`, or move to DEAD (the dead-letter list) if None.
        A delivery that is no longer PENDING is left alone: a worker whose lease expired must not
        undo another worker's success."""

    def deliveries(self, status: str | None = None, escalation_id: str | None = None) -> list[Delivery]: ...

    def delivery_counts(self) -> dict[str, int]:
        """Deliveries per status, and their attempts: {"pending": n, "delivered": n, "dead": n,
        "attempts": n} (for /metrics; cheap at any size)."""

    def retry_dead(self, delivery_id: int, now: float) -> None:
        """Put a DEAD delivery back to PENDING, due at `now`, with its attempts counted from 0
        again (an operator fixed the target); ConflictError if it is not DEAD."""

    # --- API keys (only hashes are stored) ---
    def add_key(self, key: ApiKey, secret_hash: str) -> ApiKey: ...

    def api_keys(self) -> list[ApiKey]: ...

    def key_for_hash(self, secret_hash: str) -> ApiKey | None:
        """The key with that hash, if not revoked."""

    def revoke_key(self, key_id: str, now: float) -> ApiKey:
        """Revoking a revoked key keeps its first `revoked_at`."""

    # --- privacy ---
    def delete_session(self, session_id: str) -> dict[str, int]:
        """Erase the session: its turns, feedback, escalations and their deliveries. Counts of
        rows deleted by kind; all zeros for an unknown session."""

    # --- messaging channels (bot/channels; queries in bot.store.channel_sql) ---
    def claim_channel_message(self, channel: str, message_id: str, session_id: str, at: float) -> bool:
        """False when the platform's message was already claimed (answered once)."""

    def release_channel_message(self, channel: str, message_id: str) -> None: ...

    def set_channel_address(self, session_id: str, channel: str, address: dict[str, Any],
                            at: float) -> None: ...

    def channel_session(self, session_id: str) -> tuple[str, dict[str, Any], list[list[str]]] | None: ...

    def set_channel_choices(self, session_id: str, choices: Sequence[tuple[str, str]]) -> None: ...

    def channel_of_sessions(self) -> dict[str, str]: ...

    def add_channel_sends(self, session_id: str, channel: str, parts: Sequence[dict[str, Any]],
                          at: float) -> list[int]: ...

    def lease_channel_sends(self, now: float, lease_seconds: float, limit: int) -> list[ChannelDelivery]: ...

    def mark_channel_sent(self, outbox_id: int, now: float) -> None: ...

    def mark_channel_failed(self, outbox_id: int, error: str, retry_at: float | None) -> None: ...

    def channel_sends(self, status: str | None = None,
                      session_id: str | None = None) -> list[ChannelDelivery]: ...

    def relay_agent_turns(self, now: float, limit: int = 100) -> int: ...

    def retry_dead_channel_send(self, outbox_id: int, now: float) -> None: ...

    def channel_send_counts(self) -> dict[tuple[str, str], int]: ...

    # --- insights: KB changes from gaps and writers' labels (audited in the console's audit log) ---
    def add_kb_change(self, change: KbChange, event: AuditEntry) -> KbChange:
        """Store a proposed change and its audit event in one transaction."""

    def kb_change(self, change_id: str) -> KbChange | None: ...

    def kb_changes(self, status: str | None = None) -> list[KbChange]:
        """Newest first."""

    def decide_kb_change(self, change: KbChange, event: AuditEntry) -> KbChange:
        """Record `change`'s status, decider, time and diff if it is still PENDING (else
        ConflictError; NotFoundError if unknown), with its audit event, in one transaction."""

    def add_label(self, label: Label) -> Label:
        """A writer's label of a customer turn (replacing an earlier one), audited."""

    def labels(self, since: float | None = None, until: float | None = None) -> list[Label]: ...

    def close(self) -> None: ...
