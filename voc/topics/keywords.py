"""Class-based TF-IDF keywords per theme and the short Chinese label built from them.

A word names a theme when many of the theme's records use it and few other themes do. Counting each word
once per record (not once per occurrence) keeps repetitive comments such as 很好很好很好 from dominating.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from voc.text.segment import get_segmenter

_READABLE = re.compile(r"[\u4e00-\u9fffA-Za-z]")

Keywords = list[tuple[str, float]]


def as_token_lists(tokens: Iterable[Sequence[str] | str]) -> list[list[str]]:
    """Token lists from either lists of words or the store's space-joined ``feedback.tokens`` strings."""
    return [t.split() if isinstance(t, str) else list(t) for t in tokens]


def _readable(word: str) -> bool:
    return bool(_READABLE.search(word))


DOMAIN_BOOST = 2.0
NO_LABEL = "（无关键词）"


def class_tfidf(
    tokens: Sequence[Sequence[str]], labels: np.ndarray, *, n_keywords: int = 10, min_count: int = 2
) -> dict[int, Keywords]:
    """Top words per label (labels < 0 are outliers: they count for rarity but get no keywords).

    weight(w, c) = share of c's records containing w * log(1 + A / records containing w anywhere), with A the
    average number of records per theme: BERTopic's c-TF-IDF applied to record frequencies.
    """
    labels = np.asarray(labels)
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, doc in enumerate(tokens):
        for w in set(doc):
            if _readable(w):
                rows.append(i)
                cols.append(vocab.setdefault(w, len(vocab)))
    themes = sorted(int(c) for c in np.unique(labels) if c >= 0)
    if not vocab or not themes:
        return {c: [] for c in themes}
    words = np.array(sorted(vocab, key=vocab.__getitem__))
    presence = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(labels), len(vocab))
    )
    index = {c: i for i, c in enumerate(themes)}
    member = np.array([index.get(int(c), -1) for c in labels])
    keep = member >= 0
    onehot = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (member[keep], np.flatnonzero(keep))),
        shape=(len(themes), len(labels)),
    )
    df = np.asarray((onehot @ presence).todense())
    sizes = np.bincount(member[keep], minlength=len(themes)).astype(np.float64)
    total = np.asarray(presence.sum(0)).ravel()
    idf = np.log1p(sizes.mean() / np.maximum(total, 1.0))
    weight = df / np.maximum(sizes, 1.0)[:, None] * idf[None, :]
    # Banking terms from the user dictionary name a theme better than the filler words around them.
    domain = _domain_terms()
    weight *= np.array([DOMAIN_BOOST if w in domain else 1.0 for w in words])[None, :]
    weight[df < min_count] = 0.0
    out: dict[int, Keywords] = {}
    for c, i in index.items():
        top = np.argsort(-weight[i], kind="stable")[:n_keywords]
        out[c] = [(str(words[j]), round(float(weight[i, j]), 6)) for j in top if weight[i, j] > 0]
    return out


# jieba part-of-speech tags of words that never name a problem: adverbs, numerals, pronouns, particles,
# prepositions, conjunctions, measure words, interjections, directions (越久, 万年, 它会, 每年, 之前).
_FUNCTION_TAGS = frozenset({"d", "m", "mq", "r", "rr", "rz", "rg", "p", "c", "q", "e", "y", "o", "f"})


@lru_cache(maxsize=1)
def _tagger() -> Any:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg.POSTokenizer(jieba.Tokenizer())


@lru_cache(maxsize=1)
def _domain_terms() -> frozenset[str]:
    return frozenset(get_segmenter().user_terms)


@lru_cache(maxsize=50_000)
def function_word(word: str) -> bool:
    """Whether jieba's dictionary reads the word as a function word, or as one glued to its neighbour (越高, 销了).

    Bank dictionary terms never are: they name products and steps whatever their grammar.
    """
    if word in _domain_terms() or not re.search(r"[\u4e00-\u9fff]", word):
        return False
    parts = [(p.word, p.flag) for p in _tagger().lcut(word)]
    if len(parts) == 1:
        return parts[0][1] in _FUNCTION_TAGS
    return parts[0][1] in _FUNCTION_TAGS or parts[-1][1].startswith("u")


def make_label(keywords: Keywords, n_words: int = 3) -> str:
    """Up to ``n_words`` keywords joined by ' · ', skipping repeats and words inside one another.

    Single characters (好, 慢) only fill in when the theme has no longer keyword, since alone they do
    not tell a reader what the theme is about; function words (越久, 每年) likewise.
    """
    ranked = ([w for w, _ in keywords if len(w) > 1 and not function_word(w)]
              or [w for w, _ in keywords if len(w) > 1] or [w for w, _ in keywords])
    chosen: list[str] = []
    for w in ranked:
        if any(w in c or c in w for c in chosen):
            continue
        chosen.append(w)
        if len(chosen) == n_words:
            break
    return " · ".join(chosen) if chosen else NO_LABEL


def label_words(keywords: Keywords, n_words: int = 3) -> list[str]:
    """The words ``make_label`` would join (what a reader sees and what label quality is measured on)."""
    label = make_label(keywords, n_words)
    return [] if label == NO_LABEL else label.split(" · ")


def distinct_labels(keywords: dict[int, Keywords], n_words: int = 3, taken: Iterable[str] = ()) -> dict[int, str]:
    """Labels for several themes; a label already used gets the theme's next keyword so names stay unique."""
    used = set(taken)
    out: dict[int, str] = {}
    for c in sorted(keywords):
        label = make_label(keywords[c], n_words)
        extra = n_words
        while label in used and extra < len(keywords[c]):
            extra += 1
            label = make_label(keywords[c], extra)
        if label in used:
            label = f"{label} #{c}"
        used.add(label)
        out[c] = label
    return out


WordCounts = dict[int, dict[str, float]]


def count_words(topics: Sequence[Sequence[str]], labels: np.ndarray) -> tuple[WordCounts, dict[str, float]]:
    """Records per (theme, topic word) for labels >= 0, and records per word over every row given.

    These counts are what a theme model keeps between months, so labels can be recomputed from all of a
    theme's members without keeping the members themselves.
    """
    per_theme: WordCounts = {}
    overall: dict[str, float] = {}
    for doc, label in zip(topics, np.asarray(labels), strict=True):
        words = set(doc)
        for w in words:
            overall[w] = overall.get(w, 0.0) + 1.0
        if label >= 0:
            bucket = per_theme.setdefault(int(label), {})
            for w in words:
                bucket[w] = bucket.get(w, 0.0) + 1.0
    return per_theme, overall


def add_counts(into: dict[str, float], more: dict[str, float]) -> None:
    for w, n in more.items():
        into[w] = into.get(w, 0.0) + n


def keywords_from_counts(
    per_theme: WordCounts,
    sizes: dict[int, float],
    overall: dict[str, float],
    *,
    n_keywords: int = 10,
    min_count: int = 2,
) -> dict[int, Keywords]:
    """c-TF-IDF from kept counts: share of the theme's records using a word times its rarity elsewhere.

    Same weight as ``class_tfidf`` (bank dictionary terms boosted), computed from counts so a theme's words
    can be re-ranked every month from all its members to date.
    """
    live = [c for c in per_theme if sizes.get(c, 0) > 0]
    if not live:
        return {c: [] for c in per_theme}
    mean_size = float(np.mean([sizes[c] for c in live]))
    domain = _domain_terms()
    out: dict[int, Keywords] = {}
    for c, counts in per_theme.items():
        size = max(float(sizes.get(c, 0)), 1.0)
        scored = []
        for w, n in counts.items():
            if n < min_count or not _readable(w):
                continue
            weight = n / size * float(np.log1p(mean_size / max(overall.get(w, n), 1.0)))
            scored.append((w, weight * (DOMAIN_BOOST if w in domain else 1.0)))
        scored.sort(key=lambda p: (-p[1], p[0]))
        out[c] = [(w, round(s, 6)) for w, s in scored[:n_keywords]]
    return out


def frequent_words(counts: dict[str, float], n: int = 3) -> Keywords:
    """The theme's most used topic words: the label of last resort when no word is distinctive."""
    top = sorted(counts.items(), key=lambda p: (-p[1], p[0]))[:n]
    return [(w, float(c)) for w, c in top]
