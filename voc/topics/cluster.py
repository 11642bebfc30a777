"""Spherical k-means, the quality criterion that picks the number of themes, and merging of near-duplicates.

Embeddings are L2-normalised, so cosine similarity is a dot product and k-means on the unit sphere is a few
matrix products per iteration: plain numpy is fast enough for 100k records and fully deterministic for a
given ``random_state`` (no thread-order effects), which the stable-theme contract needs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import silhouette_score

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KMeansResult:
    """Unit-length centroids, the label of every row and its cosine similarity to that centroid."""

    centroids: np.ndarray
    labels: np.ndarray
    similarities: np.ndarray
    objective: float


def normalise_rows(x: np.ndarray) -> np.ndarray:
    """float32 copy with unit rows; all-zero rows stay zero (they match no theme)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def nearest(x: np.ndarray, centroids: np.ndarray, batch: int = 65536) -> tuple[np.ndarray, np.ndarray]:
    """Index and cosine of the closest centroid for every row, in batches to bound memory."""
    labels = np.empty(len(x), dtype=np.int64)
    sims = np.empty(len(x), dtype=np.float32)
    for start in range(0, len(x), batch):
        s = x[start : start + batch] @ centroids.T
        labels[start : start + batch] = s.argmax(1)
        sims[start : start + batch] = s[np.arange(len(s)), labels[start : start + batch]]
    return labels, sims


def member_sums(x: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Row sums per label (labels outside 0..k-1 ignored) as one sparse product instead of a Python loop."""
    keep = (labels >= 0) & (labels < k)
    onehot = sp.csr_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (labels[keep], np.flatnonzero(keep))), shape=(k, len(x))
    )
    return np.asarray(onehot @ x, dtype=np.float32)


def _kmeans_pp(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding with cosine distance, so restarts begin from spread-out records."""
    centres = [int(rng.integers(len(x)))]
    dist = np.clip(1.0 - x @ x[centres[0]], 0.0, None)
    for _ in range(1, k):
        total = float(dist.sum())
        nxt = int(rng.integers(len(x))) if total <= 0 else int(rng.choice(len(x), p=dist / total))
        centres.append(nxt)
        dist = np.minimum(dist, np.clip(1.0 - x @ x[nxt], 0.0, None))
    return x[centres].copy()


def _lloyd(x: np.ndarray, centroids: np.ndarray, max_iter: int, tol: float) -> KMeansResult:
    k = len(centroids)
    prev = -np.inf
    for _ in range(max_iter):
        labels, sims = nearest(x, centroids)
        objective = float(sims.sum())
        sums = member_sums(x, labels, k)
        counts = np.bincount(labels, minlength=k)
        for empty in np.flatnonzero(counts == 0):
            worst = int(sims.argmin())
            sums[empty] = x[worst]
            sims[worst] = np.inf
        centroids = normalise_rows(sums)
        if objective - prev <= tol * max(abs(objective), 1.0):
            break
        prev = objective
    labels, sims = nearest(x, centroids)
    return KMeansResult(centroids, labels, sims, float(sims.sum()))


def spherical_kmeans(
    x: np.ndarray, k: int, *, n_init: int = 5, max_iter: int = 50, tol: float = 1e-5, random_state: int = 0
) -> KMeansResult:
    """Best of ``n_init`` k-means++ restarts by total cosine similarity; deterministic for a seed."""
    x = normalise_rows(x)
    if k < 1 or k > len(x):
        raise ValueError(f"cannot make {k} clusters from {len(x)} rows")
    rng = np.random.default_rng(random_state)
    best: KMeansResult | None = None
    for _ in range(max(1, n_init)):
        result = _lloyd(x, _kmeans_pp(x, k, rng), max_iter, tol)
        if best is None or result.objective > best.objective:
            best = result
    assert best is not None
    return best


def choose_k(
    x: np.ndarray,
    k_min: int = 2,
    k_max: int = 20,
    *,
    sample_size: int = 4000,
    n_init: int = 3,
    random_state: int = 0,
) -> tuple[int, dict[int, float]]:
    """The k with the best cosine silhouette on a sample: the quality criterion behind automatic themes.

    Sampling keeps the quadratic silhouette cheap at 100k records; returns the chosen k and every score.
    """
    rng = np.random.default_rng(random_state)
    x = normalise_rows(x)
    if len(x) > sample_size:
        x = x[np.sort(rng.choice(len(x), sample_size, replace=False))]
    k_max = min(k_max, len(x) - 1)
    k_min = max(2, min(k_min, k_max))
    scores: dict[int, float] = {}
    for k in range(k_min, k_max + 1):
        result = spherical_kmeans(x, k, n_init=n_init, random_state=random_state)
        if len(np.unique(result.labels)) < 2:
            continue
        scores[k] = float(silhouette_score(x, result.labels, metric="cosine"))
    if not scores:
        return k_min, scores
    best = max(scores, key=lambda k: (round(scores[k], 6), -k))
    log.info("silhouette picked k=%d (%.3f) from %d-%d", best, scores[best], k_min, k_max)
    return best, scores


def merge_centroids(centroids: np.ndarray, sizes: np.ndarray, threshold: float) -> np.ndarray:
    """Centroids after merging those closer than ``threshold`` (size-weighted, renormalised)."""
    groups = merge_close(centroids, sizes, threshold)
    if len(groups) < len(centroids):
        log.info("merged %d near-duplicate themes into %d", len(centroids), len(groups))
    return normalise_rows(np.vstack([(centroids[g] * sizes[g, None]).sum(0) for g in groups]))


def merge_close(centroids: np.ndarray, sizes: np.ndarray, threshold: float) -> list[list[int]]:
    """Groups of cluster indices whose centroids are closer than ``threshold`` (cosine), merged greedily.

    The closest pair is merged first and the merged centroid is the size-weighted mean, so a chain of
    slightly-similar clusters does not collapse into one the way single linkage would.
    """
    groups = [[i] for i in range(len(centroids))]
    vecs = [np.asarray(c, dtype=np.float64) * float(max(s, 1)) for c, s in zip(centroids, sizes, strict=True)]
    while len(groups) > 1:
        unit = normalise_rows(np.vstack(vecs).astype(np.float32))
        sim = unit @ unit.T
        np.fill_diagonal(sim, -np.inf)
        i, j = np.unravel_index(int(sim.argmax()), sim.shape)
        if sim[i, j] < threshold:
            break
        i, j = min(i, j), max(i, j)
        groups[i] = sorted(groups[i] + groups.pop(j))
        vecs[i] = vecs[i] + vecs.pop(j)
    return groups


def theme_thresholds(idx: np.ndarray, sims: np.ndarray, n: int, floor: float, quantile: float) -> np.ndarray:
    """Per-theme similarity bar from the theme's own members, never below the global floor.

    The bar is the members' median minus four robust deviations (MAD), or their `quantile` if that is higher:
    a tight theme (one specific complaint) then rejects a complaint that is merely related, so a new problem
    becomes a new theme instead of inflating its neighbour, while a broad theme keeps a low bar. The median
    and MAD ignore the stray records k-means hands every theme.
    """
    out = np.full(n, floor, dtype=np.float32)
    for j in range(n):
        members = sims[idx == j]
        if len(members) >= 5:
            med = float(np.median(members))
            mad = 1.4826 * float(np.median(np.abs(members - med)))
            out[j] = max(floor, med - 4.0 * mad, float(np.quantile(members, quantile)))
    return out
