"""Embedder quality and speed on online_shopping_9_cats: precision@10 of same-category neighbours.

p@10 = share of the 10 nearest neighbours (cosine, query excluded, searched over the whole file) that
share the query's category, averaged over 2,000 random queries (seed 0). Labels are never used in fitting.

Exploration figures not re-run here (same protocol, 52,773 texts): word2vec CBOW+SIF 0.691 (w5, e10),
CBOW w15 0.713, FastText CBOW+SIF 0.669, skip-gram+SIF with mean-centering 0.733 and with top-1/3 PC
removal 0.715/0.716 (raw 0.744), LSA-256 concatenated with SIF 0.714-0.737, sublinear TF-IDF sparse 0.617.

    /work/venv/bin/python bench/bench_embed.py [--all] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voc.embed import CorpusEmbedder, TfidfSvdEmbedder
from voc.embed.base import l2_normalise
from voc.embed.corpus import tokenize

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "online_shopping_9_cats.csv"


def load(path: Path) -> tuple[list[str], np.ndarray]:
    texts, cats = [], []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = (row["review"] or "").strip()
            if text:
                texts.append(text)
                cats.append(row["cat"])
    return texts, np.unique(cats, return_inverse=True)[1]


def precision_at_10(x, labels: np.ndarray, queries: np.ndarray) -> float:
    """x: L2-normalised rows (dense array or scipy sparse)."""
    sims = x[queries] @ x.T
    sims = np.asarray(sims.toarray() if hasattr(sims, "toarray") else sims, dtype=np.float32)
    sims[np.arange(len(queries)), queries] = -np.inf
    top = np.argpartition(-sims, 10, axis=1)[:, :10]
    return float((labels[top] == labels[queries][:, None]).mean())


def sparse_tfidf(texts: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer=lambda t: t, min_df=2)
    return vec.fit_transform(tokenize(texts))


def candidates(run_all: bool) -> dict[str, object]:
    out: dict[str, object] = {
        "tfidf_words_sparse (baseline)": None,
        "tfidf_svd_256 (baseline)": TfidfSvdEmbedder(dim=256),
        "corpus_w2v_sif default (chosen)": CorpusEmbedder(),
    }
    if run_all:
        out |= {
            "tfidf_svd_128": TfidfSvdEmbedder(dim=128),
            "tfidf_svd_384": TfidfSvdEmbedder(dim=384),
            "w2v_sif dim128": CorpusEmbedder(dim=128),
            "w2v_sif window5 epochs10 neg5": CorpusEmbedder(window=5, epochs=10, negative=5),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--all", action="store_true", help="also run the extra candidates (slower)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data} not found")
    texts, labels = load(args.data)
    queries = np.random.default_rng(0).choice(len(texts), args.queries, replace=False)
    rows = []
    chance = float(((np.bincount(labels) / len(labels)) ** 2).sum())
    print(f"{len(texts)} texts, {args.queries} queries; chance p@10 {chance:.3f}")
    for name, emb in candidates(args.all).items():
        t0 = time.perf_counter()
        if emb is None:
            x = sparse_tfidf(texts)
            fit_s, rate = time.perf_counter() - t0, float("nan")
        else:
            emb.fit(texts)
            fit_s = time.perf_counter() - t0
            t1 = time.perf_counter()
            x = emb.encode(texts)
            rate = len(texts) / (time.perf_counter() - t1)
            x = l2_normalise(x)
        p = precision_at_10(x, labels, queries)
        per_s = None if np.isnan(rate) else round(rate)
        rows.append({"embedder": name, "p_at_10": round(p, 4), "fit_s": round(fit_s, 1), "encode_per_s": per_s})
        print(f"{name:40s} p@10 {p:.3f}  fit {fit_s:7.1f} s  encode {rate:8.0f} texts/s", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
