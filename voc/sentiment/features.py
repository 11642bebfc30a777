"""Text -> features for the trainable scorer: negation-marked words, char n-grams and lexicon sums.

Negation marking (满意 after 不 becomes NOT_满意) and char n-grams (不好, 不错) are what carries over from one
kind of feedback to another; the lexicon sums add words the training data never contained.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np

from voc.sentiment.lexicon import CueHit, Lexicon

NOT = "NOT_"
_PUNCT = re.compile(r"^[\s，。！？、；：,.!?;:~～…\-—\"'“”‘’()（）【】\[\]]+$")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
LEXICON_FEATURES = ("lex_sum", "lex_pos", "lex_neg", "lex_n_pos", "lex_n_neg", "lex_negated")


def identity(tokens: list[str]) -> list[str]:
    """Analyzer for pre-tokenised input (module level so a rebuilt vectoriser needs no pickle)."""
    return tokens


def mark_negation(tokens: Sequence[str], negations: frozenset[str], window: int = 3) -> list[str]:
    """Word unigrams and bigrams; up to ``window`` words after a negation (within a clause) get ``NOT_``."""
    words: list[str] = []
    left = 0
    for t in tokens:
        if _PUNCT.match(t):
            left = 0
            words.append("|")
            continue
        if t in negations:
            left = window
            words.append(t)
            continue
        words.append(NOT + t if left > 0 else t)
        left = max(left - 1, 0)
    grams = [w for w in words if w != "|"]
    grams.extend(f"{a} {b}" for a, b in itertools.pairwise(words) if a != "|" and b != "|")
    return grams


def lexicon_row(hits: Sequence[CueHit]) -> list[float]:
    """Six numbers summarising the lexicon hits (order of LEXICON_FEATURES)."""
    pos = [h.value for h in hits if h.value > 0]
    neg = [h.value for h in hits if h.value < 0]
    return [
        float(sum(pos) + sum(neg)),
        float(sum(pos)),
        float(sum(neg)),
        float(len(pos)),
        float(len(neg)),
        float(sum(1 for h in hits if h.phrase != h.word)),
    ]


def lexicon_matrix(hit_lists: Sequence[Sequence[CueHit]]) -> np.ndarray:
    return np.asarray([lexicon_row(h) for h in hit_lists], dtype=np.float64).reshape(-1, len(LEXICON_FEATURES))


def readable(feature: str) -> str | None:
    """A word feature as the customer would write it (NOT_满意 -> 不满意); None for bigrams and non-words."""
    if " " in feature:
        return None
    word = "不" + feature[len(NOT) :] if feature.startswith(NOT) else feature
    return word if len(word) > 1 and _WORD.search(word) else None


__all__ = ["LEXICON_FEATURES", "NOT", "Lexicon", "identity", "lexicon_matrix", "mark_negation", "readable"]
