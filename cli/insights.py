"""`faqbot gaps` and `faqbot changes`: what live customers asked that the KB does not answer, and the
reviewed KB changes made from it."""

from __future__ import annotations

import json

import click

from cli.context import Ctx
from cli.desk import _store, _when


@click.command()
@click.option("--since", required=True, help="From this date/time (ISO 8601, UTC if no zone).")
@click.option("--until", default=None, help="Up to this date/time (exclusive).")
@click.option("--top", type=click.IntRange(1, 500), default=20, show_default=True,
              help="Show this many gaps, biggest first.")
@click.option("--json", "as_json", is_flag=True, help="Print the gaps as JSON.")
@click.pass_obj
def gaps(obj: Ctx, since: str, until: str | None, top: int, as_json: bool) -> None:
    """Questions the bot escalated, only suggested articles for, or answered and was rated
    unhelpful, grouped by need across languages, biggest first: counts per language, up to five
    (PII-redacted) examples and the closest articles with the bot's confidence."""
    from bot import ready_bot
    from bot.gaps import live_gaps

    settings = obj.settings()
    start, end = _when(since, "--since"), _when(until, "--until")
    with _store(obj, must_exist=True) as store:
        found = live_gaps(ready_bot(settings), store, start, end, top)
    if as_json:
        click.echo(json.dumps({"since": start, "until": end, "gaps": [g.to_dict() for g in found]},
                              ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("No gaps: every question in the period was answered and not rated unhelpful.")
    for n, g in enumerate(found, 1):
        langs = ", ".join(f"{lang} {c}" for lang, c in g.by_lang.items())
        whys = ", ".join(f"{w} {c}" for w, c in g.by_why.items())
        click.echo(f"{n:>3}. {g.size} asked ({langs}; {whys})  gap {g.gap_id}")
        for text, lang in g.examples:
            click.echo(f"       [{lang}] {text}")
        for c in g.closest:
            click.echo(f"       closest: {c.article_id} ({c.title}) confidence {c.confidence:.2f}")


@click.group()
def changes() -> None:
    """Reviewed KB changes made from gaps: propose, list, show the diff, approve, reject."""


@changes.command("propose")
@click.option("--since", required=True, help="The period the gap was found in (as for faqbot gaps).")
@click.option("--until", default=None)
@click.option("--gap", "gap_id", required=True, help="The gap id faqbot gaps printed.")
@click.option("--article", "article_id", default=None, help="Add the gap's questions to this article.")
@click.option("--out-of-scope", is_flag=True, help="Mark the gap's questions as out of scope.")
@click.option("--by", default="cli", show_default=True, help="Who proposes it (for the audit log).")
@click.pass_obj
def changes_propose(obj: Ctx, since: str, until: str | None, gap_id: str, article_id: str | None,
                    out_of_scope: bool, by: str) -> None:
    """Propose a change from a gap; nothing is written to the KB until it is approved."""
    from bot import ready_bot
    from bot.gaps import live_gaps
    from bot.kb_changes import KbChanges
    from kb.edits import ChangeKind

    if bool(article_id) == out_of_scope:
        raise click.UsageError("give exactly one of --article ID and --out-of-scope")
    settings = obj.settings()
    with _store(obj, must_exist=True) as store:
        bot = ready_bot(settings)
        found = {g.gap_id: g for g in live_gaps(bot, store, _when(since, "--since"), _when(until, "--until"),
                                                 top=500)}
        if gap_id not in found:
            raise click.ClickException(f"no gap {gap_id!r} in that period; run faqbot gaps to list them")
        kind = ChangeKind.OUT_OF_SCOPE if out_of_scope else ChangeKind.ADD_QUESTIONS
        change = KbChanges(store, settings, bot.encoder).propose(kind, found[gap_id].questions, by,
                                                                 article_id=article_id or "", gap_id=gap_id)
    click.echo(f"Proposed {change.change_id}: {len(change.questions)} questions; "
               f"review with: faqbot changes show {change.change_id}")


@changes.command("list")
@click.option("--status", type=click.Choice(["pending", "approved", "rejected"]), default=None)
@click.pass_obj
def changes_list(obj: Ctx, status: str | None) -> None:
    """List KB changes, newest first."""
    import datetime as dt

    with _store(obj, must_exist=True) as store:
        rows = store.kb_changes(status)
    for c in rows:
        when = dt.datetime.fromtimestamp(c.proposed_at, dt.UTC).strftime("%Y-%m-%d %H:%M")
        target = c.article_id or "out of scope"
        click.echo(f"{c.change_id}  {c.status:<8} {when}  {c.kind:<13} {target:<24} "
                   f"{len(c.questions):>3} questions  by {c.proposed_by}")
    click.echo(f"{len(rows)} changes.", err=True)


@changes.command("show")
@click.argument("change_id")
@click.pass_obj
def changes_show(obj: Ctx, change_id: str) -> None:
    """The diff a pending change would write (or the one an approved change wrote)."""
    from bot.kb_changes import KbChanges

    settings = obj.settings()
    with _store(obj, must_exist=True) as store:
        review = KbChanges(store, settings)
        change = review.get(change_id)
        diff = change.diff if change.status != "pending" else review.preview(change_id)
    click.echo(diff or "(nothing to write: the KB already has these questions)")


@changes.command("approve")
@click.argument("change_id")
@click.option("--by", default="cli", show_default=True, help="Who approves it (for the audit log).")
@click.pass_obj
def changes_approve(obj: Ctx, change_id: str, by: str) -> None:
    """Write the change into the KB's Markdown files and re-index what changed. A running
    `faqbot serve` picks the new index up on SIGHUP (the console's approval switches at once)."""
    from bot.kb_changes import KbChanges
    from indexer import make_encoder

    settings = obj.settings()
    with _store(obj, must_exist=True) as store:
        applied = KbChanges(store, settings, make_encoder(settings.encoder)).approve(change_id, by)
    click.echo(applied.change.diff)
    click.echo(f"Approved {change_id}: wrote {len(applied.files)} file(s), embedded "
               f"{applied.stats.n_embedded} texts; send SIGHUP to faqbot serve to switch to it.", err=True)


@changes.command("reject")
@click.argument("change_id")
@click.option("--by", default="cli", show_default=True)
@click.pass_obj
def changes_reject(obj: Ctx, change_id: str, by: str) -> None:
    """Reject a pending change; the KB is left as it is."""
    from bot.kb_changes import KbChanges

    settings = obj.settings()
    with _store(obj, must_exist=True) as store:
        KbChanges(store, settings).reject(change_id, by)
    click.echo(f"Rejected {change_id}.")


COMMANDS = (gaps, changes)
