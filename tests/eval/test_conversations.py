"""The conversation eval: its file format checks, and a real run on the tiny KB (real encoder,
real SQLite store, the real conversation service)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import Bot
from eval.conversations import format_conversations, load_conversations, run_conversations
from kb.errors import KBError

ROOT = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, *records: object) -> Path:
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_the_shipped_set_has_60_conversations_in_five_languages() -> None:
    convs = load_conversations(ROOT / "eval" / "conversations.jsonl")
    assert len(convs) >= 60
    assert {c.lang for c in convs} == {"en", "th", "et", "zh-TW", "zh-CN"}
    kinds = {c.kind for c in convs}
    assert {"greeting-question-thanks", "vague-suggestions-choice", "unhelpful-alternative",
            "unanswerable-offer-accept", "talk-to-a-person", "withdraw", "language-switch"} <= kinds


@pytest.mark.parametrize(("record", "message"), [
    ({"id": "x", "turns": []}, "c.jsonl:1: not a conversation"),
    ({"id": "x", "lang": "en", "turns": [{"expect": {}}]}, "turn 1 needs one of say, choose, rate, handoff"),
    ({"id": "x", "lang": "en", "turns": [{"say": "hi", "expect": {"colour": "red"}}]}, "an expect object"),
])
def test_bad_files_name_the_line(tmp_path: Path, record: object, message: str) -> None:
    with pytest.raises(KBError, match=message):
        load_conversations(_write(tmp_path, record))


def test_a_run_scores_turns_and_conversations(bot: Bot, tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"id": "good", "lang": "en", "turns": [
            {"say": "hi", "expect": {"decision": "smalltalk", "state": "bot"}},
            {"say": "forgot my password", "expect": {"decision": "answered", "article": "reset-password"}},
            {"say": "thanks!", "expect": {"decision": "smalltalk"}}]},
        {"id": "wrong", "lang": "th", "turns": [
            {"say": "สวัสดีค่ะ", "expect": {"decision": "smalltalk", "lang": "th"}},
            {"say": "ลืมรหัสผ่าน", "expect": {"decision": "answered", "article": "shipping-costs"}}]})
    report = run_conversations(bot, load_conversations(path))
    assert report["by_lang"]["en"] == {"turns": 3, "turn_accuracy": 1.0, "conversations": 1,
                                       "completed": 1, "failed": []}
    assert report["by_lang"]["th"]["turn_accuracy"] == 0.5 and report["by_lang"]["th"]["failed"] == ["wrong"]
    assert report["by_lang"]["all"]["completed"] == 1
    (wrong,) = report["wrong_turns"]
    assert (wrong["conversation"], wrong["turn"], wrong["wrong"]) == ("wrong", 2, ["article"])
    assert "wrong: wrong turn 2 (article)" in format_conversations(report)
