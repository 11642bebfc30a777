from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from voc.cli import app
from voc.schema import Record
from voc.store import Store
from voc.workspace import Workspace

runner = CliRunner()


def _seed(ws: Workspace) -> None:
    with Store.open(ws.db_path) as store:
        store.records.upsert_records(
            [
                Record(source="app", source_id=str(i), channel=ch, created_at=f"2026-0{m}-02T09:00:00+08:00",
                       text="排队太久", tokens="排队 太久", rating=2.0, rating_scale="star5")
                for i, (ch, m) in enumerate([("rating", 3), ("rating", 3), ("call", 3), ("social", 4)])
            ]
        )


def test_init_status_json(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert runner.invoke(app, ["init", "--home", str(home)]).exit_code == 0
    _seed(Workspace.open(home))
    res = runner.invoke(app, ["status", "--home", str(home), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["records"] == 4
    grid = {(r["channel"], r["month"]): r["n"] for r in data["by_channel_month"]}
    assert grid == {("rating", "2026-03"): 2, ("call", "2026-03"): 1, ("social", "2026-04"): 1}
    table = runner.invoke(app, ["status", "--home", str(home)])
    assert "2026-03" in table.output


def test_home_from_environment(tmp_path: Path) -> None:
    home = tmp_path / "envws"
    runner.invoke(app, ["init"], env={"VOC_HOME": str(home)})
    assert (home / "voc.toml").exists()


def test_config_show_hides_secrets(workspace: Workspace) -> None:
    res = runner.invoke(app, ["config", "show", "--home", str(workspace.home), "--json"])
    data = json.loads(res.output)
    assert data["privacy"]["salt"] == "***"
    assert data["embedding"]["model"] == "corpus"
    assert workspace.settings.privacy.salt not in res.output
    text = runner.invoke(app, ["config", "show", "--home", str(workspace.home)]).output
    assert "[sentiment]" in text and "negative_threshold = -0.2" in text


def test_export_jsonl_and_csv(workspace: Workspace) -> None:
    _seed(workspace)
    res = runner.invoke(app, ["export", "--home", str(workspace.home), "--month", "2026-03"])
    lines = [json.loads(x) for x in res.output.splitlines()]
    assert len(lines) == 3
    for key in ("id", "source_id", "sentiment", "theme_id", "theme_label", "process_step", "extra"):
        assert key in lines[0]
    res = runner.invoke(app, ["export", "--home", str(workspace.home), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert len(rows) == 4 and rows[0]["text"] == "排队太久"


def test_quarantine_list_json(workspace: Workspace) -> None:
    from voc.store import QuarantineItem

    with Store.open(workspace.db_path) as store:
        run = store.runs.start_run("s", "ratings")
        store.runs.write_batch(run, [], [QuarantineItem("s", "bad.csv", "line 14", "rating '五星' is not a number")])
    res = runner.invoke(app, ["quarantine", "list", "--home", str(workspace.home), "--json"])
    items = json.loads(res.output)
    assert items[0]["locator"] == "line 14"


def test_user_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from voc.cli import main; main()", "status", "--home", str(tmp_path / "missing")],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: no voc workspace")
    assert "Traceback" not in proc.stderr
