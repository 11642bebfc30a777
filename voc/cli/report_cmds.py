"""`voc report`: the monthly process-review pack (HTML, Markdown, Excel) for the service review meeting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from voc.cli.common import HomeOpt, JsonOpt, MonthOpt, console, emit, open_store, open_workspace


def report(
    home: HomeOpt = None,
    month: MonthOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default: workspace reports/).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Comma-separated formats: html, md, xlsx.")] = "html,md,xlsx",
    as_json: JsonOpt = False,
) -> None:
    """Write the month's review report: overview, flagged themes, steps to fix, fix checks, breakdowns, notes."""
    from voc import pipeline
    from voc.report import build_report, register_reports

    formats = [f.strip().lower() for f in fmt.split(",") if f.strip()]
    ws = open_workspace(home)
    with open_store(ws) as store:
        pipeline.ensure(ws, store, through="flags", month=month)  # the report itself only reads
        paths = build_report(ws, store, month, out_dir=out, formats=formats)
        register_reports(store, paths)

    def render(d: dict[str, str]) -> None:
        for path in d.values():
            console.print(path)

    emit({k: str(v) for k, v in paths.items()}, as_json, render)
