"""Text -> features for the trainable scorer: negation-marked words, char n-grams and lexicon sums.

Negation marking (满意 after 不 becomes NOT_满意) and char n-grams (不好, 不错) are what carries over from one
kind of feedback to another; the lexicon sums add words the training data never contained.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from voc.sentiment.lexicon import CueHit, Lexicon

NOT = "NOT_"
_PUNCT = re.compile(r"^[\s，。！？、；：,.!?;:~～…\-—\"'“”‘’()（）【】\[\]]+$")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_SPACES = re.compile(r"\s\s+")
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


def char_grams(text: str, lo: int, hi: int) -> list[str]:
    """The char n-grams sklearn's ``analyzer="char"`` makes (lower-cased, runs of spaces folded), in any order."""
    text = _SPACES.sub(" ", text.lower())
    n = len(text)
    return [text[i : i + k] for k in range(lo, hi + 1) for i in range(n - k + 1)]


def tfidf(vec: TfidfVectorizer, docs: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """What ``vec.transform`` gives for already-analysed docs (sublinear tf, idf, l2), about twice as fast.

    sklearn counts features one by one in Python with a dict per document; here each document is one
    list comprehension and scipy sums the duplicates, which matters because scoring runs on every record.
    """
    get = vec.vocabulary_.get
    indices: list[int] = []
    indptr = [0]
    for grams in docs:
        indices.extend([j for j in map(get, grams) if j is not None])
        indptr.append(len(indices))
    X = sparse.csr_matrix(
        (np.ones(len(indices)), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(docs), len(vec.idf_)),
    )
    X.sum_duplicates()
    if vec.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    X = X @ sparse.diags(vec.idf_, format="csr")
    return normalize(X, norm=vec.norm, copy=False)


def readable(feature: str) -> str | None:
    """A word feature as the customer would write it (NOT_满意 -> 不满意); None for bigrams and non-words."""
    if " " in feature:
        return None
    word = "不" + feature[len(NOT) :] if feature.startswith(NOT) else feature
    return word if len(word) > 1 and _WORD.search(word) else None


__all__ = [
    "LEXICON_FEATURES",
    "NOT",
    "Lexicon",
    "char_grams",
    "identity",
    "lexicon_matrix",
    "mark_negation",
    "readable",
    "tfidf",
]
