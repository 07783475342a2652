"""The review of KB changes made from content gaps: propose, approve (write the Markdown files,
re-index incrementally, switch the server to the new index) or reject; every step in the audit log.

Nothing is written to the KB before an admin approves. Who may do what is the caller's check (the
console's role guard, the CLI's operator); this module records who it was.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.store import Store
from bot.store.console import AuditEntry
from indexer import Encoder, build_index, make_encoder
from indexer.build import BuildStats
from kb import Settings, load_kb
from kb.edits import ChangeKind, ChangeStatus, KbChange, check_change, plan_edits, unified_diff, write_edits
from kb.errors import KBError, NotFoundError, shown

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applied:
    change: KbChange
    files: tuple[str, ...]  # the KB files written
    stats: BuildStats  # the incremental re-index
    reloaded: bool


class KbChanges:
    """Proposals and decisions on KB changes for the KB at `settings.kb_path`."""

    def __init__(self, store: Store, settings: Settings, encoder: Encoder | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store, self.settings, self.encoder, self.clock = store, settings, encoder, clock
        self._lock = threading.Lock()  # one approval at a time writes the files and the index

    def propose(self, kind: str, questions: Sequence[tuple[str, str]], by: str, *,
                article_id: str = "", gap_id: str = "") -> KbChange:
        """A pending change (nothing is written to the KB); KBError if it cannot apply to the KB."""
        change = KbChange(f"chg_{secrets.token_hex(6)}", kind, tuple((" ".join(t.split()), lang)
                                                                      for t, lang in questions),
                          by, self.clock(), article_id if kind == ChangeKind.ADD_QUESTIONS else "", gap_id)
        check_change(change, load_kb(self.settings.kb_path, self.settings.default_lang))
        what = f"add {len(change.questions)} questions to {article_id}" \
            if kind == ChangeKind.ADD_QUESTIONS else f"mark {len(change.questions)} questions out of scope"
        self.store.add_kb_change(change, AuditEntry(change.proposed_at, by, "kb_change_propose",
                                                    detail=f"{change.change_id}: {what}"))
        log.info("KB change %s proposed by %s: %s", change.change_id, by, what)
        return change

    def get(self, change_id: str) -> KbChange:
        change = self.store.kb_change(change_id)
        if change is None:
            raise NotFoundError(f"no KB change {shown(change_id)}")
        return change

    def preview(self, change_id: str) -> str:
        """The unified diff approving it would write now."""
        change = self.get(change_id)
        kb = load_kb(self.settings.kb_path, self.settings.default_lang)
        return unified_diff(plan_edits(change, kb, self.settings.kb_path), self.settings.kb_path)

    def approve(self, change_id: str, by: str, reload: Callable[[], object] | None = None) -> Applied:
        """Write the change into the KB files, re-index what changed, `reload()` the server's index,
        and record the decision with its diff."""
        with self._lock:
            change = self.get(change_id)
            if change.status != ChangeStatus.PENDING:
                raise KBError(f"KB change {shown(change_id)} was {change.status} already")
            root = self.settings.kb_path
            kb = load_kb(root, self.settings.default_lang)
            edits = plan_edits(change, kb, root)
            diff = unified_diff(edits, root)
            write_edits(edits)
            kb = load_kb(root, self.settings.default_lang)  # what was written must load
            if self.encoder is None:  # only approving needs the model
                self.encoder = make_encoder(self.settings.encoder)
            _, stats = build_index(kb, self.settings.index_dir, self.encoder,
                                   passage_budget=self.settings.passage_budget,
                                   target_precision=self.settings.target_precision)
            reloaded = bool(reload()) if reload is not None else False
            now = self.clock()
            decided = replace(change, status=ChangeStatus.APPROVED, decided_by=by, decided_at=now, diff=diff)
            files = tuple(str(e.path) for e in edits)
            self.store.decide_kb_change(decided, AuditEntry(
                now, by, "kb_change_approve",
                detail=f"{change_id}: wrote {len(files)} file(s); re-indexed {stats.n_embedded} texts "
                f"({stats.n_changed_articles} article versions changed)"))
        log.info("KB change %s approved by %s: %d files, %d texts embedded", change_id, by, len(files),
                 stats.n_embedded)
        return Applied(decided, files, stats, reloaded)

    def reject(self, change_id: str, by: str) -> KbChange:
        change = self.get(change_id)
        now = self.clock()
        decided = replace(change, status=ChangeStatus.REJECTED, decided_by=by, decided_at=now)
        return self.store.decide_kb_change(decided, AuditEntry(now, by, "kb_change_reject",
                                                               detail=change_id))
