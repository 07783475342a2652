"""A gap turned into a reviewed KB change: nothing written before approval; approval writes the
Markdown, re-indexes incrementally and the bot then answers the gap's questions."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from bot import Bot
from bot.gaps import live_gaps
from bot.kb_changes import KbChanges
from bot.store import Store
from indexer import HybridIndex, load_index
from indexer.encoders import Encoder
from kb import Settings
from kb.edits import ChangeKind
from kb.errors import ConflictError, KBError
from tests.seeded_store import GAPS


@pytest.fixture
def editable(tmp_path: Path, demo_slice: tuple[Path, HybridIndex]) -> Settings:
    """A private copy of the demo slice KB and its index (so the edits stay in this test)."""
    shutil.copytree(demo_slice[0].parent, tmp_path / "site", symlinks=True)
    return Settings(kb_path=str(tmp_path / "site" / "kb"), index_dir=str(tmp_path / "site" / "index"))


def _student_gap(store: Store, bot: Bot, truth: Any) -> Any:
    gaps = live_gaps(bot, store, truth.since, truth.until, top=50)
    return next(g for g in gaps if sum(truth.labels.get(q) == "student-discount" for q in g.questions)
                > len(g.questions) / 2)


def test_approve_writes_reindexes_and_answers(seeded: tuple[Store, Bot, Any], editable: Settings,
                                              encoder: Encoder, store: Store) -> None:
    seeded_store, seeded_bot, truth = seeded
    gap = _student_gap(seeded_store, seeded_bot, truth)
    question = GAPS["student-discount"]["en"][0]
    before = Bot(load_index(editable.index_dir), encoder, editable).answer(question, "en")
    assert before.decision != "answered"
    promo = Path(editable.kb_path) / "en" / "promo-codes.md"
    original = promo.read_text(encoding="utf-8")

    review = KbChanges(store, editable, encoder)
    change = review.propose(ChangeKind.ADD_QUESTIONS, gap.questions, "maria", article_id="promo-codes",
                            gap_id=gap.gap_id)
    assert promo.read_text(encoding="utf-8") == original  # nothing written without approval
    assert store.kb_changes("pending") == [change]
    preview = review.preview(change.change_id)
    assert "+++ b/en/promo-codes.md" in preview and f"+  - {question}" in preview

    reloaded: list[Bot] = []
    applied = review.approve(change.change_id, "admin-ann",
                             reload=lambda: reloaded.append(Bot(load_index(editable.index_dir), encoder,
                                                                editable)) or True)
    assert applied.reloaded and applied.change.status == "approved" and applied.change.diff == preview
    assert 0 < applied.stats.n_embedded < applied.stats.n_units  # incremental: only the new texts
    text = promo.read_text(encoding="utf-8")
    assert text.startswith(original.split("questions:")[0]) and question in text
    after = reloaded[0].answer(question, "en")
    assert after.decision == "answered" and after.answer is not None
    assert after.answer.article_id == "promo-codes"
    actions = [(e.actor, e.action, e.detail.split(":")[0]) for e in store.audit_log()]
    assert actions[:2] == [("admin-ann", "kb_change_approve", change.change_id),
                           ("maria", "kb_change_propose", change.change_id)]
    with pytest.raises(KBError, match="approved already"):
        review.approve(change.change_id, "admin-ann")


def test_out_of_scope_and_reject(seeded: tuple[Store, Bot, Any], editable: Settings, encoder: Encoder,
                                 store: Store) -> None:
    review = KbChanges(store, editable, encoder)
    oos = Path(editable.kb_path) / "th" / "_out-of-scope.md"
    original = oos.read_text(encoding="utf-8")
    question = GAPS["paper-catalogue"]["th"][0]
    change = review.propose(ChangeKind.OUT_OF_SCOPE, [(question, "th")], "maria")
    rejected = review.reject(change.change_id, "admin-ann")
    assert rejected.status == "rejected" and oos.read_text(encoding="utf-8") == original
    with pytest.raises(ConflictError, match="rejected already"):
        review.reject(change.change_id, "admin-ann")
    second = review.propose(ChangeKind.OUT_OF_SCOPE, [(question, "th")], "maria")
    review.approve(second.change_id, "admin-ann")
    assert question in oos.read_text(encoding="utf-8")
    reason = Bot(load_index(editable.index_dir), encoder, editable).answer(question, "th").reason
    assert reason == "out_of_scope"
    with pytest.raises(KBError, match="no article 'nope'"):
        review.propose(ChangeKind.ADD_QUESTIONS, [(question, "th")], "maria", article_id="nope")
