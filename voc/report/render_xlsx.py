"""The report's numbers as an Excel workbook: one sheet per section, raw values and record ids, ready to filter.

Cells hold raw numbers (shares as fractions with a percent format), never formatted strings, so follow-up
work can sort and sum them; no generation time is written, so two runs give the same cell values. Text from
the data is always a string cell: one that would start a formula (=, +, -, @, tab, CR) gets a leading '.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from voc.artifacts import atomic_write
from voc.report.data import ReportData
from voc.report.fmt import channel_name, sheet_cell, status_name

PCT, DEC2, DEC1, PVAL, INT = "0.0%", "0.00", "0.0", '[<0.0001]"<0.0001";0.0000', "#,##0"
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
HEADER_FONT = Font(bold=True)
KIND_FORMATS = {"share": PCT, "decimal": DEC2, "score": DEC1, "count": INT}
SHEETS = ("本月概览", "重点关注主题", "建议优化的服务环节", "整改效果验证", "已登记整改", "渠道×场景", "人员（坐席）",
          "数据说明", "记录明细")


def _width(v: Any) -> int:
    s = "" if v is None else str(v)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def write_table(ws: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                formats: dict[int, str] | None = None, row_formats: Sequence[str | None] | None = None,
                note: str = "") -> None:
    """Header row bold and filled, frozen, autofiltered; number formats by column (or by row); widths fitted."""
    ws.append([sheet_cell(h) for h in headers])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=False)
    for row in rows:
        ws.append([sheet_cell(v) for v in row])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(max(len(headers), 1))}{max(len(rows) + 1, 1)}"
    formats = formats or {}
    sample = rows[:500]
    for j, h in enumerate(headers, 1):
        width = max([_width(h), *(_width(r[j - 1]) for r in sample)]) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 60)
        fmt = formats.get(j - 1)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=j, max_col=j):
                cell.number_format = fmt
    if row_formats:
        for i, fmt in enumerate(row_formats, 2):
            if fmt:
                for cell in ws[i][2:]:
                    cell.number_format = fmt
    if note:
        ws.cell(row=len(rows) + 3, column=1, value=sheet_cell(note))


def _overview(ws: Worksheet, d: ReportData) -> None:
    rows, fmts = [], []
    for k in d.kpis:
        rows.append(["全部", k["name"], k["value"], k["previous"], k["delta"], *k["series"]])
        fmts.append(KIND_FORMATS[k["kind"]])
    for c in d.channels:
        rows.append([channel_name(c["channel"]), "反馈量", c["volume"], c["previous"], c["delta"], *c["series"]])
        fmts.append(INT)
        for key, name in (("negative_share", "负面占比"), ("repeat_rate", "二次咨询率")):
            rows.append([channel_name(c["channel"]), name, c[key], None, None, *([None] * len(d.window))])
            fmts.append(PCT)
    write_table(ws, ["范围", "指标", d.month, d.previous_month or "上月", "变化", *d.window], rows, row_formats=fmts)


def _themes(ws: Worksheet, d: ReportData) -> None:
    themes = d.themes + d.other_themes
    channels = sorted({ch for t in themes for ch in t["volume_by_channel"]})
    headers = ["主题ID", "主题", "状态", "全部状态", "服务环节", "严重度", "本月反馈量",
               *(f"{channel_name(c)}" for c in channels), "较基线倍数", "p值", "负面占比", "二次咨询率",
               "评分影响", "95%CI下限", "95%CI上限", "评分样本量", "样本量小", "示例记录ID", "关键词", *d.window]
    rows = []
    for t in themes:
        ri = t.get("rating_impact") or {}
        rows.append([
            t["theme_id"], t["label"], status_name(t["status"]), "、".join(status_name(s) for s in t["statuses"]),
            t["step_name"], t["severity"], t["volume"], *(t["volume_by_channel"].get(c, 0) for c in channels),
            t["growth"], t["p_value"], t["negative_share"], t["repeat_contact_rate"], ri.get("diff"),
            ri.get("ci_low"), ri.get("ci_high"), ri.get("n_with"), "是" if ri.get("small_sample", True) else "否",
            ", ".join(e["id"] for e in t["examples"]), "、".join(t["keywords"]), *t["series"],
        ])
    k = 7 + len(channels)
    formats = {5: DEC1, k: DEC2, k + 1: PVAL, k + 2: PCT, k + 3: PCT, k + 4: DEC1, k + 5: DEC1, k + 6: DEC1}
    write_table(ws, headers, rows, formats, note="" if rows else "本月没有被标记的主题。")


def _steps(ws: Worksheet, d: ReportData) -> None:
    rows = [[s["rank"], s["step"], s["name"], s["severity"], s["volume"], t["theme_id"], t["label"],
             status_name(t["status"]), t["severity"], t["volume"], t["growth"], t["p_value"]]
            for s in d.steps for t in s["themes"]]
    write_table(ws, ["排名", "环节ID", "服务环节", "严重度合计", "环节反馈量", "主题ID", "主题", "状态", "主题严重度",
                     "主题反馈量", "较基线倍数", "p值"], rows, {3: DEC1, 8: DEC1, 10: DEC2, 11: PVAL},
                note="" if rows else "本月没有需要重点复盘的服务环节。")


def _resolved(ws: Worksheet, d: ReportData) -> None:
    rows = [[r["theme_id"], r["label"], r["step_name"], "、".join(r["before_months"]), r["before_count"],
             r["before_per_month"], "、".join(r["after_months"]), r["after_count"], r["after_per_month"],
             r["ratio"], r["p_value"], *r["series"]] for r in d.resolved]
    write_table(ws, ["主题ID", "主题", "服务环节", "整改前月份", "整改前合计", "整改前月均", "整改后月份", "整改后合计",
                     "整改后月均", "前后比", "p值", *d.window], rows, {5: DEC1, 8: DEC1, 9: DEC2, 10: PVAL},
                note="" if rows else "本月没有主题被判定为整改见效。")


def _fixes(ws: Worksheet, d: ReportData) -> None:
    rows = [[f["fix_id"], f["title"], "已关闭" if f["status"] == "closed" else "进行中", f.get("owner"), f["step_name"],
             f["shipped"], "、".join(t["label"] for t in f["themes"]), "、".join(f["before_months"]),
             f["before_per_month"], "、".join(f["after_months"]), f["after_per_month"], f["ratio"], f["p_value"],
             f["verdict"] + ("（已回升）" if f["came_back"] else ""), *f["series"][-len(d.window):]] for f in d.fixes]
    write_table(ws, ["整改ID", "整改事项", "状态", "负责人", "服务环节", "上线日期", "涉及主题", "整改前月份",
                     "整改前月均", "整改后月份", "整改后月均", "前后比", "p值", "结论", *d.window], rows,
                {8: DEC1, 10: DEC1, 11: DEC2, 12: PVAL}, note="" if rows else "还没有登记整改。")


def _breakdowns(ws: Worksheet, d: ReportData) -> None:
    ids = [t["theme_id"] for t in d.themes]
    rows = [[b["name"], channel_name(r["value"]) if b["dimension"] == "channel" else r["value"], r["total"],
             *(r["by_theme"].get(i, 0) for i in ids), r["negative"], r["escalations"]]
            for b in d.breakdowns for r in b["rows"]]
    write_table(ws, ["维度", "取值", "合计", *(f"{t['label']}（{t['theme_id']}）" for t in d.themes), "负面", "升级"],
                rows, note="" if rows else "本月没有被标记的主题。")


def _agents(ws: Worksheet, d: ReportData) -> None:
    rows = [[a["agent_id"], a["calls"], a["complaints"], a["complaints_rate"], a["complaints_others"],
             a["complaints_z"], a["complaints_p"], a["escalations"], a["escalations_rate"], a["escalations_others"],
             a["escalations_z"], a["escalations_p"], a["flagged"], "供复核" if a["review"] else "",
             "、".join(a["reasons"])] for a in d.agents]
    write_table(ws, ["坐席", "通话", "投诉", "投诉率", "其他坐席投诉率", "投诉z值", "投诉p值(校正)", "升级", "升级率",
                     "其他坐席升级率", "升级z值", "升级p值(校正)", "关注主题通话", "提示", "偏高指标"], rows,
                {3: PCT, 4: PCT, 5: DEC2, 6: PVAL, 8: PCT, 9: PCT, 10: DEC2, 11: PVAL},
                note="供复核：比率显著高于其余坐席（单侧二项检验，Bonferroni 校正），仅提示抽听核实，不作绩效结论。")


def _notes(ws: Worksheet, d: ReportData) -> None:
    n = d.notes
    rows: list[list[Any]] = [
        ["统计月份", d.month], ["对比月份", d.previous_month], ["数据期间", f"{n['months'][0]} 至 {n['months'][-1]}"],
        ["全部记录数", n["all_records"]], ["隔离记录数", n["quarantined"]],
    ]
    rows += [[f"隔离记录：{q['source']}", q["n"]] for q in n["quarantine_by_source"]]
    rows += [[f"来源：{s['source']}（{channel_name(s['channel'])}）", s["n"]] for s in n["sources"]]
    if n["theme_run"]:
        rows += [[f"主题追踪.{k}", v] for k, v in n["theme_run"].items()]
    for m in n["models"]:
        rows += [[f"模型 {m['folder']}", f"{m['kind']} · {m['created_at']} · {m['fingerprint']}"]]
    rows += [[k, v] for k, v in n["settings"].items()]
    rows += [[f"flags.{k}", v] for k, v in n["rules"].items()]
    write_table(ws, ["项目", "取值"], rows)


def _records(ws: Worksheet, d: ReportData) -> None:
    cols = ("id", "theme_id", "label", "channel", "source", "created_at", "branch", "product", "agent_id",
            "sentiment_label", "escalation", "repeat_contact", "rating", "rating_scale", "text")
    rows = [[r[c] for c in cols] for r in d.records]
    write_table(ws, ["记录ID", "主题ID", "主题", "渠道", "来源", "时间", "网点", "产品", "坐席", "情感", "升级",
                     "二次咨询", "评分", "评分量表", "原声（已脱敏）"], rows)


def render_xlsx(data: ReportData, path: Path) -> Path:
    """Write report-YYYY-MM.xlsx with one formatted sheet per section plus the records behind the flags."""
    wb = Workbook()
    writers = (_overview, _themes, _steps, _resolved, _fixes, _breakdowns, _agents, _notes, _records)
    for i, (name, writer) in enumerate(zip(SHEETS, writers, strict=True)):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        writer(ws, data)
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write(path, buf.getvalue())
    return path
