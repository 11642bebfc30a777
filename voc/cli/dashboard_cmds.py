"""`voc dashboard`: start the Streamlit dashboard on a workspace as a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from voc.cli.common import HomeOpt, console, err_console, open_store, open_workspace
from voc.errors import VocError
from voc.workspace import Workspace


def app_path() -> Path:
    """The dashboard's entry script (the `dashboards` package ships beside `voc`)."""
    import dashboards

    return Path(dashboards.__file__).resolve().parent / "streamlit_app.py"


def streamlit_command(port: int, address: str) -> list[str]:
    """`streamlit run` headless on one port, with usage statistics off (bank data stays on the machine)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app_path()),
        "--server.port", str(port), "--server.address", address, "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]


def _has_users(ws: Workspace) -> bool:
    with open_store(ws, readonly=True) as store:
        return store.access.count_users() > 0


def dashboard(
    home: HomeOpt = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the dashboard.")] = 8501,
    address: Annotated[str, typer.Option(help="Bind address; 0.0.0.0 to share on the network.")] = "127.0.0.1",
) -> None:
    """Open the browser dashboard: overview, themes, search, calls, channels and data health."""
    ws = open_workspace(home)
    env = {**os.environ, "VOC_HOME": str(ws.home)}
    if address not in ("127.0.0.1", "localhost", "::1") and not _has_users(ws):
        err_console.print(f"warning: no users configured, so anyone who reaches {address}:{port} sees every "
                          "verbatim; add one with `voc users add NAME --role admin` to require a login")
    console.print(f"voc dashboard on http://{'localhost' if address == '127.0.0.1' else address}:{port} "
                  f"(workspace {ws.home}); Ctrl+C to stop")
    try:
        code = subprocess.call(streamlit_command(port, address), env=env)
    except KeyboardInterrupt:
        code = 0
    except OSError as exc:
        raise VocError(f"cannot start streamlit: {exc}") from exc
    if code:
        raise typer.Exit(code)
