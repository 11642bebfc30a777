"""The `voc` command: thin typer layer; each command parses, calls the library, renders or explains."""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn

import typer

from voc.cli import (
    analysis_cmds,
    dashboard_cmds,
    demo_cmd,
    fixes_cmds,
    ingest_cmds,
    report_cmds,
    search_cmds,
    users_cmds,
    workspace_cmds,
)
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
app.add_typer(analysis_cmds.themes_app, name="themes")
app.command()(analysis_cmds.flags)
app.add_typer(fixes_cmds.fixes_app, name="fixes")
app.add_typer(users_cmds.users_app, name="users")
app.command()(search_cmds.search)
app.add_typer(search_cmds.index_app, name="index")
app.command()(search_cmds.forget)
app.command()(search_cmds.serve)
app.command()(demo_cmd.demo)
app.command()(report_cmds.report)
app.command()(dashboard_cmds.dashboard)


def _usage_errors() -> tuple[type[BaseException], ...]:
    """The usage-error classes of the CLI framework: typer's own base, and click's where click is separate.

    typer vendors click as ``typer._click`` since 0.26, so ``click.ClickException`` alone no longer matches
    what typer raises; both are caught so neither layout prints a traceback.
    """
    classes: list[type[BaseException]] = [typer.TyperException] if hasattr(typer, "TyperException") else []
    try:
        import click

        classes.append(click.ClickException)
    except ImportError:
        pass
    return tuple(classes)


def _fail(message: str, code: int) -> NoReturn:
    """One line on stderr, then exit: what every error of the CLI ends in."""
    typer.echo("error: " + " ".join(str(message).split()), err=True)
    sys.exit(code)


def _usage_message(exc: BaseException) -> str:
    ctx = getattr(exc, "ctx", None)
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    path = getattr(ctx, "command_path", "") or "voc"
    if type(exc).__name__ == "NoSuchOption" and " " not in path and getattr(exc, "option_name", "") == "--home":
        return f"{message}: --home goes after the command, e.g. voc status --home DIR"
    return f"{path}: {message} (see `{path} --help`)"


def main() -> None:
    """Entry point: every usage or library error is one line on stderr and a non-zero exit, never a traceback.

    Usage and library errors exit with 2, an interruption with 130, an unexpected failure with 1 (its
    traceback is logged at debug level: run with VOC_LOG=debug to see it).
    """
    logging.basicConfig(
        level=os.environ.get("VOC_LOG", "WARNING").upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    usage = _usage_errors()
    try:
        code = app(prog_name="voc", standalone_mode=False)
    except VocError as exc:
        _fail(str(exc), 2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", 130)
    except usage as exc:
        _fail(_usage_message(exc), getattr(exc, "exit_code", 2) or 2)
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        _fail(f"{where}{exc.strerror or exc}", 2)
    except Exception as exc:  # a bug: still one line, the traceback only in the debug log
        logging.getLogger("voc.cli").debug("unexpected error", exc_info=True)
        _fail(f"unexpected {type(exc).__name__}: {exc} (run with VOC_LOG=debug for the traceback)", 1)
    if isinstance(code, int) and code:
        sys.exit(code)
