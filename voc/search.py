"""Hybrid search for analysts: semantic (faiss) and keyword (FTS5 bm25) lists fused by reciprocal rank.

Keyword search finds the exact banking term a model may blur; semantic search finds the paraphrase with no
word in common. Reciprocal rank fusion keeps the best of both without tuning score scales.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import numpy as np

from voc.errors import VocError
from voc.store import SearchFilters, Store
from voc.text import normalise
from voc.text.segment import get_segmenter

RRF_K = 60
# Below this many filtered records the vector search is restricted to them exactly; above, it over-fetches.
EXACT_FILTER_LIMIT = 200_000


class Mode(StrEnum):
    hybrid = "hybrid"
    semantic = "semantic"
    keyword = "keyword"


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class Index(Protocol):
    def search(self, queries: np.ndarray, k: int, allowed_ids: Sequence[int] | None = None) -> tuple: ...

    def reconstruct(self, rid: int) -> np.ndarray: ...

    def __len__(self) -> int: ...


@dataclass
class Hit:
    id: str
    source_id: str
    channel: str
    created_at: str
    text: str
    snippet: str
    score: float
    rating: float | None = None
    rating_scale: str | None = None
    sentiment: float | None = None
    sentiment_label: str | None = None
    theme_id: int | None = None
    theme_label: str | None = None
    process_step: str | None = None
    branch: str | None = None
    product: str | None = None
    agent_id: str | None = None
    matched: list[str] = field(default_factory=list)
    ranks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def query_tokens(query: str) -> list[str]:
    """Content words of the query, segmented like the stored records."""
    return get_segmenter().words(normalise(query))


def highlight(text: str, words: Sequence[str], width: int = 120) -> str:
    """An HTML-escaped window of the text around the first match, every matched word in <mark>."""
    words = sorted({w for w in words if w and w in text}, key=len, reverse=True)
    start = 0
    if words:
        first = min(text.find(w) for w in words)
        start = max(0, first - width // 3)
    window = text[start : start + width]
    out = html.escape(window)
    if words:
        pattern = re.compile("|".join(re.escape(html.escape(w)) for w in words))
        out = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", out)
    return ("…" if start else "") + out + ("…" if start + width < len(text) else "")


def rrf(ranked_lists: dict[str, list[int]], k: int = RRF_K) -> list[tuple[int, float, dict[str, int]]]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the lists a record appears in."""
    scores: dict[int, float] = {}
    ranks: dict[int, dict[str, int]] = {}
    for name, rids in ranked_lists.items():
        for rank, rid in enumerate(rids, start=1):
            scores[rid] = scores.get(rid, 0.0) + 1.0 / (k + rank)
            ranks.setdefault(rid, {})[name] = rank
    order = sorted(scores, key=lambda r: (-scores[r], r))
    return [(rid, scores[rid], ranks[rid]) for rid in order]


def _semantic(index: Index, store: Store, vec: np.ndarray, n: int, filters: SearchFilters,
              exclude: int | None = None) -> list[int]:
    """Nearest records passing the filters: over-fetch and post-filter first (cheap), and only when too few
    survive restrict the index to the filtered ids (exact for a few, IDSelector for many)."""
    if len(index) == 0:
        return []
    q = vec.reshape(1, -1).astype(np.float32)
    fetch = (n * 10 if filters.active() else n) + 1
    _, ids = index.search(q, fetch)
    out = [int(i) for i in np.asarray(ids[0]).ravel() if int(i) >= 0 and int(i) != exclude]
    if not filters.active():
        return out[:n]
    keep = store.rids_passing(out, filters)
    hits = [i for i in out if i in keep]
    if len(hits) >= n or len(out) < fetch - 1:
        return hits[:n]
    allowed = store.filtered_rids(filters, limit=EXACT_FILTER_LIMIT + 1)
    if not allowed or len(allowed) > EXACT_FILTER_LIMIT:
        return hits[:n]
    _, ids = index.search(q, n + 1, allowed_ids=allowed)
    return [int(i) for i in np.asarray(ids[0]).ravel() if int(i) >= 0 and int(i) != exclude][:n]


def search(
    store: Store,
    index: Index | None,
    encoder: Encoder | None,
    query: str,
    k: int = 20,
    mode: Mode | str = Mode.hybrid,
    filters: SearchFilters | None = None,
    offset: int = 0,
) -> list[Hit]:
    """The k best records for a question, across channels, honouring the filters; `offset` pages."""
    mode = Mode(mode)
    filters = filters or SearchFilters()
    if not query.strip():
        raise VocError("empty query: type a few words, e.g. 转账限额太低")
    tokens = query_tokens(query)
    depth = max(50, (k + offset) * 2)
    lists: dict[str, list[int]] = {}
    if mode in (Mode.hybrid, Mode.keyword):
        lists["keyword"] = [rid for rid, _ in store.keyword_search(tokens, filters, limit=depth)]
    if mode in (Mode.hybrid, Mode.semantic):
        if index is None or encoder is None:
            raise VocError("no vector index in this workspace yet: run `voc enrich` (or `voc demo`)")
        vec = encoder.encode([normalise(query)])[0]
        lists["semantic"] = _semantic(index, store, vec, depth, filters)
    fused = rrf(lists)[offset : offset + k]
    return _hits(store, fused, tokens)


def more_like_this(
    store: Store, index: Index, record_id: str, k: int = 20, filters: SearchFilters | None = None
) -> list[Hit]:
    """Records nearest to a stored record's vector (the record itself excluded)."""
    rid = store.rids_for([record_id]).get(record_id)
    if rid is None:
        raise VocError(f"no record with id {record_id}")
    vec = index.reconstruct(rid)
    rids = _semantic(index, store, np.asarray(vec), k, filters or SearchFilters(), exclude=rid)
    return _hits(store, rrf({"semantic": rids})[:k], [])


def _hits(store: Store, fused: list[tuple[int, float, dict[str, int]]], tokens: list[str]) -> list[Hit]:
    rows = store.records_by_rid([rid for rid, _, _ in fused])
    hits = []
    for rid, score, ranks in fused:
        r = rows.get(rid)
        if r is None:
            continue
        matched = [t for t in tokens if t in r["text"]]
        hits.append(Hit(
            id=r["id"], source_id=r["source_id"], channel=r["channel"], created_at=r["created_at"], text=r["text"],
            snippet=highlight(r["text"], matched), score=round(score, 6), rating=r["rating"],
            rating_scale=r["rating_scale"], sentiment=r["sentiment"], sentiment_label=r["sentiment_label"],
            theme_id=r["theme_id"], theme_label=r["theme_label"], process_step=r["process_step"],
            branch=r["branch"], product=r["product"], agent_id=r["agent_id"], matched=matched, ranks=ranks,
        ))
    return hits
