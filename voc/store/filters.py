"""Filters: which records a read asks for, as one SQL condition every query shares."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Filters:
    """The one filter type of search, browsing, cross-tabs, export and the API; every field optional, all
    combined with AND. `since` is inclusive; `until` is inclusive of the whole day or month it names."""

    channel: str | None = None
    subtype: str | None = None
    since: str | None = None
    until: str | None = None
    rating_min: float | None = None
    rating_max: float | None = None
    sentiment: str | None = None
    theme_id: int | None = None
    process_step: str | None = None
    branch: str | None = None
    product: str | None = None
    agent_id: str | None = None
    month: str | None = None
    source: str | None = None

    def active(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))

    def where(self, alias: str = "f") -> tuple[str, list[Any]]:
        """SQL condition and parameters; `until` is inclusive of the whole day it names."""
        exact = ("channel", "subtype", "theme_id", "process_step", "branch", "product", "agent_id", "month", "source")
        clauses, params = [], []
        for name in exact:
            value = getattr(self, name)
            if value is not None:
                clauses.append(f"{alias}.{name} = ?")
                params.append(value)
        if self.sentiment is not None:
            clauses.append(f"{alias}.sentiment_label = ?")
            params.append(self.sentiment)
        if self.since:
            clauses.append(f"{alias}.created_at >= ?")
            params.append(self.since)
        if self.until:
            clauses.append(f"substr({alias}.created_at, 1, {len(self.until)}) <= ?")
            params.append(self.until)
        if self.rating_min is not None:
            clauses.append(f"{alias}.rating >= ?")
            params.append(self.rating_min)
        if self.rating_max is not None:
            clauses.append(f"{alias}.rating <= ?")
            params.append(self.rating_max)
        return " AND ".join(clauses) or "1", params

