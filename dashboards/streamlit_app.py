"""Entry of the dashboard (`voc dashboard` runs it): page setup, sign-in, and the pages the user's role allows."""

from __future__ import annotations

import streamlit as st

from dashboards import auth, ui
from voc.access import User

st.set_page_config(page_title="voc 客户之声", page_icon="📊", layout="wide")

BANK_PAGES = [
    st.Page("app_pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("app_pages/themes.py", title="主题", icon=":material/category:"),
    st.Page("app_pages/search.py", title="检索", icon=":material/search:"),
    st.Page("app_pages/calls.py", title="通话", icon=":material/call:"),
    st.Page("app_pages/channels.py", title="渠道与网点", icon=":material/account_balance:"),
    st.Page("app_pages/health.py", title="数据质量", icon=":material/monitor_heart:"),
]


def pages_for(user: User | None) -> list:
    """Branch users reach only their branch's page and search; admins also the users and audit page."""
    if user is not None and user.scoped:
        return [st.Page("app_pages/branch.py", title="本网点", icon=":material/store:", default=True),
                st.Page("app_pages/search.py", title="检索", icon=":material/search:")]
    if user is not None and user.is_admin:
        return [*BANK_PAGES, st.Page("app_pages/admin.py", title="用户与审计", icon=":material/admin_panel_settings:")]
    return BANK_PAGES


ctx = ui.context()  # the login form, and nothing else, until someone signs in (when users exist)
auth.sidebar(ctx.user)
st.navigation(pages_for(ctx.user)).run()
