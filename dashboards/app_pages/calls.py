"""通话: pick a call (escalated first), read the transcript with escalation cues marked, see sentiment turn by turn."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, data, ui

AVATARS = {"customer": ":material/person:", "agent": ":material/support_agent:", "system": ":material/settings:"}

st.title("通话")
ctx = ui.context()
month = ui.month_picker(ctx, "calls_month")
escalated_only = st.toggle("只看升级通话", key="calls_escalated")

calls = data.calls(ctx, month, escalated_only)
if not calls:
    st.info(f"{month} 没有{'升级' if escalated_only else ''}通话记录。")
    st.stop()


def _label(c: dict) -> str:
    flag = "【升级】" if c.get("escalation") else ""
    return f"{flag}{c['created_at'][:10]} · {c.get('agent_id') or '未知坐席'} · {c.get('preview') or ''}"


by_id = {c["id"]: c for c in calls}
escalated = sum(1 for c in calls if c.get("escalation"))
st.caption(f"{month} 共 {len(calls)} 通（最多显示 300 通），其中升级 {escalated} 通；升级和情感最负面的排在前面。")
call_id = st.selectbox("选择通话", list(by_id), format_func=lambda i: _label(by_id[i]), key="calls_pick")

record, turns = data.call(ctx, call_id)
if record is None:
    st.info("这通电话已被删除（例如按个人信息删除请求）。")
    st.stop()

meta = st.columns(4)
meta[0].metric("情感", record.get("sentiment_label") or "—", border=True)
meta[1].metric("升级", "是" if record.get("escalation") else "否", border=True)
meta[2].metric("坐席", record.get("agent_id") or "—", border=True)
meta[3].metric("网点", record.get("branch") or "—", border=True)
st.markdown(f"**主题：** {record.get('theme_label') or '未归入主题'} · "
            f"**流程环节：** {ui.step_name(record.get('process_step'))} · **产品：** {record.get('product') or '—'}")

if not turns:
    st.info("这通电话没有分轮的文字记录，下面是整通的文本。")
    st.markdown(ui.mark(record["text"], data.escalation_cues()), unsafe_allow_html=True)
    st.stop()

cues = data.escalation_cues()
trajectory = [
    {"轮次": t["idx"], "情感": t["sentiment"], "内容": t["text"][:40],
     "升级线索": "、".join(c for c in cues if c in t["text"])}
    for t in turns
    if t["speaker"] == "customer" and t.get("sentiment") is not None
]
if trajectory:
    st.altair_chart(charts.sentiment_trajectory(trajectory), width="stretch")

st.markdown("#### 对话记录")
st.caption("黄色标记为升级线索（lexicons/escalation_cues.txt）")
for t in turns:
    with st.chat_message(t["speaker"], avatar=AVATARS.get(t["speaker"])):
        score = f" · 情感 {t['sentiment']:+.2f}" if t.get("sentiment") is not None else ""
        st.caption(f"{ui.SPEAKERS.get(t['speaker'], t['speaker'])} · 第 {t['idx']} 轮{score}")
        st.markdown(ui.mark(t["text"], cues), unsafe_allow_html=True)
