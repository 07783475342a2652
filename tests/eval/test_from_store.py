"""`faqbot eval --from-store`: live questions with the article an agent resolved them with, or a
writer's label, measured by the real harness against the real index."""

from __future__ import annotations

import json
import time
from pathlib import Path

from click.testing import CliRunner

from bot import Bot
from bot.agents import Agents
from bot.desk import Desk
from bot.records import Contact, Label
from bot.store import Store
from cli import main
from eval.from_store import store_queries
from kb import Settings


def _traffic(bot: Bot, store: Store) -> None:
    desk, agents = Desk(bot, store, Settings()), Agents(store)
    # 1: the customer asks, then asks for a person; the agent answers with a link to an article
    desk.ask("i cannot get into my account at all", "en", session_id="s-agent")
    desk.handoff("s-agent", Contact(email="kim@example.com"), "please help")
    esc = store.open_escalation("s-agent")
    assert esc is not None
    agents.claim(esc.escalation_id, "Ann")
    agents.reply("s-agent", "Ann", "See [Reset your password](https://help.example/en/reset-password).")
    agents.resolve(esc.escalation_id, "Ann")
    # 2: escalated and resolved without a link: no label to learn from
    desk.ask("where is my refund", "en", session_id="s-nolink")
    desk.handoff("s-nolink", Contact(email="lee@example.com"), "")
    other = store.open_escalation("s-nolink")
    assert other is not None
    agents.reply("s-nolink", "Bo", "I fixed it for you.")
    agents.resolve(other.escalation_id, "Bo")
    # 3 and 4: a writer labelled two questions in the console
    for n, (sid, text, article) in enumerate((("s-label", "how long until my money is back", "refund-timing"),
                                              ("s-oos", "can i pay in bitcoin", ""))):
        desk.ask(text, "en", session_id=sid)
        turn = next(t for t in store.transcript(sid) if t.role == "customer")
        store.add_label(Label(sid, turn.turn_id, turn.text, "en", article, "writer-wu", time.time() + n))


def test_store_queries(bot: Bot, store: Store) -> None:
    _traffic(bot, store)
    queries = store_queries(store, bot.kb)
    got = [(q.text, q.expected, q.lang) for q in queries]
    assert got == [("how long until my money is back", "refund-timing", "en"),
                   ("can i pay in bitcoin", None, "en"),
                   ("i cannot get into my account at all", "reset-password", "en")]
    assert any(e.action == "label" and e.actor == "writer-wu" for e in store.audit_log())


def test_eval_from_store_cli(bot: Bot, store: Store, tmp_path: Path) -> None:
    _traffic(bot, store)
    config = tmp_path / "faqbot.toml"
    config.write_text(f'store_url = "{store.url}"\n', encoding="utf-8")
    out, html = tmp_path / "m.json", tmp_path / "r.html"
    result = CliRunner().invoke(main, ["--config", str(config), "eval", "--from-store", "--index",
                                       str(bot.index.path), "--json", str(out), "--html", str(html)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text(encoding="utf-8"))
    assert metrics["n_queries"] == 3 and metrics["n_in_scope"] == 2 and metrics["n_out_of_scope"] == 1
    page = html.read_text(encoding="utf-8")
    assert "<title>faqbot coverage report: live questions from the store</title>" in page
    assert "(now 0.8)" in page  # the current threshold beside the recommended one


def test_eval_from_store_errors(tmp_path: Path, bot: Bot, store: Store) -> None:
    config = tmp_path / "faqbot.toml"
    config.write_text(f'store_url = "{store.url}"\n', encoding="utf-8")
    index = ["--index", str(bot.index.path)]
    empty = CliRunner().invoke(main, ["--config", str(config), "eval", "--from-store", *index])
    assert empty.exit_code == 1 and "no labelled questions yet" in empty.output
    both = CliRunner().invoke(main, ["--config", str(config), "eval", *index])
    assert both.exit_code == 2 and "either --queries FILE or --from-store" in both.output
    gone = tmp_path / "gone.toml"
    gone.write_text(f'store_url = "sqlite:///{tmp_path}/none.db"\n', encoding="utf-8")
    missing = CliRunner().invoke(main, ["--config", str(gone), "eval", "--from-store", *index])
    assert missing.exit_code == 1 and "no conversation store at" in missing.output
    assert not (tmp_path / "none.db").exists()
