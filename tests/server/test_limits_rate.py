"""Per-client rate limits on the public endpoints; API keys are exempt; bad keys are refused."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from bot import Bot
from bot.keys import create_key
from bot.store import Store
from server.limits import TokenBuckets
from tests.server.apps import app_client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_token_bucket_refills_at_the_rate() -> None:
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1.0)
    assert buckets.take("b") == 0.0  # clients do not share a bucket
    clock.now += 1.0
    assert buckets.take("a") == 0.0 and buckets.take("a") > 0


@pytest.mark.parametrize(("per_minute", "burst"), [(0, 1), (10, 0)])
def test_bad_bucket_sizes(per_minute: int, burst: int) -> None:
    with pytest.raises(ValueError, match="rate limit needs"):
        TokenBuckets(per_minute, burst)




@pytest.fixture
def client(bot: Bot, store: Store) -> FlaskClient:
    return app_client(bot, store, rate_limit_per_minute=6, rate_limit_burst=3)


def test_public_endpoints_are_limited_per_client(client: FlaskClient, store: Store) -> None:
    statuses = [client.post("/v1/search", json={"query": "refund"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.post("/v1/search", json={"query": "refund"})
    assert limited.get_json()["error"]["code"] == "rate_limited" and int(limited.headers["Retry-After"]) >= 1
    other = client.post("/v1/search", json={"query": "refund"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
    assert client.get("/healthz").status_code == 200  # not a public /v1/ endpoint
    _, secret = create_key(store, "helpdesk", "zendesk")
    keyed = [client.post("/v1/search", json={"query": "refund"},
                         headers={"Authorization": f"Bearer {secret}"}).status_code for _ in range(5)]
    assert keyed == [200] * 5
    bad = client.post("/v1/search", json={"query": "refund"}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
