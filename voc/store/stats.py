"""Aggregations for the report and the dashboard: KPIs per month and channel, breakdowns, agent rates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from voc.store.repository import Repository
from voc.store.themes import RATING_NORM

BREAKDOWN_DIMENSIONS = ("channel", "subtype", "branch", "product", "agent_id", "process_step")


class StatsRepository(Repository):

    def kpi_rows(self) -> list[dict[str, Any]]:
        """Per month and channel: volumes, negatives, complaints, escalations, NPS, stars, CSAT, repeats."""
        rows = self.query(
            "SELECT month, channel, count(*) AS volume, sum(sentiment_label = '负面') AS negative, "
            "sum(coalesce(complaint, 0)) AS complaints, sum(channel = 'call') AS calls, "
            "sum(coalesce(escalation, 0)) AS escalations, "
            "sum(rating_scale = 'nps10') AS nps_n, sum(rating_scale = 'nps10' AND rating >= 9) AS promoters, "
            "sum(rating_scale = 'nps10' AND rating <= 6) AS detractors, "
            "sum(rating_scale = 'star5') AS star_n, sum(CASE WHEN rating_scale = 'star5' THEN rating END) AS star_sum, "
            "sum(rating_scale = 'csat5') AS csat_n, sum(rating_scale = 'csat5' AND rating >= 4) AS csat_satisfied, "
            "sum(customer_key IS NOT NULL AND theme_id IS NOT NULL) AS keyed, "
            "sum(coalesce(repeat_contact, 0)) AS repeats, "
            f"count(rating) AS rated, sum({RATING_NORM}) AS rating_sum "
            "FROM feedback GROUP BY month, channel ORDER BY month, channel"
        )
        return [{k: (v if v is not None else 0) for k, v in dict(r).items()} for r in rows]

    def breakdown(self, month: str, dimension: str, theme_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Counts of complaint records by one dimension (and theme) in a month."""
        if dimension not in BREAKDOWN_DIMENSIONS:
            raise ValueError(f"unknown breakdown dimension {dimension!r}")
        params: list[Any] = [month]
        theme_clause = ""
        if theme_ids:
            theme_clause = f" AND theme_id IN ({','.join('?' * len(theme_ids))})"
            params += list(theme_ids)
        rows = self.query(
            f"SELECT coalesce({dimension}, '(未知)') AS value, theme_id, count(*) AS n, "
            "sum(sentiment_label = '负面') AS negative, sum(coalesce(escalation, 0)) AS escalations "
            f"FROM feedback WHERE month = ? AND theme_id IS NOT NULL{theme_clause} "
            f"GROUP BY {dimension}, theme_id ORDER BY n DESC, value",
            params,
        )
        return [dict(r) for r in rows]

    def agent_rates(self, month: str) -> list[dict[str, Any]]:
        """Per agent: calls handled, complaint-bearing calls and escalations in the month."""
        rows = self.query(
            "SELECT agent_id, count(*) AS calls, sum(coalesce(complaint, 0)) AS complaints, "
            "sum(coalesce(escalation, 0)) AS escalations FROM feedback "
            "WHERE month = ? AND channel = 'call' AND agent_id IS NOT NULL GROUP BY agent_id ORDER BY agent_id",
            (month,),
        )
        return [dict(r) for r in rows]

    def source_counts(self, month: str | None = None) -> list[dict[str, Any]]:
        where, params = (" WHERE month = ?", (month,)) if month else ("", ())
        rows = self.query(
            f"SELECT source, channel, count(*) AS n, min(created_at) AS first, max(created_at) AS last "
            f"FROM feedback{where} GROUP BY source, channel ORDER BY source",
            params,
        )
        return [dict(r) for r in rows]
