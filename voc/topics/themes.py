"""The plain records a theme model hands out: one theme, and the lineage of one update step."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

COMPLAINT = "complaint"
GENERIC = "generic"
GENERIC_LABEL = "泛泛抱怨（无具体问题）"


@dataclass
class Theme:
    """One complaint theme; ``representatives`` are row indices into the batch it was labelled from.

    ``kind`` is "generic" for the one bucket of contentless rants (never flagged, never quoted); ``coverage``
    and ``specificity`` say how well the label describes the members (see ``voc.topics.quality``).
    """

    id: int
    label: str
    keywords: list[tuple[str, float]]
    size: int
    coherence: float
    representatives: list[int]
    created_step: int = 0
    last_seen_step: int = 0
    kind: str = COMPLAINT
    coverage: float | None = None
    specificity: float | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["keywords"] = [[w, s] for w, s in self.keywords]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Theme:
        data = dict(data)
        data["keywords"] = [(str(w), float(s)) for w, s in data["keywords"]]
        return cls(**data)


@dataclass
class Lineage:
    """What one ``update`` did: per-record assignments plus how themes continued, appeared or faded.

    ``split`` maps a new theme to the old theme whose centroid it sits close to; ``merged`` lists pairs of
    old themes whose new records cannot be told apart; ``stability`` is the share of this batch's records
    that keep the theme they had before the update once new themes exist and centroids moved.
    """

    step: int
    labels: np.ndarray
    similarities: np.ndarray
    continued: dict[int, int] = field(default_factory=dict)
    new: list[int] = field(default_factory=list)
    retired: list[int] = field(default_factory=list)
    split: dict[int, int] = field(default_factory=dict)
    merged: list[tuple[int, int]] = field(default_factory=list)
    n_outliers: int = 0
    stability: float = 1.0

    def summary(self) -> dict[str, Any]:
        """JSON-able view without the per-record arrays (what the store keeps per step)."""
        return {
            "step": self.step,
            "continued": {str(k): v for k, v in self.continued.items()},
            "new": self.new,
            "retired": self.retired,
            "split": {str(k): v for k, v in self.split.items()},
            "merged": [list(p) for p in self.merged],
            "n_outliers": self.n_outliers,
            "stability": self.stability,
        }
