"""The report as Markdown: the same sections and figures as the HTML, for wikis, e-mail and diffs."""

from __future__ import annotations

import re
from pathlib import Path

from voc.artifacts import atomic_write
from voc.report.data import ReportData
from voc.report.render_html import environment


def render_md(data: ReportData, path: Path) -> Path:
    """Write report-YYYY-MM.md; no generation time inside, so two runs on the same data are identical."""
    text = environment(autoescape=False).get_template("report.md.j2").render(d=data)
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"
    atomic_write(path, text.encode("utf-8"))
    return path
