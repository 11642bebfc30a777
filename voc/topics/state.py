"""What a ThemeModel has learned, in one object: the update step reads one state and returns the next.

The model holds its hyper-parameters and one :class:`ThemeState`; ``voc.topics.lineage`` turns a state and a
month's records into the following state (a copy: the state it was given is left as it was), and
``voc.topics.split`` and ``voc.topics.describe`` work on the copy being built.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from voc.topics.cluster import nearest
from voc.topics.keywords import add_counts, count_words
from voc.topics.themes import Theme


class ThemeParams(Protocol):
    """The hyper-parameters an update step reads (a ThemeModel has them all)."""

    assign_all: bool
    k_sample_size: int
    label_words: int
    max_iter: int
    max_themes: int
    merge_threshold: float | None
    min_theme_size: int
    n_init: int
    n_keywords: int
    n_representatives: int
    outlier_quantile: float
    random_state: int
    split_threshold: float


@dataclass
class ThemeState:
    """Centroids and their ids and bars, the next free id, the word counts labels come from, the themes."""

    centroids: np.ndarray
    theme_ids: np.ndarray
    thresholds: np.ndarray
    threshold: float
    generic_id: int
    next_id: int
    step: int = 0
    sizes: dict[int, int] = field(default_factory=dict)
    word_counts: dict[int, dict[str, float]] = field(default_factory=dict)
    overall_counts: dict[str, float] = field(default_factory=dict)
    themes: list[Theme] = field(default_factory=list)
    pinned: set[int] = field(default_factory=set)  # analysts' pins: never split automatically
    force_split: set[int] = field(default_factory=set)  # analysts' splits to carry out in the next step

    def copy(self) -> ThemeState:
        """An independent copy with writable arrays (a loaded state's arrays are read-only memory maps)."""
        return replace(
            self,
            centroids=np.array(self.centroids, dtype=np.float32),
            theme_ids=np.array(self.theme_ids, dtype=np.int64),
            thresholds=np.array(self.thresholds, dtype=np.float32),
            sizes=dict(self.sizes),
            word_counts={k: dict(v) for k, v in self.word_counts.items()},
            overall_counts=dict(self.overall_counts),
            themes=list(self.themes),
            pinned=set(self.pinned),
            force_split=set(self.force_split),
        )

    def assign(self, x: np.ndarray, keep_all: bool) -> tuple[np.ndarray, np.ndarray]:
        """Theme id of each prepared (normalised, centred) row and its similarity; -1 below a theme's bar."""
        idx, sims = nearest(x, np.asarray(self.centroids))
        ids = np.asarray(self.theme_ids)[idx]
        if not keep_all:
            ids = np.where(sims >= np.asarray(self.thresholds)[idx], ids, -1)
        return ids, sims

    def absorb(self, topics: list[list[str]], labels: np.ndarray, content: np.ndarray) -> None:
        """Add a batch's members to the kept counts that labels are recomputed from."""
        per_theme, overall = count_words([t for t, c in zip(topics, content, strict=True) if c], labels[content])
        for tid, counts in per_theme.items():
            add_counts(self.word_counts.setdefault(tid, {}), counts)
        add_counts(self.overall_counts, overall)
        ids, n = np.unique(labels[labels >= 0], return_counts=True)
        for tid, c in zip(ids, n, strict=True):
            self.sizes[int(tid)] = self.sizes.get(int(tid), 0) + int(c)
