"""The embedding fallback for process steps, trusted only as far as a held-out check says.

Records a keyword rule matches are the labelled examples: their keywords are removed from the text (the
records the fallback will see have none), half of them make one centroid per step and the other half
measure how often the nearest centroid names the rule's step. The fallback answers only above the margin
(best minus second-best cosine) at which that precision reaches the target with 95% confidence (Wilson
lower bound: a lucky handful of held-out hits is no evidence); with too few examples, or no margin that
reaches it, it abstains for every record and they stay 未归类.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from voc.taxonomy import OTHER, Taxonomy
from voc.topics.cluster import normalise_rows

Encode = Callable[[list[str]], np.ndarray]


@dataclass
class StepFallback:
    """Nearest step centroid with a calibrated abstention margin (scikit-learn style: fit, then predict)."""

    precision: float = 0.8
    min_examples: int = 40
    min_per_step: int = 8
    min_support: int = 10
    step_ids: list[str] = field(default_factory=list)
    centroids: np.ndarray | None = None
    margin: float | None = None
    report: dict[str, Any] = field(default_factory=dict)

    def fit(self, vectors: np.ndarray, steps: Sequence[str], keys: Sequence[str]) -> StepFallback:
        """Calibrate on keyword-masked vectors of rule-matched records; ``keys`` split them stably in two."""
        vectors = normalise_rows(np.asarray(vectors, dtype=np.float32))
        steps = list(steps)
        half = np.array([zlib.crc32(k.encode("utf-8")) % 2 for k in keys], dtype=bool)
        counts = {s: steps.count(s) for s in set(steps)}
        usable = sorted(s for s, n in counts.items() if n >= self.min_per_step and s != OTHER)
        self.report = {"examples": len(steps), "steps": len(usable), "target_precision": self.precision}
        keep = np.array([s in usable for s in steps], dtype=bool)
        if keep.sum() < self.min_examples or len(usable) < 2:
            return self._abstain("too few rule-matched examples")
        build, check = keep & ~half, keep & half
        cents = self._centroids(vectors[build], [s for s, b in zip(steps, build, strict=True) if b], usable)
        if cents is None:
            return self._abstain("a step has no examples in the build half")
        pred, margin = _nearest(vectors[check], cents)
        truth = np.array([usable.index(s) for s, c in zip(steps, check, strict=True) if c])
        order = np.argsort(-margin)
        hits = np.cumsum(pred[order] == truth[order])
        n = np.arange(1, len(order) + 1)
        prec = hits / n
        lower = wilson_lower(hits, n)
        ok = [i for i in range(self.min_support - 1, len(order)) if lower[i] >= self.precision]
        if not ok:
            return self._abstain(f"no margin reaches precision {self.precision:.2f}")
        last = ok[-1]
        self.step_ids, self.centroids = usable, cents
        self.margin = float(margin[order][last])
        self.report.update(margin=round(self.margin, 4), held_out=len(order),
                           precision=round(float(prec[last]), 3), precision_lower=round(float(lower[last]), 3),
                           coverage=round((last + 1) / len(order), 3))
        return self

    def predict(self, vectors: np.ndarray) -> list[str | None]:
        """A step where the margin clears the calibrated one, else None (the caller shows 未归类)."""
        if self.centroids is None or self.margin is None or len(vectors) == 0:
            return [None] * len(vectors)
        pred, margin = _nearest(normalise_rows(np.asarray(vectors, dtype=np.float32)), self.centroids)
        return [self.step_ids[p] if m >= self.margin else None for p, m in zip(pred, margin, strict=True)]

    def _centroids(self, x: np.ndarray, steps: list[str], usable: list[str]) -> np.ndarray | None:
        rows = []
        for s in usable:
            mask = np.array([t == s for t in steps], dtype=bool)
            if not mask.any():
                return None
            rows.append(x[mask].mean(axis=0))
        return normalise_rows(np.vstack(rows))

    def _abstain(self, why: str) -> StepFallback:
        self.centroids, self.margin = None, None
        self.report["abstains"] = why
        return self


@dataclass
class FallbackSteps:
    """A calibrated fallback and its embedder as one picklable ``step_of``, for an engine's workers."""

    fallback: StepFallback
    embedder: Any

    def __call__(self, unmatched: list[dict[str, Any]]) -> list[str | None]:
        return list(self.fallback.predict(self.embedder.encode([r["text"] for r in unmatched])))


def masked_text(tokens: Sequence[str], keywords: frozenset[str]) -> str:
    """The record as the fallback would meet it: its taxonomy keywords taken out."""
    return "".join(t for t in tokens if t not in keywords)


def calibrate(
    batches: Iterable[list[dict[str, Any]]],
    taxonomy: Taxonomy,
    encode: Encode,
    per_step: int = 120,
    max_scan: int = 60_000,
) -> StepFallback:
    """Fit the fallback on up to ``per_step`` rule-matched records a step, scanning at most ``max_scan`` records."""
    keywords = taxonomy.keyword_set()
    texts: list[str] = []
    steps: list[str] = []
    keys: list[str] = []
    taken: dict[str, int] = {}
    scanned = 0
    for batch in batches:
        for rec in batch:
            toks = rec["tokens"].split()
            step, _ = taxonomy.match(toks)
            masked = masked_text(toks, keywords) if step else ""
            if step and len(masked) >= 4 and taken.get(step, 0) < per_step:
                taken[step] = taken.get(step, 0) + 1
                texts.append(masked)
                steps.append(step)
                keys.append(str(rec["id"]))
        scanned += len(batch)
        if scanned >= max_scan:
            break
    vectors = encode(texts) if texts else np.zeros((0, 1), dtype=np.float32)
    return StepFallback().fit(vectors, steps, keys)


def wilson_lower(hits: np.ndarray, n: np.ndarray, z: float = 1.96) -> np.ndarray:
    """Lower end of the Wilson score interval of hits/n: how low the precision could be at this sample size."""
    p = hits / n
    centre = p + z * z / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


def _nearest(x: np.ndarray, centroids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sims = x @ centroids.T
    top2 = np.sort(sims, axis=1)[:, -2:]
    return np.argmax(sims, axis=1), top2[:, 1] - top2[:, 0]
