"""E-mail follow-ups (bot/followup.py) through a real SMTP server (aiosmtpd): an agent reply the
customer's widget has not shown within email_after_minutes is e-mailed once, in the customer's
language, with a link that proves the session; seen replies, channel sessions and customers
without an address get none; a refusing server is retried on the next run."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import unquote

import pytest

from bot import Bot
from bot.agents import Agents
from bot.followup import send_due
from bot.records import Contact
from bot.sessions import session_tokens
from bot.store import Store
from kb import Settings
from tests.bot.channels.mailservers import Smtp, smtp_server
from tests.bot.test_desk import SUNDAY_NOON, Clock, make_desk

MINUTE = 60.0


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    with smtp_server() as box:
        yield box


def _settings(smtp: Smtp, **kw: object) -> Settings:
    return Settings(email_after_minutes=10, email_smtp_host=smtp.host, email_smtp_port=smtp.port,  # type: ignore[arg-type]
                    email_smtp_security="none", email_address="support@shop.test",
                    public_url="https://shop.test/help", **kw)


def _handed_off(bot: Bot, store: Store, sid: str, text: str = "ฉันต้องการคุยกับพนักงาน",
                email: str = "somchai@example.com") -> str:
    desk = make_desk(bot, store)
    reply = desk.ask(text, session_id=sid, contact=Contact("Somchai", email) if email else None)
    assert reply.escalation is not None
    return reply.escalation.escalation_id


def test_an_unseen_reply_is_emailed_once_in_the_customers_language(bot: Bot, store: Store,
                                                                   smtp: Smtp) -> None:
    settings = _settings(smtp)
    _handed_off(bot, store, "s-th")
    agents = Agents(store, clock=Clock(SUNDAY_NOON + 100))
    store.set_display_name("ann", "แอน")
    turn = agents.reply("s-th", "ann", "สวัสดีค่ะ พัสดุของคุณจะถึงพรุ่งนี้")
    tokens = session_tokens(settings, store)
    assert send_due(store, settings, tokens, turn.at + 9 * MINUTE)["sent"] == 0  # not yet due
    assert send_due(store, settings, tokens, turn.at + 11 * MINUTE)["sent"] == 1
    assert send_due(store, settings, tokens, turn.at + 30 * MINUTE)["sent"] == 0  # once
    [mail] = smtp.received
    assert smtp.envelopes == [("support@shop.test", ["somchai@example.com"])]
    assert mail["Subject"] == "ทีมงานตอบกลับคำถามของคุณแล้วค่ะ" and mail["Content-Language"] == "th"
    assert mail["To"] == "Somchai <somchai@example.com>" and mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    assert "แอน" in body and "พัสดุของคุณจะถึงพรุ่งนี้" in body and "กรุณาตอบในแชต" in body
    link = next(w for w in body.split() if w.startswith("https://shop.test/help#"))
    fragment = dict(p.split("=", 1) for p in link.split("#", 1)[1].split("&"))
    assert unquote(fragment["faqbot-session"]) == "s-th"
    assert tokens.valid("s-th", fragment["faqbot-token"])
    assert [status for _, _, status, _, _ in store.followups("s-th")] == ["sent"]


def test_a_reply_the_widget_showed_is_not_emailed(bot: Bot, store: Store, smtp: Smtp) -> None:
    settings = _settings(smtp)
    _handed_off(bot, store, "s-seen", "I want to talk to a human", "kai@example.com")
    turn = Agents(store, clock=Clock(SUNDAY_NOON + 100)).reply("s-seen", "ann", "Hi Kai")
    store.mark_seen("s-seen", turn.turn_id, turn.at + 5)
    assert send_due(store, settings, session_tokens(settings, store), turn.at + 60 * MINUTE)["sent"] == 0
    assert smtp.received == []


def test_no_address_means_no_email_and_is_not_retried(bot: Bot, store: Store, smtp: Smtp) -> None:
    settings = _settings(smtp)
    _handed_off(bot, store, "s-anon", "I want to talk to a human", email="")
    turn = Agents(store, clock=Clock(SUNDAY_NOON + 100)).reply("s-anon", "ann", "Hello?")
    counts = send_due(store, settings, session_tokens(settings, store), turn.at + 60 * MINUTE)
    assert counts == {"sent": 0, "failed": 0, "skipped": 1} and smtp.received == []
    assert send_due(store, settings, session_tokens(settings, store), turn.at + 61 * MINUTE)["skipped"] == 0


def test_a_refusing_server_is_retried_on_the_next_run(bot: Bot, store: Store, smtp: Smtp) -> None:
    settings = _settings(smtp)
    _handed_off(bot, store, "s-retry", "I want to talk to a human", "kai@example.com")
    agents = Agents(store, clock=Clock(SUNDAY_NOON + 100))
    agents.reply("s-retry", "ann", "First")
    turn = agents.reply("s-retry", "ann", "Second")
    tokens = session_tokens(settings, store)
    smtp.refuse.append(451)
    assert send_due(store, settings, tokens, turn.at + 11 * MINUTE)["failed"] == 1
    assert send_due(store, settings, tokens, turn.at + 12 * MINUTE)["sent"] == 1
    [mail] = smtp.received
    body = mail.get_content()
    assert body.index("First") < body.index("Second")  # both replies, in one e-mail
    assert mail["Subject"] == "A reply from our support team"


def test_unreachable_server_fails_softly(bot: Bot, store: Store, smtp: Smtp) -> None:
    settings = Settings(email_after_minutes=10, email_smtp_host="127.0.0.1", email_smtp_port=1,
                        email_smtp_security="none", email_address="support@shop.test",
                        public_url="https://shop.test/")
    _handed_off(bot, store, "s-down", "I want to talk to a human", "kai@example.com")
    turn = Agents(store, clock=Clock(SUNDAY_NOON + 100)).reply("s-down", "ann", "Hi")
    counts = send_due(store, settings, session_tokens(settings, store), turn.at + 11 * MINUTE)
    assert counts["failed"] == 1
    assert "connection failed" in store.followups("s-down")[0][4]


def test_settings_need_smtp_sender_and_link() -> None:
    from kb.errors import SettingsError

    with pytest.raises(SettingsError, match="email_after_minutes needs email_smtp_host"):
        Settings(email_after_minutes=5)
    assert Settings().email_after_minutes == 0
