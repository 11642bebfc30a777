"""Theme quality as a reader judges it, and the number of themes chosen by it.

A reader trusts a theme when its label words describe its members and only them: ``coverage`` is the share
of members that use one of the label words, ``specificity`` the share of all records using a label word that
are members. Their size-weighted product tracks readability where silhouette and NPMI coherence did not
(on real app reviews a junk theme scored as coherent as the best one, and silhouette on sentence-encoder
vectors prefers two or three catch-all themes).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from voc.topics.cluster import spherical_kmeans
from voc.topics.keywords import count_words, keywords_from_counts, label_words

log = logging.getLogger(__name__)

K_GRID = (2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 22, 26, 30, 35, 40)


@dataclass(frozen=True)
class Presence:
    """Records x topic words as a sparse 0/1 matrix, built once and reused for every candidate labelling."""

    matrix: sp.csc_matrix
    vocab: dict[str, int]

    @classmethod
    def build(cls, topics: Sequence[Sequence[str]]) -> Presence:
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, doc in enumerate(topics):
            for w in set(doc):
                rows.append(i)
                cols.append(vocab.setdefault(w, len(vocab)))
        m = sp.csc_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(topics), max(len(vocab), 1)))
        return cls(m, vocab)

    def uses_any(self, words: Sequence[str]) -> np.ndarray:
        cols = [self.vocab[w] for w in words if w in self.vocab]
        if not cols:
            return np.zeros(self.matrix.shape[0], dtype=bool)
        return np.asarray(self.matrix[:, cols].sum(axis=1)).ravel() > 0


def label_quality(
    presence: Presence, labels: np.ndarray, words: dict[int, list[str]]
) -> dict[int, tuple[float, float]]:
    """(coverage, specificity) of each theme's label words over the records behind ``presence``."""
    labels = np.asarray(labels)
    out = {}
    for c, ws in words.items():
        members = labels == c
        hit = presence.uses_any(ws)
        n_mem, n_hit = int(members.sum()), int(hit.sum())
        both = int((hit & members).sum())
        out[c] = (both / n_mem if n_mem else 0.0, both / n_hit if n_hit else 0.0)
    return out


def labelling_score(presence: Presence, topics: Sequence[Sequence[str]], labels: np.ndarray, n_words: int) -> float:
    """Size-weighted mean of coverage x specificity of the labels c-TF-IDF would give these clusters."""
    per_theme, overall = count_words(topics, labels)
    sizes = {int(c): float(n) for c, n in zip(*np.unique(labels[labels >= 0], return_counts=True), strict=True)}
    keywords = keywords_from_counts(per_theme, sizes, overall)
    words = {c: label_words(keywords.get(c, []), n_words) for c in sizes}
    quality = label_quality(presence, labels, words)
    total = sum(sizes.values())
    return sum(sizes[c] * cov * spec for c, (cov, spec) in quality.items()) / total if total else 0.0


def choose_k_by_labels(
    x: np.ndarray,
    topics: Sequence[Sequence[str]],
    k_min: int,
    k_max: int,
    *,
    n_words: int = 3,
    sample_size: int = 20000,
    n_init: int = 3,
    tolerance: float = 0.95,
    random_state: int = 0,
) -> tuple[int, dict[int, float]]:
    """The finest k in the grid whose themes are described by their labels within ``tolerance`` of the best k.

    The score is flat over a wide range of k on real complaints (broad themes have frequent label words);
    among labellings a reader would find equally good, the finer one names concrete problems.
    """
    rng = np.random.default_rng(random_state)
    if len(x) > sample_size:
        rows = np.sort(rng.choice(len(x), sample_size, replace=False))
        x, topics = x[rows], [topics[i] for i in rows]
    presence = Presence.build(topics)
    grid = [k for k in K_GRID if k_min <= k <= min(k_max, len(x) - 1)] or [max(1, min(k_min, len(x)))]
    scores: dict[int, float] = {}
    for k in grid:
        result = spherical_kmeans(x, k, n_init=n_init, random_state=random_state)
        scores[k] = labelling_score(presence, topics, result.labels, n_words)
    top = max(scores.values())
    best = max(k for k, v in scores.items() if v >= tolerance * top)
    log.info("label quality picked k=%d (%.3f, best %.3f) from %s", best, scores[best], top, grid)
    return best, scores
