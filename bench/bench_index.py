"""VectorIndex latency and recall: exact (IndexFlatIP) vs IVF-Flat on synthetic clustered vectors.

Single-query search latency p50/p95 with one faiss thread, recall@10 of IVF against exact, build time.

    /work/venv/bin/python bench/bench_index.py [--sizes 100000,1000000] [--dims 256,384] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voc.index import VectorIndex


def clustered(n: int, dim: int, rng: np.random.Generator, n_centres: int = 1000) -> np.ndarray:
    """Unit vectors around random centres: closer to text embeddings than uniform noise."""
    centres = rng.standard_normal((n_centres, dim), dtype=np.float32)
    x = np.empty((n, dim), np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        x[start : start + m] = centres[rng.integers(0, n_centres, m)]
        x[start : start + m] += 0.6 * rng.standard_normal((m, dim), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def latencies(index: VectorIndex, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, list[np.ndarray]]:
    times, found = [], []
    for q in queries:
        t0 = time.perf_counter()
        _, ids = index.search(q[None], k)
        times.append(time.perf_counter() - t0)
        found.append(ids[0])
    return np.array(times) * 1000, found


def run(n: int, dim: int, n_queries: int, build_threads: int) -> dict[str, float]:
    rng = np.random.default_rng(0)
    x = clustered(n, dim, rng)
    ids = np.arange(n, dtype=np.int64)
    queries = x[rng.choice(n, n_queries, replace=False)] + 0.05 * rng.standard_normal((n_queries, dim), np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)

    exact = VectorIndex(dim, exact_threshold=n + 1)
    t0 = time.perf_counter()
    exact.add(ids, x)
    exact_build = time.perf_counter() - t0
    exact_ms, truth = latencies(exact, queries)

    approx = VectorIndex(dim, exact_threshold=n + 1, threads=build_threads)
    approx.add(ids, x)
    approx.exact_threshold = 0
    t0 = time.perf_counter()
    approx.rebuild()
    ivf_build = time.perf_counter() - t0
    approx.threads = 1
    ivf_ms, got = latencies(approx, queries)
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, got, strict=True)]))
    nlist = approx._index.nlist
    return {
        "n": n,
        "dim": dim,
        "exact_build_s": round(exact_build, 2),
        "exact_p50_ms": round(float(np.percentile(exact_ms, 50)), 3),
        "exact_p95_ms": round(float(np.percentile(exact_ms, 95)), 3),
        "ivf_nlist": nlist,
        "ivf_nprobe": approx.nprobe_,
        "ivf_build_s": round(ivf_build, 1),
        "ivf_p50_ms": round(float(np.percentile(ivf_ms, 50)), 3),
        "ivf_p95_ms": round(float(np.percentile(ivf_ms, 95)), 3),
        "ivf_recall_at_10": round(recall, 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--dims", default="256,384")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--build-threads", type=int, default=1, help="faiss threads while training IVF")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = []
    header = f"{'n':>9} {'dim':>4} | {'exact p50':>9} {'p95':>7} | {'nlist':>5} {'nprobe':>6} {'build s':>7} "
    print(header + f"{'ivf p50':>8} {'p95':>7} {'recall@10':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        for dim in (int(d) for d in args.dims.split(",")):
            r = run(n, dim, args.queries, args.build_threads)
            rows.append(r)
            print(
                f"{r['n']:>9} {r['dim']:>4} | {r['exact_p50_ms']:>9.2f} {r['exact_p95_ms']:>7.2f} | "
                f"{r['ivf_nlist']:>5} {r['ivf_nprobe']:>6} {r['ivf_build_s']:>7.1f} "
                f"{r['ivf_p50_ms']:>8.3f} {r['ivf_p95_ms']:>7.3f} {r['ivf_recall_at_10']:>9.3f}",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
