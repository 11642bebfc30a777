"""Search quality on real finance questions and reviews: each embedder, keyword / vector / hybrid, one run.

    python bench/bench_search_quality.py [--split test] [--pairs 1000] [--shop 3000] [--weights 0.5,0.9]
                                         [--embedders corpus,lsa,e5] [--json PATH]

Protocols (labels are never used for fitting; the split is by pair id, even ids = dev, odd ids = test):
- ATEC recall@10: ``--pairs`` paraphrase pairs (label 1, q1 != q2) of the split; their q2 questions are a
  workspace; each q1 is searched through voc's own search (FTS5 bm25, faiss, fusion) and counts a hit when its
  q2 is in the top 10. Plain baselines beside it: TF-IDF over jieba words and over characters 1-2 (cosine).
- ATEC pairs AUC: cosine of q1 and q2 for 4,000 labelled pairs of the split (same meaning or not).
- shopping p@10: ``--shop`` reviews of online_shopping_9_cats form a workspace; 1,000 of them query it
  (themselves excluded) and p@10 is the share of the top 10 in the query's category.
Fusion weights are chosen on ``--split dev`` and reported on ``--split test``. Encoded vectors of pretrained
models are cached under bench/results/, so a re-run costs only the search.
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from _common import ROOT, SHARED, print_table, write_json
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score

from voc.embed import CorpusEmbedder, E5Embedder, TfidfSvdEmbedder
from voc.embed.cache import CachedEncoder
from voc.index import VectorIndex
from voc.schema import Record
from voc.search import search
from voc.store import Store
from voc.store.vector_cache import VectorCache
from voc.text import clean, normalise
from voc.text.segment import get_segmenter

RESULTS = ROOT / "bench" / "results"


class Weighted:
    """An embedder with a fusion weight set from outside (to compare weights in one run)."""

    def __init__(self, inner: Any, weight: float) -> None:
        self.inner, self.fusion_weight = inner, weight
        self.fusion_weight_long = None  # one weight for every query, whatever its length

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode(texts)


def atec(split: str, n_pairs: int, n_auc: int, seed: int = 0) -> tuple[list[tuple[str, str]], list[tuple]]:
    with open(SHARED / "atec_question_pairs.tsv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if (int(r["id"]) % 2 == 0) == (split == "dev")]
    clean_q = [(r["q1"].replace("\n", " "), r["q2"].replace("\n", " "), int(r["label"])) for r in rows]
    pos = [(a, b) for a, b, y in clean_q if y == 1 and a != b]
    rng = np.random.default_rng(seed)
    pairs = [pos[i] for i in rng.choice(len(pos), min(n_pairs, len(pos)), replace=False)]
    labelled = [clean_q[i] for i in rng.choice(len(clean_q), min(n_auc, len(clean_q)), replace=False)]
    return pairs, labelled


def shopping(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    with open(SHARED / "online_shopping_9_cats.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if (r["review"] or "").strip()]
    pick = np.random.default_rng(seed).choice(len(rows), n, replace=False)
    return [rows[i]["review"] for i in pick], np.unique([rows[i]["cat"] for i in pick], return_inverse=True)[1]


def workspace(texts: Sequence[str], path: Path) -> tuple[Store, list[int]]:
    """A store holding the texts (cleaned as ingest cleans them); returns it and each text's row id."""
    path.unlink(missing_ok=True)
    store = Store.open(path)
    records = []
    for i, text in enumerate(texts):
        c = clean(text)
        records.append(Record(source="bench", source_id=str(i), channel="social",
                              created_at="2026-01-01T00:00:00+08:00", text=c.text, tokens=c.tokens))
    store.records.upsert_records(records)
    rids = store.records.rids_for([r.id for r in records])
    return store, [rids[r.id] for r in records]


def make_embedder(name: str, fit_texts: Sequence[str]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    if name == "corpus":
        emb: Any = CorpusEmbedder().fit(fit_texts)
    elif name == "lsa":
        emb = TfidfSvdEmbedder().fit(fit_texts)
    elif name == "e5":
        inner = E5Embedder().fit([])
        emb = CachedEncoder(inner, VectorCache(RESULTS / "e5-cache.sqlite", inner.dim))
    else:
        raise SystemExit(f"unknown embedder {name}")
    return emb, time.perf_counter() - t0


def index_of(emb: Any, texts: Sequence[str], rids: Sequence[int]) -> tuple[VectorIndex, float]:
    t0 = time.perf_counter()
    vecs = emb.encode([normalise(t) for t in texts])
    rate = len(texts) / max(time.perf_counter() - t0, 1e-9)
    index = VectorIndex(vecs.shape[1], exact_threshold=len(texts) + 1)
    index.add(np.asarray(rids, np.int64), vecs)
    return index, rate


def recall_at_10(store: Store, index: VectorIndex, emb: Any, queries: Sequence[str], targets: Sequence[int],
                 mode: str) -> float:
    hits = 0
    for q, target in zip(queries, targets, strict=True):
        got = search(store, index, emb, q, k=10, mode=mode)
        rids = store.records.rids_for([h.id for h in got])
        hits += target in rids.values()
    return hits / len(queries)


def p_at_10(store: Store, index: VectorIndex, emb: Any, texts: Sequence[str], rids: Sequence[int],
            cats: np.ndarray, queries: np.ndarray, mode: str) -> float:
    cat_of = dict(zip(rids, cats, strict=True))
    shares = []
    for qi in queries:
        got = search(store, index, emb, texts[qi], k=11, mode=mode)
        found = [r for r in store.records.rids_for([h.id for h in got]).values() if r != rids[qi]][:10]
        shares.append(np.mean([cat_of[r] == cats[qi] for r in found]) if found else 0.0)
    return float(np.mean(shares))


def sparse_recall(texts_q: Sequence[str], texts_c: Sequence[str], analyzer: Any) -> float:
    vec = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True).fit([*texts_c, *texts_q])
    sims = (vec.transform(texts_q) @ vec.transform(texts_c).T).toarray()
    top = np.argsort(-sims, axis=1)[:, :10]
    return float(np.mean([i in row for i, row in enumerate(top)]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "test"), default="test")
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--auc-pairs", type=int, default=4000)
    ap.add_argument("--shop", type=int, default=3000)
    ap.add_argument("--weights", default="", help="comma-separated fusion weights to try (default: each embedder's)")
    ap.add_argument("--embedders", default="corpus,lsa,e5")
    ap.add_argument("--json")
    args = ap.parse_args()
    if not (SHARED / "atec_question_pairs.tsv").exists():
        raise SystemExit(f"{SHARED} not found")
    RESULTS.mkdir(parents=True, exist_ok=True)
    seg = get_segmenter()
    pairs, labelled = atec(args.split, args.pairs, args.auc_pairs)
    q1 = [a for a, _ in pairs]
    q2 = [b for _, b in pairs]
    st_a, rid_a = workspace(q2, RESULTS / f"atec-{args.split}.db")
    shop_texts, cats = shopping(args.shop)
    st_s, rid_s = workspace(shop_texts, RESULTS / "shop.db")
    shop_q = np.random.default_rng(1).choice(len(shop_texts), min(1000, len(shop_texts)), replace=False)
    rows: list[dict[str, Any]] = []
    norm_q1, norm_q2 = [normalise(t) for t in q1], [normalise(t) for t in q2]
    for name, analyzer in (("tfidf jieba words (baseline)", lambda t: seg.words(t)), ("tfidf chars 1-2", None)):
        t0 = time.perf_counter()
        r10 = sparse_recall(norm_q1, norm_q2, analyzer or _chars)
        rows.append({"embedder": name, "mode": "-", "weight": None, "atec_auc": None, "atec_r10": round(r10, 4),
                     "shop_p10": None, "texts_per_s": None, "fit_s": round(time.perf_counter() - t0, 1)})
    weights = [float(w) for w in args.weights.split(",") if w.strip()]
    for name in args.embedders.split(","):
        emb, fit_s = make_embedder(name, [*q2, *shop_texts])
        ix_a, rate = index_of(emb, q2, rid_a)
        ix_s, _ = index_of(emb, shop_texts, rid_s)
        a = emb.encode([normalise(x) for x, _, _ in labelled])
        b = emb.encode([normalise(y) for _, y, _ in labelled])
        auc = roc_auc_score([y for _, _, y in labelled], (a * b).sum(axis=1))
        # without --weights: the embedder's own (a short-query and a long-query share when it declares both)
        default = fusion_label(emb)
        plan = [("keyword", None), ("semantic", None)] + ([("hybrid", w) for w in weights] or [("hybrid", default)])
        for mode, w in plan:
            enc = Weighted(emb, w) if isinstance(w, float) else emb
            r10 = recall_at_10(st_a, ix_a, enc, q1, rid_a, mode)
            p10 = p_at_10(st_s, ix_s, enc, shop_texts, rid_s, cats, shop_q, mode)
            rows.append({"embedder": name, "mode": mode, "weight": w, "atec_auc": round(auc, 4),
                         "atec_r10": round(r10, 4), "shop_p10": round(p10, 4), "texts_per_s": round(rate),
                         "fit_s": round(fit_s, 1)})
            print(rows[-1], flush=True)
    title = f"search quality, split {args.split}: ATEC {len(pairs)} pairs, shopping {len(shop_texts)} reviews"
    print_table(title, rows)
    write_json(args.json, rows)


def fusion_label(emb: Any) -> str | float:
    short, long = getattr(emb, "fusion_weight", None), getattr(emb, "fusion_weight_long", None)
    return f"{short}->{long}" if long is not None else float(short if short is not None else 0.8)


def _chars(text: str) -> list[str]:
    return [*text, *(text[i : i + 2] for i in range(len(text) - 1))]


if __name__ == "__main__":
    main()
