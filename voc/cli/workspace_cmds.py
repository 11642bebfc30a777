"""Workspace commands: init, config show, status, export, quarantine list."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from voc.cli.common import HomeOpt, JsonOpt, check_month, console, emit, open_store, open_workspace, table
from voc.report.fmt import sheet_cell
from voc.schema import Channel
from voc.store import EXPORT_COLUMNS, Filters
from voc.workspace import Workspace

RUN_KEYS = ("source", "kind", "finished_at", "status", "read", "new", "duplicates", "quarantined")
config_app = typer.Typer(help="Settings in the workspace's voc.toml.")
quarantine_app = typer.Typer(help="Rows and files that could not be ingested, with the reason.")


def init(home: HomeOpt = None) -> None:
    """Create a workspace folder (database, index/, models/, reports/, voc.toml)."""
    ws = Workspace.init(home)
    console.print(f"workspace ready: {ws.home}")


@config_app.command("show")
def config_show(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Print the effective settings (defaults merged with voc.toml)."""
    ws = open_workspace(home)
    data = ws.settings.to_dict()
    data["privacy"] = {"salt": "***" if data["privacy"]["salt"] else ""}
    data["api"] = {**data["api"], "token": "***" if data["api"]["token"] else ""}

    def render(d: dict[str, Any]) -> None:
        console.print(f"# {ws.config_path}")
        for section, values in d.items():
            if section == "sources":
                for src in values:
                    console.print(f"\n[[sources]]\n{json.dumps(src, ensure_ascii=False)}")
                continue
            console.print(f"\n[{section}]")
            for key, value in values.items():
                console.print(f"{key} = {json.dumps(value, ensure_ascii=False)}")

    emit(data, as_json, render)


def status(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Records per channel and month, the last ingest run of each source, quarantine size."""
    ws = open_workspace(home)
    with open_store(ws, readonly=True) as store:
        data = {
            "home": str(ws.home),
            "records": store.records.count_records(),
            "by_channel_month": store.records.counts_by_channel_month(),
            "last_runs": store.runs.last_run_per_source(),
            "quarantined": store.runs.quarantine_count(),
        }

    def render(d: dict[str, Any]) -> None:
        console.print(f"workspace {d['home']}: {d['records']} records, {d['quarantined']} quarantined")
        months = sorted({r["month"] for r in d["by_channel_month"]})
        channels = ("rating", "call", "social")
        grid = {(r["channel"], r["month"]): r["n"] for r in d["by_channel_month"]}
        rows = ([m, *(grid.get((c, m), 0) for c in channels)] for m in months)
        console.print(table("records per month", ("month", *channels), rows))
        if d["last_runs"]:
            console.print(
                table(
                    "last run per source",
                    ("source", "kind", "finished", "status", "read", "new", "duplicates", "quarantined"),
                    ([r[k] for k in RUN_KEYS] for r in d["last_runs"]),
                )
            )

    emit(data, as_json, render)


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def export(
    home: HomeOpt = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="jsonl or csv")] = ExportFormat.jsonl,
    month: Annotated[str | None, typer.Option(callback=check_month, help="Only this month, YYYY-MM.")] = None,
    channel: Annotated[Channel | None, typer.Option(help="Only this channel: rating, call or social.")] = None,
) -> None:
    """Every record with every stored and derived field, one per line, to standard output."""
    ws = open_workspace(home)
    with open_store(ws, readonly=True) as store:
        rows = store.records.iter_records(Filters(month=month, channel=channel.value if channel else None))
        out = sys.stdout
        try:
            _write_export(rows, fmt, out)
        finally:
            rows.close()


def _write_export(rows: Any, fmt: ExportFormat, out: Any) -> None:
    """Records as JSON lines or CSV (whose text cells never start a formula)."""
    if fmt is ExportFormat.jsonl:
        for row in rows:
            row.pop("rid", None)
            out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    else:  # opened in Excel: text that would start a formula gets a leading '
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            row["extra"] = json.dumps(row["extra"], ensure_ascii=False)
            if isinstance(row.get("sentiment_cues"), list):
                row["sentiment_cues"] = " ".join(row["sentiment_cues"])
            writer.writerow({k: sheet_cell(v) for k, v in row.items()})


@quarantine_app.command("list")
def quarantine_list(
    home: HomeOpt = None,
    as_json: JsonOpt = False,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="At most this many, newest first.")] = 100,
) -> None:
    """What could not be ingested: source, file, line or record, reason and a redacted excerpt."""
    ws = open_workspace(home)
    with open_store(ws, readonly=True) as store:
        items = store.runs.list_quarantine(limit=limit, source=source)
        total = store.runs.quarantine_count()

    def render(rows: list[dict[str, Any]]) -> None:
        console.print(
            table(
                f"quarantine ({total} in all, newest {len(rows)})",
                ("source", "file", "where", "reason", "excerpt"),
                ([r["source"], r["file"], r["locator"], r["reason"], r["excerpt"][:60]] for r in rows),
            )
        )

    emit(items, as_json, render)
