"""Text from customers, branches and agents never becomes a formula in Excel or CSV, nor markup in Markdown."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from builders import MONTHS, build_workspace
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from voc.cli import app
from voc.report import build_report
from voc.store import Store

FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", " =HYPERLINK(\"http://x\")",
            "＝1+1"]
MARKUP = ["<script>alert(1)</script>", "<svg onload=alert(1)>", "![x](http://evil.example/a.png)",
          "[点我](javascript:alert(1))", "<img src=x onerror=alert(1)>"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝")


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory):
    built = build_workspace(Path(tmp_path_factory.mktemp("inj")) / "ws")
    evil = FORMULAS + MARKUP
    with Store.open(built.ws.db_path) as store:
        rows = store.query("SELECT id FROM feedback WHERE month = ? AND theme_id IS NOT NULL ORDER BY rid",
                           (MONTHS[-1],))
        with store.transaction() as cur:
            for i, row in enumerate(rows):
                bad = evil[i % len(evil)]
                cur.execute("UPDATE feedback SET text = ? || text, branch = ?, agent_id = CASE WHEN "
                            "channel = 'call' THEN ? END WHERE id = ?", (bad, bad, bad, row["id"]))
        paths = build_report(built.ws, store, MONTHS[-1])
    return built, paths


def test_excel_cells_from_data_are_never_formulas(poisoned) -> None:
    _, paths = poisoned
    wb = openpyxl.load_workbook(paths["xlsx"])
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(TRIGGERS), (ws.title, cell.coordinate, cell.value)
                    seen += cell.value.startswith("'")
    assert seen > 0, "the poisoned cells are in the workbook, escaped"


def test_markdown_shows_markup_as_text(poisoned) -> None:
    _, paths = poisoned
    md = Path(paths["md"]).read_text(encoding="utf-8")
    for raw in ("<script", "<svg", "<img", "](", "!["):
        assert raw not in md, raw
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    for raw in ("<script", "<svg", "<img", "javascript:alert(1)\"", "href=\"javascript"):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # still readable as text


def test_html_report_escapes_markup(poisoned) -> None:
    _, paths = poisoned
    html = Path(paths["html"]).read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<svg onload" not in html and "<img src=x" not in html


def test_csv_export_cells_are_never_formulas(poisoned) -> None:
    built, _ = poisoned
    res = CliRunner().invoke(app, ["export", "--home", str(built.ws.home), "--format", "csv"])
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert any(r["text"].startswith("'=cmd") for r in rows)
    numbers = {"rating", "sentiment", "sentiment_snownlp", "escalation", "theme_id"}
    for r in rows:
        for key, value in r.items():
            if key not in numbers:
                assert not value.lstrip(" ").startswith(TRIGGERS), (key, value)
