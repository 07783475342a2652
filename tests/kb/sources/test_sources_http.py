"""The importers' HTTP client against a local server: backoff, Retry-After, limits, errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kb.sources.base import source_languages, tags_of
from kb.sources.http import HttpClient, SourceError


@pytest.fixture()
def flaky() -> Iterator[tuple[str, list[int]]]:
    """Answers each request with the next status of `statuses` (then 200)."""
    statuses: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            status = statuses.pop(0) if statuses else 200
            self.send_response(status)
            if status == 429:
                self.send_header("Retry-After", self.path.strip("/") or "1")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", statuses
    httpd.shutdown()
    httpd.server_close()


def client(waits: list[float], **kw: object) -> HttpClient:
    return HttpClient("Zendesk", "acme", sleep=waits.append, **kw)  # type: ignore[arg-type]


def test_5xx_are_retried_with_growing_jittered_backoff(flaky: tuple[str, list[int]]) -> None:
    base, statuses = flaky
    statuses.extend([503, 502, 500])
    waits: list[float] = []
    assert client(waits).get_json(base + "/") == {"ok": True}
    assert len(waits) == 3 and waits[0] < waits[1] < waits[2]
    assert all(0.8 * 0.5 * 2 ** i <= w <= 1.2 * 0.5 * 2 ** i for i, w in enumerate(waits))


def test_retry_after_is_honoured_up_to_a_limit(flaky: tuple[str, list[int]]) -> None:
    base, statuses = flaky
    statuses.append(429)
    waits: list[float] = []
    client(waits).get(base + "/7")
    assert waits == [7.0]
    statuses.append(429)
    with pytest.raises(SourceError, match=r"Zendesk asked to wait 3600 s \(Retry-After\) .*try again later"):
        client([], max_wait=60).get(base + "/3600")


def test_errors_after_the_last_retry_are_one_line(flaky: tuple[str, list[int]]) -> None:
    base, statuses = flaky
    statuses.extend([500, 500])
    with pytest.raises(SourceError, match=f"^Zendesk answered 500 for {base}/x$"):
        client([], retries=1).get(base + "/x")
    statuses.append(403)
    with pytest.raises(SourceError, match="^Zendesk rejected the token for acme: 403$"):
        client([]).get(base + "/")
    statuses.append(404)
    assert client([]).get(base + "/", ok=frozenset({404})).status_code == 404


def test_requests_are_spaced_by_the_minimum_interval(flaky: tuple[str, list[int]]) -> None:
    base, _ = flaky
    now = [0.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    http = HttpClient("the website", "site", min_interval=1.5, sleep=sleep, clock=lambda: now[0])
    for _ in range(3):
        http.get(base + "/")
        now[0] += 0.5  # the page took half a second to process
    assert waits == [1.0, 1.0] and http.requests_made == 3


def test_locales_become_faqbot_languages() -> None:
    assert source_languages(["en-us", "th", "zh-tw", "zh-Hans", "et-EE"]) == {
        "en-us": "en", "th": "th", "zh-tw": "zh-TW", "zh-Hans": "zh-CN", "et-EE": "et"}
    assert source_languages(["pt-BR", "pt-PT", "xx-yy"]) == {"pt-BR": "pt-BR", "pt-PT": "pt-PT"}
    assert tags_of("Billing & payments", None, labels=["VIP", "vip"]) == ("vip", "billing-payments")
