"""Splitting a theme that has grown into two problems, so a large mixed theme does not hide either.

A theme is split when this month's members fall into two halves that are as far apart as two neighbouring
themes usually are, both sizeable, and each half is named by its own words (no label word shared). The larger
half keeps the id; the smaller gets a new one, recorded as a split of the old (lineage event ``split``).
"""

from __future__ import annotations

import numpy as np

from voc.topics.cluster import normalise_rows, spherical_kmeans
from voc.topics.keywords import class_tfidf, label_words
from voc.topics.state import ThemeParams, ThemeState

MIN_MEMBERS = 40  # a theme with fewer members this month is too small to hold two problems worth a meeting
MIN_SHARE = 0.2  # the smaller half's share of the members, at least


def find_splits(
    model: ThemeParams, state: ThemeState, x: np.ndarray, labels: np.ndarray, topics: list[list[str]],
    granularity: float,
) -> list[tuple[int, np.ndarray]]:
    """(theme id, rows of this batch that leave it) for every old theme that holds two separate problems.

    ``labels`` is the strict assignment to the old themes; a theme is a candidate when it holds at least
    ``MIN_MEMBERS`` and twice the median theme's members this month.
    """
    ids, counts = np.unique(labels[labels >= 0], return_counts=True)
    live = [(int(t), int(n)) for t, n in zip(ids, counts, strict=True) if int(t) != state.generic_id]
    if len(live) < 2:
        return []
    median = float(np.median([n for _, n in live]))
    out = []
    pinned = state.pinned  # an analyst pinned it: never split automatically
    for tid, n in live:
        if n < max(MIN_MEMBERS, 2 * median) or tid in pinned:
            continue
        rows = np.flatnonzero(labels == tid)
        halves = spherical_kmeans(x[rows], 2, n_init=3, random_state=model.random_state)
        sizes = np.bincount(halves.labels, minlength=2)
        if sizes.min() < max(model.min_theme_size, MIN_SHARE * n):
            continue
        if float(halves.centroids[0] @ halves.centroids[1]) >= granularity:
            continue
        words = class_tfidf([topics[r] for r in rows], halves.labels, n_keywords=model.n_keywords)
        a, b = (label_words(words.get(h, []), model.label_words) for h in (0, 1))
        if not a or not b or set(a) & set(b):
            continue
        out.append((tid, rows[halves.labels == int(sizes.argmin())]))
    return out


def forced_splits(model: ThemeParams, x: np.ndarray, labels: np.ndarray, ids: set[int]) -> list[tuple[int, np.ndarray]]:
    """The analysts' splits (`voc themes split`): each named theme's members in two, the smaller half leaves.

    No size, distance or label test: the analyst has judged the theme mixed. Deterministic (fixed seed), so a
    rebuild replays the same split.
    """
    out = []
    for tid in sorted(ids):
        rows = np.flatnonzero(labels == tid)
        if len(rows) < 4:
            continue
        halves = spherical_kmeans(x[rows], 2, n_init=3, random_state=model.random_state)
        sizes = np.bincount(halves.labels, minlength=2)
        if sizes.min() > 0:
            out.append((tid, rows[halves.labels == int(sizes.argmin())]))
    return out


def apply_forced_splits(model: ThemeParams, state: ThemeState, x: np.ndarray, labels: np.ndarray, ids: set[int]
                        ) -> dict[int, int]:
    """Carry out the analysts' splits on this month's members: both halves centred exactly on their records."""
    found = forced_splits(model, x, labels, ids)
    born = apply_splits(state, x, found, {})
    for tid, leaving in found:
        j = int(np.flatnonzero(np.asarray(state.theme_ids) == tid)[0])
        stay = np.setdiff1d(np.flatnonzero(labels == tid), leaving)
        state.centroids[j] = normalise_rows(x[stay].sum(0, keepdims=True))[0]
    return born


def apply_splits(
    state: ThemeState, x: np.ndarray, splits: list[tuple[int, np.ndarray]], weights: dict[int, int]
) -> dict[int, int]:
    """Give each leaving half a new id and centroid; the old theme re-centres on what stays. New id -> old id.

    ``weights`` is how many records each old centroid stands for (history and this month).
    """
    born: dict[int, int] = {}
    for tid, rows in splits:
        j = int(np.flatnonzero(np.asarray(state.theme_ids) == tid)[0])
        child = normalise_rows(x[rows].sum(0, keepdims=True))
        stay = state.centroids[j] * max(weights.get(tid, 0), len(rows) + 1) - x[rows].sum(0)
        state.centroids[j] = normalise_rows(stay[None, :])[0]
        new_id = int(state.next_id)
        state.next_id += 1
        state.centroids = np.ascontiguousarray(np.vstack([state.centroids, child]), dtype=np.float32)
        state.theme_ids = np.concatenate([state.theme_ids, [new_id]])
        state.thresholds = np.concatenate([state.thresholds, [state.thresholds[j]]]).astype(np.float32)
        born[new_id] = tid
    return born
