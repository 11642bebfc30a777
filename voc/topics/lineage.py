"""One update step of a fitted ThemeModel: keep old ids, add new themes, and say what changed.

Records close enough to an existing centroid keep that theme. The leftovers are clustered on their own;
a leftover cluster becomes a new theme only when it is big enough and as tight as fitted themes are, so a
handful of stray complaints stays an outlier instead of becoming a theme of its own.
"""

from __future__ import annotations

import logging

import numpy as np

from voc.topics.cluster import (
    choose_k,
    member_sums,
    merge_centroids,
    nearest,
    normalise_rows,
    spherical_kmeans,
    theme_thresholds,
)
from voc.topics.content import topic_words
from voc.topics.describe import describe
from voc.topics.split import apply_forced_splits, apply_splits, find_splits
from voc.topics.state import ThemeParams, ThemeState
from voc.topics.themes import Lineage

log = logging.getLogger(__name__)

# Below this silhouette the leftovers show no real group structure: treat them as at most one new theme.
MIN_SILHOUETTE = 0.1


def _new_centroids(model: ThemeParams, state: ThemeState, x: np.ndarray) -> np.ndarray:
    """Centroids of coherent clusters among the leftover rows ``x`` (possibly none)."""
    n_min = max(2, model.min_theme_size)
    if len(x) < n_min:
        return np.zeros((0, x.shape[1]), dtype=np.float32)
    if len(x) < 2 * n_min:
        k = 1
    else:
        k, scores = choose_k(
            x,
            1,
            min(model.max_themes, len(x) // n_min),
            sample_size=model.k_sample_size,
            random_state=model.random_state,
        )
        if not scores or max(scores.values()) < MIN_SILHOUETTE:
            k = 1
    result = spherical_kmeans(x, k, n_init=model.n_init, max_iter=model.max_iter, random_state=model.random_state)
    centroids = result.centroids
    if k > 1:
        centroids = merge_centroids(centroids, np.bincount(result.labels, minlength=k), _granularity(model, state))
    idx, sims = nearest(x, centroids)
    keep = []
    for c in range(len(centroids)):
        members = sims[(idx == c) & (sims >= state.threshold)]
        if len(members) >= n_min:
            keep.append(c)
    return np.ascontiguousarray(centroids[keep], dtype=np.float32)


def _granularity(model: ThemeParams, state: ThemeState) -> float:
    """How close two fitted themes typically are (median nearest-theme cosine), capped by merge_threshold.

    New themes found among leftovers are merged until they are at least as distinct as the fitted themes,
    so one new complaint family does not arrive as several fragments.
    """
    cap = 1.0 if model.merge_threshold is None else model.merge_threshold
    c = np.asarray(state.centroids)
    if len(c) < 2:
        return cap
    sim = c @ c.T
    np.fill_diagonal(sim, -1.0)
    return float(min(cap, np.median(sim.max(1))))


def next_state(model: ThemeParams, state: ThemeState, x: np.ndarray, toks: list[list[str]]
               ) -> tuple[ThemeState, Lineage]:
    """The state after one batch (prepared rows ``x``) and the lineage of the step; ``state`` is left as it was.

    ``model`` supplies only hyper-parameters.
    """
    state = state.copy()
    topics = topic_words().many(toks)
    content = np.array([bool(t) for t in topics], dtype=bool) & (np.linalg.norm(x, axis=1) > 0)
    old_ids = np.asarray(state.theme_ids).copy()
    old_centroids = np.asarray(state.centroids).copy()
    before, _ = state.assign(x, False)
    before[~content] = -1
    leftovers = np.flatnonzero((before < 0) & content)
    fresh = _new_centroids(model, state, x[leftovers])
    if len(fresh) and model.merge_threshold is not None:
        # A leftover group that nearly duplicates an old theme is that theme's fringe, not a new theme.
        fresh = fresh[(fresh @ old_centroids.T).max(1) < model.merge_threshold]
    new_ids = np.arange(state.next_id, state.next_id + len(fresh), dtype=np.int64)

    # Continuing themes drift towards this batch, weighted by how many records they already hold.
    sizes = {int(i): state.sizes.get(int(i), 0) for i in old_ids}
    counts = {int(i): int((before == i).sum()) for i in old_ids}
    hit = before >= 0
    sums = member_sums(x[hit], np.searchsorted(old_ids, before[hit]), len(old_ids))
    moved = old_centroids * np.array([sizes[int(i)] for i in old_ids], dtype=np.float32)[:, None] + sums
    moved = np.where(np.array([counts[int(i)] for i in old_ids])[:, None] > 0, normalise_rows(moved), old_centroids)

    state.centroids = np.ascontiguousarray(np.vstack([moved, fresh]), dtype=np.float32)
    state.theme_ids = np.concatenate([old_ids, new_ids])
    old_thresholds = np.asarray(state.thresholds, dtype=np.float32)
    state.thresholds = np.concatenate([old_thresholds, np.full(len(new_ids), state.threshold, np.float32)])
    if len(new_ids):
        # New themes get their own bar from the members this batch gives them, like fitted themes.
        idx, sims0 = nearest(x, state.centroids)
        idx = np.where(content, idx, -1)
        fresh_bars = theme_thresholds(idx, sims0, len(state.theme_ids), state.threshold, model.outlier_quantile)
        state.thresholds[len(old_ids):] = fresh_bars[len(old_ids):]
    state.next_id += len(new_ids)
    # A theme that now holds two separate problems splits; its leaving half gets a new id.
    strict_old = np.where(content, before, -1)
    carved = apply_splits(state, x, find_splits(model, state, x, strict_old, topics, _granularity(model, state)),
                          {i: sizes[i] + counts[i] for i in sizes})
    state.step += 1
    after, strict, sims = _assign_content(model, state, x, content)
    # An analyst's split (set by the tracker from curations) applies to the month's final themes, so a theme
    # born this month can be split too.
    asked = set(state.force_split) - set(carved.values())
    if asked:
        extra = apply_forced_splits(model, state, x, strict, asked)
        if extra:
            carved.update(extra)
            after, strict, sims = _assign_content(model, state, x, content)
    new_ids = np.concatenate([new_ids, np.array(list(carved), dtype=np.int64)])

    had = before >= 0
    stability = float((after[had] == before[had]).mean()) if had.any() else 1.0
    split = dict(carved)
    if len(fresh):
        rel = fresh @ old_centroids.T
        for j, nid in enumerate(new_ids[: len(fresh)]):
            if rel[j].max() >= model.split_threshold:
                split[int(nid)] = int(old_ids[rel[j].argmax()])
    merged = _merged_pairs(model, x, strict, old_ids)

    final = {int(i): int((strict == i).sum()) for i in state.theme_ids}
    state.absorb(topics, strict, content)
    state.themes = describe(model, state, topics, strict, sims, [int(i) for i in new_ids])

    lineage = Lineage(
        step=state.step,
        labels=after,
        similarities=sims,
        continued={int(i): final[int(i)] for i in old_ids if final[int(i)] > 0},
        new=[int(i) for i in new_ids],
        retired=[int(i) for i in old_ids if final[int(i)] == 0],
        split=split,
        merged=merged,
        n_outliers=int((after < 0).sum()),
        stability=round(stability, 6),
    )
    log.info("update step %d: %s", state.step, lineage.summary())
    return state, lineage


def _assign_content(model: ThemeParams, state: ThemeState, x: np.ndarray, content: np.ndarray
                    ) -> tuple[np.ndarray, ...]:
    """(every record's theme, strict theme, similarity); records without content go to the generic bucket."""
    after, sims = state.assign(x, model.assign_all)
    strict, _ = state.assign(x, False)
    return (np.where(content, after, state.generic_id), np.where(content, strict, state.generic_id),
            np.where(content, sims, 0.0).astype(np.float32))


def _merged_pairs(model: ThemeParams, x: np.ndarray, labels: np.ndarray, old_ids: np.ndarray) -> list[tuple[int, int]]:
    """Old themes whose records in this batch have (nearly) the same centroid: they now describe one thing."""
    if model.merge_threshold is None:
        return []
    present = [i for i in old_ids if (labels == i).sum() >= max(2, model.min_theme_size)]
    if len(present) < 2:
        return []
    cents = normalise_rows(np.vstack([x[labels == i].mean(0) for i in present]))
    sim = cents @ cents.T
    return [
        (int(present[a]), int(present[b]))
        for a in range(len(present))
        for b in range(a + 1, len(present))
        if sim[a, b] >= model.merge_threshold
    ]
