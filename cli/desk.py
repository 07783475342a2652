"""`faqbot` commands for the handoff side: delivery worker, reports, privacy, keys, dead letters."""

from __future__ import annotations

import datetime as dt
import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

import click

from cli.context import Ctx
from kb import FaqbotError


@contextmanager
def _store(obj: Ctx, must_exist: bool = False) -> Iterator[Any]:
    from bot.store import open_store

    store = open_store(obj.settings().store_url, must_exist=must_exist)
    try:
        yield store
    finally:
        store.close()


def _when(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    from bot.timestamps import parse_iso

    try:
        return parse_iso(value)
    except FaqbotError as e:
        raise click.BadParameter(str(e), param_hint=name) from None


@click.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.pass_obj
def deliver(obj: Ctx, once: bool) -> None:
    """Deliver escalations to the configured webhooks (retries, backoff, dead letters).

    `faqbot serve` runs this in the background already; run it separately when several servers
    share one PostgreSQL store."""
    from bot.channels import adapters
    from bot.channels.outbox import ChannelSender
    from bot.delivery import DeliveryWorker

    settings = obj.settings()
    with _store(obj) as store:
        worker = DeliveryWorker(store, settings)
        sender = ChannelSender(store, settings, adapters(settings))  # replies on messaging channels
        if once:
            click.echo(f"{worker.run_once()} deliveries attempted.", err=True)
            click.echo(f"{sender.run_once()} channel sends attempted.", err=True)
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"delivering escalations from {store.url} to "
                   f"{len(settings.webhooks)} webhook(s), and channel replies; Ctrl-C stops", err=True)
        channels = threading.Thread(target=sender.run_forever, args=(stop,), name="faqbot-channels")
        channels.start()
        worker.run_forever(stop)
        channels.join()


@click.command()
@click.option("--since", default=None, help="From this date/time (ISO 8601, UTC if no zone).")
@click.option("--until", default=None, help="Up to this date/time (exclusive).")
@click.option("--lang", default=None, help="Only conversations in this language (their first message's).")
@click.option("--queue", default=None, help="Only conversations escalated to this queue.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_obj
def report(obj: Ctx, since: str | None, until: str | None, lang: str | None, queue: str | None,
           as_json: bool) -> None:
    """Conversations, auto-resolution, escalations by reason, helpful/unhelpful, CSAT, response
    times and out-of-hours share per day and language; agents' first reply and resolution times
    per agent and queue; the most frequent unanswered questions."""
    from bot.analytics import analytics
    from kb.languages import normalize_lang

    start, end = _when(since, "--since"), _when(until, "--until")
    with _store(obj, must_exist=True) as store:
        result = analytics(store, start, end, lang=normalize_lang(lang) if lang else None, queue=queue)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    head = f"{'day':<10} {'lang':<6} {'conv':>5} {'auto%':>6} {'esc%':>6} {'up':>4} {'down':>4} " \
           f"{'csat':>5} {'p50ms':>7} {'p95ms':>7} {'ooh%':>5}  escalations by reason"
    click.echo(head)
    for s in (*result.by_day_lang, result.totals):
        reasons = ", ".join(f"{k} {v}" for k, v in s.escalations_by_reason.items())
        click.echo(f"{s.day:<10} {s.lang:<6} {s.conversations:>5} {_pct(s.auto_resolution_rate):>6} "
                   f"{_pct(s.escalation_rate):>6} {s.helpful_yes:>4} {s.helpful_no:>4} "
                   f"{_num(s.csat_avg, 1):>5} {_num(s.response_ms_p50):>7} {_num(s.response_ms_p95):>7} "
                   f"{_pct(s.out_of_hours_share):>5}  {reasons}")
    if result.agents:
        click.echo(f"\n{'agent':<16} {'queue':<12} {'esc':>5} {'replied':>7} {'resolved':>8} "
                   f"{'1st reply p50 min':>17} {'resolution p50 min':>18}")
        for a in result.agents:
            click.echo(f"{a.agent or '(nobody yet)':<16} {a.queue:<12} {a.escalations:>5} "
                       f"{a.replied:>7} {a.resolved:>8} {_minutes(a.first_reply_s_p50):>17} "
                       f"{_minutes(a.resolution_s_p50):>18}")
    if len(result.by_channel) > 1 or set(result.by_channel) - {"widget"}:
        click.echo("\nBy channel:")
        for name, c in result.by_channel.items():
            click.echo(f"  {name:<9} {c.conversations:>5} conversations, auto "
                       f"{_pct(c.auto_resolution_rate)}%, escalated {_pct(c.escalation_rate)}%")
    if result.top_unanswered:
        click.echo("\nTop unanswered questions:")
        for question, q_lang, n in result.top_unanswered:
            click.echo(f"  {n:>4}  [{q_lang}] {question}")


def _minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 60:.1f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def _num(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


@click.group()
def privacy() -> None:
    """Personal data: erase a customer's conversation (right to erasure)."""


@privacy.command("delete")
@click.option("--session", "session_id", required=True, help="The session id to erase.")
@click.pass_obj
def privacy_delete(obj: Ctx, session_id: str) -> None:
    """Erase a session: transcript, feedback, escalations and pending deliveries."""
    with _store(obj) as store:
        counts = store.delete_session(session_id)
    if not any(counts.values()):
        raise click.ClickException(f"no session {session_id!r}")
    click.echo("Erased " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ".")


@click.group()
def keys() -> None:
    """API keys for help desks, agents and admins (stored hashed)."""


@keys.command("create")
@click.option("--role", type=click.Choice(["helpdesk", "agent", "manager", "admin"]), required=True,
              help="helpdesk < agent < manager (insights) < admin: each may do what the one before may.")
@click.option("--name", required=True, help="Who or what uses the key (shown as the agent's name).")
@click.pass_obj
def keys_create(obj: Ctx, role: str, name: str) -> None:
    """Create a key and print it once; only its hash is kept."""
    from bot.keys import create_key

    with _store(obj) as store:
        record, secret = create_key(store, role, name)
    click.echo(f"Created {record.role} key {record.key_id} for {record.name!r}. "
               "Store it now; it cannot be shown again:", err=True)
    click.echo(secret)


@keys.command("list")
@click.pass_obj
def keys_list(obj: Ctx) -> None:
    """List keys (ids, roles, names; never the secrets)."""
    with _store(obj) as store:
        for k in store.api_keys():
            state = "revoked" if k.revoked_at else "active"
            created = dt.datetime.fromtimestamp(k.created_at, dt.UTC).strftime("%Y-%m-%d %H:%M")
            click.echo(f"{k.key_id}  {k.role:<8} {state:<7} {created}  {k.name}")


@keys.command("revoke")
@click.argument("key_id")
@click.pass_obj
def keys_revoke(obj: Ctx, key_id: str) -> None:
    """Revoke the key KEY_ID at once."""
    import time

    with _store(obj) as store:
        k = store.revoke_key(key_id, time.time())
    click.echo(f"Revoked {k.role} key {k.key_id} ({k.name}).")


@click.group()
def deliveries() -> None:
    """Webhook deliveries: see the dead-letter list and retry it."""


@deliveries.command("list")
@click.option("--status", type=click.Choice(["pending", "delivered", "dead"]), default="dead",
              show_default=True)
@click.pass_obj
def deliveries_list(obj: Ctx, status: str) -> None:
    """List deliveries with that status."""
    with _store(obj) as store:
        rows = store.deliveries(status)
    for d in rows:
        click.echo(json.dumps(asdict(d), ensure_ascii=False))
    click.echo(f"{len(rows)} {status} deliveries.", err=True)


@deliveries.command("retry")
@click.argument("delivery_ids", nargs=-1, type=int, required=True)
@click.pass_obj
def deliveries_retry(obj: Ctx, delivery_ids: tuple[int, ...]) -> None:
    """Put dead deliveries back in the queue (after fixing the webhook)."""
    import time

    with _store(obj) as store:
        for delivery_id in delivery_ids:
            store.retry_dead(delivery_id, time.time())
    click.echo(f"Requeued {len(delivery_ids)} deliveries.")


@click.command()
@click.option("--once", is_flag=True, help="Send what is due now, then exit.")
@click.option("--every", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds between two runs.")
@click.pass_obj
def followups(obj: Ctx, once: bool, every: float) -> None:
    """E-mail agent replies the customer has not seen within email_after_minutes.

    `faqbot serve` runs this in the background already; run it on its own under gunicorn or when
    several servers share one store (one instance is enough)."""
    import time

    from bot.followup import run_forever, send_due
    from bot.sessions import session_tokens

    settings = obj.settings()
    if not settings.email_after_minutes:
        raise click.ClickException("email_after_minutes is 0: follow-up e-mails are off")
    with _store(obj) as store:
        tokens = session_tokens(settings, store)
        if once:
            counts = send_due(store, settings, tokens, time.time())
            click.echo(", ".join(f"{n} {what}" for what, n in counts.items()) + ".", err=True)
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        click.echo(f"e-mailing unseen agent replies after {settings.email_after_minutes} min; "
                   "Ctrl-C stops", err=True)
        run_forever(store, settings, tokens, stop, time.time, every)


COMMANDS = (deliver, report, privacy, keys, deliveries, followups)
