"""One client holding hundreds of half-open connections (slowloris) must not stop `faqbot serve`
answering everyone else."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import TINY_KB, write_kb
from tests.processes import FAQBOT, faqbot_env, free_port, index_kb, running

pytestmark = pytest.mark.slow
HALF_OPEN = 500


def test_healthz_answers_within_a_second_beside_500_half_open_connections(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb", TINY_KB)
    port = free_port()
    env = faqbot_env(tmp_path, port)
    index_kb(kb, env)
    with running([*FAQBOT, "serve"], env, port, tmp_path / "serve.log"):
        held = []
        try:
            for _ in range(HALF_OPEN):
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # the headers never end
                held.append(s)
            time.sleep(1)  # let the server take every one of them
            for _ in range(3):
                started = time.monotonic()
                r = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                assert r.ok and time.monotonic() - started < 1.0
        finally:
            for s in held:
                s.close()
