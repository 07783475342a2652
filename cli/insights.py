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


COMMANDS = (gaps,)
