"""Entry of the dashboard (`voc dashboard` runs it): page setup and navigation; each page is a UI script."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="voc 客户之声", page_icon="📊", layout="wide")

PAGES = [
    st.Page("app_pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("app_pages/themes.py", title="主题", icon=":material/category:"),
    st.Page("app_pages/search.py", title="检索", icon=":material/search:"),
    st.Page("app_pages/calls.py", title="通话", icon=":material/call:"),
    st.Page("app_pages/channels.py", title="渠道与网点", icon=":material/account_balance:"),
    st.Page("app_pages/health.py", title="数据质量", icon=":material/monitor_heart:"),
]

st.navigation(PAGES).run()
