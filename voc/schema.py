"""The record model every channel is mapped onto before it reaches the store."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    """Where the customer spoke."""

    RATING = "rating"
    CALL = "call"
    SOCIAL = "social"


class Speaker(StrEnum):
    """Who spoke a turn of a call."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


class RatingScale(StrEnum):
    """Rating scales voc understands; weak sentiment labels depend on the scale."""

    STAR5 = "star5"
    NPS10 = "nps10"
    CSAT5 = "csat5"


SCALE_RANGES: dict[str, tuple[float, float]] = {
    RatingScale.STAR5: (1, 5),
    RatingScale.NPS10: (0, 10),
    RatingScale.CSAT5: (1, 5),
}


def record_id(source: str, source_id: str) -> str:
    """Stable id: the same source row always maps to the same record, which makes upserts idempotent."""
    return hashlib.sha1(f"{source}\x1f{source_id}".encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn of a call transcript (text already normalised and redacted)."""

    idx: int
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    tokens: str = ""


@dataclass(slots=True)
class Record:
    """One piece of customer feedback, ready for the store: text normalised and redacted, ids hashed."""

    source: str
    source_id: str
    channel: str
    created_at: str
    text: str
    tokens: str = ""
    context_tokens: str = ""
    subtype: str | None = None
    rating: float | None = None
    rating_scale: str | None = None
    customer_key: str | None = None
    agent_id: str | None = None
    branch: str | None = None
    product: str | None = None
    scene: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    turns: list[Turn] = field(default_factory=list)

    @property
    def id(self) -> str:
        return record_id(self.source, self.source_id)

    @property
    def month(self) -> str:
        """YYYY-MM of created_at, which is already in the bank's local time."""
        return self.created_at[:7]
