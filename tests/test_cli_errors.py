"""Every usage mistake and every library error of every command is one line on stderr and a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from voc.cli import main
from voc.schema import Record
from voc.store import Store
from voc.workspace import Workspace

HOME = "{home}"


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli")
    ws = Workspace.init(root / "ws")
    with Store.open(ws.db_path) as store:
        store.records.upsert_records([Record(source="s", source_id="1", channel="rating", text="排队太久",
                                             tokens="排队 太久", created_at="2026-03-02T09:00:00+08:00", rating=2.0,
                                             rating_scale="star5")])
    bad = Workspace.init(root / "bad")
    bad.config_path.write_text("[api\ntoken = 1\n", encoding="utf-8")
    (root / "a_file").write_text("x", encoding="utf-8")
    (root / "folder").mkdir()
    (root / "ok.csv").write_text("编号,时间,评分,评价内容\n1,2026-03-05,4,好\n", encoding="utf-8")
    (root / "latin1.txt").write_bytes(b"\xff\xfe\xfa bad")
    return {"home": str(ws.home), "bad": str(bad.home), "file": str(root / "a_file"), "folder": str(root / "folder"),
            "csv": str(root / "ok.csv"), "latin1": str(root / "latin1.txt"), "missing": str(root / "missing")}


CASES = [
    ["status", "--bogus"],
    ["--home", "{missing}", "status"],
    ["nosuchcommand"],
    ["status", "--home", "{missing}"],
    ["status", "--home", "{file}"],
    ["config", "show", "--home", "{bad}"],
    ["init", "--home", "/proc/voc-cannot-create"],
    ["export", "--home", "{home}", "--format", "xml"],
    ["export", "--home", "{home}", "--month", "2026-1"],
    ["export", "--home", "{home}", "--channel", "fax"],
    ["quarantine", "list", "--home", "{home}", "--limit", "0"],
    ["ingest", "ratings"],
    ["ingest", "ratings", "{missing}", "--home", "{home}"],
    ["ingest", "ratings", "{csv}", "--home", "{home}", "--workers", "0"],
    ["ingest", "calls", "{csv}", "--home", "{home}", "--workers", "999"],
    ["ingest", "ratings", "{csv}", "--home", "{home}", "--map", "nonsense"],
    ["ingest", "ratings", "{csv}", "--home", "{home}", "--scale", "star10"],
    ["ingest", "social", "http://127.0.0.1:9/feed", "--home", "{home}", "--opt", "bogus=1"],
    ["pull", "--home", "{home}"],
    ["search", "--home", "{home}"],
    ["search", "x", "--home", "{home}", "--k", "0"],
    ["search", "x", "--home", "{home}", "--k", "abc"],
    ["search", "--home", "{home}", "--queries", "{missing}"],
    ["search", "--home", "{home}", "--queries", "{folder}"],
    ["search", "--home", "{home}", "--queries", "{latin1}", "--mode", "keyword"],
    ["search", "x", "--home", "{home}", "--since", "2026-13-01"],
    ["search", "x", "--home", "{home}", "--theme", str(2**64)],
    ["search", "x", "--home", "{home}", "--mode", "magic"],
    ["search", "x", "--home", "{home}", "--channel", "fax"],
    ["search", "x", "--home", "{home}", "--sentiment", "angry"],
    ["index", "verify", "--home", "{missing}"],
    ["forget", "--home", "{home}"],
    ["forget", "--home", "{home}", "--customer", "a", "--record", "b"],
    ["serve", "--home", "{home}", "--port", "99999"],
    ["serve", "--home", "{home}", "--port", "0"],
    ["dashboard", "--home", "{home}", "--port", "70000"],
    ["flags", "--home", "{home}", "--month", "2026-13"],
    ["themes", "--home", "{home}", "--month", "March"],
    ["report", "--home", "{home}", "--month", "26-01"],
    ["report", "--home", "{home}", "--format", "pdf"],
    ["report", "--home", "{home}", "--out", "{file}"],
    ["sentiment", "baseline", "--home", "{home}", "--month", "x"],
    ["eval", "sentiment", "{missing}"],
    ["eval", "sentiment", "{folder}"],
    ["demo", "--home", "{missing}", "--workers", "0"],
    ["themes", "--home", "{home}", "--view", "rants"],
    ["themes", "rename", "99", "x", "--home", "{home}"],
    ["themes", "rename", "abc", "x", "--home", "{home}"],
    ["themes", "merge", "1", "1", "--home", "{home}"],
    ["themes", "pin", "--home", "{home}"],
    ["fixes", "add", "--home", "{home}", "--theme", "1", "--shipped", "2026-05-01", "--title", "x"],
    ["fixes", "add", "--home", "{home}", "--theme", "one", "--shipped", "2026-05-01", "--title", "x"],
    ["fixes", "add", "--home", "{home}", "--shipped", "2026-05-01", "--title", "x"],
    ["fixes", "close", "7", "--home", "{home}"],
    ["fixes", "list", "--home", "{missing}"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c) for c in CASES])
def test_bad_input_is_one_line_and_a_non_zero_exit(args, homes, monkeypatch, capsys) -> None:
    argv = [a.format(**homes) for a in args]
    monkeypatch.setattr(sys, "argv", ["voc", *argv])
    with pytest.raises(SystemExit) as exc:
        main()
    err = capsys.readouterr().err
    lines = [x for x in err.splitlines() if x.strip()]
    assert exc.value.code not in (0, None), err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err


def test_the_installed_entry_point_prints_one_line(homes) -> None:
    proc = subprocess.run([sys.executable, "-c", "from voc.cli import main; main()", "status", "--bogus"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "error: voc status: No such option: --bogus (see `voc status --help`)"


def test_exit_codes_of_commands_that_report_failure_survive(homes, monkeypatch) -> None:
    """A command that ends with typer.Exit(1) (e.g. a failed pull) still exits 1 through main()."""
    import typer

    from voc.cli import app

    @app.command("always-fails", hidden=True)
    def _always_fails() -> None:
        raise typer.Exit(3)

    try:
        monkeypatch.setattr(sys, "argv", ["voc", "always-fails"])
        with pytest.raises(SystemExit) as exc:
            main()
        assert exc.value.code == 3
    finally:
        app.registered_commands.pop()


def test_valid_paths_still_work(homes, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", ["voc", "status", "--home", homes["home"], "--json"])
    main()
    assert '"records": 1' in capsys.readouterr().out
    assert Path(homes["home"]).exists()
