"""Scripted multi-turn conversations, played against the real conversation service.

Each line of a conversations file is one conversation:

    {"id": "en-greet-1", "lang": "en", "kind": "greeting", "turns": [
      {"say": "hi", "expect": {"decision": "smalltalk"}},
      {"say": "my parcel still hasn't come", "expect": {"decision": "answered", "article": "order-status"}},
      {"choose": "return-policy", "expect": {"decision": "answered", "article": "return-policy"}},
      {"rate": false, "expect": {"suggests": "refund-timing"}},
      {"handoff": "mari@example.com", "expect": {"decision": "escalated", "state": "handed_off"}}]}

`expect` may give decision (one value or a list), reason, state, article (the answer's),
suggests (an article among the suggestions) and lang. A turn is right when every expectation
holds; a conversation is completed when all its turns are. Each conversation has a session of
its own in a fresh SQLite store, at a fixed clock (a Wednesday, 10:00 UTC, a second per turn). Like
the chat widget, every message is sent with a language hint: the conversation's language at
first, then the language of the bot's last reply.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.desk import Desk, check_contact
from bot.service import Bot
from bot.store import open_store
from kb.errors import KBError

_START = dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC).timestamp()
_ACTIONS = ("say", "choose", "rate", "handoff")
_EXPECTS = frozenset({"decision", "reason", "state", "article", "suggests", "lang"})


@dataclass(frozen=True)
class Conversation:
    id: str
    lang: str
    kind: str
    turns: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class TurnResult:
    conversation: str
    index: int
    ok: bool
    got: dict[str, Any]
    wrong: tuple[str, ...] = ()  # the expectations that did not hold


@dataclass
class _Tally:
    turns: int = 0
    right: int = 0
    conversations: int = 0
    completed: int = 0
    failures: list[str] = field(default_factory=list)


def load_conversations(path: str | Path) -> list[Conversation]:
    """The conversations of a JSONL file, or KBError naming the line that is wrong."""
    out: list[Conversation] = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            turns = tuple(rec["turns"])
            conv = Conversation(str(rec["id"]), str(rec["lang"]), str(rec.get("kind", "")), turns)
        except (ValueError, KeyError, TypeError) as e:
            raise KBError(f"{path}:{n}: not a conversation ({e})") from None
        for i, turn in enumerate(turns, 1):
            actions = [a for a in _ACTIONS if a in turn]
            unknown = set(turn.get("expect", {})) - _EXPECTS
            if len(actions) != 1 or unknown or not isinstance(turn.get("expect", {}), dict):
                raise KBError(f"{path}:{n}: turn {i} needs one of {', '.join(_ACTIONS)} and an expect "
                              f"object of {', '.join(sorted(_EXPECTS))}")
        out.append(conv)
    if not out:
        raise KBError(f"{path}: no conversations")
    return out


def _check(expect: dict[str, Any], got: dict[str, Any]) -> tuple[str, ...]:
    wrong = []
    for key, want in expect.items():
        have = got.get(key)
        if key == "suggests":
            ok = want in (got.get("suggestions") or [])
        elif isinstance(want, list):
            ok = have in want
        else:
            ok = have == want
        if not ok:
            wrong.append(key)
    return tuple(wrong)


class _Player:
    """Plays one conversation on a Desk, in its own session."""

    def __init__(self, desk: Desk, conv: Conversation) -> None:
        self.desk, self.conv = desk, conv
        self.sid = f"conv-{conv.id}"
        self.last_turn = 0
        self.lang = conv.lang  # sent as the hint, as the widget sends its language: the last reply's

    def play(self, turn: dict[str, Any]) -> dict[str, Any]:
        if "rate" in turn:
            result = self.desk.feedback(self.sid, self.last_turn, helpful=bool(turn["rate"]))
            return {"decision": None, "state": result.state, "reason": None,
                    "suggestions": [s.article_id for s in result.suggestions], "lang": None}
        if "say" in turn:
            reply = self.desk.ask(str(turn["say"]), self.lang, self.sid)
        elif "choose" in turn:
            reply = self.desk.choose(self.sid, str(turn["choose"]))
        else:
            reply = self.desk.handoff(self.sid, check_contact(email=str(turn["handoff"])))
        self.last_turn, self.lang = reply.turn_id, reply.language
        return {"decision": str(reply.decision), "reason": reply.reason, "state": str(reply.state),
                "article": reply.answer.article_id if reply.answer else None, "lang": reply.language,
                "suggestions": [s.article_id for s in reply.suggestions]}


def run_conversations(bot: Bot, conversations: Sequence[Conversation],
                      progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Turn accuracy and completed conversations, overall and per language."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    results: list[TurnResult] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/conversations.db")
        clock = iter(_START + i for i in range(10**9))
        desk = Desk(bot, store, bot.settings, clock=lambda: next(clock))
        try:
            for n, conv in enumerate(conversations, 1):
                player = _Player(desk, conv)
                good = True
                for i, turn in enumerate(conv.turns, 1):
                    got = player.play(turn)
                    wrong = _check(turn.get("expect", {}), got)
                    results.append(TurnResult(conv.id, i, not wrong, got, wrong))
                    for key in (conv.lang, "all"):
                        tallies[key].turns += 1
                        tallies[key].right += not wrong
                    good = good and not wrong
                for key in (conv.lang, "all"):
                    tallies[key].conversations += 1
                    tallies[key].completed += good
                    if not good:
                        tallies[key].failures.append(conv.id)
                if progress:
                    progress(n, len(conversations))
        finally:
            store.close()
    return {
        "by_lang": {lang: {"turns": t.turns, "turn_accuracy": round(t.right / t.turns, 3),
                           "conversations": t.conversations, "completed": t.completed,
                           "failed": t.failures}
                    for lang, t in sorted(tallies.items(), key=lambda kv: (kv[0] == "all", kv[0]))},
        "wrong_turns": [{"conversation": r.conversation, "turn": r.index, "wrong": list(r.wrong),
                         "got": r.got} for r in results if not r.ok],
    }


def format_conversations(report: dict[str, Any]) -> str:
    lines = [f"{'language':<10}{'turns':>7}{'turn acc':>10}{'conversations':>15}{'completed':>11}"]
    for lang, row in report["by_lang"].items():
        lines.append(f"{lang:<10}{row['turns']:>7}{row['turn_accuracy']:>10.3f}"
                     f"{row['conversations']:>15}{row['completed']:>11}")
    for w in report["wrong_turns"]:
        lines.append(f"  wrong: {w['conversation']} turn {w['turn']} ({', '.join(w['wrong'])}): "
                     f"got {w['got']['decision']} {w['got'].get('article') or ''} "
                     f"{w['got']['suggestions'] or ''}".rstrip())
    return "\n".join(lines)
