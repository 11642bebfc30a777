"""Hybrid search for analysts: semantic (faiss) and keyword (FTS5 bm25) lists fused by a weighted score.

Keyword search finds the exact banking term a model may blur; semantic search finds the paraphrase with no
word in common. Reciprocal rank fusion treated both lists as equally good and let a weak keyword list drag a
strong encoder down (on real finance questions, below the encoder alone). So every candidate of either list is
scored on both sides (cosine from the index, bm25 from FTS5), each side is scaled to [0, 1] over the candidates,
and the two are mixed with the embedder's ``fusion_weight``: the semantic share measured for that embedder on
paraphrase questions (``bench/bench_search_quality.py``). A query whose words match nothing is purely semantic.
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
from voc.store import Filters, Store
from voc.text import normalise
from voc.text.grams import char_grams
from voc.text.segment import get_segmenter

# Semantic share for embedders that do not declare one (e.g. a local sentence-transformers folder).
DEFAULT_FUSION_WEIGHT = 0.8
SHORT_QUERY, LONG_QUERY = 10, 30  # characters; chosen on the dev split with the weights below
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

    def similarities(self, query: np.ndarray, ids: Sequence[int]) -> dict[int, float]: ...

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


def fuse(keyword: Sequence[tuple[int, float]], semantic: Sequence[tuple[int, float]],
         keyword_scores: dict[int, float], semantic_scores: dict[int, float],
         weight: float) -> list[tuple[int, float, dict[str, int]]]:
    """Weighted sum of both sides' scores over the union of both lists, best first.

    ``keyword_scores``/``semantic_scores`` hold each candidate's score on that side (missing: no match, the
    side's floor). bm25 is divided by its best value, cosine min-max scaled over the candidates, so the weight
    means the same for every query. Ties go to the lower row id, so results are deterministic.
    """
    ranks: dict[int, dict[str, int]] = {}
    for name, ranked in (("keyword", keyword), ("semantic", semantic)):
        for rank, (rid, _) in enumerate(ranked, start=1):
            ranks.setdefault(rid, {})[name] = rank
    if not ranks:
        return []
    cands = sorted(ranks)
    kw = np.array([keyword_scores.get(r, 0.0) for r in cands], dtype=np.float64)
    sem_known = [semantic_scores[r] for r in cands if r in semantic_scores]
    floor = min(sem_known) if sem_known else 0.0
    sem = np.array([semantic_scores.get(r, floor) for r in cands], dtype=np.float64)
    kw_part = kw / kw.max() if kw.max() > 0 else np.zeros_like(kw)
    spread = sem.max() - sem.min()
    sem_part = (sem - sem.min()) / spread if spread > 0 else np.ones_like(sem) * bool(sem_known)
    w = weight if kw.max() > 0 else 1.0
    w = w if sem_known else 0.0
    fused = w * sem_part + (1.0 - w) * kw_part
    order = sorted(range(len(cands)), key=lambda i: (-fused[i], cands[i]))
    return [(cands[i], float(fused[i]), ranks[cands[i]]) for i in order]


def _semantic(index: Index, store: Store, vec: np.ndarray, n: int, filters: Filters,
              exclude: int | None = None) -> list[tuple[int, float]]:
    """Nearest (row id, cosine) passing the filters: over-fetch and post-filter first (cheap), and only when too
    few survive restrict the index to the filtered ids (exact for a few, IDSelector for many)."""
    if len(index) == 0:
        return []
    q = vec.reshape(1, -1).astype(np.float32)
    fetch = (n * 10 if filters.active() else n) + 1

    def pairs(result: tuple) -> list[tuple[int, float]]:
        scores, ids = result
        return [(int(i), float(s)) for i, s in zip(np.asarray(ids[0]).ravel(), np.asarray(scores[0]).ravel(),
                                                    strict=True) if int(i) >= 0 and int(i) != exclude]

    out = pairs(index.search(q, fetch))
    if not filters.active():
        return out[:n]
    keep = store.search.rids_passing([i for i, _ in out], filters)
    hits = [p for p in out if p[0] in keep]
    if len(hits) >= n or len(out) < fetch - 1:
        return hits[:n]
    allowed = store.search.filtered_rids(filters, limit=EXACT_FILTER_LIMIT + 1)
    if not allowed or len(allowed) > EXACT_FILTER_LIMIT:
        return hits[:n]
    return pairs(index.search(q, n + 1, allowed_ids=allowed))[:n]


def search(
    store: Store,
    index: Index | None,
    encoder: Encoder | None,
    query: str,
    k: int = 20,
    mode: Mode | str = Mode.hybrid,
    filters: Filters | None = None,
    offset: int = 0,
) -> list[Hit]:
    """The k best records for a question, across channels, honouring the filters; `offset` pages."""
    mode = Mode(mode)
    filters = filters or Filters()
    if not query.strip():
        raise VocError("empty query: type a few words, e.g. 转账限额太低")
    text = normalise(query)
    tokens = query_tokens(query)
    grams = char_grams(text).split()
    depth = max(50, (k + offset) * 2)
    keyword: list[tuple[int, float]] = []
    semantic: list[tuple[int, float]] = []
    if mode in (Mode.hybrid, Mode.keyword):
        keyword = store.search.keyword_search(tokens, filters, limit=depth, grams=grams)
    if mode in (Mode.hybrid, Mode.semantic):
        if index is None or encoder is None:
            raise VocError("no vector index in this workspace yet: run `voc enrich` (or `voc demo`)")
        vec = encoder.encode([text])[0]
        semantic = _semantic(index, store, vec, depth, filters)
    kw_scores, sem_scores = dict(keyword), dict(semantic)
    if mode == Mode.hybrid:
        kw_scores |= store.search.keyword_scores(tokens, [r for r, _ in semantic if r not in kw_scores], grams)
        sem_scores |= index.similarities(vec, [r for r, _ in keyword if r not in sem_scores])  # type: ignore[union-attr]
        weight = fusion_weight(encoder, text)
    else:
        weight = 1.0 if mode == Mode.semantic else 0.0
    fused = fuse(keyword, semantic, kw_scores, sem_scores, weight)[offset : offset + k]
    return _hits(store, fused, tokens)


def fusion_weight(encoder: object, query: str = "") -> float:
    """The semantic share of the hybrid score for this query: what the embedder declares (measured), else the
    default. A short question is best served by its words and characters, a long text (a whole review pasted
    in, a complaint written out) by its meaning: the share moves from ``fusion_weight`` at SHORT_QUERY
    characters to ``fusion_weight_long`` at LONG_QUERY, when the embedder declares both."""
    short = getattr(encoder, "fusion_weight", None)
    short = float(short) if isinstance(short, int | float) else DEFAULT_FUSION_WEIGHT
    long = getattr(encoder, "fusion_weight_long", None)
    if not isinstance(long, int | float):
        return short
    t = min(max((len(query) - SHORT_QUERY) / (LONG_QUERY - SHORT_QUERY), 0.0), 1.0)
    return short + (float(long) - short) * t


def more_like_this(
    store: Store, index: Index, record_id: str, k: int = 20, filters: Filters | None = None
) -> list[Hit]:
    """Records nearest to a stored record's vector (the record itself excluded)."""
    rid = store.records.rids_for([record_id]).get(record_id)
    if rid is None:
        raise VocError(f"no record with id {record_id}")
    vec = index.reconstruct(rid)
    semantic = _semantic(index, store, np.asarray(vec), k, filters or Filters(), exclude=rid)
    return _hits(store, fuse([], semantic, {}, dict(semantic), 1.0)[:k], [])


def _hits(store: Store, fused: list[tuple[int, float, dict[str, int]]], tokens: list[str]) -> list[Hit]:
    rows = store.search.records_by_rid([rid for rid, _, _ in fused])
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
