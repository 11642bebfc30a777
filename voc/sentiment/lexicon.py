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

from voc.sentiment.base import NEGATIVE_BELOW, POSITIVE_ABOVE, SentimentResult, label_for
from voc.sentiment.rules import ComplaintRules, Dialect, RuleHit, token_spans
from voc.text.segment import LEXICON_DIR, get_segmenter, read_lexicon

_PUNCT = re.compile(r"^[\s，。！？、；：,.!?;:~～…\-—\"'“”‘’()（）【】\[\]]+$")
# Contrast words: what follows them is what the customer means ("包装不错，就是送得太慢").
_CONTRAST = frozenset({"但", "但是", "可是", "不过", "就是", "只是", "然而", "可惜", "却"})
_MAX_NGRAM = 3
_NEGATED_NEGATIVE = 0.7  # 不贵 / 没问题 are milder praise than 便宜 / 很好
_WEAKENED = 0.5  # 不太好 / 不是很满意: a negation followed by a degree adverb softens the flip
_BEFORE_CONTRAST = 0.6
# One complaint outweighs one compliment in a review (好看不好用 is a complaint): negative cues count this much more.
NEGATIVITY = 1.3
# 好几天 / 好多次: 好 before a quantity is "quite", not praise.
_QUANTITY = re.compile(r"^[几多久些长半一两三四五六七八九十]")
# Below this magnitude a cue (问题, 为什么, 可以) does not stop a question from reading as an inquiry.
_WEAK_CUE = 1.5
_INQUIRY = re.compile(
    r"请问|问一下|问下|咨询|想问|怎么|如何|能不能|能否|可以吗|在哪|多少|几点|什么时候|[吗呢][?？]?\s*$|[?？]"
)


def is_inquiry(text: str) -> bool:
    """Reads as a question or a request for information (请问/怎么/…吗?)."""
    return bool(_INQUIRY.search(text or ""))


def inquiry_cap(score: float, text: str, hits: Sequence[CueHit], band: tuple[float, float]) -> float:
    """A question with no real cue of its score's sign stays inside the neutral band (keeping its sign).

    Rated reviews never contain inquiries, so a model trained on them reads 请问怎么开通 as a verdict; a
    lexicon sees 问题 in 请问这个问题怎么办. A rule hit (登录不上) or a strong cue (乱扣费, 太好了) keeps the score.
    """
    if score == 0 or not is_inquiry(text):
        return score
    sign = score > 0
    if any(h.rule or (abs(h.value) >= _WEAK_CUE and (h.value > 0) == sign) for h in hits):
        return score
    return min(score, band[1] / 2) if sign else max(score, band[0] / 2)


@dataclass(frozen=True)
class Lexicon:
    """The sentiment word lists, read once from ``lexicons/`` (formats in lexicons/README.md)."""

    polarity: dict[str, float]
    negations: frozenset[str]
    degree: dict[str, float]
    # Words that look like cues and are not (更新 is not 更 + 新): never a cue, never split.
    neutral: frozenset[str] = frozenset()
    rules: ComplaintRules = field(default_factory=lambda: ComplaintRules(()))
    dialect: Dialect = field(default_factory=lambda: Dialect({}, None))
    # Proper prefixes of multi-token cues: only a token in here can start a phrase match (speed).
    prefixes: frozenset[str] = frozenset()
    # Memo of single-token lookups; feedback repeats its words, so this pays off quickly.
    memo: dict[str, tuple[float, bool] | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, folder: Path = LEXICON_DIR) -> Lexicon:
        """Read the lexicon files (lexicons/README.md); a missing file gives an empty list, not an error."""
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
            prefixes=frozenset(w[:j] for w in polarity for j in range(1, len(w))),
            neutral=frozenset(read_lexicon(folder / "sentiment_neutral.txt")),
            rules=ComplaintRules.load(folder),
            dialect=Dialect.load(folder),
        )


@dataclass(frozen=True, slots=True)
class CueHit:
    """A lexicon word found in a text and its signed contribution after negation and degree."""

    word: str
    value: float
    phrase: str  # what the customer said, e.g. 没问题 for the cue 问题 under 没
    rule: str = ""  # the complaint shape (complaint_patterns.txt) when a rule, not a word, found it


def _lookup(lex: Lexicon, token: str) -> tuple[float, bool] | None:
    """Polarity of a token; an unknown 不专业 / 好慢 is read as a negation or degree glued to a known cue."""
    if token not in lex.memo:
        lex.memo[token] = _lookup_uncached(lex, token)
    return lex.memo[token]


def _lookup_uncached(lex: Lexicon, token: str) -> tuple[float, bool] | None:
    if token in lex.neutral or _asks(token):
        return None
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
    # 速度慢 / 态度差 / 服务好: jieba glues a one-character verdict to its noun; the verdict is the cue.
    if len(token) >= 3 and token[-1] in lex.polarity and token[:-1] not in lex.polarity:
        return lex.polarity[token[-1]], False
    return None


def find_cues(
    tokens: Sequence[str], lex: Lexicon, window: int = 3, text: str | None = None, rules: Sequence[RuleHit] = ()
) -> list[CueHit]:
    """Lexicon hits with negation (odd count flips) and degree (multiplies) from ``window`` tokens before.

    ``rules`` (complaint shapes matched on ``text``, which ``tokens`` were cut from) take the place of the
    tokens they cover, in order, so 打不开 counts once whether the lexicon or a rule knows it.
    """
    hits: list[CueHit] = []
    n = len(tokens)
    covering = _rule_at_token(tokens, text, rules, hits) if rules else {}
    i = 0
    last_end = 0
    while i < n:
        if i in covering:
            rule, span_end = covering[i]
            hits.append(CueHit(rule.phrase, rule.value, rule.phrase, rule.rule))
            i = last_end = span_end
            continue
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
            if pol is not None and not (word in lex.degree and i + 1 < n and _modifies(lex, tokens[i + 1])):
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


def _asks(token: str) -> bool:
    """好不好 / 行不行 (A-not-A) ask a question; they praise or blame nothing."""
    return len(token) == 3 and token[0] == token[2] and token[1] in "不没"


def _modifies(lex: Lexicon, following: str) -> bool:
    """A degree adverb that is also a cue (好) modifies what follows when that is a cue or a quantity."""
    return _lookup(lex, following) is not None or bool(_QUANTITY.match(following))


def _rule_at_token(
    tokens: Sequence[str], text: str | None, rules: Sequence[RuleHit], hits: list[CueHit]
) -> dict[int, tuple[RuleHit, int]]:
    """First token index of each rule match -> (match, index after its last token).

    Tokens that drifted from the text (should not happen) leave the rules out of the walk: their hits are
    added to ``hits`` up front instead.
    """
    spans = token_spans(text, list(tokens)) if text is not None else None
    if spans is None:
        hits.extend(CueHit(r.phrase, r.value, r.phrase, r.rule) for r in rules)
        return {}
    out: dict[int, tuple[RuleHit, int]] = {}
    j = 0
    for rule in rules:
        while j < len(spans) and spans[j][1] <= rule.start:
            j += 1
        k = j
        while k < len(spans) and spans[k][0] < rule.end:
            k += 1
        if k > j:
            out[j] = (rule, k)
        j = k
    return out


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

    def __init__(self, negative_below: float = NEGATIVE_BELOW, positive_above: float = POSITIVE_ABOVE,
                 window: int = 3) -> None:
        self.negative_below = negative_below
        self.positive_above = positive_above
        self.window = window
        self._lex: Lexicon | None = None

    @property
    def lexicon(self) -> Lexicon:
        if self._lex is None:
            self._lex = Lexicon.load()
        return self._lex

    def hits(self, tokens: Sequence[str], text: str | None = None) -> list[CueHit]:
        """Cue hits for already segmented text (the model reuses these to avoid segmenting twice).

        With ``text`` (what ``tokens`` were cut from) the complaint shapes count too, and Cantonese text is
        read in Mandarin first (cut again: only Cantonese-marked texts pay for that).
        """
        lex = self.lexicon
        if text is None:
            return find_cues(tokens, lex, self.window)
        mandarin = lex.dialect.to_mandarin(text)
        if mandarin is not text:
            tokens = get_segmenter().cut(mandarin)
        return find_cues(tokens, lex, self.window, mandarin, lex.rules.match(mandarin))

    def label(self, score: float) -> str:
        return label_for(score, self.negative_below, self.positive_above)

    def score_tokens(self, tokens: Sequence[str], text: str | None = None) -> SentimentResult:
        hits = self.hits(tokens, text)
        score = squash(sum(h.value * (NEGATIVITY if h.value < 0 else 1.0) for h in hits))
        if text is not None:
            score = inquiry_cap(score, text, hits, (self.negative_below, self.positive_above))
        top = sorted(hits, key=lambda h: -abs(h.value))[:5]
        cues = tuple(dict.fromkeys(h.phrase for h in top))
        return SentimentResult(score, self.label(score), cues)

    def score(self, text: str) -> SentimentResult:
        text = text or ""
        return self.score_tokens(get_segmenter().cut(text), text)

    def score_many(self, texts: Iterable[str], tokens: Sequence[Sequence[str]] | None = None) -> list[SentimentResult]:
        """Score a batch; ``tokens`` (``Segmenter.cut`` output) skips segmentation, most of the cost."""
        texts = [t or "" for t in texts]
        if tokens is not None:
            if len(tokens) != len(texts):
                raise ValueError(f"{len(tokens)} token lists for {len(texts)} texts")
            return [self.score_tokens(tok, t) for tok, t in zip(tokens, texts, strict=True)]
        seg = get_segmenter()
        return [self.score_tokens(seg.cut(t), t) for t in texts]
