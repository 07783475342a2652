"""Domain values of conversations and handoffs: what the store keeps and the API returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kb.handoff import PRIORITIES, Priority

__all__ = ["BOT", "CLAIMED", "DEAD", "DELIVERED", "HANDED_OFF", "OPEN", "PENDING", "PRIORITIES",
           "RESOLVED", "ROLES", "DeliveryStatus", "EscalationSort", "EscalationStatus", "Priority", "Role",
           "SessionState"]


class SessionState(StrEnum):
    """The bot answers a session until it is handed off, and again once an agent hands it back."""

    BOT = "bot"
    HANDED_OFF = "handed_off"


class EscalationStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"


class DeliveryStatus(StrEnum):
    """A webhook outbox row."""

    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class Role(StrEnum):
    """Who wrote a turn of the transcript."""

    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


ROLES = tuple(Role)
BOT, HANDED_OFF = SessionState.BOT, SessionState.HANDED_OFF
OPEN, CLAIMED, RESOLVED = EscalationStatus.OPEN, EscalationStatus.CLAIMED, EscalationStatus.RESOLVED
PENDING, DELIVERED, DEAD = DeliveryStatus.PENDING, DeliveryStatus.DELIVERED, DeliveryStatus.DEAD


@dataclass(frozen=True)
class Contact:
    """How a person can reach the customer; every field optional."""

    name: str = ""
    email: str = ""
    phone: str = ""

    def __bool__(self) -> bool:
        return bool(self.name or self.email or self.phone)


@dataclass(frozen=True)
class Turn:
    """One message of a conversation. Bot turns carry the decision that produced them."""

    session_id: str
    role: str  # a Role
    text: str  # as stored: PII-redacted (see bot.pii)
    at: float  # unix seconds
    lang: str = ""
    decision: str = ""  # bot turns: "answered" | "suggest" | "escalated" | "handed_off"
    article_id: str = ""
    confidence: float | None = None
    reason: str = ""
    took_ms: float | None = None  # bot turns: time to answer
    agent: str = ""  # agent turns: who wrote it
    turn_id: int = 0  # assigned by the store; 0 until stored


@dataclass(frozen=True)
class Session:
    session_id: str
    state: str  # a SessionState
    lang: str
    created_at: float
    updated_at: float
    contact: Contact = Contact()


@dataclass(frozen=True)
class Candidate:
    """An article the bot considered, for the agent who takes over."""

    article_id: str
    title: str
    confidence: float


@dataclass(frozen=True)
class Escalation:
    """A request for a person, with everything the agent needs to pick it up."""

    escalation_id: str  # random hex; webhooks use it as the idempotency key
    session_id: str
    reason: str  # a bot.types.Reason, or "sensitive:<topic>"
    language: str
    priority: str  # a Priority
    queue: str
    created_at: float
    transcript: tuple[Turn, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    contact: Contact = Contact()
    message: str = ""  # what the customer wrote in the handoff form
    expected_reply_at: float | None = None  # from the queue's business hours
    out_of_hours: bool = False
    status: str = OPEN  # an EscalationStatus
    agent: str = ""  # who claimed or resolved it
    updated_at: float = 0.0


@dataclass(frozen=True)
class Feedback:
    session_id: str
    turn_id: int  # the bot turn it rates
    at: float
    helpful: bool | None = None
    csat: int | None = None  # 1-5
    comment: str = ""  # PII-redacted


@dataclass(frozen=True)
class Delivery:
    """One escalation to deliver to one webhook (the outbox row)."""

    delivery_id: int
    escalation_id: str
    target: str  # webhook name from settings
    status: str  # a DeliveryStatus
    attempts: int
    next_at: float  # not before this time (retry backoff, or a worker's lease)
    last_error: str = ""
    delivered_at: float | None = None


@dataclass(frozen=True)
class ApiKey:
    key_id: str  # public part, shown in listings
    role: str  # "helpdesk" | "agent" | "manager" | "admin" (bot.keys.ROLES)
    name: str
    created_at: float
    revoked_at: float | None = None


@dataclass(frozen=True)
class ChannelDelivery:
    """One request to send on a messaging channel (the channel outbox row): a reply, an agent's
    message or a handoff step, as the channel adapter's part (rendered with secrets at send time)."""

    outbox_id: int
    session_id: str
    channel: str  # a bot.channels Channel name
    part: str  # JSON: the adapter's part, without tokens
    status: str  # a DeliveryStatus
    attempts: int
    next_at: float
    created_at: float
    last_error: str = ""
    delivered_at: float | None = None


class EscalationSort(StrEnum):
    """Orders of the agents' escalation list; the first is the default."""

    OVERDUE = "overdue"  # expected reply time first (none last), then the oldest
    OLDEST = "oldest"
    NEWEST = "newest"
    PRIORITY = "priority"  # urgent first, then by expected reply time


@dataclass(frozen=True)
class EscalationQuery:
    """Which escalations the agents' list shows; None (or empty) means no filter."""

    statuses: tuple[str, ...] = ()  # EscalationStatus values
    queue: str | None = None
    language: str | None = None
    priority: str | None = None
    reason: str | None = None
    assigned_to: str | None = None  # an agent's name, or "" for nobody
    customer_replied: bool | None = None  # the customer wrote after the last agent reply
    sort: str = EscalationSort.OVERDUE
    limit: int = 50


@dataclass(frozen=True)
class EscalationItem:
    """An escalation in the list (its transcript is left out: the detail view has it)."""

    escalation: Escalation
    customer_replied_at: float | None  # the customer's newest message since the last agent reply


# --- insights: writers' labels of live questions ---
@dataclass(frozen=True)
class Label:
    """A writer's verdict on a live question: the article that answers it, or none ("")."""

    session_id: str
    turn_id: int  # the customer's turn
    text: str  # the question as stored (PII-redacted)
    lang: str
    article_id: str  # "" = no article covers it (out of scope)
    by: str
    at: float
