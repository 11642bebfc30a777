"""Latency of a whole hybrid query (encode + faiss + FTS5 + fusion + fetching rows) on a large workspace.

    python bench/bench_search.py --home /tmp/voc-big [--queries 200] [--json PATH]

The workspace comes from bench/make_big_workspace.py (1M records by default). Its texts are synthetic, so the
vector side uses synthetic clustered vectors keyed by the real row ids (as the issue allows for the 1M case),
while FTS5, fusion and row fetching run on the real store. Exact and IVF indexes are timed side by side, one
thread, one query at a time; the embedder is voc's CorpusEmbedder fitted on a sample of the workspace texts.
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
from _common import print_table, write_json

from voc.embed import CorpusEmbedder
from voc.index import VectorIndex
from voc.search import search
from voc.store import Filters, Store
from voc.workspace import Workspace

QUERY_WORDS = ("转账限额", "闪退", "排队", "年费", "营销电话", "贷款审批", "账户冻结", "客服热线", "养老金账户", "理财")


def clustered(n: int, dim: int, rng: np.random.Generator, centres: int = 200) -> np.ndarray:
    c = rng.standard_normal((centres, dim)).astype(np.float32)
    x = c[rng.integers(0, centres, n)] + 0.35 * rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


class FixedEncoder:
    """The real embedder's cost for the query, mapped onto the synthetic vector space."""

    def __init__(self, embedder: CorpusEmbedder, vectors: np.ndarray, rng: np.random.Generator) -> None:
        self.embedder, self.vectors, self.rng = embedder, vectors, rng

    def encode(self, texts: list[str]) -> np.ndarray:
        self.embedder.encode(texts)
        return self.vectors[self.rng.integers(0, len(self.vectors), len(texts))]


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.array(xs) * 1000, q))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--home", required=True)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--json")
    args = ap.parse_args()

    ws = Workspace.open(args.home)
    store = Store.open(ws.db_path, readonly=True)
    rids = np.array(store.enrichment.all_rids(), dtype=np.int64)
    rng = np.random.default_rng(0)
    picked = rng.choice(rids, min(20_000, len(rids)), replace=False)
    sample = [r["text"] for r in store.enrichment.texts_for_rids(picked)]
    embedder = CorpusEmbedder(dim=256).fit(sample)
    vectors = clustered(len(rids), 256, rng)
    rows = []
    pyrng = random.Random(0)
    queries = [" ".join(pyrng.sample(QUERY_WORDS, 2)) + "太差了" for _ in range(args.queries)]
    for kind, threshold in (("exact (flat)", len(rids) + 1), ("approximate (IVF)", 50_000)):
        index = VectorIndex(256, exact_threshold=len(rids) + 1)
        t0 = time.perf_counter()
        for i in range(0, len(rids), 200_000):
            index.add(rids[i : i + 200_000], vectors[i : i + 200_000])
        if threshold < len(rids):
            index.exact_threshold = threshold
            index.rebuild()
        build = time.perf_counter() - t0
        enc = FixedEncoder(embedder, vectors, rng)
        probe = vectors[rng.integers(0, len(vectors), 100)]
        faiss_t = []
        for q in probe:
            t = time.perf_counter()
            index.search(q[None, :], 10)
            faiss_t.append(time.perf_counter() - t)
        for label, flt in (("hybrid", None), ("hybrid + channel/date filter",
                                              Filters(channel="call", since="2026-01-01"))):
            times = []
            for q in queries:
                t = time.perf_counter()
                search(store, index, enc, q, k=20, filters=flt)
                times.append(time.perf_counter() - t)
            rows.append({"index": kind, "query": label, "records": len(rids), "build_s": build,
                         "faiss_p50_ms": pct(faiss_t, 50), "faiss_p95_ms": pct(faiss_t, 95),
                         "query_p50_ms": pct(times, 50), "query_p95_ms": pct(times, 95)})
        if threshold < len(rids):
            exact = VectorIndex(256, exact_threshold=len(rids) + 1)
            for i in range(0, len(rids), 200_000):
                exact.add(rids[i : i + 200_000], vectors[i : i + 200_000])
            hits = 0
            for q in probe:
                a = set(index.search(q[None, :], 10)[1][0].tolist())
                b = set(exact.search(q[None, :], 10)[1][0].tolist())
                hits += len(a & b)
            rows[-1]["recall_at_10"] = hits / (10 * len(probe))
    print_table(f"whole hybrid query on {len(rids):,} records, one thread, {args.queries} queries", rows)
    write_json(args.json, rows)


if __name__ == "__main__":
    main()
