"""The result type and label rule every sentiment scorer shares, so callers never care which scorer ran."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from voc.config import SentimentSettings

NEGATIVE, NEUTRAL, POSITIVE = "负面", "中性", "正面"


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """One text's sentiment: ``score`` in [-1, 1], a Chinese label, and the words that drove the score."""

    score: float
    label: str
    cues: tuple[str, ...] = ()


# The default neutral band, defined once (voc.toml's [sentiment] starts from it).
NEGATIVE_BELOW = SentimentSettings.negative_threshold
POSITIVE_ABOVE = SentimentSettings.positive_threshold


def label_for(score: float, negative_below: float = NEGATIVE_BELOW, positive_above: float = POSITIVE_ABOVE) -> str:
    """Map a score to 负面/中性/正面; thresholds are parameters because each bank sets its own."""
    if score <= negative_below:
        return NEGATIVE
    if score >= positive_above:
        return POSITIVE
    return NEUTRAL


class Scorer(Protocol):
    """What the enrichment pipeline needs from a sentiment scorer."""

    def score(self, text: str) -> SentimentResult: ...

    def score_many(self, texts: Iterable[str]) -> list[SentimentResult]: ...
