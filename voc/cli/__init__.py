"""The `voc` command: thin typer layer; each command parses, calls the library, renders or explains."""

from __future__ import annotations

import logging
import os
import sys

import typer

from voc.cli import analysis_cmds, dashboard_cmds, demo_cmd, ingest_cmds, report_cmds, search_cmds, workspace_cmds
from voc.errors import VocError

app = typer.Typer(
    name="voc",
    help="voc: voice-of-customer text mining for Chinese retail banks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(workspace_cmds.init)
app.command()(workspace_cmds.status)
app.command()(workspace_cmds.export)
app.add_typer(workspace_cmds.config_app, name="config")
app.add_typer(workspace_cmds.quarantine_app, name="quarantine")
app.add_typer(ingest_cmds.ingest_app, name="ingest")
app.command()(ingest_cmds.pull)
app.command()(analysis_cmds.enrich)
app.add_typer(analysis_cmds.sentiment_app, name="sentiment")
app.add_typer(analysis_cmds.eval_app, name="eval")
app.command()(analysis_cmds.themes)
app.command()(analysis_cmds.flags)
app.command()(search_cmds.search)
app.add_typer(search_cmds.index_app, name="index")
app.command()(search_cmds.forget)
app.command()(search_cmds.serve)
app.command()(demo_cmd.demo)
app.command()(report_cmds.report)
app.command()(dashboard_cmds.dashboard)


def main() -> None:
    """Entry point: library errors become one line on stderr and exit code 2, never a traceback."""
    logging.basicConfig(
        level=os.environ.get("VOC_LOG", "WARNING").upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        app(standalone_mode=False)
    except VocError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors carry their own exit code and message
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
