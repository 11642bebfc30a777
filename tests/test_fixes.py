"""The fix registry: register, verify against the months before and after, report, close; errors in one line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from builders import MONTHS, THEMES, build_workspace
from typer.testing import CliRunner

from voc.cli import app, main
from voc.fixes import NOT_YET, WATCHING, WORKED, FixRules, came_back, verify
from voc.store import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workspace(Path(tmp_path_factory.mktemp("fixes")) / "ws").ws.home


def cli(home: Path, *args: str):
    return runner.invoke(app, [*args, "--home", str(home)])


def test_verdicts_follow_the_months_before_and_after_the_ship_month(home: Path) -> None:
    assert cli(home, "fixes", "add", "--theme", "1", "--shipped", f"{MONTHS[3]}-12", "--title", "闪退修复",
               "--step", "app_stability", "--owner", "手机银行部").exit_code == 0
    assert cli(home, "fixes", "add", "--theme", "0", "--shipped", f"{MONTHS[2]}-05", "--title", "调额").exit_code == 0
    assert cli(home, "fixes", "add", "--theme", "0", "--theme", "2", "--shipped", f"{MONTHS[4]}-20",
               "--title", "刚上线").exit_code == 0
    res = cli(home, "fixes", "list", "--json")
    assert res.exit_code == 0, res.output
    crash, limits, fresh = json.loads(res.output)
    assert crash["before_months"] == list(MONTHS[:3]) and crash["after_months"] == list(MONTHS[4:])
    assert crash["before_per_month"] == pytest.approx(sum(THEMES[1][3][:3]) / 3)
    assert crash["verdict"] == WORKED and crash["p_value"] < 0.001 and not crash["came_back"]
    assert limits["verdict"] == NOT_YET and limits["before_per_month"] == pytest.approx(sum(THEMES[0][3][:2]) / 2)
    assert limits["ratio"] == pytest.approx(limits["after_per_month"] / limits["before_per_month"])
    assert fresh["verdict"] == WATCHING and fresh["after_months"] == [MONTHS[5]]


def test_a_fix_that_worked_and_then_came_back_is_flagged() -> None:
    assert came_back([100, 100, 100], [20, 25, 95], FixRules())
    assert not came_back([100, 100, 100], [20, 25, 30], FixRules())
    assert not came_back([100, 100, 100], [90, 95, 100], FixRules())  # never worked: nothing came back


def test_report_shows_registered_fixes(home: Path, tmp_path: Path) -> None:
    res = cli(home, "report", "--month", MONTHS[-1], "--format", "md,html", "--out", str(tmp_path))
    assert res.exit_code == 0, res.output
    md = (tmp_path / f"report-{MONTHS[-1]}.md").read_text(encoding="utf-8")
    section = md[md.index("### 已登记整改"):md.index("## 渠道")]
    assert "闪退修复" in section and "手机银行部" in section and WORKED in section and WATCHING in section
    assert "闪退修复" in (tmp_path / f"report-{MONTHS[-1]}.html").read_text(encoding="utf-8")


def _error(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, *args: str) -> str:
    """What the installed command prints for a mistake: one line on stderr, a non-zero exit."""
    monkeypatch.setattr(sys, "argv", ["voc", *args, "--home", str(home)])
    with pytest.raises(SystemExit) as exc:
        main()
    err = capsys.readouterr().err.strip()
    assert exc.value.code not in (0, None) and len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_bad_input_is_one_line_and_nothing_is_written(home: Path, monkeypatch, capsys) -> None:
    with Store.open(Path(home) / "voc.db", readonly=True) as store:
        before = len(store.fixes.list_fixes())
    for args, message in (
        (("--theme", "99", "--shipped", "2026-05-01", "--title", "x"), "no theme with id 99"),
        (("--theme", "1", "--shipped", "2026-13-01", "--title", "x"), "not a date"),
        (("--theme", "1", "--shipped", "2026-05-01", "--title", "x", "--step", "nope"), "unknown --step"),
    ):
        assert message in _error(home, monkeypatch, capsys, "fixes", "add", *args)
    with Store.open(Path(home) / "voc.db", readonly=True) as store:
        assert len(store.fixes.list_fixes()) == before


def test_close_marks_a_fix_and_only_once(home: Path, monkeypatch, capsys) -> None:
    assert cli(home, "fixes", "close", "1").exit_code == 0
    assert "no open fix with id 1" in _error(home, monkeypatch, capsys, "fixes", "close", "1")
    with Store.open(Path(home) / "voc.db", readonly=True) as store:
        fix = next(f for f in verify(store, MONTHS[-1]) if f["fix_id"] == 1)
    assert fix["status"] == "closed" and fix["verdict"] == WORKED


def test_a_fix_follows_its_theme_into_a_merge(home: Path) -> None:
    from voc import curation

    with Store.open(Path(home) / "voc.db") as store:
        before = next(f for f in verify(store, MONTHS[-1]) if f["fix_id"] == 2)
        curation.curate(store, 0, "merge", "1", "质检组")
        after = next(f for f in verify(store, MONTHS[-1]) if f["fix_id"] == 2)
    assert before["theme_ids"] == [0] and after["theme_ids"] == [1]
    assert after["series"] != before["series"] and sum(after["series"]) >= sum(before["series"])
