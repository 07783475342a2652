"""Run labelled queries through the bot's real decision code (`Bot.answer`, as the API does)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bot import Bot, ready_bot
from eval.metrics import Outcome
from eval.queries import LabeledQuery, resolve_expected
from indexer import build_index, make_encoder
from kb import Settings, load_kb
from kb.errors import RequestError

Progress = Callable[[int, int], None]


@contextmanager
def open_bot(settings: Settings, kb_path: str | Path | None, index_dir: str | Path | None,
             progress: Progress | None = None) -> Iterator[Bot]:
    """A bot over the index to evaluate.

    - neither: the configured index (`settings.index_dir`), as it is;
    - index only: that index as it is (e.g. the one being served);
    - KB only: a fresh index in a temporary folder, removed afterwards;
    - both: the index at `index_dir` is built or updated from the KB, so repeated evals of an
      edited KB only embed what changed.
    """
    if kb_path is None:
        yield ready_bot(settings, index_dir=index_dir)
        return
    encoder = make_encoder(settings.encoder)
    kb = load_kb(kb_path, settings.default_lang)
    with tempfile.TemporaryDirectory(prefix="faqbot-eval-") as tmp:
        out = Path(index_dir) if index_dir is not None else Path(tmp, "index")
        index, _ = build_index(kb, out, encoder, passage_budget=settings.passage_budget,
                               target_precision=settings.target_precision, progress=progress)
        yield Bot(index, encoder, settings)


def run_queries(bot: Bot, queries: Sequence[LabeledQuery],
                progress: Progress | None = None) -> list[Outcome]:
    """One Outcome per query, in order. The labelled language is passed as the request's `lang`
    hint, the way the widget passes the page language."""
    out = []
    queries = resolve_expected(queries, bot.kb)
    for n, q in enumerate(queries, 1):
        start = time.perf_counter()
        try:
            answer = bot.answer(q.text, q.lang)
        except RequestError as e:
            # A query the API would reject (e.g. over the length limit) is a broken test set.
            raise RequestError(f"query at line {q.line}: {e}") from None
        latency = (time.perf_counter() - start) * 1000
        ranked = tuple(dict.fromkeys(h.article_id for h in answer.hits))
        out.append(Outcome(
            query=q, language=q.lang or answer.language, decision=answer.decision,
            answered=answer.answer.article_id if answer.answer else None, ranked=ranked,
            confidence=answer.confidence, latency_ms=latency,
            suggestions=tuple(s.article_id for s in answer.suggestions), reason=answer.reason))
        if progress:
            progress(n, len(queries))
    return out
