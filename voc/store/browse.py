"""Queries only the dashboard needs: filter choices, browsing by filters, the calls of a month, cross-tabs.

Column names come from fixed whitelists (never from the caller's text); every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from voc.store.filters import Filters
from voc.store.repository import Repository

# Dimensions a person can pick for choices and cross-tabs (channel × scene × people).
DASHBOARD_DIMENSIONS = ("channel", "subtype", "scene", "process_step", "branch", "product", "agent_id", "theme_id")
BROWSE_COLUMNS = (
    "f.rid, f.id, f.source_id, f.channel, f.subtype, f.created_at, f.text, f.rating, f.rating_scale, f.sentiment, "
    "f.sentiment_label, f.theme_id, t.label AS theme_label, f.process_step, f.branch, f.product, f.agent_id"
)


def _dimension(name: str) -> str:
    if name not in DASHBOARD_DIMENSIONS:
        raise ValueError(f"unknown dimension {name!r}: choose one of {', '.join(DASHBOARD_DIMENSIONS)}")
    return name


def _scope(month: str | None, filters: Filters | None, theme_ids: Sequence[int] | None,
           complaints_only: bool) -> tuple[str, list[Any]]:
    where, params = (filters or Filters()).where()
    clauses = [where]
    if month:
        clauses.append("f.month = ?")
        params.append(month)
    if theme_ids:
        clauses.append(f"f.theme_id IN ({','.join('?' * len(theme_ids))})")
        params += [int(t) for t in theme_ids]
    if complaints_only:
        clauses.append("f.complaint = 1")
    return " AND ".join(clauses), params


class BrowseRepository(Repository):

    def distinct_values(self, dimension: str, limit: int = 500) -> list[str]:
        """The values a filter can take (most frequent first), so select boxes offer only what exists."""
        col = _dimension(dimension)
        rows = self.query(
            f"SELECT {col} AS value, count(*) AS n FROM feedback WHERE {col} IS NOT NULL "
            f"GROUP BY {col} ORDER BY n DESC, value LIMIT ?",
            (int(limit),),
        )
        return [r["value"] for r in rows]

    def count_filtered(self, filters: Filters, month: str | None = None) -> int:
        where, params = _scope(month, filters, None, False)
        return int(self.query(f"SELECT count(*) FROM feedback f WHERE {where}", params)[0][0])

    def browse_records(
        self, filters: Filters, limit: int = 50, offset: int = 0, month: str | None = None
    ) -> list[dict[str, Any]]:
        """Newest records passing the filters: what search shows for a filter with no query words."""
        where, params = _scope(month, filters, None, False)
        rows = self.query(
            f"SELECT {BROWSE_COLUMNS} FROM feedback f LEFT JOIN themes t ON t.theme_id = f.theme_id "
            f"WHERE {where} ORDER BY f.created_at DESC, f.rid DESC LIMIT ? OFFSET ?",
            [*params, int(limit), int(offset)],
        )
        return [dict(r) for r in rows]

    def calls_of_month(self, month: str, escalated_only: bool = False, limit: int = 300) -> list[dict[str, Any]]:
        """A month's calls, escalated and most negative first: the ones a quality analyst opens first."""
        extra = " AND coalesce(escalation, 0) = 1" if escalated_only else ""
        rows = self.query(
            "SELECT f.id, f.source_id, f.created_at, f.agent_id, f.branch, f.product, f.escalation, f.sentiment, "
            "f.sentiment_label, f.theme_id, t.label AS theme_label, substr(f.text, 1, 60) AS preview "
            "FROM feedback f LEFT JOIN themes t ON t.theme_id = f.theme_id "
            f"WHERE f.month = ? AND f.channel = 'call'{extra} "
            "ORDER BY coalesce(f.escalation, 0) DESC, coalesce(f.sentiment, 0) ASC, f.created_at, f.id LIMIT ?",
            (month, int(limit)),
        )
        return [dict(r) for r in rows]

    def crosstab(
        self,
        month: str,
        rows: str,
        cols: str,
        filters: Filters | None = None,
        theme_ids: Sequence[int] | None = None,
        complaints_only: bool = True,
    ) -> list[dict[str, Any]]:
        """Counts, negatives and escalations by two dimensions in a month (e.g. channel × process step)."""
        r, c = _dimension(rows), _dimension(cols)
        where, params = _scope(month, filters, theme_ids, complaints_only)
        out = self.query(
            f"SELECT coalesce(f.{r}, '(未知)') AS row_value, coalesce(f.{c}, '(未知)') AS col_value, "
            "count(*) AS n, sum(f.sentiment_label = '负面') AS negative, "
            "sum(coalesce(f.escalation, 0)) AS escalations "
            f"FROM feedback f WHERE {where} GROUP BY row_value, col_value ORDER BY n DESC, row_value, col_value",
            params,
        )
        return [dict(x) for x in out]
