"""open_store: which URLs it takes, and how it fails."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from bot.records import Turn
from bot.store import mask_password, open_store
from kb.errors import SettingsError, StoreError


def test_a_relative_sqlite_path_is_created_with_its_folders(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = open_store("sqlite:///var/deep/faqbot.db")
    try:
        store.add_turn(Turn("s1", "customer", "hi", 1.0))
        assert store.url == "sqlite:///var/deep/faqbot.db"
    finally:
        store.close()
    assert (tmp_path / "var" / "deep" / "faqbot.db").is_file()


def test_an_absolute_sqlite_path(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/a/b.db")
    store.close()
    assert (tmp_path / "a" / "b.db").is_file()


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://", "sqlite:///", "sqlite://:memory:",
                                 "sqlite:///file::memory:?cache=shared", "sqlite:///x.db?mode=ro"])
def test_sqlite_urls_without_a_file_are_refused(url: str) -> None:
    with pytest.raises(SettingsError, match="needs a database file"):
        open_store(url)


@pytest.mark.parametrize(("url", "shown"), [
    ("mysql://bob:hunter2@db.example/faq", "mysql://bob:***@db.example/faq"),
    ("host=db password=hunter2 dbname=faq", "host=db password=*** dbname=faq"),
    ("var/faqbot.db", "var/faqbot.db"),
    ("", ""),
])
def test_other_urls_are_refused_without_their_password(url: str, shown: str) -> None:
    with pytest.raises(SettingsError, match="unsupported store URL") as raised:
        open_store(url)
    assert repr(shown) in str(raised.value)
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize(("url", "masked"), [
    ("postgresql://bob:p%40ss/w@db:5432/faq", "postgresql://bob:***@db:5432/faq"),
    ("postgresql://bob@db/faq", "postgresql://bob@db/faq"),
    ("postgresql://db/faq?user=bob&password=secret", "postgresql://db/faq?user=bob&password=***"),
])
def test_mask_password(url: str, masked: str) -> None:
    assert mask_password(url) == masked


def test_an_unreachable_postgres_is_a_one_line_store_error() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    shown = re.escape(f"cannot open the conversation store postgresql://bob:***@127.0.0.1:{port}/faq: ")
    with pytest.raises(StoreError, match=shown) as raised:
        open_store(f"postgresql://bob:hunter2@127.0.0.1:{port}/faq")
    assert "\n" not in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_the_postgres_scheme_alias(postgres_server: str) -> None:
    url = postgres_server.replace("postgresql://", "postgres://")
    store = open_store(url)
    try:
        assert store.url == url
        assert store.session("nobody") is None
    finally:
        store.close()


def test_a_folder_or_a_foreign_file_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(StoreError, match="cannot open the conversation store .*dir.db"):
        open_store(f"sqlite:///{tmp_path}/dir.db")
    (tmp_path / "notes.db").write_text("not a database, just notes\n" * 100)
    with pytest.raises(StoreError, match="notes.db: file is not a database"):
        open_store(f"sqlite:///{tmp_path}/notes.db")


def test_a_folder_that_cannot_be_created_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot create the folder"):
        open_store(f"sqlite:///{tmp_path}/file/sub/x.db")
