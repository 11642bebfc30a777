"""Small inline SVG charts: no scripts, fonts or files to fetch, so the report opens offline and prints.

Shapes carry the meaning (solid vs outlined bars, solid vs dashed lines, value labels); colour only helps.
Text inherits the page's CJK font stack.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

INK = "#1f2937"
MUTED = "#9ca3af"
ACCENT = "#1d4ed8"
DASHES = ("", "6 3", "2 2", "8 3 2 3")


def _ok(v: float | None) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def _short(v: float) -> str:
    if abs(v) >= 10_000:
        return f"{v / 1000:.0f}k"
    return f"{v:.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:.2g}" if abs(v) < 1 else f"{v:.1f}"


def nice_max(v: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above v, for round axis labels."""
    if v <= 0:
        return 1.0
    base = 10 ** math.floor(math.log10(v))
    return next(m * base for m in (1, 2, 2.5, 5, 10) if m * base >= v)


def sparkline(values: Sequence[float | None], width: int = 120, height: int = 28, label: str = "") -> str:
    """A line of the last months with the current month as a dot; gaps where a value is missing."""
    pts = [(i, v) for i, v in enumerate(values) if _ok(v)]
    title = f"<title>{escape(label)}</title>" if label else ""
    if not pts:
        return f'<svg class="spark" width="{width}" height="{height}" role="img">{title}</svg>'
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    span = (hi - lo) or 1.0
    step = (width - 6) / max(len(values) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return 3 + i * step, height - 3 - (v - lo) / span * (height - 6)

    segs, cur = [], []
    for i, v in enumerate(values):
        if _ok(v):
            cur.append("{:.1f},{:.1f}".format(*xy(i, v)))  # type: ignore[arg-type]
        elif cur:
            segs.append(cur)
            cur = []
    if cur:
        segs.append(cur)
    lines = "".join(f'<polyline points="{" ".join(s)}" fill="none" stroke="{INK}" stroke-width="1.5"/>'
                    for s in segs)
    x, y = xy(*pts[-1])
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
            f'{title}{lines}<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{ACCENT}"/></svg>')


def bar_chart(labels: Sequence[str], values: Sequence[float], width: int = 520, height: int = 170,
              groups: Sequence[str] | None = None, title: str = "") -> str:
    """Vertical bars with value labels; `groups` per bar ('current', 'before', 'after', '') picks the style.

    'before' bars are solid dark, 'after' bars outlined, 'current' is the accent: readable without colour.
    """
    n = max(len(values), 1)
    top, bottom, left = 18, 22, 4
    plot_h = height - top - bottom
    vmax = max([v for v in values if _ok(v)] or [0]) or 1
    slot = (width - left * 2) / n
    bar_w = max(slot * 0.7, 2)
    groups = groups or [""] * len(values)
    parts = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - left}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    for i, (lab, v) in enumerate(zip(labels, values, strict=True)):
        v = v if _ok(v) else 0
        h = v / vmax * plot_h
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        style = {
            "current": f'fill="{ACCENT}" stroke="{INK}"',
            "before": f'fill="{INK}" stroke="{INK}"',
            "after": f'fill="#ffffff" stroke="{INK}" stroke-width="1.5"',
        }.get(groups[i], f'fill="{MUTED}" stroke="{MUTED}"')
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0.5):.1f}" {style}/>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" font-size="10" text-anchor="middle" '
                     f'fill="{INK}">{_short(v)}</text>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - 7}" font-size="10" text-anchor="middle" '
                     f'fill="{INK}">{escape(lab)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(labels: Sequence[str], series: dict[str, Sequence[float | None]], width: int = 640,
               height: int = 200, title: str = "") -> str:
    """Several lines told apart by dash pattern and an end label, with a legend."""
    top, bottom, left, right = 12, 40, 40, 12
    plot_w, plot_h = width - left - right, height - top - bottom
    allv = [v for vals in series.values() for v in vals if _ok(v)]
    vmax = nice_max(max(allv or [0]))
    step = plot_w / max(len(labels) - 1, 1)
    parts = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="10" text-anchor="end" '
                     f'fill="{INK}">{_short(vmax * frac)}</text>')
    for i, lab in enumerate(labels):
        parts.append(f'<text x="{left + i * step:.1f}" y="{top + plot_h + 14}" font-size="10" '
                     f'text-anchor="middle" fill="{INK}">{escape(lab)}</text>')
    for k, (name, vals) in enumerate(series.items()):
        dash = DASHES[k % len(DASHES)]
        pts = " ".join(f"{left + i * step:.1f},{top + plot_h * (1 - v / vmax):.1f}"
                       for i, v in enumerate(vals) if _ok(v))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{INK}" stroke-width="1.8"{dash_attr}/>')
        lx = left + k * 150
        ly = height - 8
        parts.append(f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 28}" y2="{ly - 4}" stroke="{INK}" '
                     f'stroke-width="1.8"{dash_attr}/>')
        parts.append(f'<text x="{lx + 34}" y="{ly}" font-size="11" fill="{INK}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
