"""渠道与网点: channel × scene × people cross-tabs of a month's complaints, with filters, and agent rates."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, data, ui
from voc.store import Filters

SCOPES = {"flagged": "被标记的主题", "complaints": "全部投诉", "all": "全部记录"}

st.title("渠道与网点")
ctx = ui.context()
month = ui.month_picker(ctx, "channels_month")

top = st.columns(3)
scope = top[0].radio("范围", list(SCOPES), format_func=SCOPES.get, key="ch_scope")
dims = list(ui.DIMENSIONS)
rows_dim = top[1].selectbox("行", dims, index=dims.index("channel"), format_func=ui.DIMENSIONS.get, key="ch_rows")
cols_dim = top[2].selectbox("列", dims, index=dims.index("process_step"), format_func=ui.DIMENSIONS.get,
                            key="ch_cols")

filt = st.columns(4)
channel = filt[0].selectbox("渠道", [None, *ui.CHANNELS], format_func=lambda c: ui.ALL if c is None else
                            ui.channel_name(c), key="ch_channel")
picked = {}
for col, dim in zip(filt[1:], ("branch", "product", "agent_id"), strict=True):
    picked[dim] = col.selectbox(ui.DIMENSIONS[dim], [None, *data.choices(ctx, dim)],
                                format_func=lambda v: v or ui.ALL, key=f"ch_{dim}")
filters = Filters(channel=channel, branch=picked["branch"], product=picked["product"],
                        agent_id=picked["agent_id"])

theme_ids: tuple[int, ...] | None = None
if scope == "flagged":
    theme_ids = tuple(f["theme_id"] for f in data.flags(ctx, month) if f["status"] != "resolved")
    if not theme_ids:
        st.info(f"{month} 没有被标记（未解决）的主题：请改选“全部投诉”。")
        st.stop()

cells = data.crosstab(ctx, month, rows_dim, cols_dim, filters, theme_ids, complaints_only=scope != "all")
if not cells:
    st.info("这些筛选条件下没有记录：请放宽筛选。")
    st.stop()

named = [
    {"行": ui.dimension_value(ctx, rows_dim, c["row_value"]), "列": ui.dimension_value(ctx, cols_dim, c["col_value"]),
     "数量": c["n"], "负面": c["negative"], "升级": c["escalations"]}
    for c in cells
]
total = sum(c["数量"] for c in named)
st.markdown(f"**{month} · {SCOPES[scope]}：{total:,} 条**")
st.altair_chart(charts.heatmap(named[:600], ui.DIMENSIONS[rows_dim], ui.DIMENSIONS[cols_dim]), width="stretch")

with st.expander("明细表", expanded=False):
    st.dataframe(named, hide_index=True, width="stretch", column_config={
        "行": ui.DIMENSIONS[rows_dim], "列": ui.DIMENSIONS[cols_dim]})

st.subheader("坐席通话情况")
agents = data.agent_rates(ctx, month)
if not agents:
    st.info(f"{month} 没有带坐席编号的通话。")
else:
    st.dataframe(
        [{"坐席": a["agent_id"], "通话数": a["calls"], "投诉通话": a["complaints"], "升级": a["escalations"],
          "升级率": a["escalations"] / a["calls"] if a["calls"] else None} for a in agents],
        hide_index=True, width="stretch", column_config={"升级率": st.column_config.NumberColumn(format="percent")},
    )
