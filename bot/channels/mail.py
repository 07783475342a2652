"""Email: a customer's message becomes a question (quoted history and signature removed by
mail-parser-reply), its thread becomes the session, and the reply goes out by SMTP in the same
thread (`In-Reply-To` and `References`). Auto-replies, bounces and mailing-list traffic are
never answered (RFC 3834 `Auto-Submitted`, `Precedence`, delivery reports), and our replies say
`Auto-Submitted: auto-replied` so other robots leave them alone.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from bot.channels.base import Channel, Inbound, Message, Part
from bot.channels.format import compose, numbered
from bot.delivery import DEAD, DELIVERED, RETRY, Outcome
from bot.records import ChannelDelivery, Contact
from kb.errors import RequestError
from kb.settings import Settings

log = logging.getLogger(__name__)
# Every language mail-parser-reply knows the quote headers of ("On ... wrote:", "Am ... schrieb:").
_REPLY_LANGUAGES = ["en", "de", "cs", "da", "es", "fr", "it", "ja", "ko", "nl", "pl", "sv", "zh"]
_BULK = frozenset({"bulk", "junk", "list", "auto_reply"})
_ROBOTS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply")


def robot_reason(msg: EmailMessage, own: str) -> str:
    """Why `msg` must not be answered ("" when a person wrote it)."""
    auto = str(msg.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if str(msg.get("Precedence", "")).strip().lower() in _BULK:
        return "Precedence: " + str(msg.get("Precedence")).strip().lower()
    for header in ("X-Autoreply", "X-Autorespond", "List-Id", "List-Unsubscribe"):
        if msg.get(header) is not None:
            return f"{header} present"
    if msg.get_content_type() == "multipart/report":
        return "a delivery or read report"
    if str(msg.get("Return-Path", "")).strip() == "<>":
        return "a bounce (empty Return-Path)"
    sender = email.utils.parseaddr(str(msg.get("From", "")))[1].lower()
    if not sender or sender.split("@")[0] in _ROBOTS:
        return "sent by a mail system"
    if own and sender == own.lower():
        return "our own message"
    return ""


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = str(part.get_content()) if isinstance(part, EmailMessage) else ""
    if part.get_content_type() == "text/html":
        from markdownify import markdownify

        content = markdownify(content, strip=["img", "script", "style"])
    return content


def question(msg: EmailMessage) -> str:
    """What the customer wrote in this message: no quoted history, no signature; the subject when
    the body is empty."""
    # Imported here: only the email channel needs it, and every process imports this module.
    from mailparser_reply import EmailReplyParser

    body = _text(msg).replace("\r\n", "\n")
    reply = EmailReplyParser(languages=_REPLY_LANGUAGES).read(text=body)
    latest = reply.replies[0].body.strip() if reply.replies else body.strip()
    if latest:
        return latest
    subject = str(msg.get("Subject", "")).strip()
    return subject[3:].strip() if subject.lower().startswith("re:") else subject


def _ids(value: str) -> list[str]:
    return [f"<{x.strip('<> ')}>" for x in value.replace(">", "> ").split() if x.strip("<> ")]


def parse_email(raw: bytes, own_address: str) -> Inbound | None:
    """The customer's question in `raw` (RFC 5322 bytes), or None for mail no one should answer."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(msg, EmailMessage):
        raise RequestError("not an email message")
    why = robot_reason(msg, own_address)
    message_id = str(msg.get("Message-ID", "")).strip()
    if why or not message_id:
        log.info("email not answered: %s", why or "no Message-ID")
        return None
    name, sender = email.utils.parseaddr(str(msg.get("From", "")))
    references = _ids(str(msg.get("References", ""))) or _ids(str(msg.get("In-Reply-To", "")))
    root = references[0] if references else message_id
    subject = " ".join(str(msg.get("Subject", "")).split())
    thread = {"in_reply_to": message_id, "references": " ".join([*references, message_id]),
              "subject": subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()}
    # The address keeps the thread's latest message too, so an agent's reply joins the thread.
    return Inbound(Channel.EMAIL, root.lower(), message_id, text=question(msg),
                   address={"to": sender, "name": name, **thread}, context=thread,
                   contact=Contact(name, sender))


class Email:
    channel = Channel.EMAIL

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def enabled(self) -> bool:
        s = self.settings
        return bool(s.email_address and s.email_smtp_host)

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> bool:
        return False  # email arrives by IMAP (`faqbot mail`), never through a webhook

    def parse(self, body: bytes) -> list[Inbound]:
        found = parse_email(body, self.settings.email_address)
        return [found] if found else []

    def parts(self, message: Message, context: Mapping[str, Any]) -> list[Part]:
        text = compose(message.title, message.text, message.link, message.link_label, "plain", 100_000)
        if message.choices:
            text = "\n\n".join(x for x in (text, numbered(message.prompt, [c.title for c in message.choices]))
                               if x)
        return [{"kind": "email", "text": text, **{k: context[k] for k in ("in_reply_to", "references",
                                                                          "subject") if k in context}}]

    def compose_email(self, part: Part, address: Mapping[str, Any], row: ChannelDelivery) -> EmailMessage:
        s = self.settings
        msg = EmailMessage()
        msg["From"] = s.email_address
        msg["To"] = email.utils.formataddr((str(address.get("name", "")), str(address["to"])))
        msg["Subject"] = part.get("subject") or str(address.get("subject", "")) or "Re:"
        domain = s.email_address.rsplit("@", 1)[-1]
        msg["Message-ID"] = f"<faqbot.{row.session_id}.{row.outbox_id}@{domain}>"
        msg["Date"] = email.utils.formatdate(row.created_at)
        thread = part if part.get("in_reply_to") else address
        if thread.get("in_reply_to"):
            msg["In-Reply-To"] = str(thread["in_reply_to"])
            msg["References"] = str(thread.get("references") or thread["in_reply_to"])
        msg["Auto-Submitted"] = "auto-replied"
        msg.set_content(str(part.get("text", "")))
        return msg

    def send(self, part: Part, address: Mapping[str, Any], row: ChannelDelivery, now: float) -> Outcome:
        msg = self.compose_email(part, address, row)
        try:
            with self._smtp() as smtp:
                smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as e:
            codes = [code for code, _ in e.recipients.values()]
            temporary = all(400 <= c < 500 for c in codes)
            return Outcome(RETRY if temporary else DEAD, f"recipient refused ({codes})")
        except smtplib.SMTPResponseException as e:
            return Outcome(RETRY if 400 <= e.smtp_code < 500 else DEAD, f"SMTP {e.smtp_code}")
        except (OSError, smtplib.SMTPException) as e:
            return Outcome(RETRY, f"SMTP failed: {type(e).__name__}")
        return Outcome(DELIVERED, "SMTP 250")

    def _smtp(self) -> smtplib.SMTP:
        return open_smtp(self.settings)


def open_smtp(settings: Settings) -> smtplib.SMTP:
    """A connection to the configured SMTP server (the email channel's settings, also used by
    bot.followup), logged in when a user is set."""
    s = settings
    if s.email_smtp_security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.email_smtp_host, s.email_smtp_port, timeout=20,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(s.email_smtp_host, s.email_smtp_port, timeout=20)
        if s.email_smtp_security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if s.email_smtp_user:
        smtp.login(s.email_smtp_user, s.email_smtp_password)
    return smtp
