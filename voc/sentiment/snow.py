"""SnowNLP behind voc's scorer contract: the comparison baseline, kept as ``sentiment_snownlp``.

SnowNLP is slow (about 80-260 texts/s) and was trained on shopping reviews, so voc runs it only in a separate,
optional pass and never inside the main scorer.
"""

from __future__ import annotations

from collections.abc import Iterable

from voc.sentiment.base import NEGATIVE_BELOW, POSITIVE_ABOVE, SentimentResult, label_for


class SnowNLPScorer:
    """Wraps snownlp; its 0..1 probability is mapped to voc's -1..1 score."""

    def __init__(self, negative_below: float = NEGATIVE_BELOW, positive_above: float = POSITIVE_ABOVE) -> None:
        self.negative_below = negative_below
        self.positive_above = positive_above

    def probability(self, text: str) -> float:
        """SnowNLP's own P(positive); 0.5 for empty text, which SnowNLP cannot score."""
        if not (text or "").strip():
            return 0.5
        from snownlp import SnowNLP  # imported lazily: loading its models takes seconds

        return float(SnowNLP(text).sentiments)

    def score(self, text: str) -> SentimentResult:
        score = 2.0 * self.probability(text) - 1.0
        return SentimentResult(score, label_for(score, self.negative_below, self.positive_above))

    def score_many(self, texts: Iterable[str]) -> list[SentimentResult]:
        return [self.score(t) for t in texts]
