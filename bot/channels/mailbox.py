"""`faqbot mail`: poll an IMAP mailbox and answer each unread customer message once.

A message is marked \\Seen only after it was answered (or found to be a robot's), and answering is
idempotent on its Message-ID, so a crash between the two answers nothing twice.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
import threading

from bot.channels.conversation import ChannelDesk
from bot.channels.mail import Email
from kb.errors import FaqbotError, MailboxError
from kb.settings import Settings

log = logging.getLogger(__name__)


def _connect(settings: Settings) -> imaplib.IMAP4:
    s = settings
    try:
        if s.email_imap_security == "ssl":
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(s.email_imap_host, s.email_imap_port,
                                                    ssl_context=ssl.create_default_context(), timeout=30)
        else:
            imap = imaplib.IMAP4(s.email_imap_host, s.email_imap_port, timeout=30)
            if s.email_imap_security == "starttls":
                imap.starttls(ssl.create_default_context())
        imap.login(s.email_imap_user, s.email_imap_password)
    except (OSError, imaplib.IMAP4.error) as e:
        raise MailboxError(f"cannot log in to imap://{s.email_imap_user}@{s.email_imap_host}:"
                           f"{s.email_imap_port}: {e}") from None
    status, _ = imap.select(s.email_imap_folder)
    if status != "OK":
        imap.logout()
        raise MailboxError(f"no IMAP folder {s.email_imap_folder!r} for {s.email_imap_user}")
    return imap


def poll_once(settings: Settings, channels: ChannelDesk) -> dict[str, int]:
    """Answer every unread message in the folder; counts by outcome."""
    adapter = Email(settings)
    counts = {"answered": 0, "duplicate": 0, "ignored": 0}
    imap = _connect(settings)
    try:
        _, found = imap.uid("SEARCH", "UNSEEN")
        for uid in (found[0] or b"").decode("ascii").split():
            _, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in data if isinstance(item, tuple)), None)
            if raw is None:
                continue
            inbound = adapter.parse(raw)
            outcome = channels.handle(adapter, inbound[0]) if inbound else "ignored"
            counts[outcome] += 1
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            imap.logout()
        except (OSError, imaplib.IMAP4.error):
            log.debug("IMAP logout failed", exc_info=True)
    return counts


def poll_forever(settings: Settings, channels: ChannelDesk, stop: threading.Event) -> None:
    """Poll every `email_poll_seconds` until `stop` is set; a mailbox that is down is logged and
    tried again at the next poll."""
    while not stop.is_set():
        try:
            counts = poll_once(settings, channels)
            if counts["answered"] or counts["ignored"]:
                log.info("mail poll: %s", counts)
        except FaqbotError as e:
            log.warning("mail poll failed: %s", e)
        except Exception:
            log.exception("mail poll failed")
        stop.wait(settings.email_poll_seconds)
