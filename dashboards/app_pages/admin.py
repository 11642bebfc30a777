"""用户与审计: who may sign in (add and remove users) and what they did — for admins only."""

from __future__ import annotations

import json

import streamlit as st

from dashboards import data, ui
from voc import access
from voc.errors import VocError

ctx = ui.context()
st.title("用户与审计")
if ctx.user is None or not ctx.user.is_admin:
    st.info("本页只对管理员开放。")
    st.stop()

st.subheader("用户")
users = ctx.store.access.list_users()
st.dataframe([{"用户名": u["name"], "角色": access.ROLE_NAMES.get(u["role"], u["role"]), "网点": u["branch"] or "—",
               "API 令牌": u["tokens"], "创建时间": u["created_at"]} for u in users],
             hide_index=True, width="stretch", key="admin_users")

with st.form("admin_add", border=True):
    st.markdown("**添加用户**")
    cols = st.columns(4)
    name = cols[0].text_input("用户名", key="admin_name")
    role = cols[1].selectbox("角色", access.ROLES, format_func=access.ROLE_NAMES.get, key="admin_role")
    branch = cols[2].text_input("网点（仅网点用户）", key="admin_branch")
    password = cols[3].text_input("初始密码", type="password", key="admin_password")
    if st.form_submit_button("添加"):
        try:
            user = access.add_user(data.writer(ctx), name.strip(), role, password, branch.strip() or None)
        except VocError as exc:
            st.error(f"无法添加：{exc}")
        else:
            data.audit(ctx, "user_added", f"{user.name} {user.role} {user.branch or ''}".strip())
            st.success(f"已添加 {user.name}")
            st.rerun()

others = [u["name"] for u in users if u["name"] != ctx.user.name]
if others:
    cols = st.columns([3, 1])
    gone = cols[0].selectbox("删除用户", others, key="admin_remove_pick")
    if cols[1].button("删除", key="admin_remove"):
        data.writer(ctx).access.remove_user(gone)
        data.audit(ctx, "user_removed", gone)
        st.rerun()

st.subheader("审计日志")
who = st.selectbox("用户", [None, *[u["name"] for u in users], "cli"], format_func=lambda v: v or ui.ALL,
                   key="admin_audit_user")
events = ctx.store.access.audit_log(limit=500, actor=who)
st.dataframe([{"时间": e["at"], "用户": e["actor"], "操作": access.ACTION_NAMES.get(e["action"], e["action"]),
               "内容": e["detail"] or ""} for e in events], hide_index=True, width="stretch", key="admin_audit")
st.download_button("下载审计日志（JSON）", json.dumps(events, ensure_ascii=False, indent=1).encode("utf-8"),
                   file_name="voc_audit.json", key="admin_audit_dl")
