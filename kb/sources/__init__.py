"""Bring in a help center a team already has: Zendesk Guide, Freshdesk Solutions, Intercom
Articles, any public help-center website, or a folder/.zip of exported HTML pages, written as the
Markdown KB folder faqbot reads (`import_source`), and kept in sync with it."""

from __future__ import annotations

from pathlib import Path

from kb.errors import KBError
from kb.settings import Settings
from kb.sources.base import Failure, Fetched, Source, SourceDoc
from kb.sources.http import HttpClient, SourceError
from kb.sources.schedule import Scheduler
from kb.sources.sync import STATE_FILE, SyncReport, import_source, read_state

KINDS = "zendesk:SUBDOMAIN, freshdesk:DOMAIN, intercom:, https://… or a folder/.zip of HTML pages"


def open_source(spec: str, settings: Settings) -> Source:
    """The source SOURCE names (see KINDS); credentials come from `settings` only."""
    spec = spec.strip()
    kind, sep, rest = spec.partition(":")
    if spec.startswith(("http://", "https://")):
        from kb.sources.crawl import Crawl

        return Crawl(spec, settings)
    if sep and kind == "zendesk":
        from kb.sources.zendesk import Zendesk

        return Zendesk(rest, settings)
    if sep and kind == "freshdesk":
        from kb.sources.freshdesk import Freshdesk

        return Freshdesk(rest, settings)
    if sep and kind == "intercom":
        from kb.sources.intercom import Intercom

        return Intercom(rest, settings)
    if Path(spec).exists():
        from kb.sources.export import Export

        return Export(spec, settings)
    raise KBError(f"unknown source {spec!r}: use {KINDS}")


__all__ = ["KINDS", "STATE_FILE", "Failure", "Fetched", "HttpClient", "Scheduler", "Source", "SourceDoc",
           "SourceError", "SyncReport", "import_source", "open_source", "read_state"]
