"""Praise and questions as their own views: what customers like and what they ask, grouped, never complaints.

Complaint themes see only complaint candidates, so praise (服务态度很好) and questions (请问怎么开通) never dilute
them; a quality team still wants both: praise says what to keep, questions say where information is missing.
A view groups one month's records of that kind with the same theme model, fitted on the spot and never
stored (a read path writes nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from voc.sentiment.base import POSITIVE
from voc.sentiment.lexicon import is_inquiry
from voc.store import Store
from voc.topics import ThemeModel
from voc.topics.themes import GENERIC

Encode = Callable[[Sequence[str]], np.ndarray]
VIEWS = {"praise": "表扬", "questions": "咨询与疑问"}
MIN_RECORDS = 20  # fewer records than this are listed, not grouped


def view_rows(store: Store, month: str, view: str) -> list[dict[str, Any]]:
    """The month's non-complaint records of a view: praise is positive text, questions read as an inquiry."""
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}: choose from {', '.join(VIEWS)}")
    rows = store.themes.non_complaint_rows(month)
    if view == "praise":
        return [r for r in rows if r["sentiment_label"] == POSITIVE]
    return [r for r in rows if r["sentiment_label"] != POSITIVE and is_inquiry(r["text"])]


def group_view(rows: list[dict[str, Any]], encode: Encode, quotes: int = 3, seed: int = 0) -> list[dict[str, Any]]:
    """Groups of a view's records, largest first: label, keywords, size, share and distinct example texts."""
    if len(rows) < MIN_RECORDS:
        return _ungrouped(rows, quotes)
    x = encode([r["text"] for r in rows])
    try:
        model = ThemeModel(min_theme_size=5, random_state=seed).fit(x, [r["tokens"].split() for r in rows])
    except ValueError:  # nothing to cluster: too few records with a topic word
        return _ungrouped(rows, quotes)
    labels = np.asarray(model.labels_)
    out = []
    for theme in model.themes_:
        if theme.kind == GENERIC:
            continue
        size = int((labels == theme.id).sum())
        if not size:
            continue
        out.append({"label": theme.label, "keywords": [w for w, _ in theme.keywords[:6]], "size": size,
                    "share": round(size / len(rows), 3),
                    "examples": [rows[i]["text"] for i in theme.representatives[:quotes]]})
    out.sort(key=lambda g: -g["size"])
    return out


def _ungrouped(rows: list[dict[str, Any]], quotes: int) -> list[dict[str, Any]]:
    if not rows:
        return []
    return [{"label": "（记录太少，未分组）", "keywords": [], "size": len(rows), "share": 1.0,
             "examples": [r["text"] for r in rows[:quotes]]}]
