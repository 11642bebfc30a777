"""The monthly report on a workspace whose numbers are known by construction (tests/builders.py).

Expected figures are counted here from `built.records` / `built.theme_of`, not through voc's aggregation code.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from builders import MONTHS, PII_PHONE, THEMES, build_workspace
from openpyxl import load_workbook
from typer.testing import CliRunner

from voc.cli import app
from voc.config import FlagSettings, Settings
from voc.errors import VocError
from voc.report import build_report
from voc.report.analysis import agent_review, rank_steps
from voc.report.data import assemble
from voc.store import Store
from voc.workspace import Workspace

JUNE = MONTHS[-1]
SECTIONS = ("本月概览", "重点关注主题", "建议优化的服务环节", "整改效果验证", "渠道 × 场景 × 人员", "数据说明")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    return build_workspace(Path(tmp_path_factory.mktemp("report")) / "ws")


@pytest.fixture(scope="module")
def reports(built, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], dict[str, Path]]:
    """The June report written twice into two folders (reproducibility is checked between them)."""
    out = []
    for name in ("a", "b"):
        with Store.open(built.ws.db_path) as store:
            out.append(build_report(built.ws, store, JUNE, out_dir=tmp_path_factory.mktemp(name)))
    return out[0], out[1]


@pytest.fixture(scope="module")
def data(built):
    with Store.open(built.ws.db_path, readonly=True) as store:
        return assemble(built.ws, store, JUNE)


def _june(built, theme: int | None = None):
    return [r for r in built.records if r.month == JUNE and (theme is None or built.theme_of.get(r.id) == theme)]


def _sheet(path: Path, name: str) -> list[dict]:
    """The table at the top of a sheet: header row, then rows up to the first blank one (notes come after)."""
    rows = list(load_workbook(path, read_only=True)[name].iter_rows(values_only=True))
    out = []
    for r in rows[1:]:
        if all(v is None for v in r):
            break
        out.append(dict(zip(rows[0], r, strict=True)))
    return out


def test_three_files_with_every_section(reports) -> None:
    paths, _ = reports
    assert {k: p.name for k, p in paths.items()} == {
        "html": f"report-{JUNE}.html", "md": f"report-{JUNE}.md", "xlsx": f"report-{JUNE}.xlsx"}
    html, md = paths["html"].read_text("utf-8"), paths["md"].read_text("utf-8")
    for heading in SECTIONS:
        assert f"<h2>{heading}</h2>" in html
        assert f"\n## {heading}\n" in md
    sheets = load_workbook(paths["xlsx"], read_only=True).sheetnames
    assert sheets[:4] == ["本月概览", "重点关注主题", "建议优化的服务环节", "整改效果验证"]
    assert all(len(s) <= 31 for s in sheets)


def test_overview_matches_the_input(built, data, reports) -> None:
    june = _june(built)
    may = [r for r in built.records if r.month == MONTHS[-2]]
    kpi = {k["key"]: k for k in data.kpis}
    assert kpi["volume"]["value"] == len(june)
    assert kpi["volume"]["delta"] == len(june) - len(may)
    stars = [r.rating for r in june if r.rating is not None]
    assert kpi["mean_star"]["value"] == pytest.approx(sum(stars) / len(stars))
    assert kpi["volume"]["series"] == [sum(r.month == m for r in built.records) for m in MONTHS]
    assert {c["channel"]: c["volume"] for c in data.channels} == dict(Counter(r.channel for r in june))
    md = reports[0]["md"].read_text("utf-8")
    assert f"| 反馈总量 | {len(june)} | {len(may)} | ↑ {len(june) - len(may)} |" in md
    rows = _sheet(reports[0]["xlsx"], "本月概览")
    total = next(r for r in rows if r["范围"] == "全部" and r["指标"] == "反馈总量")
    assert total[JUNE] == len(june) and total["变化"] == len(june) - len(may)
    star = next(r for r in rows if r["指标"] == "平均评分（5星）")
    assert star[JUNE] == pytest.approx(sum(stars) / len(stars))


def test_repeat_contact_rate_counted_independently(built, data) -> None:
    """Same customer, same theme, within 30 days (any channel) counts as a repeat contact."""
    from datetime import datetime

    seen: dict[tuple[str, int], datetime] = {}
    repeats = keyed = 0
    for r in sorted((r for r in built.records if r.id in built.theme_of), key=lambda r: (r.created_at, r.id)):
        t = datetime.fromisoformat(r.created_at)
        key = (r.customer_key, built.theme_of[r.id])
        is_repeat = key in seen and (t - seen[key]).total_seconds() <= 30 * 86400
        seen[key] = t
        if r.month == JUNE:
            keyed += 1
            repeats += is_repeat
    assert next(k for k in data.kpis if k["key"] == "repeat_rate")["value"] == pytest.approx(repeats / keyed)


def test_flagged_themes_by_severity_with_evidence(built, data, reports) -> None:
    # emerging pension fees (born in May: no baseline to rise from), recurring limits
    assert [t["theme_id"] for t in data.themes] == [2, 0]
    new, recurring = data.themes
    assert new["statuses"] == ["emerging"]
    assert new["volume_by_channel"] == dict(Counter(r.channel for r in _june(built, 2)))
    assert recurring["volume"] == len(_june(built, 0)) == THEMES[0][3][-1] + 1
    assert recurring["series"] == [THEMES[0][3][i] + (i == 5) for i in range(6)]
    assert new["series"] == list(THEMES[2][3])
    texts = {r.id: r.text for r in built.records}
    for t in data.themes:
        assert 3 <= len(t["examples"]) <= 5
        assert all(built.theme_of[e["id"]] == t["theme_id"] and e["text"] == texts[e["id"]] for e in t["examples"])
    assert new["rating_impact"]["small_sample"] is True
    html = reports[0]["html"].read_text("utf-8")
    assert html.count("样本量小") >= 2 and "新出现" in html and "持续出现" in html and "显著上升" in html
    sheet = {r["主题ID"]: r for r in _sheet(reports[0]["xlsx"], "重点关注主题")}
    assert set(sheet) == {0, 2}
    assert sheet[0]["本月反馈量"] == len(_june(built, 0))
    assert sheet[2]["电话客服"] == sum(r.channel == "call" for r in _june(built, 2))
    assert sheet[2]["示例记录ID"].split(", ") == [e["id"] for e in new["examples"]]
    assert sheet[2]["状态"] == "新出现" and sheet[0]["状态"] == "持续出现"


def test_steps_ranked_by_summed_severity(data, reports) -> None:
    assert [s["step"] for s in data.steps] == ["fees", "transfer_limits"]
    assert [s["severity"] for s in data.steps] == [t["severity"] for t in data.themes]
    md = reports[0]["md"].read_text("utf-8")
    assert re.search(r"1\. \*\*收费\*\* — 严重度合计", md) and re.search(r"2\. \*\*转账汇款与限额\*\*", md)
    rows = _sheet(reports[0]["xlsx"], "建议优化的服务环节")
    assert [(r["排名"], r["环节ID"], r["主题ID"]) for r in rows] == [(1, "fees", 2), (2, "transfer_limits", 0)]


def test_resolved_theme_before_and_after(data, reports) -> None:
    (r,) = data.resolved
    volumes = THEMES[1][3]
    assert r["theme_id"] == 1
    assert r["before_months"] == list(MONTHS[:3]) and r["before_count"] == sum(volumes[:3])
    assert r["after_months"] == list(MONTHS[3:]) and r["after_count"] == sum(volumes[3:])
    assert r["series"] == list(volumes)
    (row,) = _sheet(reports[0]["xlsx"], "整改效果验证")
    assert row["整改前合计"] == sum(volumes[:3]) and row["整改后月均"] == pytest.approx(sum(volumes[3:]) / 3)


def test_breakdown_and_agents_match_the_input(built, data, reports) -> None:
    flagged = [r for r in _june(built) if built.theme_of.get(r.id) in (0, 2)]
    by_dim = {b["dimension"]: {row["value"]: row for row in b["rows"]} for b in data.breakdowns}
    assert {v: row["total"] for v, row in by_dim["branch"].items()} == dict(Counter(r.branch for r in flagged))
    assert {v: row["by_theme"] for v, row in by_dim["channel"].items()} == {
        ch: dict(Counter(built.theme_of[r.id] for r in flagged if r.channel == ch))
        for ch in ("call", "rating", "social")
    }
    calls = Counter(r.agent_id for r in _june(built) if r.channel == "call")
    assert {a["agent_id"]: a["calls"] for a in data.agents} == dict(calls)
    assert not any(a["review"] for a in data.agents)  # every call is a complaint: nobody stands out
    sheet = {r["坐席"]: r for r in _sheet(reports[0]["xlsx"], "人员（坐席）")}
    assert {k: v["通话"] for k, v in sheet.items()} == dict(calls)
    assert "供复核" in reports[0]["md"].read_text("utf-8")


def test_data_notes(built, data, reports) -> None:
    june = _june(built)
    assert {s["source"]: s["n"] for s in data.notes["sources"]} == dict(Counter(r.source for r in june))
    assert data.notes["all_records"] == len(built.records)
    assert data.notes["months"] == list(MONTHS)
    assert data.notes["rules"]["min_count"] == built.ws.settings.flags.min_count
    notes = {r["项目"]: r["取值"] for r in _sheet(reports[0]["xlsx"], "数据说明")}
    assert notes["全部记录数"] == len(built.records) and notes["统计月份"] == JUNE
    records = _sheet(reports[0]["xlsx"], "记录明细")
    assert Counter(r["主题ID"] for r in records) == Counter(
        built.theme_of[r.id] for r in june if r.id in built.theme_of)


def test_html_is_self_contained(reports) -> None:
    html = reports[0]["html"].read_text("utf-8")
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "<link" not in html
    assert html.count("<svg") >= 10
    assert '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif' in html
    assert "@page { size: A4" in html and "break-before: page" in html


def test_no_pii_in_any_output(built, reports) -> None:
    pii_record = next(r for r in built.records if r.text.startswith("我的电话"))
    detail = {r["记录ID"]: r for r in _sheet(reports[0]["xlsx"], "记录明细")}
    assert pii_record.id in detail  # the record is reported, with its redacted text
    for paths in reports:
        assert PII_PHONE not in paths["html"].read_text("utf-8")
        assert PII_PHONE not in paths["md"].read_text("utf-8")
        wb = load_workbook(paths["xlsx"], read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                assert not any(PII_PHONE in str(v) for v in row if v is not None)


def test_same_run_twice_gives_the_same_numbers(reports) -> None:
    a, b = reports
    assert a["md"].read_text("utf-8") == b["md"].read_text("utf-8")
    wa, wb = load_workbook(a["xlsx"], read_only=True), load_workbook(b["xlsx"], read_only=True)
    assert wa.sheetnames == wb.sheetnames
    for name in wa.sheetnames:
        assert list(wa[name].iter_rows(values_only=True)) == list(wb[name].iter_rows(values_only=True))


def test_missing_flags_are_computed_for_the_report_but_only_ensure_saves_them(built, tmp_path: Path) -> None:
    from voc import pipeline

    with Store.open(built.ws.db_path) as store:
        assert store.themes.get_flags("2026-05") == []
        stamp = store.last_change()
        paths = build_report(built.ws, store, "2026-05", out_dir=tmp_path, formats=["md"])
        assert store.themes.get_flags("2026-05") == [] and store.last_change() == stamp  # the report only reads
        labels = {t["theme_id"]: t["label"] for t in store.themes.list_themes()}
        md = paths["md"].read_text("utf-8")
        assert labels[0] in md and labels[2] in md
        assert pipeline.ensure(built.ws, store, through="flags", month="2026-05") == ["flags"]
        assert {f["theme_id"] for f in store.themes.get_flags("2026-05")} >= {0, 2}


def test_month_without_flags_says_so(built, tmp_path: Path) -> None:
    strict = Workspace(built.ws.home, Settings(flags=FlagSettings(min_count=100_000)))
    with Store.open(built.ws.db_path) as store:
        paths = build_report(strict, store, "2026-04", out_dir=tmp_path)
    md = paths["md"].read_text("utf-8")
    assert "本月没有主题被判定为持续出现、显著上升或新出现" in md
    assert "本月没有需要重点复盘的服务环节" in md and "本月没有主题被判定为整改见效" in md
    for heading in SECTIONS:
        assert f"<h2>{heading}</h2>" in paths["html"].read_text("utf-8")
    assert _sheet(paths["xlsx"], "重点关注主题") == []
    assert load_workbook(paths["xlsx"])["重点关注主题"]["A3"].value == "本月没有被标记的主题。"


def test_month_without_data_is_a_clear_error(built, tmp_path: Path) -> None:
    with Store.open(built.ws.db_path) as store, pytest.raises(VocError, match="no data for 2025-01"):
        build_report(built.ws, store, "2025-01", out_dir=tmp_path)
    empty = Workspace.init(tmp_path / "empty")
    with Store.open(empty.db_path) as store, pytest.raises(VocError, match="no records"):
        build_report(empty, store)
    with Store.open(built.ws.db_path) as store, pytest.raises(VocError, match="unknown report format pdf"):
        build_report(built.ws, store, JUNE, out_dir=tmp_path, formats=["pdf"])


def test_cli_writes_into_the_reports_folder(built) -> None:
    res = CliRunner().invoke(app, ["report", "--home", str(built.ws.home), "--format", "md,xlsx", "--json"])
    assert res.exit_code == 0, res.output
    paths = json.loads(res.output)
    assert set(paths) == {"md", "xlsx"}
    assert Path(paths["md"]) == built.ws.reports_dir / f"report-{JUNE}.md" and Path(paths["md"]).exists()


def test_rank_steps_and_agent_review_on_hand_made_numbers() -> None:
    flags = [
        {"theme_id": 1, "status": "recurring", "severity": 40.0, "volume": 50, "process_step": "hotline"},
        {"theme_id": 2, "status": "emerging", "severity": 35.0, "volume": 20, "process_step": "hotline"},
        {"theme_id": 3, "status": "rising", "severity": 60.0, "volume": 90, "process_step": "fees"},
        {"theme_id": 4, "status": "resolved", "severity": 99.0, "volume": 2, "process_step": "loans"},
    ]
    ranked = rank_steps(flags, str.upper)
    assert [(s["step"], s["severity"], s["volume"]) for s in ranked] == [("hotline", 75.0, 70), ("fees", 60.0, 90)]
    assert [t["theme_id"] for t in ranked[0]["themes"]] == [1, 2]
    agents = [{"agent_id": f"A{i}", "calls": 100, "complaints": 10, "escalations": 2} for i in range(9)]
    agents.append({"agent_id": "A9", "calls": 100, "complaints": 40, "escalations": 2})
    out = agent_review(agents, {"A9": 30})
    assert out[0]["agent_id"] == "A9" and out[0]["review"] and out[0]["reasons"] == ["投诉率"]
    assert out[0]["complaints_others"] == pytest.approx(0.1) and out[0]["flagged"] == 30
    assert not any(a["review"] for a in out[1:])


@pytest.mark.skipif(importlib.util.find_spec("PIL") is None, reason="Pillow is needed to check the screenshot")
def test_html_renders_in_headless_chromium(reports, tmp_path: Path) -> None:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install -y chromium fonts-noto-cjk to run this check")
    spec = importlib.util.spec_from_file_location("render_report_png", ROOT / "scripts" / "render_report_png.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    png = module.render_png(reports[0]["html"], tmp_path / "report.png", height=2000)
    from PIL import Image

    with Image.open(png) as im:
        assert im.size == (1280, 2000)
        assert len(im.convert("L").getcolors(256) or []) > 20  # text and charts, not a blank page
    assert png.stat().st_size > 50_000


def test_model_fingerprints_shown_as_short_hashes() -> None:
    from voc.report.data import fingerprint_text

    as_dict = fingerprint_text({"name": "corpus_w2v_sif", "corpus_hash": "ab" * 32, "dim": 256})
    assert len(as_dict) == 16 and as_dict == fingerprint_text({"dim": 256, "corpus_hash": "ab" * 32,
                                                               "name": "corpus_w2v_sif"})
    assert fingerprint_text("0123456789abcdef0123") == "0123456789abcdef"


def test_main_section_holds_the_most_severe_max_report_flags(built, data, tmp_path: Path) -> None:
    assert len(data.themes) == 2 and data.other_themes == []
    one = Workspace(built.ws.home, Settings(flags=FlagSettings(max_report_flags=1)))
    with Store.open(built.ws.db_path) as store:
        small = assemble(one, store, JUNE)
        paths = build_report(one, store, JUNE, out_dir=tmp_path)
    assert [t["theme_id"] for t in small.themes] == [2] and [t["theme_id"] for t in small.other_themes] == [0]
    assert small.themes[0]["severity"] >= small.other_themes[0]["severity"]
    assert [s["step"] for s in small.steps] == ["fees"]
    md = paths["md"].read_text("utf-8")
    main, others = md.split("## 其他标记")
    assert "### 1. 养老金账户 · 扣款" in main and "转账限额 · 调额" not in main.split("## 重点关注主题")[1]
    assert "| 转账限额 · 调额 | 持续出现 |" in others.split("## 建议优化的服务环节")[0]
    assert '<section id="others">' in paths["html"].read_text("utf-8")
    assert {r["主题ID"] for r in _sheet(paths["xlsx"], "重点关注主题")} == {0, 2}  # the full list stays in Excel
