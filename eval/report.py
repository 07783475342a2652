"""The self-contained HTML coverage report `faqbot eval --html` writes for content writers.

One file, no external resources (inline CSS, charts as base64 PNG), so it can be mailed or attached
to a ticket. Every question is customer text and every title writer text: all of it is escaped.
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Sequence
from typing import Any

from eval.metrics import Outcome
from eval.report_data import (
    NEEDS_WORK_RULE,
    ArticleStats,
    Embed,
    QuestionGroup,
    article_stats,
    article_title,
    confusions,
    group_questions,
    held_out_of_scope,
    real_gaps,
    wrongly_answered,
)
from eval.report_plots import confidence_histogram_png, precision_coverage_png, reliability_png
from kb.models import KnowledgeBase

log = logging.getLogger(__name__)

MAX_CONFUSIONS = 15
MAX_GROUPS = 20

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;background:#f6f7f9;
 margin:0;padding:0 1rem 3rem}
main{max-width:1100px;margin:auto}
h1{font-size:1.6rem;margin:1.5rem 0 .3rem}h2{font-size:1.25rem;margin:0 0 .3rem}h3{font-size:1.05rem}
nav a{margin-right:1rem;color:#0b5cad}
section{background:#fff;border:1px solid #e1e4ea;border-radius:8px;padding:1rem 1.3rem;margin:1.2rem 0}
.how{color:#5b6475;font-size:.9rem;margin:0 0 .8rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:.8rem}
.card{border:1px solid #e1e4ea;border-radius:6px;padding:.6rem .8rem}
.big{font-size:1.7rem;font-weight:600}.card p{margin:.2rem 0;font-size:.88rem;color:#3b4252}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eceef2;vertical-align:top}
th{background:#f0f2f5}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.85em;color:#5b6475}
.badge{display:inline-block;border-radius:4px;padding:0 .4rem;font-size:.78rem;font-weight:600}
.bad{background:#fde2d8;color:#8a2c0d}.warn{background:#fff1c2;color:#6b5200}.ok{background:#d9f2e6;color:#0d5c3a}
.group{border-left:4px solid #0072B2;padding:.2rem .8rem;margin:.7rem 0}
.group ul{margin:.2rem 0 .2rem 1.2rem;padding:0}.rep{font-weight:600}
figure{margin:1rem 0}figure img{max-width:100%;height:auto}figcaption{color:#5b6475;font-size:.88rem}
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _pct(x: float | None) -> str:
    if x is None:
        return "n/a"
    value = x * 100
    # 99.6% is not 100%: one decimal whenever rounding would hide that something is off.
    return f"{value:.1f}%" if (99 < value < 100 or 0 < value < 1) else f"{value:.0f}%"


def _threshold(t: float | None) -> str:
    return "none reaches the target" if t is None else f"{t:g}"


def _article(kb: KnowledgeBase, article_id: str | None) -> str:
    if article_id is None:
        return "<em>no article</em>"
    title = article_title(kb, article_id)
    return f"{_e(title)} <code>{_e(article_id)}</code>" if title else f"<code>{_e(article_id)}</code>"


def _section(sid: str, heading: str, how: str, body: str) -> str:
    return (f'<section id="{sid}"><h2>{_e(heading)}</h2><p class="how">How to read this: {_e(how)}</p>'
            f"{body}</section>")


def _card(value: str, label: str, explanation: str) -> str:
    return (f'<div class="card"><div class="big">{_e(value)}</div><p><b>{_e(label)}</b></p>'
            f"<p>{_e(explanation)}</p></div>")


def _summary(outcomes: Sequence[Outcome], m: dict[str, Any], thresholds: dict[str, Any] | None,
             command: str) -> str:
    answered = [o for o in outcomes if o.answered is not None]
    n_right = sum(o.right for o in answered)
    ins = [o for o in outcomes if o.query.in_scope]
    oos = [o for o in outcomes if not o.query.in_scope]
    held = sum(o.answered is None for o in oos)
    lat = m.get("latency_ms", {})
    cards = [
        _card(str(m["n_queries"]), "Test questions",
              f"{m['n_in_scope']} have an article that answers them, {m['n_out_of_scope']} have none."),
        _card(_pct(m["answered_precision"]), "Precision of auto-answers",
              f"Of {len(answered)} questions the bot answered on its own, {n_right} got the right article."),
        _card(_pct(m["resolution_rate"]), "Resolved automatically",
              f"Of {len(ins)} questions that have an article, the bot answered "
              f"{sum(o.right for o in ins)} on its own with the right one."),
        _card(_pct(m["escalation_recall"]), "Held back when no article fits",
              f"Of {len(oos)} questions no article covers, the bot did not auto-answer {held} "
              "(it suggested articles or passed them to a person)."),
        _card(_pct(m["top1_accuracy"]), "Right article ranked first",
              f"Regardless of confidence; the right article was in the top three for "
              f"{_pct(m['recall_at_3'])} of the questions that have one."),
        _card(_pct(m["suggest_rate"]), "Answered with suggestions",
              "Questions where the bot was unsure and offered a few articles instead of one answer."),
        _card(f"{lat.get('p50', 0):g} ms", "Typical response time",
              f"Half of the questions took less than this; 95% took less than {lat.get('p95', 0):g} ms."),
    ]
    rec, target = m.get("recommended_threshold"), m.get("target_precision")
    point = next((p for p in m.get("threshold_curve", []) if rec is not None and p["threshold"] == rec), None)
    if point is not None:
        advice = (f"To keep auto-answer precision at or above {_pct(target)}, set the confidence "
                  f"threshold to {rec:g}. On these questions the bot would then resolve "
                  f"{_pct(point['resolution_rate'])} of the answerable ones and hold back "
                  f"{_pct(point['escalation_recall'])} of the others.")
    else:
        advice = (f"No confidence threshold reaches the {_pct(target)} precision target on these questions: "
                  "the articles or their example questions need work before the bot can answer on its own.")
    current = (thresholds or {}).get("current")
    if current is not None:
        source = (thresholds or {}).get("source") or "settings"
        advice = f"The bot answers on its own above {current:g} now ({source}). " + advice
        if rec is not None and abs(rec - current) > 1e-9:
            advice += f" To apply it: {command}"
    label = f"Recommended threshold (target precision {_pct(target)})"
    value = _threshold(rec) if current is None else f"{_threshold(rec)} (now {current:g})"
    cards.append(_card(value, label, advice))
    return _section("summary", "Summary",
                    "each box is one headline number; the sentence under it says what it counts.",
                    f'<div class="cards">{"".join(cards)}</div>')


def _languages(m: dict[str, Any]) -> str:
    head = ("<tr><th>Language</th><th class=n>Questions</th><th class=n>With an article</th>"
            "<th class=n>Precision of auto-answers</th><th class=n>Resolved automatically</th>"
            "<th class=n>Held back when no article fits</th><th class=n>Right article ranked first</th>"
            "<th class=n>Recommended threshold</th></tr>")
    rows = "".join(
        f"<tr><td>{_e(lang)}</td><td class=n>{s['n_queries']}</td><td class=n>{s['n_in_scope']}</td>"
        f"<td class=n>{_pct(s['answered_precision'])}</td><td class=n>{_pct(s['resolution_rate'])}</td>"
        f"<td class=n>{_pct(s['escalation_recall'])}</td><td class=n>{_pct(s['top1_accuracy'])}</td>"
        f"<td class=n>{_e(_threshold(s.get('recommended_threshold')))}</td></tr>"
        for lang, s in m.get("per_language", {}).items())
    return _section("languages", "By language",
                    "the summary numbers for each customer language; a language far below the others "
                    "usually lacks translated articles or example questions.",
                    f"<table>{head}{rows}</table>")


def _status(r: ArticleStats) -> str:
    if not r.in_kb:
        return '<span class="badge bad">not in the knowledge base</span>'
    if r.needs_work:
        return '<span class="badge bad">needs work</span>'
    if r.problems:
        return f'<span class="badge warn">{r.problems} problem{"s" if r.problems > 1 else ""}, watch</span>'
    if not r.n_questions:
        return '<span class="badge warn">untested</span>'
    return '<span class="badge ok">ok</span>'


def _articles(outcomes: Sequence[Outcome], kb: KnowledgeBase) -> str:
    head = ("<tr><th>Status</th><th>Article</th><th>Languages</th><th class=n>Test questions</th>"
            "<th class=n>Answered right</th><th class=n>Missed</th>"
            "<th class=n>Wrongly answered with it</th><th>The questions</th></tr>")
    rows = "".join(
        f"<tr><td>{_status(r)}</td><td>{_article(kb, r.article_id)}</td><td>{_e(', '.join(r.languages))}</td>"
        f"<td class=n>{r.n_questions}</td><td class=n>{r.n_right}</td><td class=n>{r.n_missed}</td>"
        f"<td class=n>{r.n_wrongly_answered}</td><td>{_problem_list(kb, r)}</td></tr>"
        for r in article_stats(outcomes, kb))
    return _section("articles", "By article",
                    "worst first. Missed: questions meant for the article that the bot did not answer with "
                    "it. Wrongly answered with it: the bot used the article for a question meant for "
                    "another article or for none - its wording may be too broad. Untested articles have "
                    f"no test questions yet. Rule: {NEEDS_WORK_RULE}; fewer problems are marked 'watch'.",
                    f"<table>{head}{rows}</table>")


def _problem_list(kb: KnowledgeBase, r: ArticleStats) -> str:
    if not r.problems:
        return ""
    def went(o: Outcome) -> str:
        if o.answered:
            return f"answered with {_article(kb, o.answered)}"
        return f"not answered ({_e(o.decision)})"

    missed = "".join(f"<li>missed [{_e(o.language)}] &ldquo;{_e(o.query.text)}&rdquo; - {went(o)}</li>"
                     for o in r.missed)
    wrong = "".join(
        f"<li>wrongly answered [{_e(o.language)}] &ldquo;{_e(o.query.text)}&rdquo; - meant for "
        f"{_article(kb, o.query.expected)}</li>" for o in r.wrongly_answered)
    return f"<details><summary>{r.problems} questions</summary><ul>{missed}{wrong}</ul></details>"


def _confusions(outcomes: Sequence[Outcome], kb: KnowledgeBase) -> str:
    pairs = confusions(outcomes)
    if not pairs:
        body = "<p>No article was ranked first for another article's question.</p>"
    else:
        items = []
        for p in pairs[:MAX_CONFUSIONS]:
            examples = "".join(
                f"<li>&ldquo;{_e(o.query.text)}&rdquo; - meant for <code>{_e(o.query.expected)}</code>, "
                f"bot's first choice <code>{_e(o.top)}</code></li>" for o in p.examples)
            items.append(
                f'<div class="group"><p class="rep">{_article(kb, p.a)} &harr; {_article(kb, p.b)}</p>'
                f"<p>{p.total} questions confused: {p.a_to_b} meant for <code>{_e(p.a)}</code> went to "
                f"<code>{_e(p.b)}</code>, {p.b_to_a} the other way.</p><ul>{examples}</ul></div>")
        hidden = len(pairs) - MAX_CONFUSIONS
        more = f"<p>{hidden} more pairs not shown.</p>" if hidden > 0 else ""
        body = "".join(items) + more
    return _section("confusions", "Articles that get confused",
                    "pairs of articles whose questions land on each other, most confused first. They are "
                    "candidates to merge, or to reword so each clearly says what it is (and is not) about.",
                    body)


def _leaned(kb: KnowledgeBase, article_id: str | None) -> str:
    return "<em>no candidate article</em>" if article_id is None else _article(kb, article_id)


def _groups(groups: list[QuestionGroup], total: int, kb: KnowledgeBase, lean_label: str) -> str:
    if not groups:
        return "<p>None.</p>"
    parts = []
    for g in (g for g in groups if g.size > 1):
        others = "".join(f"<li>&ldquo;{_e(t)}&rdquo;</li>" for t in g.examples[1:])
        notes = [f"{lean_label}: {_leaned(kb, g.leaned_to)} ({g.leaned_count} of {g.size})"]
        if g.n_out_of_scope:
            notes.append(f"{g.n_out_of_scope} of {g.size} have no article yet")
        if g.expected:
            notes.append("meant for " + ", ".join(f"{_article(kb, a)} ({n})" for a, n in g.expected[:3]))
        parts.append(f'<div class="group"><p><span class="rep">{g.size} &times; &ldquo;{_e(g.representative)}'
                     f"&rdquo;</span></p><ul>{others}</ul><p>{'; '.join(notes)}.</p></div>")
    # One-off questions would each take a card; a compact table keeps the recurring topics visible.
    singles = [g for g in groups if g.size == 1]
    if singles:
        rows = "".join(
            f"<tr><td>&ldquo;{_e(g.representative)}&rdquo;</td><td>{_leaned(kb, g.leaned_to)}</td>"
            f"<td>{_article(kb, g.expected[0][0]) if g.expected else 'no article yet'}</td></tr>"
            for g in singles)
        head = f"<tr><th>Question</th><th>{_e(lean_label)}</th><th>Meant for</th></tr>"
        parts.append(f"<p>{'Other single' if parts else 'Single'} questions, each unlike the rest:</p>"
                     f"<table>{head}{rows}</table>")
    shown = sum(g.size for g in groups)
    more = f"<p>{total - shown} more questions in smaller groups not shown.</p>" if total > shown else ""
    return "".join(parts) + more


def _gaps(outcomes: Sequence[Outcome], kb: KnowledgeBase, embed: Embed | None) -> str:
    held, wrong, oos = real_gaps(outcomes), wrongly_answered(outcomes), held_out_of_scope(outcomes)
    how_grouped = ("similar questions are grouped together" if embed is not None
                   else "questions are grouped by the article the bot leaned to")
    stats: dict[str, Any] = {}
    held_groups = group_questions(held, embed, max_groups=MAX_GROUPS, stats=stats)
    wrong_stats: dict[str, Any] = {}
    wrong_groups = group_questions(wrong, embed, by_answer=True, max_groups=MAX_GROUPS, stats=wrong_stats)
    purity = "".join(
        f"<p class=how>{_e(name)}: grouping purity {_pct(s.get('purity_before'))} (questions whose group "
        f"is mostly about their own article); {s.get('split', 0)} mixed groups were split by article, "
        f"giving {_pct(s.get('purity_after'))}.</p>"
        for name, s in (("Not answered", stats), ("Wrongly answered", wrong_stats)) if s)
    oos_rows = "".join(f"<li>[{_e(o.language)}] &ldquo;{_e(o.query.text)}&rdquo;</li>" for o in oos[:50])
    more = f"<p>{len(oos) - 50} more not shown.</p>" if len(oos) > 50 else ""
    body = (f'<h3 id="gaps-unanswered">Answerable, but not answered automatically ({len(held)} '
            f"questions)</h3>{_groups(held_groups, len(held), kb, 'Bot leaned to')}"
            f'<h3 id="gaps-wrong">Answered with the wrong article ({len(wrong)} questions)</h3>'
            f"{_groups(wrong_groups, len(wrong), kb, 'Bot answered with')}{purity}"
            f'<h3 id="gaps-out-of-scope">Labelled out of scope and rightly held back ({len(oos)} '
            "questions)</h3><p class=how>Not gaps: the test set says no article should answer these, "
            f"and the bot did not. Listed so they are not mistaken for missing articles.</p>"
            f"<details><summary>The questions</summary><ul>{oos_rows}</ul>{more}</details>")
    return _section("gaps", "Gaps: what customers ask that the articles do not answer well",
                    f"{how_grouped}, biggest group first. A group meant for an existing article needs "
                    "its wording or example questions improved; a wrong answer to a question no article "
                    "covers means the article is worded too broadly (or a new article is due).", body)


def _img(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{_e(alt)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _plots(outcomes: Sequence[Outcome], m: dict[str, Any]) -> str:
    rec = m.get("recommended_threshold")
    curve = _img(precision_coverage_png(m.get("threshold_curve", []), rec, m.get("target_precision")),
                 "Chart: precision of auto-answers against the share of questions resolved, per threshold",
                 "Moving right answers more questions automatically; moving down means more of those "
                 "answers are wrong. The star is the recommended threshold, the dashed line the target.")
    hist = _img(confidence_histogram_png(outcomes, rec),
                "Chart: how confident the bot was in its first choice, for right, wrong and "
                "uncovered questions",
                "Green bars right of the dashed line are questions the bot resolves; orange and grey bars "
                "right of it are wrong auto-answers. Overlap between the colours is what no threshold fixes.")
    calibration = m.get("calibration") or {}
    diagram = ""
    if calibration.get("bins"):
        diagram = _img(reliability_png(calibration["bins"], calibration.get("ece")),
                       "Chart: reliability diagram, how often the first choice was right at each confidence",
                       "Bars on the dashed diagonal mean a confidence of 0.9 is right about 9 times in 10. "
                       "Bars below it: the bot is over-confident there; above it: more cautious than it "
                       f"needs to be. Expected calibration error: {calibration.get('ece')}.")
    return _section("plots", "Charts", "how the choice of confidence threshold trades answering more "
                    "questions against answering them right, and whether the confidence means what it "
                    "says.", curve + hist + diagram)


def render_report(outcomes: Sequence[Outcome], metrics: dict[str, Any], kb: KnowledgeBase, *,
                  embed: Embed | None = None,
                  title: str = "faqbot coverage report", thresholds: dict[str, Any] | None = None,
                  calibrate_command: str = "faqbot calibrate --queries QUERIES.jsonl") -> str:
    """One self-contained HTML page: summary, per language, per article, confusions, gaps, charts.

    `metrics` is `compute_metrics(outcomes)`; `embed` maps texts to L2-normalised vectors and, when
    given, groups unanswered questions by meaning instead of by the article the bot leaned to.
    `thresholds` {"current": the answer threshold in force, "source": where it comes from} puts the
    current value beside the recommended one, with `calibrate_command` to apply it.
    """
    if not outcomes:
        raise ValueError(f"no outcomes to report on: {outcomes!r}")
    missing = {"n_queries", "threshold_curve", "per_language", "recommended_threshold"} - set(metrics)
    if missing:
        raise ValueError(f"metrics lack {sorted(missing)}: pass compute_metrics(outcomes)")
    nav = "".join(f'<a href="#{sid}">{name}</a>' for sid, name in (
        ("summary", "Summary"), ("languages", "Languages"), ("articles", "Articles"),
        ("confusions", "Confusions"), ("gaps", "Gaps"), ("plots", "Charts")))
    sections = [_summary(outcomes, metrics, thresholds, calibrate_command), _languages(metrics),
                _articles(outcomes, kb), _confusions(outcomes, kb), _gaps(outcomes, kb, embed),
                _plots(outcomes, metrics)]
    log.info("rendered coverage report for %d questions and %d articles", len(outcomes), len(kb.ids))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>"
            f"<h1>{_e(title)}</h1><p class=how>{len(outcomes)} test questions against {len(kb.ids)} "
            f"articles in {_e(', '.join(kb.languages))}.</p><nav>{nav}</nav>"
            + "".join(sections) + "</main></body></html>\n")
