"""Sign-in for the dashboard: once `voc users add` has created a user, nothing shows before a login.

The session lives in Streamlit's per-browser session state; it ends when idle or too old ([dashboard] in
voc.toml), on 退出登录, and when the user is removed. The checks themselves are in voc.access.
"""

from __future__ import annotations

import time

import streamlit as st

from dashboards import data
from voc import access
from voc.access import User

KEY = "voc_session"


def _now() -> float:
    return time.time()


def current_user(ctx: data.Ctx) -> User | None:
    """The signed-in user, or None when no users are configured; stops the page on the login form otherwise."""
    if not data.users_exist(ctx):
        return None
    session = st.session_state.get(KEY)
    now = _now()
    settings = ctx.ws.settings.dashboard
    if session is not None:
        row = ctx.store.access.get_user(session["name"])
        alive = access.session_alive(session["started"], session["seen"], now, settings.session_minutes,
                                     settings.session_hours)
        if row is not None and alive and row["role"] == session["role"] and row["branch"] == session["branch"]:
            session["seen"] = now
            return User(row["name"], row["role"], row["branch"])
        st.session_state.pop(KEY, None)
        if row is not None and not alive:
            st.session_state["voc_login_note"] = "登录已过期，请重新登录。"
    _login_form(ctx)
    st.stop()
    raise RuntimeError("unreachable: st.stop() ends the script")


def _login_form(ctx: data.Ctx) -> None:
    st.title("voc 客户之声")
    note = st.session_state.pop("voc_login_note", None)
    if note:
        st.info(note)
    with st.form("login", border=True):
        name = st.text_input("用户名", key="login_name")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录")
    if submitted:
        user = access.authenticate(data.writer(ctx), name.strip(), password)
        if user is None:
            st.error("用户名或密码错误。")
            return
        now = _now()
        st.session_state[KEY] = {"name": user.name, "role": user.role, "branch": user.branch, "started": now,
                                 "seen": now}
        st.session_state.pop("login_password", None)
        st.rerun()


def sidebar(user: User | None) -> None:
    """Who is signed in, and the way out."""
    if user is None:
        return
    with st.sidebar:
        where = f" · {user.branch}" if user.branch else ""
        st.caption(f"已登录：{user.name}（{access.ROLE_NAMES.get(user.role, user.role)}{where}）")
        if st.button("退出登录", key="logout"):
            st.session_state.pop(KEY, None)
            st.rerun()
