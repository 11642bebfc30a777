"""Sentiment classes as numbers, and the ways labels arrive: ratings, 0/1 files, English or Chinese names.

Binary files keep their meaning (0 negative, 1 positive), so neutral is the third code, 2. Every class
array in ``voc.sentiment`` is indexed by these codes.
"""

from __future__ import annotations

import csv
from pathlib import Path

from voc.errors import IngestError
from voc.sentiment.base import NEGATIVE, NEUTRAL, POSITIVE

NEG, POS, NEU = 0, 1, 2
CLASS_NAMES = {NEG: NEGATIVE, POS: POSITIVE, NEU: NEUTRAL}
ENGLISH = {NEG: "negative", POS: "positive", NEU: "neutral"}

_THRESHOLDS = {"star5": (2, 4), "csat5": (2, 4), "nps10": (6, 9)}
_NAMES = {
    "0": NEG,
    "1": POS,
    "negative": NEG,
    "neg": NEG,
    "neutral": NEU,
    "neu": NEU,
    "positive": POS,
    "pos": POS,
    NEGATIVE: NEG,
    NEUTRAL: NEU,
    POSITIVE: POS,
    "消极": NEG,
    "积极": POS,
}


def parse_label(value: str | None) -> int | None:
    """A file's label -> NEG / POS / NEU: 0/1, negative/neutral/positive (any case) or 负面/中性/正面."""
    return _NAMES.get((value or "").strip().lower())


def weak_label(rating: float, scale: str) -> int:
    """Rating -> NEG (1-2 stars, NPS 0-6), NEU (3 stars, NPS 7-8) or POS (4-5 stars, NPS 9-10)."""
    if scale not in _THRESHOLDS:
        raise ValueError(f"unknown rating scale {scale!r}; use one of {sorted(_THRESHOLDS)}")
    low, high = _THRESHOLDS[scale]
    if rating <= low:
        return NEG
    if rating >= high:
        return POS
    return NEU


def read_labelled(path: Path | str, text_col: str, label_col: str) -> tuple[list[str], list[int]]:
    """Texts and class codes from a CSV: 0/1, negative/neutral/positive or 负面/中性/正面; others skipped."""
    texts, labels, _ = read_rows(Path(path), text_col, label_col, None)
    return texts, labels


def read_rows(
    path: Path, text_col: str, label_col: str, group_col: str | None
) -> tuple[list[str], list[int], list[str]]:
    """(texts, codes, groups) of a labelled CSV; a group is ``file:value`` of ``group_col``, else the file name."""
    if not path.exists():
        raise IngestError(f"{path} does not exist")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {text_col, label_col, *([group_col] if group_col else [])} - set(reader.fieldnames or [])
        if missing:
            raise IngestError(f"{path} has no column(s) {sorted(missing)}; it has {reader.fieldnames}")
        texts, labels, groups = [], [], []
        for row in reader:
            label = parse_label(row[label_col])
            if label is not None:
                texts.append(row[text_col] or "")
                labels.append(label)
                groups.append(f"{path.name}:{row[group_col]}" if group_col else path.name)
    return texts, labels, groups
