"""`faqbot kb import` and `faqbot kb sync`: bring in a help center a team already has."""

from __future__ import annotations

import inspect
from typing import Any

import click

from cli.context import Ctx, progress

SOURCE_HELP = """SOURCE is zendesk:SUBDOMAIN, freshdesk:DOMAIN, intercom:, an https:// help-center
URL to crawl, or a folder or .zip of exported HTML pages. Credentials come from the settings file
or FAQBOT_* variables (zendesk_email + zendesk_token, freshdesk_api_key, intercom_token), never
from the command line."""


def _run(obj: Ctx, source: str, out: str, first: bool, check_language: bool) -> None:
    from kb.sources import import_source, open_source

    settings = obj.settings()
    src = open_source(source, settings)
    report = import_source(src, out, first=first, default_lang=settings.default_lang,
                           detector=_detector if check_language else None,
                           progress=progress("Reading " + src.name))
    for line in (*report.failures, *report.mismatches, *report.notes):
        click.echo(line, err=True)
    if report.skipped:
        click.echo("skipped: " + ", ".join(f"{n} {why}" for why, n in sorted(report.skipped.items())),
                   err=True)
    click.echo(report.summary() + (f" ({report.unchanged} unchanged)" if report.unchanged else ""))


def _detector(langs: list[str]) -> Any:
    from bot.language import LanguageDetector

    detector = LanguageDetector(langs, langs[0])
    return lambda text: detector.detect(text).lang


@click.command("import")
@click.argument("source")
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="Folder to write the Markdown articles into (created; one file per article and language).")
@click.option("--check-language/--no-check-language", default=True, show_default=True,
              help="Report articles whose text reads as another language than the source says.")
@click.pass_obj
def import_(obj: Ctx, source: str, out: str, check_language: bool) -> None:
    """Import a help center into a folder of Markdown articles (`faqbot index` reads it): one file
    per article and language, with source, source_id, url and updated in the front matter. Drafts
    and unpublished articles are skipped; if anything fails, the folder is left as it was.
    """
    _run(obj, source, out, True, check_language)


@click.command("sync")
@click.argument("source")
@click.option("--out", type=click.Path(file_okay=False), required=True,
              help="The folder an earlier `faqbot kb import SOURCE` wrote.")
@click.option("--check-language/--no-check-language", default=True, show_default=True,
              help="Report articles whose text reads as another language than the source says.")
@click.pass_obj
def sync(obj: Ctx, source: str, out: str, check_language: bool) -> None:
    """Bring an imported folder up to date: only changed articles are rewritten (the next
    `faqbot index` embeds only those), removed or unpublished ones are deleted, and what writers
    added (questions:, tags:, out-of-scope files, their own articles) is kept.
    """
    _run(obj, source, out, False, check_language)


for _command in (import_, sync):
    _command.help = f"{inspect.cleandoc(_command.help or '')}\n\n{SOURCE_HELP}"
COMMANDS = (import_, sync)
