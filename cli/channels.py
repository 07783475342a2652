"""`faqbot mail`: the email channel's mailbox poller (the other channels are webhooks of `faqbot serve`)."""

from __future__ import annotations

import json
import signal
import threading

import click

from cli.context import Ctx


@click.command()
@click.option("--once", is_flag=True, help="Answer the unread messages once, then exit.")
@click.pass_obj
def mail(obj: Ctx, once: bool) -> None:
    """Answer customers' emails: poll the IMAP mailbox of the email_* settings every
    email_poll_seconds, answer each unread message once, in its thread. Replies leave by SMTP from
    the channel outbox, which `faqbot serve` (or `faqbot deliver`) sends."""
    from bot import ready_bot
    from bot.channels import ChannelDesk
    from bot.channels.mailbox import poll_forever, poll_once
    from bot.desk import Desk
    from bot.store import open_store
    from kb import SettingsError

    settings = obj.settings()
    if not (settings.email_imap_host and settings.email_address and settings.email_smtp_host):
        raise SettingsError("faqbot mail needs email_address, email_imap_host (and user, password) and "
                            "email_smtp_host: see the README's Channels section")
    store = open_store(settings.store_url)
    try:
        channels = ChannelDesk(Desk(ready_bot(settings), store, settings))
        if once:
            counts = poll_once(settings, channels)
            click.echo(f"{counts['answered']} answered, {counts['duplicate']} already answered, "
                       f"{counts['ignored']} not for the bot (auto-replies, bounces, empty).", err=True)
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"answering {settings.email_imap_user}@{settings.email_imap_host} every "
                   f"{settings.email_poll_seconds} s; Ctrl-C stops", err=True)
        poll_forever(settings, channels, stop)
    finally:
        store.close()


@click.group("channel-sends")
def channel_sends() -> None:
    """Replies on the messaging channels (the channel outbox): see the dead letters, retry them."""


@channel_sends.command("list")
@click.option("--status", type=click.Choice(["pending", "delivered", "dead"]), default="dead",
              show_default=True)
@click.pass_obj
def channel_sends_list(obj: Ctx, status: str) -> None:
    """List channel sends with that status (without their text: it is the customer's conversation)."""
    from bot.store import open_store

    store = open_store(obj.settings().store_url)
    try:
        rows = store.channel_sends(status)
    finally:
        store.close()
    for d in rows:
        click.echo(json.dumps({"outbox_id": d.outbox_id, "channel": d.channel, "session_id": d.session_id,
                               "status": d.status, "attempts": d.attempts, "last_error": d.last_error}))
    click.echo(f"{len(rows)} {status} channel sends.", err=True)


@channel_sends.command("retry")
@click.argument("outbox_ids", nargs=-1, type=int, required=True)
@click.pass_obj
def channel_sends_retry(obj: Ctx, outbox_ids: tuple[int, ...]) -> None:
    """Put dead channel sends back in the queue (after fixing a token or the platform's outage)."""
    import time

    from bot.store import open_store

    store = open_store(obj.settings().store_url)
    try:
        for outbox_id in outbox_ids:
            store.retry_dead_channel_send(outbox_id, time.time())
    finally:
        store.close()
    click.echo(f"Requeued {len(outbox_ids)} channel sends.")


COMMANDS = [mail, channel_sends]
