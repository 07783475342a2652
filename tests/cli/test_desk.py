"""`faqbot keys | report | privacy delete | deliveries | deliver` against a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import Bot
from bot.desk import Desk
from bot.keys import hash_secret
from bot.records import Contact
from bot.store import open_store
from cli import main
from kb import Settings


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "faqbot.toml"
    # Port 9 (discard) refuses connections: with one attempt allowed, a delivery goes dead at once.
    path.write_text(f'store_url = "sqlite:///{tmp_path}/cli.db"\n'
                    "handoff_grace_seconds = 0\ndelivery_max_attempts = 1\n"
                    '[[webhooks]]\nname = "down"\nurl = "http://127.0.0.1:9/hook"\n', encoding="utf-8")
    return path


def run(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


def seed(bot: Bot, config: Path) -> Desk:
    from kb import load_settings

    settings = load_settings(config, env={})
    store = open_store(settings.store_url)
    desk = Desk(Bot(bot.index, bot.encoder, settings), store, settings)
    desk.ask("forgot my password", session_id="sess-cli-1")
    desk.ask("talk to a human", session_id="sess-cli-2")
    desk.handoff("sess-cli-2", Contact(email="jane@example.com"), "please call")
    return desk


def test_keys_lifecycle(config: Path) -> None:
    code, out, err = run(config, "keys", "create", "--role", "agent", "--name", "Ann")
    assert code == 0 and "cannot be shown again" in err
    secret = out.strip()
    store = open_store(Settings(store_url=f"sqlite:///{config.parent}/cli.db").store_url)
    key = store.key_for_hash(hash_secret(secret))
    assert key is not None and key.role == "agent" and key.name == "Ann"
    code, out, _ = run(config, "keys", "list")
    assert code == 0 and key.key_id in out and "active" in out and secret not in out
    assert run(config, "keys", "revoke", key.key_id)[0] == 0
    assert "revoked" in run(config, "keys", "list")[1]
    assert store.key_for_hash(hash_secret(secret)) is None
    code, _, err = run(config, "keys", "revoke", "nope")
    assert code == 1 and "Error:" in err


def test_report_and_privacy_delete(bot: Bot, config: Path) -> None:
    seed(bot, config)
    code, out, _ = run(config, "report", "--json")
    data = json.loads(out)
    assert code == 0 and data["totals"]["conversations"] == 2
    assert data["totals"]["escalations_by_reason"] == {"human_requested": 1}
    code, out, _ = run(config, "report")
    assert code == 0 and "auto%" in out and "all" in out
    code, out, _ = run(config, "privacy", "delete", "--session", "sess-cli-2")
    assert code == 0 and "Erased" in out
    code, _, err = run(config, "privacy", "delete", "--session", "sess-cli-2")
    assert code == 1 and "no session" in err
    assert json.loads(run(config, "report", "--json")[1])["totals"]["conversations"] == 1
    code, _, err = run(config, "report", "--since", "yesterday")
    assert code == 2 and "ISO date" in err


def test_dead_letters_can_be_listed_and_retried(bot: Bot, config: Path) -> None:
    seed(bot, config)
    code, _, err = run(config, "deliver", "--once")
    assert code == 0 and "1 deliveries attempted" in err
    code, out, err = run(config, "deliveries", "list")
    dead = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(dead) == 1 and dead[0]["target"] == "down" and dead[0]["last_error"]
    code, out, _ = run(config, "deliveries", "retry", str(dead[0]["delivery_id"]))
    assert code == 0 and "Requeued 1" in out
    assert "0 dead deliveries" in run(config, "deliveries", "list")[2]


def test_report_refuses_a_store_that_is_not_there(tmp_path: Path) -> None:
    config = tmp_path / "faqbot.toml"
    config.write_text(f'store_url = "sqlite:///{tmp_path}/nowhere/faqbot.db"\n', encoding="utf-8")
    code, _, err = run(config, "report")
    assert code == 1 and f"no conversation store at {tmp_path}/nowhere/faqbot.db" in err
    assert not (tmp_path / "nowhere").exists()


def test_followups_command(config: Path, tmp_path: Path) -> None:
    code, _, err = run(config, "followups", "--once")
    assert code == 1 and "email_after_minutes is 0" in err
    on = tmp_path / "on.toml"
    on.write_text(config.read_text(encoding="utf-8").split("[[webhooks]]")[0]
                  + 'email_after_minutes = 5\nemail_smtp_host = "127.0.0.1"\nemail_smtp_port = 9\n'
                  'email_address = "support@shop.test"\npublic_url = "https://shop.test/"\n',
                  encoding="utf-8")
    code, _, err = run(on, "followups", "--once")
    assert code == 0 and "0 sent, 0 failed, 0 skipped." in err


def test_keys_create_takes_the_manager_role(config: Path) -> None:
    code, out, _ = run(config, "keys", "create", "--role", "manager", "--name", "Mai")
    assert code == 0 and out.startswith("fqb_")
    code, out, _ = run(config, "keys", "list")
    assert "manager" in out and "Mai" in out
