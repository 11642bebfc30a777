"""The monthly process-review report: one command writes HTML, Markdown and Excel from the same numbers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from voc.errors import VocError
from voc.report.data import ReportData, assemble
from voc.store import Store
from voc.workspace import Workspace

log = logging.getLogger(__name__)

FORMATS = ("html", "md", "xlsx")


def build_report(
    ws: Workspace,
    store: Store,
    month: str | None = None,
    out_dir: Path | str | None = None,
    formats: Sequence[str] = FORMATS,
) -> dict[str, Path]:
    """Write report-YYYY-MM.{html,md,xlsx} for a month (default: the latest with data); returns format -> path."""
    from voc.report.render_html import render_html
    from voc.report.render_md import render_md
    from voc.report.render_xlsx import render_xlsx

    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise VocError(f"unknown report format {', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}")
    if month is None:
        months = store.records.months()
        if not months:
            raise VocError("the workspace has no records yet: ingest some first (see `voc ingest --help`)")
        month = months[-1]
    data = assemble(ws, store, month)
    folder = Path(out_dir) if out_dir else ws.reports_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VocError(f"cannot create report folder {folder}: {exc.strerror}") from exc
    renderers = {"html": render_html, "md": render_md, "xlsx": render_xlsx}
    out = {}
    for fmt in FORMATS:
        if fmt in formats:
            out[fmt] = renderers[fmt](data, folder / f"report-{month}.{fmt}")
            log.info("wrote %s", out[fmt])
    return out


__all__ = ["FORMATS", "ReportData", "assemble", "build_report"]


def register_reports(store: Store, paths: dict[str, Path]) -> None:
    """Remember written reports, so `voc forget` can regenerate them without the erased records."""
    for fmt, path in paths.items():
        month = Path(path).stem.removeprefix("report-")
        store.erasure.register_report(str(Path(path).resolve()), month, fmt)
