"""What an outside probe checks first: security headers, CORS, /metrics, file permissions, logs."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bot import Bot
from bot.store import Store, open_store
from tests.server.apps import app_client


@pytest.mark.parametrize("path", ["/", "/static/store.html"])
def test_html_pages_allow_no_inline_script_and_no_foreign_framing(client: FlaskClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "text/html"
    policy = dict(part.strip().split(" ", 1) for part in r.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'self'" and policy["object-src"] == "'none'"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert b"<script>" not in r.data  # the page itself has no inline script left to block


def test_frame_ancestors_come_from_settings(bot: Bot, store: Store) -> None:
    client = app_client(bot, store, frame_ancestors=("https://shop.example",))
    assert "frame-ancestors https://shop.example" in client.get("/").headers["Content-Security-Policy"]


def test_json_is_never_sniffed(client: FlaskClient) -> None:
    r = client.get("/healthz")
    assert r.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" not in r.headers


def _allowed(client: FlaskClient, path: str, origin: str, method: str = "options") -> str | None:
    r = getattr(client, method)(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    return r.headers.get("Access-Control-Allow-Origin")


def test_no_origin_is_allowed_by_default(client: FlaskClient) -> None:
    assert _allowed(client, "/v1/answer", "https://shop.example") is None
    assert _allowed(client, "/v1/answer", "null") is None


def test_configured_origins_only(bot: Bot, store: Store) -> None:
    client = app_client(bot, store, cors_origins=("https://shop.example",))
    assert _allowed(client, "/v1/answer", "https://shop.example") == "https://shop.example"
    assert _allowed(client, "/v1/answer", "https://evil.example") is None
    assert _allowed(client, "/v1/answer", "null") is None


@pytest.mark.parametrize("path", ["/v1/agent/escalations", "/v1/analytics"])
def test_agent_routes_never_get_cors_even_with_a_wildcard(bot: Bot, store: Store, path: str) -> None:
    client = app_client(bot, store, cors_origins=("*",))
    assert _allowed(client, "/v1/answer", "https://anywhere.example") == "https://anywhere.example"
    assert _allowed(client, path, "https://anywhere.example") is None
    assert _allowed(client, path, "https://anywhere.example", "get") is None


def test_metrics_answer_only_this_machine_without_a_key(client: FlaskClient) -> None:
    assert client.get("/metrics").status_code == 200
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert remote.status_code == 403 and remote.get_json()["error"]["code"] == "forbidden"


def test_metrics_key(bot: Bot, store: Store) -> None:
    client = app_client(bot, store, metrics_key="scrape-secret-123")
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-123"},
                    environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert ok.status_code == 200 and b"faqbot_http_requests" in ok.data


def test_the_database_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/sub/faqbot.db")
    try:
        from bot.keys import create_key

        create_key(store, "agent", "Ann")  # a write: the WAL files exist now too
        for name in ("faqbot.db", "faqbot.db-wal", "faqbot.db-shm"):
            mode = stat.S_IMODE((tmp_path / "sub" / name).stat().st_mode)
            assert mode == 0o600, (name, oct(mode))
    finally:
        store.close()


def test_each_log_line_is_written_once(bot: Bot, store: Store) -> None:
    root = logging.getLogger()
    saved = list(root.handlers)
    try:
        logging.basicConfig(force=True)  # what the CLI does before `faqbot serve` builds the app
        app_client(bot, store)
        streams = [h for h in root.handlers if isinstance(h, logging.StreamHandler)
                   and type(h).__module__ == "logging"]
        assert len(streams) == 1 and streams[0].get_name() == "faqbot"
    finally:
        root.handlers[:] = saved
