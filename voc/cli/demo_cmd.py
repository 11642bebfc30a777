"""`voc demo`: the whole pipeline on the built-in sample data, in one command."""

from __future__ import annotations

from typing import Annotated

import typer

from voc.cli.common import HomeOpt, JsonOpt, console, emit, err_console, open_store
from voc.workspace import Workspace


def demo(
    home: HomeOpt = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Processes for cleaning texts while ingesting.")] = 2,
    as_json: JsonOpt = False,
) -> None:
    """Ingest the sample (ratings, calls, social), enrich, find themes, flag them and write the report."""
    from voc.demo import run_demo

    ws = Workspace.open(home, create=True)
    with open_store(ws) as store:
        out = run_demo(ws, store, workers, say=err_console.print if as_json else console.print)
    emit(out, as_json, lambda d: console.print(f"done in {d['seconds']} s; workspace {d['home']}"))
