"""本网点: a branch user's month — volumes, complaints, their themes and customers' own words, their branch only."""

from __future__ import annotations

import json
from collections import defaultdict

import pandas as pd
import streamlit as st

from dashboards import data, ui
from voc.store import Filters

ctx = ui.context()
branch = ctx.user.branch if ctx.user is not None else None
st.title(f"本网点：{branch}" if branch else "本网点")
if branch is None:
    st.info("本页只对网点用户开放：管理员与分析员请看“总览”。")
    st.stop()
month = ui.month_picker(ctx, "branch_month")
in_month = Filters(since=f"{month}-01", until=month)

everything = data.crosstab(ctx, month, "channel", "channel", in_month, None, complaints_only=False)
complaints = data.crosstab(ctx, month, "theme_id", "channel", in_month, None, complaints_only=True)
volume = sum(c["n"] for c in everything)
negative = sum(c["negative"] or 0 for c in everything)
cols = st.columns(3)
cols[0].metric("反馈量", f"{volume:,}", border=True)
cols[1].metric("投诉", f"{sum(c['n'] for c in complaints):,}", border=True)
cols[2].metric("负面占比", ui.pct(negative / volume if volume else None), border=True)
if not volume:
    st.info(f"{branch} 在 {month} 没有记录。")
    st.stop()

st.subheader("本网点的投诉主题")
by_theme: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "negative": 0})
for c in complaints:
    by_theme[c["row_value"]]["n"] += c["n"]
    by_theme[c["row_value"]]["negative"] += c["negative"] or 0
st.dataframe(
    [{"主题": ui.dimension_value(ctx, "theme_id", tid), "投诉数": v["n"], "负面": v["negative"]}
     for tid, v in sorted(by_theme.items(), key=lambda kv: -kv[1]["n"])],
    hide_index=True, width="stretch", key="branch_themes",
)

st.subheader("客户原话（最新的负面反馈）")
total, latest = data.browse(ctx, Filters(since=f"{month}-01", until=month, sentiment="负面"), limit=20)
st.caption(f"{month} 共 {total:,} 条负面反馈，显示最新的 {len(latest)} 条")
for r in latest:
    with st.container(border=True):
        st.markdown(ui.mark(r["text"], []), unsafe_allow_html=True)
        st.caption(ui.record_caption(r))

_, rows = data.browse(ctx, in_month, limit=20_000)
frame = pd.DataFrame([{k: v for k, v in r.items() if k != "rid"} for r in rows])
st.download_button(
    "下载本月本网点记录（CSV）", frame.to_csv(index=False).encode("utf-8-sig"), file_name=f"voc_{month}.csv",
    mime="text/csv", key="branch_csv",
    on_click=data.audit, args=(ctx, "export", json.dumps({"what": "branch_csv", "month": month, "rows": len(rows)})),
)
