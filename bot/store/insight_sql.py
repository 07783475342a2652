"""Queries of the insights tables (bot.store.insight_rows): KB changes, labels, the audit log."""

from __future__ import annotations

import json
from typing import Any

from bot.records import Label
from bot.store.connection import SqlConnection
from bot.store.console import AuditEntry
from kb.edits import ChangeStatus, KbChange
from kb.errors import ConflictError, NotFoundError

_CHANGE_COLS = ("change_id, kind, questions, article_id, gap_id, status, proposed_by, proposed_at, "
                "decided_by, decided_at, diff")
_LABEL_COLS = "session_id, turn_id, text, lang, article_id, labelled_by, at"


def _change(row: tuple[Any, ...]) -> KbChange:
    return KbChange(change_id=row[0], kind=row[1], questions=tuple((q[0], q[1]) for q in json.loads(row[2])),
                    article_id=row[3], gap_id=row[4], status=row[5], proposed_by=row[6],
                    proposed_at=float(row[7]), decided_by=row[8],
                    decided_at=None if row[9] is None else float(row[9]), diff=row[10])


class InsightQueries(SqlConnection):
    def add_kb_change(self, change: KbChange, event: AuditEntry) -> KbChange:
        with self._tx("add_kb_change") as tx:
            tx.run(f"INSERT INTO kb_changes ({_CHANGE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   change.change_id, change.kind, json.dumps([list(q) for q in change.questions],
                                                             ensure_ascii=False),
                   change.article_id, change.gap_id, change.status, change.proposed_by,
                   change.proposed_at, change.decided_by, change.decided_at, change.diff)
            self._audit(tx, event)
        return change

    def kb_change(self, change_id: str) -> KbChange | None:
        with self._tx("kb_change", write=False) as tx:
            row = tx.one(f"SELECT {_CHANGE_COLS} FROM kb_changes WHERE change_id = ?", change_id)
        return None if row is None else _change(row)

    def kb_changes(self, status: str | None = None) -> list[KbChange]:
        where, params = ("WHERE status = ?", (status,)) if status else ("", ())
        with self._tx("kb_changes", write=False) as tx:
            rows = tx.all(f"SELECT {_CHANGE_COLS} FROM kb_changes {where} ORDER BY proposed_at DESC", *params)
        return [_change(r) for r in rows]

    def decide_kb_change(self, change: KbChange, event: AuditEntry) -> KbChange:
        """Record the decision on a PENDING change (ConflictError if it was decided already)."""
        with self._tx("decide_kb_change") as tx:
            found = tx.one(f"SELECT status FROM kb_changes WHERE change_id = ?{self.lock_rows}",
                           change.change_id)
            if found is None:
                raise NotFoundError(f"no KB change {change.change_id!r}")
            if found[0] != ChangeStatus.PENDING:
                raise ConflictError(f"KB change {change.change_id!r} was {found[0]} already")
            tx.run("UPDATE kb_changes SET status = ?, decided_by = ?, decided_at = ?, diff = ? "
                   "WHERE change_id = ?", change.status, change.decided_by, change.decided_at,
                   change.diff, change.change_id)
            self._audit(tx, event)
        return change

    def add_label(self, label: Label) -> Label:
        """A second label of the same question replaces the first."""
        with self._tx("add_label") as tx:
            tx.run("DELETE FROM labels WHERE session_id = ? AND turn_id = ?", label.session_id, label.turn_id)
            tx.run(f"INSERT INTO labels ({_LABEL_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)", label.session_id,
                   label.turn_id, label.text, label.lang, label.article_id, label.by, label.at)
            self._audit(tx, AuditEntry(label.at, label.by, "label", session_id=label.session_id,
                                       detail=f"turn {label.turn_id}: {label.article_id or 'out of scope'}"))
        return label

    def labels(self, since: float | None = None, until: float | None = None) -> list[Label]:
        with self._tx("labels", write=False) as tx:
            rows = tx.all(f"SELECT {_LABEL_COLS} FROM labels WHERE at >= ? AND at < ? ORDER BY at",
                          -1e300 if since is None else since, 1e300 if until is None else until)
        return [Label(r[0], int(r[1]), r[2], r[3], r[4], r[5], float(r[6])) for r in rows]

    @staticmethod
    def _audit(tx: Any, event: AuditEntry) -> None:
        """The event in the console's audit log, in the caller's transaction."""
        tx.run("INSERT INTO audit_log (at, actor, action, escalation_id, session_id, detail) "
               "VALUES (?, ?, ?, ?, ?, ?)", event.at, event.actor, event.action, event.escalation_id,
               event.session_id, event.detail)

    def delete_labels(self, tx: Any, session_id: str) -> dict[str, int]:
        return {"labels": tx.run("DELETE FROM labels WHERE session_id = ?", session_id)}
