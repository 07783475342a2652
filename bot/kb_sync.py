"""`faqbot serve` with `sync_every`: sync the help center into the KB folder on a schedule, index
what changed (only changed texts are embedded) and switch the server to the new index."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from indexer import Encoder, build_index
from kb import Settings, load_kb
from kb.sources import Scheduler, SyncReport, import_source, open_source

log = logging.getLogger(__name__)


def sync_and_reindex(settings: Settings, encoder: Encoder, reload: Callable[[], object]) -> SyncReport:
    """One sync of `settings.sync_source` into `settings.kb_path`; re-index and `reload()` if any
    article changed. Errors (the help center down, a bad token) propagate to the caller."""
    report = import_source(open_source(settings.sync_source, settings), settings.kb_path, first=False,
                           default_lang=settings.default_lang)
    log.info("sync %s into %s: %s", report.source, settings.kb_path, report.summary())
    for failure in report.failures:
        log.warning("sync: %s", failure)
    if report.changed:
        kb = load_kb(settings.kb_path, settings.default_lang)
        _, stats = build_index(kb, settings.index_dir, encoder, passage_budget=settings.passage_budget)
        log.info("sync: indexed %d article versions, %d texts embedded", stats.n_articles, stats.n_embedded)
        reload()
    return report


def start_sync(settings: Settings, encoder: Encoder, reload: Callable[[], object], *,
               clock: Callable[[], float] = time.monotonic) -> Scheduler:
    """Run `sync_and_reindex` every `settings.sync_every` seconds on a background thread."""
    scheduler = Scheduler(settings.sync_every, lambda: sync_and_reindex(settings, encoder, reload),
                          clock=clock)
    scheduler.start()
    log.info("syncing %s into %s every %d s", settings.sync_source, settings.kb_path, settings.sync_every)
    return scheduler
