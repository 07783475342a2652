"""WSGI entry point with a hot-swappable index: `gunicorn -c server/gunicorn.conf.py server.wsgi:app`.

`ReloadingApp` wraps the Flask app of `api.create_app`. `reload()` opens the index that
`settings.index_dir` points at now (`faqbot index` swaps that symlink atomically), checks it —
manifest, encoder, file sizes, one real question through the new bot — and only then swaps the
app the next request sees. A request already running finishes on the app it started with; an
index that fails any check is refused with a logged error and the old one keeps serving.

SIGHUP asks for a reload: `install_sighup()` for a single process (the waitress server
`faqbot serve` runs), and server/gunicorn.conf.py forwards the master's SIGHUP to every worker.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any

from flask import Flask

from api import create_app
from bot import ready_bot
from bot.store import Store, open_store
from indexer import Encoder, make_encoder
from kb.errors import FaqbotError, IndexUnavailableError
from kb.settings import Settings, load_settings
from server.console.insights_kb import RELOAD
from server.context import EXTENSION, Services

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]


class ReloadingApp:
    """A WSGI app whose index can be replaced while it serves."""

    def __init__(self, settings: Settings, store: Store | None = None,
                 encoder: Encoder | None = None) -> None:
        self.settings = settings
        # The encoder (the model) and the store outlive every index swap.
        self.encoder = encoder or make_encoder(settings.encoder, settings.encoder_threads)
        self.store = store or open_store(settings.store_url)
        self._lock = threading.Lock()  # one reload at a time
        # Tells the other processes serving this deployment to reload too (gunicorn's workers:
        # server/gunicorn.conf.py sets it to a SIGHUP to the master, which forwards it to all).
        self.peers: Callable[[], object] | None = None
        self._app: Flask = self._build()  # no fallback at start: a bad index is fatal here

    @property
    def flask(self) -> Flask:
        return self._app

    @property
    def version(self) -> str:
        services: Services = self._app.extensions[EXTENSION]
        return services.bot.index.version

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        # One attribute read: a swap between two requests is atomic for each of them.
        app = self._app
        return app(environ, start_response)

    def _build(self) -> Flask:
        bot = ready_bot(self.settings, encoder=self.encoder)
        index = bot.index
        # Touch every part of the new index (vectors, BM25, classifier) before it serves anyone:
        # a file that parses but is broken fails here instead of in a customer's request.
        probe = next((u.text for u in index.units if u.kind in ("question", "title")), index.units[0].text)
        try:
            bot.answer(probe[: self.settings.max_question_chars])
            bot.search(probe[: self.settings.max_question_chars], None, 1)
        except Exception as e:  # noqa: BLE001 - whatever breaks on a probe would break for customers
            raise IndexUnavailableError(f"{index.path}: a probe question failed "
                                        f"({type(e).__name__}: {e})") from None
        app = create_app(self.settings, bot=bot, store=self.store)
        # The console's KB approvals (server/console/insights_kb.py) switch to the new index at once.
        app.extensions[RELOAD] = self.reload_everywhere
        return app

    def reload_everywhere(self) -> bool:
        """`reload()` here, then ask every other worker of the deployment to do the same."""
        reloaded = self.reload()
        if reloaded and self.peers is not None:
            self.peers()
        return reloaded

    def reload(self) -> bool:
        """Serve the index `settings.index_dir` points at now; False (logged) if it was refused
        or is the one already serving."""
        with self._lock:
            old = self.version
            target = Path(self.settings.index_dir).resolve()
            started = time.perf_counter()
            try:
                app = self._build()
            except (FaqbotError, OSError) as e:
                log.error("reload refused, still serving index %s: %s", old, e)
                return False
            new: str = app.extensions[EXTENSION].bot.index.version
            if new == old:
                log.info("reload: %s is already serving", new)
                return False
            self._app = app
            log.info("reload: now serving index %s from %s (was %s, loaded in %.2f s)",
                     new, target, old, time.perf_counter() - started)
            return True

    def reload_in_background(self) -> threading.Thread:
        """Start `reload()` on its own thread (signal handlers must return quickly)."""
        thread = threading.Thread(target=self.reload, name="faqbot-reload", daemon=True)
        thread.start()
        return thread

    def install_sighup(self) -> None:
        """Reload on SIGHUP (call from the main thread)."""
        def _on_hup(signum: int, frame: FrameType | None) -> None:
            log.info("SIGHUP: reloading the index")
            self.reload_in_background()

        signal.signal(signal.SIGHUP, _on_hup)


def serve(settings: Settings) -> None:
    """What `faqbot serve` does, plus reload on SIGHUP: waitress, and the delivery worker."""
    import waitress

    from bot.delivery import start_background

    app = ReloadingApp(settings)
    app.install_sighup()
    # Escalations reach the help desks from a background worker, so no request waits on them.
    _, stop = start_background(app.store, settings)
    # Replies on the messaging channels (bot/channels) leave from their outbox the same way.
    from bot.channels import adapters
    from bot.channels.outbox import start_background as start_channels
    _, stop_channels = start_channels(app.store, settings, adapters(settings))
    # email_after_minutes: agent replies the customer has not seen are e-mailed (bot/followup.py).
    from bot.followup import start_background as start_followups
    from bot.sessions import session_tokens
    stop_followups = start_followups(app.store, settings, session_tokens(settings, app.store), time.time)
    # sync_every: the help center is synced into kb_path, re-indexed and reloaded on a schedule.
    from bot.kb_sync import start_sync
    sync = start_sync(settings, app.encoder, app.reload) if settings.sync_every else None
    log.info("faqbot serving %s on http://%s:%d", settings.index_dir, settings.host, settings.port)
    _allow_open_files(settings.connection_limit + 256)
    try:
        # Half-open connections (slowloris) cost waitress a socket, never a thread: with poll()
        # instead of select() (no 1,024-descriptor ceiling) and room for many, one client cannot
        # fill the server; idle ones are closed after idle_timeout_seconds. X-Forwarded-For is left
        # to ProxyFix (trusted_proxies), the same under gunicorn, so waitress must not strip it.
        waitress.serve(app, host=settings.host, port=settings.port, threads=settings.threads,
                       ident="faqbot", asyncore_use_poll=True,
                       connection_limit=settings.connection_limit,
                       channel_timeout=settings.idle_timeout_seconds,
                       clear_untrusted_proxy_headers=False)
    finally:
        stop.set()
        stop_channels.set()
        if stop_followups is not None:
            stop_followups.set()
        if sync is not None:
            sync.stop()


def _allow_open_files(wanted: int) -> None:
    """Raise this process's soft limit on open files towards `wanted` (never above the hard limit)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < wanted:
        log.warning("open files are limited to %d: fewer than connection_limit allows", target)


def __getattr__(name: str) -> Any:
    # `server.wsgi:app` is built when gunicorn asks for it (once per worker, after the fork), never
    # on a plain import: tests and `faqbot serve` import this module for ReloadingApp alone.
    if name == "app":
        return ReloadingApp(load_settings(missing_ok=True))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
