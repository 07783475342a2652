"""Real server processes for tests: free ports, the environment of a `faqbot` process, indexing
through the CLI, and a server that is killed with its children when the test ends."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
FAQBOT = [sys.executable, "-m", "cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def faqbot_env(root: Path, port: int, **extra: str) -> dict[str, str]:
    return {**os.environ, "FAQBOT_CONFIG": str(root / "none.toml"),
            "FAQBOT_INDEX_DIR": str(root / "index"), "FAQBOT_STORE_URL": f"sqlite:///{root}/store.db",
            "FAQBOT_PORT": str(port), "FAQBOT_THREADS": "8", "FAQBOT_HANDOFF_GRACE_SECONDS": "0",
            **extra}


def index_kb(kb: Path, env: dict[str, str]) -> None:
    """`faqbot index KB` into FAQBOT_INDEX_DIR (a new version, then the symlink swap)."""
    done = subprocess.run([*FAQBOT, "index", str(kb)], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def healthz(base: str) -> dict[str, object] | None:
    try:
        r = requests.get(f"{base}/healthz", timeout=2)
    except requests.RequestException:
        return None
    return r.json() if r.ok else None


@contextmanager
def running(cmd: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A server process, healthy on `port`; SIGKILLed (with its children) on exit if still up."""
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_until(lambda: proc.poll() is not None or healthz(f"http://127.0.0.1:{port}") is not None,
                   120, f"{cmd} to serve")
        assert proc.poll() is None, log.read_text(errors="replace")[-3000:]
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


@contextmanager
def redis_server(root: Path) -> Iterator[str]:
    """A throwaway Debian `redis-server` on a free loopback port (nothing saved): its URL."""
    binary = Path("/usr/bin/redis-server")
    if not binary.exists():
        import pytest

        if os.environ.get("FAQBOT_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is not installed (FAQBOT_REQUIRE_REDIS=1)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen([str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def answers() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_until(answers, 20, "redis-server")
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
