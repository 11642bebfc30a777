"""`voc report`: the monthly process-review pack (HTML, Markdown, Excel) for the service review meeting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from voc.cli.common import HomeOpt, JsonOpt, MonthOpt, console, emit, open_store, open_workspace


def register_reports(store: Any, paths: dict[str, Path]) -> None:
    """Remember written reports, so `voc forget` can regenerate them without the erased records."""
    for fmt, path in paths.items():
        month = Path(path).stem.removeprefix("report-")
        store.register_report(str(Path(path).resolve()), month, fmt)


def report(
    home: HomeOpt = None,
    month: MonthOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default: workspace reports/).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Comma-separated formats: html, md, xlsx.")] = "html,md,xlsx",
    as_json: JsonOpt = False,
) -> None:
    """Write the month's review report: overview, flagged themes, steps to fix, fix checks, breakdowns, notes."""
    from voc.report import build_report

    formats = [f.strip().lower() for f in fmt.split(",") if f.strip()]
    ws = open_workspace(home)
    with open_store(ws) as store:
        paths = build_report(ws, store, month, out_dir=out, formats=formats)
        register_reports(store, paths)

    def render(d: dict[str, str]) -> None:
        for path in d.values():
            console.print(path)

    emit({k: str(v) for k, v in paths.items()}, as_json, render)
