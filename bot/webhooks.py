"""What a help desk receives for an escalation: the generic JSON event, a Zendesk ticket or a
Freshdesk ticket, and the signed HTTP request that carries it.

Payloads are pure functions of the stored `Escalation`, built at delivery time, so contact details
the customer gave in the handoff form after the escalation was created are included. They carry
transcript text (already PII-redacted by the store) to the help desk; none of it is ever logged.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import re
from datetime import UTC, datetime
from typing import Any, NamedTuple

from bot.records import Contact, Escalation, Turn
from bot.timestamps import iso
from kb.handoff import WebhookConfig

EVENT = "escalation.created"
PLACEHOLDER_DOMAIN = "faqbot.invalid"  # RFC 2606: can never reach anyone
_SUBJECT_CHARS = 80
_FRESHDESK_PRIORITY = {"low": 1, "normal": 2, "high": 3, "urgent": 4}
_FRESHDESK_OPEN, _FRESHDESK_CHAT = 2, 7
_REASONS = {
    "low_confidence": "the bot was not confident enough to answer",
    "out_of_scope": "the knowledge base does not seem to cover the question",
    "human_requested": "the customer asked for a person",
    "unhelpful": "the bot's answers did not help",
    "angry": "the customer seems upset",
    "urgent": "the customer says it is urgent",
    "customer_form": "the customer asked for contact through the handoff form",
}


class WebhookRequest(NamedTuple):
    """One POST to a webhook; unpacks as (url, headers, body)."""

    url: str
    headers: dict[str, str]
    body: bytes


def reason_text(reason: str) -> str:
    """The escalation reason in words, for people reading the ticket."""
    if reason.startswith("sensitive:"):
        return f"sensitive topic: {reason.split(':', 1)[1]}"
    return _REASONS.get(reason, reason)


def _contact(contact: Contact) -> dict[str, str]:
    return {"name": contact.name, "email": contact.email, "phone": contact.phone}


def _turn(turn: Turn) -> dict[str, Any]:
    return {"role": turn.role, "text": turn.text, "at": iso(turn.at), "lang": turn.lang,
            "decision": turn.decision, "article_id": turn.article_id,
            "confidence": turn.confidence, "reason": turn.reason, "agent": turn.agent}


def generic_payload(e: Escalation) -> dict[str, Any]:
    """The `escalation.created` event with every field of the escalation."""
    return {"event": EVENT, "escalation": {
        "escalation_id": e.escalation_id, "session_id": e.session_id, "reason": e.reason,
        "language": e.language, "priority": e.priority, "queue": e.queue,
        "status": e.status, "agent": e.agent,
        "created_at": iso(e.created_at), "updated_at": iso(e.updated_at or None),
        "expected_reply_at": iso(e.expected_reply_at), "out_of_hours": e.out_of_hours,
        "contact": _contact(e.contact), "message": e.message,
        "transcript": [_turn(t) for t in e.transcript],
        "candidates": [{"article_id": c.article_id, "title": c.title, "confidence": c.confidence}
                       for c in e.candidates],
    }}


def _tag(text: str) -> str:
    # Zendesk tags may not hold spaces and are lower case; keep both desks to one safe alphabet.
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")


def tags(e: Escalation) -> list[str]:
    out = ["faqbot", f"faqbot_{_tag(e.reason)}", f"lang_{_tag(e.language)}", f"queue_{_tag(e.queue)}"]
    if e.out_of_hours:
        out.append("faqbot_out_of_hours")
    return [t for t in dict.fromkeys(out) if not t.endswith("_")]


def subject(e: Escalation) -> str:
    """`Chat handoff (reason): first words of the customer's first message`."""
    first = next((" ".join(t.text.split()) for t in e.transcript if t.role == "customer" and t.text), "")
    if len(first) > _SUBJECT_CHARS:
        first = first[:_SUBJECT_CHARS - 1].rstrip() + "…"
    head = f"Chat handoff ({e.reason})"
    return f"{head}: {first}" if first else head


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _speaker(t: Turn) -> str:
    if t.role == "bot":
        parts = [p for p in (t.decision, t.article_id) if p]
        if t.confidence is not None:
            parts.append(f"{t.confidence:.2f}")
        return f"Bot ({', '.join(parts)})" if parts else "Bot"
    if t.role == "agent":
        return f"Agent {t.agent}".rstrip()
    return t.role.capitalize() + (f" [{t.lang}]" if t.role == "customer" and t.lang else "")


def summary_sections(e: Escalation, note: str = "") -> list[tuple[str, list[str]]]:
    """The ticket text as (heading, lines) sections, rendered as plain text or HTML."""
    facts = [f"Reason: {reason_text(e.reason)}",
             f"Priority: {e.priority} · Queue: {e.queue} · Language: {e.language}"]
    if e.expected_reply_at is not None:
        facts.append(f"Reply promised by: {_when(e.expected_reply_at)}"
                     + (" (arrived out of business hours)" if e.out_of_hours else ""))
    c = e.contact
    facts.append("Contact: " + (", ".join(x for x in (c.name, c.email, c.phone) if x) or "none given"))
    if note:
        facts.append(note)
    sections = [("Escalated by faqbot", facts)]
    if e.message:
        sections.append(("Customer's message", [e.message]))
    sections.append(("Transcript", [f"[{_when(t.at)}] {_speaker(t)}: {t.text}" for t in e.transcript]
                     or ["(no messages)"]))
    if e.candidates:
        sections.append(("Articles the bot considered",
                         [f"- {x.article_id}: {x.title} ({x.confidence:.2f})" for x in e.candidates]))
    sections.append(("References", [f"Escalation {e.escalation_id} · session {e.session_id} · "
                                    f"created {_when(e.created_at)}"]))
    return sections


def plain_text(sections: list[tuple[str, list[str]]]) -> str:
    return "\n\n".join(f"{head}\n" + "\n".join(lines) for head, lines in sections)


def html_text(sections: list[tuple[str, list[str]]]) -> str:
    """HTML with every piece of stored text escaped: a transcript is customer input."""
    return "".join(f"<h3>{html.escape(head)}</h3><p>" + "<br>".join(html.escape(x) for x in lines) + "</p>"
                   for head, lines in sections)


def zendesk_payload(e: Escalation) -> dict[str, Any]:
    """Body of Zendesk's Create Ticket (`POST /api/v2/tickets`): an internal note with the
    transcript; the customer becomes the requester only when an email is known (without one Zendesk
    would make the API user the requester)."""
    ticket: dict[str, Any] = {
        "subject": subject(e),
        "comment": {"body": plain_text(summary_sections(e)), "public": False},
        "priority": e.priority,
        "tags": tags(e),
        "external_id": e.escalation_id,
    }
    if e.contact.email:
        ticket["requester"] = {"name": e.contact.name or e.contact.email.split("@", 1)[0],
                               "email": e.contact.email}
    return {"ticket": ticket}


def placeholder_email(session_id: str) -> str:
    """`session-<id>@faqbot.invalid`: a requester for help desks that insist on one."""
    local = re.sub(r"[^A-Za-z0-9._-]+", "-", session_id).strip(".-")[:48]
    if not local:
        local = hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:16]
    return f"session-{local}@{PLACEHOLDER_DOMAIN}"


def freshdesk_payload(e: Escalation) -> dict[str, Any]:
    """Body of Freshdesk's Create Ticket (`POST /api/v2/tickets`). Freshdesk needs a requester
    identifier (email, or phone with a name); with neither, a placeholder email stands in and the
    description says so."""
    c = e.contact
    who: dict[str, str] = {}
    note = ""
    if c.email:
        who["email"] = c.email
    elif c.phone:
        who["phone"] = c.phone
    else:
        who["email"] = placeholder_email(e.session_id)
        note = (f"No email or phone was given: the requester {who['email']} is a placeholder, "
                "reply through the chat.")
    if c.name or "phone" in who:
        who["name"] = c.name or f"Chat customer {e.session_id[:12]}"
    return {
        "subject": subject(e),
        "description": html_text(summary_sections(e, note)),
        **who,
        "priority": _FRESHDESK_PRIORITY.get(e.priority, 2),
        "status": _FRESHDESK_OPEN,
        "source": _FRESHDESK_CHAT,
        "tags": tags(e),
    }


def payload_for(format: str, e: Escalation) -> dict[str, Any]:
    if format == "generic":
        return generic_payload(e)
    if format == "zendesk":
        return zendesk_payload(e)
    if format == "freshdesk":
        return freshdesk_payload(e)
    raise ValueError(f"unknown webhook format {format!r}")


def sign(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of body>`, the X-Faqbot-Signature value."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does with X-Faqbot-Signature (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, body), signature)


def request_for(webhook: WebhookConfig, escalation: Escalation) -> WebhookRequest:
    """The POST that delivers `escalation` to `webhook`. `Idempotency-Key` is the escalation id, so
    a target that dedupes by it applies a retried delivery once (Zendesk does; the generic receiver
    should). The webhook's own headers (e.g. Authorization) come last and win."""
    body = json.dumps(payload_for(webhook.format, escalation), ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": "faqbot-webhooks/1",
        "Idempotency-Key": escalation.escalation_id,
        "X-Faqbot-Event": EVENT,
        "X-Faqbot-Delivery": f"{webhook.name}:{escalation.escalation_id}",
    }
    if webhook.secret:
        headers["X-Faqbot-Signature"] = sign(webhook.secret, body)
    headers.update(webhook.headers)
    return WebhookRequest(webhook.url, headers, body)
