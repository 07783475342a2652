"""The widget as shipped: size budget, no HTML parsing of server text, how the server serves it."""

from __future__ import annotations

import gzip
import re

import pytest
import requests

from tests.web.browser import ROOT, Server

WIDGET = ROOT / "web" / "widget.js"


def test_widget_fits_in_30_kb_gzipped() -> None:
    size = len(gzip.compress(WIDGET.read_bytes(), compresslevel=9))
    assert size <= 30 * 1024, f"widget.js is {size} bytes gzipped"


@pytest.mark.parametrize("sink", ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                                  "eval(", "new Function", "setAttribute(\"on", "srcdoc"])
def test_widget_has_no_html_or_code_sinks(sink: str) -> None:
    # Server text reaches the page only through textContent; these would parse it as markup or code.
    assert sink not in WIDGET.read_text(encoding="utf-8")


def test_store_page_embeds_the_widget_with_one_async_tag() -> None:
    html = (ROOT / "web" / "store.html").read_text(encoding="utf-8")
    tags = re.findall(r"<script[^>]*widget\.js[^>]*>", html)
    assert len(tags) == 1
    assert " async" in tags[0] and " defer" in tags[0]


def test_server_serves_widget_and_store_page(demo_server: Server) -> None:
    js = requests.get(f"{demo_server.url}/widget.js", timeout=10)
    assert js.status_code == 200
    assert js.headers["Content-Type"].startswith("application/javascript")
    assert "max-age" in js.headers.get("Cache-Control", "")
    assert js.content == WIDGET.read_bytes()
    page = requests.get(f"{demo_server.url}/", timeout=10)
    assert page.status_code == 200 and "Tidewell" in page.text and "/widget.js" in page.text


def test_widget_config_has_strings_for_every_kb_language(demo_server: Server) -> None:
    cfg = requests.get(f"{demo_server.url}/v1/widget/config", timeout=10).json()
    source = WIDGET.read_text(encoding="utf-8")
    # t("key") lookups and label(el, "attribute", "key") registrations
    keys = set(re.findall(r'(?:\bt\(|"(?:text|aria-label|placeholder)", )"([a-z_]+)"', source))
    assert keys, "the widget looks up no strings"
    for lang in [*cfg["languages"], "ar", "he"]:
        missing = keys - set(cfg["strings"][lang])
        assert not missing, f"{lang}: the catalog lacks {sorted(missing)}"
    assert {"ar", "he"} <= set(cfg["rtl"])


def test_server_compresses_and_hashes_static_files(demo_server: Server) -> None:
    raw = WIDGET.read_bytes()
    url = f"{demo_server.url}/widget.js"
    # What a browser receives: gzip when it accepts it, told apart for caches by Vary.
    packed = requests.get(url, headers={"Accept-Encoding": "gzip, br"}, timeout=10, stream=True)
    wire = packed.raw.read(decode_content=False)
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(wire) == raw and len(wire) < len(raw) / 3
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert "Content-Encoding" not in plain.headers and plain.content == raw
    refused = requests.get(url, headers={"Accept-Encoding": "gzip;q=0"}, timeout=10)
    assert "Content-Encoding" not in refused.headers
    # The ETag is the content's hash; revalidating it costs no body; ?v=<hash> is immutable.
    etag = packed.headers["ETag"]
    digest = etag.strip('"').removesuffix("-gz")
    again = requests.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    hashed = requests.get(f"{url}?v={digest}", timeout=10)
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "max-age=300" in plain.headers["Cache-Control"]
    page = requests.get(f"{demo_server.url}/", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert page.headers["Content-Encoding"] == "gzip" and "Tidewell" in page.text
    assert requests.get(f"{demo_server.url}/static/nope.js", timeout=10).status_code == 404
