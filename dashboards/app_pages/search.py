"""检索: hybrid / semantic / keyword search with filters, highlighted snippets, more like this, CSV download."""

from __future__ import annotations

import calendar
import json
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from dashboards import data, ui
from voc import access
from voc.errors import VocError
from voc.store import Filters

MODES = {"hybrid": "混合", "semantic": "语义", "keyword": "关键词"}
CSV_DROP = ("snippet", "matched", "ranks", "rid")

st.title("检索")
ctx = ui.context()
if not data.months(ctx):
    st.info(ui.EMPTY_HINT)
    st.stop()

preset = st.session_state.pop("search_preset", None)
if preset:
    year, mon = (int(x) for x in preset["month"].split("-"))
    st.session_state["s_theme"] = preset["theme_id"]
    st.session_state["s_since"] = date(year, mon, 1)
    st.session_state["s_until"] = date(year, mon, calendar.monthrange(year, mon)[1])
    st.session_state["s_query"] = ""
    st.session_state.pop("mlt_id", None)

semantic = data.semantic_ready(ctx)
query = st.text_input("问题或关键词", key="s_query", placeholder="例如：客户为什么抱怨转账额度")
top = st.columns([3, 1])
mode = top[0].radio("检索方式", list(MODES) if semantic else ["keyword"], format_func=MODES.get, horizontal=True,
                    key="s_mode")
k = top[1].selectbox("显示条数", [20, 50, 100], key="s_k")
if not semantic:
    st.info("这个工作区还没有向量索引，只能按关键词检索（运行 `voc enrich` 建立索引后可用语义检索）。")

themes = ui.theme_names(ctx)
steps = data.taxonomy().ids
with st.expander("筛选条件", expanded=bool(preset) or st.session_state.get("s_theme") is not None):
    row1 = st.columns(4)
    channel = row1[0].selectbox("渠道", [None, *ui.CHANNELS], format_func=lambda c: ui.ALL if c is None else
                                ui.channel_name(c), key="s_channel")
    since = row1[1].date_input("开始日期", value=None, key="s_since")
    until = row1[2].date_input("结束日期", value=None, key="s_until")
    sentiment = row1[3].selectbox("情感", [None, *ui.SENTIMENTS], format_func=lambda s: s or ui.ALL,
                                  key="s_sentiment")
    row2 = st.columns(4)
    theme_id = row2[0].selectbox("主题", [None, *themes], format_func=lambda t: ui.ALL if t is None else themes[t],
                                 key="s_theme")
    step = row2[1].selectbox("流程环节", [None, *steps], format_func=lambda s: ui.ALL if s is None else
                             ui.step_name(s), key="s_step")
    rating_min = row2[2].number_input("最低评分", min_value=0.0, max_value=10.0, value=None, step=1.0, key="s_rmin")
    rating_max = row2[3].number_input("最高评分", min_value=0.0, max_value=10.0, value=None, step=1.0, key="s_rmax")
    picked: dict[str, str | None] = {"branch": None, "product": None, "agent_id": None}
    if ctx.user is not None and ctx.user.scoped:
        st.caption(f"只检索本网点（{ctx.user.branch}）的记录。")
    else:
        row3 = st.columns(3)
        for col, (dim, label) in zip(row3, (("branch", "网点"), ("product", "产品"), ("agent_id", "坐席")),
                                     strict=True):
            picked[dim] = col.selectbox(label, [None, *data.choices(ctx, dim)], format_func=lambda v: v or ui.ALL,
                                        key=f"s_{dim}")

filters = Filters(
    channel=channel, since=since.isoformat() if since else None, until=until.isoformat() if until else None,
    rating_min=rating_min, rating_max=rating_max, sentiment=sentiment, theme_id=theme_id, process_step=step,
    branch=picked["branch"], product=picked["product"], agent_id=picked["agent_id"],
)


def _show(hits: list[dict[str, Any]], key: str, similar_buttons: bool) -> None:
    for i, h in enumerate(hits):
        with st.container(border=True):
            st.markdown(h.get("snippet") or ui.mark(h["text"], []), unsafe_allow_html=True)
            cap, btn = st.columns([6, 1])
            cap.caption(ui.record_caption(h))
            if similar_buttons:
                btn.button("相似记录", key=f"{key}_{i}_{h['id']}", on_click=st.session_state.__setitem__,
                           args=("mlt_id", h["id"]))


mlt_id = st.session_state.get("mlt_id")
if mlt_id and semantic:
    st.subheader("相似记录")
    st.button("关闭相似记录", key="mlt_close", on_click=st.session_state.pop, args=("mlt_id", None))
    try:
        similar = data.similar(ctx, mlt_id, k=10)
    except VocError as exc:
        similar = []
        st.info(f"无法查找相似记录：{exc}")
    if not similar:
        st.info("没有找到相似记录。")
    _show(similar, "mlt", similar_buttons=False)
    st.divider()

if query.strip():
    asked = access.audit_query(query, access.scope(filters, ctx.user))
    if st.session_state.get("s_audited") != asked:  # once per question, not on every rerun
        data.audit(ctx, "search", asked)
        st.session_state["s_audited"] = asked
    try:
        hits = data.search(ctx, query, mode, filters, k)
    except VocError as exc:
        st.info(f"无法检索：{exc}")
        st.stop()
    summary = f"找到 {len(hits)} 条结果"
elif filters.active():
    total, hits = data.browse(ctx, filters, k)
    summary = f"共 {total:,} 条记录符合筛选条件，显示最新的 {len(hits)} 条"
else:
    st.info("输入问题或关键词（例如：转账限额太低），或设置筛选条件浏览记录。")
    st.stop()

if not hits:
    st.info("没有找到匹配的记录：换个说法，或减少筛选条件。")
    st.stop()
head = st.columns([4, 1])
head[0].markdown(f"**{summary}**")
frame = pd.DataFrame([{k: v for k, v in h.items() if k not in CSV_DROP} for h in hits])
head[1].download_button("下载 CSV", frame.to_csv(index=False).encode("utf-8-sig"), file_name="voc_search.csv",
                        mime="text/csv", key="s_csv", on_click=data.audit,
                        args=(ctx, "export", json.dumps({"what": "search_csv", "rows": len(frame)})))
_show(hits, "hit", similar_buttons=semantic)
