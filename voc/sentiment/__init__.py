"""Sentiment scoring behind one contract: lexicon, rating-calibrated model, SnowNLP baseline, calls, evaluation.

``SentimentModel`` is voc's scorer (lexicon and complaint rules alone until enough labelled records exist);
``SnowNLPScorer`` is the slow comparison baseline, run in its own optional pass.
"""

from __future__ import annotations

from voc.sentiment.base import NEGATIVE, NEUTRAL, POSITIVE, Scorer, SentimentResult, label_for
from voc.sentiment.calls import CallSentiment, score_call
from voc.sentiment.evaluate import evaluate, evaluate_files, evaluate_folds
from voc.sentiment.labels import parse_label, weak_label
from voc.sentiment.lexicon import Lexicon, LexiconScorer
from voc.sentiment.model import SentimentModel
from voc.sentiment.snow import SnowNLPScorer

__all__ = [
    "NEGATIVE",
    "NEUTRAL",
    "POSITIVE",
    "CallSentiment",
    "Lexicon",
    "LexiconScorer",
    "Scorer",
    "SentimentModel",
    "SentimentResult",
    "SnowNLPScorer",
    "evaluate",
    "evaluate_files",
    "evaluate_folds",
    "label_for",
    "parse_label",
    "score_call",
    "weak_label",
]
