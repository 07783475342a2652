"""Zendesk, Freshdesk and Intercom imports against local stand-ins of their APIs: one suite, run
for each vendor."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kb import Settings, load_kb
from kb.loader import front_matter
from kb.sources import SourceError, import_source, open_source
from tests.kb.sources.vendors import Article, Desk, serve_desk

VENDORS = ["zendesk", "freshdesk", "intercom"]
THROTTLED = {"zendesk": ("/api/v2/help_center/en-us/articles.json", "2"),
             "freshdesk": ("/api/v2/solutions/categories", None),
             "intercom": ("/articles", "2")}
NAME = {"zendesk": "Zendesk", "freshdesk": "Freshdesk", "intercom": "Intercom"}
EXPECTED = {"en/reset-your-password.md", "th/reset-your-password.md", "zh-TW/reset-your-password.md",
            "en/when-will-i-get-my-refund.md", "en/shipping-times-and-costs.md"}


def settings_for(desk: Desk, **overrides: object) -> Settings:
    creds: dict[str, object] = {
        "zendesk": {"zendesk_url": desk.base, "zendesk_email": "agent@acme.test",
                    "zendesk_token": "zd-secret"},
        "freshdesk": {"freshdesk_url": desk.base, "freshdesk_api_key": "fd-key"},
        "intercom": {"intercom_url": desk.base, "intercom_token": "ic-secret"},
    }[desk.vendor]
    return Settings(**{**creds, **overrides})  # type: ignore[arg-type]


def spec(vendor: str) -> str:
    return {"zendesk": "zendesk:acme", "freshdesk": "freshdesk:acme", "intercom": "intercom:"}[vendor]


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*.md")}


@pytest.fixture(params=VENDORS)
def desk(request: pytest.FixtureRequest):
    with serve_desk(request.param) as d:
        yield d


def test_import_writes_one_file_per_article_and_language(desk: Desk, tmp_path: Path) -> None:
    desk.throttle = THROTTLED[desk.vendor]
    out = tmp_path / "kb"
    report = import_source(open_source(spec(desk.vendor), settings_for(desk)), out, first=True)
    assert report.summary() == "0 updated, 5 new, 0 removed, 0 failed"
    assert files(out) == EXPECTED
    # drafts (a whole article and one translation) and the restricted article are skipped, and said so
    assert sum(n for why, n in report.skipped.items() if "draft" in why) == 2
    assert sum(n for why, n in report.skipped.items() if "restricted" in why) == (
        0 if desk.vendor == "intercom" else 1)
    kb = load_kb(out)
    assert {a.key for a in kb} == {"reset-your-password@en", "reset-your-password@th",
                                   "reset-your-password@zh-TW", "when-will-i-get-my-refund@en",
                                   "shipping-times-and-costs@en"}
    assert kb.get("reset-your-password", "th").title == "รีเซ็ตรหัสผ่าน"
    meta, _ = front_matter((out / "zh-TW/reset-your-password.md").read_text(), "x")
    assert meta["source"] == spec(desk.vendor).replace("freshdesk:acme", "freshdesk:acme.freshdesk.com")
    assert str(meta["source_id"]) == "101" and meta["url"] and meta["updated"].startswith("2026-10-01")
    # labels and sections/folders/collections are tags
    tag = "your-account" if desk.vendor == "intercom" else "password"
    assert tag in kb.get("reset-your-password", "en").tags
    assert "internal" not in " ".join(a.body.lower() for a in kb)


def test_html_bodies_become_safe_markdown(desk: Desk, tmp_path: Path) -> None:
    import_source(open_source(spec(desk.vendor), settings_for(desk)), tmp_path, first=True)
    text = (tmp_path / "en/reset-your-password.md").read_text()
    for unsafe in ("<script", "alert", "<iframe", "youtube", "onclick", "onerror", "javascript:", "<style",
                   "color: red", "<"):
        assert unsafe not in text
    body = load_kb(tmp_path).get("reset-your-password", "en").body
    assert "## Steps" in body
    assert "1. Click **Forgot password**\n2. Follow the link in the email" in body
    assert "| Plan | Reset link valid |\n| --- | --- |\n| Basic | 60 minutes |" in body
    assert "[The reset password form](" in body and "/images/reset.png)" in body  # a link, not fetched
    assert "[Email us](mailto:help@acme.test)" in body and "this link" in body
    assert not any("/images/" in path for _, path in desk.requests)


def test_a_429_is_waited_out_for_its_retry_after(desk: Desk, tmp_path: Path) -> None:
    desk.throttle = THROTTLED[desk.vendor]
    path, page = THROTTLED[desk.vendor]
    import_source(open_source(spec(desk.vendor), settings_for(desk)), tmp_path, first=True)
    hits = [t for t, p, pg in desk.pages if (p, pg) == (path, page)]
    assert len(hits) >= 2 and hits[1] - hits[0] >= 0.95


def test_a_rejected_token_is_one_line_and_writes_nothing(desk: Desk, tmp_path: Path) -> None:
    bad = {"zendesk": {"zendesk_token": "wrong"}, "freshdesk": {"freshdesk_api_key": "wrong"},
           "intercom": {"intercom_token": "wrong"}}[desk.vendor]
    account = {"zendesk": "acme", "freshdesk": "acme.freshdesk.com",
               "intercom": "this workspace"}[desk.vendor]
    with pytest.raises(SourceError, match=f"^{NAME[desk.vendor]} rejected the token for {account}: 401$"):
        import_source(open_source(spec(desk.vendor), settings_for(desk, **bad)), tmp_path / "kb", first=True)
    assert not (tmp_path / "kb").exists()


def test_sync_rewrites_only_what_changed_and_keeps_what_writers_added(desk: Desk, tmp_path: Path) -> None:
    settings = settings_for(desk)
    import_source(open_source(spec(desk.vendor), settings), tmp_path, first=True)
    edited = tmp_path / "en/reset-your-password.md"
    meta, body = front_matter(edited.read_text(), edited)
    meta["questions"] = ["forgot my password", "cant log in"]
    meta["tags"] = [*meta["tags"], "vip"]
    from kb.sources.writer import render_markdown

    edited.write_text(render_markdown(meta, body))
    (tmp_path / "en/_out-of-scope.md").write_text(
        "---\nout_of_scope: true\nlang: en\nquestions: [are you hiring]\n---\n")
    untouched = {p: (tmp_path / p).read_bytes() for p in ("th/reset-your-password.md",
                                                          "en/shipping-times-and-costs.md")}
    reset = desk.articles[0]
    reset.versions["en-us"] = ("Reset your password", "<p>Use the new <b>Reset</b> button.</p>", True)
    reset.edited["en-us"] = "2026-11-02T10:00:00Z"  # its translations keep their own dates
    refund = desk.articles[1]
    refund.versions["en-us"] = (refund.versions["en-us"][0], refund.versions["en-us"][1], False)
    desk.articles.append(Article(106, {"en-us": ("Gift cards", "<p>Gift cards never expire and work "
                                                 "for every order.</p>", True)}, section=8))
    report = import_source(open_source(spec(desk.vendor), settings), tmp_path, first=False)
    assert report.summary() == "1 updated, 1 new, 1 removed, 0 failed"
    assert sorted(report.changed) == ["en/gift-cards.md", "en/reset-your-password.md",
                                      "en/when-will-i-get-my-refund.md"]
    kb = load_kb(tmp_path)
    article = kb.get("reset-your-password", "en")
    assert article.questions == ("forgot my password", "cant log in")
    assert "vip" in article.tags and "Use the new **Reset** button." in article.body
    assert kb.get("when-will-i-get-my-refund", "en") is None and kb.get("gift-cards", "en")
    assert [e.text for e in kb.out_of_scope] == ["are you hiring"]
    assert all((tmp_path / p).read_bytes() == b for p, b in untouched.items())
    again = import_source(open_source(spec(desk.vendor), settings), tmp_path, first=False)
    assert again.summary() == "0 updated, 0 new, 0 removed, 0 failed" and not again.changed


def test_a_failing_sync_leaves_the_folder_as_it_was(desk: Desk, tmp_path: Path) -> None:
    settings = settings_for(desk, http_retries=1)
    import_source(open_source(spec(desk.vendor), settings), tmp_path, first=True)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    desk.articles[0].versions["en-us"] = ("Changed", "<p>changed</p>", True)
    desk.fail = {"zendesk": "/api/v2/help_center/zh-tw/", "freshdesk": "/api/v2/solutions/folders/12",
                 "intercom": "/articles"}[desk.vendor]
    with pytest.raises(SourceError, match="answered 500"):
        import_source(open_source(spec(desk.vendor), settings), tmp_path, first=False)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_an_unreachable_host_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    settings = Settings(zendesk_url=f"http://127.0.0.1:{port}", http_retries=1)
    with pytest.raises(SourceError, match=f"^cannot reach Zendesk at 127.0.0.1:{port}: connection refused$"):
        import_source(open_source("zendesk:acme", settings), tmp_path / "kb", first=True)
    assert not (tmp_path / "kb").exists()


@pytest.mark.parametrize("vendor", VENDORS)
def test_credentials_come_from_settings_only(vendor: str) -> None:
    with serve_desk(vendor) as desk:
        settings = dataclasses.replace(settings_for(desk), zendesk_email="", zendesk_token="",
                                       freshdesk_api_key="", intercom_token="")
        if vendor == "zendesk":  # a public help center is readable without a token
            assert open_source("zendesk:acme", settings).name == "zendesk:acme"
            with pytest.raises(SourceError, match="Zendesk rejected the token for acme: 401"):
                open_source("zendesk:acme", settings).fetch()
        else:
            with pytest.raises(Exception, match="FAQBOT_"):
                open_source(spec(vendor), settings)
    assert "zd-secret" not in repr(settings_for(desk))
