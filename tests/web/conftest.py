"""Browser fixtures: servers over the demo KB and a content KB, Debian's Chromium through
playwright (never `playwright install`), and axe-core from npm."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
import yaml
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright

from indexer import build_index
from indexer.encoders import Encoder
from kb import KnowledgeBase, load_kb
from kb.handoff import QueueConfig
from kb.hours import DAYS
from kb.loader import article_from_record
from tests.web.browser import DESKTOP, ROOT, HostSite, NewContext, Server, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# axe-core is a test tool: installed from npm into a cache, never vendored into the repo; pinned
# like the Python packages, so a new release cannot change what "axe clean" means under us.
AXE_VERSION = "4.14.1"
AXE_PREFIX = Path(os.environ.get("FAQBOT_NPM_CACHE", Path.home() / ".cache" / "faqbot-test" / "npm"))
AXE_JS = AXE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"


def _missing(what: str) -> NoReturn:
    if os.environ.get("FAQBOT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{what} (FAQBOT_REQUIRE_BROWSER=1)")
    pytest.skip(what)


# Served by `content_server` next to the tiny KB: an article full of script payloads, and one
# using every Markdown feature the widget renders.
XSS_ARTICLE = """
    ---
    id: gift-wrap
    lang: en
    title: Gift wrapping <img src=x onerror="window.__pwned='title'">
    url: "javascript:window.__pwned='url'"
    questions:
      - do you offer gift wrapping
      - can you gift wrap my order
      - gift wrap a present
    ---
    We wrap gifts for 3 EUR. <script>window.__pwned = 'script'; alert('script')</script>

    <img src=x onerror="window.__pwned='img'; alert('img')">

    [Click for a coupon](javascript:alert('link')) or [this one](JaVaScRiPt:alert(1)) or
    [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==).

    ## <iframe src="javascript:alert('iframe')"></iframe> Options
    - **<svg onload="alert('svg')">** bold
    - `<b onmouseover=alert(1)>code</b>`
    - <a href="javascript:alert('raw')">raw anchor</a>

    See [our policy](https://tidewell.example/gifts) or mail <mailto:gifts@tidewell.example>.
    """
MARKDOWN_ARTICLE = """
    ---
    id: linen-care
    lang: en
    title: Caring for linen
    url: https://tidewell.example/linen-care
    questions:
      - how do i wash linen
      - linen care instructions
      - can linen go in the dryer
    ---
    Linen gets *softer* with every wash.

    # Washing
    1. Wash at **40 °C** with a _mild_ detergent.
    2. Dry it:
       - on a line, or
       - in the dryer on __low__
    3. Iron while damp.

    ## Stains
    Use `oxygen bleach` only; see the [stain guide](https://tidewell.example/stains "Stains")
    or https://tidewell.example/faq.

    > Never use chlorine bleach.

    ```
    care_label <b>40</b>
    ```
    """


@pytest.fixture(scope="session")
def content_server(tmp_path_factory: pytest.TempPathFactory, encoder: Encoder) -> Iterator[Server]:
    """The tiny KB plus the hostile and the Markdown-heavy article; a team that is off today."""
    from tests.conftest import TINY_KB, write_kb

    tmp = tmp_path_factory.mktemp("web-content")
    kb = load_kb(write_kb(tmp / "kb", {**TINY_KB, "en/linen-care.md": MARKDOWN_ARTICLE}))
    # The loader refuses the hostile article's links now; an index built before it did keeps them,
    # so the server's own defence (kb.links.published) and the widget's are what the page relies on.
    _, front, body = textwrap.dedent(XSS_ARTICLE).lstrip().split("---\n", 2)
    hostile = article_from_record({**yaml.safe_load(front), "body": body}, "en/gift-wrap.md", "en",
                                  check_links=False)
    build_index(KnowledgeBase((*kb.articles, hostile), kb.default_lang, kb.out_of_scope),
                tmp / "index", encoder)
    # Its team works only on the weekday after tomorrow, so a handoff now is always out of hours.
    day = DAYS[(dt.datetime.now(dt.UTC).weekday() + 2) % 7]
    queue = QueueConfig(name="general", timezone="UTC", hours=f"{day} 09:00-17:00")
    with serve(tmp / "index", encoder, tmp, queues=(queue,)) as server:
        yield server


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory, encoder: Encoder) -> Iterator[Server]:
    """The shipped demo KB (`articles/`), indexed once per test session (~30 s)."""
    tmp = tmp_path_factory.mktemp("web-demo")
    build_index(load_kb(ROOT / "articles"), tmp / "index", encoder)
    with serve(tmp / "index", encoder, tmp) as server:
        yield server


@pytest.fixture(scope="session")
def host_site() -> Iterator[HostSite]:
    site = HostSite()
    yield site
    site.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def context_factory(browser: Browser) -> Iterator[NewContext]:
    """New isolated browser contexts (own localStorage): `new(viewport=PHONE, locale="th-TH")`."""
    made: list[BrowserContext] = []

    def new(viewport: ViewportSize = DESKTOP, locale: str = "en-US", **kw: Any) -> BrowserContext:
        ctx = browser.new_context(viewport=viewport, locale=locale, **kw)
        made.append(ctx)
        return ctx

    yield new
    for ctx in made:
        ctx.close()


@pytest.fixture
def page(context_factory: NewContext) -> Page:
    return context_factory().new_page()


@pytest.fixture(scope="session")
def axe_source() -> str:
    package = AXE_JS.parent / "package.json"
    if not package.exists() or json.loads(package.read_text(encoding="utf-8"))["version"] != AXE_VERSION:
        npm = shutil.which("npm")
        if npm is None:
            _missing("npm is needed to install axe-core")
        done = subprocess.run([npm, "install", "--no-save", "--prefix", str(AXE_PREFIX),
                               f"axe-core@{AXE_VERSION}"], capture_output=True, text=True, timeout=300)
        if done.returncode != 0 or not AXE_JS.exists():
            _missing(f"npm install axe-core@{AXE_VERSION} failed: {done.stderr[-500:]}")
    return AXE_JS.read_text(encoding="utf-8")
