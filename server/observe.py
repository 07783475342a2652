"""Observability of the HTTP edge: request ids, JSON logs, Prometheus `/metrics`, `/readyz`.

Metrics live in a registry owned by the app (no module-level state). Under gunicorn with several
workers, set `metrics_dir` and every worker's samples are summed at scrape time.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, jsonify, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from bot import Bot
from bot.desk import Reply
from bot.store import Store
from kb.errors import AuthError, ForbiddenError
from kb.settings import Settings

log = logging.getLogger(__name__)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0)


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with the request id when logged inside a request."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": round(record.created, 3), "level": record.levelname.lower(),
            "logger": record.name, "message": record.getMessage()}
        if has_request_context() and "request_id" in g:
            out["request_id"] = g.request_id
        for key in ("request_id", "method", "path", "status", "ms"):
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: str, fmt: str) -> None:
    """Root logging for the server process: JSON lines (production) or plain text."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.set_name("faqbot")
    root = logging.getLogger()
    # One handler writes each line once, in the configured format: ours replaces an earlier one
    # (an app created twice: tests, reloads) and the CLI's plain stderr handler (basicConfig);
    # handlers of other kinds (files, test capture) stay.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "faqbot"
                        and type(h) is not logging.StreamHandler] + [handler]
    root.setLevel(level)


class _StoreCollector(Collector):
    """Webhook delivery totals read from the store at scrape time (the worker may be elsewhere)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collect(self) -> Any:
        try:
            counts = self.store.delivery_counts()
        except Exception:  # a scrape must not fail because the database blinked
            log.warning("could not read delivery counts for /metrics")
            return
        family = GaugeMetricFamily("faqbot_webhook_deliveries", "Webhook deliveries by status",
                                   labels=["status"])
        for status in ("pending", "delivered", "dead"):
            family.add_metric([status], counts.get(status, 0))
        yield family
        yield GaugeMetricFamily("faqbot_webhook_attempts", "Webhook delivery attempts made",
                                value=counts.get("attempts", 0))
        try:
            sends = self.store.channel_send_counts()
        except Exception:
            log.warning("could not read channel send counts for /metrics")
            return
        channels = GaugeMetricFamily("faqbot_channel_sends", "Replies on messaging channels (bot/channels) "
                                     "by channel and status", labels=["channel", "status"])
        for (channel, status), n in sorted(sends.items()):
            channels.add_metric([channel, status], n)
        yield channels


class _CacheCollector(Collector):
    """The answer cache's size and hit counts, read at scrape time (bot/answer_cache.py)."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def collect(self) -> Any:
        stats = self.bot.cache.stats()
        yield GaugeMetricFamily("faqbot_answer_cache_entries", "Rankings in the answer cache",
                                value=stats.size)
        family = GaugeMetricFamily("faqbot_answer_cache_lookups", "Answer cache lookups since the "
                                   "index was loaded", labels=["result"])
        family.add_metric(["hit"], stats.hits)
        family.add_metric(["miss"], stats.misses)
        yield family


def _may_scrape(settings: Settings) -> None:
    """/metrics: with `metrics_key`, its bearer token (compared in constant time); without, only a
    scraper on this machine (metrics name routes, volumes and index versions)."""
    if settings.metrics_key:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), settings.metrics_key.encode()):
            raise AuthError("/metrics needs 'Authorization: Bearer <metrics_key>'")
    elif request.remote_addr not in ("127.0.0.1", "::1"):
        raise ForbiddenError("/metrics answers only this machine unless metrics_key is set")


def count(reply: Reply) -> None:
    """Have this request's bot decision (and any new escalation) counted in /metrics."""
    g.reply = reply


def install(app: Flask, settings: Settings, bot: Bot, store: Store) -> None:
    """Request ids, an access log line per request, `/metrics` and `/readyz` on `app`."""
    registry = CollectorRegistry()
    if settings.metrics_dir:
        from prometheus_client import multiprocess

        # server/gunicorn.conf.py hands the folder to prometheus_client before the workers start.
        multiprocess.MultiProcessCollector(registry, path=settings.metrics_dir)
    requests_total = Counter("faqbot_http_requests", "HTTP requests", ["method", "route", "status"],
                             registry=registry)
    latency = Histogram("faqbot_http_request_duration_seconds", "HTTP request latency", ["route"],
                        buckets=_BUCKETS, registry=registry)
    decisions = Counter("faqbot_decisions", "Bot decisions", ["decision", "language", "reason"],
                        registry=registry)
    escalations = Counter("faqbot_escalations", "Escalations created", ["reason", "queue"],
                          registry=registry)
    index_info = Gauge("faqbot_index_info", "The index being served", ["version", "encoder"],
                       registry=registry, multiprocess_mode="max")
    index_info.labels(bot.index.version, bot.index.encoder_name).set(1)
    registry.register(_StoreCollector(store))
    registry.register(_CacheCollector(bot))
    access = logging.getLogger("faqbot.access")

    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        response.headers["X-Request-Id"] = g.get("request_id", "")
        # The server's own time (W3C Server-Timing), read by eval/load.py and browsers' dev tools.
        response.headers["Server-Timing"] = f"app;dur={elapsed * 1000:.2f}"
        route = request.url_rule.rule if request.url_rule else "unmatched"
        requests_total.labels(request.method, route, str(response.status_code)).inc()
        latency.labels(route).observe(elapsed)
        reply: Reply | None = g.get("reply")
        if reply is not None:
            decisions.labels(reply.decision, reply.language, reply.reason).inc()
            if reply.decision == "escalated" and reply.escalation is not None:
                escalations.labels(reply.escalation.reason, reply.escalation.queue).inc()
        access.info("%s %s %s", request.method, route, response.status_code,
                    extra={"request_id": g.get("request_id"), "method": request.method, "path": route,
                           "status": response.status_code, "ms": round(elapsed * 1000, 2)})
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        _may_scrape(settings)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        """Ready when the index is loaded and the store answers."""
        try:
            store.session("readyz-probe")
        except Exception as e:  # any store failure means: do not send traffic here
            log.warning("not ready: store unavailable (%s)", type(e).__name__)
            return jsonify(status="unavailable", reason="store"), 503
        return jsonify(status="ready", index_version=bot.index.version), 200
