"""Insights pages that turn live questions into KB fixes: content gaps (with one-click proposals and
labels), the review of KB changes (approve: admins only), and the coverage report of live questions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from bot.gaps import Gap, live_gaps
from bot.kb_changes import KbChanges
from bot.keys import may_act_as
from bot.records import Label
from kb.edits import ChangeStatus
from kb.errors import FaqbotError
from server.console.auth import console_required, current_user, now, t
from server.console.insights import Period, PeriodError, period
from server.context import services

log = logging.getLogger(__name__)
bp = Blueprint("insights_kb", __name__, url_prefix="/console/insights", template_folder="templates")
# app.extensions key of the server's "switch to the index on disk" callable (server.wsgi sets it).
RELOAD = "faqbot.reload"
MAX_GAPS = 30


def _actor() -> str:
    user = current_user()
    return user.name if user else "-"


def _period_or_error() -> Period | Any:
    try:
        return period()
    except PeriodError as e:
        return render_template("console/error.html", message=f"{t('console.ins_bad_period')} ({e})"), 400


def _gaps(p: Period) -> list[Gap]:
    s = services()
    return live_gaps(s.bot, s.store, p.since, p.until, top=MAX_GAPS)


def _articles() -> list[tuple[str, str]]:
    kb = services().bot.kb
    out = []
    for aid in kb.ids:
        versions = kb.translations(aid)
        chosen = versions.get(kb.default_lang) or next(iter(versions.values()))
        out.append((aid, chosen.title))
    return sorted(out, key=lambda a: a[1].casefold())


@bp.get("/gaps")
@console_required("manager")
def gaps() -> Any:
    p = _period_or_error()
    if not isinstance(p, Period):
        return p
    return render_template("console/insights_gaps.html", p=p, gaps=_gaps(p), articles=_articles(),
                           done=request.args.get("done", ""), error=request.args.get("error", ""))


def _gap(p: Period, gap_id: str) -> Gap | None:
    return next((g for g in _gaps(p) if g.gap_id == gap_id), None)


@bp.post("/gaps/<gap_id>/propose")
@console_required("manager")
def propose(gap_id: str) -> Any:
    p = _period_or_error()
    if not isinstance(p, Period):
        return p
    gap = _gap(p, gap_id)
    if gap is None:
        return render_template("console/error.html", message=f"no gap {gap_id[:20]!r} in this period"), 404
    kind = request.form.get("kind", "")
    s = services()
    try:
        change = KbChanges(s.store, s.settings, s.bot.encoder, clock=now).propose(
            kind, gap.questions, _actor(), article_id=request.form.get("article_id", ""), gap_id=gap_id)
    except FaqbotError as e:
        return redirect(url_for("insights_kb.gaps", **p.query(), error=str(e)), 303)
    return redirect(url_for("insights_kb.changes", **p.query(), done="proposed",
                            _anchor=change.change_id), 303)


@bp.post("/gaps/<gap_id>/label")
@console_required("manager")
def label(gap_id: str) -> Any:
    p = _period_or_error()
    if not isinstance(p, Period):
        return p
    gap = _gap(p, gap_id)
    if gap is None:
        return render_template("console/error.html", message=f"no gap {gap_id[:20]!r} in this period"), 404
    article_id = request.form.get("article_id", "")
    if article_id and not services().bot.kb.translations(article_id):
        problem = f"no article {article_id[:60]!r}"
        return redirect(url_for("insights_kb.gaps", **p.query(), error=problem), 303)
    for q in gap.asked:
        services().store.add_label(Label(q.session_id, q.turn_id, q.text, q.lang, article_id, _actor(),
                                         now()))
    return redirect(url_for("insights_kb.gaps", **p.query(), done=f"labelled:{len(gap.asked)}"), 303)


@bp.get("/changes")
@console_required("manager")
def changes() -> Any:
    p = _period_or_error()
    if not isinstance(p, Period):
        return p
    s = services()
    review = KbChanges(s.store, s.settings, s.bot.encoder, clock=now)
    pending, decided = [], []
    for c in s.store.kb_changes():
        if c.status == ChangeStatus.PENDING:
            try:
                diff = review.preview(c.change_id)
            except FaqbotError as e:
                diff = f"# {e}"
            pending.append((c, diff))
        else:
            decided.append((c, c.diff))
    user = current_user()
    return render_template("console/insights_changes.html", p=p, pending=pending, decided=decided,
                           is_admin=bool(user and may_act_as(user.role, "admin")),
                           done=request.args.get("done", ""), error=request.args.get("error", ""))


@bp.post("/changes/<change_id>/approve")
@console_required("admin")
def approve(change_id: str) -> Any:
    s = services()
    reload: Callable[[], object] | None = current_app.extensions.get(RELOAD)
    try:
        review = KbChanges(s.store, s.settings, s.bot.encoder, clock=now)
        applied = review.approve(change_id, _actor(), reload)
    except FaqbotError as e:
        return redirect(url_for("insights_kb.changes", error=str(e)), 303)
    done = f"approved:{len(applied.files)}:{applied.stats.n_embedded}"
    return redirect(url_for("insights_kb.changes", done=done, _anchor=change_id), 303)


@bp.post("/changes/<change_id>/reject")
@console_required("admin")
def reject(change_id: str) -> Any:
    s = services()
    try:
        KbChanges(s.store, s.settings, clock=now).reject(change_id, _actor())
    except FaqbotError as e:
        return redirect(url_for("insights_kb.changes", error=str(e)), 303)
    return redirect(url_for("insights_kb.changes", done="rejected"), 303)


@bp.get("/coverage")
@console_required("manager")
def coverage() -> Any:
    """The coverage report (eval.report) of the live questions labelled here or resolved by agents
    with an article link, measured on the index being served: `faqbot eval --from-store`."""
    from eval.from_store import store_queries
    from eval.harness import run_queries
    from eval.metrics import compute_metrics
    from eval.report import render_report

    s = services()
    p = _period_or_error()
    if not isinstance(p, Period):
        return p
    try:
        queries = store_queries(s.store, s.bot.kb, p.since, p.until)
    except FaqbotError as e:
        return render_template("console/error.html", message=str(e)), 404
    outcomes = run_queries(s.bot, queries)
    metrics = compute_metrics(outcomes, s.settings.target_precision)
    current = s.bot.threshold(None)
    page = render_report(outcomes, metrics, s.bot.kb, embed=s.bot.encoder.encode_queries,
                         title=f"faqbot coverage report: live questions {p.since_day} to {p.until_day}",
                         thresholds={"current": current.value, "source": current.source},
                         calibrate_command="faqbot calibrate --from-store")
    # A self-contained page (inline CSS, charts as data: images, no script): the server's CSP fits it.
    return Response(page, mimetype="text/html")
