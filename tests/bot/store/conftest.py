"""A real PostgreSQL server for the test run, and a fresh store per test on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.store import Store, open_store


def _pg_bin() -> Path:
    """$FAQBOT_PG_BIN, else the newest Debian PostgreSQL (scripts/test.sh installs one)."""
    if "FAQBOT_PG_BIN" in os.environ:
        return Path(os.environ["FAQBOT_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                   if p.parent.name.isdigit() else 0)
    return found[-1] if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()


def _unavailable(reason: str) -> None:
    if os.environ.get("FAQBOT_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (FAQBOT_REQUIRE_POSTGRES=1)", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of the `postgres` database of a throwaway server, as its superuser `faqbot`."""
    if not (PG_BIN / "initdb").exists():
        _unavailable(f"PostgreSQL binaries not found in {PG_BIN}")
    try:
        import psycopg  # noqa: F401 - only to know that the driver is there
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'psycopg[binary]')")
    # Not pytest's tmp_path: that lives under a 0700 folder the postgres user cannot enter.
    root = Path(tempfile.mkdtemp(prefix="faqbot-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, log = root / "data", root / "server.log"
    pg_ctl = [*as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run([*as_postgres, str(PG_BIN / "initdb"), "-D", str(data), "-U", "faqbot", "-A", "trust",
                        "-E", "UTF8", "--no-locale", "--no-sync"], check=True, capture_output=True)
        for _ in range(3):  # another process may take the free port before the server binds it
            port = _free_port()
            options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off"
            started = subprocess.run([*pg_ctl, "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
                                     capture_output=True, text=True)
            if started.returncode == 0:
                break
        else:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else started.stderr
            pytest.fail(f"PostgreSQL did not start:\n{tail}", pytrace=False)
        try:
            yield f"postgresql://faqbot@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True)
    except subprocess.CalledProcessError as e:
        pytest.fail(f"initdb failed: {e.stderr!r}", pytrace=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _execute(url: str, sql: str) -> None:
    if url.startswith("sqlite:///"):
        import sqlite3

        db = sqlite3.connect(url.removeprefix("sqlite:///"))
        with db:  # commits
            db.execute(sql)
        db.close()
    else:
        import psycopg

        with psycopg.connect(url, autocommit=True) as pg:
            pg.execute(sql)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL (with no password) of an empty database, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex}"
    _execute(server, f"CREATE DATABASE {name}")
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        _execute(server, f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture
def execute() -> Callable[[str, str], None]:
    """Runs one statement on the database at a store URL, behind the store's back."""
    return _execute


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()
