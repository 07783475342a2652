"""The coverage report's charts, as PNG bytes, drawn off-screen.

Figures are built from `matplotlib.figure.Figure` on the Agg canvas, never through pyplot: pyplot
keeps global figure state, which leaks between reports rendered in one process (or thread).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from eval.metrics import Outcome

# Colour-blind-safe (Okabe-Ito) and the same meaning in every chart.
RIGHT, WRONG, OUT_OF_SCOPE, MARK = "#009E73", "#D55E00", "#7F7F7F", "#0072B2"
_DPI = 110


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight")
    return buf.getvalue()


def _style(ax: Any) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(alpha=0.3, linewidth=0.6)


def precision_coverage_png(curve: Sequence[dict[str, Any]], recommended: float | None,
                           target: float | None) -> bytes:
    """Answered precision against resolution rate as the threshold sweeps, the recommended point marked."""
    points = [p for p in curve if p.get("answered_precision") is not None
              and p.get("resolution_rate") is not None]
    points.sort(key=lambda p: p["threshold"])
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    _style(ax)
    if points:
        ax.plot([p["resolution_rate"] * 100 for p in points], [p["answered_precision"] * 100 for p in points],
                color=MARK, linewidth=2, marker="o", markersize=2.5, label="each possible threshold")
        # A few threshold labels along the curve so the axis of "how strict" is readable too.
        for t in (0.3, 0.5, 0.7, 0.9):
            near = min(points, key=lambda p: abs(p["threshold"] - t))
            if abs(near["threshold"] - t) < 0.011:
                ax.annotate(f"{near['threshold']:g}", (near["resolution_rate"] * 100,
                            near["answered_precision"] * 100), textcoords="offset points",
                            xytext=(4, -10), fontsize=8, color="#444")
    else:
        ax.text(0.5, 0.5, "no threshold answers any question", ha="center", transform=ax.transAxes)
    if target is not None:
        ax.axhline(target * 100, color=WRONG, linestyle="--", linewidth=1.2,
                   label=f"target precision {target:.0%}")
    chosen = next((p for p in points if recommended is not None
                   and abs(p["threshold"] - recommended) < 1e-9), None)
    if chosen is not None:
        ax.plot([chosen["resolution_rate"] * 100], [chosen["answered_precision"] * 100], marker="*",
                markersize=16, color=RIGHT, linestyle="none", zorder=5,
                label=f"recommended threshold {recommended:g}")
    ax.set_xlabel("questions with an article that the bot answers right on its own (%)")
    ax.set_ylabel("auto-answers that are right (%)")
    ax.set_xlim(0, 100)
    low = min([p["answered_precision"] * 100 for p in points] + [(target or 1) * 100, 100])
    ax.set_ylim(max(0.0, low - 5), 101)
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    return _png(fig)


def confidence_histogram_png(outcomes: Sequence[Outcome], threshold: float | None) -> bytes:
    """How confident the bot's first choice was, split by whether that choice was right."""
    right = [o.confidence for o in outcomes if o.query.in_scope and o.top == o.query.expected]
    wrong = [o.confidence for o in outcomes if o.query.in_scope and o.top != o.query.expected]
    oos = [o.confidence for o in outcomes if not o.query.in_scope]
    fig = Figure(figsize=(6.4, 3.8))
    ax = fig.add_subplot()
    _style(ax)
    bins = [i / 20 for i in range(21)]
    # Stacked, so a bar's height is every question at that confidence and its colours say how
    # many of them an auto-answer would get wrong.
    groups = [(v, c, f"{label} ({len(v)})") for v, c, label in (
        (right, RIGHT, "first choice right"), (wrong, WRONG, "first choice wrong"),
        (oos, OUT_OF_SCOPE, "no article covers it")) if v]
    if groups:
        ax.hist([g[0] for g in groups], bins=bins, stacked=True, color=[g[1] for g in groups],
                label=[g[2] for g in groups], edgecolor="white", linewidth=0.6)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if threshold is not None:
        ax.axvline(threshold, color=MARK, linestyle="--", linewidth=1.5,
                   label=f"recommended threshold {threshold:g}")
    ax.set_xlim(0, 1)
    ax.set_xlabel("bot's confidence in its first choice")
    ax.set_ylabel("questions")
    # Above the axes: inside, it would hide the tallest bars, which sit where the legend goes.
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False)
    return _png(fig)


def reliability_png(bins: Sequence[dict[str, Any]], ece: float | None) -> bytes:
    """Reliability diagram: for each confidence bin, how often the first choice was right, against
    the diagonal a confidence that means what it says would follow; bar widths show how many
    questions each bin holds."""
    fig = Figure(figsize=(6.4, 4.2))
    ax = fig.add_subplot()
    _style(ax)
    ax.plot([0, 100], [0, 100], color=OUT_OF_SCOPE, linestyle="--", linewidth=1.2,
            label="confidence that means what it says")
    filled = [b for b in bins if b["n"]]
    total = sum(b["n"] for b in filled) or 1
    for b in filled:
        # Bar height: accuracy in the bin; its width shrinks with the share of questions it holds.
        width = (b["high"] - b["low"]) * 100 * max(0.15, (b["n"] / total) ** 0.5)
        centre = (b["low"] + b["high"]) * 50
        ax.bar(centre, b["accuracy"] * 100, width=width, color=MARK, alpha=0.75, edgecolor="white")
        ax.plot([centre], [b["confidence"] * 100], marker="_", markersize=14, color=WRONG)
    ax.plot([], [], color=MARK, linewidth=8, alpha=0.75,
            label="first choice right (%), wider = more questions")
    ax.plot([], [], color=WRONG, marker="_", markersize=14, linestyle="none",
            label="mean confidence in the bin")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 101)
    ax.set_xlabel("bot's confidence in its first choice (%)")
    ax.set_ylabel("first choices that were right (%)")
    title = "reliability" if ece is None else f"reliability (expected calibration error {ece:.3f})"
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return _png(fig)
