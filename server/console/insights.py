"""The insights dashboard (/console/insights, manager or admin): the bot's results for a period,
language and queue as SVG charts over time with the numbers beside them, a CSV export, the agents'
reply times, and the coverage report of live questions. Every figure is `bot.analytics.analytics`
for the same store and filters, i.e. what `faqbot report --json` prints."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request

from bot.analytics import Report, Stats, analytics
from bot.console_messages import language_label
from kb.errors import FaqbotError
from server.console.auth import console_required, now, t, ui_lang
from server.console.charts import Series, bars, lines
from server.context import services

bp = Blueprint("insights", __name__, url_prefix="/console/insights", template_folder="templates")
DEFAULT_DAYS = 14
# The figures of a Stats row the dashboard and its CSV show, in order.
FIGURES = ("conversations", "questions", "answered", "auto_resolved", "auto_resolution_rate", "escalations",
           "escalation_rate", "helpful_yes", "helpful_no", "csat_count", "csat_avg", "response_ms_p50",
           "response_ms_p95", "out_of_hours", "out_of_hours_share")


class PeriodError(FaqbotError):
    """A period the dashboard cannot show (a bad date, or one that ends before it starts)."""


@dataclass(frozen=True)
class Period:
    since: float
    until: float
    since_day: str
    until_day: str
    lang: str  # "" = every language
    queue: str  # "" = every queue

    def query(self) -> dict[str, Any]:
        return {"since": self.since_day, "until": self.until_day, "language": self.lang, "queue": self.queue}


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(f"not a date (YYYY-MM-DD): {text[:40]!r}") from None


def period() -> Period:
    """The period of the query string: ?since=YYYY-MM-DD&until=YYYY-MM-DD (exclusive) &language
    (the customer's; `lang` is the console's own) &queue;
    by default the last DEFAULT_DAYS days up to and including today (UTC)."""
    a = request.args
    today = dt.datetime.fromtimestamp(now(), dt.UTC).date()
    until = _day(a["until"]) if a.get("until") else today + dt.timedelta(days=1)
    since = _day(a["since"]) if a.get("since") else until - dt.timedelta(days=DEFAULT_DAYS)
    if until <= since:
        raise PeriodError(f"until ({until}) must be after since ({since})")
    start = dt.datetime.combine(since, dt.time(), dt.UTC).timestamp()
    end = dt.datetime.combine(until, dt.time(), dt.UTC).timestamp()
    queue = a.get("queue", "")
    if queue and queue not in {q.name for q in services().settings.queues}:
        raise PeriodError(f"unknown queue {queue[:40]!r}")
    return Period(start, end, since.isoformat(), until.isoformat(), a.get("language", "")[:20], queue)


def report_for(p: Period) -> Report:
    return analytics(services().store, p.since, p.until, lang=p.lang or None, queue=p.queue or None)


def _charts(report: Report) -> list[tuple[str, str, str]]:
    """(id, title, SVG) of each chart."""
    days = [s.day for s in report.by_day]

    def col(name: str) -> tuple[float | None, ...]:
        return tuple(getattr(s, name) for s in report.by_day)

    reasons = sorted(report.totals.escalations_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    specs: list[tuple[str, str, Any, list[str], list[Series], bool]] = [
        ("conv", "ins_chart_conv", bars, days, [Series(t("console.ins_conversations"), col("conversations"))],
         False),
        ("auto", "ins_chart_auto", lines, days,
         [Series(t("console.ins_auto_rate"), col("auto_resolution_rate"))], True),
        ("reasons", "ins_by_reason", bars, [r for r, _ in reasons],
         [Series(t("console.ins_escalations"), tuple(float(n) for _, n in reasons))], False),
        ("feedback", "ins_chart_feedback", bars, days,
         [Series(t("console.ins_helpful"), col("helpful_yes")),
          Series(t("console.ins_unhelpful"), col("helpful_no"))], False),
        ("csat", "ins_chart_csat", lines, days, [Series(t("console.ins_csat"), col("csat_avg"))], False),
        ("response", "ins_chart_response", lines, days,
         [Series(t("console.ins_p50"), col("response_ms_p50")),
          Series(t("console.ins_p95"), col("response_ms_p95"))], False),
        ("ooh", "ins_chart_ooh", lines, days,
         [Series(t("console.ins_ooh"), col("out_of_hours_share"))], True),
    ]
    out = []
    for name, key, draw, labels, series, percent in specs:
        title = t(f"console.{key}")
        out.append((name, title, draw(f"c-{name}", title, labels, series, percent=percent)))
    return out


def shown(value: Any, name: str = "") -> str:
    """A figure as the page and the CSV show it: the JSON's number, rates as they are (0-1)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def _languages() -> list[tuple[str, str]]:
    langs = services().bot.kb.languages
    return [(code, language_label(code, ui_lang())) for code in langs]


@bp.get("")
@console_required("manager")
def dashboard() -> Any:
    try:
        p = period()
    except PeriodError as e:
        return render_template("console/error.html", message=f"{t('console.ins_bad_period')} ({e})"), 400
    report = report_for(p)
    return render_template("console/insights.html", p=p, report=report, figures=FIGURES, shown=shown,
                           charts=_charts(report) if report.by_day else [], languages=_languages(),
                           queues=[q.name for q in services().settings.queues],
                           minutes=lambda s: "" if s is None else f"{s / 60:.1f}")


@bp.get("/export.csv")
@console_required("manager")
def export_csv() -> Any:
    try:
        p = period()
    except PeriodError as e:
        return Response(f"{e}\n", 400, mimetype="text/plain")
    report = report_for(p)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "lang", *FIGURES, "escalations_by_reason"])
    rows: list[Stats] = [*report.by_day, report.totals]
    for s in rows:
        reasons = "; ".join(f"{k}={v}" for k, v in s.escalations_by_reason.items())
        writer.writerow([s.day, p.lang or "all", *(shown(getattr(s, f)) for f in FIGURES), reasons])
    name = f"faqbot-insights-{p.since_day}-{p.until_day}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
