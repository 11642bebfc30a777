"""总览: this month at a glance — KPIs with deltas, trends by channel, top flagged themes, the report."""

from __future__ import annotations

import json
import logging

import streamlit as st

from dashboards import charts, data, ui
from voc import labels
from voc.errors import VocError

st.title("总览")
ctx = ui.context()
month = ui.month_picker(ctx, "overview_month")

try:
    ov = data.overview(ctx, month)
except VocError as exc:
    st.info(f"{month} 没有数据：{exc}")
    st.stop()

total, delta = ov["total"], ov["delta"]
st.caption(f"{month} 与上月（{ov['previous_month'] or '无'}）比较")


def _pp(value: float | None) -> str | None:
    return None if value is None else f"{100 * value:+.1f} 个百分点"


series = ov["series"]


def _spark(key: str) -> list[float]:
    return [r[key] for r in series if r[key] is not None]


nps_key = "nps" if total["nps"] is not None else "mean_star"
cols = st.columns(5)
cols[0].metric("反馈量", f"{total['volume']:,}", None if delta["volume"] is None else f"{delta['volume']:+,}",
               delta_color="off", border=True, chart_data=_spark("volume"))
cols[1].metric("负面占比", ui.pct(total["negative_share"]), _pp(delta["negative_share"]), delta_color="inverse",
               border=True, chart_data=_spark("negative_share"))
cols[2].metric("NPS" if nps_key == "nps" else "平均星级", ui.num(total[nps_key], 1 if nps_key == "nps" else 2),
               None if delta[nps_key] is None else f"{delta[nps_key]:+.2f}", border=True, chart_data=_spark(nps_key))
cols[3].metric("升级通话", f"{total['escalations']:,}",
               None if delta["escalations"] is None else f"{delta['escalations']:+,}", delta_color="inverse",
               border=True, chart_data=_spark("escalations"))
cols[4].metric(labels.REPEAT_RATE, ui.pct(total["repeat_rate"]), _pp(delta["repeat_rate"]), delta_color="inverse",
               border=True, chart_data=_spark("repeat_rate"))

trend = [
    {"月份": m, "渠道": ui.channel_name(ch), "数量": k["volume"], "负面占比": k["negative_share"]}
    for m, by_channel in ov["channel_series"].items()
    for ch, k in by_channel.items()
]
left, right = st.columns(2)
left.altair_chart(charts.channel_trend(trend, "数量", "反馈量（按渠道）"), width="stretch")
right.altair_chart(charts.channel_trend([r for r in trend if r["负面占比"] is not None], "负面占比",
                                        "负面占比（按渠道）", percent=True), width="stretch")

st.subheader("本月被标记的主题")
flags = data.flags(ctx, month)
if not flags:
    st.info(f"{month} 没有被标记的主题（或还没有运行 `voc flags --month {month}`）。")
else:
    rows = [
        {"主题": f["label"], "状态": ui.STATUSES.get(f["status"], f["status"]), "严重度": f["severity"],
         "数量": f["volume"], "增长倍数": f.get("growth"), "负面占比": f.get("negative_share"),
         "流程环节": ui.step_name(f.get("process_step"))}
        for f in flags[:10]
    ]
    st.dataframe(rows, hide_index=True, width="stretch", column_config={
        "严重度": st.column_config.ProgressColumn("严重度", min_value=0, max_value=100, format="%.1f"),
        "增长倍数": st.column_config.NumberColumn(format="%.2f"),
        "负面占比": st.column_config.NumberColumn(format="percent"),
    })
    st.page_link("app_pages/themes.py", label="查看主题详情", icon=":material/category:")

st.subheader("整改效果验证")
fixes = data.fixes(ctx, month)
if not fixes:
    st.info("还没有登记整改：`voc fixes add --theme 主题ID --shipped 上线日期 --title 整改内容`。")
else:
    def _fmt(value: float | None, digits: int) -> str:
        return "—" if value is None else f"{value:.{digits}f}"

    st.dataframe(
        [{"整改事项": f["title"] + ("（已关闭）" if f["status"] == "closed" else ""),
          "结论": f["verdict"] + ("（已回升）" if f["came_back"] else ""),  # first after the title: always in view
          "整改前月均": _fmt(f["before_per_month"], 1), "整改后月均": _fmt(f["after_per_month"], 1),
          "前后比": _fmt(f["ratio"], 2),
          "p 值": "<0.001" if f["p_value"] is not None and f["p_value"] < 0.001 else _fmt(f["p_value"], 3),
          "上线日期": f["shipped"], "涉及主题": "、".join(t["label"] for t in f["themes"]),
          "负责人": f.get("owner") or "—"} for f in fixes],
        hide_index=True, width="stretch", key="overview_fixes",
    )
    st.caption("上线当月不计入对比；整改后满 2 个月才下结论；见效 = 整改后月均显著更低（p < 0.05）且至少下降两成。")

st.subheader("月度报告")
if st.button("生成本月报告", key="build_report"):
    try:
        with st.spinner("正在生成报告…"):
            st.session_state["voc_report"] = (month, data.build_report(ctx, month))
    except VocError as exc:
        st.info(f"暂时无法生成报告：{exc}")
    except Exception as exc:  # a report bug must not take the whole page down; the log keeps the traceback
        logging.getLogger(__name__).exception("report for %s failed", month)
        st.error(f"生成报告失败（{type(exc).__name__}: {exc}），详情见看板日志。")
built = st.session_state.get("voc_report")
if built and built[0] == month:
    labels = {"html": "下载 HTML 报告", "md": "下载 Markdown 报告", "xlsx": "下载 Excel 明细"}
    for fmt, (name, payload) in built[1].items():
        st.download_button(labels.get(fmt, f"下载 {fmt}"), payload, file_name=name, key=f"dl_report_{fmt}",
                           on_click=data.audit, args=(ctx, "export", json.dumps({"what": f"report_{fmt}",
                                                                                   "month": month})))
