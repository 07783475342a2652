"""E-mail follow-ups: an agent's reply that the customer's widget has not shown within
`email_after_minutes` is sent to the e-mail address the customer gave, in the customer's language,
with a link back to the conversation.

The widget reports what it has shown by polling the transcript (server/customer.py marks the
session seen); a reply it never fetched — the customer closed the page — is e-mailed once. One
e-mail a session a run carries every such reply. Sessions on a messaging channel are skipped: the
channel relays agent replies itself (bot/channels). The e-mail goes out through the email
channel's SMTP settings (`email_smtp_*`, From `email_address`). Replies to it are not read back
into the conversation: the e-mail says to answer in the chat.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from urllib.parse import quote

from bot.channels.mail import open_smtp
from bot.messages import message
from bot.records import Role, Turn
from bot.sessions import SessionTokens
from bot.store import Store
from kb.settings import Settings

log = logging.getLogger(__name__)
SENT, FAILED, SKIPPED = "sent", "failed", "skipped"
_LOOKBACK = 7 * 86400  # replies older than this are never e-mailed (a follow-up a week late is noise)

SmtpFactory = Callable[[Settings], smtplib.SMTP]


@dataclass(frozen=True)
class FollowUp:
    session_id: str
    to: str
    name: str
    lang: str
    turns: tuple[Turn, ...]  # the unseen agent replies, oldest first


def due(store: Store, settings: Settings, now: float) -> tuple[list[FollowUp], list[Turn]]:
    """The follow-ups to send now, and the agent turns to skip for good (no e-mail address, or a
    channel session)."""
    cutoff = now - settings.email_after_minutes * 60
    done = {turn_id for turn_id, _, status, _, _ in store.followups() if status in (SENT, SKIPPED)}
    by_session: dict[str, list[Turn]] = {}
    for turn in store.turns(now - _LOOKBACK, cutoff):
        if turn.role == Role.AGENT and turn.turn_id not in done:
            by_session.setdefault(turn.session_id, []).append(turn)
    out: list[FollowUp] = []
    skip: list[Turn] = []
    for sid, turns in by_session.items():
        unseen = [t for t in turns if t.turn_id > store.seen(sid)]
        if not unseen:
            continue
        session = store.session(sid)
        latest_id = store.latest_escalation_id(sid)
        latest = store.escalation(latest_id) if latest_id else None
        contact = latest.contact if latest is not None and latest.contact.email else (
            session.contact if session is not None else None)
        if contact is None or not contact.email or store.channel_session(sid) is not None:
            skip.extend(unseen)
            continue
        out.append(FollowUp(sid, contact.email, contact.name, session.lang if session else "en",
                            tuple(unseen)))
    return out, skip


def compose(followup: FollowUp, settings: Settings, tokens: SessionTokens,
            names: dict[str, str]) -> EmailMessage:
    lang = followup.lang or settings.default_lang
    base = settings.public_url.split("#", 1)[0]
    link = (f"{base}#faqbot-session={quote(followup.session_id, safe='')}"
            f"&faqbot-token={tokens.token(followup.session_id)}")
    agent = ", ".join(dict.fromkeys(names.get(t.agent, t.agent) for t in followup.turns))
    msg = EmailMessage()
    msg["From"] = settings.email_address
    msg["To"] = formataddr((followup.name, followup.to))
    msg["Subject"] = message("followup_subject", lang)
    msg["Message-ID"] = make_msgid(domain=settings.email_address.rsplit("@", 1)[-1])
    msg["Auto-Submitted"] = "auto-generated"  # no auto-replies back, please
    text = "\n\n".join(t.text for t in followup.turns)
    msg.set_content(message("followup_body", lang, agent=agent, text=text, link=link))
    msg["Content-Language"] = lang  # after set_content, which replaces the Content-* headers
    return msg


def send_due(store: Store, settings: Settings, tokens: SessionTokens, now: float,
             smtp_factory: SmtpFactory = open_smtp) -> dict[str, int]:
    """Send what is due; how many were sent, failed (retried on the next run) and skipped."""
    counts = {SENT: 0, FAILED: 0, SKIPPED: 0}
    if not settings.email_after_minutes:
        return counts
    followups, skip = due(store, settings, now)
    for turn in skip:
        store.record_followup(turn.turn_id, turn.session_id, SKIPPED, now, "no e-mail address or a channel")
        counts[SKIPPED] += 1
    if not followups:
        return counts
    names = store.display_names()
    try:
        smtp = smtp_factory(settings)
    except (OSError, smtplib.SMTPException) as e:
        log.warning("follow-ups: cannot reach the SMTP server: %s", type(e).__name__)
        for f in followups:
            _record(store, f, FAILED, now, f"SMTP connection failed: {type(e).__name__}")
        counts[FAILED] += len(followups)
        return counts
    with smtp:
        for f in followups:
            try:
                smtp.send_message(compose(f, settings, tokens, names))
            except (OSError, smtplib.SMTPException) as e:
                _record(store, f, FAILED, now, f"{type(e).__name__}: {str(e)[:200]}")
                counts[FAILED] += 1
                continue
            _record(store, f, SENT, now)
            counts[SENT] += 1
            log.info("follow-up e-mailed for session %s (%d replies)", f.session_id, len(f.turns))
    return counts


def _record(store: Store, f: FollowUp, status: str, now: float, error: str = "") -> None:
    for turn in f.turns:
        store.record_followup(turn.turn_id, f.session_id, status, now, error)


def run_forever(store: Store, settings: Settings, tokens: SessionTokens, stop: threading.Event,
                clock: Callable[[], float], every: float = 60.0) -> None:
    while not stop.is_set():
        try:
            send_due(store, settings, tokens, clock())
        except Exception:  # noqa: BLE001 - a bad run must not end the loop; the next one retries
            log.exception("follow-ups: run failed")
        stop.wait(every)


def start_background(store: Store, settings: Settings, tokens: SessionTokens,
                     clock: Callable[[], float], every: float = 60.0) -> threading.Event | None:
    """For `faqbot serve`: a daemon thread sending follow-ups every `every` seconds (None when
    `email_after_minutes` is 0); set the event to stop it."""
    if not settings.email_after_minutes:
        return None
    stop = threading.Event()
    threading.Thread(target=run_forever, args=(store, settings, tokens, stop, clock, every),
                     name="faqbot-followups", daemon=True).start()
    return stop
