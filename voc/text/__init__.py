"""The text chain every ingested text goes through: normalise, redact, segment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voc.text.normalise import normalise, split_social
from voc.text.redact import redact, truncate
from voc.text.segment import get_segmenter


@dataclass(frozen=True)
class Cleaned:
    """A text ready for the store: normalised, PII-free, with its tokens for search and themes."""

    text: str
    tokens: str
    fields: dict[str, Any] = field(default_factory=dict)
    pii: dict[str, int] = field(default_factory=dict)
    truncated_from: int | None = None


def clean(text: str | None, social: bool = False, max_chars: int | None = None) -> Cleaned:
    """Normalise, move social markers into fields, redact PII everywhere, truncate, then segment.

    Redaction runs on the whole text before the cut: a cut first would keep the first half of an ID or phone
    number, which the patterns no longer recognise.
    """
    norm = normalise(text)
    fields: dict[str, Any] = {}
    pii: dict[str, int] = {}
    if social:
        parts = split_social(norm)
        norm = parts.text
        for name, values in (("urls", parts.urls), ("mentions", parts.mentions), ("hashtags", parts.hashtags)):
            if values:
                red = [redact(v) for v in values]
                fields[name] = [r.text for r in red]
                for r in red:
                    for k, v in r.counts.items():
                        pii[k] = pii.get(k, 0) + v
    red = redact(norm)
    for k, v in red.counts.items():
        pii[k] = pii.get(k, 0) + v
    text, truncated = red.text, None
    if max_chars is not None and len(text) > max_chars:
        truncated = len(text)
        text = truncate(text, max_chars)
    tokens = " ".join(get_segmenter().words(text))
    return Cleaned(text, tokens, fields, pii, truncated)


__all__ = ["Cleaned", "clean", "normalise", "redact", "split_social", "truncate"]
