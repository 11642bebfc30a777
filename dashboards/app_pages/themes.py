"""主题: the month's flagged themes, and for one theme its trend, keywords, rating impact and verbatims."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, data, ui
from voc import curation, labels
from voc.errors import VocError
from voc.views import VIEWS

CURATIONS = {"rename": "重命名", "merge": "合并", "pin": "固定", "unpin": "取消固定", "split": "拆分"}

st.title("主题")
ctx = ui.context()
month = ui.month_picker(ctx, "themes_month")

flags = data.flags(ctx, month)
themes = {t["theme_id"]: t for t in data.themes(ctx)}
if not themes:
    st.info("工作区还没有主题：先运行 `voc themes` 发现主题，再运行 `voc flags`。")
    st.stop()

if flags:
    table = [
        {"主题": f["label"], "状态": ui.STATUSES.get(f["status"], f["status"]),
         "全部状态": "、".join(ui.STATUSES.get(s, s) for s in f.get("statuses", [])), "严重度": f["severity"],
         "流程环节": ui.step_name(f.get("process_step")), "数量": f["volume"], "增长倍数": f.get("growth"),
         "p 值": f.get("p_value"), "负面占比": f.get("negative_share"),
         labels.REPEAT_RATE: f.get("repeat_contact_rate")}
        for f in flags
    ]
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "严重度": st.column_config.ProgressColumn("严重度", min_value=0, max_value=100, format="%.1f"),
        "增长倍数": st.column_config.NumberColumn(format="%.2f"),
        "p 值": st.column_config.NumberColumn(format="%.4f"),
        "负面占比": st.column_config.NumberColumn(format="percent"),
        labels.REPEAT_RATE: st.column_config.NumberColumn(format="percent"),
    })
else:
    st.info(f"{month} 没有被标记的主题（或还没有运行 `voc flags --month {month}`）；下面仍可查看全部主题。")

flag_of = {f["theme_id"]: f for f in flags}
order = [f["theme_id"] for f in flags] + [tid for tid in themes if tid not in flag_of]


def _label(tid: int) -> str:
    status = flag_of.get(tid, {}).get("status")
    return f"{themes[tid]['label']}" + (f"（{ui.STATUSES.get(status, status)}）" if status else "")


def _curate(theme_id: int, action: str, value_key: str | None) -> None:
    """Record the analyst's decision (voc.curation checks it), audit it, and show the result at once.

    The value is read from its widget's state now: arguments bound at render time would be the old value.
    """
    assert ctx.user is not None
    value = st.session_state.get(value_key) if value_key else None
    value = None if value is None else str(value)
    try:
        curation.curate(data.writer(ctx), theme_id, action, value, actor=ctx.user.name)
    except VocError as exc:
        st.session_state["themes_curation_note"] = ("error", f"未能完成：{exc}")
        return
    data.audit(ctx, "curate", curation.audit_detail(theme_id, action, value))
    st.session_state["themes_curation_note"] = ("success", f"已{CURATIONS[action]}，`voc themes` 与报告同步生效。")


def _split(theme_id: int) -> None:
    """Re-track the latest month with the split applied (voc.pipeline.split_theme); takes a few seconds."""
    assert ctx.user is not None
    from voc import pipeline

    try:
        with st.spinner("正在拆分并重新归类本月记录…"):
            out = pipeline.split_theme(ctx.ws, data.writer(ctx), theme_id, ctx.user.name)
    except VocError as exc:
        st.session_state["themes_curation_note"] = ("error", f"未能拆分：{exc}")
    else:
        made = "、".join(f"{c['label']}（#{c['theme_id']}）" for c in out["children"]) or "成员太少，未拆出新主题"
        data.audit(ctx, "curate", curation.audit_detail(theme_id, "split", out["month"]))
        st.session_state["themes_curation_note"] = ("success", f"已拆分（{out['month']}）：{made}")
    st.rerun()


def _curation_panel(theme_id: int) -> None:
    """Rename, merge, pin / unpin: for analysts and admins signed in (an open dashboard cannot curate)."""
    note = st.session_state.pop("themes_curation_note", None)
    if note:
        getattr(st, note[0])(note[1])
    if ctx.user is None or not ctx.user.can_curate:
        if ctx.user is None:
            st.caption("添加用户（`voc users add`）并以分析员登录后，可在此重命名、合并、固定主题。")
        return
    pinned = theme_id in ctx.store.curations.curated_state()["pinned"]
    with st.expander("整理主题（重命名 / 合并 / 固定 / 拆分）", expanded=False):
        cols = st.columns([3, 1])
        cols[0].text_input("新名称", value=themes[theme_id]["label"], key=f"cur_name_{theme_id}")
        cols[1].button("重命名", key=f"cur_rename_{theme_id}", on_click=_curate,
                       args=(theme_id, "rename", f"cur_name_{theme_id}"))
        others = [t for t in order if t != theme_id and themes[t].get("status") != "merged"]
        cols = st.columns([3, 1])
        cols[0].selectbox("合并到", others, format_func=lambda t: f"{themes[t]['label']}（#{t}）",
                                 key=f"cur_into_{theme_id}")
        cols[1].button("合并", key=f"cur_merge_{theme_id}", on_click=_curate,
                       args=(theme_id, "merge", f"cur_into_{theme_id}"))
        if st.button("拆分（把本月成员重新分成两个主题）", key=f"cur_split_{theme_id}"):
            _split(theme_id)
        if pinned:
            st.button("取消固定", key=f"cur_unpin_{theme_id}", on_click=_curate, args=(theme_id, "unpin", None))
        else:
            st.button("固定（保留名称，不再自动拆分）", key=f"cur_pin_{theme_id}", on_click=_curate,
                      args=(theme_id, "pin", None))


tid = st.selectbox("选择主题", order, format_func=_label, key="themes_pick")
theme, flag = themes[tid], flag_of.get(tid)

st.subheader(theme["label"])
info = st.columns(4)
info[0].metric("本月数量", f"{flag['volume']:,}" if flag else "—", border=True)
info[1].metric("状态", ui.STATUSES.get(flag["status"], flag["status"]) if flag else "未标记", border=True)
info[2].metric("流程环节", ui.step_name(theme.get("process_step")), border=True)
impact = (flag or {}).get("rating_impact") or {}
info[3].metric(
    "评分影响（0–100 分）", ui.num(impact.get("diff")), border=True,
    help="有该主题的评分均值减去没有的均值；95% 区间 "
    f"[{ui.num(impact.get('ci_low'))}, {ui.num(impact.get('ci_high'))}]"
    + ("；样本少，仅供参考" if impact.get("small_sample") else ""),
)
_curation_panel(tid)
st.markdown("**关键词：** " + ("、".join(theme["keywords"][:12]) or "—"))
st.caption(f"首次出现 {theme.get('first_month') or '—'} · 最近出现 {theme.get('last_month') or '—'}")
history = data.label_history(ctx, tid)
if len({h["label"] for h in history}) > 1:
    with st.expander("机器标签的变化（每月按成员重算；分析员改过的名称不受影响）"):
        st.dataframe([{"月份": h["month"], "机器标签": h["label"], "成员数": h["size"]} for h in history],
                     hide_index=True, width="stretch", key="themes_label_history")

stats = data.theme_stats(ctx, tid)
if stats:
    trend = [{"月份": r["month"], "渠道": ui.channel_name(r["channel"]), "数量": r["volume"], "负面": r["negative"]}
             for r in stats]
    st.altair_chart(charts.theme_trend(trend), width="stretch")

if st.button("在检索页查看该主题的全部记录", key="themes_to_search", icon=":material/search:"):
    st.session_state["search_preset"] = {"theme_id": tid, "month": month}
    st.switch_page("app_pages/search.py")

st.markdown("#### 典型原话")
examples = data.theme_examples(ctx, tid, month, k=8)
if not examples:
    st.info(f"该主题在 {month} 没有记录。")
for ex in examples:
    with st.container(border=True):
        st.markdown(ui.mark(ex["text"], theme["keywords"]), unsafe_allow_html=True)
        st.caption(ui.record_caption(ex))

st.markdown("#### 表扬与咨询")
st.caption("不计入投诉主题：表扬说明哪些做法值得保持，咨询说明哪里的信息不够清楚。")
kind = st.radio("查看", list(VIEWS), format_func=VIEWS.get, horizontal=True, key="themes_view")
view = data.view(ctx, month, kind)
if view.get("missing_embedder"):
    st.info("还没有语义模型：先运行 `voc enrich`，再查看表扬与咨询的分组。")
elif not view["groups"]:
    st.info(f"{month} 没有{VIEWS[kind]}记录。")
else:
    st.dataframe(
        [{"分组": g["label"], "数量": g["size"], "占比": g["share"], "示例": " / ".join(g["examples"])}
         for g in view["groups"]],
        hide_index=True, width="stretch", key="themes_view_table",
        column_config={"占比": st.column_config.NumberColumn(format="percent")},
    )
