"""What every command shares: the --home option, opening the workspace, and rendering for people or machines."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from voc.store import Store
from voc.workspace import Workspace

console = Console(highlight=False, markup=False)
err_console = Console(stderr=True, highlight=False, markup=False)

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", envvar="VOC_HOME", help="Workspace folder (default ./voc-home).", show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of a table.")]
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
MAX_ID = 2**63 - 1  # SQLite integers are 64-bit


def check_month(value: str | None) -> str | None:
    """--month as YYYY-MM with a real month, checked before anything is opened."""
    if value is not None and not _MONTH.fullmatch(value):
        raise typer.BadParameter(f"{value!r} is not a month like 2026-03")
    return value


MonthOpt = Annotated[
    str | None,
    typer.Option("--month", callback=check_month, help="Month YYYY-MM (default: the latest with data)."),
]
PortOpt = Annotated[int | None, typer.Option(min=1, max=65535, help="Port (default from voc.toml).")]


def open_workspace(home: Path | None, create: bool = False) -> Workspace:
    return Workspace.open(home, create=create)


def open_store(ws: Workspace, readonly: bool = False) -> Store:
    return Store.open(ws.db_path, readonly=readonly, lock_timeout=ws.settings.store.lock_timeout)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table:
    t = Table(title=title, title_justify="left")
    for col in columns:
        t.add_column(col)
    for row in rows:
        t.add_row(*("" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v)) for v in row))
    return t


def emit(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """One place decides JSON vs table, so every command behaves the same."""
    if as_json:
        print_json(data)
    else:
        render(data)
