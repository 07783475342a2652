"""The email channel against a real IMAP server (Dovecot) and a real SMTP server (aiosmtpd):
questions read without quotes and signatures, replies in the thread, robots never answered."""

from __future__ import annotations

import imaplib
import time
from collections.abc import Iterator
from dataclasses import replace
from email.message import EmailMessage

import pytest

from bot import Bot
from bot.agents import Agents
from bot.channels import ChannelDesk, adapters
from bot.channels.mail import parse_email
from bot.channels.mailbox import poll_once
from bot.channels.outbox import ChannelSender
from bot.desk import Desk
from bot.store import Store
from kb import Settings
from kb.errors import MailboxError
from tests.bot.channels.mailservers import Imap, Smtp, dovecot, smtp_server

SUPPORT = "support@shop.test"


@pytest.fixture(scope="module")
def imap() -> Iterator[Imap]:
    with dovecot() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    with smtp_server() as server:
        yield server


def settings_for(imap: Imap, smtp: Smtp, store: Store) -> Settings:
    return Settings(
        store_url=store.url,
        email_address=SUPPORT,
        email_imap_host=imap.host,
        email_imap_port=imap.port,
        email_imap_security="none",
        email_imap_user=imap.user,
        email_imap_password=imap.password,
        email_smtp_host=smtp.host,
        email_smtp_port=smtp.port,
        email_smtp_security="none",
        handoff_grace_seconds=0,
    )


def deliver(imap: Imap, *messages: bytes) -> None:
    """What the mail server does with incoming mail: into the inbox, unread."""
    box = imaplib.IMAP4(imap.host, imap.port)
    box.login(imap.user, imap.password)
    box.select("INBOX")
    for raw in messages:
        box.append("INBOX", None, None, raw.replace(b"\n", b"\r\n"))
    box.logout()


def mail(
    message_id: str,
    body: str,
    subject: str = "Refund question",
    extra: str = "",
    sender: str = "Anna Example <anna@example.com>",
) -> bytes:
    return (
        f"From: {sender}\nTo: {SUPPORT}\nSubject: {subject}\nMessage-ID: {message_id}\n"
        f"Date: Wed, 02 Dec 2026 10:00:00 +0000\nMIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset=utf-8\n{extra}\n{body}"
    ).encode()


QUOTED = """Hi, how long does a refund take?

Thanks,
Anna
--
Anna Example
Example Ltd, 1 Main Street

On Tue, 1 Dec 2026 at 09:00, Shop Support <support@shop.test> wrote:
> How much is delivery to Estonia?
> Standard delivery takes 2-5 business days.
"""

BOUNCE = """From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: support@shop.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

This is the mail system. I'm sorry to have to inform you that your message could not be delivered.
--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
Final-Recipient: rfc822; gone@example.com
Action: failed
Status: 5.1.1
--b1--
"""


def test_an_email_is_answered_once_in_its_thread_and_the_handoff_reply_too(
    bot: Bot, store: Store, imap: Imap, smtp: Smtp
) -> None:
    settings = settings_for(imap, smtp, store)
    desk = Desk(Bot(bot.index, bot.encoder, settings), store, settings)
    channels = ChannelDesk(desk)
    sender = ChannelSender(store, settings, adapters(settings))
    deliver(
        imap,
        mail("<q1@example.com>", QUOTED),
        mail(
            "<ooo-1@example.com>",
            "I am out of the office until Monday.",
            "Out of office",
            "Auto-Submitted: auto-replied\n",
        ),
        mail("<list-1@example.com>", "Weekly deals!", "Newsletter", "Precedence: bulk\n"),
        BOUNCE.encode(),
    )
    assert poll_once(settings, channels) == {"answered": 1, "duplicate": 0, "ignored": 3}
    assert poll_once(settings, channels) == {"answered": 0, "duplicate": 0, "ignored": 0}  # all \\Seen now
    deliver(imap, mail("<q1@example.com>", QUOTED))  # the same message delivered twice
    assert poll_once(settings, channels)["duplicate"] == 1

    (customer, bot_turn) = [t for t in store.turns() if t.role in ("customer", "bot")]
    assert customer.text == "Hi, how long does a refund take?"  # no signature, no quoted history
    assert bot_turn.article_id == "refund-timing"
    assert sender.run_once() == 1
    (reply,) = smtp.received
    assert reply["To"] == "Anna Example <anna@example.com>" and reply["From"] == SUPPORT
    assert reply["Subject"] == "Re: Refund question"
    assert reply["In-Reply-To"] == "<q1@example.com>" and reply["References"] == "<q1@example.com>"
    assert reply["Auto-Submitted"] == "auto-replied"
    body = reply.get_content().replace("\r\n", "\n")
    assert body.startswith("When will I get my refund?\n\nRefunds are processed within 3 business days")

    # Anna answers in the thread and asks for a person: the same conversation, handed to the agents.
    deliver(
        imap,
        mail(
            "<q2@example.com>",
            f"I'd like to talk to a human please.\n\n> {body[:40]}",
            "Re: Refund question",
            f"In-Reply-To: {reply['Message-ID']}\nReferences: <q1@example.com> {reply['Message-ID']}\n",
        ),
    )
    assert poll_once(settings, channels)["answered"] == 1
    sessions = store.channel_of_sessions()
    assert list(sessions.values()) == ["email"]
    (session_id,) = sessions
    assert "anna" not in session_id and "example" not in session_id
    (esc,) = store.escalations()
    assert esc.session_id == session_id and esc.reason == "human_requested"
    assert esc.contact.email == "anna@example.com"  # the agents can write back by email too
    Agents(store).claim(esc.escalation_id, "Ann")
    Agents(store).reply(session_id, "Ann", "Hello Anna, I have refunded your order today.")
    assert sender.run_once() == 2  # the bot's handoff notice, then the agent's reply
    handoff, agent = smtp.received[1:]
    assert handoff["In-Reply-To"] == "<q2@example.com>"
    assert handoff["References"] == f"<q1@example.com> {reply['Message-ID']} <q2@example.com>"
    assert agent["In-Reply-To"] == "<q2@example.com>" and agent["Subject"] == "Re: Refund question"
    assert agent.get_content().strip() == "Hello Anna, I have refunded your order today."


def test_a_mail_server_that_defers_gets_retries_and_one_that_refuses_a_dead_letter(
    bot: Bot, store: Store, imap: Imap, smtp: Smtp
) -> None:
    settings = settings_for(imap, smtp, store)
    channels = ChannelDesk(Desk(Bot(bot.index, bot.encoder, settings), store, settings))
    sender = ChannelSender(store, settings, adapters(settings))
    deliver(imap, mail("<r1@example.com>", "where is my refund"))
    poll_once(settings, channels)
    smtp.refuse[:] = [451]
    now = time.time()
    sender.run_once(now)
    (row,) = store.channel_sends()
    assert row.status == "pending" and row.attempts == 1 and row.last_error == "SMTP 451"
    assert row.next_at > now
    sender.run_once(row.next_at)
    assert len(smtp.received) == 1 and store.channel_sends()[0].status == "delivered"
    deliver(imap, mail("<r2@example.com>", "where is my refund", sender="gone@example.com"))
    poll_once(settings, channels)
    smtp.refuse[:] = [550]
    sender.run_once()
    assert store.channel_sends()[-1].status == "dead" and store.channel_sends()[-1].last_error == "SMTP 550"


def test_a_wrong_password_is_one_clear_error(store: Store, imap: Imap, smtp: Smtp, bot: Bot) -> None:
    settings = replace(settings_for(imap, smtp, store), email_imap_password="Xq-not-the-password")
    channels = ChannelDesk(Desk(Bot(bot.index, bot.encoder, settings), store, settings))
    with pytest.raises(MailboxError, match=r"cannot log in to imap://support@shop.test@127.0.0.1:\d+"):
        poll_once(settings, channels)
    assert "Xq-not-the-password" not in repr(settings)  # secrets are never in a settings dump


@pytest.mark.parametrize(
    ("headers", "answered"),
    [
        ("", True),
        ("Auto-Submitted: auto-generated\n", False),
        ("Auto-Submitted: no\n", True),
        ("Precedence: junk\n", False),
        ("X-Autoreply: yes\n", False),
        ("List-Id: <deals.shop.test>\n", False),
        ("Return-Path: <>\n", False),
    ],
)
def test_robots_are_never_answered(headers: str, answered: bool) -> None:
    raw = mail("<m@example.com>", "where is my refund", extra=headers)
    assert (parse_email(raw, SUPPORT) is not None) is answered


def test_html_only_mail_and_a_german_quote_header() -> None:
    raw = (
        f"From: a@example.com\nTo: {SUPPORT}\nSubject: Frage\nMessage-ID: <h@example.com>\n"
        "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
        "<p>Wie lange dauert der <b>Versand</b>?</p><p>Am 1. Dezember 2026 um 09:00 schrieb "
        "Support &lt;support@shop.test&gt;:</p><blockquote>Alte Nachricht</blockquote>"
    ).encode()
    found = parse_email(raw, SUPPORT)
    assert found is not None and found.text.startswith("Wie lange dauert der **Versand**?")
    assert "Alte Nachricht" not in found.text and isinstance(found.address["to"], str)


def test_our_own_messages_are_not_answered() -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Message-ID"], msg["Subject"] = SUPPORT, SUPPORT, "<own@shop.test>", "x"
    msg.set_content("loop?")
    assert parse_email(msg.as_bytes(), SUPPORT) is None


def test_numbered_choices_by_email_and_a_reply_of_2(bot: Bot, store: Store, imap: Imap, smtp: Smtp) -> None:
    settings = replace(settings_for(imap, smtp, store), answer_threshold=0.999, suggest_threshold=0.01)
    channels = ChannelDesk(Desk(Bot(bot.index, bot.encoder, settings), store, settings))
    sender = ChannelSender(store, settings, adapters(settings))
    deliver(imap, mail("<n1@example.com>", "refund or password?", "Help"))
    poll_once(settings, channels)
    sender.run_once()
    text = smtp.received[0].get_content().replace("\r\n", "\n")
    lines = [line for line in text.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert lines[0].startswith("1. ") and lines[1].startswith("2. ")
    second = lines[1][3:]
    deliver(
        imap,
        mail(
            "<n2@example.com>",
            "2",
            "Re: Help",
            f"In-Reply-To: {smtp.received[0]['Message-ID']}\n"
            f"References: <n1@example.com> {smtp.received[0]['Message-ID']}\n",
        ),
    )
    poll_once(settings, channels)
    sender.run_once()
    assert smtp.received[1].get_content().startswith(second)
