"""`faqbot channel-sends`: the channel outbox's dead letters, listed without text and retried."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.store import open_store
from cli import main


def test_dead_channel_sends_are_listed_and_retried(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/s.db"
    store = open_store(url)
    store.set_channel_address("line-abc", "line", {"to": "U1"}, 0.0)
    (outbox_id,) = store.add_channel_sends("line-abc", "line", [{"text": "ลืมรหัสผ่าน secret text"}], 0.0)
    store.lease_channel_sends(0.0, 30.0, 1)
    store.mark_channel_failed(outbox_id, "HTTP 401: Authentication failed", None)
    env = {"FAQBOT_CONFIG": str(tmp_path / "none.toml"), "FAQBOT_STORE_URL": url}
    listed = CliRunner().invoke(main, ["channel-sends", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    row = json.loads(listed.output.splitlines()[0])
    assert row == {
        "outbox_id": outbox_id,
        "channel": "line",
        "session_id": "line-abc",
        "status": "dead",
        "attempts": 1,
        "last_error": "HTTP 401: Authentication failed",
    }
    assert "secret text" not in listed.output
    retried = CliRunner().invoke(main, ["channel-sends", "retry", str(outbox_id)], env=env)
    assert retried.exit_code == 0 and "Requeued 1 channel sends." in retried.output
    again = CliRunner().invoke(main, ["channel-sends", "retry", str(outbox_id)], env=env)
    assert again.exit_code == 1 and f"channel send {outbox_id} is pending, not dead" in again.output
    assert [d.status for d in store.channel_sends()] == ["pending"]
    store.close()
