"""Per-client rate limits on the public endpoints: API keys are exempt, bad keys are refused, the
client behind trusted proxies is the rightmost X-Forwarded-For entry no trusted proxy wrote, and
counts in Redis hold across processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from bot import Bot
from bot.keys import create_key
from bot.store import Store
from kb.errors import SettingsError
from server.limits import RateLimits
from tests.processes import redis_server
from tests.server.apps import app_client

PROXY, PROXY_2 = "10.0.0.2", "10.0.0.3"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.mark.parametrize("storage", ["memory://", "redis"])
def test_a_client_gets_its_burst_then_waits(storage: str, redis_url: str) -> None:
    limits = RateLimits(per_minute=60, burst=3, storage_url=redis_url if storage == "redis" else storage)
    client = f"203.0.113.{id(limits) % 250}"
    assert [limits.take(client) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert 0 < limits.take(client) <= 3  # 3 in the 3 s the steady rate takes to earn them
    assert limits.take(client + "1") == 0.0  # clients do not share a bucket


def test_two_limiters_on_one_redis_share_the_count(redis_url: str) -> None:
    # Two gunicorn workers (or replicas): L admitted in all, not L each.
    a, b = (RateLimits(per_minute=60, burst=4, storage_url=redis_url) for _ in range(2))
    admitted = [(a if i % 2 else b).take("198.51.100.77") == 0 for i in range(8)]
    assert sum(admitted) == 4


@pytest.mark.parametrize(("per_minute", "burst", "storage", "error"), [
    (0, 1, "memory://", ValueError), (10, 0, "memory://", ValueError),
    (10, 1, "carrier-pigeon://x", SettingsError)])
def test_bad_limits(per_minute: int, burst: int, storage: str, error: type[Exception]) -> None:
    with pytest.raises(error, match="rate limit needs|rate_limit_storage"):
        RateLimits(per_minute, burst, storage)


def _search(client: FlaskClient, **kwargs: object) -> int:
    return client.post("/v1/search", json={"query": "refund"}, **kwargs).status_code  # type: ignore[arg-type]


def test_public_endpoints_are_limited_per_client(bot: Bot, store: Store) -> None:
    client = app_client(bot, store, rate_limit_per_minute=6, rate_limit_burst=3)
    assert [_search(client) for _ in range(4)] == [200, 200, 200, 429]
    limited = client.post("/v1/search", json={"query": "refund"})
    assert limited.get_json()["error"]["code"] == "rate_limited" and int(limited.headers["Retry-After"]) >= 1
    assert _search(client, environ_base={"REMOTE_ADDR": "10.0.0.9"}) == 200
    assert client.get("/healthz").status_code == 200  # not a public /v1/ endpoint
    _, secret = create_key(store, "helpdesk", "zendesk")
    assert [_search(client, headers={"Authorization": f"Bearer {secret}"}) for _ in range(5)] == [200] * 5
    assert _search(client, headers={"Authorization": "Bearer nope"}) == 401


def _via(client: FlaskClient, xff: str, peer: str = PROXY) -> int:
    return _search(client, headers={"X-Forwarded-For": xff}, environ_base={"REMOTE_ADDR": peer})


def test_customers_behind_one_proxy_do_not_share_a_bucket(bot: Bot, store: Store) -> None:
    client = app_client(bot, store, rate_limit_per_minute=6, rate_limit_burst=3, trusted_proxies=1)
    assert [_via(client, f"198.51.100.{i}") for i in range(12)] == [200] * 12


@pytest.mark.parametrize(("proxies", "spoofed", "peer"), [
    (1, "198.51.100.{i}, 203.0.113.7", PROXY),  # the one proxy appended the real client
    (2, "198.51.100.{i}, 203.0.113.7, 10.0.0.2", PROXY_2),  # two proxies, each appending
])
def test_rotating_x_forwarded_for_does_not_bypass_the_limit(bot: Bot, store: Store, proxies: int,
                                                            spoofed: str, peer: str) -> None:
    client = app_client(bot, store, rate_limit_per_minute=6, rate_limit_burst=3, trusted_proxies=proxies)
    assert [_via(client, spoofed.format(i=i), peer) for i in range(5)] == [200, 200, 200, 429, 429]


def test_without_trusted_proxies_x_forwarded_for_is_ignored(bot: Bot, store: Store) -> None:
    client = app_client(bot, store, rate_limit_per_minute=6, rate_limit_burst=3)
    assert [_via(client, f"198.51.100.{i}") for i in range(4)] == [200, 200, 200, 429]


def test_a_redis_outage_admits_rather_than_locking_everyone_out(bot: Bot, store: Store,
                                                                 tmp_path: Path) -> None:
    from tests.processes import free_port

    client = app_client(bot, store, rate_limit_per_minute=6, rate_limit_burst=3,
                        rate_limit_storage=f"redis://127.0.0.1:{free_port()}")
    assert [_search(client) for _ in range(5)] == [200] * 5
