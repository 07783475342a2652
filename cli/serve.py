"""`faqbot serve` and `faqbot ask`: the bot itself, over HTTP or once from the shell."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from cli.context import Ctx


@click.command()
@click.argument("question")
@click.option("--lang", default=None, help="The customer's language, if known (e.g. th, zh-TW).")
@click.option("--index", "index_dir", type=click.Path(file_okay=False), default=None,
              help="Index directory (default: settings.index_dir).")
@click.option("--json", "as_json", is_flag=True, help="Print the full decision as JSON.")
@click.pass_obj
def ask(obj: Ctx, question: str, lang: str | None, index_dir: str | None, as_json: bool) -> None:
    """Ask the bot QUESTION and print its decision."""
    from bot import ready_bot

    result = ready_bot(obj.settings(index_dir=index_dir)).answer(question, lang)
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


@click.command()
@click.option("--index", "index_dir", type=click.Path(file_okay=False), default=None,
              help="Index directory (default: settings.index_dir).")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@click.option("--dev", is_flag=True,
              help="For trying faqbot out: any page may embed the widget (cors_origins = *) and logs "
                   "are plain text. Never in production.")
@click.pass_obj
def serve(obj: Ctx, index_dir: str | None, host: str | None, port: int | None, dev: bool) -> None:
    """Serve the API, the widget and the demo store with a production WSGI server (waitress);
    `kill -HUP <pid>` after `faqbot index` switches to the new index without dropping a request."""
    from server.wsgi import serve as serve_reloading

    extra: dict[str, Any] = {"cors_origins": ("*",), "log_format": "text"} if dev else {}
    settings = obj.settings(index_dir=index_dir, host=host, port=port, **extra)
    if not Path(settings.index_dir, "manifest.json").exists():
        raise click.ClickException(f"no index at {settings.index_dir}: run `faqbot index` first")
    click.echo(f"faqbot serving {settings.index_dir} on http://{settings.host}:{settings.port}",
               err=True)
    serve_reloading(settings)


COMMANDS = (ask, serve)
