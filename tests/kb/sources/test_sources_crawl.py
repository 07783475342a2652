"""Crawling the demo KB rendered as a five-language help-center website, and exported HTML."""

from __future__ import annotations

import difflib
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from eval.site import SiteServer, path_of, render_site, serve_site
from kb import Article, KnowledgeBase, Settings, load_kb
from kb.passages import plain_text, split_article
from kb.sources import SourceError, import_source, open_source
from kb.sources.crawl import Crawl
from kb.sources.http import HttpClient

DEMO = Path(__file__).parents[3] / "articles"
FAST = Settings(crawl_delay=0)
CHROME = ("cookie policy", "Accept all cookies", "Related articles", "Was this article helpful",
          "All rights reserved", "Staff", "Search the help center", "Updated 2026", "dataLayer")


@pytest.fixture(scope="module")
def demo() -> KnowledgeBase:
    return load_kb(DEMO)


@pytest.fixture()
def site(demo: KnowledgeBase) -> Iterator[SiteServer]:
    with serve_site() as server:
        server.publish(render_site(demo, server.base))
        yield server


@pytest.fixture(scope="module")
def imported(demo: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, list[str]]:
    out = tmp_path_factory.mktemp("crawl") / "kb"
    with serve_site() as server:
        server.publish(render_site(demo, server.base))
        report = import_source(open_source(server.base + "/", FAST), out, first=True)
        return out, report, list(server.requests)


def _words(markdown: str) -> str:
    return " ".join(plain_text(markdown).replace("\\", "").split())


def _sections(a: Article) -> list[str]:
    return [p.heading for p in split_article(a) if p.kind == "section"]


def test_every_page_of_every_language_is_imported_as_one_article(demo: KnowledgeBase, imported) -> None:
    out, report, _ = imported
    assert report.summary() == f"0 updated, {len(demo)} new, 0 removed, 0 failed"
    kb = load_kb(out)
    # hreflang alternates join the five languages of an article under one id: the page's slug
    assert {a.key for a in kb} == {a.key for a in demo}
    assert kb.get("invoice-vat", "zh-TW") is not None  # hreflang zh-Hant is zh-TW
    assert report.skipped["no article text"] == 6  # the home page and the five category pages


def test_imported_articles_keep_their_text_and_structure(demo: KnowledgeBase, imported) -> None:
    """The cheap stand-in for the full round-trip eval (python -m eval.roundtrip, in the README):
    the same titles, the same passages and the same text, with no site chrome in any of them."""
    kb = load_kb(imported[0])
    ratios = []
    for original in demo:
        got = kb.get(original.id, original.lang)
        assert got.title == original.title
        new = [c for c in CHROME if c.lower() not in original.body.lower()]
        assert not any(c.lower() in got.body.lower() for c in new)
        assert _sections(got) == _sections(original)
        ratios.append(difflib.SequenceMatcher(None, _words(got.body), _words(original.body)).ratio())
    assert min(ratios) > 0.99 and sum(ratios) / len(ratios) > 0.999
    body = kb.get("accessibility", "en").body
    assert "1. Go to **Account → Profile → Display**.\n2. Turn on **High contrast**." in body
    assert "[Contact us and support hours](https://help.tidewell.example/en/contact-support)" in body
    table = kb.get("subscription-plans", "zh-CN").body
    assert "| 月度会员 | €6.99/月 |" in table


def test_robots_txt_is_obeyed(imported) -> None:
    out, _, requests = imported
    assert not any(p.startswith(("/staff/", "/search")) for p in requests)
    assert not any("handbook" in p.name for p in out.rglob("*.md"))


def test_front_matter_says_where_each_article_came_from(imported) -> None:
    text = (imported[0] / "th/refund-timing.md").read_text()
    assert re.search(r"^url: http://127\.0\.0\.1:\d+/th/refund-timing$", text, re.M)
    assert re.search(r"^source_id: http://127\.0\.0\.1:\d+/th/refund-timing$", text, re.M)
    assert "updated: '2026-10-15T08:00:00Z'" in text and re.search(r"^source: http://127", text, re.M)


def test_the_start_path_bounds_the_crawl(site: SiteServer, tmp_path: Path) -> None:
    report = import_source(open_source(site.base + "/th/", FAST), tmp_path, first=True)
    kb = load_kb(tmp_path)
    assert kb.languages == ["th"] and len(kb) == 44 and report.failed == 0
    assert kb.get("refund-timing", "th") is not None
    assert all(p == "/robots.txt" or p.startswith(("/th/", "/sitemap")) for p in site.requests)


def test_page_count_and_pace_are_bounded(site: SiteServer, demo: KnowledgeBase) -> None:
    files = render_site(demo, site.base)
    files["/robots.txt"] = ("text/plain", b"User-agent: *\nCrawl-delay: 2\nDisallow: /staff/\n")
    site.publish(files)
    now = [0.0]
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    http = HttpClient("the website", "site", min_interval=0.0, sleep=sleep, clock=lambda: now[0])
    fetched = Crawl(site.base + "/", Settings(crawl_max_pages=5), http).fetch()
    pages = [p for p in site.requests if not p.endswith((".txt", ".xml"))]
    assert len(pages) == 5 and len(fetched.docs) <= 5
    assert any("beyond crawl_max_pages" in why for why in fetched.skipped)
    assert len(waits) >= 5 and all(w == pytest.approx(2.0) for w in waits)  # robots.txt's Crawl-delay


def test_language_mismatches_are_reported(site: SiteServer, demo: KnowledgeBase, tmp_path: Path) -> None:
    files = render_site(demo, site.base)
    body = re.compile(r'<div class="article-body">.*?</div>', re.S)
    english = body.search(files["/en/refund-timing"][1].decode()).group(0)
    # a Thai page whose body nobody translated: its hreflang says th, its text is English
    thai = body.sub(lambda _: english, files["/th/refund-timing"][1].decode())
    files["/th/refund-timing"] = ("text/html", thai.encode())
    site.publish(files)
    from cli.sources import _detector

    report = import_source(open_source(site.base + "/", FAST), tmp_path, first=True, detector=_detector)
    assert any(m.startswith("th/refund-timing.md: hreflang th says th, but the text reads as en")
               for m in report.mismatches), report.mismatches
    assert len(report.mismatches) == 1


def test_an_unreachable_site_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    message = f"^cannot reach the website at 127.0.0.1:{port}: connection refused$"
    with pytest.raises(SourceError, match=message):
        import_source(open_source(f"http://127.0.0.1:{port}/", Settings(http_retries=0)), tmp_path / "kb",
                      first=True)
    assert not (tmp_path / "kb").exists()


@pytest.mark.parametrize("as_zip", [False, True])
def test_an_html_export_folder_or_zip(demo: KnowledgeBase, tmp_path: Path, as_zip: bool) -> None:
    export = tmp_path / "export"
    files = render_site(demo, "https://help.tidewell.example")
    for a in demo:
        if a.id in ("refund-timing", "reset-password"):
            target = export / f"{a.lang}/{a.id}.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            # an export has relative links, which lead nowhere outside it
            target.write_bytes(files[path_of(a)][1].replace(b'href="/', b'href="../'))
    (export / "index.html").write_bytes(files["/en/"][1])
    source: Path = export
    if as_zip:
        source = tmp_path / "export.zip"
        with zipfile.ZipFile(source, "w") as zf:
            for f in export.rglob("*"):
                zf.write(f, f.relative_to(export).as_posix())
        shutil.rmtree(export)
    out = tmp_path / "kb"
    report = import_source(open_source(str(source), Settings()), out, first=True)
    kb = load_kb(out)
    assert report.summary() == "0 updated, 10 new, 0 removed, 0 failed"
    assert report.skipped == {"no article text": 1}  # index.html lists articles
    # an export has no URLs to name articles by: the English title does
    assert set(kb.ids) == {"when-will-i-get-my-refund", "reset-a-forgotten-password"}
    assert {len(kb.translations(i)) for i in kb.ids} == {5}
    assert "../" not in "".join(a.body for a in kb)


def test_a_page_without_article_markup_goes_to_trafilatura() -> None:
    from kb.sources.page import extract_page

    page = extract_page("""<!doctype html><html lang="et"><head><title>Tarneajad – Abikeskus</title>
      <script>track()</script></head><body>
      <div class="cookie-notice"><p>Kasutame küpsiseid, et parandada teie kogemust veebilehel.</p>
        <button>Nõustu</button></div>
      <div class="header"><div class="menu"><a href="/et/">Avaleht</a> <a href="/et/tellimused">Tellimused</a>
        <a href="/et/arved">Arved</a></div></div>
      <div class="container"><div class="content"><h1>Tarneajad ja hinnad</h1>
        <p>Tarneaeg sõltub riigist, kuhu pakk saadetakse.
          <a href="javascript:alert(1)" onclick="x()">Kaart</a>.</p>
        <table><tr><th>Riik</th><th>Aeg</th></tr><tr><td>Eesti</td><td>1–2 päeva</td></tr>
          <tr><td>Soome</td><td>3–5 päeva</td></tr></table>
        <p><img src="/img/map.png" alt="Tarnekaart"></p><iframe src="https://video.test/x"></iframe>
        <h2>Kiirtarne</h2><p>Kiirtarne on saadaval Tallinnas ja Tartus, kui tellite enne kella 12.</p>
      </div></div>
      <div class="footer"><p>© 2026 Tidewell OÜ. Kõik õigused kaitstud.</p></div></body></html>""",
                        "https://help.tidewell.example/et/tarneajad")
    assert page.title == "Tarneajad ja hinnad" and page.lang == "et"
    assert "| Eesti | 1–2 päeva |" in page.body and "## Kiirtarne" in page.body
    assert "[Tarnekaart](https://help.tidewell.example/img/map.png)" in page.body
    for chrome in ("küpsis", "Avaleht", "Tellimused", "© 2026", "javascript", "video.test", "track"):
        assert chrome not in page.body
