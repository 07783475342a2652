"""gunicorn settings for faqbot: `gunicorn -c server/gunicorn.conf.py server.wsgi:app`.

Address, workers, threads and everything else come from faqbot's Settings (faqbot.toml /
FAQBOT_*: `workers`, default 2). Each worker opens the index
memory-mapped (indexer/store.py), so the vectors and weights sit once in the page cache for all.

- SIGHUP to the master reloads the index in every worker (wsgi.ReloadingApp): the new index is
  checked first and refused, with a logged error, if it is corrupt; no worker restarts, no request
  fails. gunicorn's own HUP (re-read this file, replace every worker) would kill the deployment
  when the new index is bad: a worker that cannot boot makes the gunicorn master exit.
- The delivery worker (escalations → help-desk webhooks) must run once per deployment, not once
  per worker: the master starts one `faqbot deliver` process when it is ready and stops it on exit.
  It is a process, not a thread in the master, because the master forks workers for its whole
  life and a fork taken while a thread holds a lock inside SQLite or OpenSSL can deadlock the
  child. Set `delivery_in_master = false` when `faqbot deliver` runs elsewhere (several hosts).
- `metrics_dir` turns on Prometheus' multi-process mode: /metrics then sums every worker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from typing import Any

from kb.settings import load_settings

_settings = load_settings(missing_ok=True)

bind = f"{_settings.host}:{_settings.port}"
workers = _settings.workers
if _settings.metrics_dir:
    # prometheus_client picks its multi-process value files at import time, in each worker.
    os.makedirs(_settings.metrics_dir, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _settings.metrics_dir
worker_class = "gthread"
threads = _settings.threads
# Each worker loads its own (memory-mapped) index after the fork: nothing with OpenMP threads or
# open SQLite connections is ever forked, and a reload in one worker does not unshare the rest.
preload_app = False
timeout = 60
graceful_timeout = 30
keepalive = 5
proc_name = "faqbot"
# Control commands are not used; one shared socket path in $HOME would clash between deployments.
control_socket_disable = True
accesslog = None
loglevel = _settings.log_level.lower()


def _die_with_parent() -> None:
    # A master that halts (e.g. a worker failed to boot) skips on_exit: the kernel then ends the
    # delivery process with it, instead of leaving an orphan behind.
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def when_ready(server: Any) -> None:
    """Master is up: take over SIGHUP and start the one delivery process."""
    def handle_hup() -> None:
        server.log.info("SIGHUP: reloading the index in %d worker(s)", len(server.WORKERS))
        for pid in list(server.WORKERS):
            # A worker that exited since is replaced by one that loads the current index anyway.
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGHUP)

    # The arbiter dispatches queued signals to `handle_<name>` looked up on the instance.
    server.handle_hup = handle_hup
    if _settings.delivery_in_master:
        server.faqbot_deliver = subprocess.Popen([sys.executable, "-m", "cli", "deliver"],
                                                 preexec_fn=_die_with_parent)  # noqa: PLW1509
        server.log.info("delivery worker started (pid %d)", server.faqbot_deliver.pid)


def post_worker_init(worker: Any) -> None:
    """Worker has loaded server.wsgi:app: let SIGHUP (forwarded by the master) reload its index."""
    worker.wsgi.install_sighup()
    # A console KB approval reloads the worker that served it, then every worker via the master.
    worker.wsgi.peers = lambda: os.kill(os.getppid(), signal.SIGHUP)


def on_exit(server: Any) -> None:
    proc: subprocess.Popen[bytes] | None = getattr(server, "faqbot_deliver", None)
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=graceful_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
