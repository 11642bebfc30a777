"""`voc dashboard`: starts streamlit headless on the workspace, and explains a missing workspace."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voc.cli import app, dashboard_cmds


def test_dashboard_runs_streamlit_headless_with_the_workspace(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}

    def fake_call(cmd: list[str], env: dict[str, str]) -> int:
        seen["cmd"], seen["env"] = cmd, env
        return 0

    monkeypatch.setattr(subprocess, "call", fake_call)
    result = CliRunner().invoke(app, ["dashboard", "--home", str(workspace.home), "--port", "8765"])
    assert result.exit_code == 0, result.output
    cmd = seen["cmd"]
    assert cmd[1:4] == ["-m", "streamlit", "run"]
    assert Path(cmd[4]) == dashboard_cmds.app_path() and Path(cmd[4]).exists()
    pairs = dict(zip(cmd[5::2], cmd[6::2], strict=True))
    assert pairs == {"--server.port": "8765", "--server.address": "127.0.0.1", "--server.headless": "true",
                     "--browser.gatherUsageStats": "false"}
    assert seen["env"]["VOC_HOME"] == str(workspace.home)
    assert "localhost:8765" in result.output


def test_dashboard_passes_streamlit_failure_on(workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess, "call", lambda cmd, env: 3)
    result = CliRunner().invoke(app, ["dashboard", "--home", str(workspace.home)])
    assert result.exit_code == 3


def test_dashboard_without_workspace_is_an_error(tmp_path: Path) -> None:
    from voc.errors import WorkspaceError

    result = CliRunner().invoke(app, ["dashboard", "--home", str(tmp_path / "none")])
    assert isinstance(result.exception, WorkspaceError)
