"""Sync rules, the all-or-nothing folder writer, the scheduler, and the CLI commands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from kb import KBError, Settings, load_kb
from kb.sources import Scheduler, SourceError, import_source, open_source, read_state
from kb.sources.base import Fetched, Progress, SourceDoc
from kb.sources.html import fragment_to_markdown, image_link, sanitize
from kb.sources.sync import article_id
from kb.sources.writer import Change, apply_changes
from tests.kb.sources.vendors import serve_desk


class Fixed:
    """A source whose articles a test sets: the sync rules without any network."""

    name = "fixed:test"

    def __init__(self, docs: list[SourceDoc]) -> None:
        self.docs = docs

    def fetch(self, progress: Progress | None = None) -> Fetched:
        return Fetched(list(self.docs))


def doc(group: str, lang: str, title: str, body: str = "Some answer text that is long enough.",
        **kw: object) -> SourceDoc:
    return SourceDoc(group=group, lang=lang, title=title, body=body, source_id=group, slug=title,
                     primary=lang == "en", **kw)  # type: ignore[arg-type]


def test_ids_are_stable_unique_and_shared_by_translations(tmp_path: Path) -> None:
    src = Fixed([doc("1", "en", "Refunds"), doc("1", "th", "การคืนเงิน"), doc("2", "en", "Refunds"),
                 doc("3", "th", "คืนสินค้า")])
    import_source(src, tmp_path, first=True)
    kb = load_kb(tmp_path)
    assert sorted(kb.ids) == sorted(["refunds", "refunds-2", article_id("คืนสินค้า", "3")])
    assert set(kb.translations("refunds")) == {"en", "th"}
    assert article_id("คืนสินค้า", "3").startswith("article-")
    # a retitled article keeps its id (and file): the state remembers the source's group
    src.docs[0] = doc("1", "en", "Refunds and returns")
    report = import_source(src, tmp_path, first=False)
    assert report.summary() == "1 updated, 0 new, 0 removed, 0 failed"
    assert load_kb(tmp_path).get("refunds", "en").title == "Refunds and returns"


def test_import_and_sync_refuse_the_wrong_folder(tmp_path: Path) -> None:
    src = Fixed([doc("1", "en", "Refunds")])
    with pytest.raises(KBError, match="has no .faqbot-source.json: `faqbot kb import SOURCE"):
        import_source(src, tmp_path, first=False)
    import_source(src, tmp_path, first=True)
    with pytest.raises(KBError, match="already imported from fixed:test: `faqbot kb sync fixed:test"):
        import_source(src, tmp_path, first=True)
    other = Fixed([doc("1", "en", "Refunds")])
    other.name = "fixed:other"
    with pytest.raises(KBError, match="imported from fixed:test, not fixed:other"):
        import_source(other, tmp_path, first=False)


def test_a_source_that_suddenly_has_nothing_removes_nothing(tmp_path: Path) -> None:
    src = Fixed([doc("1", "en", "Refunds"), doc("2", "en", "Shipping")])
    import_source(src, tmp_path, first=True)
    src.docs = []
    with pytest.raises(SourceError, match="gave no articles; refusing to remove the 2 imported"):
        import_source(src, tmp_path, first=False)
    assert len(load_kb(tmp_path)) == 2


def test_writers_files_are_never_touched_and_never_clash(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    own = "---\nid: refunds\nlang: en\ntitle: Our own refunds page\n---\nWritten by hand.\n"
    (tmp_path / "en/refunds.md").write_text(own)
    report = import_source(Fixed([doc("1", "en", "Refunds"), doc("2", "en", "Shipping")]), tmp_path,
                           first=True)
    assert report.summary() == "0 updated, 2 new, 0 removed, 0 failed"
    assert (tmp_path / "en/refunds.md").read_text() == own
    kb = load_kb(tmp_path)  # no duplicate id: the imported one is refunds-2
    assert {a.id for a in kb} == {"refunds", "refunds-2", "shipping"}


def test_an_article_that_fails_keeps_its_old_file(tmp_path: Path) -> None:
    src = Fixed([doc("1", "en", "Refunds"), doc("2", "en", "Shipping")])
    import_source(src, tmp_path, first=True)
    before = (tmp_path / "en/shipping.md").read_text()
    src.docs[1] = doc("2", "en", "  ")  # no title: the loader would refuse it
    report = import_source(src, tmp_path, first=False)
    assert report.summary() == "0 updated, 0 new, 0 removed, 1 failed"
    assert "missing a title" in report.failures[0]
    assert (tmp_path / "en/shipping.md").read_text() == before
    assert "shipping@en" in read_state(tmp_path).entries  # neither rewritten nor removed


def test_a_broken_writer_edit_is_reported_not_overwritten(tmp_path: Path) -> None:
    src = Fixed([doc("1", "en", "Refunds")])
    import_source(src, tmp_path, first=True)
    (tmp_path / "en/refunds.md").write_text("---\nid: refunds\nquestions: [unclosed\n---\nbody\n")
    src.docs[0] = doc("1", "en", "Refunds", "A new answer from the source, long enough.")
    report = import_source(src, tmp_path, first=False)
    assert report.failed == 1 and "bad YAML front matter" in report.failures[0]
    assert "unclosed" in (tmp_path / "en/refunds.md").read_text()


def test_the_folder_changes_all_together_or_not_at_all(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    apply_changes(tmp_path, [Change("en/a.md", "old a"), Change("en/b.md", "old b")])
    real = os.replace
    calls = []

    def flaky(src: str | Path, dst: str | Path) -> None:
        calls.append(dst)
        if len(calls) == 2:  # after a.md was replaced and b.md deleted
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(OSError, match="No space left"):
        apply_changes(tmp_path, [Change("en/a.md", "new a"), Change("en/b.md", None),
                                 Change("th/c.md", "new c")])
    monkeypatch.undo()
    assert {p.relative_to(tmp_path).as_posix(): p.read_text() for p in tmp_path.rglob("*") if p.is_file()} \
        == {"en/a.md": "old a", "en/b.md": "old b"}
    assert not (tmp_path / "th").exists()
    with pytest.raises(KBError, match="outside the folder"):
        apply_changes(tmp_path, [Change("../escape.md", "x")])


def test_the_scheduler_runs_on_its_clock_and_survives_failures() -> None:
    now = [100.0]
    runs: list[float] = []

    def job() -> None:
        runs.append(now[0])
        if len(runs) == 2:
            raise SourceError("Zendesk answered 503")

    s = Scheduler(60, job, clock=lambda: now[0])
    assert s.run_due() == 60 and runs == []  # serving starts first
    now[0] = 160.0
    assert s.run_due() == 60 and runs == [160.0]
    now[0] = 220.0
    assert s.run_due() == 60 and runs == [160.0, 220.0]  # the failure is logged, the schedule goes on
    now[0] = 500.0  # the server was busy: missed runs are not made up back to back
    s.run_due()
    assert s.run_due() == pytest.approx(20.0) and len(runs) == 3  # the next slot of the grid: 520
    with pytest.raises(ValueError):
        Scheduler(0, job)


def test_html_safety_edge_cases() -> None:
    src = "https://x.test/img/Refund%20form.png"
    assert image_link("", src) == f"[Refund form.png]({src})"  # no alt text: the file's name
    assert image_link("alt", "javascript:alert(1)") == "alt"
    assert "data:" not in fragment_to_markdown('<a href="data:text/html,<script>x</script>">x</a>')
    assert fragment_to_markdown('<p onmouseover="x()">Hi <svg><script>1</script></svg><b>there</b></p>') \
        == "Hi **there**"
    md = fragment_to_markdown('<a href="//evil.test/x">protocol-relative</a> '
                              '<a href="tel:+3725551234">call</a>', "https://help.acme.test/a/b")
    assert "[call](tel:+3725551234)" in md and "](https://evil.test/x)" in md  # resolved, https
    assert "<" not in sanitize("<object data=x>flash</object><embed src=y><form><input></form>")


def test_cli_import_and_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve_desk("zendesk") as desk:
        monkeypatch.setenv("FAQBOT_ZENDESK_URL", desk.base)
        monkeypatch.setenv("FAQBOT_ZENDESK_EMAIL", "agent@acme.test")
        monkeypatch.setenv("FAQBOT_ZENDESK_TOKEN", "zd-secret")
        monkeypatch.setenv("FAQBOT_CONFIG", str(tmp_path / "none.toml"))
        runner = CliRunner()
        out = tmp_path / "kb"
        result = runner.invoke(main, ["kb", "import", "zendesk:acme", "--out", str(out),
                                      "--no-check-language"])
        assert result.exit_code == 0, result.output
        assert "0 updated, 5 new, 0 removed, 0 failed" in result.stdout
        assert "skipped: 2 draft, 1 restricted to a user segment" in result.stderr
        desk.articles[4].versions["en-us"] = ("Shipping times and costs", "<p>Now 3-6 days.</p>", True)
        desk.articles[4].updated = "2026-11-03T10:00:00Z"
        result = runner.invoke(main, ["kb", "sync", "zendesk:acme", "--out", str(out), "--no-check-language"])
        assert result.exit_code == 0
        assert result.stdout.strip() == "1 updated, 0 new, 0 removed, 0 failed (4 unchanged)"
        monkeypatch.setenv("FAQBOT_ZENDESK_TOKEN", "wrong")
        result = runner.invoke(main, ["kb", "sync", "zendesk:acme", "--out", str(out)])
        assert result.exit_code == 1
        assert result.output.strip() == "Error: Zendesk rejected the token for acme: 401"
    result = runner.invoke(main, ["kb", "import", "nowhere:x", "--out", str(tmp_path / "k2")])
    assert result.exit_code == 1 and "unknown source 'nowhere:x': use zendesk:SUBDOMAIN" in result.output
    assert "--token" not in runner.invoke(main, ["kb", "import", "--help"]).output


def test_settings_for_imports_are_checked() -> None:
    with pytest.raises(Exception, match="sync_every needs sync_source"):
        Settings(sync_every=3600)
    with pytest.raises(Exception, match="crawl_max_pages must be positive"):
        Settings(crawl_max_pages=0)
    assert Settings().sync_every == 0  # off by default
    assert open_source("https://help.acme.test/hc/en-us", Settings()).name == "https://help.acme.test/hc/en-us"


def test_the_loader_reads_provenance_fields_and_checks_them(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nid: a\ntitle: A\nsource: zendesk:acme\nsource_id: 360001\n---\nx\n")
    assert load_kb(tmp_path).get("a", "en").title == "A"
    (tmp_path / "a.md").write_text("---\nid: a\ntitle: A\nsource: [zendesk]\n---\nx\n")
    with pytest.raises(KBError, match="a.md:1: article 'a': source must be text"):
        load_kb(tmp_path)


def test_a_source_read_only_in_part_removes_nothing(tmp_path: Path) -> None:
    src = Fixed([doc("1", "en", "Refunds"), doc("2", "en", "Shipping")])
    import_source(src, tmp_path, first=True)

    class Partial(Fixed):
        def fetch(self, progress: Progress | None = None) -> Fetched:
            return Fetched(list(self.docs), complete=False)  # a crawl stopped at crawl_max_pages

    report = import_source(Partial([doc("1", "en", "Refunds")]), tmp_path, first=False)
    assert report.summary() == "0 updated, 0 new, 0 removed, 0 failed"
    assert "none removed" in report.notes[0] and len(load_kb(tmp_path)) == 2
