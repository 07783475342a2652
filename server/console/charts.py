"""Server-rendered SVG charts for the insights dashboard: no script, no external resource.

Readable without colour: every bar and point carries its value as text, series differ by fill
pattern and marker shape as well as by colour, and every chart has a title and a description for
screen readers (the same numbers are in the table beside it). All text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
_PAD_L, _PAD_R, _PAD_T, _PAD_B = 48, 12, 16, 44
# Okabe-Ito colours (colour-blind safe), each also with its own pattern / marker.
_INK = ("#0b57b0", "#b35c00", "#1d6b34", "#6a3d9a")
_PATTERNS = ("solid", "hatch", "dots", "cross")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{100 * value:.0f}%"
    return f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.1f}"


def _defs(uid: str) -> str:
    return (f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{_INK[1]}" stroke-width="3"/></pattern>'
            f'<pattern id="{uid}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="#fff"/><circle cx="3" cy="3" r="1.8" fill="{_INK[2]}"/>'
            "</pattern>"
            f'<pattern id="{uid}-cross" width="6" height="6" patternUnits="userSpaceOnUse">'
            f'<rect width="6" height="6" fill="#fff"/><path d="M0 0L6 6M6 0L0 6" stroke="{_INK[3]}"/>'
            f"</pattern></defs>")


def _fill(uid: str, i: int) -> str:
    return _INK[0] if _PATTERNS[i % 4] == "solid" else f"url(#{uid}-{_PATTERNS[i % 4]})"


def _frame(uid: str, title: str, desc: str, body: str, legend: str = "") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-labelledby="{uid}-t {uid}-d"><title id="{uid}-t">{_e(title)}</title>'
            f'<desc id="{uid}-d">{_e(desc)}</desc>{_defs(uid)}{body}{legend}</svg>')


def _axes(top: float, percent: bool, labels: Sequence[str], step: float) -> str:
    plot_h = HEIGHT - _PAD_T - _PAD_B
    out = [f'<line x1="{_PAD_L}" y1="{HEIGHT - _PAD_B}" x2="{WIDTH - _PAD_R}" y2="{HEIGHT - _PAD_B}" '
           'stroke="#4a5260"/>']
    for frac in (0, 0.5, 1):
        y = HEIGHT - _PAD_B - frac * plot_h
        out.append(f'<text x="{_PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#1b1f24">'
                   f"{_e(_fmt(top * frac, percent))}</text>")
    every = max(1, round(len(labels) / 8))
    for i, label in enumerate(labels):
        if i % every == 0:
            x = _PAD_L + step * (i + 0.5)
            out.append(f'<text x="{x:.1f}" y="{HEIGHT - _PAD_B + 16}" text-anchor="middle" font-size="11" '
                       f'fill="#1b1f24">{_e(label[5:] if len(label) == 10 else label)}</text>')
    return "".join(out)


def bars(uid: str, title: str, labels: Sequence[str], series: Sequence[Series], *,
         percent: bool = False) -> str:
    """Grouped vertical bars, one group per label; each bar's value written above it."""
    values = [v for s in series for v in s.values if v is not None]
    top = max(values, default=0) or 1
    top = 1.0 if percent else top
    step = (WIDTH - _PAD_L - _PAD_R) / max(len(labels), 1)
    width = step * 0.8 / max(len(series), 1)
    plot_h = HEIGHT - _PAD_T - _PAD_B
    body = [_axes(top, percent, labels, step)]
    for k, s in enumerate(series):
        for i, v in enumerate(s.values):
            if v is None:
                continue
            h = plot_h * v / top
            x = _PAD_L + step * i + step * 0.1 + width * k
            y = HEIGHT - _PAD_B - h
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                        f'fill="{_fill(uid, k)}" stroke="{_INK[k % 4]}">'
                        f"<title>{_e(labels[i])} {_e(s.name)}: "
                        f"{_e(_fmt(v, percent))}</title></rect>")
            if len(labels) * len(series) <= 32:
                body.append(f'<text x="{x + width / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                            f'font-size="10" fill="#1b1f24">{_e(_fmt(v, percent))}</text>')
    desc = _describe(labels, series, percent)
    return _frame(uid, title, desc, "".join(body), _legend(uid, series, "bar"))


def lines(uid: str, title: str, labels: Sequence[str], series: Sequence[Series], *,
          percent: bool = False) -> str:
    """Lines with a distinct marker per series (circle, square, triangle) and each value written."""
    values = [v for s in series for v in s.values if v is not None]
    top = 1.0 if percent else (max(values, default=0) or 1)
    step = (WIDTH - _PAD_L - _PAD_R) / max(len(labels), 1)
    plot_h = HEIGHT - _PAD_T - _PAD_B
    body = [_axes(top, percent, labels, step)]
    for k, s in enumerate(series):
        points = [(_PAD_L + step * (i + 0.5), HEIGHT - _PAD_B - plot_h * v / top, v)
                  for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            dash = ' stroke-dasharray="6 3"' if k % 2 else ""
            body.append(f'<polyline points="{path}" fill="none" stroke="{_INK[k % 4]}" '
                        f'stroke-width="2"{dash}/>')
        for x, y, v in points:
            body.append(_marker(k, x, y))
            if len(points) <= 16:
                body.append(f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle" font-size="10" '
                            f'fill="#1b1f24">{_e(_fmt(v, percent))}</text>')
    desc = _describe(labels, series, percent)
    return _frame(uid, title, desc or "no data", "".join(body), _legend(uid, series, "line"))


def _describe(labels: Sequence[str], series: Sequence[Series], percent: bool) -> str:
    """Every value in words, for screen readers."""
    parts = []
    for s in series:
        values = [f"{lab} {_fmt(v, percent)}"
                  for lab, v in zip(labels, s.values, strict=True) if v is not None]
        parts.append(f"{s.name}: {', '.join(values)}")
    return "; ".join(parts)


def _marker(k: int, x: float, y: float) -> str:
    ink = _INK[k % 4]
    if k % 3 == 1:
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{ink}"/>'
    if k % 3 == 2:
        return (f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" '
                f'fill="{ink}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{ink}"/>'


def _legend(uid: str, series: Sequence[Series], kind: str) -> str:
    if len(series) < 2:
        return ""
    out = []
    for k, s in enumerate(series):
        x = _PAD_L + k * 150
        y = HEIGHT - 12
        swatch = (f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{_fill(uid, k)}" '
                  f'stroke="{_INK[k % 4]}"/>' if kind == "bar" else _marker(k, x + 6, y - 4))
        out.append(f'{swatch}<text x="{x + 16}" y="{y}" font-size="11" fill="#1b1f24">{_e(s.name)}</text>')
    return "".join(out)
