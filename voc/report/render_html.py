"""The report as one self-contained HTML file: inline CSS, inline SVG charts, print CSS for A4."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from voc.artifacts import atomic_write
from voc.report import charts
from voc.report.data import ReportData
from voc.report.fmt import FILTERS, channel_name, md_cell

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _md_finalize(value: Any) -> Any:
    """Every value a Markdown template prints is escaped, unless a filter already did (``md``)."""
    return md_cell(value) if isinstance(value, str) else value


def environment(autoescape: bool) -> Environment:
    """Jinja environment with the shared number filters.

    HTML autoescapes every value; Markdown escapes every printed string through ``finalize`` (HTML, links,
    images, emphasis), so no value from the data needs a filter to be safe.
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html.j2"]) if autoescape else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=None if autoescape else _md_finalize,
    )
    env.filters.update(FILTERS)
    return env


def month_label(month: str) -> str:
    return f"{int(month[5:])}月"


def chart_set(data: ReportData) -> dict[str, Any]:
    """Every chart of the report as inline SVG, keyed by what it shows."""
    labels = [month_label(m) for m in data.window]
    current = ["current" if m == data.month else "" for m in data.window]
    out: dict[str, Any] = {
        "kpi": {k["key"]: Markup(charts.sparkline(k["series"], label=k["name"])) for k in data.kpis},
        "channel": {c["channel"]: Markup(charts.sparkline(c["series"], label=c["channel"])) for c in data.channels},
        "channels": Markup(charts.line_chart(labels, {channel_name(c["channel"]): c["series"] for c in data.channels},
                                             title="各渠道月度反馈量")),
        "theme": {t["theme_id"]: Markup(charts.bar_chart(labels, t["series"], groups=current, title=t["label"]))
                  for t in data.themes},
        "resolved": {},
    }
    for r in data.resolved:
        groups = ["before" if m in r["before_months"] else "after" if m in r["after_months"] else ""
                  for m in data.window]
        out["resolved"][r["theme_id"]] = Markup(charts.bar_chart(labels, r["series"], width=480, groups=groups,
                                                                 title=r["label"]))
    return out


def render_html(data: ReportData, path: Path, generated_at: datetime | None = None) -> Path:
    """Write report-YYYY-MM.html; the generation time appears only in its header."""
    html = environment(autoescape=True).get_template("report.html.j2").render(
        d=data, charts=chart_set(data), labels=[month_label(m) for m in data.window],
        generated_at=(generated_at or datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M"),
    )
    atomic_write(path, html.encode("utf-8"))
    return path
