"""Request ids, JSON access logs, Prometheus /metrics and /readyz on the real app and store."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bot import Bot
from bot.store import Store
from server.observe import JsonFormatter
from tests.server.apps import app_client


@pytest.fixture
def client(bot: Bot, store: Store) -> FlaskClient:
    return app_client(bot, store, log_format="json")


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one Prometheus sample in an exposition text (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            got = dict(part.split("=", 1) for part in
                       line[line.find("{") + 1:line.find("}")].split(",") if "=" in part)
            if all(got.get(k) == f'"{v}"' for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_request_ids_are_echoed_or_made(client: FlaskClient) -> None:
    r = client.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert r.headers["X-Request-Id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"}).headers["X-Request-Id"]
    assert len(made) == 32 and made != "bad id with spaces"


def test_metrics_count_requests_decisions_and_escalations(client: FlaskClient) -> None:
    client.post("/v1/answer", json={"question": "forgot my password"})
    client.post("/v1/answer", json={"question": "talk to a human please"})
    client.post("/v1/answer", json={"question": ""})
    text = client.get("/metrics").get_data(as_text=True)
    assert sample(text, "faqbot_http_requests_total", route="/v1/answer", status="200") == 2
    assert sample(text, "faqbot_http_requests_total", route="/v1/answer", status="400") == 1
    assert sample(text, "faqbot_decisions_total", decision="answered", language="en") == 1
    assert sample(text, "faqbot_escalations_total", reason="human_requested", queue="general") == 1
    assert sample(text, "faqbot_http_request_duration_seconds_count", route="/v1/answer") == 3
    assert sample(text, "faqbot_index_info") == 1
    assert sample(text, "faqbot_webhook_deliveries", status="pending") == 0
    assert "# TYPE faqbot_http_request_duration_seconds histogram" in text


def test_metrics_show_the_answer_cache(client: FlaskClient) -> None:
    for _ in range(3):
        client.post("/v1/answer", json={"question": "how long does a refund take"})
    text = client.get("/metrics").get_data(as_text=True)
    assert sample(text, "faqbot_answer_cache_entries") == 1
    assert sample(text, "faqbot_answer_cache_lookups", result="hit") == 2
    assert sample(text, "faqbot_answer_cache_lookups", result="miss") == 1


def test_readyz_follows_the_store(client: FlaskClient, store: Store) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200 and r.get_json()["status"] == "ready"
    store.close()
    Path(store.url.removeprefix("sqlite:///")).unlink()
    Path(store.url.removeprefix("sqlite:///")).mkdir()  # the database file is gone for good
    r = client.get("/readyz")
    assert r.status_code == 503 and r.get_json()["reason"] == "store"


def test_json_log_lines_carry_the_request_id(client: FlaskClient,
                                             caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="faqbot.access"):
        client.post("/v1/answer", json={"question": "my email is jane@example.com, forgot password"},
                    headers={"X-Request-Id": "req-42"})
    formatter = JsonFormatter()
    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "faqbot.access"]
    assert lines and lines[-1]["path"] == "/v1/answer" and lines[-1]["status"] == 200
    assert lines[-1]["request_id"] == "req-42" and lines[-1]["ms"] > 0
    assert all("jane@example.com" not in r.getMessage() for r in caplog.records)
