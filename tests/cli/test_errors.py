"""Every failure a user can cause is one line on stderr and exit code 1, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main


@pytest.mark.parametrize(("args", "match"), [
    (["ask", "hello", "--index", "{tmp}/nothing-here"], "no index here"),
    (["index", "{tmp}/kb", "--encoder", "word2vec"], "unknown encoder 'word2vec'"),
    (["report", "--since", "yesterday"], "expected an ISO date"),
    (["keys", "create", "--role", "agent", "--name", " "], "key name must be 1-100 characters"),
    (["eval", "--kb", "{tmp}/kb", "--queries", "{tmp}/bad.jsonl"], "bad.jsonl:1:"),
    (["mail", "--once"], "faqbot mail needs email_address, email_imap_host"),
])
def test_user_errors_are_one_line(tmp_path: Path, args: list[str], match: str) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "a.md").write_text("---\nid: a\nlang: en\ntitle: A\n---\nBody.\n", encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"query": "x"}\n', encoding="utf-8")
    env = {"FAQBOT_CONFIG": str(tmp_path / "none.toml"), "FAQBOT_STORE_URL": f"sqlite:///{tmp_path}/s.db"}
    result = CliRunner().invoke(main, [a.replace("{tmp}", str(tmp_path)) for a in args], env=env)
    assert result.exit_code in (1, 2), result.output
    assert match in result.output, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
