"""Queries only the monthly report needs: the record list behind flagged themes and quarantine per source."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from voc.store.base import StoreBase

REPORT_RECORD_COLUMNS = (
    "id", "theme_id", "channel", "source", "created_at", "branch", "product", "agent_id", "sentiment_label",
    "escalation", "repeat_contact", "rating", "rating_scale", "text",
)


class ReportQueriesMixin(StoreBase):
    conn: sqlite3.Connection

    def theme_record_rows(self, month: str, theme_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The records of some themes in a month (redacted text included), in a stable order for spreadsheets."""
        if not theme_ids:
            return []
        marks = ",".join("?" * len(theme_ids))
        rows = self.query(
            f"SELECT {', '.join(REPORT_RECORD_COLUMNS)} FROM feedback "
            f"WHERE month = ? AND theme_id IN ({marks}) ORDER BY theme_id, created_at, id",
            [month, *theme_ids],
        )
        return [dict(r) for r in rows]

    def quarantine_by_source(self) -> list[dict[str, Any]]:
        """How many inputs each source quarantined (counts only: excerpts may hold unredacted text)."""
        rows = self.query(
            "SELECT source, count(*) AS n FROM quarantine GROUP BY source ORDER BY source"
        )
        return [dict(r) for r in rows]
