"""Lexicon scoring with negation and degree handling over jieba tokens.

This is the part of voc's scorer that needs no training data: it knows bank complaint words (扣费, 盗刷,
推诿) that review-trained models never saw, and it reads 不太好 / 不是很满意 / 太不专业 the way people mean them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from voc.sentiment.base import SentimentResult, label_for
from voc.text.segment import LEXICON_DIR, get_segmenter, read_lexicon

_PUNCT = re.compile(r"^[\s，。！？、；：,.!?;:~～…\-—\"'“”‘’()（）【】\[\]]+$")
# Contrast words: what follows them is what the customer means ("包装不错，就是送得太慢").
_CONTRAST = frozenset({"但", "但是", "可是", "不过", "就是", "只是", "然而", "可惜", "却"})
_MAX_NGRAM = 3
_NEGATED_NEGATIVE = 0.7  # 不贵 / 没问题 are milder praise than 便宜 / 很好
_WEAKENED = 0.5  # 不太好 / 不是很满意: a negation followed by a degree adverb softens the flip
_BEFORE_CONTRAST = 0.6


@dataclass(frozen=True)
class Lexicon:
    """The sentiment word lists, read once from ``lexicons/`` (formats in lexicons/README.md)."""

    polarity: dict[str, float]
    negations: frozenset[str]
    degree: dict[str, float]
    escalation: tuple[str, ...] = ()
    # Proper prefixes of multi-token cues: only a token in here can start a phrase match (speed).
    prefixes: frozenset[str] = frozenset()
    # Memo of single-token lookups; feedback repeats its words, so this pays off quickly.
    memo: dict[str, tuple[float, bool] | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, folder: Path = LEXICON_DIR) -> Lexicon:
        """Read the five lexicon files; a missing file gives an empty list, not an error."""
        polarity: dict[str, float] = {}
        for name, sign in (("sentiment_positive.txt", 1.0), ("sentiment_negative.txt", -1.0)):
            for line in read_lexicon(folder / name):
                parts = line.split()
                weight = float(parts[1]) if len(parts) > 1 else 1.0
                polarity[parts[0]] = sign * weight
        degree = {}
        for line in read_lexicon(folder / "degree_adverbs.txt"):
            parts = line.split()
            degree[parts[0]] = float(parts[1]) if len(parts) > 1 else 1.5
        return cls(
            polarity=polarity,
            negations=frozenset(read_lexicon(folder / "negations.txt")),
            degree=degree,
            escalation=tuple(read_lexicon(folder / "escalation_cues.txt")),
            prefixes=frozenset(w[:j] for w in polarity for j in range(1, len(w))),
        )


@dataclass(frozen=True, slots=True)
class CueHit:
    """A lexicon word found in a text and its signed contribution after negation and degree."""

    word: str
    value: float
    phrase: str  # what the customer said, e.g. 没问题 for the cue 问题 under 没


def _lookup(lex: Lexicon, token: str) -> tuple[float, bool] | None:
    """Polarity of a token; an unknown 不专业 / 好慢 is read as a negation or degree glued to a known cue."""
    if token not in lex.memo:
        lex.memo[token] = _lookup_uncached(lex, token)
    return lex.memo[token]


def _lookup_uncached(lex: Lexicon, token: str) -> tuple[float, bool] | None:
    if token in lex.polarity:
        return lex.polarity[token], False
    for cut in (2, 1):
        head, rest = token[:cut], token[cut:]
        if len(rest) < 1 or rest not in lex.polarity:
            continue
        if head in lex.negations:
            return lex.polarity[rest], True
        if head in lex.degree:
            return lex.polarity[rest] * lex.degree[head], False
    return None


def find_cues(tokens: Sequence[str], lex: Lexicon, window: int = 3) -> list[CueHit]:
    """Lexicon hits with negation (odd count flips) and degree (multiplies) from ``window`` tokens before."""
    hits: list[CueHit] = []
    n = len(tokens)
    i = 0
    last_end = 0
    while i < n:
        found = None
        # Phrases span tokens (态度+差); modifiers are applied by _modify, never swallowed into a phrase.
        if tokens[i] in lex.prefixes and tokens[i] not in lex.negations and tokens[i] not in lex.degree:
            for k in range(min(_MAX_NGRAM, n - i), 1, -1):
                word = "".join(tokens[i : i + k])
                if word in lex.polarity:
                    found = (word, k, (lex.polarity[word], False))
                    break
        if found is None:
            word = tokens[i]
            pol = _lookup(lex, word)
            # A degree adverb that is also a cue (好慢) modifies the next word instead of scoring.
            if pol is not None and not (word in lex.degree and i + 1 < n and _lookup(lex, tokens[i + 1])):
                found = (word, 1, pol)
        if found is None:
            if tokens[i] in _CONTRAST:
                hits = [CueHit(h.word, h.value * _BEFORE_CONTRAST, h.phrase) for h in hits]
            i += 1
            continue
        word, k, (base, glued) = found
        hits.append(_modify(tokens, max(last_end, i - window), i, word, base, glued, lex))
        i += k
        last_end = i
    return hits


def _modify(tokens: Sequence[str], start: int, end: int, word: str, base: float, glued: bool, lex: Lexicon) -> CueHit:
    """Apply the negations and degree adverbs in ``tokens[start:end]`` (stopping at punctuation) to a cue."""
    mods: list[tuple[int, str]] = []
    for j in range(end - 1, start - 1, -1):
        if _PUNCT.match(tokens[j]):
            break
        mods.append((j, tokens[j]))
    mods.reverse()
    neg_pos = [j for j, t in mods if t in lex.negations] + ([end] if glued else [])
    if len(neg_pos) % 2 == 0:
        mult = math.prod(lex.degree[t] for _, t in mods if t in lex.degree and t not in lex.negations)
        return CueHit(word, base * mult, word)
    first = neg_pos[0]
    before = math.prod(lex.degree[t] for j, t in mods if j < first and t in lex.degree)
    weakened = any(t in lex.degree for j, t in mods if j >= first)
    value = -base * (_NEGATED_NEGATIVE if base < 0 else 1.0) * (_WEAKENED if weakened else 1.0)
    phrase = word if glued else tokens[first] + word
    return CueHit(word, value * before, phrase)


def squash(raw: float, scale: float = 3.0) -> float:
    """Map an unbounded cue sum into [-1, 1] smoothly, so one strong word does not saturate the score."""
    return math.tanh(raw / scale)


class LexiconScorer:
    """Training-free scorer: the fallback when too few rated records exist, and a feature of the model."""

    def __init__(self, negative_below: float = -0.2, positive_above: float = 0.2, window: int = 3) -> None:
        self.negative_below = negative_below
        self.positive_above = positive_above
        self.window = window
        self._lex: Lexicon | None = None

    @property
    def lexicon(self) -> Lexicon:
        if self._lex is None:
            self._lex = Lexicon.load()
        return self._lex

    def hits(self, tokens: Sequence[str]) -> list[CueHit]:
        """Cue hits for already segmented text (the model reuses these to avoid segmenting twice)."""
        return find_cues(tokens, self.lexicon, self.window)

    def score_tokens(self, tokens: Sequence[str]) -> SentimentResult:
        hits = self.hits(tokens)
        score = squash(sum(h.value for h in hits))
        top = sorted(hits, key=lambda h: -abs(h.value))[:5]
        cues = tuple(dict.fromkeys(h.phrase for h in top))
        return SentimentResult(score, label_for(score, self.negative_below, self.positive_above), cues)

    def score(self, text: str) -> SentimentResult:
        return self.score_tokens(get_segmenter().cut(text or ""))

    def score_many(self, texts: Iterable[str], tokens: Sequence[Sequence[str]] | None = None) -> list[SentimentResult]:
        """Score a batch; ``tokens`` (``Segmenter.cut`` output) skips segmentation, most of the cost."""
        if tokens is not None:
            return [self.score_tokens(t) for t in tokens]
        seg = get_segmenter()
        return [self.score_tokens(seg.cut(t or "")) for t in texts]
