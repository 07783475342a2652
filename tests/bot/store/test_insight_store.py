"""The insights tables on both backends: KB changes (decided once), labels, their audit events."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.records import Label, Role, Turn
from bot.store import Store
from bot.store.console import AuditEntry
from kb.edits import ChangeKind, ChangeStatus, KbChange
from kb.errors import ConflictError, NotFoundError


def test_kb_changes_are_decided_once(store: Store) -> None:
    change = KbChange("chg_1", ChangeKind.ADD_QUESTIONS, (("öffnungszeiten?", "et"), ("營業時間", "zh-TW")),
                      "mia", 10.0, "opening-hours", "gap1")
    assert store.add_kb_change(change, AuditEntry(10.0, "mia", "kb_change_propose", detail="chg_1")) == change
    assert store.kb_change("chg_1") == change and store.kb_changes("pending") == [change]
    approved = replace(change, status=ChangeStatus.APPROVED, decided_by="ada", decided_at=20.0, diff="+ x\n")
    store.decide_kb_change(approved, AuditEntry(20.0, "ada", "kb_change_approve", detail="chg_1"))
    assert store.kb_change("chg_1") == approved and store.kb_changes("pending") == []
    with pytest.raises(ConflictError, match="approved already"):
        store.decide_kb_change(replace(approved, status=ChangeStatus.REJECTED), AuditEntry(30.0, "x", "y"))
    with pytest.raises(NotFoundError, match="no KB change 'nope'"):
        store.decide_kb_change(replace(approved, change_id="nope"), AuditEntry(30.0, "x", "y"))
    assert [(e.actor, e.action) for e in store.audit_log()] == [("ada", "kb_change_approve"),
                                                               ("mia", "kb_change_propose")]


def test_labels_replace_and_are_audited(store: Store) -> None:
    turn = store.add_turn(Turn("s1", Role.CUSTOMER, "do you sell gift cards", 5.0, "en"))
    store.add_label(Label("s1", turn.turn_id, turn.text, "en", "", "wu", 6.0))
    store.add_label(Label("s1", turn.turn_id, turn.text, "en", "gift-cards", "wu", 7.0))
    assert store.labels() == [Label("s1", turn.turn_id, turn.text, "en", "gift-cards", "wu", 7.0)]
    assert store.labels(since=8.0) == []
    assert [e.action for e in store.audit_log()] == ["label", "label"]
