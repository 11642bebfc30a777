"""Widgets and wording every page shares: the workspace guard, the month picker, Chinese names, number formats."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Sequence
from typing import Any

import streamlit as st

from dashboards import data
from voc import labels
from voc.errors import VocError

CHANNELS = labels.CHANNEL_NAMES
STATUSES = labels.STATUS_NAMES
SENTIMENTS = labels.SENTIMENT_NAMES
SCALES = labels.SCALE_NAMES
SPEAKERS = labels.SPEAKER_NAMES
DIMENSIONS = labels.DIMENSION_NAMES
ALL = "全部"
EMPTY_HINT = "工作区还没有数据：先运行 `voc ingest ...`（或 `voc demo` 载入示例数据），再刷新本页。"


def context() -> data.Ctx:
    """The data context with the signed-in user; a friendly message and a stopped page when unreadable.

    When users exist and nobody is signed in, the login form is all the page shows (see dashboards.auth).
    """
    from dashboards import auth

    try:
        ctx = data.context()
    except VocError as exc:
        st.info(f"无法打开工作区：{exc}")
        st.stop()
        raise
    return dataclasses.replace(ctx, user=auth.current_user(ctx))


def month_picker(ctx: data.Ctx, key: str) -> str:
    """Pick a month among those with data; the choice follows the analyst from page to page."""
    months = data.months(ctx)
    if not months:
        st.info(EMPTY_HINT)
        st.stop()
    current = st.session_state.get("voc_month")
    index = months.index(current) if current in months else len(months) - 1
    month = st.selectbox("月份", months, index=index, key=key)
    st.session_state["voc_month"] = month
    return month


def channel_name(channel: str | None) -> str:
    return CHANNELS.get(channel or "", channel or "")


def step_name(step: str | None) -> str:
    return data.taxonomy().name(step)


def theme_names(ctx: data.Ctx) -> dict[int, str]:
    return {t["theme_id"]: t["label"] for t in data.themes(ctx)}


def dimension_value(ctx: data.Ctx, dimension: str, value: Any) -> str:
    """A cross-tab or filter value as a person reads it (channel, step and theme ids become names)."""
    if dimension == "channel":
        return channel_name(value)
    if dimension == "process_step":
        return step_name(value)
    if dimension == "theme_id" and value not in (None, "(未知)"):
        return theme_names(ctx).get(int(value), str(value))
    return str(value)


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def num(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def mark(text: str, phrases: Sequence[str]) -> str:
    """HTML-escaped text with every phrase in <mark>, safe to render with unsafe_allow_html."""
    found = [p for p in phrases if p and p in text]
    escaped = html.escape(text)
    if not found:
        return escaped
    pattern = re.compile("|".join(re.escape(html.escape(p)) for p in found))
    return pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)


def record_caption(r: dict[str, Any]) -> str:
    """One line of metadata under a verbatim: date, channel, rating, sentiment, theme, branch, agent."""
    parts = [str(r.get("created_at", ""))[:10], channel_name(r.get("channel"))]
    if r.get("rating") is not None:
        parts.append(f"{SCALES.get(r.get('rating_scale') or '', '评分')} {r['rating']:g}")
    if r.get("sentiment_label"):
        parts.append(str(r["sentiment_label"]))
    if r.get("theme_label"):
        parts.append(f"主题：{r['theme_label']}")
    for key in ("branch", "product", "agent_id"):
        if r.get(key):
            parts.append(str(r[key]))
    return " · ".join(p for p in parts if p)
