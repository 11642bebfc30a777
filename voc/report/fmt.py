"""Number formatting shared by the HTML and Markdown reports, so paper and screen show the same figures."""

from __future__ import annotations

import math
from typing import Any

from voc.labels import CHANNEL_NAMES, STATUS_NAMES

__all__ = ["CHANNEL_NAMES", "STATUS_NAMES"]


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def num(x: Any) -> str:
    """Counts with thousands separators; '—' when there is nothing to count."""
    if _missing(x):
        return "—"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def dec(x: Any, digits: int = 2) -> str:
    return "—" if _missing(x) else f"{x:.{digits}f}"


def pct(x: Any, digits: int = 1) -> str:
    return "—" if _missing(x) else f"{100 * x:.{digits}f}%"


def pval(p: Any) -> str:
    """p-values readable by people who do not read scientific notation."""
    if _missing(p):
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def ptext(p: Any) -> str:
    """'p = 0.012' or 'p < 0.001', for prose."""
    if _missing(p):
        return "p = —"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def value(x: Any, kind: str) -> str:
    """A KPI value by its kind: count, share, score (NPS), decimal (mean stars)."""
    if kind == "share":
        return pct(x)
    if kind == "decimal":
        return dec(x)
    if kind == "score":
        return dec(x, 1)
    return num(x)


def arrow(delta: Any) -> str:
    if _missing(delta):
        return ""
    return "↑" if delta > 0 else "↓" if delta < 0 else "→"


def change(delta: Any, kind: str) -> str:
    """Change vs the previous month with an arrow, so the direction survives black-and-white printing."""
    if _missing(delta):
        return "—"
    if kind == "share":
        body = f"{abs(100 * delta):.1f} 个百分点"
    elif kind == "decimal":
        body = f"{abs(delta):.2f}"
    elif kind == "score":
        body = f"{abs(delta):.1f}"
    else:
        body = num(abs(delta))
    return f"{arrow(delta)} {body}" if delta else "→ 持平"


def tone(delta: Any, good: str | None) -> str:
    """CSS class hinting whether a change is good or bad news (colour is only a hint)."""
    if _missing(delta) or not delta or good is None:
        return "flat"
    return "good" if (delta > 0) == (good == "up") else "bad"


def status_name(status: str) -> str:
    return STATUS_NAMES.get(status, status)


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel)


class MdSafe(str):
    """A value already escaped for Markdown, so the renderer's catch-all escaping leaves it alone."""


_MD_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "(": "&#40;", ")": "&#41;", "|": "｜", "\n": " ", "\r": " ",
    "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "!": "\\!", "~": "\\~",
})


def md_cell(text: Any) -> MdSafe:
    """Text safe inside Markdown (a table cell or a quote): HTML and link, image and emphasis syntax escaped.

    ``<script>`` becomes ``&lt;script&gt;``, ``![x](y)`` loses its meaning (``!\\[x\\]&#40;y&#41;``); the text
    still reads the same once rendered.
    """
    if isinstance(text, MdSafe):
        return text
    return MdSafe(str(text).translate(_MD_ESCAPES).strip())


# A cell from data that a spreadsheet would run as a formula (or DDE) when it starts with one of these.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def sheet_cell(value: Any) -> Any:
    """A value for an Excel or CSV cell: text that could start a formula gets a leading ' (shown as text)."""
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_START):
        return "'" + value
    return value


def others(row: dict[str, Any], themes: list[dict[str, Any]]) -> int:
    """Count of a breakdown row outside the themes shown as columns (wide tables do not print)."""
    return row["total"] - sum(row["by_theme"].get(t["theme_id"], 0) for t in themes)


FILTERS = {
    "num": num, "dec": dec, "pct": pct, "pval": pval, "ptext": ptext, "value": value, "arrow": arrow, "change": change,
    "tone": tone, "status_name": status_name, "channel_name": channel_name, "md": md_cell, "others": others,
}
