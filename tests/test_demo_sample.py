"""The whole product on data/sample through the public CLI: demo, status, export, themes and flags.

The sample's ground truth (data/sample/truth.csv) is read here independently of voc to check that the injected
theme courses come out as the right flags.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voc.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
runner = CliRunner()
SOURCES = {"app_store": "app_store", "nps_survey": "nps_survey", "branch_csat": "branch_csat",
           "hotline_calls": "calls", "social_listening": "social"}
BACKGROUND = ("branch_queue", "hotline_wait", "marketing_calls", "card_fee", "loan_approval", "account_frozen")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "ws"
    proc = subprocess.run([sys.executable, "-c", "from voc.cli import main; main()", "demo", "--home", str(home)],
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return home


def cli_json(*args: str) -> object:
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


@pytest.fixture(scope="module")
def records(demo: Path) -> list[dict]:
    res = runner.invoke(app, ["export", "--home", str(demo)])
    assert res.exit_code == 0
    return [json.loads(line) for line in res.output.splitlines()]


@pytest.fixture(scope="module")
def theme_truth(records: list[dict]) -> dict[str, int]:
    """Injected theme name -> the discovered theme id that holds most of its records."""
    truth = {(r["source"], r["id"]): r["theme"] for r in csv.DictReader((SAMPLE / "truth.csv").open(encoding="utf-8"))}
    votes: dict[str, Counter] = defaultdict(Counter)
    for rec in records:
        name = truth.get((SOURCES[rec["source"]], rec["source_id"]))
        if name and rec["theme_id"] is not None:
            votes[name][rec["theme_id"]] += 1
    return {name: c.most_common(1)[0][0] for name, c in votes.items()}


@pytest.fixture(scope="module")
def flags_by_month(demo: Path) -> dict[str, dict[int, dict]]:
    months = json.loads((SAMPLE / "MANIFEST.json").read_text(encoding="utf-8"))["months"]
    return {m: {f["theme_id"]: f for f in cli_json("flags", "--home", str(demo), "--month", m)} for m in months}


def test_status_counts_every_channel_and_month(demo: Path) -> None:
    status = cli_json("status", "--home", str(demo))
    manifest = json.loads((SAMPLE / "MANIFEST.json").read_text(encoding="utf-8"))
    months = {r["month"] for r in status["by_channel_month"]}
    assert months == set(manifest["months"])
    assert {r["channel"] for r in status["by_channel_month"]} == {"rating", "call", "social"}
    kinds = ("ratings", "calls", "social")
    inputs = [f["records"] for name, f in manifest["files"].items() if name.split("/")[0] in kinds]
    assert status["records"] + status["quarantined"] == sum(inputs)


def test_no_raw_pii_anywhere_in_the_workspace(demo: Path) -> None:
    pii = [s for s in (SAMPLE / "pii_strings.txt").read_text(encoding="utf-8").splitlines() if s.strip()]
    blobs = [p.read_bytes() for p in demo.rglob("*") if p.is_file()]
    for s in pii:
        needle = s.encode("utf-8")
        assert not any(needle in b for b in blobs), f"PII string {s!r} found in the workspace"


def test_export_carries_derived_fields(records: list[dict]) -> None:
    assert all(r["sentiment_label"] in ("负面", "中性", "正面") for r in records)
    themed = [r for r in records if r["theme_id"] is not None]
    assert themed and all(r["theme_label"] and r["process_step"] for r in themed)


def test_recurring_theme_flagged_every_month_after_its_third(theme_truth, flags_by_month) -> None:
    tid = theme_truth["transfer_limit"]
    for month in list(flags_by_month)[3:]:
        assert "recurring" in flags_by_month[month].get(tid, {}).get("statuses", []), month


def test_fixed_theme_resolved_after_the_fix(theme_truth, flags_by_month) -> None:
    tid = theme_truth["app_crash"]
    for month in ("2026-06", "2026-07"):
        statuses = flags_by_month[month].get(tid, {}).get("statuses", [])
        assert "resolved" in statuses and "recurring" not in statuses, month
    for month in ("2026-08", "2026-09", "2026-10"):  # resolved is news for resolved_months = 2, then dropped
        assert tid not in flags_by_month[month], month
    assert "recurring" in flags_by_month["2026-04"][tid]["statuses"]


def test_emerging_theme_flagged_in_its_months(theme_truth, flags_by_month) -> None:
    tid = theme_truth["pension_account"]
    assert tid not in {theme_truth[name] for name in BACKGROUND}
    for month in ("2026-09", "2026-10"):
        statuses = flags_by_month[month].get(tid, {}).get("statuses", [])
        assert {"emerging", "rising"} & set(statuses), month


def test_background_themes_never_rising(theme_truth, flags_by_month) -> None:
    for name in BACKGROUND:
        tid = theme_truth[name]
        rising = [m for m, flags in flags_by_month.items() if "rising" in flags.get(tid, {}).get("statuses", [])]
        assert not rising, f"{name} flagged rising in {rising}"


def test_theme_ids_stable_when_rerun(demo: Path) -> None:
    before = cli_json("themes", "--home", str(demo))["themes"]
    again = cli_json("themes", "--home", str(demo))["themes"]
    assert [(t["theme_id"], t["label"]) for t in before] == [(t["theme_id"], t["label"]) for t in again]
