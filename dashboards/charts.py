"""Altair charts of the dashboard: tooltips everywhere, zoom on time axes, channel colours kept constant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from voc.labels import CHANNEL_NAMES

CHANNEL_DOMAIN = list(CHANNEL_NAMES.values())
CHANNEL_RANGE = ["#4C78A8", "#F58518", "#54A24B"]


def _channel_colour() -> alt.Color:
    return alt.Color("渠道:N", scale=alt.Scale(domain=CHANNEL_DOMAIN, range=CHANNEL_RANGE), legend=alt.Legend(
        orient="bottom"))


def channel_trend(rows: Sequence[dict[str, Any]], value: str, title: str, percent: bool = False) -> alt.Chart:
    """Lines per channel over months (rows: 月份, 渠道, value); drag to pan, scroll to zoom."""
    df = pd.DataFrame(rows)
    fmt = ".1%" if percent else ",d"
    return (
        alt.Chart(df, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("月份:O", title=None),
            y=alt.Y(f"{value}:Q", title=None, axis=alt.Axis(format=fmt)),
            color=_channel_colour(),
            tooltip=["月份:O", "渠道:N", alt.Tooltip(f"{value}:Q", format=fmt)],
        )
        .properties(height=260)
        .interactive(bind_x=False)
    )


def theme_trend(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """A theme's monthly volume stacked by channel (rows: 月份, 渠道, 数量, 负面)."""
    df = pd.DataFrame(rows)
    return (
        alt.Chart(df, title="每月数量（按渠道）")
        .mark_bar()
        .encode(
            x=alt.X("月份:O", title=None),
            y=alt.Y("数量:Q", title=None, stack=True),
            color=_channel_colour(),
            tooltip=["月份:O", "渠道:N", "数量:Q", "负面:Q"],
        )
        .properties(height=260)
    )


def sentiment_trajectory(rows: Sequence[dict[str, Any]]) -> alt.Chart:
    """Customer sentiment turn by turn (rows: 轮次, 情感, 内容, 升级线索); cue turns drawn in red."""
    df = pd.DataFrame(rows)
    base = alt.Chart(df, title="客户情感走势（每轮）").encode(
        x=alt.X("轮次:Q", title="轮次", axis=alt.Axis(format="d")),
        y=alt.Y("情感:Q", title="情感得分", scale=alt.Scale(domain=[-1, 1])),
        tooltip=["轮次:Q", alt.Tooltip("情感:Q", format=".2f"), "内容:N", "升级线索:N"],
    )
    line = base.mark_line(color="#7F7F7F")
    points = base.mark_circle(size=90).encode(
        color=alt.condition(alt.datum["升级线索"] != "", alt.value("#D62728"), alt.value("#4C78A8"))
    )
    neutral = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(strokeDash=[4, 4], color="#BBBBBB").encode(y="y:Q")
    return (neutral + line + points).properties(height=240).interactive(bind_y=False)


def heatmap(rows: Sequence[dict[str, Any]], row_title: str, col_title: str) -> alt.Chart:
    """Counts by two dimensions (rows: 行, 列, 数量, 负面, 升级); darker is more, largest rows and columns first."""
    df = pd.DataFrame(rows)
    row_order = df.groupby("行")["数量"].sum().sort_values(ascending=False).index.tolist()
    col_order = df.groupby("列")["数量"].sum().sort_values(ascending=False).index.tolist()
    base = alt.Chart(df).encode(
        x=alt.X("列:N", title=col_title, sort=col_order, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("行:N", title=row_title, sort=row_order),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("数量:Q", scale=alt.Scale(scheme="oranges"), legend=None),
        tooltip=[alt.Tooltip("行:N", title=row_title), alt.Tooltip("列:N", title=col_title), "数量:Q", "负面:Q",
                 "升级:Q"],
    )
    text = base.mark_text(baseline="middle").encode(text="数量:Q")
    return (rect + text).properties(height=min(160 + 36 * len(row_order), 1000))  # axes and labels need ~160 px


def bar(rows: Sequence[dict[str, Any]], label: str, value: str, title: str) -> alt.Chart:
    """Horizontal bars, longest on top (e.g. flagged themes by severity)."""
    df = pd.DataFrame(rows)
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", title=None),
            y=alt.Y(f"{label}:N", title=None, sort="-x"),
            tooltip=[f"{label}:N", f"{value}:Q"],
        )
        .properties(height=max(120, 26 * len(df)))
    )
